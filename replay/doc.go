// Package replay plays a story back in order by either clock, with the view
// changes each event causes, paces it by the story's own time, and diffs
// every view between two moments. It takes and returns events and views;
// it reads no stream.
//
// # Ordering
//
// By occurred time, events come in fold order: occurred_at, then
// reported_at, then stream sequence. By reported time they come in the
// order they became public (reported_at, then sequence), and each shows how
// the public's picture changed.
package replay
