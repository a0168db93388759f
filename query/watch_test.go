package query_test

import (
	"slices"
	"testing"
	"time"

	"storyline/events"
	"storyline/quarantine"
	"storyline/query"
)

func watched(t *testing.T, w *query.Watch, seq uint64, e *events.Event) []string {
	t.Helper()
	steps, q := w.Next(quarantine.Record{Seq: seq, Event: e})
	if q != nil {
		t.Fatalf("seq %d quarantined: %s", seq, q.Reason)
	}
	var ids []string
	for _, s := range steps {
		ids = append(ids, s.Item.Event.ID)
	}
	return ids
}

func described(id, name string, stories ...string) *events.Event {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	return &events.Event{ID: id, Type: events.EntityDescribed, OccurredAt: t0, ReportedAt: t0, Precision: events.PrecisionDay,
		Source: events.Source{Outlet: "Storyline", Attribution: events.Archive}, Stories: stories,
		Data: &events.EntityDescription{ID: id, Kind: events.Person, Name: name}}
}

func filing(id, story string, ids ...string) *events.Event {
	e := described(id, "")
	e.Type, e.Data = events.StoryFiled, &events.Filing{Story: story, Events: ids}
	return e
}

// TestWatchHoldsUntilFiled: with a story, a watch holds events until the
// filing that an import stores after them, then shows those it files, in
// stream order.
func TestWatchHoldsUntilFiled(t *testing.T) {
	w := query.NewWatch(query.WatchFilter{Story: "acme"})
	if got := watched(t, w, 1, described("own", "Own", "acme")); !slices.Equal(got, []string{"own"}) {
		t.Fatalf("an event naming the story showed %v", got)
	}
	if got := append(watched(t, w, 2, described("b", "B")), watched(t, w, 3, described("a", "A"))...); len(got) != 0 {
		t.Fatalf("events not filed showed %v", got)
	}
	if got := watched(t, w, 4, filing("f-other", "other", "a")); len(got) != 0 {
		t.Errorf("another story's filing showed %v", got)
	}
	if got := watched(t, w, 5, filing("f", "acme", "a", "b")); !slices.Equal(got, []string{"b", "a"}) {
		t.Errorf("the filing showed %v, want b then a (stream order)", got)
	}
	if got := watched(t, w, 6, filing("f2", "acme", "a", "b")); len(got) != 0 {
		t.Errorf("events shown once were still held: %v", got)
	}
}

// TestWatchScreensAndFilters: a watch reports what the views leave out,
// shows only what its filter asks for, and shows each event with the
// changes it makes.
func TestWatchScreensAndFilters(t *testing.T) {
	w := query.NewWatch(query.WatchFilter{Type: events.EntityDescribed, Entity: "kari"})
	w.Before(quarantine.Record{Seq: 1, Event: described("kari", "Kari")})
	if _, q := w.Next(quarantine.Record{Seq: 2, Event: described("kari", "Kari again")}); q == nil || q.Class != quarantine.Duplicate {
		t.Fatalf("a second event with a stored id: %+v, want a duplicate", q)
	}
	if _, q := w.Next(quarantine.Record{Seq: 3, Err: events.ErrBadJSON}); q == nil || q.Class != quarantine.Undecodable {
		t.Fatalf("an undecodable record: %+v", q)
	}
	if got := watched(t, w, 4, described("lee", "Lee")); len(got) != 0 {
		t.Errorf("an event not naming the entity showed %v", got)
	}
	if got := watched(t, w, 4, described("kari2", "Kari")); len(got) != 0 {
		t.Errorf("a redelivered record showed %v", got)
	}
	t0 := time.Date(2024, 2, 1, 9, 0, 0, 0, time.UTC)
	seat := &events.Event{ID: "seat", Type: events.BoardSeatTaken, OccurredAt: t0, ReportedAt: t0,
		Source: events.Source{Outlet: "Daily", Attribution: events.OnRecord},
		Data:   &events.SeatTaken{Person: "kari", Org: "acme", Seat: "chair"}}
	if got := watched(t, w, 5, seat); len(got) != 0 {
		t.Errorf("an event of another type showed %v", got)
	}
	all := query.NewWatch(query.WatchFilter{})
	all.Before(quarantine.Record{Seq: 1, Event: described("kari", "Kari")})
	steps, _ := all.Next(quarantine.Record{Seq: 2, Event: seat})
	if len(steps) != 1 || len(steps[0].Changes) != 1 || steps[0].Changes[0].Text != "board acme: + Kari (chair)" {
		t.Errorf("a seat taken showed %+v", steps)
	}
	if l := steps[0].Line(); l.Seq != 2 || l.Outlet != "Daily" || l.Summary != steps[0].Item.Summary {
		t.Errorf("line %+v", l)
	}
}
