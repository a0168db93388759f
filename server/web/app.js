// Storyline web page: a timeline of the story on either clock, a cursor
// that sets the moment (and, optionally, what the public knew by then), and
// the views at that moment: board, roles, a person's status, claims.
// Plain JS, no build step, no dependencies; everything comes from the API.
'use strict';

// ---------- small DOM helpers ----------

const $ = (sel, root = document) => root.querySelector(sel);
const SVGNS = 'http://www.w3.org/2000/svg';

// el builds an element; attrs: class, dataset (object), on* handlers,
// anything else as an attribute. Children: nodes or strings (as text).
function el(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}
function sv(tag, attrs, ...children) {
  return build(document.createElementNS(SVGNS, tag), attrs, children);
}
function build(n, attrs, children) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') n.setAttribute('class', v);
    else if (k === 'dataset') Object.assign(n.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') n.addEventListener(k.slice(2), v);
    else n.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    n.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return n;
}
// outletName is the name the server gives an event's outlet (an outlet
// entity's name), else the source's own text.
function outletName(e) { return e.outlet_name || (e.source && e.source.outlet) || ''; }

function clear(n) { while (n.firstChild) n.removeChild(n.firstChild); return n; }

// ---------- time ----------

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MIN = 60e3, HOUR = 3600e3, DAY = 86400e3;
const RFC = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})$/;

// parseRFC reads an RFC 3339 time as {ms, off} (off: minutes east of UTC).
function parseRFC(s) {
  const m = RFC.exec(s || '');
  if (!m) return null;
  let off = 0;
  if (m[8] !== 'Z' && m[8] !== 'z') {
    off = (m[8][0] === '-' ? -1 : 1) * (Number(m[8].slice(1, 3)) * 60 + Number(m[8].slice(4, 6)));
  }
  const frac = m[7] ? Math.floor(Number('0' + m[7]) * 1000) : 0;
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0), frac);
  return { ms: wall - off * MIN, off };
}

const pad = (n, w = 2) => String(Math.abs(n)).padStart(w, '0');

function offText(off, sep = ':') {
  return (off < 0 ? '-' : '+') + pad(Math.floor(Math.abs(off) / 60)) + sep + pad(Math.abs(off) % 60);
}
// offLabel is an offset for people: UTC, UTC+01:00, UTC−08:00.
function offLabel(off) {
  if (off === 0) return 'UTC';
  return 'UTC' + offText(off).replace('-', '\u2212');
}

// rfc3339 writes ms in the offset off.
function rfc3339(ms, off) {
  const d = new Date(ms + off * MIN);
  let s = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  if (d.getUTCMilliseconds()) s += '.' + pad(d.getUTCMilliseconds(), 3);
  return s + (off === 0 ? 'Z' : offText(off));
}

// The display zone, state.tz: an IANA zone (with its daylight-saving
// rules, through Intl), 'UTC', or 'fixed:<minutes east>' when no named zone
// fits. By default it is the zone that best explains the offsets the story's
// events were given in (see storyZone), else the browser's.
const BROWSER_TZ = (() => { try { return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'; } catch { return 'UTC'; } })();
// Zones tried, in order of preference when several fit the same offsets.
const COMMON_TZ = ['UTC', 'America/Los_Angeles', 'America/Denver', 'America/Phoenix', 'America/Chicago', 'America/New_York',
  'America/Anchorage', 'Pacific/Honolulu', 'America/Halifax', 'America/Sao_Paulo', 'America/Mexico_City', 'Europe/London',
  'Europe/Berlin', 'Europe/Helsinki', 'Europe/Moscow', 'Africa/Lagos', 'Africa/Johannesburg', 'Asia/Dubai', 'Asia/Kolkata',
  'Asia/Singapore', 'Asia/Shanghai', 'Asia/Tokyo', 'Asia/Seoul', 'Australia/Sydney', 'Australia/Perth', 'Pacific/Auckland'];
const tzCache = new Map();

function validZone(z) {
  if (!z) return false;
  if (z === 'UTC' || /^fixed:-?\d+$/.test(z)) return true;
  try { new Intl.DateTimeFormat('en-US', { timeZone: z }); return true; } catch { return false; }
}

function tzFormat(z, locale, name) {
  const key = z + '|' + locale + '|' + name;
  let f = tzCache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { timeZone: z, timeZoneName: name, year: 'numeric' });
    tzCache.set(key, f);
  }
  return f;
}
function tzPart(z, locale, name, ms) {
  const p = tzFormat(z, locale, name).formatToParts(new Date(ms)).find(x => x.type === 'timeZoneName');
  return p ? p.value : '';
}

// zoneOffset is the offset (minutes east of UTC) of zone z at ms.
const offCache = new Map();
function zoneOffset(z, ms) {
  if (z === 'UTC') return 0;
  if (z.startsWith('fixed:')) return Number(z.slice(6));
  const key = z + '|' + Math.floor(ms / (15 * MIN));
  let off = offCache.get(key);
  if (off === undefined) {
    const m = /GMT(?:([+-])(\d{1,2})(?::?(\d{2}))?)?/.exec(tzPart(z, 'en-US', 'longOffset', ms)) || [];
    off = m[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] || 0)) : 0;
    if (offCache.size > 20000) offCache.clear();
    offCache.set(key, off);
  }
  return off;
}

function offsetAt(ms) { return zoneOffset(state.tz, ms); }

// zoneLabel names the display zone at ms as people know it: PST, PDT,
// CET, or UTC+08:00 where there is no common abbreviation.
function zoneLabel(ms, z = state.tz) {
  if (z === 'UTC') return 'UTC';
  if (!z.startsWith('fixed:')) {
    const key = 'label|' + z + '|' + Math.floor(ms / (15 * MIN));
    let l = tzCache.get(key);
    if (l === undefined) {
      l = '';
      for (const loc of ['en-US', 'en-GB']) {
        const v = tzPart(z, loc, 'short', ms);
        if (v && !/^(GMT|UTC)[+-]/.test(v)) { l = v === 'GMT' && zoneOffset(z, ms) === 0 && z !== 'Europe/London' ? 'UTC' : v; break; }
      }
      tzCache.set(key, l);
    }
    if (l) return l;
  }
  return offLabel(zoneOffset(z, ms));
}

// zoneName is the zone for the selector: "PST/PDT · America/Los_Angeles".
function zoneName(z) {
  if (z === 'UTC') return 'UTC';
  if (z.startsWith('fixed:')) return offLabel(Number(z.slice(6)));
  const y = new Date().getUTCFullYear();
  const a = zoneLabel(Date.UTC(y, 0, 15), z), b = zoneLabel(Date.UTC(y, 6, 15), z);
  return `${a === b ? a : a + '/' + b} · ${z.split('/').pop().replace(/_/g, ' ')}`;
}

// storyZone is the zone that fits the offsets the story's events were
// given in best (counting daylight saving), preferring the browser's.
function storyZone() {
  const evs = state.events.filter(e => e._cat !== 'entity' && e.occurred_precision !== 'day' && e.occurred_precision !== 'month' && e.occurred_precision !== 'year');
  const sample = evs.length > 120 ? evs.filter((_, i) => i % Math.ceil(evs.length / 120) === 0) : evs;
  if (!sample.length) return BROWSER_TZ;
  const byOff = new Map();
  for (const e of sample) byOff.set(e._occ.off, (byOff.get(e._occ.off) || 0) + 1);
  const fixedBest = Math.max(...byOff.values());
  let best = null, bestN = -1;
  for (const z of [BROWSER_TZ, ...COMMON_TZ]) {
    if (!validZone(z)) continue;
    let n = 0;
    for (const e of sample) if (zoneOffset(z, e._occ.ms) === e._occ.off) n++;
    if (n > bestN) { best = z; bestN = n; }
  }
  if (best && bestN >= fixedBest) return best;
  const off = [...byOff.entries()].sort((a, b) => b[1] - a[1])[0][0];
  return off === 0 ? 'UTC' : 'fixed:' + off;
}

// zoneFor is a zone in which ms has the offset off: the current one if it
// fits, else the story's, the browser's, a common one, or the offset itself.
function zoneFor(ms, off) {
  for (const z of [state.tz, state.storyZone, BROWSER_TZ, ...COMMON_TZ]) {
    if (z && validZone(z) && zoneOffset(z, ms) === off) return z;
  }
  return off === 0 ? 'UTC' : 'fixed:' + off;
}

function wallParts(ms, off) {
  const d = new Date(ms + off * MIN);
  return { Y: d.getUTCFullYear(), M: d.getUTCMonth(), D: d.getUTCDate(), W: d.getUTCDay(), h: d.getUTCHours(), m: d.getUTCMinutes(), s: d.getUTCSeconds() };
}

// fmtWhen formats ms at offset off to the given precision.
function fmtWhen(ms, off, precision = 'minute') {
  const p = wallParts(ms, off);
  const date = `${DAYS[p.W]} ${p.D} ${MONTHS[p.M]} ${p.Y}`;
  switch (precision) {
    case 'year': return String(p.Y);
    case 'month': return `${MONTHS[p.M]} ${p.Y}`;
    case 'day': return date;
    case 'hour': return `${date} ~${pad(p.h)}:00`;
  }
  return `${date} ${pad(p.h)}:${pad(p.m)}` + (p.s ? `:${pad(p.s)}` : '');
}

// fmtAt formats a moment in the display zone, zone named.
function fmtAt(ms, withZone = true) {
  const off = offsetAt(ms);
  return fmtWhen(ms, off) + (withZone ? ' ' + zoneLabel(ms) : '');
}

// fmtEventTime formats an event's time: a day (or coarser) is shown as the
// source gave it, in its own offset; a time of day in the display zone.
function fmtEventTime(t, precision) {
  if (precision === 'day') return fmtWhen(t.ms, t.off, precision) + (t.off !== offsetAt(t.ms) ? ` (${offLabel(t.off)})` : '');
  if (precision === 'month' || precision === 'year') return fmtWhen(t.ms, t.off, precision);
  return fmtWhen(t.ms, offsetAt(t.ms), precision);
}

