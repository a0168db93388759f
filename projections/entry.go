package projections

import (
	"math"
	"strings"
	"time"

	"storyline/events"
)

// Entry is one event of the archive with its stream sequence: the unit the
// index holds. The index keeps a pointer to the caller's event and never
// modifies it.
type Entry struct {
	Seq   uint64
	Event *events.Event

	occ, rep int64 // OccurredAt and ReportedAt in Unix nanoseconds
	recorded int64 // when the archive stored it (Unix nanoseconds; 0: unknown)
	// fixedBy is the correction that replaces this event from its own
	// reported_at on: the earliest-reported event superseding it, or, for a
	// correction, the next correction of the same event. Nil when nothing
	// known replaces it.
	fixedBy *Entry
	// withdrawn: an erratum replaces this record, or a record.withdrawn
	// takes it out; it counts at no knowledge time.
	withdrawn bool
}

// Recorded is when the archive stored the event (the stream's timestamp),
// zero when the index was not told.
func (en *Entry) Recorded() time.Time {
	if en.recorded == 0 {
		return time.Time{}
	}
	return time.Unix(0, en.recorded).UTC()
}

// Withdrawn reports whether an erratum replaced or withdrew the record:
// it is in no view at any knowledge time.
func (en *Entry) Withdrawn() bool { return en.withdrawn }

// OccurredAt is the entry's valid time.
func (en *Entry) OccurredAt() time.Time { return en.Event.OccurredAt }

// ReportedAt is the entry's knowledge time.
func (en *Entry) ReportedAt() time.Time { return en.Event.ReportedAt }

// nanos is t in Unix nanoseconds, clamped to what an int64 holds (years
// 1678 to 2262), so that far-off background dates still order.
func nanos(t time.Time) int64 {
	switch y := t.Year(); {
	case y < 1678:
		return math.MinInt64 + 1
	case y > 2261:
		return math.MaxInt64 - 1
	}
	return t.UnixNano()
}

// cmpKey compares two (a, b, seq, id) keys lexicographically.
func cmpKey(a1, b1 int64, s1 uint64, id1 string, a2, b2 int64, s2 uint64, id2 string) int {
	switch {
	case a1 != a2:
		return cmpInt(a1, a2)
	case b1 != b2:
		return cmpInt(b1, b2)
	case s1 != s2:
		if s1 < s2 {
			return -1
		}
		return 1
	}
	return strings.Compare(id1, id2)
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// foldCmp orders entries as folds see them: occurred_at, then reported_at,
// then stream sequence (then id, so that entries without a sequence still
// have one order).
func foldCmp(a, b *Entry) int {
	return cmpKey(a.occ, a.rep, a.Seq, a.Event.ID, b.occ, b.rep, b.Seq, b.Event.ID)
}

// repCmp orders entries as the public learned them: reported_at, then
// occurred_at, then stream sequence, then id.
func repCmp(a, b *Entry) int {
	return cmpKey(a.rep, a.occ, a.Seq, a.Event.ID, b.rep, b.occ, b.Seq, b.Event.ID)
}

// Compare orders two entries by the clock by: -1, 0 or +1. By occurred it
// is the fold order (occurred_at, reported_at, sequence); by reported it is
// reported_at, occurred_at, sequence. Ids break what ties remain.
func Compare(a, b *Entry, by Clock) int {
	ao, ar := nanos(a.Event.OccurredAt), nanos(a.Event.ReportedAt)
	bo, br := nanos(b.Event.OccurredAt), nanos(b.Event.ReportedAt)
	if by == ByReported {
		return cmpKey(ar, ao, a.Seq, a.Event.ID, br, bo, b.Seq, b.Event.ID)
	}
	return cmpKey(ao, ar, a.Seq, a.Event.ID, bo, br, b.Seq, b.Event.ID)
}

// Clock chooses the time events are ordered and bounded by.
type Clock string

// Clocks.
const (
	ByOccurred Clock = "occurred" // valid time: the world's order
	ByReported Clock = "reported" // knowledge time: the order the public learned it
)

// AsOf is a question's two times: the world at At, as known at KnownAt. A
// zero time means no bound (everything, everything known).
type AsOf struct {
	At      time.Time
	KnownAt time.Time
	// cut, when set by [Index.Around], bounds the question at one event
	// rather than at an instant, so that events sharing a timestamp can
	// be told apart.
	cut *cut
}

type cut struct{ t, k bound }

// question is an AsOf made ready for comparisons.
type question struct {
	t bound // on the fold key (occurred, reported, seq, id)
	k bound // on the reported key (reported, occurred, seq, id)
}

func (q AsOf) question() question {
	if q.cut != nil {
		return question{t: q.cut.t, k: q.cut.k}
	}
	return question{t: timeBound(q.At), k: timeBound(q.KnownAt)}
}

// bound is an upper bound on a key (t, u, seq, id). A time bound admits
// every key whose first part is at most t; an exact bound admits the keys
// before (or up to, if incl) one entry's key.
type bound struct {
	t     int64
	exact bool
	incl  bool
	u     int64
	seq   uint64
	id    string
}

var unbounded = bound{t: math.MaxInt64}

func timeBound(t time.Time) bound {
	if t.IsZero() {
		return unbounded
	}
	return bound{t: nanos(t)}
}

func (b bound) admits(t, u int64, seq uint64, id string) bool {
	if t != b.t || !b.exact {
		return t <= b.t
	}
	if c := cmpKey(0, u, seq, id, 0, b.u, b.seq, b.id); c != 0 {
		return c < 0
	}
	return b.incl
}

// covers reports, conservatively, whether every key whose first part is
// at most h is admitted.
func (b bound) covers(h int64) bool { return h < b.t || h == b.t && !b.exact }

func (q question) inT(en *Entry) bool { return q.t.admits(en.occ, en.rep, en.Seq, en.Event.ID) }

func (q question) knows(en *Entry) bool { return q.k.admits(en.rep, en.occ, en.Seq, en.Event.ID) }

// counts reports whether en is part of the answer at q's knowledge time:
// reported by then, and not replaced by a correction reported by then.
func (q question) counts(en *Entry) bool {
	return !en.withdrawn && q.knows(en) && (en.fixedBy == nil || !q.knows(en.fixedBy))
}

// Around returns the two questions that isolate en's effect in a replay by
// the clock by. By occurred: the world just before and just after en, as
// known at knownAt (zero: everything known). By reported: the world at the
// moment en was reported, as known just before and just after it.
func (x *Index) Around(by Clock, en *Entry, knownAt time.Time) (before, after AsOf) {
	if by == ByReported {
		t := timeBound(en.Event.ReportedAt)
		k := bound{t: en.rep, exact: true, u: en.occ, seq: en.Seq, id: en.Event.ID}
		ki := k
		ki.incl = true
		before = AsOf{At: en.Event.ReportedAt, KnownAt: en.Event.ReportedAt, cut: &cut{t: t, k: k}}
		after = AsOf{At: en.Event.ReportedAt, KnownAt: en.Event.ReportedAt, cut: &cut{t: t, k: ki}}
		return before, after
	}
	k := timeBound(knownAt)
	t := bound{t: en.occ, exact: true, u: en.rep, seq: en.Seq, id: en.Event.ID}
	ti := t
	ti.incl = true
	before = AsOf{At: en.Event.OccurredAt, KnownAt: knownAt, cut: &cut{t: t, k: k}}
	after = AsOf{At: en.Event.OccurredAt, KnownAt: knownAt, cut: &cut{t: ti, k: k}}
	return before, after
}
