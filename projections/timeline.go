package projections

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"storyline/events"
)

// withSeq returns the event's canonical JSON with "seq" first and, when
// given, a "summary" — the event format plus its sequence, as DESIGN.md
// asks of replay, timeline and watch.
func withSeq(seq uint64, summary string, e *events.Event) []byte {
	c := e.Canonical()
	head := fmt.Sprintf(`{"seq":%d,`, seq)
	if summary != "" {
		head += fmt.Sprintf(`"summary":%s,`, quote(summary))
	}
	return append([]byte(head), c[1:]...)
}

func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// Summary describes an event in one line with display names for ids.
func (x *Index) Summary(e *events.Event) string {
	s := e.Summary()
	names := x.Names()
	for _, id := range e.Entities() {
		if n := names.Name(id); n != "" && e.Type != events.EntityDescribed {
			s = replaceWord(s, id, n)
		}
	}
	return s
}

// replaceWord replaces whole-token occurrences of id in s.
func replaceWord(s, id, name string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, id)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(id)
		okLeft := i == 0 || !isSlugByte(s[i-1])
		okRight := end == len(s) || !isSlugByte(s[end])
		b.WriteString(s[:i])
		if okLeft && okRight {
			b.WriteString(name)
		} else {
			b.WriteString(id)
		}
		s = s[end:]
	}
}

func isSlugByte(c byte) bool { return c == '-' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// TimelineFilter selects events for a timeline (and for a replay).
type TimelineFilter struct {
	Entity string        // events naming it (events.Event.Entities)
	Type   events.Type   // events of this type
	Types  []events.Type // events of any of these types
	Outlet string        // events from this outlet: its id, name or alias (case, accents, punctuation aside)
	// OutletSpellings are the outlet's other spellings (the entity's id,
	// name and aliases), so that events naming it any way match.
	OutletSpellings []string
	By              Clock     // the clock to order and bound by; default ByOccurred
	From            time.Time // zero: from the start
	Until           time.Time // zero: to the end
	KnownAt         time.Time // only events reported by then (zero: all)
	At              time.Time // only events that had happened by then, whatever the clock (zero: all)
	Limit           int       // at most this many (zero: all)
}

// Match reports whether en passes every condition of f but Limit.
// Withdrawn records (errata) never match; events about the archive
// (record.withdrawn, story.filed) match only when asked for by type.
func (f *TimelineFilter) Match(en *Entry) bool {
	e := en.Event
	switch {
	case en.withdrawn, e.Type.Archival() && f.Type != e.Type,
		!f.KnownAt.IsZero() && e.ReportedAt.After(f.KnownAt),
		!f.At.IsZero() && e.OccurredAt.After(f.At),
		f.Type != "" && e.Type != f.Type,
		len(f.Types) > 0 && !slices.Contains(f.Types, e.Type),
		f.Outlet != "" && !f.fromOutlet(e.Source.Outlet):
		return false
	}
	t := clockOf(e, f.By)
	if !f.From.IsZero() && t.Before(f.From) || !f.Until.IsZero() && t.After(f.Until) {
		return false
	}
	return f.Entity == "" || slices.Contains(e.Entities(), f.Entity)
}

func (f *TimelineFilter) fromOutlet(outlet string) bool {
	k := foldName(outlet)
	if k == foldName(f.Outlet) {
		return true
	}
	for _, s := range f.OutletSpellings {
		if foldName(s) == k {
			return true
		}
	}
	return false
}

// TimelineItem is one event of a timeline.
type TimelineItem struct {
	Seq          uint64
	Event        *events.Event
	Summary      string
	SupersededBy string // set when a correction known at KnownAt replaces it
	// OutletName is the display name of the event's outlet, when it is a
	// described outlet.
	OutletName string
	// Recorded is when the archive stored an erratum (zero otherwise).
	Recorded time.Time
}

// MarshalJSON writes the event format plus seq and summary.
func (t TimelineItem) MarshalJSON() ([]byte, error) {
	b := withSeq(t.Seq, t.Summary, t.Event)
	if t.SupersededBy != "" {
		b = append(b[:len(b)-1], fmt.Sprintf(`,"superseded_by":%q}`, t.SupersededBy)...)
	}
	if t.OutletName != "" {
		b = append(b[:len(b)-1], fmt.Sprintf(`,"outlet_name":%s}`, quote(t.OutletName))...)
	}
	if !t.Recorded.IsZero() {
		b = append(b[:len(b)-1], fmt.Sprintf(`,"recorded":%q}`, t.Recorded.UTC().Format(time.RFC3339))...)
	}
	return b, nil
}

func clockOf(e *events.Event, by Clock) time.Time {
	if by == ByReported {
		return e.ReportedAt
	}
	return e.OccurredAt
}

// Timeline returns the events f selects, in order by f.By. Every report is
// listed, corrected ones too, marked with the correction that replaces
// them as of f.KnownAt. Without an entity the bounds are found by binary
// search; with one, only that entity's events are read.
func (x *Index) Timeline(f TimelineFilter) []TimelineItem {
	x.prepare()
	var src []*Entry
	sorted := true // src is in f.By order
	switch {
	case f.Entity != "":
		c, ok := chainOf(x, x.entity, f.Entity)
		if !ok {
			return []TimelineItem{}
		}
		src, sorted = c.es, f.By != ByReported
	case f.By == ByReported:
		src = x.byRep.get()
	default:
		src = x.all.get()
	}
	if sorted {
		at := func(i int) time.Time { return clockOf(src[i].Event, f.By) }
		lo, hi := 0, len(src)
		if !f.From.IsZero() {
			lo = sort.Search(len(src), func(i int) bool { return !at(i).Before(f.From) })
		}
		if !f.Until.IsZero() {
			hi = sort.Search(len(src), func(i int) bool { return at(i).After(f.Until) })
		}
		src = src[lo:max(lo, hi)]
	}
	var picked []*Entry
	for _, en := range src {
		if f.Match(en) {
			picked = append(picked, en)
			if sorted && f.Limit > 0 && len(picked) == f.Limit {
				break
			}
		}
	}
	if !sorted {
		slices.SortFunc(picked, repCmp)
	}
	if f.Limit > 0 && len(picked) > f.Limit {
		picked = picked[:f.Limit]
	}
	q := AsOf{KnownAt: f.KnownAt}.question()
	out := make([]TimelineItem, 0, len(picked))
	for _, en := range picked {
		item := TimelineItem{Seq: en.Seq, Event: en.Event, Summary: x.Summary(en.Event), OutletName: x.outletName(en.Event)}
		if en.Event.Erratum != "" {
			item.Recorded = en.Recorded()
		}
		if en.fixedBy != nil && q.knows(en.fixedBy) {
			item.SupersededBy = en.fixedBy.Event.ID
		}
		out = append(out, item)
	}
	return out
}

// OutletName is the display name of e's outlet: the described outlet's
// name, else the source's text.
func (x *Index) OutletName(e *events.Event) string {
	x.prepare()
	return x.outletName(e)
}

// outletName is OutletName for callers that prepared the index.
func (x *Index) outletName(e *events.Event) string {
	id := x.outletID(e.Source.Outlet)
	if n := x.names.Name(id); n != "" {
		return n
	}
	return id
}
