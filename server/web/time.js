// Time and zones: RFC 3339 in and out, zones (IANA through Intl, UTC, or a
// fixed offset) and their names, and times written for people in the
// display zone (state.tz).

import { state } from './state.js';

export const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
export const MIN = 60e3, HOUR = 3600e3, DAY = 86400e3;
const RFC = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})$/;

// parseRFC reads an RFC 3339 time as {ms, off} (off: minutes east of UTC).
export function parseRFC(s) {
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

export const pad = (n, w = 2) => String(Math.abs(n)).padStart(w, '0');

function offText(off, sep = ':') {
  return (off < 0 ? '-' : '+') + pad(Math.floor(Math.abs(off) / 60)) + sep + pad(Math.abs(off) % 60);
}

// offLabel is an offset for people: UTC, UTC+01:00, UTC−08:00.
export function offLabel(off) {
  if (off === 0) return 'UTC';
  return 'UTC' + offText(off).replace('-', '\u2212');
}

// rfc3339 writes ms in the offset off.
export function rfc3339(ms, off) {
  const d = new Date(ms + off * MIN);
  let s = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  if (d.getUTCMilliseconds()) s += '.' + pad(d.getUTCMilliseconds(), 3);
  return s + (off === 0 ? 'Z' : offText(off));
}

// A zone is an IANA zone (with its daylight-saving rules, through Intl),
// 'UTC', or 'fixed:<minutes east>' when no named zone fits. The display
// zone is by default the one that best explains the offsets the story's
// events were given in (see storyZone), else the browser's.
export const BROWSER_TZ = (() => { try { return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'; } catch { return 'UTC'; } })();
// Zones tried, in order of preference when several fit the same offsets.
export const COMMON_TZ = ['UTC', 'America/Los_Angeles', 'America/Denver', 'America/Phoenix', 'America/Chicago', 'America/New_York',
  'America/Anchorage', 'Pacific/Honolulu', 'America/Halifax', 'America/Sao_Paulo', 'America/Mexico_City', 'Europe/London',
  'Europe/Berlin', 'Europe/Helsinki', 'Europe/Moscow', 'Africa/Lagos', 'Africa/Johannesburg', 'Asia/Dubai', 'Asia/Kolkata',
  'Asia/Singapore', 'Asia/Shanghai', 'Asia/Tokyo', 'Asia/Seoul', 'Australia/Sydney', 'Australia/Perth', 'Pacific/Auckland'];
const tzCache = new Map();

export function validZone(z) {
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
export function zoneOffset(z, ms) {
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

// offsetAt is the display zone's offset at ms.
export function offsetAt(ms) { return zoneOffset(state.tz, ms); }

// zoneLabel names zone z at ms as people know it: PST, PDT, CET, or
// UTC+08:00 where there is no common abbreviation.
export function zoneLabel(ms, z = state.tz) {
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
export function zoneName(z) {
  if (z === 'UTC') return 'UTC';
  if (z.startsWith('fixed:')) return offLabel(Number(z.slice(6)));
  const y = new Date().getUTCFullYear();
  const a = zoneLabel(Date.UTC(y, 0, 15), z), b = zoneLabel(Date.UTC(y, 6, 15), z);
  return `${a === b ? a : a + '/' + b} · ${z.split('/').pop().replace(/_/g, ' ')}`;
}

// storyZone is the zone that fits the offsets the events (prepared, see
// story.js) were given in best, counting daylight saving and preferring
// the browser's.
export function storyZone(events) {
  const evs = events.filter(e => e._cat !== 'entity' && e.occurred_precision !== 'day' && e.occurred_precision !== 'month' && e.occurred_precision !== 'year');
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
export function zoneFor(ms, off) {
  for (const z of [state.tz, state.storyZone, BROWSER_TZ, ...COMMON_TZ]) {
    if (z && validZone(z) && zoneOffset(z, ms) === off) return z;
  }
  return off === 0 ? 'UTC' : 'fixed:' + off;
}

// zoneParam is the display zone as the API's tz= (and the page's) takes it.
export function zoneParam() {
  return state.tz.startsWith('fixed:') ? offText(Number(state.tz.slice(6))) : state.tz;
}

// zoneFromParam reads the page's tz= (a zone, UTC, local, ±hh:mm) as a
// zone; '' when there is none.
export function zoneFromParam(tz) {
  if (/^utc$/i.test(tz)) return 'UTC';
  if (/^local$/i.test(tz)) return BROWSER_TZ;
  if (/^[+-]\d{2}:\d{2}$/.test(tz)) {
    const off = (tz[0] === '-' ? -1 : 1) * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6)));
    return off ? 'fixed:' + off : 'UTC';
  }
  return tz || '';
}

export function wallParts(ms, off) {
  const d = new Date(ms + off * MIN);
  return { Y: d.getUTCFullYear(), M: d.getUTCMonth(), D: d.getUTCDate(), W: d.getUTCDay(), h: d.getUTCHours(), m: d.getUTCMinutes(), s: d.getUTCSeconds() };
}

// fmtWhen formats ms at offset off to the given precision.
export function fmtWhen(ms, off, precision = 'minute') {
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
export function fmtAt(ms, withZone = true) {
  const off = offsetAt(ms);
  return fmtWhen(ms, off) + (withZone ? ' ' + zoneLabel(ms) : '');
}

// fmtEventTime formats an event's time: a day (or coarser) is shown as the
// source gave it, in its own offset; a time of day in the display zone.
export function fmtEventTime(t, precision) {
  if (precision === 'day') return fmtWhen(t.ms, t.off, precision) + (t.off !== offsetAt(t.ms) ? ` (${offLabel(t.off)})` : '');
  if (precision === 'month' || precision === 'year') return fmtWhen(t.ms, t.off, precision);
  return fmtWhen(t.ms, offsetAt(t.ms), precision);
}

// inputText is the cursor as the time input shows it; the server parses it.
export function inputText(ms) {
  const off = offsetAt(ms);
  const p = wallParts(ms, off);
  let s = `${p.Y}-${pad(p.M + 1)}-${pad(p.D)} ${pad(p.h)}:${pad(p.m)}`;
  if (p.s) s += ':' + pad(p.s);
  return s + ' ' + (off === 0 ? 'UTC' : offText(off));
}

// atParam is ms as the API's at= and known_at= take it, in the display zone.
export function atParam(ms) { return rfc3339(ms, offsetAt(ms)); }

export function fmtDuration(ms) {
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
