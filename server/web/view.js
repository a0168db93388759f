// The stretch of time the timeline shows (state.view): the whole story,
// its busiest stretch, zooming, and keeping the cursor in view.

import { MIN, HOUR, DAY } from './time.js';
import { state } from './state.js';
import { story, clockOf } from './story.js';
import { requestDraw } from './timeline.js';

// extent is a view of the whole story (but descriptions) on the clock.
export function extent() {
  const evs = story.events.filter(e => e._cat !== 'entity');
  const all = evs.length ? evs : story.events;
  if (!all.length) return { t0: state.cursor - 7 * DAY, t1: state.cursor + DAY };
  let lo = Infinity, hi = -Infinity;
  for (const e of all) { const t = clockOf(e).ms; lo = Math.min(lo, t); hi = Math.max(hi, t); }
  return padView(lo, hi);
}

function padView(lo, hi) {
  const span = Math.max(hi - lo, 2 * HOUR);
  const mid = (lo + hi) / 2;
  return { t0: mid - span * 0.55, t1: mid + span * 0.55 };
}

// focusView is the shortest stretch holding 60% of the story's events (not
// counting descriptions): where the story happened.
export function focusView() {
  const ts = story.events.filter(e => e._cat !== 'entity').map(e => clockOf(e).ms).sort((a, b) => a - b);
  if (ts.length < 5) return extent();
  const n = Math.ceil(ts.length * 0.6);
  let best = [ts[0], ts[ts.length - 1]];
  for (let i = 0; i + n - 1 < ts.length; i++) {
    if (ts[i + n - 1] - ts[i] < best[1] - best[0]) best = [ts[i], ts[i + n - 1]];
  }
  return padView(best[0], best[1]);
}

// zoom scales the view by f around a moment: the cursor when in view,
// else the middle.
export function zoom(f, around) {
  const v = state.view;
  if (around === undefined) around = state.cursor >= v.t0 && state.cursor <= v.t1 ? state.cursor : (v.t0 + v.t1) / 2;
  let span = (v.t1 - v.t0) * f;
  span = Math.min(Math.max(span, 20 * MIN), 200 * 365 * DAY);
  const r = (around - v.t0) / (v.t1 - v.t0);
  state.view = { t0: around - r * span, t1: around - r * span + span };
  requestDraw();
}

export function centerOnCursor() {
  const v = state.view, span = v.t1 - v.t0;
  state.view = { t0: state.cursor - span / 2, t1: state.cursor + span / 2 };
  requestDraw();
}

export function ensureCursorVisible() {
  const v = state.view, span = v.t1 - v.t0;
  if (state.cursor < v.t0 + span * 0.02 || state.cursor > v.t1 - span * 0.02) centerOnCursor();
}

// includeCursor widens the view to show the cursor when it lies near it.
export function includeCursor() {
  const v = state.view, span = v.t1 - v.t0, T = state.cursor;
  if (T >= v.t0 && T <= v.t1) return;
  if (T > v.t1 && T - v.t1 < span / 2) state.view = { t0: v.t0, t1: T + (T - v.t0) * 0.04 };
  if (T < v.t0 && v.t0 - T < span / 2) state.view = { t0: T - (v.t1 - T) * 0.04, t1: v.t1 };
}

// landingCursor, for a page opened without a moment: the view is the
// busiest stretch of the story and the cursor its last event, so that the
// timeline, the lanes and the panels show the same moment.
export function landingCursor() {
  state.view = focusView();
  const v = state.view;
  let best = -Infinity;
  for (const e of story.events) {
    if (e._cat === 'entity') continue;
    const t = clockOf(e).ms;
    if (t >= v.t0 && t <= v.t1 && t > best) best = t;
  }
  if (Number.isFinite(best)) state.cursor = best;
  else includeCursor();
}

// focusOnCursor, for a page opened at a moment: the view is the busiest
// stretch of the story, or one as long centred on the cursor when that
// does not hold it.
export function focusOnCursor() {
  const v = focusView(), span = v.t1 - v.t0;
  const holds = state.cursor >= v.t0 && state.cursor <= v.t1;
  state.view = holds ? v : { t0: state.cursor - span / 2, t1: state.cursor + span / 2 };
}
