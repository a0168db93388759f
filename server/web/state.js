// The page's choices: the moment (the cursor, and what was known when),
// the clock, the org, the person, the display zone, the stretch of time in
// view, the selected event and the list's filters. The controls and the
// address set them; every module reads them here. What the page holds of
// the story itself is in story.js.

export const state = {
  cursor: Date.now(),
  by: 'occurred', // the clock: occurred | reported
  knownMode: 'now', // now | cursor | fixed
  fixedK: null, // the known-at time when knownMode is fixed
  org: '',
  person: '',
  storyZone: 'UTC', // the zone that fits the story (time.js storyZone)
  tz: 'UTC', // the display zone
  view: null, // the timeline's window, {t0, t1}
  selected: '',
  filter: 'story',
  text: '',
};

// knownAt is the knowledge time of the questions: null for now.
export function knownAt() {
  if (state.knownMode === 'cursor') return state.cursor;
  if (state.knownMode === 'fixed') return state.fixedK;
  return null;
}
