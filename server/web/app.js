// Storyline web page: a timeline of the story on either clock, a cursor
// that sets the moment (and, optionally, what the public knew by then), and
// the views at that moment: board, roles, a person's status, claims.
// Native ES modules, no build step, no dependencies; every answer comes
// from the API (api.js). This module starts the page and follows Back and
// Forward; the others, by concern:
//
//   dom.js            DOM helpers
//   time.js           time and zones
//   api.js            the questions to the server (or a static copy's views)
//   state.js          the page's choices: moment, clock, org, person, zone
//   story.js          the events and entities the page holds
//   vocab.js          labels of the event vocabulary
//   view.js           the stretch of time in view
//   timeline.js       the timeline (SVG); timeline-input.js its pointer and keys
//   lanes.js          the board lanes, from the server's board changes
//   events-list.js    the event list
//   panels.js         board, roles, claims, status, banner
//   moment.js         moving the cursor, the address
//   controls.js       the form, selectors, legend, copy buttons
//   live.js           live updates from /events

import { $, showProblem } from './dom.js';
import { MIN, storyZone, validZone, zoneFor, zoneFromParam, inputText } from './time.js';
import { state } from './state.js';
import { story, clockOf, setEvents, loadEntities, loadTimeline } from './story.js';
import { embedded } from './api.js';
import { createTimeline } from './timeline.js';
import { listenTimeline } from './timeline-input.js';
import { landingCursor, focusOnCursor, ensureCursorVisible } from './view.js';
import { refreshPanels, clearStatus } from './panels.js';
import { renderAll, writeURL, momentOf, useMoment } from './moment.js';
import { wire, renderZoneSelect } from './controls.js';
import { connectLive } from './live.js';

if (embedded) document.documentElement.classList.add('embed');

// showKnownToggle sets the knowledge toggle to the mode chosen.
function showKnownToggle() {
  $('#known-toggle').checked = state.knownMode === 'cursor';
  $('#known-toggle').indeterminate = state.knownMode === 'fixed';
}

// applyURL shows the moment the address names, after Back or Forward.
let applying = 0;
async function applyURL() {
  const gen = ++applying;
  const q = new URLSearchParams(location.search);
  const by = q.get('by') === 'reported' ? 'reported' : 'occurred';
  if (by !== state.by) {
    state.by = by;
    $('#by-' + by).checked = true;
    try { await loadTimeline(); } catch (err) { showProblem(err.message); }
  }
  state.person = q.get('person') || '';
  state.org = q.get('org') || '';
  const want = zoneFromParam(q.get('tz') || '');
  state.tz = want && validZone(want) ? want : state.storyZone;
  state.knownMode = 'now';
  const m = await momentOf(q);
  if (gen !== applying) return;
  useMoment(m);
  if (!m.named) landingCursor();
  showKnownToggle();
  $('#cursor-input').value = inputText(state.cursor);
  $('#person-select').value = state.person;
  renderZoneSelect();
  renderAll();
  ensureCursorVisible();
  refreshPanels();
  if (!state.person) clearStatus();
}

async function main() {
  createTimeline();
  listenTimeline();
  wire();
  window.addEventListener('popstate', () => { applyURL(); });
  const q = new URLSearchParams(location.search);
  state.by = q.get('by') === 'reported' ? 'reported' : 'occurred';
  $('#by-' + state.by).checked = true;
  state.org = q.get('org') || '';
  state.person = q.get('person') || '';
  try {
    await Promise.all([loadEntities(), loadTimeline()]);
  } catch (err) {
    showProblem('Could not load the story: ' + err.message);
    setEvents([]);
  }
  state.storyZone = storyZone(story.events);
  state.tz = state.storyZone;
  const tzWanted = zoneFromParam(q.get('tz') || '');
  // The cursor: from the URL, else the latest event (where things stand).
  const last = story.events.reduce((m, e) => Math.max(m, clockOf(e).ms), -Infinity);
  state.cursor = Number.isFinite(last) ? last : Math.floor(Date.now() / MIN) * MIN;
  const m = await momentOf(q);
  useMoment(m);
  if (m.at && !tzWanted) state.tz = zoneFor(m.at.ms, m.at.off);
  if (tzWanted && validZone(tzWanted)) state.tz = tzWanted;
  showKnownToggle();
  renderZoneSelect();
  const atText = q.get('at');
  if (atText) focusOnCursor();
  else landingCursor();
  $('#cursor-input').value = inputText(state.cursor);
  renderAll();
  if (atText) writeURL();
  await refreshPanels();
  connectLive();
  document.body.dataset.ready = 'true';
}

main();
