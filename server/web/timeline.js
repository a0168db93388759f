// The timeline (SVG): the axis in the display zone, a marker per event on
// the chosen clock (stacked where they crowd), labels for the events that
// change who holds what, the board lanes at the cursor, the known-at line
// and the cursor's flag. Pointer and keys are in timeline-input.js.

import { $, sv, clear } from './dom.js';
import { DAYS, MONTHS, MIN, HOUR, DAY, pad, wallParts, offsetAt, zoneLabel, fmtWhen, fmtAt, fmtEventTime } from './time.js';
import { state, knownAt } from './state.js';
import { story, clockOf, known, nameOf, visibleEvents, displaySummary } from './story.js';
import { lanes } from './lanes.js';
import { extent } from './view.js';

// tl is the drawing: its groups, geometry and what was drawn last.
export const tl = {
  svg: null, grid: null, marks: null, lanes: null, cursor: null, kline: null, meas: null,
  W: 0, H: 0, X0: 0, X1: 0, markY: 0, laneY: 0,
  drag: null, points: [], laneData: [],
};

const ROW = 9, LANE = 22;

// x is the position of the moment ms; tAt the moment at position px.
export function x(ms) { const v = state.view; return tl.X0 + (ms - v.t0) / (v.t1 - v.t0) * (tl.X1 - tl.X0); }
export function tAt(px) { const v = state.view; return v.t0 + (px - tl.X0) / (tl.X1 - tl.X0) * (v.t1 - v.t0); }

// createTimeline makes the drawing's groups and the cursor in #tl.
export function createTimeline() {
  tl.svg = $('#tl');
  tl.grid = sv('g', { class: 'grid' });
  tl.marks = sv('g', { class: 'marks' });
  tl.lanes = sv('g', { class: 'lanes' });
  tl.kline = sv('g', { class: 'kline', 'aria-hidden': 'true' });
  tl.cursor = sv('g', {
    id: 'cursor', class: 'cursor', tabindex: '0', role: 'slider',
    'aria-label': 'Cursor: the moment the views show', 'aria-orientation': 'horizontal',
  },
  sv('rect', { class: 'hit', x: -8, y: 0, width: 16, height: 10 }),
  sv('line', { class: 'cline', x1: 0, x2: 0, y1: 0, y2: 10 }),
  sv('rect', { class: 'flag', x: 0, y: 2, rx: 3, height: 20, width: 10 }),
  sv('text', { class: 'flag-text', x: 0, y: 16 }),
  sv('rect', { class: 'focus-ring', x: 0, y: 0, rx: 5, height: 24, width: 10 }));
  tl.svg.append(tl.grid, tl.marks, tl.lanes, tl.kline, tl.cursor);
  let lastW = 0;
  new ResizeObserver(() => {
    const w = $('#tl-wrap').clientWidth;
    if (w !== lastW) { lastW = w; drawTimeline(); }
  }).observe($('#tl-wrap'));
}

const STEPS = [
  [MIN, 'min'], [5 * MIN, 'min'], [15 * MIN, 'min'], [30 * MIN, 'min'], [HOUR, 'hour'], [3 * HOUR, 'hour'],
  [6 * HOUR, 'hour'], [12 * HOUR, 'hour'], [DAY, 'day'], [2 * DAY, 'day'], [7 * DAY, 'day'],
  [1, 'month'], [3, 'month'], [6, 'month'], [1, 'year'], [2, 'year'], [5, 'year'], [10, 'year'],
];
const approx = ([n, u]) => u === 'month' ? n * 30.44 * DAY : u === 'year' ? n * 365.25 * DAY : n;

// ticks are the axis's marks for the view: at least minGap px apart, on
// round times of the display zone.
function ticks() {
  const { t0, t1 } = state.view;
  const minGap = tl.W < 560 ? 70 : 90;
  const span = (t1 - t0) * minGap / (tl.X1 - tl.X0);
  const step = STEPS.find(s => approx(s) >= span) || STEPS[STEPS.length - 1];
  return step[1] === 'month' || step[1] === 'year' ? calendarTicks(step) : clockTicks(step);
}

