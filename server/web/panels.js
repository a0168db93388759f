// The panels: board, roles, claims and a person's status at the cursor,
// and the banner that says which picture they show. One wrapper puts every
// panel in its state — loading while asked, error with the server's
// message, ready with what the panel makes of the answer — and the board
// lanes of the timeline are asked with them.

import { $, el, clear, safeURL, showProblem } from './dom.js';
import { HOUR, parseRFC, fmtAt, fmtEventTime, fmtDuration, atParam } from './time.js';
import { state, knownAt } from './state.js';
import { story, nameOf } from './story.js';
import { api, csvLink } from './api.js';
import { ATTRIBUTION, HOW, roleLabel, seatLabel } from './vocab.js';
import { askLanes, showLanes } from './lanes.js';
import { drawTimeline } from './timeline.js';
import { linkToEvent, personLink } from './events-list.js';
import { setKnownMode, writeURL } from './moment.js';

// setPanelState marks panel name (board, roles, claims, status) with its
// state and, once answered, the moment (at, k) it shows.
function setPanelState(name, s, at, k) {
  const p = document.getElementById(name + '-panel');
  p.dataset.state = s;
  p.setAttribute('aria-busy', s === 'loading' ? 'true' : 'false');
  if (at !== undefined) {
    p.dataset.atMs = String(at);
    p.dataset.knownMs = k === null ? '' : String(k);
  }
}

function asofText(at, k) {
  return k === null ? `at ${fmtAt(at)}` : `at ${fmtAt(at)} · known ${k === at ? 'then' : fmtAt(k)}`;
}

// showAnswer shows res ({v: answer} or {err}; null: nothing to ask) in
// panel name as at (T, k): its error, or the nodes render(answer, T, k)
// makes of it.
function showAnswer(name, res, T, k, render) {
  const body = $(`#${name}-body`);
  const asof = $(`#${name}-asof`);
  if (asof) asof.textContent = asofText(T, k);
  if (res && res.err) {
    clear(body).append(el('p', { class: 'error' }, res.err.message));
    setPanelState(name, 'error', T, k);
    return;
  }
  clear(body).append(...render(res ? res.v : null, T, k));
  setPanelState(name, 'ready', T, k);
}

// question is the moment (T, k) as the API's at= and known_at= take it.
function question(T, k) {
  const q = { at: atParam(T) };
  if (k !== null) q.known_at = atParam(k);
  return q;
}

let gen = 0, ctrl = null, statusGen = 0;
let diffs = 0; // rows of board and roles that differ from what is known now

// refreshPanels asks every panel's question, and the lanes, at the
// cursor; an answer to an earlier question is dropped.
export async function refreshPanels() {
  const g = ++gen;
  const person = state.person, sg = ++statusGen;
  if (ctrl) ctrl.abort();
  ctrl = new AbortController();
  const T = state.cursor, k = knownAt(), org = state.org;
  const q = question(T, k);
  for (const name of ['board', 'roles', 'claims']) setPanelState(name, 'loading');
  if (person) setPanelState('status', 'loading');
  const r = await askAll(q, org, person, k, ctrl.signal);
  if (g !== gen || Object.values(r).some(x => x && x.err && x.err.name === 'AbortError')) return;
  // The lanes are drawn before the panels say they are ready.
  showLanes(r.lanes && r.lanes.v || { key: '', lanes: [] });
  drawTimeline();
  showAnswer('board', r.board, T, k, v => boardNodes(v, r.boardNow && r.boardNow.v));
  showAnswer('roles', r.roles, T, k, v => rolesNodes(v, r.rolesNow && r.rolesNow.v));
  showAnswer('claims', r.claims, T, k, claimsNodes);
  diffs = (k === null ? 0 : $('#board-body').querySelectorAll('.differs, .ghost').length + $('#roles-body').querySelectorAll('.differs, .ghost').length);
  if (person && person === state.person && sg === statusGen) showAnswer('status', r.status, T, k, statusNodes);
  renderBanner();
  const errs = Object.values(r).filter(x => x && x.err).map(x => x.err.message);
  showProblem(errs.length ? errs[0] : '');
}

