// The event list: every visible event in the server's order on the chosen
// clock, marked for the cursor (after it, not yet public, corrected),
// with a row for the cursor, details on demand, and the selected event.

import { $, el, clear, safeURL } from './dom.js';
import { MIN, HOUR, fmtAt, fmtEventTime, fmtDuration } from './time.js';
import { state, knownAt } from './state.js';
import { story, clockOf, known, correctionKnown, visibleEvents, displaySummary, outletName, nameOf, isPerson } from './story.js';
import { CAT_LABEL, ATTRIBUTION, HOW, roleLabel, seatLabel } from './vocab.js';
import { markSelected } from './timeline.js';
import { setCursor } from './moment.js';
import { ensureCursorVisible } from './view.js';
import { showPerson } from './panels.js';

const list = { items: new Map(), cursorRow: null, order: [], rendered: false, open: '' };

function eventRow(e) {
  const li = el('li', { class: 'ev cat-' + e._cat, 'data-id': e.id, 'data-seq': e.seq });
  const head = el('button', { type: 'button', class: 'ev-head', 'aria-expanded': 'false' },
    el('span', { class: 'ev-time' }, fmtEventTime(clockOf(e), state.by === 'reported' ? 'minute' : e.occurred_precision)),
    el('span', { class: 'badge cat-' + e._cat }, CAT_LABEL[e._cat] || e.type),
    el('span', { class: 'ev-sum' }, displaySummary(e)),
    el('span', { class: 'ev-meta' }, metaLine(e)),
    el('span', { class: 'ev-note' }));
  head.addEventListener('click', () => toggleDetail(e.id));
  li.append(head);
  const url = e.source && e.source.url && safeURL(e.source.url);
  if (url) {
    li.append(el('a', { class: 'src-row', href: url, target: '_blank', rel: 'noopener noreferrer',
      title: 'Open the source' + (outletName(e) ? ': ' + outletName(e) : '') }, 'source ↗'));
  }
  if (story.fresh.has(e.id)) li.classList.add('fresh');
  return li;
}

// renderList lists the visible events afresh.
export function renderList() {
  const ol = $('#events');
  const vis = visibleEvents();
  list.order = vis;
  list.items = new Map();
  const frag = document.createDocumentFragment();
  for (const e of vis) {
    const li = eventRow(e);
    frag.append(li);
    list.items.set(e.id, li);
  }
  list.cursorRow = el('li', { class: 'cursor-row', 'aria-hidden': 'true' }, el('span', {}, ''));
  clear(ol).append(frag);
  if (!vis.length) ol.append(el('li', { class: 'muted empty' }, story.events.length ? 'No events match.' : 'The archive is empty. Import a story: story import FILE.jsonl'));
  $('#events-count').textContent = `${vis.length}` + (vis.length !== story.events.length ? ` of ${story.events.length}` : '');
  if (state.selected && list.items.has(state.selected)) {
    const li = list.items.get(state.selected);
    li.classList.add('sel');
    if (list.open === state.selected) expand(li, story.byId.get(state.selected));
  }
  markList(!list.rendered);
  list.rendered = true;
}

function metaLine(e) {
  const parts = [];
  if (outletName(e)) parts.push(outletName(e));
  if (e.source && e.source.attribution && e.source.attribution !== 'archive') parts.push(ATTRIBUTION[e.source.attribution] || e.source.attribution);
  const lag = e._rep.ms - e._occ.ms;
  if (state.by === 'reported') {
    if (Math.abs(lag) >= MIN) parts.push(lag > 0 ? `happened ${fmtDuration(lag)} earlier` : `scheduled ${fmtDuration(lag)} ahead`);
  } else if (lag >= HOUR) parts.push(`reported ${fmtDuration(lag)} later`);
  else if (lag < 0) parts.push('announced ahead');
  return parts.join(' · ');
}