function calendarTicks([n, unit]) {
  const { t0, t1 } = state.view;
  const p = wallParts(t0, offsetAt(t0));
  let y = p.Y, m = unit === 'year' ? 0 : p.M - (p.M % n);
  if (unit === 'year') y -= y % n;
  const out = [];
  for (let i = 0; i < 500; i++) {
    const wall = Date.UTC(y, m, 1);
    const ms = wall - offsetAt(wall) * MIN;
    if (ms > t1) break;
    if (ms >= t0) out.push({ ms, label: unit === 'year' || m === 0 ? String(y) : MONTHS[m] + (n >= 3 || m === 0 ? ' ' + y : '') });
    if (unit === 'year') y += n; else { m += n; if (m >= 12) { y += Math.floor(m / 12); m %= 12; } }
  }
  return out;
}

function clockTicks([n, unit]) {
  const { t0, t1 } = state.view;
  let wall = Math.floor((t0 + offsetAt(t0) * MIN) / n) * n;
  if (unit === 'day' && n === 7 * DAY) { // weeks start on Monday
    const d = new Date(wall).getUTCDay();
    wall -= ((d + 6) % 7) * DAY;
  }
  const out = [];
  for (let i = 0; i < 500; i++, wall += n) {
    const ms = wall - offsetAt(wall) * MIN;
    if (ms > t1) break;
    if (ms < t0) continue;
    const d = new Date(wall);
    const midnight = d.getUTCHours() === 0 && d.getUTCMinutes() === 0;
    const label = unit === 'day' || midnight ? `${DAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}` : `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
    out.push({ ms, label, major: midnight });
  }
  return out;
}

// drawTimeline draws the whole timeline for the view, the cursor and the
// knowledge time.
export function drawTimeline() {
  if (!state.view || !tl.svg) return;
  tl.W = Math.max(280, $('#tl-wrap').clientWidth);
  const narrow = tl.W < 560;
  tl.X0 = narrow ? 92 : 150;
  tl.X1 = tl.W - 14;
  const T = state.cursor, k = knownAt();
  tl.markY = 44;
  const vis = visibleEvents();
  const { marks, bandH, maxRows } = placeMarks(vis, narrow ? 6 : 8);
  const labels = keyLabels(marks, narrow ? 1 : 2);
  const labelRows = labels.reduce((n, l) => Math.max(n, l.row + 1), 0);
  const ls = lanesAt(T);
  tl.laneData = ls.shown;
  tl.laneY = tl.markY + bandH + labelRows * 15 + 30;
  tl.H = tl.laneY + Math.max(1, ls.shown.length) * LANE + 10;
  tl.svg.setAttribute('viewBox', `0 0 ${tl.W} ${tl.H}`);
  tl.svg.setAttribute('width', tl.W);
  tl.svg.setAttribute('height', tl.H);
  drawGrid(narrow, vis.length, ls);
  clear(tl.marks);
  tl.points = [];
  drawMarks(marks, maxRows, T, k);
  drawLabels(labels, tl.markY + bandH + 8, T);
  drawLanes(ls.shown, narrow, T, k);
  drawKnown(k, T);
  drawCursor();
}

// placeMarks places a marker per visible event in view, on the first row
// where it does not touch the one before; past maxRows they pile on the
// last row and are counted, not drawn.
function placeMarks(vis, maxRows) {
  const rows = [], marks = [];
  let usedRows = 1;
  for (const e of vis) {
    const t = clockOf(e).ms;
    const px = x(t);
    if (px < tl.X0 - 4 || px > tl.X1 + 4) continue;
    let r = rows.findIndex(last => last <= px - 7);
    let over = false;
    if (r < 0) {
      if (rows.length < maxRows) { r = rows.length; rows.push(-Infinity); } else { r = maxRows - 1; over = true; }
    }
    rows[r] = px;
    usedRows = Math.max(usedRows, r + 1);
    marks.push({ e, t, px, r, over });
  }
  return { marks, bandH: Math.max(3, usedRows) * ROW + 10, maxRows };
}

// lanesAt picks the lanes to draw: one per seat holder at the cursor (as
// known at k), whatever the visible range, chair first: the lanes answer
// the same question as the board panel.
function lanesAt(T) {
  const all = state.org ? lanes() : [];
  const seatOrder = { chair: 0, director: 1 };
  const atCursor = l => l.segs.find(s => s.from <= T && s.until > T);
  const shown = all.filter(atCursor).sort((a, b) => {
    const sa = atCursor(a), sb = atCursor(b);
    return (seatOrder[sa.seat] ?? 2) - (seatOrder[sb.seat] ?? 2) || sa.from - sb.from || nameOf(a.person).localeCompare(nameOf(b.person));
  });
  return { all, shown };
}

function drawGrid(narrow, nVisible, ls) {
  const { t0 } = state.view;
  clear(tl.grid);
  tl.grid.append(sv('rect', { class: 'bg', x: 0, y: 0, width: tl.W, height: tl.H }));
  tl.grid.append(sv('rect', { class: 'plot', x: tl.X0, y: 28, width: tl.X1 - tl.X0, height: tl.H - 28 }));
  for (const tk of ticks()) {
    const px = x(tk.ms);
    tl.grid.append(sv('line', { class: 'tick' + (tk.major ? ' major' : ''), x1: px, x2: px, y1: 22, y2: tl.H }));
    tl.grid.append(sv('text', { class: 'tick-label', x: px + 3, y: 17 }, tk.label));
  }
  const p0 = wallParts(t0, offsetAt(t0));
  tl.grid.append(
    sv('text', { class: 'axis-title', x: 6, y: 17 }, narrow ? `${MONTHS[p0.M]} ${p0.Y}` : `${MONTHS[p0.M]} ${p0.Y} · ${zoneLabel(t0)}`),
    sv('text', { class: 'row-title', x: 6, y: tl.markY + 8 }, state.by === 'reported' ? 'Reported' : 'Happened'),
    sv('text', { class: 'row-sub', x: 6, y: tl.markY + 21 }, `${nVisible} events`),
    sv('line', { class: 'sep', x1: 0, x2: tl.W, y1: tl.laneY - 22, y2: tl.laneY - 22 }),
    sv('text', { class: 'row-title', x: 6, y: tl.laneY - 8 }, state.org ? (narrow ? 'Board at cursor' : `Board of ${nameOf(state.org)} at the cursor`) : 'No board events'),
  );
  if (ls.all.length > ls.shown.length) {
    const n = ls.all.length - ls.shown.length;
    tl.grid.append(sv('text', { class: 'row-sub', x: tl.X1, y: tl.laneY - 8, 'text-anchor': 'end' },
      narrow ? `+${n} not seated then` : `${n} other seat holder${n === 1 ? '' : 's'} not on the board at the cursor`));
  }
}

function eventTitle(e) {
  return sv('title', {}, `${fmtEventTime(clockOf(e), e.occurred_precision)} — ${displaySummary(e)}`);
}

function drawMarks(marks, maxRows, T, k) {
  const over = new Map();
  for (const m of marks) {
    const e = m.e;
    tl.points.push({ t: m.t, e });
    if (m.over) {
      const key = Math.round(m.px / 24);
      over.set(key, (over.get(key) || 0) + 1);
      continue;
    }
    const cls = ['mk', 'cat-' + e._cat];
    if (m.t > T) cls.push('after');
    if (!known(e, k)) cls.push('unknown');
    if (e.id === state.selected) cls.push('sel');
    if (story.fresh.has(e.id)) cls.push('fresh');
    tl.marks.append(sv('circle', { class: cls.join(' '), cx: m.px.toFixed(1), cy: tl.markY + m.r * ROW + 4, r: 3.6, 'data-id': e.id }, eventTitle(e)));
  }
  for (const [key, n] of over) {
    tl.marks.append(sv('text', { class: 'over', x: key * 24 - 6, y: tl.markY + maxRows * ROW + 6 }, `+${n}`));
  }
}

function drawLabels(labels, labelY, T) {
  for (const l of labels) {
    const y = labelY + l.row * 15;
    tl.marks.append(
      sv('line', { class: 'ev-label-tick cat-' + l.e._cat, x1: l.px.toFixed(1), x2: l.px.toFixed(1), y1: y - 9, y2: y + 2 }),
      sv('text', {
        class: 'ev-label' + (l.t > T ? ' after' : '') + (l.e.id === state.selected ? ' sel' : ''), 'data-id': l.e.id,
        x: (l.end ? l.px - 3 : l.px + 3).toFixed(1), y, 'text-anchor': l.end ? 'end' : 'start',
      }, l.text, eventTitle(l.e)));
  }
}

function drawLanes(shown, narrow, T, k) {
  clear(tl.lanes);
  shown.forEach((l, i) => {
    const y = tl.laneY + i * LANE;
    const at = l.segs.find(s => s.from <= T && s.until > T);
    const g = sv('g', { class: 'lane' + (at ? ' active' : ''), 'data-person': l.person, 'data-seat-at-cursor': at ? at.seat : '' });
    const label = nameOf(l.person);
    g.append(sv('text', { class: 'lane-label', x: 6, y: y + 14, 'data-person': l.person },
      label.length > (narrow ? 10 : 18) ? label.slice(0, narrow ? 9 : 17) + '…' : label, sv('title', {}, label)));
    for (const s of l.segs) drawTenure(g, l.person, label, s, s === at, y, k);
    tl.lanes.append(g);
  });
  if (!shown.length) {
    tl.lanes.append(sv('text', { class: 'row-sub', x: tl.X0 + 8, y: tl.laneY + 14 },
      state.org ? 'No one held a seat at the cursor.' : 'This archive has no board events.'));
  }
}

// drawTenure draws one tenure s in lane g. As known at k, an open tenure
// is known to last until k only; after k it is drawn as not yet known.
function drawTenure(g, person, label, s, current, y, k) {
  const { t0, t1 } = state.view;
  if (s.until <= t0 || s.from >= t1) return;
  const open = s.until === Infinity;
  const solidEnd = open && k !== null ? Math.max(k, s.from) : s.until;
  const a = Math.max(tl.X0, x(s.from)), b = Math.min(tl.X1, solidEnd === Infinity ? tl.X1 : x(solidEnd));
  const until = open ? (k === null ? 'on' : `on (nothing later known at ${fmtAt(k)})`) : `to ${fmtWhen(s.until, offsetAt(s.until))}`;
  const title = `${label}: ${s.seat}, from ${fmtWhen(s.from, offsetAt(s.from), s.fromPrec)} ${until}`;
  if (b > tl.X0 && a < tl.X1) {
    g.append(sv('rect', {
      class: 'seg seat-' + s.seat + (current ? ' current' : ' other-term'), x: a.toFixed(1), y: y + 5, width: Math.max(2, b - a).toFixed(1), height: 12, rx: 2,
      'data-person': person, 'data-seat': s.seat,
    }, sv('title', {}, title)));
  }
  if (open && k !== null && b < tl.X1) {
    const a2 = Math.max(tl.X0, b);
    g.append(sv('rect', {
      class: 'seg unknown-after seat-' + s.seat, x: a2.toFixed(1), y: y + 5, width: (tl.X1 - a2).toFixed(1), height: 12, rx: 2,
      'data-person': person,
    }, sv('title', {}, title)));
  }
}

// drawKnown shades what lies after the knowledge time k (not known yet)
// and draws its line when it stands apart from the cursor.
function drawKnown(k, T) {
  const { t0, t1 } = state.view;
  clear(tl.kline);
  if (k !== null && k < t1) {
    const a = Math.max(tl.X0, x(k));
    tl.grid.append(sv('rect', { class: 'unknown-zone', x: a, y: 28, width: tl.X1 - a, height: tl.H - 28 }),
      sv('text', { class: 'unknown-text', x: tl.X1 - 4, y: 40, 'text-anchor': 'end' }, 'not yet reported then'));
  }
  if (k !== null && k !== T && k >= t0 && k <= t1) {
    tl.kline.append(sv('line', { class: 'kl', x1: x(k), x2: x(k), y1: 24, y2: tl.H }),
      sv('text', { class: 'kl-text', x: x(k) + 4, y: tl.H - 4 }, 'known at'));
  }
}

// shortLabel is an event's summary made short for the timeline: the
// chosen organisation goes without saying.
function shortLabel(e, max) {
  let t = displaySummary(e);
  if (state.org) {
    const names = [nameOf(state.org), ...((story.entities.get(state.org) || {}).aliases || [])].filter(Boolean);
    for (const n of names) {
      t = t.split(` on the ${n} board`).join(' on the board').split(` the ${n} board`).join(' the board').split(` of ${n}`).join('');
    }
  }
  t = t.replace(/\s+/g, ' ').trim();
  return t.length > max ? t.slice(0, max - 1).trimEnd() + '…' : t;
}

function measureText(str) {
  if (!tl.meas || !tl.meas.isConnected) {
    tl.meas = sv('text', { class: 'ev-label', x: -5000, y: -5000, visibility: 'hidden', 'aria-hidden': 'true' });
    tl.svg.append(tl.meas);
  }
  tl.meas.textContent = str;
  let w = 0;
  try { w = tl.meas.getComputedTextLength(); } catch { /* not rendered */ }
  return w || str.length * 6.2;
}

// keyLabels picks the board and role events in view to label, role
// changes first, and places each on the first row where it overlaps no
// other label; those that do not fit stay unlabelled (their marker has a
// tooltip).
function keyLabels(marks, maxRows) {
  if (maxRows < 1) return [];
  const prio = e => (e._cat === 'role' ? 0 : e._cat === 'board' ? 1 : 2);
  const k = knownAt();
  const cands = marks.filter(m => (m.e._cat === 'role' || m.e._cat === 'board') && known(m.e, k) && (!state.org || !m.e.data || !m.e.data.org || m.e.data.org === state.org))
    .sort((a, b) => prio(a.e) - prio(b.e) || a.t - b.t);
  const rows = Array.from({ length: maxRows }, () => []);
  const out = [];
  const max = tl.W < 560 ? 18 : 30;
  for (const m of cands.slice(0, 60)) {
    const text = shortLabel(m.e, max);
    const w = measureText(text) + 6;
    const end = m.px + w > tl.X1;
    const a = end ? m.px - w : m.px, b = end ? m.px : m.px + w;
    if (a < tl.X0 - 2) continue;
    const r = rows.findIndex(row => row.every(([x0, x1]) => b + 6 < x0 || a > x1 + 6));
    if (r < 0) continue;
    rows[r].push([a, b]);
    out.push({ e: m.e, t: m.t, px: m.px, row: r, text, end });
  }
  return out;
}

// textWidth is the drawn width of an SVG text, or a guess at charW a
// character when it is not drawn.
function textWidth(t, charW) {
  let w = 0;
  try { w = t.getComputedTextLength(); } catch { /* not rendered */ }
  return w || t.textContent.length * charW;
}

// drawCursor places the cursor and its flag; the flag fits its text as
// drawn (the font may differ from machine to machine), and axis labels
// under it are hidden, not overdrawn.
export function drawCursor() {
  if (!state.view) return;
  const T = state.cursor, v = state.view;
  const c = tl.cursor;
  const [hit, line, flag, text, ring] = c.children;
  const inView = T >= v.t0 && T <= v.t1;
  const px = inView ? x(T) : T < v.t0 ? tl.X0 : tl.X1;
  c.setAttribute('transform', `translate(${px.toFixed(1)},0)`);
  c.classList.toggle('offscreen', !inView);
  hit.setAttribute('height', tl.H);
  line.setAttribute('y2', tl.H);
  line.style.display = inView ? '' : 'none';
  text.textContent = (inView ? '' : T < v.t0 ? '◀ ' : '') + fmtWhen(T, offsetAt(T)) + (inView || T < v.t0 ? '' : ' ▶');
  const w = Math.ceil(textWidth(text, 7.4)) + 12;
  const left = px + w + 4 > tl.W;
  hideUnderFlag(px + (left ? -w : 0) - 4, px + (left ? 0 : w) + 4);
  flag.setAttribute('width', w);
  flag.setAttribute('x', left ? -w : 0);
  text.setAttribute('x', left ? -w + 6 : 6);
  ring.setAttribute('width', w + 6);
  ring.setAttribute('x', (left ? -w : 0) - 3);
  ring.setAttribute('y', -1);
  hit.setAttribute('x', left ? -w : -8);
  hit.setAttribute('width', w + 8);
  const ext = extent();
  c.setAttribute('aria-valuemin', Math.round(ext.t0 / 1000));
  c.setAttribute('aria-valuemax', Math.round(ext.t1 / 1000));
  c.setAttribute('aria-valuenow', Math.round(T / 1000));
  c.setAttribute('aria-valuetext', fmtAt(T));
}

function hideUnderFlag(fx0, fx1) {
  for (const t of tl.grid.querySelectorAll('.tick-label, .axis-title')) {
    const tx = Number(t.getAttribute('x'));
    let lw = Number(t.dataset.w || 0);
    if (!lw) {
      try { lw = t.getComputedTextLength(); } catch { lw = 0; }
      if (lw) t.dataset.w = String(lw);
      else lw = t.textContent.length * 6.5;
    }
    t.style.visibility = tx < fx1 && tx + lw > fx0 ? 'hidden' : '';
  }
}

// markSelected marks the selected event's marker.
export function markSelected(id) {
  for (const c of tl.marks.querySelectorAll('circle.sel')) c.classList.remove('sel');
  const c = tl.marks.querySelector(`circle[data-id="${CSS.escape(id)}"]`);
  if (c) c.classList.add('sel');
}

let drawPending = false;
// requestDraw draws the timeline at the next frame, once however often asked.
export function requestDraw() {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => { drawPending = false; drawTimeline(); });
}
