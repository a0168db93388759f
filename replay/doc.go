// Package replay plays a story back in order by either clock, with the view
// changes each event causes, and diffs every view between two moments. It
// takes an index of events and returns steps and changes; it reads no
// stream. Pacing by the story's own clock ([Pacer]) is kept apart from
// ordering; its sleep can be injected ([Pacer.Sleep]), so tests see the
// waits without sleeping. It also holds the text of a step ([Printer]),
// the one printer of `story replay`, `story demo` and `story watch`.
//
// # Ordering
//
// By occurred time ([ByOccurred]) events come in fold order: occurred_at,
// then reported_at, then stream sequence. By reported time ([ByReported])
// they come in the order they became public: reported_at, then
// occurred_at, then sequence. Ids break whatever ties remain, so both
// orders are total and never depend on the order events arrived in. The
// same event arriving twice is indexed once (the first one added).
//
// # Steps
//
// A step's changes are the views just after the event against just before
// it ([projections.Index.Around]): by occurred time, the world before and
// after the event happened, as known at the replay's knowledge time; by
// reported time, the world at the moment of the report, as the public knew
// it before and after the report. Events sharing a timestamp are told
// apart by the rest of the order, so each shows only its own effect.
//
// # Diff
//
// [Diff] compares every view between two (at, known_at) moments and
// returns structured [Change] values; formatting them is the caller's
// business (Change.Text is a ready-made line).
//
// # Text
//
// A step is printed as a [Line]: built in process from a [Step]
// ([LineOf]) or read from the query engine's JSON (the event format plus
// seq, summary, outlet_name and changes), so a replay asked of a running
// serve and one folded in process print the same. A replay's line is
// dated on its clock, a watch's carries the stream sequence; each change
// follows on a line of its own. [When] is how every text view shows a
// story's time: in the display zone, as precisely as it is known, and a
// date (day, month, year) on the calendar it was reported on.
//
// [Track] is the live counterpart of a step: the changes one arriving
// event makes to the views as they stand now (package query's Watch
// feeds it).
package replay