// markList marks, for the cursor: events after it, events not yet public
// at the known-at time, corrections; and places the cursor row.
export function markList(scroll = true) {
  const T = state.cursor, k = knownAt();
  let firstAfter = null;
  for (const e of list.order) {
    const li = list.items.get(e.id);
    if (!li) continue;
    const after = clockOf(e).ms > T;
    if (after && !firstAfter) firstAfter = li;
    li.classList.toggle('after', after);
    const unknown = !known(e, k) && e._rep.ms > (k === null ? Infinity : k);
    li.classList.toggle('unknown', unknown);
    const corr = correctionKnown(e, k);
    li.classList.toggle('superseded', !!corr);
    const note = li.querySelector('.ev-note');
    let text = '';
    if (unknown) text = `not yet public then — reported ${fmtEventTime(e._rep, 'minute')}`;
    else if (corr) text = `corrected ${fmtEventTime(corr._rep, 'minute')}: ${corr.summary || ''}`;
    else if (k !== null && (story.corrections.get(e.id) || []).length) text = 'a correction came later';
    if (note.textContent !== text) note.textContent = text;
  }
  const row = list.cursorRow;
  if (!row) return;
  row.firstChild.textContent = `▶ ${fmtAt(T)}` + (k === null ? '' : k === T ? ' · as known then' : ` · as known ${fmtAt(k)}`);
  const ol = $('#events');
  if (firstAfter) ol.insertBefore(row, firstAfter); else if (list.order.length) ol.append(row); else row.remove();
  if (scroll) keepInView(row);
}

// keepInView scrolls the list (not the page) so that item shows. The
// cursor row is sticky, so its place is read from its neighbour.
function keepInView(item, middle = false) {
  const ol = $('#events');
  if (!item.isConnected || ol.scrollHeight <= ol.clientHeight) return;
  let top = item.offsetTop;
  if (item === list.cursorRow) {
    const prev = item.previousElementSibling;
    top = prev ? prev.offsetTop + prev.offsetHeight : 0;
  }
  const h = item.offsetHeight;
  if (middle || top < ol.scrollTop || top + h > ol.scrollTop + ol.clientHeight) {
    ol.scrollTop = Math.max(0, top - ol.clientHeight * 0.6);
  }
}

function toggleDetail(id) {
  const li = list.items.get(id);
  if (!li) return;
  const open = li.querySelector('.ev-head').getAttribute('aria-expanded') === 'true';
  if (open) {
    collapse(li);
    list.open = '';
  } else {
    selectEvent(id, false);
    expand(li, story.byId.get(id));
  }
}

function collapse(li) {
  li.querySelector('.ev-head').setAttribute('aria-expanded', 'false');
  const d = li.querySelector('.ev-detail');
  if (d) d.remove();
}

function expand(li, e) {
  for (const other of document.querySelectorAll('#events .ev-detail')) collapse(other.parentElement);
  list.open = e.id;
  li.querySelector('.ev-head').setAttribute('aria-expanded', 'true');
  li.append(detail(e));
}

// personLink is a button that shows a person's status, named name (else
// as the entities name them).
export function personLink(id, name) {
  return el('button', { type: 'button', class: 'person-link', 'data-person': id, onclick: () => showPerson(id) }, name || nameOf(id));
}

function entityLink(id) {
  return isPerson(id) ? personLink(id) : el('span', { class: 'ent' }, nameOf(id));
}

// detailRows are an event's details: when, where from, who, what.
function detailRows(e, row) {
  const lag = e._rep.ms - e._occ.ms;
  row('Happened', fmtEventTime(e._occ, e.occurred_precision),
    el('span', { class: 'muted' }, ` (${e.occurred_at}${e.occurred_precision && e.occurred_precision !== 'minute' ? ', to the ' + e.occurred_precision : ''})`));
  row('Reported', fmtEventTime(e._rep, 'minute'),
    el('span', { class: 'muted' }, lag === 0 ? ' (at once)' : lag > 0 ? ` (${fmtDuration(lag)} later)` : ` (${fmtDuration(lag)} ahead${e.scheduled ? ', scheduled' : ''})`));
  const src = e.source || {};
  const url = src.url && safeURL(src.url);
  row('Source', outletName(e) || '—', src.attribution ? el('span', { class: 'muted' }, ` · ${ATTRIBUTION[src.attribution] || src.attribution}`) : '',
    url ? el('span', {}, ' · ', el('a', { href: url, target: '_blank', rel: 'noopener noreferrer', class: 'src-link' }, 'open source ↗')) : '');
  const d = e.data || {};
  for (const key of ['person', 'by', 'holder', 'org']) {
    if (typeof d[key] === 'string') row(key === 'by' ? 'By' : key[0].toUpperCase() + key.slice(1), entityLink(d[key]));
  }
  if (Array.isArray(d.about) && d.about.length) row('About', ...d.about.flatMap((id, i) => [i ? ', ' : '', entityLink(id)]));
  if (d.role) row('Role', roleLabel(d.role) + (d.interim ? ' (interim)' : '') + (d.shared ? ' (shared)' : ''));
  if (d.seat) row('Seat', seatLabel(d.seat));
  if (d.how) row('How', HOW[d.how] || d.how);
  if (d.text) row(e.type === 'statement.made' ? 'Said' : 'Text', d.text);
  if (d.outcome) row('Outcome', d.outcome);
  linkRows(e, row);
}

