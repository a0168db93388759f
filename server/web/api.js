// The API: every question the page asks goes through api(), of the server
// or, in a static copy of the page (site/boot.js), of the views compiled
// to WebAssembly, which answer the same. Also the panels' CSV links.

import { $, el, showProblem } from './dom.js';
import { zoneParam } from './time.js';

export class APIError extends Error {
  constructor(status, param, message) { super(message); this.status = status; this.param = param; }
}

const pageParams = new URLSearchParams(location.search);
// The story the page shows (?story=…): every question is asked of it.
export const pageStory = pageParams.get('story') || '';
// Embed mode (?embed=1): the timeline and the board alone, for a frame in
// an article.
export const embedded = pageParams.get('embed') === '1';

// apiURL is the address of a question, as api() asks it.
export function apiURL(path, params) {
  const q = new URLSearchParams();
  if (pageStory && path !== '/api/entities') q.set('story', pageStory);
  for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const qs = q.toString();
  return path + (qs ? '?' + qs : '');
}

// siteAsk asks a static copy's WebAssembly views the question at url.
async function siteAsk(url) {
  const site = await window.storylineSite;
  const u = new URL(url, location.href);
  return JSON.parse(site.ask(u.pathname.replace(/^.*\/api\//, '/api/'), u.search.slice(1)));
}

// api asks path with params and returns the answer's JSON; a refusal is an
// APIError with the server's message and the parameter it names.
export async function api(path, params, signal) {
  if (window.storylineSite) {
    const r = await siteAsk(apiURL(path, params));
    if (r.status !== 200) throw new APIError(r.status, r.param || '', r.error || 'The question could not be answered.');
    return r.body;
  }
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

// csvLink points a panel's CSV link at the same question as CSV (the
// server writes it; times in the page's zone), or hides it.
export function csvLink(sel, path, params) {
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
      const r = await siteAsk(a.href);
      if (r.status !== 200) { showProblem(r.error || 'No CSV.'); return; }
      const tmp = el('a', { href: URL.createObjectURL(new Blob([r.body], { type: 'text/csv' })), download: a.download });
      document.body.append(tmp);
      tmp.click();
      tmp.remove();
    });
  }
}
