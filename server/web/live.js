// Live updates: the server's event feed (/events, Server-Sent Events).
// New events are taken in batches: the page asks the timeline again (the
// server's order and summaries; the page makes none of its own), marks
// the new ones for a while, and says so in a toast.

import { $, el, clear, showProblem } from './dom.js';
import { inputText, storyZone } from './time.js';
import { state } from './state.js';
import { story, displaySummary, loadEntities, loadTimeline } from './story.js';
import { pageStory } from './api.js';
import { requestDraw } from './timeline.js';
import { focusView, includeCursor } from './view.js';
import { selectEvent, unmarkFresh } from './events-list.js';
import { refreshPanels } from './panels.js';
import { renderAll } from './moment.js';
import { renderZoneSelect } from './controls.js';

const live = {
  es: null, backoff: 500,
  pending: [], flushTimer: null, sweepTimer: null, toastTimer: null,
  entities: false, // an entity was described: the names are asked again
  loading: null, again: false, // the reload on its way; whether another is due
};

function setLive(s, text) {
  const l = $('#live');
  l.dataset.state = s;
  l.querySelector('.live-text').textContent = text;
}

// connectLive follows the feed from after the newest event the page holds,
// and again, later and later, when it drops.
export function connectLive() {
  if (window.storylineSite) { setLive('down', 'static copy'); return; }
  if (live.es) live.es.close();
  const es = live.es = new EventSource('/events?from_seq=' + (story.lastSeq + 1) + (pageStory ? '&story=' + encodeURIComponent(pageStory) : ''));
  es.addEventListener('open', () => { live.backoff = 500; setLive('live', 'live'); });
  es.addEventListener('event', m => {
    let ev;
    try { ev = JSON.parse(m.data); } catch { return; }
    if (!ev || !ev.id) return;
    live.pending.push(ev);
    if (!live.flushTimer) live.flushTimer = setTimeout(flushLive, 40);
  });
  es.addEventListener('error', () => {
    es.close();
    live.es = null;
    setLive('down', 'reconnecting…');
    setTimeout(connectLive, live.backoff);
    live.backoff = Math.min(live.backoff * 2, 15000);
  });
}

function flushLive() {
  live.flushTimer = null;
  const batch = live.pending.filter(ev => !story.byId.has(ev.id));
  live.pending = [];
  if (!batch.length) return;
  const wasEmpty = story.events.length === 0;
  // A whole story streaming in is not marked new event by event.
  const mark = !wasEmpty && batch.length <= 20;
  const now = Date.now();
  for (const ev of batch) {
    story.lastSeq = Math.max(story.lastSeq, ev.seq || 0);
    if (mark) story.fresh.set(ev.id, now);
    if (ev.type !== 'entity.described' || !ev.data) continue;
    live.entities = true;
    if (!story.entities.has(ev.data.id)) story.entities.set(ev.data.id, { ...ev.data, aliases: ev.data.aliases || [] });
  }
  reload(wasEmpty).then(() => toast(batch));
  if (mark && !live.sweepTimer) live.sweepTimer = setInterval(sweepFresh, 3000);
}

// reload asks the story again (once more if events come meanwhile); the
// promise is kept while it is on its way, for every batch to wait on.
function reload(wasEmpty) {
  live.again = true;
  if (!live.loading) live.loading = reloadStory(wasEmpty);
  return live.loading;
}

async function reloadStory(wasEmpty) {
  try {
    while (live.again) {
      live.again = false;
      if (live.entities) { live.entities = false; await loadEntities(); }
      await loadTimeline();
    }
  } catch (err) {
    showProblem(err.message);
  } finally {
    live.loading = null;
  }
  if (wasEmpty) firstEvents();
  renderAll();
  refreshPanels();
}

// firstEvents sets the zone and the view for a page that opened on an
// empty archive, once the story comes in.
function firstEvents() {
  state.storyZone = storyZone(story.events);
  state.tz = state.storyZone;
  state.view = focusView();
  includeCursor();
  renderZoneSelect();
  if (document.activeElement !== $('#cursor-input')) $('#cursor-input').value = inputText(state.cursor);
}

// sweepFresh drops the "new" mark of events that came in 15 s ago.
function sweepFresh() {
  const old = Date.now() - 15000;
  for (const [id, t] of story.fresh) {
    if (t > old) continue;
    story.fresh.delete(id);
    unmarkFresh(id);
  }
  requestDraw();
  if (!story.fresh.size) { clearInterval(live.sweepTimer); live.sweepTimer = null; }
}

function toast(batch) {
  const t = $('#toast');
  const ev = batch[batch.length - 1];
  clear(t).append(el('strong', {}, batch.length === 1 ? 'New event: ' : `${batch.length} new events, the last: `), displaySummary(ev), ' ',
    el('button', { type: 'button', class: 'ghost', onclick: () => { selectEvent(ev.id, true, true); t.hidden = true; } }, 'Show'));
  t.hidden = false;
  clearTimeout(live.toastTimer);
  live.toastTimer = setTimeout(() => { t.hidden = true; }, 6000);
}
