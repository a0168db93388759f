package replay

import (
	"slices"

	"storyline/projections"
)

// Clock chooses the time events are ordered and bounded by.
type Clock = projections.Clock

// The two clocks.
const (
	ByOccurred = projections.ByOccurred // valid time: occurred_at, reported_at, sequence
	ByReported = projections.ByReported // knowledge time: reported_at, occurred_at, sequence
)

// Filter selects events: by entity, type, outlet, bounds on the By clock
// and knowledge time. It is the timeline's filter.
type Filter = projections.TimelineFilter

// Sort orders entries by the clock by, in place. The order is total (ties
// fall to the stream sequence, then the id), so it does not depend on the
// order the entries came in.
func Sort(es []*projections.Entry, by Clock) {
	slices.SortFunc(es, func(a, b *projections.Entry) int { return projections.Compare(a, b, by) })
}

// Select returns the entries of es that f matches, in order by f.By, at
// most f.Limit of them (zero: all). es is not changed.
func Select(es []*projections.Entry, f Filter) []*projections.Entry {
	var out []*projections.Entry
	for _, en := range es {
		if f.Match(en) {
			out = append(out, en)
		}
	}
	Sort(out, f.By)
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out
}
