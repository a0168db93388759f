package corpus_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"storyline/events"
	"storyline/projections"
)

// index folds the bundled story in file order (its stream order).
func index(t *testing.T) *projections.Index {
	t.Helper()
	x := projections.NewIndex()
	for i, e := range load(t) {
		x.Add(uint64(i+1), &e)
	}
	return x
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := events.ParseTime(s, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// knowledgeTimes are the moments the claim tests look from: every report
// of a claim or of the evidence that settled one, a minute before and at
// it, plus each hour of the crisis.
func knowledgeTimes(t *testing.T, x *projections.Index) []time.Time {
	var ks []time.Time
	for _, en := range x.All() {
		if en.Event.Type == events.ClaimReported || en.Event.Type == events.ClaimResolved {
			ks = append(ks, en.Event.ReportedAt.Add(-time.Minute), en.Event.ReportedAt)
		}
	}
	for k := mustTime(t, "2023-11-16 00:00 PT"); k.Before(mustTime(t, "2023-12-01 PT")); k = k.Add(time.Hour) {
		ks = append(ks, k)
	}
	return append(ks, time.Time{}) // and everything known
}

// TestNoHindsight: at every knowledge time, every outcome rests on a
// resolution and evidence public by then; relays never lead; a lead never
// credits a claim with more than its precision allows.
func TestNoHindsight(t *testing.T) {
	x := index(t)
	ks := knowledgeTimes(t, x)
	settled := 0
	for _, k := range ks {
		q := projections.AsOf{KnownAt: k}
		for _, c := range x.ClaimsAt(q, projections.ClaimFilter{}).Claims {
			sets := []projections.Settlement{c.Settlement}
			for _, p := range c.Parts {
				sets = append(sets, p.Settlement)
			}
			for _, s := range sets {
				if s.SettledAt == nil {
					continue
				}
				settled++
				ev, ok := x.Get(s.SettledBy)
				if !ok {
					t.Fatalf("K=%v claim %s: evidence %s not held", k, c.ID[:8], s.SettledBy)
				}
				if ev.Event.Type == events.ClaimReported {
					t.Errorf("K=%v claim %s settled by another claim %s", k, c.ID[:8], s.SettledBy[:8])
				}
				if !k.IsZero() && (s.SettledAt.After(k) || ev.Event.ReportedAt.After(k)) {
					t.Errorf("K=%v claim %s settled by evidence public at %v", k, c.ID[:8], s.SettledAt)
				}
			}
			if c.Outcome == projections.Relayed && (c.LeadHours != nil || c.Original == nil) {
				t.Errorf("K=%v relay %s: lead %v, original %v", k, c.ID[:8], c.LeadHours, c.Original)
			}
			if c.Outcome == events.Refuted && c.LeadHours != nil {
				t.Errorf("K=%v refuted claim %s has a lead", k, c.ID[:8])
			}
			checkLead(t, x, k, c)
		}
	}
	if settled < 50 {
		t.Errorf("only %d settlements seen over %d knowledge times: the test checks little", settled, len(ks))
	}
	t.Logf("%d settlements checked over %d knowledge times", settled, len(ks))
}

// checkLead recomputes a lead's bound from the two events: never more
// than the evidence's report minus the end of the claim's precision.
func checkLead(t *testing.T, x *projections.Index, k time.Time, c projections.ClaimItem) {
	t.Helper()
	if c.LeadHours == nil {
		return
	}
	ev, _ := x.Get(c.SettledBy)
	if ev == nil {
		for _, p := range c.Parts {
			if p.Outcome == events.Confirmed {
				ev, _ = x.Get(p.SettledBy)
			}
		}
	}
	// The end of the calendar hour or day the claim's time falls in.
	end := c.ReportedAt
	switch y, m, d := end.Date(); c.Precision {
	case events.PrecisionHour:
		end = end.Truncate(time.Hour).Add(time.Hour)
	case events.PrecisionDay:
		end = time.Date(y, m, d+1, 0, 0, 0, 0, end.Location())
	}
	if max := ev.Event.ReportedAt.Sub(end).Hours(); *c.LeadHours > max+0.01 {
		t.Errorf("K=%v claim %s (%s-precise) leads by %.2f h, more than the %.2f h its precision allows",
			k, c.ID[:8], c.Precision, *c.LeadHours, max)
	}
}

// TestOutletsAreCanonical: each outlet once, by name, no relay chains or
// titles in names; every relay shows its original.
func TestOutletsAreCanonical(t *testing.T) {
	x := index(t)
	seen := map[string]bool{}
	for _, s := range x.SourcesAt(projections.AsOf{}).Sources {
		name := s.Name
		if name == "" || seen[name] || strings.ContainsAny(name, ";\"") || strings.Contains(strings.ToLower(name), " via ") {
			t.Errorf("outlet %q (%s): unnamed, listed twice, or a chain or title", name, s.Outlet)
		}
		seen[name] = true
	}
	relays := 0
	for _, c := range x.ClaimsAt(projections.AsOf{}, projections.ClaimFilter{}).Claims {
		if c.Outcome == projections.Relayed {
			relays++
			if c.Original == nil || c.Original.ID == c.ID {
				t.Errorf("relay %s shows no original", c.ID[:8])
			}
		}
	}
	if relays == 0 {
		t.Error("no relays in the bundled story")
	}
}

// TestCompoundScoop: a claim split in parts is settled part by part.
func TestCompoundScoop(t *testing.T) {
	x := index(t)
	var found bool
	var outlets []string
	for _, c := range x.ClaimsAt(projections.AsOf{}, projections.ClaimFilter{}).Claims {
		if len(c.Parts) == 0 {
			continue
		}
		found = true
		outlets = append(outlets, c.OutletName)
		var outs []string
		for _, p := range c.Parts {
			outs = append(outs, p.Outcome)
		}
		if c.Outcome != projections.Partly || !slices.Contains(outs, events.Confirmed) || !slices.Contains(outs, events.Refuted) {
			t.Errorf("claim %s: %s with parts %v, want partly: one confirmed, one refuted", c.ID[:8], c.Outcome, outs)
		}
	}
	if !found || !slices.Contains(outlets, "The Information") {
		t.Fatalf("compound claims by %v, want The Information's among them", outlets)
	}
}

// TestAnnouncedReturn: the agreement in principle is on the record as
// the changes it announced.
func TestAnnouncedReturn(t *testing.T) {
	x := index(t)
	k := mustTime(t, "2023-11-22 12:00 PT")
	st := x.StatusAt("sam-altman", projections.AsOf{At: k, KnownAt: k})
	if !strings.Contains(st.Summary, "announced to return as CEO of OpenAI") {
		t.Errorf("summary %q does not announce the return", st.Summary)
	}
	b := x.BoardAt("openai", projections.AsOf{At: mustTime(t, "2023-11-30 PT"), KnownAt: k})
	var names []string
	for _, m := range b.Members {
		names = append(names, m.Person)
	}
	if !slices.Contains(names, "bret-taylor") || !slices.Contains(names, "larry-summers") {
		t.Errorf("board at 30 Nov as known on 22 Nov: %v, want the announced new members", names)
	}
}

// TestBoardAndRolesAgree: every minute of the firing, Altman is CEO
// exactly while he sits on the board.
func TestBoardAndRolesAgree(t *testing.T) {
	x := index(t)
	for at := mustTime(t, "2023-11-17 11:00 PT"); !at.After(mustTime(t, "2023-11-17 14:00 PT")); at = at.Add(time.Minute) {
		for _, k := range []time.Time{{}, at} {
			q := projections.AsOf{At: at, KnownAt: k}
			onBoard := slices.ContainsFunc(x.BoardAt("openai", q).Members, func(m projections.Member) bool { return m.Person == "sam-altman" })
			ceo := slices.ContainsFunc(x.RolesAt("openai", q).Roles, func(r projections.Holder) bool { return r.Role == "ceo" && r.Person == "sam-altman" })
			if onBoard != ceo {
				t.Fatalf("at %v known %v: on the board %v, CEO %v", at, k, onBoard, ceo)
			}
		}
	}
}

// TestNamesPeopleUse: surnames, apostrophes left out or typed, any
// script.
func TestNamesPeopleUse(t *testing.T) {
	x := index(t)
	for in, want := range map[string]string{"murati": "mira-murati", "dangelo": "adam-dangelo", "d'angelo": "adam-dangelo",
		"D’Angelo": "adam-dangelo", "toner": "helen-toner", "阿爾特曼": "sam-altman", "information": "the-information", "財聯社": "cailian-press"} {
		if got, err := x.Names().Resolve(in); err != nil || got != want {
			t.Errorf("Resolve(%q) = %q, %v; want %s", in, got, err, want)
		}
	}
}