// askAll asks the panels' questions at q at once, and the lanes; each
// answer is {v} or {err}, null when not asked.
async function askAll(q, org, person, k, signal) {
  const get = (path, params) => api(path, params, signal).then(v => ({ v }), err => ({ err }));
  const status = person ? '/api/status/' + encodeURIComponent(person) : '';
  const jobs = {
    board: org ? get('/api/board', { ...q, org }) : null,
    roles: org ? get('/api/roles', { ...q, org }) : null,
    boardNow: org && k !== null ? get('/api/board', { at: q.at, org }) : null,
    rolesNow: org && k !== null ? get('/api/roles', { at: q.at, org }) : null,
    claims: get('/api/claims', q),
    status: person ? get(status, q) : null,
    lanes: askLanes(org, k, signal).then(v => ({ v }), err => ({ err })),
  };
  csvLink('#board-csv', org ? '/api/board' : '', { ...q, org });
  csvLink('#roles-csv', org ? '/api/roles' : '', { ...q, org });
  csvLink('#claims-csv', '/api/claims', q);
  csvLink('#status-csv', status, q);
  const r = {};
  for (const [key, p] of Object.entries(jobs)) r[key] = p ? await p : null;
  return r;
}

function sinceText(t, prec) {
  const p = parseRFC(t);
  return p ? fmtEventTime(p, prec) : '';
}

function plural(n, what) { return `${n} ${what}${n === 1 ? '' : 's'}`; }

// boardNodes show the board b, and where the board known now (nowB)
// differs from it.
function boardNodes(b, nowB) {
  if (!b) return [el('p', { class: 'muted' }, 'No organisation in this archive has board events yet.')];
  const nowSeat = new Map();
  if (nowB) for (const m of [...nowB.members, ...nowB.observers]) nowSeat.set(m.person, m.seat || 'observer');
  const order = m => (m.seat === 'chair' ? 0 : 1);
  const members = [...b.members].sort((a, c) => order(a) - order(c) || (a.name || a.person).localeCompare(c.name || c.person));
  const person = (m, seat) => {
    const li = el('li', { class: 'member seat-' + seat, 'data-person': m.person, 'data-seat': seat },
      personLink(m.person, m.name),
      el('span', { class: 'seat-badge seat-' + seat }, seatLabel(seat)),
      el('span', { class: 'since' }, `since ${sinceText(m.since, m.since_precision)}`));
    const ns = nowSeat.get(m.person);
    if (nowB && ns !== seat) {
      li.classList.add('differs');
      li.append(el('span', { class: 'diff' }, ns ? `as known now: ${ns}` : 'as known now: not on the board'));
    }
    return li;
  };
  const out = [el('p', { class: 'panel-sub' }, `${b.org_name || nameOf(b.org)} · ${plural(b.members.length, 'member')}` +
    (b.observers.length ? `, ${plural(b.observers.length, 'observer')}` : ''))];
  out.push(members.length ? el('ul', { class: 'people members' }, members.map(m => person(m, m.seat))) : el('p', { class: 'muted' }, 'Nobody on the board at this moment.'));
  if (b.observers.length) out.push(el('h3', {}, 'Observers'), el('ul', { class: 'people observers' }, b.observers.map(m => person(m, 'observer'))));
  if (nowB) {
    const thenSeat = new Set([...b.members, ...b.observers].map(m => m.person));
    const missing = [...nowB.members, ...nowB.observers].filter(m => !thenSeat.has(m.person));
    if (missing.length) {
      out.push(el('h3', {}, 'Not yet public then'), el('ul', { class: 'people ghosts' }, missing.map(m =>
        el('li', { class: 'member ghost', 'data-person': m.person }, personLink(m.person, m.name),
          el('span', { class: 'seat-badge seat-' + (m.seat || 'observer') }, seatLabel(m.seat)),
          el('span', { class: 'diff' }, 'on the board, as known now')))));
    }
  }
  if (b.anomalies && b.anomalies.length) out.push(anomalies(b.anomalies));
  return out;
}

function anomalies(list) {
  return el('details', { class: 'anomalies' }, el('summary', {}, `${plural(list.length, 'event')} that do not fit`),
    el('ul', {}, list.map(a => el('li', {}, a.reason, ' ', story.byId.has(a.event) ? linkToEvent(story.byId.get(a.event)) : ''))));
}

