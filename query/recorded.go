package query

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"storyline/events"
	"storyline/projections"
)

// recordedAt is when the archive stored the record at seq.
type recordedAt struct {
	seq  uint64
	nano int64
}

type pastEngine struct {
	upTo uint64 // the last sequence it holds
	g    *Engine
}

func (g *Engine) noteRecorded(seq uint64, t time.Time) {
	if seq == 0 || t.IsZero() {
		return
	}
	g.recorded = append(g.recorded, recordedAt{seq, t.UnixNano()})
}

// asRecorded returns an engine holding only the records stored by r: the
// archive as it stood then. Errata stored later are not in it. It folds
// those records again (O(n)); the last one built is kept.
func (g *Engine) asRecorded(r time.Time) (*Engine, error) {
	if len(g.recorded) == 0 {
		return nil, badParam("as_recorded", "this archive's views were built without the stream's timestamps (a file); ask `story serve` again after it rebuilds")
	}
	// Stream timestamps follow the sequence; the last record stored by r
	// bounds the prefix.
	i := sort.Search(len(g.recorded), func(i int) bool { return g.recorded[i].nano > r.UnixNano() })
	var upTo uint64
	if i > 0 {
		upTo = g.recorded[i-1].seq
	}
	g.subMu.Lock()
	defer g.subMu.Unlock()
	if g.past != nil && g.past.upTo == upTo {
		return g.past.g, nil
	}
	entries := g.inStreamOrder()
	n := sort.Search(len(entries), func(i int) bool { return entries[i].Seq > upTo })
	past := g.sub(entries[:n], upTo)
	past.recorded = g.recorded[:i:i]
	g.past = &pastEngine{upTo: upTo, g: past}
	return past, nil
}

// inStreamOrder is the index's events in stream order.
func (g *Engine) inStreamOrder() []*projections.Entry {
	entries := slices.Clone(g.x.All())
	slices.SortFunc(entries, func(a, b *projections.Entry) int { return cmp.Compare(a.Seq, b.Seq) })
	return entries
}

// sub is an engine holding entries (in stream order) of this one, as
// applied up to the sequence upTo, with the same filing and clock: the
// archive as recorded at a moment, or one story of it.
func (g *Engine) sub(entries []*projections.Entry, upTo uint64) *Engine {
	s := NewEngine()
	s.Now = g.Now
	for _, en := range entries {
		s.x.AddRecorded(en.Seq, en.Event, en.Recorded())
	}
	s.x.Add(upTo, nil)
	s.recorded = g.recorded
	for id, ss := range g.filed {
		for _, st := range ss {
			s.fileAs(id, st)
		}
	}
	return s
}

// outlet resolves what a user typed as an outlet: an outlet entity's id,
// name, alias, any word of them or a prefix; else the exact text some
// event names its outlet by (an outlet never described).
func (g *Engine) outlet(input string) (string, error) {
	id, err := g.x.Names().ResolveKind(input, events.Outlet)
	if err == nil {
		return id, nil
	}
	in := strings.TrimSpace(input)
	f := projections.TimelineFilter{Outlet: in, Limit: 1}
	if !errors.Is(err, projections.ErrAmbiguousEntity) && len(g.x.Timeline(f)) > 0 {
		return in, nil
	}
	return "", &ParamError{Param: "outlet", Err: ErrBadParam, Msg: fmt.Sprintf("%v", err)}
}
