package projections_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"storyline/events"
	"storyline/projections"
)

// ev builds one valid event through the decoder. at and rep are RFC 3339;
// extra sets envelope fields (id, supersedes, scheduled, occurred_precision).
func ev(tb testing.TB, typ, at, rep string, data map[string]any, extra ...any) events.Event {
	tb.Helper()
	m := map[string]any{"type": typ, "occurred_at": at, "reported_at": rep,
		"source": map[string]any{"outlet": "Wire", "attribution": "official"}, "data": data}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i].(string)] = extra[i+1]
	}
	b, _ := json.Marshal(m)
	e, err := events.Decode(b)
	if err != nil {
		tb.Fatalf("%s: %v", b, err)
	}
	return e
}

func id(n int) string { return fmt.Sprintf("aaaaaaaa-0000-5000-8000-%012d", n) }

func seatTaken(person, seat string) map[string]any {
	return map[string]any{"org": "acme", "person": person, "seat": seat}
}

func seatLeft(person, seat string) map[string]any {
	return map[string]any{"org": "acme", "person": person, "seat": seat, "how": "resigned"}
}

func roleStarted(person, role string, interim, shared bool) map[string]any {
	return map[string]any{"org": "acme", "person": person, "role": role, "interim": interim, "shared": shared}
}

func roleEnded(person, role, how string) map[string]any {
	return map[string]any{"org": "acme", "person": person, "role": role, "how": how}
}

func day(d int) string { return fmt.Sprintf("2024-01-%02dT10:00:00Z", d) }

func TestCorrections(t *testing.T) {
	a := ev(t, "board.seat_taken", day(1), day(1), seatTaken("jo", "director"), "id", id(1))
	b := ev(t, "board.seat_taken", day(1), day(2), seatTaken("jo", "chair"), "id", id(2), "supersedes", id(1))
	c := ev(t, "board.seat_taken", day(1), day(3), seatTaken("jo", "observer"), "id", id(3), "supersedes", id(2))
	sib := ev(t, "board.seat_taken", day(1), day(4), seatTaken("jo", "director"), "id", id(4), "supersedes", id(1))
	other := ev(t, "board.seat_taken", day(1), day(2), seatTaken("kim", "director"), "id", id(5), "supersedes", id(1))
	orphan := ev(t, "board.seat_taken", day(5), day(5), seatTaken("al", "director"), "id", id(6), "supersedes", id(99))
	target := ev(t, "board.seat_left", day(4), day(4), seatLeft("al", "director"), "id", id(99))
	tests := []struct {
		name  string
		evs   []events.Event
		k     string
		board string
		anoms int
	}{
		{"before the correction, the original stands", []events.Event{a, b}, day(1), "jo:director", 0},
		{"from the correction's reported_at, the correction", []events.Event{a, b}, day(2), "jo:chair", 0},
		{"a chain: the last correction known wins", []events.Event{a, b, c}, day(3), "jo:observer", 0},
		{"a chain, known halfway", []events.Event{c, b, a}, day(2), "jo:chair", 0},
		{"two corrections of one event: the latest reported wins", []events.Event{a, b, sib}, day(4), "jo:director", 0},
		{"two corrections of one event, before the second", []events.Event{sib, b, a}, day(3), "jo:chair", 0},
		{"a correction may name someone else", []events.Event{a, other}, day(2), "kim:director", 0},
		{"a correction of an unknown event is kept, as itself, as an anomaly", []events.Event{orphan}, day(9), "al:director", 1},
		{"the anomaly goes once the corrected event arrives", []events.Event{orphan, target}, day(9), "al:director", 0},
		{"and the corrected event no longer counts", []events.Event{target, orphan}, day(4), "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := build(tt.evs, inOrder(len(tt.evs)), nil)
			bd := x.BoardAt("acme", asOf(t, "2024-02-01", tt.k))
			if got := seats(bd); got != tt.board || len(bd.Anomalies) != tt.anoms {
				t.Errorf("board %q with %d anomalies %+v, want %q with %d", got, len(bd.Anomalies), bd.Anomalies, tt.board, tt.anoms)
			}
		})
	}
}

func TestResolveUndescribed(t *testing.T) {
	x := build([]events.Event{ev(t, "board.seat_taken", day(1), day(1), seatTaken("jo", "director"))}, []int{0}, nil)
	if got, err := x.Resolve("jo"); err != nil || got != "jo" {
		t.Errorf("Resolve(jo) = %q, %v", got, err)
	}
	if _, err := x.Names().Resolve("jo"); !errors.Is(err, projections.ErrUnknownEntity) {
		t.Errorf("Names().Resolve(jo) = %v, want unknown (never described)", err)
	}
}