// roleRow is a row of the roles panel: the role, who holds it, then tail.
function roleRow(h, attrs, ...tail) {
  return el('li', { 'data-role': h.role, 'data-person': h.person, ...attrs },
    el('span', { class: 'role-name' }, roleLabel(h.role)),
    personLink(h.person, h.name),
    h.interim ? el('span', { class: 'badge interim' }, 'interim') : '', ...tail);
}

// rolesNodes show the roles r, and where the roles known now (nowR)
// differ from them.
function rolesNodes(r, nowR) {
  if (!r) return [el('p', { class: 'muted' }, 'No organisation chosen.')];
  const key = h => `${h.role}/${h.person}/${h.interim}`;
  const nowKeys = new Set(nowR ? nowR.roles.map(key) : []);
  const rows = r.roles.map(h => {
    const li = roleRow(h, { class: 'role', 'data-interim': String(!!h.interim) },
      h.shared ? el('span', { class: 'badge' }, 'shared') : '',
      el('span', { class: 'since' }, `since ${sinceText(h.since, h.since_precision)}`));
    if (nowR && !nowKeys.has(key(h))) { li.classList.add('differs'); li.append(el('span', { class: 'diff' }, 'not so, as known now')); }
    return li;
  });
  const out = [rows.length ? el('ul', { class: 'roles' }, rows) : el('p', { class: 'muted' }, 'No roles known at this moment.')];
  const thenKeys = new Set(r.roles.map(key));
  const missing = nowR ? nowR.roles.filter(h => !thenKeys.has(key(h))) : [];
  if (missing.length) {
    out.push(el('h3', {}, 'Not yet public then'), el('ul', { class: 'roles ghosts' },
      missing.map(h => roleRow(h, { class: 'role ghost' }, el('span', { class: 'diff' }, 'as known now')))));
  }
  if (r.anomalies && r.anomalies.length) out.push(anomalies(r.anomalies));
  return out;
}

// leadText says how far a settled claim was ahead of the official word.
function leadText(c) {
  const h = c.lead_hours;
  if (typeof h !== 'number') return '';
  if (c.outcome === 'confirmed') return h > 0 ? `reported ${fmtDuration(h * HOUR)} before the official word` : h < 0 ? `came ${fmtDuration(-h * HOUR)} after the official word` : 'same time as the official word';
  if (c.outcome === 'refuted') return h > 0 ? `refuted ${fmtDuration(h * HOUR)} after it was reported` : 'refuted by then';
  return '';
}

