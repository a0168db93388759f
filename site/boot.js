// Boot of a static copy of the page: loads the views compiled to
// WebAssembly and the archive's events, and tells the page (app.js) to ask
// them instead of a server. Loaded before app.js.
window.storylineSite = (async () => {
  const go = new Go();
  const [wasm, events] = await Promise.all([
    fetch('story.wasm').then(r => { if (!r.ok) throw new Error('story.wasm: ' + r.status); return r.arrayBuffer(); }),
    fetch('events.jsonl').then(r => { if (!r.ok) throw new Error('events.jsonl: ' + r.status); return r.text(); }),
  ]);
  const { instance } = await WebAssembly.instantiate(wasm, go.importObject);
  go.run(instance);
  const err = globalThis.storylineLoad(events);
  if (err) throw new Error(err);
  return { ask: (path, query) => globalThis.storylineAsk(path, query) };
})();
