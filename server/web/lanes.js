// The board lanes of the timeline: each seat holder's tenures on an org,
// as known at the knowledge time. The server folds the board: the page
// asks /api/diff over the whole story and reads its board changes (each
// the board view just after an event against just before it, the same
// fold as /api/board), one tenure from a change to a seat to the change
// from it.

import { api } from './api.js';
import { MIN, parseRFC, rfc3339 } from './time.js';
import { story, nameOf, storySpan } from './story.js';

let held = { key: '', lanes: [] };

// lanes are the tenures drawn: [{person, segs: [{from, until, seat, fromPrec}]}],
// until Infinity for a seat still held.
export function lanes() { return held.lanes; }

// askLanes answers the lanes of org as known at k (null: now); it is
// handed to showLanes. The answer held is reused while the question and
// the archive are the same.
export async function askLanes(org, k, signal) {
  const span = storySpan();
  const key = JSON.stringify([org, k, story.lastSeq, span]);
  if (key === held.key) return held;
  if (!org || !span) return { key, lanes: [] };
  const q = { from: rfc3339(span.lo - MIN, 0), to: rfc3339(span.hi + MIN, 0) };
  if (k !== null) q.known_at = rfc3339(k, 0);
  const diff = await api('/api/diff', q, signal);
  return { key, lanes: lanesFrom(diff.during, org) };
}

export function showLanes(answer) { held = answer; }

// lanesFrom reads the board changes of org into each person's tenures,
// people by their first seat, then name.
function lanesFrom(changes, org) {
  const open = new Map(), byPerson = new Map();
  const lane = p => {
    if (!byPerson.has(p)) byPerson.set(p, { person: p, segs: [] });
    return byPerson.get(p);
  };
  for (const c of changes) {
    if (c.view !== 'board' || c.key !== org) continue;
    const p = c.item, t = parseRFC(c.at).ms, cur = open.get(p);
    if (cur) lane(p).segs.push({ ...cur, until: t });
    open.delete(p);
    if (c.after) open.set(p, { from: t, seat: c.after, fromPrec: precisionOf(org, p, t) });
  }
  for (const [p, cur] of open) lane(p).segs.push({ ...cur, until: Infinity });
  const out = [...byPerson.values()];
  for (const l of out) l.segs = l.segs.filter(s => s.until > s.from);
  return out.filter(l => l.segs.length)
    .sort((a, b) => a.segs[0].from - b.segs[0].from || nameOf(a.person).localeCompare(nameOf(b.person)));
}

// precisionOf is the precision of the seat event of person on org at t.
function precisionOf(org, person, t) {
  const e = story.events.find(e => e._cat === 'board' && e._occ.ms === t && e.data && e.data.org === org && e.data.person === person);
  return e ? e.occurred_precision : 'minute';
}