func TestAnomalies(t *testing.T) {
	tests := []struct {
		name   string
		evs    []events.Event
		board  string
		roles  string
		reason string // in the single anomaly, "" for none
	}{
		{"leaving a board one is not on", []events.Event{
			ev(t, "board.seat_left", day(1), day(1), seatLeft("jo", "director")),
		}, "", "", "jo leaves a director seat on the acme board without holding one"},
		{"leaving another seat than the one held: anomaly, and off the board", []events.Event{
			ev(t, "board.seat_taken", day(1), day(1), seatTaken("jo", "chair")),
			ev(t, "board.seat_left", day(2), day(2), seatLeft("jo", "director")),
		}, "", "", "but held the chair seat"},
		{"leaving twice: the second is the anomaly", []events.Event{
			ev(t, "board.seat_taken", day(1), day(1), seatTaken("jo", "director")),
			ev(t, "board.seat_left", day(2), day(2), seatLeft("jo", "director")),
			ev(t, "board.seat_left", day(3), day(3), seatLeft("jo", "director")),
		}, "", "", "without holding one"},
		{"a late report of the departure resolves the order", []events.Event{
			ev(t, "board.seat_left", day(2), day(9), seatLeft("jo", "director")),
			ev(t, "board.seat_taken", day(1), day(1), seatTaken("jo", "director")),
		}, "", "", ""},
		{"ending a role one does not hold", []events.Event{
			ev(t, "role.started", day(1), day(1), roleStarted("jo", "ceo", false, false)),
			ev(t, "role.ended", day(2), day(2), roleEnded("kim", "ceo", "fired")),
		}, "", "ceo=jo", "kim ends role ceo at acme without holding it"},
		{"ending a role after being replaced", []events.Event{
			ev(t, "role.started", day(1), day(1), roleStarted("jo", "ceo", false, false)),
			ev(t, "role.started", day(2), day(2), roleStarted("kim", "ceo", false, false)),
			ev(t, "role.ended", day(3), day(3), roleEnded("jo", "ceo", "fired")),
		}, "", "ceo=kim", "jo ends role ceo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := build(tt.evs, inOrder(len(tt.evs)), nil)
			q := asOf(t, "", "")
			b, r := x.BoardAt("acme", q), x.RolesAt("acme", q)
			all := append(b.Anomalies, r.Anomalies...)
			if seats(b) != tt.board || roles(r) != tt.roles {
				t.Errorf("board %q roles %q, want %q %q", seats(b), roles(r), tt.board, tt.roles)
			}
			switch {
			case tt.reason == "" && len(all) != 0:
				t.Errorf("anomalies %+v, want none", all)
			case tt.reason != "" && (len(all) != 1 || !strings.Contains(all[0].Reason, tt.reason)):
				t.Errorf("anomalies %+v, want one saying %q", all, tt.reason)
			}
		})
	}
}

func TestRoleRules(t *testing.T) {
	tests := []struct {
		name  string
		evs   []events.Event
		roles string
		since string // of the first holder, RFC 3339 UTC
	}{
		{"two shared holders coexist", []events.Event{
			ev(t, "role.started", day(1), day(1), roleStarted("ann", "ceo", false, true)),
			ev(t, "role.started", day(2), day(2), roleStarted("bob", "ceo", false, true)),
		}, "ceo=ann+shared ceo=bob+shared", day(1)},
		{"a non-shared start ends both", []events.Event{
			ev(t, "role.started", day(1), day(1), roleStarted("ann", "ceo", false, true)),
			ev(t, "role.started", day(2), day(2), roleStarted("bob", "ceo", false, true)),
			ev(t, "role.started", day(3), day(3), roleStarted("cy", "ceo", false, false)),
		}, "ceo=cy", day(3)},
		{"a shared start does not share a non-shared role", []events.Event{
			ev(t, "role.started", day(1), day(1), roleStarted("ann", "ceo", false, false)),
			ev(t, "role.started", day(2), day(2), roleStarted("bob", "ceo", false, true)),
		}, "ceo=bob+shared", day(2)},
		{"a repeated report keeps since", []events.Event{
			ev(t, "role.started", day(1), day(1), roleStarted("ann", "ceo", true, false)),
			ev(t, "role.started", day(2), day(2), roleStarted("ann", "ceo", true, false)),
		}, "ceo=ann~interim", day(1)},
		{"interim made permanent starts a new tenure", []events.Event{
			ev(t, "role.started", day(1), day(1), roleStarted("ann", "ceo", true, false)),
			ev(t, "role.started", day(5), day(5), roleStarted("ann", "ceo", false, false)),
		}, "ceo=ann", day(5)},
		{"other roles are untouched", []events.Event{
			ev(t, "role.started", day(1), day(1), roleStarted("ann", "cto", false, false)),
			ev(t, "role.started", day(2), day(2), roleStarted("bob", "ceo", false, false)),
		}, "ceo=bob cto=ann", day(2)},
		{"arrival order does not decide", []events.Event{
			ev(t, "role.started", day(3), day(3), roleStarted("cy", "ceo", false, false)),
			ev(t, "role.started", day(1), day(1), roleStarted("ann", "ceo", false, false)),
		}, "ceo=cy", day(3)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := build(tt.evs, inOrder(len(tt.evs)), nil)
			r := x.RolesAt("acme", asOf(t, "", ""))
			if got := roles(r); got != tt.roles {
				t.Fatalf("roles %q, want %q", got, tt.roles)
			}
			if got := r.Roles[0].Since.UTC().Format("2006-01-02T15:04:05Z"); got != tt.since {
				t.Errorf("since %s, want %s", got, tt.since)
			}
		})
	}
}

