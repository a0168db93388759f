package archive_test

import (
	"context"
	"testing"

	"storyline/archive"
	"storyline/archive/archivetest"
)

// TestAppendLeavesEventsAlone: events without ids are stored under their
// derived ids, and the caller's events are not changed.
func TestAppendLeavesEventsAlone(t *testing.T) {
	a := archivetest.New(t)
	evs := makeEvents(t, "acme", 3)
	want := map[string]bool{}
	for i := range evs {
		want[evs[i].DeriveID()] = true
		evs[i].ID = ""
	}
	res, err := a.Append(context.Background(), evs, nil)
	if err != nil || res.Stored != len(evs) {
		t.Fatalf("append: %+v, %v; want %d stored", res, err, len(evs))
	}
	for i, e := range evs {
		if e.ID != "" {
			t.Errorf("event %d: the append set its id to %s", i+1, e.ID)
		}
	}
	if err := a.Records(context.Background(), 1, func(r archive.Record) error {
		if !want[r.Event.ID] {
			t.Errorf("seq %d stored as %q, not a derived id", r.Seq, r.Event.ID)
		}
		delete(want, r.Event.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(want) > 0 {
		t.Errorf("not stored: %v", want)
	}
}
