// Package replay plays a story back in order by either clock, with the view
// changes each event causes, and diffs every view between two moments. It
// takes an index of events and returns steps and changes; it reads no
// stream. Pacing by the story's own clock ([Pacer]) is kept apart from
// ordering, so tests drive it with testing/synctest.
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
package replay