func TestPrecisionTravels(t *testing.T) {
	evs := []events.Event{
		ev(t, "role.started", "2018-03-01T00:00:00+01:00", "2018-03-01T00:00:00+01:00", roleStarted("ann", "ceo", false, false), "occurred_precision", "month"),
		ev(t, "board.seat_taken", "2019-01-01T00:00:00+01:00", "2019-01-01T00:00:00+01:00", seatTaken("ann", "chair"), "occurred_precision", "year"),
		ev(t, "role.ended", "2024-01-05T21:00:00-08:00", "2024-01-06T09:00:00Z", roleEnded("ann", "ceo", "fired"), "occurred_precision", "day"),
	}
	x := build(evs, inOrder(len(evs)), nil)
	tests := []struct {
		name, at, want string
	}{
		{"month and year precise facts", "2020-01-01", "CEO of acme since 2018-03; chair on the acme board since 2019"},
		{"the ending's date in its own offset", "2024-02-01", "chair on the acme board since 2019; fired as CEO of acme on 2024-01-05"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := x.StatusAt("ann", asOf(t, tt.at, ""))
			if s.Summary != tt.want {
				t.Errorf("summary %q, want %q", s.Summary, tt.want)
			}
		})
	}
	s := x.StatusAt("ann", asOf(t, "2020-01-01", ""))
	if s.Positions[0].SincePrecision != events.PrecisionMonth || s.Seats[0].SincePrecision != events.PrecisionYear {
		t.Errorf("precisions %+v %+v", s.Positions, s.Seats)
	}
	b := x.BoardAt("acme", asOf(t, "2020-01-01", ""))
	if b.Members[0].SincePrecision != events.PrecisionYear || b.Members[0].Since.Format("-07:00") != "+01:00" {
		t.Errorf("member %+v", b.Members[0])
	}
}

// TestJSONShapes pins the field names DESIGN.md fixes.
func TestJSONShapes(t *testing.T) {
	x := storyIndex(t)
	q := asOf(t, "2025-04-02", "")
	tests := []struct {
		name string
		view any
		keys []string
	}{
		{"board", x.BoardAt(org, q), []string{`"org":`, `"at":`, `"known_at":`, `"members":[{"person":`, `"name":`, `"seat":`, `"since":`, `"since_precision":`, `"observers":[{"person":`}},
		{"roles", x.RolesAt(org, q), []string{`"org":`, `"at":`, `"known_at":`, `"roles":[{"role":`, `"person":`, `"name":`, `"interim":`, `"since":`}},
		{"status", x.StatusAt("lee-wei", q), []string{`"person":`, `"name":`, `"at":`, `"known_at":`, `"positions":[{"org":`, `"role":`, `"interim":`, `"since":`, `"announced":`, `"summary":`, `"recent":[{"seq":`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.view)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range tt.keys {
				if !strings.Contains(string(b), k) {
					t.Errorf("no %s in %s", k, b)
				}
			}
			if strings.Contains(string(b), `":null`) {
				t.Errorf("null list in %s", b)
			}
		})
	}
	if b, _ := json.Marshal(x.BoardAt(org, q)); !strings.Contains(string(b), `"since":"2025-03-03T10:05:00+01:00"`) {
		t.Errorf("since not RFC 3339 in its own offset: %s", b)
	}
}

