// The controls: the time input, the clock, the knowledge toggle, the org,
// zone and person selectors, the list's filters, the zoom buttons, the
// legend, and the buttons that copy a link or an embed code.

import { $, el, clear, showProblem } from './dom.js';
import { BROWSER_TZ, COMMON_TZ, validZone, zoneName, zoneFor, inputText } from './time.js';
import { state, knownAt } from './state.js';
import { story, nameOf, loadTimeline } from './story.js';
import { CATEGORIES } from './vocab.js';
import { drawTimeline, requestDraw } from './timeline.js';
import { focusView, extent, zoom, centerOnCursor, ensureCursorVisible } from './view.js';
import { renderList, markList } from './events-list.js';
import { refreshStatus } from './panels.js';
import { setCursor, commit, setKnownMode, renderAll, writeURL, parseOnServer } from './moment.js';

// wire listens to every control.
export function wire() {
  $('#controls').addEventListener('submit', onTimeTyped);
  for (const r of document.querySelectorAll('input[name=by]')) {
    r.addEventListener('change', async () => {
      if (!r.checked) return;
      state.by = r.value;
      try { await loadTimeline(); } catch (err) { showProblem(err.message); }
      renderAll();
      writeURL(true);
    });
  }
  $('#known-toggle').addEventListener('change', e => setKnownMode(e.target.checked ? 'cursor' : 'now'));
  $('#org-select').addEventListener('change', e => {
    state.org = e.target.value;
    renderOrgSelect();
    drawTimeline();
    commit();
  });
  $('#zone-select').addEventListener('change', e => {
    state.tz = e.target.value;
    $('#cursor-input').value = inputText(state.cursor);
    renderAll();
    commit();
  });
  $('#person-select').addEventListener('change', e => {
    state.person = e.target.value;
    writeURL(true);
    refreshStatus();
  });
  wireList();
  wireZoom();
  copier('#copy-link', 'Copy link', () => location.href);
  copier('#copy-embed', 'Copy embed code', embedCode);
}

// onTimeTyped moves the cursor to the time typed, read by the server; a
// zone typed (PT, CET, +08:00, Z…) becomes the zone times are shown in.
async function onTimeTyped(ev) {
  ev.preventDefault();
  const input = $('#cursor-input');
  const text = input.value.trim();
  if (!text) return;
  try {
    const p = await parseOnServer(text);
    if (!p.at) throw new Error('unreadable time');
    if (/(\s[A-Za-z][A-Za-z_/+-]*|[+-]\d{2}:?\d{2}|Z)$/i.test(text) && !/^now$/i.test(text)) {
      state.tz = zoneFor(p.at.ms, p.at.off);
      renderZoneSelect();
    }
    input.blur();
    setCursor(p.at.ms);
    input.value = inputText(p.at.ms);
    ensureCursorVisible();
  } catch (err) {
    input.setAttribute('aria-invalid', 'true');
    $('#cursor-error').textContent = err.message;
  }
}

function wireList() {
  $('#type-filter').addEventListener('change', e => { state.filter = e.target.value; renderList(); markList(); drawTimeline(); });
  let searchTimer = null;
  $('#text-filter').addEventListener('input', e => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => { state.text = e.target.value; renderList(); drawTimeline(); }, 120);
  });
}

function wireZoom() {
  const actions = {
    in: () => zoom(0.5),
    out: () => zoom(2),
    focus: () => { state.view = focusView(); requestDraw(); },
    all: () => { state.view = extent(); requestDraw(); },
    cursor: centerOnCursor,
  };
  for (const b of document.querySelectorAll('[data-zoom]')) {
    b.addEventListener('click', () => { const f = actions[b.dataset.zoom]; if (f) f(); });
  }
}

// copier makes the button sel copy text() (after the address is brought
// up to date), and say so for a moment.
function copier(sel, label, text) {
  $(sel).addEventListener('click', async () => {
    writeURL();
    const b = $(sel);
    try {
      await navigator.clipboard.writeText(text());
      b.textContent = 'Copied';
    } catch {
      b.textContent = 'Copy the address bar';
    }
    setTimeout(() => { b.textContent = label; }, 2000);
  });
}