function claimItem(c) {
  const url = c.url && safeURL(c.url);
  const rep = parseRFC(c.reported_at);
  const lead = leadText(c);
  return el('li', { class: 'claim outcome-' + c.outcome, 'data-id': c.id, 'data-outcome': c.outcome, 'data-lead-hours': c.lead_hours },
    el('span', { class: 'outcome' }, c.outcome === 'confirmed' ? '✓ confirmed' : c.outcome === 'refuted' ? '✗ refuted' : '? open'),
    el('p', { class: 'claim-text' }, c.text),
    el('p', { class: 'claim-meta' },
      [c.outlet_name || c.outlet, ATTRIBUTION[c.attribution] || c.attribution, rep ? fmtEventTime(rep, 'minute') : ''].filter(Boolean).join(' · '),
      url ? el('span', {}, ' · ', el('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, 'source ↗')) : ''),
    lead ? el('p', { class: 'lead' }, lead) : '',
    c.settled_by_summary ? el('p', { class: 'settled' }, `${c.outcome === 'refuted' ? 'Refuted' : 'Settled'} by: `,
      story.byId.has(c.settled_by) ? linkToEvent(story.byId.get(c.settled_by)) : c.settled_by_summary) : '');
}

// claimsNodes show the claims, newest first.
function claimsNodes(v) {
  const cs = v.claims.slice().reverse();
  const n = o => cs.filter(c => c.outcome === o).length;
  $('#claims-count').textContent = cs.length ? String(cs.length) : '';
  return [el('p', { class: 'panel-sub' }, cs.length ? `${n('confirmed')} confirmed · ${n('refuted')} refuted · ${n('open')} open` : 'No claims reported by this moment.'),
    el('ul', { class: 'claims' }, cs.map(claimItem))];
}

// showPerson shows a person's status, and brings the panel into view.
export function showPerson(id) {
  state.person = id;
  $('#person-select').value = id;
  writeURL(true);
  refreshStatus();
  const p = $('#status-panel');
  const r = p.getBoundingClientRect();
  if (r.top < 0 || r.top > window.innerHeight - 80) p.scrollIntoView({ block: 'start', behavior: 'smooth' });
}

// refreshStatus asks the chosen person's status alone.
export async function refreshStatus() {
  if (!state.person) { clearStatus(); return; }
  const g = ++statusGen;
  const T = state.cursor, k = knownAt(), person = state.person;
  setPanelState('status', 'loading');
  let r;
  try { r = { v: await api('/api/status/' + encodeURIComponent(person), question(T, k)) }; } catch (err) { r = { err }; }
  if (g !== statusGen || T !== state.cursor || person !== state.person) return;
  showAnswer('status', r, T, k, statusNodes);
}

// clearStatus empties the status panel: no person chosen.
export function clearStatus() {
  clear($('#status-body')).append(el('p', { class: 'muted' }, 'Click a name to see where that person stands at the cursor.'));
  setPanelState('status', 'empty');
}

function statusNodes(s, T, k) {
  const sec = (title, items) => items.length ? [el('h3', {}, title), el('ul', { class: 'facts' }, items)] : [];
  const since = (t, prec, sep = ' since ') => el('span', { class: 'since' }, `${sep}${sinceText(t, prec)}`);
  const org = p => p.org_name || nameOf(p.org);
  const positions = s.positions.map(p => el('li', {}, `${p.interim ? 'Interim ' + roleLabel(p.role) : roleLabel(p.role)} of ${org(p)}`, since(p.since, p.since_precision)));
  const seats = (s.seats || []).map(p => el('li', {}, `${seatLabel(p.seat)} on the board of ${org(p)}`, since(p.since, p.since_precision)));
  const announced = s.announced.map(a => el('li', {}, `Announced to join ${org(a)} as ${roleLabel(a.role)}`, a.note ? ` (${a.note})` : '', since(a.at, a.precision, ' · ')));
  const former = (s.former || []).slice().reverse().map(f => el('li', {}, `${f.interim ? 'Interim ' : ''}${roleLabel(f.role)} of ${org(f)}: ${HOW[f.how] || f.how}`,
    since(f.until, f.until_precision, ' · ')));
  const recent = s.recent.map(r => {
    const t = parseRFC(r.occurred_at);
    return el('li', {}, el('span', { class: 'since' }, t ? fmtEventTime(t, r.occurred_precision) + ' · ' : ''),
      story.byId.has(r.id) ? linkToEvent(story.byId.get(r.id)) : (r.summary || r.type));
  });
  $('#status-body').dataset.person = s.person;
  $('#status-panel').dataset.person = s.person;
  return [el('p', { class: 'status-name' }, s.name || nameOf(s.person)),
    el('p', { class: 'summary' }, s.summary),
    el('p', { class: 'asof' }, asofText(T, k)),
    ...sec('Positions', positions), ...sec('Board seats', seats), ...sec('Announced', announced),
    ...sec('Former', former), ...sec('Recent events', recent)];
}

// renderBanner says which picture the panels show: as known now, or as
// known at the knowledge time (with how many rows differ from now).
export function renderBanner() {
  const b = $('#banner');
  const T = state.cursor, k = knownAt();
  clear(b);
  b.className = 'banner ' + (k === null ? 'now' : 'then');
  if (k === null) {
    b.append('Showing ', el('strong', {}, fmtAt(T)), ' as we know it now — every report up to today counts.');
    return;
  }
  b.append(el('strong', { class: 'then-tag' }, 'As known at ' + fmtAt(k)), ' — ',
    k === T ? 'the picture the public had at the cursor: later reports and corrections are left out.' : el('span', {}, 'the moment ', el('strong', {}, fmtAt(T)), ' as it was known then.'));
  if (diffs) b.append(' ', el('span', { class: 'diffcount' }, `${plural(diffs, 'difference')} from what we know now, marked below.`));
  if (state.knownMode === 'fixed') {
    b.append(' ', el('button', { type: 'button', class: 'ghost', onclick: () => setKnownMode('now') }, 'Use what we know now'));
  }
}
