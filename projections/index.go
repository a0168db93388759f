package projections

import (
	"sort"
	"time"

	"storyline/events"
)

// Entry is one event of the archive with its stream sequence.
type Entry struct {
	Seq   uint64
	Event *events.Event
}

// before is the fold order of DESIGN.md: occurred_at, then reported_at,
// then stream sequence. It is a total order, so folds never depend on the
// order events arrived in.
func before(a, b *Entry) bool {
	if !a.Event.OccurredAt.Equal(b.Event.OccurredAt) {
		return a.Event.OccurredAt.Before(b.Event.OccurredAt)
	}
	if !a.Event.ReportedAt.Equal(b.Event.ReportedAt) {
		return a.Event.ReportedAt.Before(b.Event.ReportedAt)
	}
	return a.Seq < b.Seq
}

// Index holds the archive's events with a list per entity, each kept in
// fold order, so that a question at (T, K) about an org or a person folds
// only that entity's events up to T (found by binary search) instead of
// the whole archive.
type Index struct {
	all      []*Entry            // every event, fold order once sorted
	sorted   bool                // all is in fold order
	byEntity map[string][]*Entry // entity id -> its events in fold order
	byID     map[string]*Entry
	// corrections maps an event id to the events that supersede it.
	corrections map[string][]*Entry
	names       *Names
	lastSeq     uint64
	// snaps caches per-entity snapshots; an entity's entry is dropped when
	// its list changes.
	snaps map[string]*snapshots
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{byEntity: map[string][]*Entry{}, byID: map[string]*Entry{},
		corrections: map[string][]*Entry{}, names: newNames(), sorted: true, snaps: map[string]*snapshots{}}
}

// Add indexes the event stored at seq. Adding the same id twice keeps the
// first (the archive stores each id once; this guards replays).
func (x *Index) Add(seq uint64, e *events.Event) {
	if seq > x.lastSeq {
		x.lastSeq = seq
	}
	if e == nil {
		return
	}
	if _, dup := x.byID[e.ID]; dup {
		return
	}
	en := &Entry{Seq: seq, Event: e}
	x.byID[e.ID] = en
	if n := len(x.all); n > 0 && x.sorted && before(en, x.all[n-1]) {
		x.sorted = false
	}
	x.all = append(x.all, en)
	for _, ent := range e.Entities() {
		list := x.byEntity[ent]
		i := sort.Search(len(list), func(i int) bool { return before(en, list[i]) })
		list = append(list, nil)
		copy(list[i+1:], list[i:])
		list[i] = en
		x.byEntity[ent] = list
		delete(x.snaps, ent)
	}
	if e.Supersedes != "" {
		x.corrections[e.Supersedes] = append(x.corrections[e.Supersedes], en)
		if old, ok := x.byID[e.Supersedes]; ok {
			for _, ent := range old.Event.Entities() {
				delete(x.snaps, ent)
			}
		}
	}
	if d, ok := e.Data.(*events.EntityDescription); ok {
		x.names.add(en, d)
	}
}

// LastSeq is the highest sequence added.
func (x *Index) LastSeq() uint64 { return x.lastSeq }

// Len is the number of events indexed.
func (x *Index) Len() int { return len(x.all) }

// Get returns the event with id, if indexed.
func (x *Index) Get(id string) (*Entry, bool) {
	en, ok := x.byID[id]
	return en, ok
}

// All returns every event in fold order.
func (x *Index) All() []*Entry {
	if !x.sorted {
		sort.SliceStable(x.all, func(i, j int) bool { return before(x.all[i], x.all[j]) })
		x.sorted = true
	}
	return x.all
}

// Names returns the entity names and aliases.
func (x *Index) Names() *Names { return x.names }

// Entities returns the ids of every entity that has events.
func (x *Index) Entities() []string {
	out := make([]string, 0, len(x.byEntity))
	for id := range x.byEntity {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// AsOf is a question's two times: the world at At, as known at KnownAt.
type AsOf struct {
	At      time.Time
	KnownAt time.Time
}

// known reports whether en counts at k: reported by KnownAt and not
// replaced by a correction reported by then.
func (x *Index) known(en *Entry, k time.Time) bool {
	if en.Event.ReportedAt.After(k) {
		return false
	}
	for _, c := range x.corrections[en.Event.ID] {
		if !c.Event.ReportedAt.After(k) {
			return false
		}
	}
	return true
}

// upTo returns entity's events that occurred by at and count at knownAt,
// in fold order.
func (x *Index) upTo(entity string, q AsOf) []*Entry {
	list := x.byEntity[entity]
	n := sort.Search(len(list), func(i int) bool { return list[i].Event.OccurredAt.After(q.At) })
	out := make([]*Entry, 0, n)
	for _, en := range list[:n] {
		if x.known(en, q.KnownAt) {
			out = append(out, en)
		}
	}
	return out
}

// Anomaly is an event that does not fit the state it applies to. It is
// kept and shown, never dropped.
type Anomaly struct {
	Event  string `json:"event"`
	Seq    uint64 `json:"seq"`
	Reason string `json:"reason"`
}

// Known reports whether en counts at k: reported by then and not replaced
// by a correction reported by then.
func (x *Index) Known(en *Entry, k time.Time) bool { return x.known(en, k) }
