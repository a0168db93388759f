package projections

import (
	"fmt"
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
	for _, id := range e.Entities() {
		if n := x.names.Name(id); n != "" && e.Type != events.EntityDescribed {
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

// Clock chooses the time a timeline orders and bounds by.
type Clock string

// Clocks.
const (
	ByOccurred Clock = "occurred"
	ByReported Clock = "reported"
)

// TimelineFilter selects events for a timeline.
type TimelineFilter struct {
	Entity  string
	Type    events.Type
	Outlet  string
	By      Clock     // default ByOccurred
	From    time.Time // zero: from the start
	Until   time.Time // zero: to the end
	KnownAt time.Time // only events reported by then (zero: all)
	Limit   int
}

// TimelineItem is one event of a timeline.
type TimelineItem struct {
	Seq          uint64
	Event        *events.Event
	Summary      string
	SupersededBy string // set when a correction known at KnownAt replaces it
}

// MarshalJSON writes the event format plus seq and summary.
func (t TimelineItem) MarshalJSON() ([]byte, error) {
	b := withSeq(t.Seq, t.Summary, t.Event)
	if t.SupersededBy != "" {
		b = append(b[:len(b)-1], fmt.Sprintf(`,"superseded_by":%q}`, t.SupersededBy)...)
	}
	return b, nil
}

func clockOf(e *events.Event, by Clock) time.Time {
	if by == ByReported {
		return e.ReportedAt
	}
	return e.OccurredAt
}

// Timeline returns the events f selects, in order by f.By.
func (x *Index) Timeline(f TimelineFilter) []TimelineItem {
	var src []*Entry
	if f.Entity != "" {
		src = x.byEntity[f.Entity]
	} else {
		src = x.All()
	}
	out := []TimelineItem{}
	for _, en := range src {
		e := en.Event
		if !f.KnownAt.IsZero() && e.ReportedAt.After(f.KnownAt) {
			continue
		}
		if f.Type != "" && e.Type != f.Type {
			continue
		}
		if f.Outlet != "" && !strings.EqualFold(e.Source.Outlet, f.Outlet) {
			continue
		}
		t := clockOf(e, f.By)
		if !f.From.IsZero() && t.Before(f.From) || !f.Until.IsZero() && t.After(f.Until) {
			continue
		}
		item := TimelineItem{Seq: en.Seq, Event: e, Summary: x.Summary(e)}
		for _, c := range x.corrections[e.ID] {
			if f.KnownAt.IsZero() || !c.Event.ReportedAt.After(f.KnownAt) {
				item.SupersededBy = c.Event.ID
			}
		}
		out = append(out, item)
	}
	if f.By == ByReported {
		sort.SliceStable(out, func(i, j int) bool {
			a, b := out[i].Event, out[j].Event
			if !a.ReportedAt.Equal(b.ReportedAt) {
				return a.ReportedAt.Before(b.ReportedAt)
			}
			return out[i].Seq < out[j].Seq
		})
	}
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out
}
