package query

import (
	"cmp"
	"errors"
	"fmt"
	"iter"
	"slices"
	"time"

	"storyline/events"
	"storyline/quarantine"
)

// Stored is one applied record as a snapshot keeps it (package snapshot):
// its sequence, when the archive stored it, and either the event the
// views admitted or the entry that kept it out. Everything else the
// engine holds — the index, the screen's memory of corrections, the
// stories — follows from these, so restoring them gives the views that
// folding the records gave.
type Stored struct {
	Seq uint64
	// Recorded is the stream's timestamp in Unix nanoseconds; 0: none
	// (a record applied from a file).
	Recorded    int64
	Event       *events.Event     // nil when quarantined
	Quarantined *quarantine.Entry // nil when admitted
}

// ErrNotEmpty: Restore was given an engine that already holds records.
var ErrNotEmpty = errors.New("query: restore into an engine that is not empty")

// StoredLen is how many records Stored yields.
func (g *Engine) StoredLen() int { return g.x.Len() + len(g.quarantined) }

// Stored yields every applied record, in stream order. The engine must
// not change while it runs.
func (g *Engine) Stored() iter.Seq[Stored] {
	return func(yield func(Stored) bool) {
		entries := g.inStreamOrder()
		qs := g.quarantined
		for len(entries) > 0 || len(qs) > 0 {
			var s Stored
			if len(qs) == 0 || len(entries) > 0 && entries[0].Seq < qs[0].Seq {
				en := entries[0]
				entries = entries[1:]
				s = Stored{Seq: en.Seq, Event: en.Event}
				if rec := en.Recorded(); !rec.IsZero() {
					s.Recorded = rec.UnixNano()
				}
			} else {
				s = Stored{Seq: qs[0].Seq, Quarantined: &qs[0], Recorded: g.recordedNano(qs[0].Seq)}
				qs = qs[1:]
			}
			if !yield(s) {
				return
			}
		}
	}
}

// recordedNano is when the record at seq was stored, 0 if not known.
func (g *Engine) recordedNano(seq uint64) int64 {
	i, found := slices.BinarySearchFunc(g.recorded, seq, func(r recordedAt, seq uint64) int { return cmp.Compare(r.seq, seq) })
	if !found {
		return 0
	}
	return g.recorded[i].nano
}

// maxGrow bounds the room Grow makes at once.
const maxGrow = 1 << 24

// Grow makes room for n more records (up to a bound: n is what a snapshot
// or the stream says), so that an engine filled from empty does not grow
// its tables again and again. It returns the room made.
func (g *Engine) Grow(n uint64) int {
	m := int(min(n, maxGrow))
	g.x.Grow(m)
	g.recorded = slices.Grow(g.recorded, m)
	return m
}

// Restore fills an empty engine with the records recs yields (what Stored
// yielded, in stream order), then counts every sequence up to lastSeq as
// applied: the engine answers as the one they came from. Records applied
// afterwards are screened as if the restored ones had been folded in. An
// error from recs stops it, and the engine must then be thrown away.
func (g *Engine) Restore(recs iter.Seq2[Stored, error], lastSeq uint64) error {
	if g.x.LastSeq() > 0 || g.StoredLen() > 0 {
		return ErrNotEmpty
	}
	type admitted struct {
		seq uint64
		e   *events.Event
	}
	// Every sequence up to lastSeq is one record at most.
	hint := g.Grow(lastSeq)
	evs := make([]admitted, 0, hint)
	var prev uint64
	for s, err := range recs {
		if err != nil {
			return err
		}
		if s.Seq <= prev || s.Seq > lastSeq || (s.Event == nil) == (s.Quarantined == nil) {
			return fmt.Errorf("query: restore: record at seq %d after %d (to %d) is not one record in stream order", s.Seq, prev, lastSeq)
		}
		prev = s.Seq
		var rec time.Time
		if s.Recorded != 0 {
			rec = time.Unix(0, s.Recorded)
			g.recorded = append(g.recorded, recordedAt{s.Seq, s.Recorded})
		}
		if s.Quarantined != nil {
			g.quarantined = append(g.quarantined, *s.Quarantined)
			g.x.Add(s.Seq, nil)
			continue
		}
		g.x.AddRecorded(s.Seq, s.Event, rec)
		g.file(s.Event)
		evs = append(evs, admitted{s.Seq, s.Event})
	}
	// The screen looks admitted events up in the index, so it can pick up
	// the corrections of events never stored only once all are in.
	for _, a := range evs {
		g.screen.Restore(a.seq, a.e)
	}
	g.x.Add(lastSeq, nil)
	return nil
}
