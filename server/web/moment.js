// The moment: moving the cursor, choosing what was known when, the
// address that names the moment (so that it is a link, and Back returns
// to the one before), and drawing everything again when the story changes.

import { $ } from './dom.js';
import { parseRFC, rfc3339, offsetAt, inputText, zoneParam } from './time.js';
import { state, knownAt } from './state.js';
import { story } from './story.js';
import { api, pageStory, embedded } from './api.js';
import { drawTimeline, requestDraw } from './timeline.js';
import { renderList, markList } from './events-list.js';
import { refreshPanels, renderBanner } from './panels.js';
import { renderOrgSelect, renderPersonSelect, renderLegend } from './controls.js';

let liveTimer = null, liveLast = 0;

// setCursor moves the cursor; with live (while dragging) the panels follow
// at most every 250 ms and the address waits for the drop.
export function setCursor(ms, opts = {}) {
  state.cursor = ms;
  const input = $('#cursor-input');
  if (document.activeElement !== input) input.value = inputText(ms);
  $('#cursor-error').textContent = '';
  input.removeAttribute('aria-invalid');
  requestDraw();
  markList();
  renderBanner();
  clearTimeout(liveTimer);
  if (opts.live) {
    const now = Date.now();
    if (now - liveLast > 250) { liveLast = now; refreshPanels(); } else liveTimer = setTimeout(refreshPanels, 250);
    return;
  }
  commit();
}

// commit makes the moment the address's (a history entry of its own) and
// brings the panels to it.
export function commit() {
  writeURL(true);
  refreshPanels();
}

// setKnownMode chooses what the picture is as known at: now, the cursor,
// or a fixed time.
export function setKnownMode(mode, fixed) {
  state.knownMode = mode;
  if (mode === 'fixed') state.fixedK = fixed;
  $('#known-toggle').checked = mode === 'cursor';
  $('#known-toggle').indeterminate = mode === 'fixed';
  renderLegend();
  requestDraw();
  markList();
  renderBanner();
  commit();
}

// renderAll draws again everything made from the story's events.
export function renderAll() {
  renderOrgSelect();
  renderPersonSelect();
  renderLegend();
  renderList();
  drawTimeline();
  renderBanner();
}

// writeURL puts the moment in the address bar. A moment the user chose
// (push) gets its own history entry, so that Back returns to the one before;
// otherwise (replace) the current entry is brought up to date.
export function writeURL(push = false) {
  const q = new URLSearchParams();
  q.set('at', rfc3339(state.cursor, offsetAt(state.cursor)));
  const k = knownAt();
  if (k !== null) q.set('known_at', rfc3339(k, offsetAt(k)));
  if (state.org && story.orgs.length && state.org !== story.orgs[0].id) q.set('org', state.org);
  if (state.by === 'reported') q.set('by', 'reported');
  if (state.person) q.set('person', state.person);
  if (pageStory) q.set('story', pageStory);
  if (embedded) q.set('embed', '1');
  if (state.tz !== state.storyZone) q.set('tz', zoneParam());
  const url = location.pathname + '?' + q.toString().replace(/%3A/g, ':').replace(/%2F/g, '/');
  if (url === location.pathname + location.search) return;
  if (push) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
}

// parseOnServer resolves typed times with the server's parser (it knows
// PT, CET, SGT, IANA names, dates): the answer echoes them as RFC 3339.
export async function parseOnServer(at, knownAtText) {
  const r = await api('/api/sources', { at, known_at: knownAtText });
  return { at: parseRFC(r.at), k: parseRFC(r.known_at) };
}

// momentOf reads the address's at= and known_at= with the server's
// parser: {named: whether it names a moment, at, k} (each {ms, off} or
// null). A time it cannot read is said under the input.
export async function momentOf(q) {
  const atText = q.get('at'), kText = q.get('known_at');
  const m = { named: !!(atText || kText), at: null, k: null };
  if (!m.named) return m;
  try {
    const p = await parseOnServer(atText || 'now', kText || undefined);
    if (atText) m.at = p.at;
    if (kText) m.k = p.k;
  } catch (err) {
    $('#cursor-error').textContent = `The link's ${err.param || 'time'} is not readable: ${err.message}`;
  }
  return m;
}

// useMoment makes a moment read by momentOf the cursor and, when it names
// one, the knowledge time.
export function useMoment(m) {
  if (m.at) state.cursor = m.at.ms;
  if (!m.k) return;
  if (m.k.ms === state.cursor) state.knownMode = 'cursor';
  else { state.knownMode = 'fixed'; state.fixedK = m.k.ms; }
}
