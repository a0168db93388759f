package gen_test

import (
	"bytes"
	"testing"

	"storyline/events"
	"storyline/gen"
)

func TestGenerateIsDeterministicAndValid(t *testing.T) {
	a := gen.Generate(gen.Config{Events: 20000, Seed: 7})
	b := gen.Generate(gen.Config{Events: 20000, Seed: 7})
	c := gen.Generate(gen.Config{Events: 20000, Seed: 8})
	if len(a) < 20000 || len(a) != len(b) {
		t.Fatalf("lengths %d %d", len(a), len(b))
	}
	late, corrections := 0, 0
	ids := map[string]bool{}
	for i := range a {
		if !bytes.Equal(a[i].Canonical(), b[i].Canonical()) {
			t.Fatalf("event %d differs between two runs with the same seed", i)
		}
		if err := a[i].Validate(); err != nil {
			t.Fatalf("event %d invalid: %v", i, err)
		}
		// Every event survives its own encoding: what gen writes, import reads.
		if _, err := events.Decode(a[i].Canonical()); err != nil {
			t.Fatalf("event %d does not decode: %v", i, err)
		}
		if ids[a[i].ID] {
			t.Fatalf("event %d: id %s twice", i, a[i].ID)
		}
		ids[a[i].ID] = true
		if a[i].ReportedAt.Sub(a[i].OccurredAt).Hours() >= 24 {
			late++
		}
		if a[i].Supersedes != "" {
			corrections++
		}
	}
	if late < len(a)/20 || late > len(a)/5 {
		t.Errorf("%d late reports of %d, want about 10%%", late, len(a))
	}
	if corrections == 0 || corrections > len(a)/30 {
		t.Errorf("%d corrections of %d, want about 1%%", corrections, len(a))
	}
	if bytes.Equal(a[len(a)-1].Canonical(), c[len(c)-1].Canonical()) {
		t.Error("different seeds gave the same story")
	}
}
