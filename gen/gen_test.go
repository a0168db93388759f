package gen_test

import (
	"bytes"
	"testing"

	"storyline/events"
	"storyline/gen"
)

// traits counts what a generated story holds.
type traits struct {
	late, corrections, scheduled, dayPrecise, shared, renames, unknownTargets, correctedTwice int
}

func count(t *testing.T, evs []events.Event) traits {
	t.Helper()
	var c traits
	ids := map[string]bool{}
	supersedes := map[string]bool{}
	described := map[string]bool{}
	var last events.Event
	for i, e := range evs {
		if err := e.Validate(); err != nil {
			t.Fatalf("event %d invalid: %v", i, err)
		}
		// Every event survives its own encoding: what gen writes, import reads.
		if _, err := events.Decode(e.Canonical()); err != nil {
			t.Fatalf("event %d does not decode: %v", i, err)
		}
		if ids[e.ID] {
			t.Fatalf("event %d: id %s twice", i, e.ID)
		}
		ids[e.ID] = true
		if e.Supersedes == "" && i > 0 && !e.OccurredAt.After(last.OccurredAt) {
			t.Fatalf("event %d occurs at %v, not after event before it (%v)", i, e.OccurredAt, last.OccurredAt)
		}
		if e.Supersedes == "" {
			last = e
		}
		if e.ReportedAt.Sub(e.OccurredAt).Hours() >= 24 {
			c.late++
		}
		if e.Scheduled {
			c.scheduled++
		}
		if e.Precision == events.PrecisionDay {
			c.dayPrecise++
		}
		if d, ok := e.Data.(*events.RoleStart); ok && d.Shared {
			c.shared++
		}
		if d, ok := e.Data.(*events.EntityDescription); ok {
			if described[d.ID] {
				c.renames++
			}
			described[d.ID] = true
		}
		if e.Supersedes != "" {
			c.corrections++
			if !ids[e.Supersedes] {
				c.unknownTargets++
			}
			if supersedes[e.Supersedes] {
				t.Fatalf("event %d: %s corrected twice by the generator", i, e.Supersedes)
			}
			supersedes[e.Supersedes] = true
		}
	}
	for _, e := range evs {
		if e.Supersedes != "" && supersedes[e.ID] {
			c.correctedTwice++
		}
	}
	return c
}

func TestGenerateIsDeterministicAndValid(t *testing.T) {
	tests := []struct {
		name  string
		cfg   gen.Config
		check func(t *testing.T, n int, c traits)
	}{
		{"plain", gen.Config{Events: 20000, Seed: 7}, func(t *testing.T, n int, c traits) {
			if c.late < n/20 || c.late > n/5 {
				t.Errorf("%d late reports of %d, want about 10%%", c.late, n)
			}
			if c.corrections == 0 || c.corrections > n/30 {
				t.Errorf("%d corrections of %d, want about 1%%", c.corrections, n)
			}
			if c.scheduled+c.dayPrecise+c.shared+c.renames+c.unknownTargets > 0 {
				t.Errorf("a plain story has rough edges: %+v", c)
			}
		}},
		{"rough", gen.Config{Events: 20000, Seed: 7, Orgs: 20, People: 500, Rough: true}, func(t *testing.T, n int, c traits) {
			if c.corrections < n/100 || c.corrections > n/20 {
				t.Errorf("%d corrections of %d, want about 2%%", c.corrections, n)
			}
			for what, got := range map[string]int{"scheduled": c.scheduled, "day-precise": c.dayPrecise, "shared roles": c.shared,
				"renames": c.renames, "corrections of unknown ids": c.unknownTargets, "corrections corrected again": c.correctedTwice} {
				if got == 0 {
					t.Errorf("no %s in a rough story: %+v", what, c)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := gen.Generate(tt.cfg), gen.Generate(tt.cfg)
			other := tt.cfg
			other.Seed++
			c := gen.Generate(other)
			if len(a) < tt.cfg.Events || len(a) != len(b) {
				t.Fatalf("lengths %d %d", len(a), len(b))
			}
			for i := range a {
				if !bytes.Equal(a[i].Canonical(), b[i].Canonical()) {
					t.Fatalf("event %d differs between two runs with the same seed", i)
				}
			}
			if bytes.Equal(a[len(a)-1].Canonical(), c[len(c)-1].Canonical()) {
				t.Error("different seeds gave the same story")
			}
			tt.check(t, len(a), count(t, a))
		})
	}
}