// embedCode is the HTML that shows this moment's timeline and board in an
// article: the page in embed mode (?embed=1) in a frame.
function embedCode() {
  const u = new URL(location.href);
  u.searchParams.set('embed', '1');
  const src = u.href.replaceAll('&', '&amp;').replaceAll('"', '&quot;');
  return `<iframe src="${src}" width="100%" height="560" style="border:0" title="Storyline: how the story developed" loading="lazy"></iframe>`;
}

// renderOrgSelect lists the orgs; the org chosen may be named by a link by
// its name or an alias, and is else the one with the most board events.
export function renderOrgSelect() {
  const s = $('#org-select');
  clear(s);
  const orgs = story.orgs;
  for (const o of orgs) {
    const what = o.board ? `${o.board} board event${o.board === 1 ? '' : 's'}` : `${o.roles} role event${o.roles === 1 ? '' : 's'}`;
    s.append(el('option', { value: o.id }, `${nameOf(o.id)} (${what})`));
  }
  if (!orgs.length) s.append(el('option', { value: '' }, 'none yet'));
  if (state.org && !orgs.some(o => o.id === state.org)) {
    const want = state.org.toLowerCase();
    const hit = orgs.find(o => {
      const e = story.entities.get(o.id);
      return e && (e.name.toLowerCase() === want || (e.aliases || []).some(a => a.toLowerCase() === want));
    });
    state.org = hit ? hit.id : '';
  }
  if (!state.org) state.org = orgs.length ? orgs[0].id : '';
  s.value = state.org;
  s.disabled = orgs.length < 2;
  $('#story-title').textContent = state.org ? '· ' + nameOf(state.org) : '';
  document.title = state.org ? `${nameOf(state.org)} — Storyline` : 'Storyline';
}

export function renderPersonSelect() {
  const s = $('#person-select');
  clear(s);
  s.append(el('option', { value: '' }, 'Choose a person…'));
  const people = [...story.entities.values()].filter(e => e.kind === 'person').sort((a, b) => a.name.localeCompare(b.name));
  for (const p of people) s.append(el('option', { value: p.id }, p.name));
  s.value = state.person;
}

// renderZoneSelect offers the story's zone, the one chosen, the browser's,
// UTC and the common zones.
export function renderZoneSelect() {
  const s = $('#zone-select');
  const opts = [[state.storyZone, `${zoneName(state.storyZone)} (story)`]];
  if (state.tz !== state.storyZone) opts.push([state.tz, zoneName(state.tz)]);
  if (!opts.some(o => o[0] === BROWSER_TZ)) opts.push([BROWSER_TZ, `${zoneName(BROWSER_TZ)} (yours)`]);
  if (!opts.some(o => o[0] === 'UTC')) opts.push(['UTC', 'UTC']);
  for (const z of COMMON_TZ) if (z !== 'UTC' && !opts.some(o => o[0] === z) && validZone(z)) opts.push([z, zoneName(z)]);
  clear(s).append(...opts.map(([v, t]) => el('option', { value: v }, t)));
  s.value = state.tz;
}

// renderLegend explains the categories present, the lanes' seats, and
// what is not yet known at the knowledge time.
export function renderLegend() {
  const ul = clear($('#legend'));
  const present = new Set(story.events.map(e => e._cat));
  const item = (cls, label) => el('li', {}, el('span', { class: cls, 'aria-hidden': 'true' }), label);
  for (const [c, label] of CATEGORIES) {
    if (present.has(c)) ul.append(item('sw cat-' + c, label));
  }
  ul.append(item('sw hollow', 'not yet public at the known-at time'),
    item('bar seat-chair', 'chair'),
    item('bar seat-director', 'director'),
    item('bar seat-observer', 'observer'),
    item('bar seat-director other-term', 'same person, another term'));
  if (knownAt() !== null) ul.append(item('bar seat-director unknown-after', 'not yet reported at the known-at time'));
}
