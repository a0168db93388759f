// The timeline's pointer, wheel and keys: drag the cursor (it snaps to
// events), drag the background to pan, Ctrl+wheel to zoom, click a marker
// or a lane; with the cursor focused, arrows step between events.

import { MIN, HOUR, DAY } from './time.js';
import { state } from './state.js';
import { story, clockOf, visibleEvents } from './story.js';
import { tl, x, tAt, requestDraw } from './timeline.js';
import { zoom, centerOnCursor, ensureCursorVisible } from './view.js';
import { setCursor } from './moment.js';
import { selectEvent } from './events-list.js';
import { showPerson } from './panels.js';

// listenTimeline wires the timeline's pointer, wheel and keys.
export function listenTimeline() {
  tl.svg.addEventListener('pointerdown', onPointerDown);
  tl.svg.addEventListener('pointermove', onPointerMove);
  tl.svg.addEventListener('pointerup', onPointerUp);
  tl.svg.addEventListener('pointercancel', onPointerUp);
  tl.svg.addEventListener('wheel', onWheel, { passive: false });
  tl.cursor.addEventListener('keydown', onCursorKey);
  tl.svg.addEventListener('keydown', e => {
    if (e.key === '+' || e.key === '=') { zoom(0.5); e.preventDefault(); }
    if (e.key === '-' || e.key === '_') { zoom(2); e.preventDefault(); }
  });
}

// snap is the time at px: an event's within 8 px, else the minute.
function snap(px) {
  let best = null, bd = 8;
  for (const p of tl.points) {
    const d = Math.abs(x(p.t) - px);
    if (d < bd) { bd = d; best = p; }
  }
  return best ? best.t : Math.round(tAt(px) / MIN) * MIN;
}

function svgX(ev) {
  const r = tl.svg.getBoundingClientRect();
  return (ev.clientX - r.left) * (tl.W / r.width);
}

function onPointerDown(ev) {
  if (ev.button !== 0) return;
  const onCursor = ev.target.closest('#cursor');
  const mark = ev.target.closest('circle[data-id], text.ev-label[data-id]');
  const lane = ev.target.closest('[data-person]');
  tl.drag = { kind: onCursor ? 'cursor' : 'pan', x0: svgX(ev), view: { ...state.view }, moved: false, mark, lane, id: ev.pointerId };
  if (onCursor) {
    tl.cursor.focus({ preventScroll: true });
    tl.svg.setPointerCapture(ev.pointerId);
    ev.preventDefault();
  }
}

function onPointerMove(ev) {
  const d = tl.drag;
  if (!d || d.id !== ev.pointerId) return;
  const px = svgX(ev);
  if (!d.moved && Math.abs(px - d.x0) < 4) return;
  if (!d.moved && d.kind === 'pan') tl.svg.setPointerCapture(ev.pointerId);
  d.moved = true;
  tl.svg.classList.add('dragging');
  if (d.kind === 'cursor') {
    setCursor(snap(Math.min(tl.X1, Math.max(tl.X0, px))), { live: true });
  } else {
    const dt = (px - d.x0) / (tl.X1 - tl.X0) * (d.view.t1 - d.view.t0);
    state.view = { t0: d.view.t0 - dt, t1: d.view.t1 - dt };
    requestDraw();
  }
}

function onPointerUp(ev) {
  const d = tl.drag;
  if (!d || d.id !== ev.pointerId) return;
  tl.drag = null;
  tl.svg.classList.remove('dragging');
  if (d.moved) {
    if (d.kind === 'cursor') setCursor(state.cursor);
    return;
  }
  if (d.mark) {
    const e = story.byId.get(d.mark.dataset.id);
    if (e) { selectEvent(e.id, true, true); setCursor(clockOf(e).ms); }
    return;
  }
  if (d.lane && d.lane.dataset.person && ev.target.closest('.lane-label, .seg')) {
    showPerson(d.lane.dataset.person);
    return;
  }
  if (d.kind === 'cursor' && tl.cursor.classList.contains('offscreen')) { centerOnCursor(); return; }
  const px = svgX(ev);
  if (px >= tl.X0 && px <= tl.X1 && d.kind === 'pan') setCursor(snap(px));
}

function onWheel(ev) {
  if (!state.view) return;
  if (ev.ctrlKey || ev.metaKey) {
    ev.preventDefault();
    zoom(Math.exp(ev.deltaY * 0.004), tAt(svgX(ev)));
  } else if (Math.abs(ev.deltaX) > Math.abs(ev.deltaY)) {
    ev.preventDefault();
    const v = state.view, dt = ev.deltaX / (tl.X1 - tl.X0) * (v.t1 - v.t0);
    state.view = { t0: v.t0 + dt, t1: v.t1 + dt };
    requestDraw();
  }
}

const CURSOR_KEYS = new Set(['ArrowRight', 'ArrowUp', 'ArrowLeft', 'ArrowDown', 'PageUp', 'PageDown', 'Home', 'End']);

// keyTarget is where a cursor key moves the cursor from T: an event's
// time, an hour (with Shift) or a day away; undefined or null: nowhere.
function keyTarget(ev, T, times) {
  switch (ev.key) {
    case 'ArrowRight': case 'ArrowUp':
      return ev.shiftKey ? T + HOUR : times.find(t => t > T);
    case 'ArrowLeft': case 'ArrowDown':
      if (ev.shiftKey) return T - HOUR;
      for (let i = times.length - 1; i >= 0; i--) if (times[i] < T) return times[i];
      return null;
    case 'PageUp': return T + DAY;
    case 'PageDown': return T - DAY;
    case 'Home': return times[0];
  }
  return times[times.length - 1]; // End
}

function onCursorKey(ev) {
  if (!CURSOR_KEYS.has(ev.key)) return;
  ev.preventDefault();
  const times = [...new Set(visibleEvents().map(e => clockOf(e).ms))].sort((a, b) => a - b);
  const next = keyTarget(ev, state.cursor, times);
  if (next === undefined || next === null) return;
  setCursor(next);
  ensureCursorVisible();
  const at = visibleEvents().filter(e => clockOf(e).ms === next);
  if (at.length) selectEvent(at[at.length - 1].id, false);
}
