// DOM helpers: find an element, build HTML and SVG elements, empty one,
// check a link before it is shown, and the page's one problem line.

export const $ = (sel, root = document) => root.querySelector(sel);
const SVGNS = 'http://www.w3.org/2000/svg';

// el builds an element; attrs: class, dataset (object), on* handlers,
// anything else as an attribute. Children: nodes or strings (as text).
export function el(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

// sv is el for SVG elements.
export function sv(tag, attrs, ...children) {
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

export function clear(n) { while (n.firstChild) n.removeChild(n.firstChild); return n; }

// safeURL is u when it is an http(s) address, else null.
export function safeURL(u) {
  try {
    const x = new URL(u);
    return x.protocol === 'http:' || x.protocol === 'https:' ? x.href : null;
  } catch { return null; }
}

// showProblem shows msg in the page's problem line, or hides it.
export function showProblem(msg) {
  const p = $('#problem');
  p.textContent = msg;
  p.hidden = !msg;
}
