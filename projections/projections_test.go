package projections_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"storyline/events"
	"storyline/gen"
	"storyline/projections"
)

func load(t testing.TB, path string) []events.Event {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	evs, errs := events.ReadAll(f, path)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return evs
}

// index adds evs in the given order, numbering them from 1.
func index(evs []events.Event, order []int) *projections.Index {
	x := projections.NewIndex()
	for seq, i := range order {
		x.Add(uint64(seq+1), &evs[i])
	}
	return x
}

func identity(n int) []int {
	o := make([]int, n)
	for i := range o {
		o[i] = i
	}
	return o
}

func ts(s string) time.Time {
	t, err := events.ParseTime(s, time.Time{})
	if err != nil {
		panic(err)
	}
	return t
}

var far = ts("2030-01-01")

func members(b projections.Board) string {
	var out []string
	for _, m := range b.Members {
		out = append(out, m.Person+":"+string(m.Seat))
	}
	return strings.Join(out, " ")
}

func holders(r projections.Roles, role string) string {
	var out []string
	for _, h := range r.Roles {
		if string(h.Role) == role {
			s := h.Person
			if h.Interim {
				s += "(interim)"
			}
			out = append(out, s)
		}
	}
	return strings.Join(out, " ")
}

// TestInventedStory asks the invented second story (another company, three
// time zones) questions whose answers follow from DESIGN.md's rules.
func TestInventedStory(t *testing.T) {
	evs := load(t, "testdata/halvorsen.jsonl")
	x := index(evs, identity(len(evs)))
	const org = "halvorsen-robotics"
	tests := []struct {
		name  string
		at, k string
		board *string
		ceo   *string
		check func(t *testing.T, q projections.AsOf)
	}{
		{name: "founding board", at: "2023-01-01", k: "2030-01-01", board: ptr("anna-berg:director kari-nordmann:chair lee-wei:director"), ceo: ptr("kari-nordmann")},
		{name: "nobody before the founding", at: "2019-01-01", k: "2030-01-01", board: ptr(""), ceo: ptr("")},
		{name: "resignation not yet reported", at: "2024-02-12", k: "2024-02-12 12:00 CET", board: ptr("anna-berg:director kari-nordmann:chair lee-wei:director"), ceo: ptr("kari-nordmann")},
		{name: "late report applies back to when it happened", at: "2024-02-12", k: "2030-01-01", board: ptr("anna-berg:director lee-wei:director"), ceo: ptr("")},
		{name: "interim CEO from Singapore", at: "2024-02-14T05:00Z", k: "2030-01-01", ceo: ptr("lee-wei(interim)")},
		{name: "first report: a director", at: "2024-02-15T15:00Z", k: "2024-02-15T16:00Z", board: ptr("anna-berg:director lee-wei:director tom-becker:director")},
		{name: "the correction makes him chair", at: "2024-02-15T15:00Z", k: "2030-01-01", board: ptr("anna-berg:director lee-wei:director tom-becker:chair")},
		{name: "before the correction was reported", at: "2024-02-16T12:00Z", k: "2024-02-16T08:59Z", board: ptr("anna-berg:director lee-wei:director tom-becker:director")},
		{name: "right after the correction", at: "2024-02-16T12:00Z", k: "2024-02-16T09:00Z", board: ptr("anna-berg:director lee-wei:director tom-becker:chair")},
		{name: "new CEO ends the interim tenure", at: "2024-03-02", k: "2030-01-01", ceo: ptr("tom-becker")},
		{name: "CTO unchanged throughout", at: "2024-03-02", k: "2030-01-01", check: func(t *testing.T, q projections.AsOf) {
			if got := holders(x.RolesAt(org, q), "cto"); got != "lee-wei" {
				t.Errorf("cto %q", got)
			}
		}},
		{name: "the anomaly is kept and shown", at: "2024-03-02", k: "2030-01-01", check: func(t *testing.T, q projections.AsOf) {
			b := x.BoardAt(org, q)
			if len(b.Anomalies) != 1 || !strings.Contains(b.Anomalies[0].Reason, "kari-nordmann") {
				t.Errorf("anomalies %+v", b.Anomalies)
			}
		}},
		{name: "no anomaly before it was reported", at: "2024-03-02", k: "2024-02-29", check: func(t *testing.T, q projections.AsOf) {
			if b := x.BoardAt(org, q); len(b.Anomalies) != 0 {
				t.Errorf("anomalies %+v", b.Anomalies)
			}
		}},
		{name: "Lee Wei after: CTO, interim tenure ended", at: "2024-03-02", k: "2030-01-01", check: func(t *testing.T, q projections.AsOf) {
			s := x.StatusAt("lee-wei", q)
			if len(s.Positions) != 1 || s.Positions[0].Role != "cto" || len(s.Former) != 1 || s.Former[0].How != events.HowInterimEnded {
				t.Errorf("status %+v", s)
			}
		}},
		{name: "Nordmann: resigned, announced to join the investor", at: "2024-03-03", k: "2030-01-01", check: func(t *testing.T, q projections.AsOf) {
			s := x.StatusAt("kari-nordmann", q)
			if len(s.Positions) != 0 || len(s.Announced) != 1 || s.Announced[0].Org != "fjord-capital" || !strings.Contains(s.Summary, "resigned as ceo") {
				t.Errorf("status %+v", s)
			}
		}},
		{name: "Nordmann as known before the filing", at: "2024-03-03", k: "2024-02-13", check: func(t *testing.T, q projections.AsOf) {
			s := x.StatusAt("kari-nordmann", q)
			if len(s.Positions) != 1 || s.Positions[0].Role != "ceo" {
				t.Errorf("status %+v", s.Positions)
			}
		}},
		{name: "since keeps its precision", at: "2023-01-01", k: "2030-01-01", check: func(t *testing.T, q projections.AsOf) {
			for _, m := range x.BoardAt(org, q).Members {
				want := events.PrecisionDay
				if m.Person == "anna-berg" {
					want = events.PrecisionMinute
				}
				if m.SincePrecision != want {
					t.Errorf("%s since precision %s, want %s", m.Person, m.SincePrecision, want)
				}
			}
		}},
		{name: "claims: one confirmed 38 h early, one refuted", at: "2030-01-01", k: "2030-01-01", check: func(t *testing.T, q projections.AsOf) {
			cs := x.ClaimsAt(q, projections.ClaimFilter{}).Claims
			if len(cs) != 2 || cs[0].Outcome != "confirmed" || cs[0].LeadHours == nil || *cs[0].LeadHours != 38 || cs[1].Outcome != "refuted" {
				b, _ := json.Marshal(cs)
				t.Errorf("claims %s", b)
			}
		}},
		{name: "claim still open before the filing", at: "2030-01-01", k: "2024-02-13", check: func(t *testing.T, q projections.AsOf) {
			cs := x.ClaimsAt(q, projections.ClaimFilter{}).Claims
			if len(cs) != 1 || cs[0].Outcome != "open" {
				t.Errorf("claims %+v", cs)
			}
		}},
		{name: "sources: the anonymous outlet's record", at: "2030-01-01", k: "2030-01-01", check: func(t *testing.T, q projections.AsOf) {
			for _, s := range x.SourcesAt(q).Sources {
				if s.Outlet == "Oslo Ledger" && (s.Confirmed != 1 || s.Claims != 1 || s.MedianLead == nil || *s.MedianLead != 38) {
					t.Errorf("Oslo Ledger %+v", s)
				}
			}
		}},
		{name: "stakes", at: "2030-01-01", k: "2030-01-01", check: func(t *testing.T, q projections.AsOf) {
			s := x.StakesAt(org, q).Stakes
			if len(s) != 1 || s[0].Holder != "fjord-capital" || s[0].Amount != 120e6 {
				t.Errorf("stakes %+v", s)
			}
		}},
		{name: "timeline by reported clock puts the late filing after the rumour", at: "2030-01-01", k: "2030-01-01", check: func(t *testing.T, q projections.AsOf) {
			items := x.Timeline(projections.TimelineFilter{Entity: "kari-nordmann", By: projections.ByReported})
			var types []string
			for _, it := range items {
				types = append(types, string(it.Event.Type))
			}
			i, j := slices.Index(types, "claim.reported"), slices.Index(types, "role.ended")
			if i < 0 || j < i {
				t.Errorf("order %v", types)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := projections.AsOf{At: ts(tt.at), KnownAt: ts(tt.k)}
			if tt.board != nil {
				if got := members(x.BoardAt(org, q)); got != *tt.board {
					t.Errorf("board %q, want %q", got, *tt.board)
				}
			}
			if tt.ceo != nil {
				if got := holders(x.RolesAt(org, q), "ceo"); got != *tt.ceo {
					t.Errorf("ceo %q, want %q", got, *tt.ceo)
				}
			}
			if tt.check != nil {
				tt.check(t, q)
			}
		})
	}
}

func ptr(s string) *string { return &s }

func TestResolve(t *testing.T) {
	x := index(load(t, "testdata/halvorsen.jsonl"), identity(26))
	tests := []struct{ in, want, err string }{
		{"lee-wei", "lee-wei", ""},
		{"李伟", "lee-wei", ""},
		{"卡丽·诺德曼", "kari-nordmann", ""},
		{"becker", "tom-becker", ""},
		{"HALVORSEN", "halvorsen-robotics", ""},
		{"halv", "halvorsen-robotics", ""},
		{"Tom", "tom-becker", ""},
		{"nobody-at-all", "", "unknown entity"},
		{"", "", "unknown entity"},
		{"lee", "", "ambiguous"},
		{"Lee W", "", "ambiguous"},
		{"Lee Wei", "lee-wei", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := x.Names().Resolve(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got %q, %v; want error %q", got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// answers renders every view of x at q as JSON, for comparing two indexes.
func answers(x *projections.Index, q projections.AsOf) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	for _, id := range x.Entities() {
		enc.Encode(x.BoardAt(id, q))
		enc.Encode(x.RolesAt(id, q))
		enc.Encode(x.StakesAt(id, q))
		if e, ok := x.Names().Entity(id); ok && e.Kind == events.Person {
			s := x.StatusAt(id, q)
			s.Recent = nil // recent lists carry arrival sequences
			enc.Encode(s)
		}
	}
	c := x.ClaimsAt(q, projections.ClaimFilter{})
	for i := range c.Claims {
		c.Claims[i].Seq = 0
	}
	enc.Encode(c)
	enc.Encode(x.SourcesAt(q))
	return stripSeqs(b.String())
}

func stripSeqs(s string) string {
	var out []string
	for _, part := range strings.Split(s, `"seq":`) {
		i := strings.IndexAny(part, ",}")
		if len(out) > 0 && i >= 0 {
			part = part[i:]
		}
		out = append(out, part)
	}
	return strings.Join(out, `"seq":0`)
}

// TestArrivalOrderDoesNotMatter is the property DESIGN.md demands: any
// permutation of arrival order gives identical answers at any (T, K).
func TestArrivalOrderDoesNotMatter(t *testing.T) {
	stories := map[string][]events.Event{
		"invented":  load(t, "testdata/halvorsen.jsonl"),
		"synthetic": gen.Generate(gen.Config{Events: 1500, Seed: 3}),
	}
	for name, evs := range stories {
		t.Run(name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			base := index(evs, identity(len(evs)))
			all := base.All()
			lo, hi := all[0].Event.OccurredAt, all[len(all)-1].Event.ReportedAt
			var qs []projections.AsOf
			for i := 0; i < 12; i++ {
				at := lo.Add(time.Duration(r.Int64N(int64(hi.Sub(lo)) + 1)))
				k := lo.Add(time.Duration(r.Int64N(int64(hi.Sub(lo)) + 1)))
				qs = append(qs, projections.AsOf{At: at, KnownAt: k})
			}
			qs = append(qs, projections.AsOf{At: hi, KnownAt: hi})
			want := make([]string, len(qs))
			for i, q := range qs {
				want[i] = answers(base, q)
			}
			for p := 0; p < 6; p++ {
				order := r.Perm(len(evs))
				x := index(evs, order)
				for i, q := range qs {
					if got := answers(x, q); got != want[i] {
						t.Fatalf("permutation %d, question %d (T %s, K %s): answers differ", p, i, q.At, q.KnownAt)
					}
				}
			}
		})
	}
}

func TestCorrectionChainsAndUnknownTargets(t *testing.T) {
	mk := func(id, supersedes, seat, reported string) events.Event {
		line := fmt.Sprintf(`{"id":%q,"type":"board.seat_taken","occurred_at":"2024-01-01T10:00:00Z","reported_at":%q,"source":{"outlet":"W","attribution":"official"},"data":{"org":"acme","person":"jo","seat":%q}%s}`,
			id, reported, seat, map[bool]string{true: `,"supersedes":"` + supersedes + `"`, false: ""}[supersedes != ""])
		e, err := events.Decode([]byte(line))
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	a := mk("aaaaaaaa-0000-5000-8000-000000000001", "", "director", "2024-01-01T11:00:00Z")
	b := mk("aaaaaaaa-0000-5000-8000-000000000002", a.ID, "chair", "2024-01-02T11:00:00Z")
	c := mk("aaaaaaaa-0000-5000-8000-000000000003", b.ID, "observer", "2024-01-03T11:00:00Z")
	d := mk("aaaaaaaa-0000-5000-8000-000000000004", "aaaaaaaa-0000-5000-8000-00000000ffff", "director", "2024-01-04T11:00:00Z")
	x := index([]events.Event{c, a, b}, []int{0, 1, 2})
	for k, want := range map[string]string{"2024-01-01T12:00:00Z": "jo:director", "2024-01-02T12:00:00Z": "jo:chair", "2024-01-03T12:00:00Z": ""} {
		if got := members(x.BoardAt("acme", projections.AsOf{At: far, KnownAt: ts(k)})); got != want {
			t.Errorf("known at %s: %q, want %q", k, got, want)
		}
	}
	y := index([]events.Event{d}, []int{0})
	b2 := y.BoardAt("acme", projections.AsOf{At: far, KnownAt: far})
	if members(b2) != "jo:director" || len(b2.Anomalies) != 1 || !strings.Contains(b2.Anomalies[0].Reason, "unknown event") {
		t.Errorf("correction of an unknown event: %+v", b2)
	}
}

func TestSharedRoles(t *testing.T) {
	var evs []events.Event
	for i, p := range []string{"ann", "bob", "cy"} {
		shared := p != "cy"
		line := fmt.Sprintf(`{"type":"role.started","occurred_at":"2024-01-0%dT10:00:00Z","reported_at":"2024-01-0%dT10:00:00Z","source":{"outlet":"W","attribution":"official"},"data":{"person":%q,"org":"acme","role":"ceo","interim":false,"shared":%v}}`, i+1, i+1, p, shared)
		e, err := events.Decode([]byte(line))
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, e)
	}
	x := index(evs, identity(3))
	if got := holders(x.RolesAt("acme", projections.AsOf{At: ts("2024-01-02T12:00:00Z"), KnownAt: far}), "ceo"); got != "ann bob" {
		t.Errorf("co-CEOs %q", got)
	}
	if got := holders(x.RolesAt("acme", projections.AsOf{At: far, KnownAt: far}), "ceo"); got != "cy" {
		t.Errorf("after a sole CEO %q", got)
	}
}

// The benchmarks ask one as-of question of a built index; growth from 10k
// to 1M events should be logarithmic, not linear.
//
//	go test -run '^$' -bench AsOf -benchtime 2000x ./projections
func BenchmarkBoardAsOf(b *testing.B) { benchAsOf(b, "board") }

func BenchmarkStatusAsOf(b *testing.B) { benchAsOf(b, "status") }

func benchAsOf(b *testing.B, view string) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			evs := gen.Generate(gen.Config{Events: n, Seed: 1})
			x := index(evs, identity(len(evs)))
			all := x.All()
			lo, hi := all[0].Event.OccurredAt, all[len(all)-1].Event.OccurredAt
			r := rand.New(rand.NewPCG(9, 9))
			var orgs, people []string
			for _, e := range x.Names().All() {
				if e.Kind == events.Org {
					orgs = append(orgs, e.ID)
				} else {
					people = append(people, e.ID)
				}
			}
			sort.Strings(orgs)
			for _, o := range orgs {
				x.BoardAt(o, projections.AsOf{At: hi, KnownAt: hi}) // build the snapshots once
			}
			b.ResetTimer()
			for b.Loop() {
				q := projections.AsOf{At: lo.Add(time.Duration(r.Int64N(int64(hi.Sub(lo))))), KnownAt: hi}
				if view == "board" {
					x.BoardAt(orgs[r.IntN(len(orgs))], q)
				} else {
					x.StatusAt(people[r.IntN(len(people))], q)
				}
			}
		})
	}
}
