package projections_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"storyline/events"
	"storyline/projections"
)

// id is a fixture id of testdata/claims-story.jsonl.
func fx(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

func claimsStory(t *testing.T) ([]events.Event, *projections.Index) {
	evs := mustLoad(t, "testdata/claims-story.jsonl")
	return evs, build(evs, inOrder(len(evs)), nil)
}

// claimLine renders a claim as "outcome/lead/original/relays/parts".
func claimLine(c projections.ClaimItem) string {
	lead := "-"
	if c.LeadHours != nil {
		lead = fmt.Sprint(*c.LeadHours)
		if c.LeadUncertain {
			lead = fmt.Sprintf("%v..%v", *c.LeadHours, *c.LeadMaxHours)
		}
	}
	orig := "-"
	if c.Original != nil {
		orig = c.Original.ID[len(c.Original.ID)-3:] + ":" + c.Original.Outcome
	}
	var relays, parts []string
	for _, r := range c.Relays {
		relays = append(relays, r.ID[len(r.ID)-3:])
	}
	for _, p := range c.Parts {
		parts = append(parts, p.Outcome)
	}
	return fmt.Sprintf("%s/%s/%s/%s/%s", c.Outcome, lead, orig, strings.Join(relays, ","), strings.Join(parts, ","))
}

func TestClaimRules(t *testing.T) {
	_, x := claimsStory(t)
	tests := []struct {
		name  string
		claim int
		k     string
		want  string // claimLine; "" : not listed
	}{
		// Relays in the order they may first have appeared: the day-precise
		// copy could be as late as the end of its day.
		{"an original, before the evidence", 101, "2025-03-02", "open/-/-/152,103,102/"},
		{"an original confirmed by what happened", 101, "", "confirmed/49.5/-/152,103,102/"},
		{"a relay shares the original's outcome, earns no lead", 102, "", "relayed/-/101:confirmed//"},
		{"a relay of a relay points at the first report", 103, "", "relayed/-/101:confirmed//"},
		{"a relay while the original is open", 103, "2025-03-02", "relayed/-/101:open//"},
		{"a day-precise claim does not beat same-day evidence", 104, "", "confirmed/-13.5..10.5/-//"},
		{"a compound claim, partly", 105, "", "partly/26.5/-//confirmed,refuted"},
		{"parts not yet settled", 105, "2025-03-03 10:00 CET", "open/-/-//open,open"},
		{"unresolved: never to be settled", 106, "", "unresolved/-/-//"},
		{"settled by another claim: not settled", 106, "2025-03-07", "open/-/-//"},
		{"resolution stored early, evidence not yet public", 107, "2025-03-16", "open/-/-//"},
		{"settled once the evidence is public", 107, "2025-03-21", "confirmed/240/-//"},
		{"a withdrawn record is in no view", 109, "", ""},
		{"a relay written before its original is not known before it", 152, "2025-03-01 08:00 CET", ""},
		{"a relay written before its original, once the original is known", 152, "2025-03-01 10:00 CET", "relayed/-/101:open//"},
		{"a relay cycle: its own root", 150, "", "relayed/-/-//"},
		{"a withdrawal withdrawn restores the record", 160, "", "open/-/-//"},
		{"evidence announced ahead counts once announced", 170, "2025-06-15", "confirmed/216/-//"},
		{"a withdrawn record, even as known when reported", 109, "2025-04-02 12:00 CEST", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := projections.AsOf{KnownAt: ts(t, tt.k)}
			got := ""
			for _, c := range x.ClaimsAt(q, projections.ClaimFilter{}).Claims {
				if c.ID == fx(tt.claim) {
					got = claimLine(c)
				}
			}
			if got != tt.want {
				t.Errorf("claim %d at K=%q: %q, want %q", tt.claim, tt.k, got, tt.want)
			}
		})
	}
	var reasons []string
	for _, a := range x.ClaimsAt(projections.AsOf{}, projections.ClaimFilter{}).Anomalies {
		reasons = append(reasons, a.Reason)
	}
	for _, want := range []string{"another claim", "has 2 parts: resolve each part", "repeats itself through a chain of relays", "is dated before the report it repeats"} {
		if !slices.ContainsFunc(reasons, func(r string) bool { return strings.Contains(r, want) }) {
			t.Errorf("anomalies %q lack %q", reasons, want)
		}
	}
}

// TestErrata: an erratum replaces its record at every knowledge time; a
// correction of the record applies to the erratum; the original is gone.
func TestErrata(t *testing.T) {
	_, x := claimsStory(t)
	for _, k := range []string{"2025-04-01 09:00 CEST", "2025-04-03", "2025-05-01 12:00 CEST", "2025-05-02 12:00 CEST", ""} {
		byID := map[string]projections.ClaimItem{}
		for _, c := range x.ClaimsAt(projections.AsOf{KnownAt: ts(t, k)}, projections.ClaimFilter{}).Claims {
			byID[c.ID] = c
		}
		if _, ok := byID[fx(108)]; ok {
			t.Errorf("K=%q: the record an erratum replaced is listed", k)
		}
		if c, ok := byID[fx(140)]; !ok || c.Outlet != "harbor-wire" || c.Erratum == nil || c.Erratum.Of != fx(108) {
			t.Errorf("K=%q: erratum %+v", k, c)
		}
		_, before := byID[fx(130)]
		c, after := byID[fx(142)]
		wantBefore, wantAfter := k >= "2025-05-01" && k < "2025-05-02", k == "" || k >= "2025-05-02"
		if after != wantAfter || before != wantBefore {
			t.Errorf("K=%q: corrected record listed %v, erratum of its correction listed %v", k, before, after)
		}
		if after && (c.Corrected == nil || c.Corrected.Of != fx(130) || c.URL == "") {
			t.Errorf("K=%q: erratum of the correction %+v", k, c)
		}
		if _, ok := byID[fx(131)]; ok {
			t.Errorf("K=%q: the correction an erratum replaced is listed", k)
		}
	}
	if en, ok := x.Standing(fx(108)); !ok || en.Event.ID != fx(140) {
		t.Errorf("Standing(108) = %v", en)
	}
	tl := x.Timeline(projections.TimelineFilter{Entity: "jon-berg"})
	for _, it := range tl {
		if it.Event.ID == fx(109) || it.Event.Type == events.RecordWithdrawn {
			t.Errorf("timeline lists %s (%s)", it.Event.ID, it.Event.Type)
		}
	}
}