// linkRows are the details that name other events, and the rest.
function linkRows(e, row) {
  const d = e.data || {};
  const link = id => story.byId.has(id) ? linkToEvent(story.byId.get(id)) : id;
  if (d.claim) row('Claim', link(d.claim));
  if (d.by_event) row('Settled by', link(d.by_event));
  if (d.signatures !== undefined) row('Signatures', `${d.signatures}${d.of_total ? ' of ' + d.of_total : ''}`);
  if (d.amount !== undefined) row('Amount', `${Number(d.amount).toLocaleString('en')} ${d.currency || ''}`);
  if (d.note) row('Note', d.note);
  if (d.title) row('Title', d.title);
  if (d.name && e.type === 'entity.described') row('Name', d.name, d.aliases && d.aliases.length ? el('span', { class: 'muted' }, ` (also ${d.aliases.join(', ')})`) : '');
  if (e.supersedes) row('Corrects', link(e.supersedes));
  for (const c of story.corrections.get(e.id) || []) row('Corrected by', linkToEvent(c), el('span', { class: 'muted' }, ` (reported ${fmtEventTime(c._rep, 'minute')})`));
  row('Stored', `#${e.seq}`, el('span', { class: 'muted mono' }, ` ${e.id}`));
}

function detail(e) {
  const rows = [];
  detailRows(e, (k, ...v) => rows.push(el('dt', {}, k), el('dd', {}, ...v)));
  const body = el('div', { class: 'ev-detail' }, el('dl', {}, rows));
  const d = e.data || {};
  if (e.quote) body.append(el('blockquote', {}, e.quote));
  if (d.body) body.append(el('details', {}, el('summary', {}, 'Article text'), el('p', { class: 'report-body' }, d.body)));
  body.append(el('div', { class: 'ev-actions' },
    el('button', { type: 'button', onclick: () => { setCursor(e._occ.ms); ensureCursorVisible(); } }, 'Cursor to when it happened'),
    el('button', { type: 'button', onclick: () => { setCursor(e._rep.ms); ensureCursorVisible(); } }, 'Cursor to when it was reported')));
  return body;
}

// linkToEvent is a button that selects and opens e, named by its summary.
export function linkToEvent(e) {
  return el('button', { type: 'button', class: 'ev-link', onclick: () => selectEvent(e.id, true, true) }, displaySummary(e));
}

// selectEvent highlights an event in the list and the timeline; open
// shows its details (listing every event if the filters hide it).
export function selectEvent(id, scroll, open) {
  state.selected = id;
  for (const li of document.querySelectorAll('#events .ev.sel')) li.classList.remove('sel');
  const li = list.items.get(id);
  if (li) {
    li.classList.add('sel');
    if (open) expand(li, story.byId.get(id));
    if (scroll) keepInView(li, true);
  } else if (open && story.byId.has(id)) {
    state.filter = 'all';
    $('#type-filter').value = 'all';
    state.text = '';
    $('#text-filter').value = '';
    renderList();
    return selectEvent(id, scroll, open);
  }
  markSelected(id);
}

// unmarkFresh drops the "new" mark of the event id from its row.
export function unmarkFresh(id) {
  const li = list.items.get(id);
  if (li) li.classList.remove('fresh');
}