// TestLiveAddsMatchBulk adds events one at a time, asking questions in
// between (so snapshots go stale and are rebuilt), and checks the end
// state against an index built at once.
func TestLiveAddsMatchBulk(t *testing.T) {
	evs := projections.Synthetic(3000, 11)
	order := inOrder(len(evs))
	// Arrival by reported time, as a live stream sees them.
	slices.SortStableFunc(order, func(a, b int) int { return evs[a].ReportedAt.Compare(evs[b].ReportedAt) })
	live := projections.NewIndex()
	for i, j := range order {
		live.Add(uint64(i+1), &evs[j])
		if i%97 == 0 {
			e := &evs[j]
			live.BoardAt("org-1", projections.AsOf{At: e.OccurredAt, KnownAt: e.ReportedAt})
			live.StatusAt("person-3", projections.AsOf{})
		}
	}
	bulk := build(evs, order, nil)
	r := newRand(5)
	for _, q := range randomQuestions(bulk, r, 200) {
		for _, v := range []struct{ a, b any }{
			{live.BoardAt("org-1", q), bulk.BoardAt("org-1", q)},
			{live.RolesAt("org-2", q), bulk.RolesAt("org-2", q)},
			{live.StatusAt("person-3", q), bulk.StatusAt("person-3", q)},
			{live.ClaimsAt(q, projections.ClaimFilter{}), bulk.ClaimsAt(q, projections.ClaimFilter{})},
		} {
			if ga, gb := canonical(t, v.a), canonical(t, v.b); ga != gb {
				t.Fatalf("live and bulk differ at %+v:\n%s\n%s", q, ga, gb)
			}
		}
	}
}

// TestConcurrentQueries asks questions from several goroutines at once
// after a batch of adds: the first ones bring the index up to date under
// its lock. Run with -race.
func TestConcurrentQueries(t *testing.T) {
	evs := projections.Synthetic(3000, 4)
	x := build(evs, newRand(1).Perm(len(evs)), nil)
	done := make(chan string)
	for g := 0; g < 4; g++ {
		go func() {
			q := projections.AsOf{}
			done <- canonical(t, x.BoardAt("org-1", q)) + canonical(t, x.StatusAt("person-2", q)) +
				canonical(t, x.ClaimsAt(q, projections.ClaimFilter{})) + fmt.Sprint(len(x.Timeline(projections.TimelineFilter{Entity: "org-1"})))
		}()
	}
	first := <-done
	for g := 1; g < 4; g++ {
		if got := <-done; got != first {
			t.Fatal("concurrent answers differ")
		}
	}
}

// TestCorrectedClaims: a resolution of a claim settles its correction too.
func TestCorrectedClaims(t *testing.T) {
	claim := func(n int, text, rep string, extra ...any) events.Event {
		return ev(t, "claim.reported", day(1), rep, map[string]any{"about": []string{"acme"}, "text": text, "lang": "en"},
			append([]any{"id", id(n)}, extra...)...)
	}
	evs := []events.Event{
		claim(1, "acme to be sold", day(1)),
		claim(2, "acme to be sold to rivals", day(2), "supersedes", id(1)),
		ev(t, "board.seat_taken", day(3), day(4), seatTaken("jo", "chair"), "id", id(3)),
		ev(t, "claim.resolved", day(4), day(4), map[string]any{"claim": id(1), "outcome": "confirmed", "by_event": id(3)}),
		ev(t, "claim.resolved", day(5), day(5), map[string]any{"claim": id(9), "outcome": "refuted", "by_event": id(3)}),
	}
	x := build(evs, inOrder(len(evs)), nil)
	tests := []struct {
		name, k, want string
	}{
		{"first version, open", day(1), "aaaaaaaa-0000-5000-8000-000000000001:acme to be sold:open"},
		{"corrected, open", day(3), "aaaaaaaa-0000-5000-8000-000000000002:acme to be sold to rivals:open"},
		{"the resolution of the first version settles the correction", day(4), "aaaaaaaa-0000-5000-8000-000000000002:acme to be sold to rivals:confirmed:72"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := x.ClaimsAt(asOf(t, "", tt.k), projections.ClaimFilter{})
			var got []string
			for _, c := range cs.Claims {
				s := c.ID + ":" + c.Text + ":" + c.Outcome
				if c.LeadHours != nil {
					s += fmt.Sprint(":", *c.LeadHours)
				}
				got = append(got, s)
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("claims %q, want %q", got, tt.want)
			}
		})
	}
	if a := x.ClaimsAt(projections.AsOf{}, projections.ClaimFilter{}).Anomalies; len(a) != 1 || !strings.Contains(a[0].Reason, id(9)) {
		t.Errorf("anomalies %+v", a)
	}
}
