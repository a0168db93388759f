package projections_test

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"storyline/events"
	"storyline/projections"
)

// mustLoad decodes a .jsonl fixture with the events reader.
func mustLoad(tb testing.TB, path string) []events.Event {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	rd := events.NewReader(bytes.NewReader(b), path)
	var evs []events.Event
	for {
		e, _, err := rd.Next()
		if err == io.EOF {
			return evs
		}
		if err != nil {
			tb.Fatal(err)
		}
		evs = append(evs, e)
	}
}

// build indexes evs in the given arrival order; seqs[i] is the sequence
// of the i-th arrival (nil: 1, 2, 3...).
func build(evs []events.Event, order []int, seqs []uint64) *projections.Index {
	x := projections.NewIndex()
	for i, j := range order {
		seq := uint64(i + 1)
		if seqs != nil {
			seq = seqs[i]
		}
		x.Add(seq, &evs[j])
	}
	return x
}

func inOrder(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// ts parses a test time: RFC 3339, or a date or date-time with a zone word
// as the CLI takes them. "" is the zero time (no bound).
func ts(tb testing.TB, s string) time.Time {
	tb.Helper()
	if s == "" {
		return time.Time{}
	}
	t, err := events.ParseTime(s, time.Time{})
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func asOf(tb testing.TB, at, k string) projections.AsOf {
	return projections.AsOf{At: ts(tb, at), KnownAt: ts(tb, k)}
}

// seats renders a board as "person:seat ..." (observers as :observer).
func seats(b projections.Board) string {
	var out []string
	for _, m := range b.Members {
		out = append(out, m.Person+":"+string(m.Seat))
	}
	for _, m := range b.Observers {
		out = append(out, m.Person+":observer")
	}
	return strings.Join(out, " ")
}

// roles renders a roles view as "role=person[~interim][+shared] ...".
func roles(r projections.Roles) string {
	var out []string
	for _, h := range r.Roles {
		s := string(h.Role) + "=" + h.Person
		if h.Interim {
			s += "~interim"
		}
		if h.Shared {
			s += "+shared"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

// positions renders a status's positions as "org:role ...".
func positions(s projections.Status) string {
	var out []string
	for _, p := range s.Positions {
		out = append(out, p.Org+":"+string(p.Role))
	}
	return strings.Join(out, " ")
}

var seqRE = regexp.MustCompile(`"seq":\d+`)

// canonical is a view's JSON with stream sequences blanked and the recent
// events of a status in a content order: the two things the sequence
// numbers may decide when events tie on both clocks.
func canonical(tb testing.TB, v any) string {
	tb.Helper()
	if s, ok := v.(projections.Status); ok {
		s.Recent = slices.Clone(s.Recent)
		sort.SliceStable(s.Recent, func(i, j int) bool {
			a, b := s.Recent[i].Event, s.Recent[j].Event
			if !a.OccurredAt.Equal(b.OccurredAt) {
				return a.OccurredAt.After(b.OccurredAt)
			}
			if !a.ReportedAt.Equal(b.ReportedAt) {
				return a.ReportedAt.After(b.ReportedAt)
			}
			return a.ID < b.ID
		})
		v = s
	}
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return seqRE.ReplaceAllString(string(b), `"seq":0`)
}
