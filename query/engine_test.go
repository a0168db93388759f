package query_test

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"storyline/events"
	"storyline/gen"
	"storyline/query"
)

func engine(t *testing.T) *query.Engine {
	t.Helper()
	b, err := os.ReadFile("../projections/testdata/halvorsen.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	evs, errs := events.ReadAll(bytes.NewReader(b), "halvorsen.jsonl")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	g := query.NewEngine()
	for i := range evs {
		g.Apply(uint64(i+1), &evs[i])
	}
	return g
}

func TestBadRequestsNameTheParameter(t *testing.T) {
	g := engine(t)
	tests := []struct {
		name  string
		req   query.Request
		param string
	}{
		{"no org", query.Request{View: "board"}, "org"},
		{"unknown org", query.Request{View: "roles", Org: "nobody"}, "org"},
		{"ambiguous person", query.Request{View: "status", Person: "lee"}, "person"},
		{"bad clock", query.Request{View: "timeline", By: "sideways"}, "by"},
		{"bad type", query.Request{View: "timeline", Type: "board.sat"}, "type"},
		{"diff without from", query.Request{View: "diff", To: time.Now()}, "from"},
		{"diff without to", query.Request{View: "diff", From: time.Now()}, "to"},
		{"unknown view", query.Request{View: "horoscope"}, "view"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := g.Answer(tt.req)
			var pe *query.ParamError
			if !errors.As(err, &pe) || pe.Param != tt.param || !errors.Is(err, query.ErrBadParam) {
				t.Fatalf("got %v, want a ParamError naming %q", err, tt.param)
			}
		})
	}
}

func TestDefaultsAndNowViews(t *testing.T) {
	g := engine(t)
	fixed := time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)
	g.Now = func() time.Time { return fixed }
	v, err := g.Answer(query.Request{View: "board", Org: "Halvorsen"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var board struct {
		At      time.Time `json:"at"`
		Members []struct{ Person string }
	}
	if err := json.Unmarshal(b, &board); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	if !board.At.Equal(fixed) || len(board.Members) != 3 {
		t.Fatalf("board with default times: %s", b)
	}
	now, err := g.NowView("roles.halvorsen-robotics")
	if err != nil {
		t.Fatal(err)
	}
	nb, _ := json.Marshal(now)
	ab := answerJSON(t, g, query.Request{View: "roles", Org: "halvorsen-robotics"})
	if string(nb) != string(ab) {
		t.Fatalf("now view differs from the roles answer at now:\n%s\n%s", nb, ab)
	}
	if _, err := g.NowView("horoscope.x"); !errors.Is(err, query.ErrNotFound) {
		t.Fatalf("unknown now view: %v", err)
	}
}

func TestRestoreRoundTrip(t *testing.T) {
	g := engine(t)
	h := restore(t, g)
	if h.LastSeq() != g.LastSeq() {
		t.Fatalf("last seq %d, want %d", h.LastSeq(), g.LastSeq())
	}
	req := query.Request{View: "diff", From: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), KnownAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	a := answerJSON(t, g, req)
	b := answerJSON(t, h, req)
	if string(a) != string(b) {
		t.Fatal("restored engine answers differently")
	}
	if err := h.Restore(func(func(query.Stored, error) bool) {}, g.LastSeq()); !errors.Is(err, query.ErrNotEmpty) {
		t.Fatalf("restoring into a non-empty engine: %v", err)
	}
}

// answerJSON is g's answer to req as JSON; an error fails the test.
func answerJSON(t *testing.T, g *query.Engine, req query.Request) []byte {
	t.Helper()
	v, err := g.Answer(req)
	if err != nil {
		t.Fatalf("%s: %v", req.View, err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%s: %v", req.View, err)
	}
	return b
}

// TestScopedQuestionsAtOnce: questions of one story and of one recorded
// moment, asked at once (as serve's readers do, under a shared lock),
// build and keep their scoped engines without racing, and each answers as
// when asked alone. Run with -race to see the race this guards against.
func TestScopedQuestionsAtOnce(t *testing.T) {
	evs := gen.Generate(gen.Config{Events: 2000, Seed: 4})
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	g := query.NewEngine()
	recs := func(yield func(query.Stored, error) bool) {
		for i := range evs {
			if i%2 == 0 {
				evs[i].Stories = []string{"s1"}
			}
			if !yield(query.Stored{Seq: uint64(i + 1), Recorded: t0.Add(time.Duration(i) * time.Second).UnixNano(), Event: &evs[i]}, nil) {
				return
			}
		}
	}
	if err := g.Restore(recs, uint64(len(evs))); err != nil {
		t.Fatal(err)
	}
	reqs := []query.Request{
		{View: "timeline", Story: "s1", Limit: 5},
		{View: "timeline", AsRecorded: t0.Add(1000 * time.Second), Limit: 5},
	}
	want := make([]string, len(reqs))
	for i, r := range reqs {
		want[i] = string(answerJSON(t, restore(t, g), r))
	}
	var wg sync.WaitGroup
	got := make([][]string, 8)
	for w := range got {
		wg.Go(func() {
			for _, r := range reqs {
				v, err := g.Answer(r)
				b, jerr := json.Marshal(v)
				if err = cmp.Or(err, jerr); err != nil {
					t.Errorf("reader %d: %v", w, err)
				}
				got[w] = append(got[w], string(b))
			}
		})
	}
	wg.Wait()
	for w := range got {
		for i := range reqs {
			if got[w][i] != want[i] {
				t.Errorf("reader %d, question %d: %s; asked alone: %s", w, i, got[w][i], want[i])
			}
		}
	}
}