// TestErrataInAnyOrder: errata and withdrawals arriving before what they
// fix give the same answers.
func TestErrataInAnyOrder(t *testing.T) {
	evs, x := claimsStory(t)
	want := claimsAt(t, x, "")
	rng := rand.New(rand.NewPCG(7, 13))
	for range 20 {
		order := rng.Perm(len(evs))
		seqs := make([]uint64, len(order))
		for i, j := range order {
			seqs[i] = uint64(j + 1) // the stream sequence stays the file's
		}
		y := build(evs, order, seqs)
		if got := claimsAt(t, y, ""); got != want {
			t.Fatalf("order %v:\n%s\nwant\n%s", order, got, want)
		}
	}
}

func claimsAt(t *testing.T, x *projections.Index, k string) string {
	var lines []string
	for _, c := range x.ClaimsAt(projections.AsOf{KnownAt: ts(t, k)}, projections.ClaimFilter{}).Claims {
		lines = append(lines, c.ID[len(c.ID)-3:]+" "+c.Outlet+" "+claimLine(c))
	}
	return strings.Join(lines, "\n")
}

func TestSourcesByOutlet(t *testing.T) {
	_, x := claimsStory(t)
	got := map[string]string{}
	for _, s := range x.SourcesAt(projections.AsOf{}).Sources {
		got[s.Outlet] = fmt.Sprintf("%s claims=%d confirmed=%d partly=%d unresolved=%d open=%d relayed=%d carried=%d",
			s.Name, s.Claims, s.Confirmed, s.Partly, s.Unresolved, s.Open, s.Relayed, s.Carried)
	}
	for outlet, want := range map[string]string{
		"harbor-wire": "Harbor Wire claims=5 confirmed=2 partly=1 unresolved=1 open=1 relayed=1 carried=0",
		"the-ledger":  "The Ledger claims=4 confirmed=2 partly=0 unresolved=0 open=2 relayed=2 carried=1",
		"copydesk":    "Copydesk Daily claims=0 confirmed=0 partly=0 unresolved=0 open=0 relayed=2 carried=0",
	} {
		if got[outlet] != want {
			t.Errorf("%s: %q, want %q", outlet, got[outlet], want)
		}
	}
	if _, ok := got["Harbor Wire (via The Ledger)"]; ok {
		t.Error("the record an erratum replaced still counts for a free-text outlet")
	}
}

// TestLongRelayChain: a relay of a relay of … points at the first report
// at any depth, and the first report lists every relay, in linear time.
func TestLongRelayChain(t *testing.T) {
	const n = 3000
	x := projections.NewIndex()
	evs := make([]events.Event, n)
	at := ts(t, "2025-01-01T09:00:00Z")
	for i := range evs {
		c := &events.Claim{About: []string{"acme"}, Text: fmt.Sprintf("report %d", i), Lang: "en"}
		if i > 0 {
			c.Repeats = evs[i-1].ID
		}
		e := events.Event{Type: events.ClaimReported, OccurredAt: at, ReportedAt: at, Precision: events.PrecisionMinute,
			Source: events.Source{Outlet: "Wire", Attribution: events.Anonymous}, Data: c}
		e.ID = e.DeriveID()
		evs[i] = e
		at = at.Add(time.Minute)
	}
	for i := range evs {
		x.Add(uint64(i+1), &evs[i])
	}
	cs := x.ClaimsAt(projections.AsOf{}, projections.ClaimFilter{}).Claims
	if len(cs) != n || len(cs[0].Relays) != n-1 {
		t.Fatalf("%d claims, the first with %d relays; want %d and %d", len(cs), len(cs[0].Relays), n, n-1)
	}
	if last := cs[n-1]; last.Original == nil || last.Original.ID != evs[0].ID {
		t.Errorf("the last relay's original is %+v, want the first report", last.Original)
	}
}

// TestClaimAtAgreesWithClaimsAt: the one-claim view gives every claim the
// outcome, settlement, parts and original the whole view gives it.
func TestClaimAtAgreesWithClaimsAt(t *testing.T) {
	_, x := claimsStory(t)
	for _, k := range []string{"2025-03-02", "2025-03-03 10:45 CET", "2025-03-16", "2025-05-02 12:00 CEST", ""} {
		q := projections.AsOf{KnownAt: ts(t, k)}
		for _, want := range x.ClaimsAt(q, projections.ClaimFilter{}).Claims {
			got, ok := x.ClaimAt(want.ID, q)
			want.Relays = nil
			if !ok || !reflect.DeepEqual(got, want) {
				t.Errorf("K=%q claim %s: ClaimAt %+v\nClaimsAt %+v", k, want.ID[len(want.ID)-3:], got, want)
			}
		}
	}
}