// inputText is the cursor as the time input shows it; the server parses it.
function inputText(ms) {
  const off = offsetAt(ms);
  const p = wallParts(ms, off);
  let s = `${p.Y}-${pad(p.M + 1)}-${pad(p.D)} ${pad(p.h)}:${pad(p.m)}`;
  if (p.s) s += ':' + pad(p.s);
  return s + ' ' + (off === 0 ? 'UTC' : offText(off));
}

function fmtDuration(ms) {
  const a = Math.abs(ms);
  if (a < HOUR) return `${Math.round(a / MIN)} min`;
  if (a < 2 * DAY) {
    const h = Math.floor(a / HOUR), m = Math.round((a % HOUR) / MIN);
    return m ? `${h} h ${m} min` : `${h} h`;
  }
  if (a < 60 * DAY) return `${+(a / DAY).toFixed(1)} days`;
  if (a < 730 * DAY) return `${Math.round(a / (30.44 * DAY))} months`;
  return `${+(a / (365.25 * DAY)).toFixed(1)} years`;
}

// ---------- vocabulary ----------

function category(type) {
  switch (type) {
    case 'entity.described': return 'entity';
    case 'board.seat_taken': case 'board.seat_left': return 'board';
    case 'role.started': case 'role.ended': return 'role';
    case 'affiliation.announced': return 'affiliation';
    case 'claim.reported': return 'claim';
    case 'claim.resolved': return 'resolved';
    case 'statement.made': return 'statement';
    case 'report.published': return 'report';
    case 'petition.updated': return 'petition';
    case 'stake.disclosed': return 'stake';
  }
  return 'other';
}
const CATEGORIES = [
  ['board', 'board seat'], ['role', 'role'], ['affiliation', 'affiliation'], ['claim', 'claim'], ['resolved', 'claim settled'],
  ['statement', 'statement'], ['report', 'report'], ['petition', 'petition'], ['stake', 'stake'], ['entity', 'description'], ['other', 'other'],
];
const CAT_LABEL = Object.fromEntries(CATEGORIES);
const FILTERS = {
  story: c => c !== 'entity',
  all: () => true,
  board: c => c === 'board',
  role: c => c === 'role' || c === 'affiliation',
  claim: c => c === 'claim' || c === 'resolved',
  statement: c => c === 'statement',
  other: c => c === 'report' || c === 'petition' || c === 'stake' || c === 'other',
};

function roleLabel(r) {
  if (!r) return '';
  if (/^c[a-z]{1,2}o$/.test(r)) return r.toUpperCase();
  const s = r.replace(/_/g, ' ');
  return s[0].toUpperCase() + s.slice(1);
}
function seatLabel(s) { return s ? s[0].toUpperCase() + s.slice(1) : 'Observer'; }
const ATTRIBUTION = { official: 'official', on_record: 'on the record', anonymous: 'anonymous sources', archive: 'archive (added later)' };
const HOW = { fired: 'fired', resigned: 'resigned', replaced: 'replaced', interim_ended: 'interim tenure ended', removed: 'removed', term_ended: 'term ended' };

function nameOf(id) {
  const e = state.entities.get(id);
  return e && e.name ? e.name : id;
}
function isPerson(id) {
  const e = state.entities.get(id);
  return !!e && e.kind === 'person';
}
function safeURL(u) {
  try {
    const x = new URL(u);
    return x.protocol === 'http:' || x.protocol === 'https:' ? x.href : null;
  } catch { return null; }
}

// ---------- API ----------

class APIError extends Error {
  constructor(status, param, message) { super(message); this.status = status; this.param = param; }
}

// The story the page shows (?story=…): every question is asked of it.
const pageStory = new URLSearchParams(location.search).get('story') || '';
// Embed mode (?embed=1): the timeline and the board alone, for a frame in
// an article.
if (new URLSearchParams(location.search).get('embed') === '1') document.documentElement.classList.add('embed');

// apiURL is the address of a question, as api() asks it.
function apiURL(path, params) {
  const q = new URLSearchParams();
  if (pageStory && path !== '/api/entities') q.set('story', pageStory);
  for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const qs = q.toString();
  return path + (qs ? '?' + qs : '');
}

