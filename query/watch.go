package query

import (
	"cmp"
	"slices"

	"storyline/events"
	"storyline/quarantine"
	"storyline/replay"
)

// Watch is what a live watcher shows of records as they are stored: each
// new event with the changes it makes to the views as they stand when it
// arrives. Records enter its views as they enter an [Engine]'s, screened
// the same way, so junk another client published is reported as
// quarantined, never shown as an event. Records must come in stream order.
type Watch struct {
	g    *Engine
	f    WatchFilter
	held map[string]heldStep
}

// WatchFilter says which events a watch shows; every record still counts
// towards the views.
type WatchFilter struct {
	Type   events.Type
	Entity string // an entity id: only events naming it anywhere
	// Story: only events filed under it. An import files its events after
	// storing them, so an event not (yet) filed is held, and shown when
	// its filing arrives (at most maxHeld of them are held).
	Story string
}

// maxHeld bounds the events a watch holds for a filing to come.
const maxHeld = 10000

type heldStep struct {
	seq     uint64
	e       *events.Event
	changes []replay.Change
}

// NewWatch returns a watch over empty views.
func NewWatch(f WatchFilter) *Watch { return WatchOver(NewEngine(), f) }

// WatchOver returns a watch over g's views: the records stored before the
// watch starts, folded in already (from a snapshot and the stream).
func WatchOver(g *Engine, f WatchFilter) *Watch {
	return &Watch{g: g, f: f, held: map[string]heldStep{}}
}

// Before folds in a record stored before the watch starts; it shows
// nothing.
func (w *Watch) Before(r quarantine.Record) { w.g.ApplyRecord(r) }

// Next folds in the record stored next and returns what the watch shows
// of it, in stream order — with a story, the held events its filing
// files there come first — or, when the views leave it out, its
// quarantine entry. A record already folded in (a redelivery) shows
// nothing.
func (w *Watch) Next(r quarantine.Record) ([]StepJSON, *quarantine.Entry) {
	if r.Seq != 0 && r.Seq <= w.g.LastSeq() {
		return nil, nil
	}
	n := len(w.g.quarantined)
	var changes []replay.Change
	if r.Event == nil {
		w.g.ApplyRecord(r)
	} else {
		changes = replay.Track(w.g.x, r.Event, w.g.Now(), func() { w.g.ApplyRecord(r) })
	}
	if len(w.g.quarantined) > n {
		q := w.g.quarantined[n]
		return nil, &q
	}
	now := heldStep{r.Seq, r.Event, changes}
	if w.f.Story == "" {
		return w.shown(now), nil
	}
	out := w.release(r.Event)
	if !w.g.InStory(r.Event.ID, w.f.Story) {
		if len(w.held) < maxHeld {
			w.held[r.Event.ID] = now
		}
		return w.shown(out...), nil
	}
	return w.shown(append(out, now)...), nil
}

// release returns the held events e files under the watch's story, in
// stream order.
func (w *Watch) release(e *events.Event) []heldStep {
	f, ok := e.Data.(*events.Filing)
	if !ok || f.Story != w.f.Story {
		return nil
	}
	var out []heldStep
	for _, id := range f.Events {
		if h, ok := w.held[id]; ok {
			out = append(out, h)
			delete(w.held, id)
		}
	}
	slices.SortFunc(out, func(a, b heldStep) int { return cmp.Compare(a.seq, b.seq) })
	return out
}

// shown is the steps of hs the filter lets through.
func (w *Watch) shown(hs ...heldStep) []StepJSON {
	var out []StepJSON
	for _, h := range hs {
		if w.f.Type != "" && h.e.Type != w.f.Type || w.f.Entity != "" && !slices.Contains(h.e.Entities(), w.f.Entity) {
			continue
		}
		out = append(out, StepJSON{Item: w.g.item(h.seq, h.e), Changes: nonNil(h.changes)})
	}
	return out
}
