// The story the page holds: every event as /api/timeline answers it, in
// the server's order on the chosen clock (the page sorts nothing: by
// report it is `story timeline --by reported`), the entities, the
// corrections, and what is derived from them for drawing and filtering.
// Summaries are the server's.

import { api, csvLink } from './api.js';
import { parseRFC } from './time.js';
import { state } from './state.js';
import { category, FILTERS } from './vocab.js';

export const story = {
  events: [], // every event, as the timeline API returns it, plus derived fields
  byId: new Map(),
  corrections: new Map(), // id -> events that supersede it
  entities: new Map(), // id -> {id, kind, name, aliases}
  orgs: [], // [{id, taken, board, roles}], most board events first
  lastSeq: 0, // the newest stream sequence seen (the live feed resumes after it)
  fresh: new Map(), // id -> time it arrived live
};

// outletName is the name the server gives an event's outlet (an outlet
// entity's name), else the source's own text.
export function outletName(e) { return e.outlet_name || (e.source && e.source.outlet) || ''; }

export function nameOf(id) {
  const e = story.entities.get(id);
  return e && e.name ? e.name : id;
}

export function isPerson(id) {
  const e = story.entities.get(id);
  return !!e && e.kind === 'person';
}

// clockOf is an event's time on the clock by.
export function clockOf(ev, by = state.by) { return by === 'reported' ? ev._rep : ev._occ; }

// known: reported by k and not replaced by a correction reported by k, as
// the timeline API's known_at has it (for marking what the page holds).
export function known(ev, k) {
  if (k === null) return true;
  if (ev._rep.ms > k) return false;
  for (const c of story.corrections.get(ev.id) || []) if (c._rep.ms <= k) return false;
  return true;
}

// correctionKnown is the first correction of ev reported by k, if any.
export function correctionKnown(ev, k) {
  for (const c of story.corrections.get(ev.id) || []) if (k === null || c._rep.ms <= k) return c;
  return null;
}

function prepare(ev) {
  ev._occ = parseRFC(ev.occurred_at) || { ms: 0, off: 0 };
  ev._rep = parseRFC(ev.reported_at) || ev._occ;
  ev._cat = category(ev.type);
  ev._text = ((ev.summary || '') + ' ' + outletName(ev) + ' ' + (ev.quote || '') + ' ' + (ev.data && ev.data.text || '')).toLowerCase();
  return ev;
}

// setEvents takes a timeline answer as the story's events, in its order.
export function setEvents(list) {
  story.events = list.map(prepare);
  story.byId = new Map(story.events.map(e => [e.id, e]));
  story.corrections = new Map();
  for (const e of story.events) {
    story.lastSeq = Math.max(story.lastSeq, e.seq || 0);
    if (e.supersedes) {
      if (!story.corrections.has(e.supersedes)) story.corrections.set(e.supersedes, []);
      story.corrections.get(e.supersedes).push(e);
    }
  }
  story.orgs = orgsOf(story.events);
}

// orgsOf lists the orgs with board events, most first; orgs with only
// role events follow, so a story without a board still has roles.
function orgsOf(evs) {
  const m = new Map();
  const get = id => { if (!m.has(id)) m.set(id, { id, taken: 0, board: 0, roles: 0 }); return m.get(id); };
  for (const e of evs) {
    const org = e.data && e.data.org;
    if (!org) continue;
    if (e._cat === 'board') get(org).board++;
    if (e.type === 'board.seat_taken') get(org).taken++;
    else if (e._cat === 'role') get(org).roles++;
  }
  return [...m.values()].sort((a, b) => b.taken - a.taken || b.board - a.board || b.roles - a.roles || a.id.localeCompare(b.id));
}

// visibleEvents are the events the list's filters let through.
export function visibleEvents() {
  const f = FILTERS[state.filter] || FILTERS.story;
  const q = state.text.trim().toLowerCase();
  return story.events.filter(e => f(e._cat) && (!q || e._text.includes(q)));
}

// displaySummary is the server's summary, except that a claim is its
// text (with whom it is about) and a settled claim quotes the claim.
export function displaySummary(e) {
  if (e.type === 'claim.reported' && e.data && e.data.text) {
    // the people it is about, unless the text names them already
    const about = (e.data.about || []).filter(isPerson).map(nameOf)
      .filter(n => !e.data.text.includes(n) && !e.data.text.includes(n.split(' ').pop()));
    const who = about.slice(0, 2).join(', ') + (about.length > 2 ? ` +${about.length - 2}` : '');
    return (who ? who + ': ' : '') + e.data.text;
  }
  if (e.type === 'claim.resolved' && e.data) {
    const c = story.byId.get(e.data.claim);
    if (c && c.data && c.data.text) return `Claim ${e.data.outcome}: “${c.data.text}”`;
  }
  return e.summary || e.type;
}

export async function loadEntities() {
  const list = await api('/api/entities');
  story.entities = new Map(list.map(e => [e.id, e]));
}

// loadTimeline asks the story's events on the chosen clock. Of answers
// that cross, only the last asked is kept.
let timelineGen = 0;
export async function loadTimeline() {
  const gen = ++timelineGen, by = state.by;
  const fetched = await api('/api/timeline', { by });
  if (gen !== timelineGen) return;
  csvLink('#events-csv', '/api/timeline', { by });
  setEvents(fetched);
}

// storySpan is the stretch of occurred time the events cover, or null.
export function storySpan() {
  if (!story.events.length) return null;
  let lo = Infinity, hi = -Infinity;
  for (const e of story.events) { lo = Math.min(lo, e._occ.ms); hi = Math.max(hi, e._occ.ms); }
  return { lo, hi };
}