// siteAPI asks a static copy's WebAssembly views (see boot.js) the question
// api() would ask the server, and gets the same answer.
async function siteAPI(path, params) {
  const site = await window.storylineSite;
  const url = new URL(apiURL(path, params), location.href);
  const r = JSON.parse(site.ask(url.pathname.replace(/^.*\/api\//, '/api/'), url.search.slice(1)));
  if (r.status !== 200) throw new APIError(r.status, r.param || '', r.error || 'The question could not be answered.');
  return r.body;
}

// zoneParam is the page's zone as the API's tz= takes it.
function zoneParam() {
  return state.tz.startsWith('fixed:') ? offText(Number(state.tz.slice(6))) : state.tz;
}

// csvLink points a panel's CSV link at the same question as CSV (the
// server writes it; times in the page's zone), or hides it.
function csvLink(sel, path, params) {
  const a = $(sel);
  if (!a) return;
  a.hidden = !path;
  if (!path) return;
  a.href = apiURL(path, { ...params, format: 'csv', tz: zoneParam() });
  a.download = path.split('/')[2] + '.csv';
  if (window.storylineSite && !a.dataset.site) {
    // A static copy has no server: the WebAssembly views write the CSV.
    a.dataset.site = '1';
    a.addEventListener('click', async ev => {
      ev.preventDefault();
      const u = new URL(a.href);
      const site = await window.storylineSite;
      const r = JSON.parse(site.ask(u.pathname.replace(/^.*\/api\//, '/api/'), u.search.slice(1)));
      if (r.status !== 200) { showProblem(r.error || 'No CSV.'); return; }
      const tmp = el('a', { href: URL.createObjectURL(new Blob([r.body], { type: 'text/csv' })), download: a.download });
      document.body.append(tmp);
      tmp.click();
      tmp.remove();
    });
  }
}

async function api(path, params, signal) {
  if (window.storylineSite) return siteAPI(path, params);
  let resp;
  try {
    resp = await fetch(apiURL(path, params), { signal, headers: { Accept: 'application/json' } });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new APIError(0, '', 'The server cannot be reached.');
  }
  let body = null;
  try { body = await resp.json(); } catch { /* not JSON */ }
  if (!resp.ok) {
    throw new APIError(resp.status, body && body.param || '', body && body.error || `HTTP ${resp.status}`);
  }
  return body;
}

// ---------- state ----------

const state = {
  events: [], // every event, as the timeline API returns it, plus derived fields
  byId: new Map(),
  corrections: new Map(), // id -> events that supersede it
  entities: new Map(), // id -> {id, kind, name, aliases}
  orgs: [], // [{id, board, roles}]
  org: '',
  by: 'occurred',
  knownMode: 'now', // now | cursor | fixed
  fixedK: null,
  cursor: Date.now(),
  storyZone: 'UTC', // the zone that fits the story (storyZone())
  tz: 'UTC', // the display zone
  view: null, // {t0, t1}
  person: '',
  selected: '',
  filter: 'story',
  text: '',
  lastSeq: 0,
  fresh: new Map(), // id -> time it arrived live
  gen: 0,
  ctrl: null,
};

function knownAt() {
  if (state.knownMode === 'cursor') return state.cursor;
  if (state.knownMode === 'fixed') return state.fixedK;
  return null;
}

// clockOf is an event's time on the current clock.
function clockOf(ev, by = state.by) { return by === 'reported' ? ev._rep : ev._occ; }

// known mirrors the server: reported by k and not replaced by a correction
// reported by k.
function known(ev, k) {
  if (k === null) return true;
  if (ev._rep.ms > k) return false;
  for (const c of state.corrections.get(ev.id) || []) if (c._rep.ms <= k) return false;
  return true;
}
function correctionKnown(ev, k) {
  for (const c of state.corrections.get(ev.id) || []) if (k === null || c._rep.ms <= k) return c;
  return null;
}

function prepare(ev) {
  ev._occ = parseRFC(ev.occurred_at) || { ms: 0, off: 0 };
  ev._rep = parseRFC(ev.reported_at) || ev._occ;
  ev._cat = category(ev.type);
  ev._text = ((ev.summary || '') + ' ' + outletName(ev) + ' ' + (ev.quote || '') + ' ' + (ev.data && ev.data.text || '')).toLowerCase();
  return ev;
}

function foldOrder(a, b) {
  return a._occ.ms - b._occ.ms || a._rep.ms - b._rep.ms || a.seq - b.seq;
}
function reportOrder(a, b) { return a._rep.ms - b._rep.ms || a.seq - b.seq; }

function setEvents(list) {
  state.events = list.map(prepare);
  reindex();
}
function reindex() {
  state.byId = new Map(state.events.map(e => [e.id, e]));
  state.corrections = new Map();
  for (const e of state.events) {
    state.lastSeq = Math.max(state.lastSeq, e.seq || 0);
    if (e.supersedes) {
      if (!state.corrections.has(e.supersedes)) state.corrections.set(e.supersedes, []);
      state.corrections.get(e.supersedes).push(e);
    }
  }
  state.events.sort(state.by === 'reported' ? reportOrder : foldOrder);
  state.orgs = orgsOf(state.events);
}

// orgsOf lists the orgs with board events, most first; orgs with only
// role events follow, so a story without a board still has roles.
function orgsOf(evs) {
  const m = new Map();
  const get = id => { if (!m.has(id)) m.set(id, { id, taken: 0, board: 0, roles: 0 }); return m.get(id); };
  for (const e of evs) {
    const org = e.data && e.data.org;
    if (!org) continue;
    if (e._cat === 'board') get(org).board++;
    if (e.type === 'board.seat_taken') get(org).taken++;
    else if (e._cat === 'role') get(org).roles++;
  }
  return [...m.values()].sort((a, b) => b.taken - a.taken || b.board - a.board || b.roles - a.roles || a.id.localeCompare(b.id));
}

function visibleEvents() {
  const f = FILTERS[state.filter] || FILTERS.story;
  const q = state.text.trim().toLowerCase();
  return state.events.filter(e => f(e._cat) && (!q || e._text.includes(q)));
}

// ---------- URL ----------

// writeURL puts the moment in the address bar. A moment the user chose
// (push) gets its own history entry, so that Back returns to the one before;
// otherwise (replace) the current entry is brought up to date.
function writeURL(push = false) {
  const q = new URLSearchParams();
  q.set('at', rfc3339(state.cursor, offsetAt(state.cursor)));
  const k = knownAt();
  if (k !== null) q.set('known_at', rfc3339(k, offsetAt(k)));
  if (state.org && state.orgs.length && state.org !== state.orgs[0].id) q.set('org', state.org);
  if (state.by === 'reported') q.set('by', 'reported');
  if (state.person) q.set('person', state.person);
  if (pageStory) q.set('story', pageStory);
  if (document.documentElement.classList.contains('embed')) q.set('embed', '1');
  if (state.tz !== state.storyZone) q.set('tz', zoneParam());
  const url = location.pathname + '?' + q.toString().replace(/%3A/g, ':').replace(/%2F/g, '/');
  if (url === location.pathname + location.search) return;
  if (push) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
}

// ---------- the timeline (SVG) ----------

const tl = {
  svg: null, grid: null, marks: null, lanes: null, cursor: null, kline: null,
  W: 0, H: 0, X0: 0, X1: 0, markY: 0, laneY: 0,
  drag: null, points: [], laneData: [],
};

function x(ms) { const v = state.view; return tl.X0 + (ms - v.t0) / (v.t1 - v.t0) * (tl.X1 - tl.X0); }
function tAt(px) { const v = state.view; return v.t0 + (px - tl.X0) / (tl.X1 - tl.X0) * (v.t1 - v.t0); }

function extent() {
  const evs = state.events.filter(e => e._cat !== 'entity');
  const all = evs.length ? evs : state.events;
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
function focusView() {
  const ts = state.events.filter(e => e._cat !== 'entity').map(e => clockOf(e).ms).sort((a, b) => a - b);
  if (ts.length < 5) return extent();
  const n = Math.ceil(ts.length * 0.6);
  let best = [ts[0], ts[ts.length - 1]];
  for (let i = 0; i + n - 1 < ts.length; i++) {
    if (ts[i + n - 1] - ts[i] < best[1] - best[0]) best = [ts[i], ts[i + n - 1]];
  }
  return padView(best[0], best[1]);
}

function initTimeline() {
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

function ticks() {
  const { t0, t1 } = state.view;
  const minGap = tl.W < 560 ? 70 : 90;
  const span = (t1 - t0) * minGap / (tl.X1 - tl.X0);
  const step = STEPS.find(s => approx(s) >= span) || STEPS[STEPS.length - 1];
  const [n, unit] = step;
  const off0 = offsetAt(t0);
  const out = [];
  if (unit === 'month' || unit === 'year') {
    const p = wallParts(t0, off0);
    let y = p.Y, m = unit === 'year' ? 0 : p.M - (p.M % n);
    if (unit === 'year') y -= y % n;
    for (let i = 0; i < 500; i++) {
      const wall = Date.UTC(y, m, 1);
      const ms = wall - offsetAt(wall) * MIN;
      if (ms > t1) break;
      if (ms >= t0) out.push({ ms, label: unit === 'year' || m === 0 ? String(y) : MONTHS[m] + (n >= 3 || m === 0 ? ' ' + y : '') });
      if (unit === 'year') y += n; else { m += n; if (m >= 12) { y += Math.floor(m / 12); m %= 12; } }
    }
    return out;
  }
  let wall = Math.floor((t0 + off0 * MIN) / n) * n;
  if (unit === 'day' && n === 7 * DAY) { // weeks start on Monday
    const d = new Date(wall).getUTCDay();
    wall -= ((d + 6) % 7) * DAY;
  }
  for (let i = 0; i < 500; i++, wall += n) {
    const ms = wall - offsetAt(wall) * MIN;
    if (ms > t1) break;
    if (ms < t0) continue;
    const d = new Date(wall);
    let label;
    if (unit === 'day' || d.getUTCHours() === 0 && d.getUTCMinutes() === 0) label = `${DAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
    else label = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
    out.push({ ms, label, major: d.getUTCHours() === 0 && d.getUTCMinutes() === 0 });
  }
  return out;
}

// lanesFor folds the org's seat events known at k (in the order of the
// server's fold) into each person's tenures.
function lanesFor(org, k) {
  const seats = new Map();
  const lanes = new Map();
  const lane = p => {
    if (!lanes.has(p)) lanes.set(p, { person: p, segs: [] });
    return lanes.get(p);
  };
  const evs = state.events.filter(e => e._cat === 'board' && e.data && e.data.org === org && known(e, k)).sort(foldOrder);
  for (const e of evs) {
    const d = e.data, cur = seats.get(d.person), t = e._occ.ms;
    if (e.type === 'board.seat_taken') {
      if (cur && cur.seat === d.seat) continue;
      if (cur) lane(d.person).segs.push({ from: cur.from, until: t, seat: cur.seat, fromPrec: cur.prec, ev: cur.ev });
      seats.set(d.person, { seat: d.seat, from: t, prec: e.occurred_precision, ev: e.id });
      lane(d.person);
    } else if (cur) {
      lane(d.person).segs.push({ from: cur.from, until: t, seat: cur.seat, fromPrec: cur.prec, ev: cur.ev, how: d.how });
      seats.delete(d.person);
    }
  }
  for (const [p, cur] of seats) lane(p).segs.push({ from: cur.from, until: Infinity, seat: cur.seat, fromPrec: cur.prec, ev: cur.ev });
  const out = [...lanes.values()].filter(l => l.segs.length);
  for (const l of out) l.segs = l.segs.filter(s => s.until > s.from);
  out.sort((a, b) => (a.segs[0] ? a.segs[0].from : 0) - (b.segs[0] ? b.segs[0].from : 0) || nameOf(a.person).localeCompare(nameOf(b.person)));
  return out;
}

function drawTimeline() {
  if (!state.view || !tl.svg) return;
  const wrap = $('#tl-wrap');
  tl.W = Math.max(280, wrap.clientWidth);
  const narrow = tl.W < 560;
  tl.X0 = narrow ? 92 : 150;
  tl.X1 = tl.W - 14;
  const k = knownAt();
  const T = state.cursor;

  // markers, stacked where they crowd
  const ROW = 9, MAXROWS = narrow ? 6 : 8;
  tl.markY = 44;
  const vis = visibleEvents();
  const rows = [];
  const marks = [];
  let usedRows = 1;
  for (const e of vis) {
    const t = clockOf(e).ms;
    const px = x(t);
    if (px < tl.X0 - 4 || px > tl.X1 + 4) continue;
    let r = rows.findIndex(last => last <= px - 7);
    let over = false;
    if (r < 0) {
      if (rows.length < MAXROWS) { r = rows.length; rows.push(-Infinity); } else { r = MAXROWS - 1; over = true; }
    }
    rows[r] = px;
    usedRows = Math.max(usedRows, r + 1);
    marks.push({ e, t, px, r, over });
  }
  const bandH = Math.max(3, usedRows) * ROW + 10;

  // labels for the events that change who holds what, where they fit
  const labels = keyLabels(marks, narrow ? 1 : 2, T);
  const labelRows = labels.reduce((n, l) => Math.max(n, l.row + 1), 0);
  const labelY = tl.markY + bandH + 8;

  // lanes
  // One lane per seat holder at the cursor (as known at k), whatever the
  // visible range: the lanes answer the same question as the board panel.
  const allLanes = state.org ? lanesFor(state.org, k) : [];
  const { t0, t1 } = state.view;
  const seatOrder = { chair: 0, director: 1 };
  const atCursor = l => l.segs.find(s => s.from <= T && s.until > T);
  const shown = allLanes.filter(atCursor).sort((a, b) => {
    const sa = atCursor(a), sb = atCursor(b);
    return (seatOrder[sa.seat] ?? 2) - (seatOrder[sb.seat] ?? 2) || sa.from - sb.from || nameOf(a.person).localeCompare(nameOf(b.person));
  });
  tl.laneData = shown;
  const LANE = 22;
  tl.laneY = tl.markY + bandH + labelRows * 15 + 30;
  tl.H = tl.laneY + Math.max(1, shown.length) * LANE + 10;
  tl.svg.setAttribute('viewBox', `0 0 ${tl.W} ${tl.H}`);
  tl.svg.setAttribute('width', tl.W);
  tl.svg.setAttribute('height', tl.H);

  // grid and axis
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
    sv('text', { class: 'row-sub', x: 6, y: tl.markY + 21 }, `${vis.length} events`),
    sv('line', { class: 'sep', x1: 0, x2: tl.W, y1: tl.laneY - 22, y2: tl.laneY - 22 }),
    sv('text', { class: 'row-title', x: 6, y: tl.laneY - 8 }, state.org ? (narrow ? 'Board at cursor' : `Board of ${nameOf(state.org)} at the cursor`) : 'No board events'),
  );
  if (allLanes.length > shown.length) {
    const n = allLanes.length - shown.length;
    tl.grid.append(sv('text', { class: 'row-sub', x: tl.X1, y: tl.laneY - 8, 'text-anchor': 'end' },
      narrow ? `+${n} not seated then` : `${n} other seat holder${n === 1 ? '' : 's'} not on the board at the cursor`));
  }

  // markers
  clear(tl.marks);
  tl.points = [];
  const over = new Map();
  for (const m of marks) {
    const e = m.e;
    const cls = ['mk', 'cat-' + e._cat];
    if (m.t > T) cls.push('after');
    if (!known(e, k)) cls.push('unknown');
    if (e.id === state.selected) cls.push('sel');
    if (state.fresh.has(e.id)) cls.push('fresh');
    const cy = tl.markY + m.r * ROW + 4;
    if (m.over) {
      const key = Math.round(m.px / 24);
      over.set(key, (over.get(key) || 0) + 1);
      tl.points.push({ t: m.t, e });
      continue;
    }
    tl.marks.append(sv('circle', { class: cls.join(' '), cx: m.px.toFixed(1), cy, r: 3.6, 'data-id': e.id },
      sv('title', {}, `${fmtEventTime(clockOf(e), e.occurred_precision)} — ${displaySummary(e)}`)));
    tl.points.push({ t: m.t, e });
  }
  for (const [key, n] of over) {
    tl.marks.append(sv('text', { class: 'over', x: key * 24 - 6, y: tl.markY + MAXROWS * ROW + 6 }, `+${n}`));
  }
  for (const l of labels) {
    const y = labelY + l.row * 15;
    tl.marks.append(
      sv('line', { class: 'ev-label-tick cat-' + l.e._cat, x1: l.px.toFixed(1), x2: l.px.toFixed(1), y1: y - 9, y2: y + 2 }),
      sv('text', {
        class: 'ev-label' + (l.t > T ? ' after' : '') + (l.e.id === state.selected ? ' sel' : ''), 'data-id': l.e.id,
        x: (l.end ? l.px - 3 : l.px + 3).toFixed(1), y, 'text-anchor': l.end ? 'end' : 'start',
      }, l.text, sv('title', {}, `${fmtEventTime(clockOf(l.e), l.e.occurred_precision)} — ${displaySummary(l.e)}`)));
  }

  // lanes
  clear(tl.lanes);
  shown.forEach((l, i) => {
    const y = tl.laneY + i * LANE;
    const at = l.segs.find(s => s.from <= T && s.until > T);
    const g = sv('g', { class: 'lane' + (at ? ' active' : ''), 'data-person': l.person, 'data-seat-at-cursor': at ? at.seat : '' });
    const label = nameOf(l.person);
    g.append(sv('text', { class: 'lane-label', x: 6, y: y + 14, 'data-person': l.person },
      label.length > (narrow ? 10 : 18) ? label.slice(0, narrow ? 9 : 17) + '…' : label, sv('title', {}, label)));
    for (const s of l.segs) {
      if (s.until <= t0 || s.from >= t1) continue;
      // As known at k, an open tenure is known to last until k only.
      const open = s.until === Infinity;
      const solidEnd = open && k !== null ? Math.max(k, s.from) : s.until;
      const a = Math.max(tl.X0, x(s.from)), b = Math.min(tl.X1, solidEnd === Infinity ? tl.X1 : x(solidEnd));
      const until = open ? (k === null ? 'on' : `on (nothing later known at ${fmtAt(k)})`) : `to ${fmtWhen(s.until, offsetAt(s.until))}`;
      const title = `${label}: ${s.seat}, from ${fmtWhen(s.from, offsetAt(s.from), s.fromPrec)} ${until}`;
      if (b > tl.X0 && a < tl.X1) {
        g.append(sv('rect', {
          class: 'seg seat-' + s.seat + (s === at ? ' current' : ' other-term'), x: a.toFixed(1), y: y + 5, width: Math.max(2, b - a).toFixed(1), height: 12, rx: 2,
          'data-person': l.person, 'data-seat': s.seat,
        }, sv('title', {}, title)));
      }
      if (open && k !== null && b < tl.X1) {
        const a2 = Math.max(tl.X0, b);
        g.append(sv('rect', {
          class: 'seg unknown-after seat-' + s.seat, x: a2.toFixed(1), y: y + 5, width: (tl.X1 - a2).toFixed(1), height: 12, rx: 2,
          'data-person': l.person,
        }, sv('title', {}, title)));
      }
    }
    tl.lanes.append(g);
  });
  if (!shown.length) {
    tl.lanes.append(sv('text', { class: 'row-sub', x: tl.X0 + 8, y: tl.laneY + 14 },
      state.org ? 'No one held a seat at the cursor.' : 'This archive has no board events.'));
  }

  // known-at line when it is fixed apart from the cursor; what lies after
  // the known-at time was not known yet
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
  drawCursor();
}

// shortLabel is an event's summary made short for the timeline: the
// chosen organisation goes without saying.
function shortLabel(e, max) {
  let t = displaySummary(e);
  if (state.org) {
    const names = [nameOf(state.org), ...((state.entities.get(state.org) || {}).aliases || [])].filter(Boolean);
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
function keyLabels(marks, maxRows, T) {
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

function drawCursor() {
  if (!state.view) return;
  const T = state.cursor;
  const c = tl.cursor;
  const [hit, line, flag, text, ring] = c.children;
  const inView = T >= state.view.t0 && T <= state.view.t1;
  const px = inView ? x(T) : T < state.view.t0 ? tl.X0 : tl.X1;
  c.setAttribute('transform', `translate(${px.toFixed(1)},0)`);
  c.classList.toggle('offscreen', !inView);
  hit.setAttribute('height', tl.H);
  line.setAttribute('y2', tl.H);
  line.style.display = inView ? '' : 'none';
  const label = (inView ? '' : T < state.view.t0 ? '◀ ' : '') + fmtWhen(T, offsetAt(T)) + (inView || T < state.view.t0 ? '' : ' ▶');
  text.textContent = label;
  // The flag fits its text as drawn (the font may differ from machine to machine).
  let tw = 0;
  try { tw = text.getComputedTextLength(); } catch { /* not rendered */ }
  if (!tw) tw = label.length * 7.4;
  const w = Math.ceil(tw) + 12;
  const left = px + w + 4 > tl.W;
  // Axis labels under the flag are hidden, not overdrawn.
  const fx0 = px + (left ? -w : 0) - 4, fx1 = px + (left ? 0 : w) + 4;
  for (const t of tl.grid.querySelectorAll('.tick-label, .axis-title')) {
    const tx = Number(t.getAttribute('x'));
    let lw = Number(t.dataset.w || 0);
    if (!lw) {
      try { lw = t.getComputedTextLength(); } catch { lw = 0; }
      if (lw) t.dataset.w = String(lw);
      else lw = t.textContent.length * 6.5;
    }
    const hide = tx < fx1 && tx + lw > fx0;
    t.style.visibility = hide ? 'hidden' : '';
  }
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

// ---------- timeline interaction ----------

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
    const e = state.byId.get(d.mark.dataset.id);
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
    const px = svgX(ev);
    zoom(Math.exp(ev.deltaY * 0.004), tAt(px));
  } else if (Math.abs(ev.deltaX) > Math.abs(ev.deltaY)) {
    ev.preventDefault();
    const v = state.view, dt = ev.deltaX / (tl.X1 - tl.X0) * (v.t1 - v.t0);
    state.view = { t0: v.t0 + dt, t1: v.t1 + dt };
    requestDraw();
  }
}

let drawPending = false;
function requestDraw() {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => { drawPending = false; drawTimeline(); });
}

function zoom(f, around) {
  const v = state.view;
  if (around === undefined) around = state.cursor >= v.t0 && state.cursor <= v.t1 ? state.cursor : (v.t0 + v.t1) / 2;
  let span = (v.t1 - v.t0) * f;
  span = Math.min(Math.max(span, 20 * MIN), 200 * 365 * DAY);
  const r = (around - v.t0) / (v.t1 - v.t0);
  state.view = { t0: around - r * span, t1: around - r * span + span };
  requestDraw();
}

function centerOnCursor() {
  const v = state.view, span = v.t1 - v.t0;
  state.view = { t0: state.cursor - span / 2, t1: state.cursor + span / 2 };
  requestDraw();
}

function ensureCursorVisible() {
  const v = state.view, span = v.t1 - v.t0;
  if (state.cursor < v.t0 + span * 0.02 || state.cursor > v.t1 - span * 0.02) centerOnCursor();
}

function onCursorKey(ev) {
  const T = state.cursor;
  const times = [...new Set(visibleEvents().map(e => clockOf(e).ms))].sort((a, b) => a - b);
  let next = null;
  switch (ev.key) {
    case 'ArrowRight': case 'ArrowUp':
      next = ev.shiftKey ? T + HOUR : times.find(t => t > T);
      break;
    case 'ArrowLeft': case 'ArrowDown':
      if (ev.shiftKey) next = T - HOUR;
      else for (let i = times.length - 1; i >= 0; i--) if (times[i] < T) { next = times[i]; break; }
      break;
    case 'PageUp': next = T + DAY; break;
    case 'PageDown': next = T - DAY; break;
    case 'Home': next = times[0]; break;
    case 'End': next = times[times.length - 1]; break;
    default: return;
  }
  ev.preventDefault();
  if (next === undefined || next === null) return;
  setCursor(next);
  ensureCursorVisible();
  const at = visibleEvents().filter(e => clockOf(e).ms === next);
  if (at.length) selectEvent(at[at.length - 1].id, false);
}

// ---------- cursor ----------

let liveTimer = null, liveLast = 0;

// setCursor moves the cursor; with live (while dragging) the panels follow
// at most every 250 ms.
function setCursor(ms, opts = {}) {
  state.cursor = ms;
  const input = $('#cursor-input');
  if (document.activeElement !== input) input.value = inputText(ms);
  $('#cursor-error').textContent = '';
  input.removeAttribute('aria-invalid');
  requestDraw();
  markList();
  renderBanner();
  if (opts.live) {
    const now = Date.now();
    clearTimeout(liveTimer);
    // While dragging the panels follow; the address bar waits for the drop.
    if (now - liveLast > 250) { liveLast = now; refreshPanels(); } else liveTimer = setTimeout(refreshPanels, 250);
    return;
  }
  clearTimeout(liveTimer);
  commit();
}

function commit() {
  writeURL(true);
  refreshPanels();
}

// ---------- the event list ----------

const list = { items: new Map(), cursorRow: null, order: [], rendered: false };

function renderList() {
  const ol = $('#events');
  const vis = visibleEvents();
  list.order = vis;
  list.items = new Map();
  const frag = document.createDocumentFragment();
  for (const e of vis) {
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
    if (state.fresh.has(e.id)) li.classList.add('fresh');
    frag.append(li);
    list.items.set(e.id, li);
  }
  list.cursorRow = el('li', { class: 'cursor-row', 'aria-hidden': 'true' }, el('span', {}, ''));
  clear(ol).append(frag);
  if (!vis.length) ol.append(el('li', { class: 'muted empty' }, state.events.length ? 'No events match.' : 'The archive is empty. Import a story: story import FILE.jsonl'));
  $('#events-count').textContent = `${vis.length}` + (vis.length !== state.events.length ? ` of ${state.events.length}` : '');
  if (state.selected && list.items.has(state.selected)) {
    const li = list.items.get(state.selected);
    li.classList.add('sel');
    if (openDetail === state.selected) expand(li, state.byId.get(state.selected));
  }
  markList(!list.rendered);
  list.rendered = true;
}

// displaySummary is the server's summary, except that a settled claim
// quotes the claim it settles.
function displaySummary(e) {
  if (e.type === 'claim.reported' && e.data && e.data.text) {
    // the people it is about, unless the text names them already
    const about = (e.data.about || []).filter(isPerson).map(nameOf)
      .filter(n => !e.data.text.includes(n) && !e.data.text.includes(n.split(' ').pop()));
    const who = about.slice(0, 2).join(', ') + (about.length > 2 ? ` +${about.length - 2}` : '');
    return (who ? who + ': ' : '') + e.data.text;
  }
  if (e.type === 'claim.resolved' && e.data) {
    const c = state.byId.get(e.data.claim);
    if (c && c.data && c.data.text) return `Claim ${e.data.outcome}: “${c.data.text}”`;
  }
  return e.summary || e.type;
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
function markList(scroll = true) {
  const T = state.cursor, k = knownAt();
  let firstAfter = null;
  for (const e of list.order) {
    const li = list.items.get(e.id);
    if (!li) continue;
    const after = clockOf(e).ms > T;
    if (after && !firstAfter) firstAfter = li;
    li.classList.toggle('after', after);
    const isKnown = known(e, k);
    const unknown = !isKnown && e._rep.ms > (k === null ? Infinity : k);
    li.classList.toggle('unknown', unknown);
    const corr = correctionKnown(e, k);
    li.classList.toggle('superseded', !!corr);
    const note = li.querySelector('.ev-note');
    let text = '';
    if (unknown) text = `not yet public then — reported ${fmtEventTime(e._rep, 'minute')}`;
    else if (corr) text = `corrected ${fmtEventTime(corr._rep, 'minute')}: ${corr.summary || ''}`;
    else if (k !== null && (state.corrections.get(e.id) || []).length) text = 'a correction came later';
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

let openDetail = '';

function toggleDetail(id) {
  const li = list.items.get(id);
  if (!li) return;
  const e = state.byId.get(id);
  const open = li.querySelector('.ev-head').getAttribute('aria-expanded') === 'true';
  if (open) {
    collapse(li);
    openDetail = '';
  } else {
    selectEvent(id, false);
    expand(li, e);
  }
}

function collapse(li) {
  li.querySelector('.ev-head').setAttribute('aria-expanded', 'false');
  const d = li.querySelector('.ev-detail');
  if (d) d.remove();
}

function expand(li, e) {
  for (const other of document.querySelectorAll('#events .ev-detail')) collapse(other.parentElement);
  openDetail = e.id;
  li.querySelector('.ev-head').setAttribute('aria-expanded', 'true');
  li.append(detail(e));
}

function personButton(id) {
  if (!isPerson(id)) return el('span', { class: 'ent' }, nameOf(id));
  return el('button', { type: 'button', class: 'person-link', 'data-person': id, onclick: () => showPerson(id) }, nameOf(id));
}

function detail(e) {
  const rows = [];
  const row = (k, ...v) => rows.push(el('dt', {}, k), el('dd', {}, ...v));
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
    if (typeof d[key] === 'string') row(key === 'by' ? 'By' : key[0].toUpperCase() + key.slice(1), personButton(d[key]));
  }
  if (Array.isArray(d.about) && d.about.length) row('About', ...d.about.flatMap((id, i) => [i ? ', ' : '', personButton(id)]));
  if (d.role) row('Role', roleLabel(d.role) + (d.interim ? ' (interim)' : '') + (d.shared ? ' (shared)' : ''));
  if (d.seat) row('Seat', seatLabel(d.seat));
  if (d.how) row('How', HOW[d.how] || d.how);
  if (d.text) row(e.type === 'statement.made' ? 'Said' : 'Text', d.text);
  if (d.outcome) row('Outcome', d.outcome);
  if (d.claim) {
    const c = state.byId.get(d.claim);
    row('Claim', c ? linkToEvent(c) : d.claim);
  }
  if (d.by_event) {
    const b = state.byId.get(d.by_event);
    row('Settled by', b ? linkToEvent(b) : d.by_event);
  }
  if (d.signatures !== undefined) row('Signatures', `${d.signatures}${d.of_total ? ' of ' + d.of_total : ''}`);
  if (d.amount !== undefined) row('Amount', `${Number(d.amount).toLocaleString('en')} ${d.currency || ''}`);
  if (d.note) row('Note', d.note);
  if (d.title) row('Title', d.title);
  if (d.name && e.type === 'entity.described') row('Name', d.name, d.aliases && d.aliases.length ? el('span', { class: 'muted' }, ` (also ${d.aliases.join(', ')})`) : '');
  if (e.supersedes) {
    const o = state.byId.get(e.supersedes);
    row('Corrects', o ? linkToEvent(o) : e.supersedes);
  }
  for (const c of state.corrections.get(e.id) || []) row('Corrected by', linkToEvent(c), el('span', { class: 'muted' }, ` (reported ${fmtEventTime(c._rep, 'minute')})`));
  row('Stored', `#${e.seq}`, el('span', { class: 'muted mono' }, ` ${e.id}`));
  const body = el('div', { class: 'ev-detail' }, el('dl', {}, rows));
  if (e.quote) body.append(el('blockquote', {}, e.quote));
  if (d.body) body.append(el('details', {}, el('summary', {}, 'Article text'), el('p', { class: 'report-body' }, d.body)));
  body.append(el('div', { class: 'ev-actions' },
    el('button', { type: 'button', onclick: () => { setCursor(e._occ.ms); ensureCursorVisible(); } }, 'Cursor to when it happened'),
    el('button', { type: 'button', onclick: () => { setCursor(e._rep.ms); ensureCursorVisible(); } }, 'Cursor to when it was reported')));
  return body;
}

function linkToEvent(e) {
  return el('button', { type: 'button', class: 'ev-link', onclick: () => selectEvent(e.id, true, true) }, displaySummary(e));
}

// selectEvent highlights an event in the list and the timeline.
function selectEvent(id, scroll, open) {
  state.selected = id;
  for (const li of document.querySelectorAll('#events .ev.sel')) li.classList.remove('sel');
  const li = list.items.get(id);
  if (li) {
    li.classList.add('sel');
    if (open) expand(li, state.byId.get(id));
    if (scroll) keepInView(li, true);
  } else if (open && state.byId.has(id)) {
    // filtered out: show every event so it can be seen
    state.filter = 'all';
    $('#type-filter').value = 'all';
    state.text = '';
    $('#text-filter').value = '';
    renderList();
    return selectEvent(id, scroll, open);
  }
  for (const c of tl.marks.querySelectorAll('circle.sel')) c.classList.remove('sel');
  const c = tl.marks.querySelector(`circle[data-id="${CSS.escape(id)}"]`);
  if (c) c.classList.add('sel');
}

// ---------- panels ----------

function panelState(id, s, at, k) {
  const p = document.getElementById(id);
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

async function refreshPanels() {
  const gen = ++state.gen;
  const person = state.person, sg = ++statusGen;
  if (state.ctrl) state.ctrl.abort();
  const ctrl = state.ctrl = new AbortController();
  const T = state.cursor, k = knownAt();
  const q = { at: rfc3339(T, offsetAt(T)) };
  if (k !== null) q.known_at = rfc3339(k, offsetAt(k));
  for (const id of ['board-panel', 'roles-panel', 'claims-panel']) panelState(id, 'loading');
  if (state.person) panelState('status-panel', 'loading');
  const get = (path, params) => api(path, params, ctrl.signal).then(v => ({ v }), err => ({ err }));
  const org = state.org;
  const jobs = {
    board: org ? get('/api/board', { ...q, org }) : null,
    roles: org ? get('/api/roles', { ...q, org }) : null,
    boardNow: org && k !== null ? get('/api/board', { at: q.at, org }) : null,
    rolesNow: org && k !== null ? get('/api/roles', { at: q.at, org }) : null,
    claims: get('/api/claims', q),
    status: person ? get('/api/status/' + encodeURIComponent(person), q) : null,
  };
  csvLink('#board-csv', org ? '/api/board' : '', { ...q, org });
  csvLink('#roles-csv', org ? '/api/roles' : '', { ...q, org });
  csvLink('#claims-csv', '/api/claims', q);
  csvLink('#status-csv', person ? '/api/status/' + encodeURIComponent(person) : '', q);
  const r = {};
  for (const [key, p] of Object.entries(jobs)) r[key] = p ? await p : null;
  if (gen !== state.gen) return;
  if (Object.values(r).some(x => x && x.err && x.err.name === 'AbortError')) return;
  renderBoard(r.board, r.boardNow, T, k);
  renderRoles(r.roles, r.rolesNow, T, k);
  renderClaims(r.claims, T, k);
  if (person && person === state.person && sg === statusGen) renderStatus(r.status, T, k);
  renderBanner(r);
  const errs = Object.values(r).filter(x => x && x.err).map(x => x.err.message);
  showProblem(errs.length ? errs[0] : '');
}

function showProblem(msg) {
  const p = $('#problem');
  p.textContent = msg;
  p.hidden = !msg;
}

function errorBox(body, err) {
  clear(body).append(el('p', { class: 'error' }, err.message));
}

function sinceText(t, prec) {
  const p = parseRFC(t);
  return p ? fmtEventTime(p, prec) : '';
}

function renderBoard(res, now, T, k) {
  const body = $('#board-body');
  $('#board-asof').textContent = asofText(T, k);
  if (!state.org) {
    clear(body).append(el('p', { class: 'muted' }, 'No organisation in this archive has board events yet.'));
    panelState('board-panel', 'ready', T, k);
    return;
  }
  if (!res || res.err) { errorBox(body, res ? res.err : new Error('no answer')); panelState('board-panel', 'error', T, k); return; }
  const b = res.v;
  const nowB = now && now.v;
  const nowSeat = new Map();
  if (nowB) for (const m of [...nowB.members, ...nowB.observers]) nowSeat.set(m.person, m.seat || 'observer');
  const thenSeat = new Map([...b.members, ...b.observers].map(m => [m.person, m.seat || 'observer']));
  const order = m => (m.seat === 'chair' ? 0 : 1);
  const members = [...b.members].sort((a, c) => order(a) - order(c) || (a.name || a.person).localeCompare(c.name || c.person));
  const person = (m, seat) => {
    const li = el('li', { class: 'member seat-' + seat, 'data-person': m.person, 'data-seat': seat },
      personButton2(m.person, m.name),
      el('span', { class: 'seat-badge seat-' + seat }, seatLabel(seat)),
      el('span', { class: 'since' }, `since ${sinceText(m.since, m.since_precision)}`));
    if (nowB) {
      const ns = nowSeat.get(m.person);
      if (!ns) { li.classList.add('differs'); li.append(el('span', { class: 'diff' }, 'as known now: not on the board')); }
      else if (ns !== seat) { li.classList.add('differs'); li.append(el('span', { class: 'diff' }, `as known now: ${ns}`)); }
    }
    return li;
  };
  const frag = [el('p', { class: 'panel-sub' }, `${b.org_name || nameOf(b.org)} · ${b.members.length} member${b.members.length === 1 ? '' : 's'}` +
    (b.observers.length ? `, ${b.observers.length} observer${b.observers.length === 1 ? '' : 's'}` : ''))];
  frag.push(members.length ? el('ul', { class: 'people members' }, members.map(m => person(m, m.seat))) : el('p', { class: 'muted' }, 'Nobody on the board at this moment.'));
  if (b.observers.length) {
    frag.push(el('h3', {}, 'Observers'), el('ul', { class: 'people observers' }, b.observers.map(m => person(m, 'observer'))));
  }
  if (nowB) {
    const missing = [...nowB.members, ...nowB.observers].filter(m => !thenSeat.has(m.person));
    if (missing.length) {
      frag.push(el('h3', {}, 'Not yet public then'), el('ul', { class: 'people ghosts' }, missing.map(m =>
        el('li', { class: 'member ghost', 'data-person': m.person }, personButton2(m.person, m.name),
          el('span', { class: 'seat-badge seat-' + (m.seat || 'observer') }, seatLabel(m.seat)),
          el('span', { class: 'diff' }, 'on the board, as known now')))));
    }
  }
  if (b.anomalies && b.anomalies.length) frag.push(anomalies(b.anomalies));
  clear(body).append(...frag);
  panelState('board-panel', 'ready', T, k);
  state.boardDiffs = nowB ? body.querySelectorAll('.differs, .ghost').length : 0;
}

function personButton2(id, name) {
  return el('button', { type: 'button', class: 'person-link', 'data-person': id, onclick: () => showPerson(id) }, name || nameOf(id));
}

function anomalies(list) {
  return el('details', { class: 'anomalies' }, el('summary', {}, `${list.length} event${list.length === 1 ? '' : 's'} that do not fit`),
    el('ul', {}, list.map(a => el('li', {}, a.reason, ' ', state.byId.has(a.event) ? linkToEvent(state.byId.get(a.event)) : ''))));
}

function renderRoles(res, now, T, k) {
  const body = $('#roles-body');
  $('#roles-asof').textContent = asofText(T, k);
  if (!state.org) { clear(body).append(el('p', { class: 'muted' }, 'No organisation chosen.')); panelState('roles-panel', 'ready', T, k); return; }
  if (!res || res.err) { errorBox(body, res ? res.err : new Error('no answer')); panelState('roles-panel', 'error', T, k); return; }
  const r = res.v;
  const nowR = now && now.v;
  const key = h => `${h.role}/${h.person}/${h.interim}`;
  const nowKeys = new Set(nowR ? nowR.roles.map(key) : []);
  const thenKeys = new Set(r.roles.map(key));
  const rows = r.roles.map(h => {
    const li = el('li', { class: 'role', 'data-role': h.role, 'data-person': h.person, 'data-interim': String(!!h.interim) },
      el('span', { class: 'role-name' }, roleLabel(h.role)),
      personButton2(h.person, h.name),
      h.interim ? el('span', { class: 'badge interim' }, 'interim') : '',
      h.shared ? el('span', { class: 'badge' }, 'shared') : '',
      el('span', { class: 'since' }, `since ${sinceText(h.since, h.since_precision)}`));
    if (nowR && !nowKeys.has(key(h))) { li.classList.add('differs'); li.append(el('span', { class: 'diff' }, 'not so, as known now')); }
    return li;
  });
  const frag = [rows.length ? el('ul', { class: 'roles' }, rows) : el('p', { class: 'muted' }, 'No roles known at this moment.')];
  if (nowR) {
    const missing = nowR.roles.filter(h => !thenKeys.has(key(h)));
    if (missing.length) {
      frag.push(el('h3', {}, 'Not yet public then'), el('ul', { class: 'roles ghosts' }, missing.map(h =>
        el('li', { class: 'role ghost', 'data-role': h.role, 'data-person': h.person },
          el('span', { class: 'role-name' }, roleLabel(h.role)), personButton2(h.person, h.name),
          h.interim ? el('span', { class: 'badge interim' }, 'interim') : '',
          el('span', { class: 'diff' }, 'as known now')))));
    }
  }
  if (r.anomalies && r.anomalies.length) frag.push(anomalies(r.anomalies));
  clear(body).append(...frag);
  panelState('roles-panel', 'ready', T, k);
  state.roleDiffs = nowR ? body.querySelectorAll('.differs, .ghost').length : 0;
}

function renderClaims(res, T, k) {
  const body = $('#claims-body');
  $('#claims-asof').textContent = asofText(T, k);
  if (!res || res.err) { errorBox(body, res ? res.err : new Error('no answer')); panelState('claims-panel', 'error', T, k); return; }
  const cs = res.v.claims.slice().reverse(); // newest first
  const n = o => cs.filter(c => c.outcome === o).length;
  $('#claims-count').textContent = cs.length ? String(cs.length) : '';
  const items = cs.map(c => {
    const url = c.url && safeURL(c.url);
    const rep = parseRFC(c.reported_at);
    let lead = '';
    if (typeof c.lead_hours === 'number') {
      const h = c.lead_hours;
      if (c.outcome === 'confirmed') lead = h > 0 ? `reported ${fmtDuration(h * HOUR)} before the official word` : h < 0 ? `came ${fmtDuration(-h * HOUR)} after the official word` : 'same time as the official word';
      else if (c.outcome === 'refuted') lead = h > 0 ? `refuted ${fmtDuration(h * HOUR)} after it was reported` : 'refuted by then';
    }
    return el('li', { class: 'claim outcome-' + c.outcome, 'data-id': c.id, 'data-outcome': c.outcome, 'data-lead-hours': c.lead_hours },
      el('span', { class: 'outcome' }, c.outcome === 'confirmed' ? '✓ confirmed' : c.outcome === 'refuted' ? '✗ refuted' : '? open'),
      el('p', { class: 'claim-text' }, c.text),
      el('p', { class: 'claim-meta' },
        [c.outlet_name || c.outlet, ATTRIBUTION[c.attribution] || c.attribution, rep ? fmtEventTime(rep, 'minute') : ''].filter(Boolean).join(' · '),
        url ? el('span', {}, ' · ', el('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, 'source ↗')) : ''),
      lead ? el('p', { class: 'lead' }, lead) : '',
      c.settled_by_summary ? el('p', { class: 'settled' }, `${c.outcome === 'refuted' ? 'Refuted' : 'Settled'} by: `,
        state.byId.has(c.settled_by) ? linkToEvent(state.byId.get(c.settled_by)) : c.settled_by_summary) : '');
  });
  clear(body).append(
    el('p', { class: 'panel-sub' }, cs.length ? `${n('confirmed')} confirmed · ${n('refuted')} refuted · ${n('open')} open` : 'No claims reported by this moment.'),
    el('ul', { class: 'claims' }, items));
  panelState('claims-panel', 'ready', T, k);
}

function showPerson(id) {
  state.person = id;
  $('#person-select').value = id;
  writeURL(true);
  refreshStatus();
  const p = $('#status-panel');
  const r = p.getBoundingClientRect();
  if (r.top < 0 || r.top > window.innerHeight - 80) p.scrollIntoView({ block: 'start', behavior: 'smooth' });
}

let statusGen = 0;
async function refreshStatus() {
  if (!state.person) { renderStatus(null); return; }
  const g = ++statusGen;
  const T = state.cursor, k = knownAt(), person = state.person;
  const q = { at: rfc3339(T, offsetAt(T)) };
  if (k !== null) q.known_at = rfc3339(k, offsetAt(k));
  panelState('status-panel', 'loading');
  let r;
  try { r = { v: await api('/api/status/' + encodeURIComponent(person), q) }; } catch (err) { r = { err }; }
  if (g !== statusGen || T !== state.cursor || person !== state.person) return;
  renderStatus(r, T, k);
}

function renderStatus(res, T, k) {
  const body = $('#status-body');
  if (!res) {
    clear(body).append(el('p', { class: 'muted' }, 'Click a name to see where that person stands at the cursor.'));
    panelState('status-panel', 'empty');
    return;
  }
  if (res.err) { errorBox(body, res.err); panelState('status-panel', 'error', T, k); return; }
  const s = res.v;
  const sec = (title, items) => items.length ? [el('h3', {}, title), el('ul', { class: 'facts' }, items)] : [];
  const positions = s.positions.map(p => el('li', {}, `${p.interim ? 'Interim ' + roleLabel(p.role) : roleLabel(p.role)} of ${p.org_name || nameOf(p.org)}`,
    el('span', { class: 'since' }, ` since ${sinceText(p.since, p.since_precision)}`)));
  const seats = (s.seats || []).map(p => el('li', {}, `${seatLabel(p.seat)} on the board of ${p.org_name || nameOf(p.org)}`,
    el('span', { class: 'since' }, ` since ${sinceText(p.since, p.since_precision)}`)));
  const announced = s.announced.map(a => el('li', {}, `Announced to join ${a.org_name || nameOf(a.org)} as ${roleLabel(a.role)}`, a.note ? ` (${a.note})` : '',
    el('span', { class: 'since' }, ` · ${sinceText(a.at, a.precision)}`)));
  const former = (s.former || []).slice().reverse().map(f => el('li', {}, `${f.interim ? 'Interim ' : ''}${roleLabel(f.role)} of ${f.org_name || nameOf(f.org)}: ${HOW[f.how] || f.how}`,
    el('span', { class: 'since' }, ` · ${sinceText(f.until, f.until_precision)}`)));
  const recent = s.recent.map(r => {
    const t = parseRFC(r.occurred_at);
    return el('li', {}, el('span', { class: 'since' }, t ? fmtEventTime(t, r.occurred_precision) + ' · ' : ''),
      state.byId.has(r.id) ? linkToEvent(state.byId.get(r.id)) : (r.summary || r.type));
  });
  clear(body).append(
    el('p', { class: 'status-name' }, s.name || nameOf(s.person)),
    el('p', { class: 'summary' }, s.summary),
    el('p', { class: 'asof' }, asofText(T, k)),
    ...sec('Positions', positions), ...sec('Board seats', seats), ...sec('Announced', announced),
    ...sec('Former', former), ...sec('Recent events', recent));
  body.dataset.person = s.person;
  panelState('status-panel', 'ready', T, k);
  $('#status-panel').dataset.person = s.person;
}

function renderBanner() {
  const b = $('#banner');
  const T = state.cursor, k = knownAt();
  clear(b);
  b.className = 'banner ' + (k === null ? 'now' : 'then');
  if (k === null) {
    b.append('Showing ', el('strong', {}, fmtAt(T)), ' as we know it now — every report up to today counts.');
  } else {
    b.append(el('strong', { class: 'then-tag' }, 'As known at ' + fmtAt(k)), ' — ',
      k === T ? 'the picture the public had at the cursor: later reports and corrections are left out.' : el('span', {}, 'the moment ', el('strong', {}, fmtAt(T)), ' as it was known then.'));
    const diffs = (state.boardDiffs || 0) + (state.roleDiffs || 0);
    if (diffs) b.append(' ', el('span', { class: 'diffcount' }, `${diffs} difference${diffs === 1 ? '' : 's'} from what we know now, marked below.`));
    if (state.knownMode === 'fixed') {
      b.append(' ', el('button', { type: 'button', class: 'ghost', onclick: () => setKnownMode('now') }, 'Use what we know now'));
    }
  }
}

function setKnownMode(mode, fixed) {
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

// ---------- selects ----------

function renderOrgSelect() {
  const s = $('#org-select');
  clear(s);
  const orgs = state.orgs;
  for (const o of orgs) {
    const what = o.board ? `${o.board} board event${o.board === 1 ? '' : 's'}` : `${o.roles} role event${o.roles === 1 ? '' : 's'}`;
    s.append(el('option', { value: o.id }, `${nameOf(o.id)} (${what})`));
  }
  if (!orgs.length) s.append(el('option', { value: '' }, 'none yet'));
  if (state.org && !orgs.some(o => o.id === state.org)) {
    // a link may name the org by a name or an alias
    const want = state.org.toLowerCase();
    const hit = orgs.find(o => {
      const e = state.entities.get(o.id);
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

function renderPersonSelect() {
  const s = $('#person-select');
  clear(s);
  s.append(el('option', { value: '' }, 'Choose a person…'));
  const people = [...state.entities.values()].filter(e => e.kind === 'person').sort((a, b) => a.name.localeCompare(b.name));
  for (const p of people) s.append(el('option', { value: p.id }, p.name));
  s.value = state.person;
}

function renderZoneSelect() {
  const s = $('#zone-select');
  const opts = [[state.storyZone, `${zoneName(state.storyZone)} (story)`]];
  if (state.tz !== state.storyZone) opts.push([state.tz, zoneName(state.tz)]);
  if (!opts.some(o => o[0] === BROWSER_TZ)) opts.push([BROWSER_TZ, `${zoneName(BROWSER_TZ)} (yours)`]);
  if (!opts.some(o => o[0] === 'UTC')) opts.push(['UTC', 'UTC']);
  for (const z of COMMON_TZ) if (z !== 'UTC' && !opts.some(o => o[0] === z) && validZone(z)) opts.push([z, zoneName(z)]);
  clear(s).append(...opts.map(([v, t]) => el('option', { value: v }, t)));
  s.value = state.tz;
}

function renderLegend() {
  const ul = clear($('#legend'));
  const present = new Set(state.events.map(e => e._cat));
  for (const [c, label] of CATEGORIES) {
    if (!present.has(c)) continue;
    ul.append(el('li', {}, el('span', { class: 'sw cat-' + c, 'aria-hidden': 'true' }), label));
  }
  ul.append(el('li', {}, el('span', { class: 'sw hollow', 'aria-hidden': 'true' }), 'not yet public at the known-at time'),
    el('li', {}, el('span', { class: 'bar seat-chair', 'aria-hidden': 'true' }), 'chair'),
    el('li', {}, el('span', { class: 'bar seat-director', 'aria-hidden': 'true' }), 'director'),
    el('li', {}, el('span', { class: 'bar seat-observer', 'aria-hidden': 'true' }), 'observer'),
    el('li', {}, el('span', { class: 'bar seat-director other-term', 'aria-hidden': 'true' }), 'same person, another term'));
  if (knownAt() !== null) {
    ul.append(el('li', {}, el('span', { class: 'bar seat-director unknown-after', 'aria-hidden': 'true' }), 'not yet reported at the known-at time'));
  }
}

// ---------- loading ----------

async function loadEntities() {
  const list = await api('/api/entities');
  state.entities = new Map(list.map(e => [e.id, e]));
}

async function loadTimeline() {
  const fetched = await api('/api/timeline', { by: state.by });
  csvLink('#events-csv', '/api/timeline', { by: state.by });
  // Events that arrived live while this was on its way stay.
  const ids = new Set(fetched.map(e => e.id));
  const top = fetched.reduce((m, e) => Math.max(m, e.seq || 0), 0);
  const keep = state.events.filter(e => e.seq > top && !ids.has(e.id));
  setEvents([...fetched, ...keep]);
}

// parseOnServer resolves typed times with the server's parser (it knows
// PT, CET, SGT, IANA names, dates): the answer echoes them as RFC 3339.
async function parseOnServer(at, knownAtText) {
  const r = await api('/api/sources', { at, known_at: knownAtText });
  return { at: parseRFC(r.at), k: parseRFC(r.known_at) };
}

function renderAll() {
  renderOrgSelect();
  renderPersonSelect();
  renderLegend();
  renderList();
  drawTimeline();
  renderBanner();
}

// ---------- live ----------

let es = null, backoff = 500, toastTimer = null;

function setLive(s, text) {
  const l = $('#live');
  l.dataset.state = s;
  l.querySelector('.live-text').textContent = text;
}

function connectLive() {
  if (window.storylineSite) { setLive('down', 'static copy'); return; }
  if (es) es.close();
  es = new EventSource('/events?from_seq=' + (state.lastSeq + 1) + (pageStory ? '&story=' + encodeURIComponent(pageStory) : ''));
  es.addEventListener('open', () => { backoff = 500; setLive('live', 'live'); });
  es.addEventListener('event', m => {
    let ev;
    try { ev = JSON.parse(m.data); } catch { return; }
    onLiveEvent(ev);
  });
  es.addEventListener('error', () => {
    es.close();
    es = null;
    setLive('down', 'reconnecting…');
    setTimeout(connectLive, backoff);
    backoff = Math.min(backoff * 2, 15000);
  });
}

// Live events are taken in batches, so that a large import streaming in
// redraws the page a few times a second, not once per event.
const live = { pending: [], flushTimer: null, reloadTimer: null, sweepTimer: null };

function onLiveEvent(ev) {
  if (!ev || !ev.id) return;
  live.pending.push(ev);
  if (!live.flushTimer) live.flushTimer = setTimeout(flushLive, 40);
}

function flushLive() {
  live.flushTimer = null;
  const batch = live.pending.filter(ev => !state.byId.has(ev.id));
  live.pending = [];
  if (!batch.length) return;
  const wasEmpty = state.events.length === 0;
  const now = Date.now();
  // Names first, so that the summaries made here use them.
  for (const ev of batch) {
    if (ev.type !== 'entity.described' || !ev.data) continue;
    live.entities = true;
    if (!state.entities.has(ev.data.id)) state.entities.set(ev.data.id, { ...ev.data, aliases: ev.data.aliases || [] });
  }
  // A whole story streaming in is not marked new event by event.
  const mark = !wasEmpty && batch.length <= 20;
  for (const ev of batch) {
    state.lastSeq = Math.max(state.lastSeq, ev.seq || 0);
    ev.summary = ev.summary || clientSummary(ev);
    if (mark) state.fresh.set(ev.id, now);
    state.events.push(prepare(ev));
  }
  reindex();
  if (wasEmpty) {
    state.storyZone = storyZone();
    state.tz = state.storyZone;
    state.view = focusView();
    includeCursor();
    renderZoneSelect();
    if (document.activeElement !== $('#cursor-input')) $('#cursor-input').value = inputText(state.cursor);
  }
  renderAll();
  toast(batch);
  // The server's summaries and corrections, and the views, follow.
  if (!live.reloadTimer) live.reloadTimer = setTimeout(reloadAfterLive, 250);
  if (mark && !live.sweepTimer) live.sweepTimer = setInterval(sweepFresh, 3000);
}

async function reloadAfterLive() {
  live.reloadTimer = null;
  try {
    if (live.entities) { live.entities = false; await loadEntities(); }
    await loadTimeline();
    renderAll();
  } catch (err) { showProblem(err.message); }
  refreshPanels();
}

// sweepFresh drops the "new" mark of events that came in 15 s ago.
function sweepFresh() {
  const old = Date.now() - 15000;
  for (const [id, t] of state.fresh) {
    if (t > old) continue;
    state.fresh.delete(id);
    const li = list.items.get(id);
    if (li) li.classList.remove('fresh');
  }
  requestDraw();
  if (!state.fresh.size) { clearInterval(live.sweepTimer); live.sweepTimer = null; }
}

// clientSummary describes an event that came in live until the server's
// summary arrives with the next timeline.
function clientSummary(ev) {
  const d = ev.data || {};
  const n = id => (id ? nameOf(id) : '?');
  switch (ev.type) {
    case 'board.seat_taken': return `${n(d.person)} takes a ${d.seat} seat on the ${n(d.org)} board`;
    case 'board.seat_left': return `${n(d.person)} leaves the ${n(d.org)} board (${d.seat}, ${d.how})`;
    case 'role.started': return `${n(d.person)} becomes ${d.interim ? 'interim ' : ''}${d.role} of ${n(d.org)}`;
    case 'role.ended': return `${n(d.person)} is no longer ${d.role} of ${n(d.org)} (${d.how})`;
    case 'affiliation.announced': return `${n(d.person)} announced to join ${n(d.org)} as ${d.role}`;
    case 'statement.made': return `${n(d.by)}: ${d.text || ''}`;
    case 'claim.reported': return `claim: ${d.text || ''}`;
    case 'claim.resolved': return `claim ${d.outcome}`;
    case 'entity.described': return `${d.id} is ${d.name} (${d.kind})`;
  }
  const who = d.person || d.by || d.holder;
  return [ev.type, who ? n(who) : '', d.org ? n(d.org) : '', d.title || ''].filter(Boolean).join(' · ');
}

function toast(batch) {
  const t = $('#toast');
  const ev = batch[batch.length - 1];
  clear(t).append(el('strong', {}, batch.length === 1 ? 'New event: ' : `${batch.length} new events, the last: `), displaySummary(ev), ' ',
    el('button', { type: 'button', class: 'ghost', onclick: () => { selectEvent(ev.id, true, true); t.hidden = true; } }, 'Show'));
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 6000);
}

// ---------- wiring ----------

function wire() {
  $('#controls').addEventListener('submit', async ev => {
    ev.preventDefault();
    const input = $('#cursor-input');
    const text = input.value.trim();
    if (!text) return;
    try {
      const p = await parseOnServer(text);
      if (!p.at) throw new Error('unreadable time');
      // A zone typed (PT, CET, +08:00, Z…) becomes the zone times are shown in.
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
  });
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
  $('#type-filter').addEventListener('change', e => { state.filter = e.target.value; renderList(); markList(); drawTimeline(); });
  let searchTimer = null;
  $('#text-filter').addEventListener('input', e => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => { state.text = e.target.value; renderList(); drawTimeline(); }, 120);
  });
  for (const b of document.querySelectorAll('[data-zoom]')) {
    b.addEventListener('click', () => {
      switch (b.dataset.zoom) {
        case 'in': zoom(0.5); break;
        case 'out': zoom(2); break;
        case 'focus': state.view = focusView(); requestDraw(); break;
        case 'all': state.view = extent(); requestDraw(); break;
        case 'cursor': centerOnCursor(); break;
      }
    });
  }
  const copier = (sel, label, text) => $(sel).addEventListener('click', async () => {
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
  copier('#copy-link', 'Copy link', () => location.href);
  copier('#copy-embed', 'Copy embed code', embedCode);
}

// embedCode is the HTML that shows this moment's timeline and board in an
// article: the page in embed mode (?embed=1) in a frame.
function embedCode() {
  const u = new URL(location.href);
  u.searchParams.set('embed', '1');
  const src = u.href.replaceAll('&', '&amp;').replaceAll('"', '&quot;');
  return `<iframe src="${src}" width="100%" height="560" style="border:0" title="Storyline: how the story developed" loading="lazy"></iframe>`;
}

// includeCursor widens the view to show the cursor when it lies near it.
function includeCursor() {
  const v = state.view, span = v.t1 - v.t0, T = state.cursor;
  if (T >= v.t0 && T <= v.t1) return;
  if (T > v.t1 && T - v.t1 < span / 2) state.view = { t0: v.t0, t1: T + (T - v.t0) * 0.04 };
  if (T < v.t0 && v.t0 - T < span / 2) state.view = { t0: T - (v.t1 - T) * 0.04, t1: v.t1 };
}

// landingCursor, for a page opened without a moment: the view is the
// busiest stretch of the story and the cursor its last event, so that the
// timeline, the lanes and the panels show the same moment.
function landingCursor() {
  const v = state.view;
  let best = -Infinity;
  for (const e of state.events) {
    if (e._cat === 'entity') continue;
    const t = clockOf(e).ms;
    if (t >= v.t0 && t <= v.t1 && t > best) best = t;
  }
  if (Number.isFinite(best)) state.cursor = best;
  else includeCursor();
}

// focusAroundCursor keeps the span of the view, centred on the cursor.
function focusAroundCursor() {
  const v = state.view || focusView();
  const span = v.t1 - v.t0;
  if (state.cursor >= v.t0 && state.cursor <= v.t1) return v;
  return { t0: state.cursor - span / 2, t1: state.cursor + span / 2 };
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
  const tz = q.get('tz') || '';
  const fixed = /^[+-]\d{2}:\d{2}$/.test(tz) ? (tz[0] === '-' ? -1 : 1) * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6))) : null;
  const want = /^utc$/i.test(tz) ? 'UTC' : /^local$/i.test(tz) ? BROWSER_TZ : fixed !== null ? (fixed ? 'fixed:' + fixed : 'UTC') : tz;
  state.tz = want && validZone(want) ? want : state.storyZone;
  const atText = q.get('at'), kText = q.get('known_at');
  state.knownMode = 'now';
  if (atText || kText) {
    try {
      const p = await parseOnServer(atText || 'now', kText || undefined);
      if (gen !== applying) return;
      if (atText && p.at) state.cursor = p.at.ms;
      if (kText && p.k) {
        if (p.k.ms === state.cursor) state.knownMode = 'cursor';
        else { state.knownMode = 'fixed'; state.fixedK = p.k.ms; }
      }
    } catch (err) {
      $('#cursor-error').textContent = `The link's ${err.param || 'time'} is not readable: ${err.message}`;
    }
  } else {
    state.view = focusView();
    landingCursor();
  }
  if (gen !== applying) return;
  $('#known-toggle').checked = state.knownMode === 'cursor';
  $('#known-toggle').indeterminate = state.knownMode === 'fixed';
  $('#cursor-input').value = inputText(state.cursor);
  $('#person-select').value = state.person;
  renderZoneSelect();
  renderAll();
  ensureCursorVisible();
  refreshPanels();
  if (!state.person) renderStatus(null);
}

async function main() {
  initTimeline();
  wire();
  window.addEventListener('popstate', () => { applyURL(); });
  const q = new URLSearchParams(location.search);
  state.by = q.get('by') === 'reported' ? 'reported' : 'occurred';
  $('#by-' + state.by).checked = true;
  state.org = q.get('org') || '';
  state.person = q.get('person') || '';
  const tzParam = q.get('tz') || '';
  try {
    await Promise.all([loadEntities(), loadTimeline()]);
  } catch (err) {
    showProblem('Could not load the story: ' + err.message);
    setEvents([]);
  }
  state.storyZone = storyZone();
  state.tz = state.storyZone;
  const fixedParam = /^[+-]\d{2}:\d{2}$/.test(tzParam) ? (tzParam[0] === '-' ? -1 : 1) * (Number(tzParam.slice(1, 3)) * 60 + Number(tzParam.slice(4, 6))) : null;
  const tzWanted = /^utc$/i.test(tzParam) ? 'UTC' : /^local$/i.test(tzParam) ? BROWSER_TZ : fixedParam !== null ? (fixedParam ? 'fixed:' + fixedParam : 'UTC') : tzParam;
  // The cursor: from the URL, else the latest event (where things stand).
  const last = state.events.reduce((m, e) => Math.max(m, clockOf(e).ms), -Infinity);
  state.cursor = Number.isFinite(last) ? last : Math.floor(Date.now() / MIN) * MIN;
  const atText = q.get('at'), kText = q.get('known_at');
  if (atText || kText) {
    try {
      const p = await parseOnServer(atText || 'now', kText || undefined);
      if (atText && p.at) { state.cursor = p.at.ms; if (!tzWanted) state.tz = zoneFor(p.at.ms, p.at.off); }
      if (kText && p.k) {
        if (p.k.ms === state.cursor) state.knownMode = 'cursor';
        else { state.knownMode = 'fixed'; state.fixedK = p.k.ms; }
      }
    } catch (err) {
      $('#cursor-error').textContent = `The link's ${err.param || 'time'} is not readable: ${err.message}`;
    }
  }
  if (tzWanted && validZone(tzWanted)) state.tz = tzWanted;
  $('#known-toggle').checked = state.knownMode === 'cursor';
  $('#known-toggle').indeterminate = state.knownMode === 'fixed';
  renderZoneSelect();
  state.view = focusView();
  if (atText) state.view = focusAroundCursor();
  else landingCursor();
  $('#cursor-input').value = inputText(state.cursor);
  renderAll();
  if (atText) writeURL();
  await refreshPanels();
  connectLive();
  document.body.dataset.ready = 'true';
}

main();
