package replay_test

import (
	"bytes"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"storyline/events"
	"storyline/projections"
	"storyline/replay"
)

// The invented story of the projections tests.
const story = "../projections/testdata/halvorsen.jsonl"

func mustIndex(tb testing.TB) (*projections.Index, []events.Event) {
	tb.Helper()
	b, err := os.ReadFile(story)
	if err != nil {
		tb.Fatal(err)
	}
	rd := events.NewReader(bytes.NewReader(b), story)
	var evs []events.Event
	for {
		e, _, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		evs = append(evs, e)
	}
	x := projections.NewIndex()
	// Arrive backwards, to show arrival does not matter.
	for i := len(evs) - 1; i >= 0; i-- {
		x.Add(uint64(len(evs)-i), &evs[i])
	}
	return x, evs
}

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

// lines renders steps as "type: change | change".
func lines(steps []replay.Step) []string {
	var out []string
	for _, s := range steps {
		var cs []string
		for _, c := range s.Changes {
			cs = append(cs, c.Text)
		}
		out = append(out, string(s.Event.Type)+": "+strings.Join(cs, " | "))
	}
	return out
}

func TestSteps(t *testing.T) {
	x, _ := mustIndex(t)
	tests := []struct {
		name string
		opts replay.Options
		want []string
	}{
		{"by occurred: the late filing where it happened; the correction in place of the first report",
			replay.Options{From: ts(t, "2024-02-10"), Until: ts(t, "2024-02-16")},
			[]string{
				"board.seat_left: board Halvorsen Robotics ASA: − Kari Nordmann (resigned)",
				"role.ended: roles Halvorsen Robotics ASA: ceo Kari Nordmann → (vacant: resigned)",
				"claim.reported: ",
				"role.started: roles Halvorsen Robotics ASA: ceo (vacant) → Lee Wei (interim)",
				"claim.resolved: claim confirmed: Nordmann has quietly resigned as CEO (Oslo Ledger, 38h ahead of the official word)",
				"board.seat_taken: board Halvorsen Robotics ASA: + Tom Becker (chair)",
			}},
		{"by occurred, as known before the filing",
			replay.Options{From: ts(t, "2024-02-10"), Until: ts(t, "2024-02-16"), KnownAt: ts(t, "2024-02-13")},
			[]string{"claim.reported: "}},
		// The interim appointment was public hours before the filing of the
		// resignation: the public saw a replacement, and the filing then
		// changed the past, not the present.
		{"by reported: the public's picture, report by report",
			replay.Options{By: replay.ByReported, From: ts(t, "2024-02-14"), Until: ts(t, "2024-02-17")},
			[]string{
				"role.started: roles Halvorsen Robotics ASA: ceo Kari Nordmann → Lee Wei (interim)",
				"board.seat_left: board Halvorsen Robotics ASA: − Kari Nordmann (resigned)",
				"role.ended: ",
				"claim.resolved: claim confirmed: Nordmann has quietly resigned as CEO (Oslo Ledger, 38h ahead of the official word)",
				"board.seat_taken: board Halvorsen Robotics ASA: + Tom Becker (director)",
				"board.seat_taken: board Halvorsen Robotics ASA: Tom Becker director → chair",
			}},
		{"an anomaly is a change of its own",
			replay.Options{From: ts(t, "2024-03-01 07:00 CET"), Until: ts(t, "2024-03-01 08:30 CET")},
			[]string{"board.seat_left: anomaly (kept): kari-nordmann leaves a chair seat on the halvorsen-robotics board without holding one"}},
		{"two changes reported together show one each, and a refutation after the fact",
			replay.Options{By: replay.ByReported, From: ts(t, "2025-03-03 12:00 CET"), Until: ts(t, "2025-03-05 09:00 CET")},
			[]string{
				"board.seat_taken: board Halvorsen Robotics ASA: Tom Becker chair → director",
				"board.seat_taken: board Halvorsen Robotics ASA: Anna Berg director → chair",
				"claim.resolved: claim confirmed: Berg to take over as chair on Monday (Oslo Ledger, 16h ahead of the official word)",
				"claim.reported: ",
				"claim.resolved: claim refuted: Becker is leaving the board (Wall Street Wire)",
			}},
		{"shared holders ended by a non-shared start",
			replay.Options{From: ts(t, "2025-07-01"), Until: ts(t, "2025-07-01 23:00 ET"), Type: events.RoleStarted},
			[]string{"role.started: roles Halvorsen Robotics ASA: president Lee Wei, Mei Tan → Tom Becker"}},
		{"a start announced ahead takes effect when it happens",
			replay.Options{From: ts(t, "2025-06-01"), Until: ts(t, "2025-06-01 23:00 SGT"), Entity: "ravi-menon"},
			[]string{"role.started: roles Halvorsen Robotics ASA: cfo (vacant) → Ravi Menon | status Ravi Menon: no longer announced to join Halvorsen Robotics ASA (cfo)"}},
		{"the correction of a stake, by reported time",
			replay.Options{By: replay.ByReported, Type: events.StakeDisclosed, From: ts(t, "2025-03-11")},
			[]string{
				"stake.disclosed: stakes Halvorsen Robotics ASA: Fjord Capital 150000000 USD → 140000000 USD",
				"stake.disclosed: stakes Halvorsen Robotics ASA: Fjord Capital 140000000 USD → 145000000 USD",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := lines(replay.Replay(x, tt.opts))
			if !slices.Equal(got, tt.want) {
				t.Errorf("steps:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestStepsStampTheirClock(t *testing.T) {
	x, _ := mustIndex(t)
	for _, by := range []replay.Clock{replay.ByOccurred, replay.ByReported} {
		for s := range replay.Steps(x, replay.Options{By: by}) {
			want := s.Event.OccurredAt
			if by == replay.ByReported {
				want = s.Event.ReportedAt
			}
			for _, c := range s.Changes {
				if !c.At.Equal(want) {
					t.Fatalf("%s: change %q at %v, want %v", by, c.Text, c.At, want)
				}
			}
		}
	}
}

func TestDiff(t *testing.T) {
	x, _ := mustIndex(t)
	tests := []struct {
		name     string
		from, to projections.AsOf
		want     []string // every one of these, in this order
		not      []string
	}{
		{"the crisis of February 2024, as known a year on",
			projections.AsOf{At: ts(t, "2024-02-01"), KnownAt: ts(t, "2025-01-01")},
			projections.AsOf{At: ts(t, "2024-03-05"), KnownAt: ts(t, "2025-01-01")},
			[]string{
				"board Halvorsen Robotics ASA: − Kari Nordmann (chair)",
				"board Halvorsen Robotics ASA: + Tom Becker (chair)",
				"roles Halvorsen Robotics ASA: ceo Kari Nordmann → Tom Becker",
				"new claim, confirmed: Nordmann has quietly resigned as CEO (Oslo Ledger)",
				"new claim, refuted: Lee Wei will stay on as CEO (Straits Tech Daily)",
				"status Kari Nordmann: resigned as CEO of Halvorsen Robotics ASA on 2024-02-10; announced to join Fjord Capital (partner)",
			},
			[]string{"roles Halvorsen Robotics ASA: cto"}},
		{"what the public learned between Feb 13 and Feb 15 about Feb 12 (same T, two K)",
			projections.AsOf{At: ts(t, "2024-02-12"), KnownAt: ts(t, "2024-02-13")},
			projections.AsOf{At: ts(t, "2024-02-12"), KnownAt: ts(t, "2024-02-15")},
			[]string{
				"board Halvorsen Robotics ASA: − Kari Nordmann (chair)",
				"roles Halvorsen Robotics ASA: ceo Kari Nordmann → (vacant)",
				"status Kari Nordmann: resigned as CEO of Halvorsen Robotics ASA on 2024-02-10",
			},
			// The rumour and its confirmation came after Feb 12.
			[]string{"Tom Becker", "claim"}},
		{"nothing changes between a moment and itself",
			projections.AsOf{At: ts(t, "2025-03-01")}, projections.AsOf{At: ts(t, "2025-03-01")}, nil, []string{"board", "roles", "claim", "status"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range replay.Diff(x, tt.from, tt.to) {
				got = append(got, c.Text)
			}
			all := strings.Join(got, "\n")
			at := 0
			for _, w := range tt.want {
				i := slices.Index(got[at:], w)
				if i < 0 {
					t.Fatalf("no %q (in order) in:\n%s", w, all)
				}
				at += i + 1
			}
			for _, n := range tt.not {
				if strings.Contains(all, n) {
					t.Errorf("%q in:\n%s", n, all)
				}
			}
		})
	}
	// Changes are structured, not only text.
	for _, c := range replay.Diff(x, projections.AsOf{At: ts(t, "2024-02-01")}, projections.AsOf{At: ts(t, "2024-03-05")}) {
		if c.View == "roles" && c.Item == "ceo" && (c.Before != "kari-nordmann" || c.After != "tom-becker" || c.Key != "halvorsen-robotics") {
			t.Errorf("roles change %+v", c)
		}
	}
}

func TestTrack(t *testing.T) {
	x, evs := mustIndex(t)
	// A late report arriving live: the new CFO resigns.
	e := events.Event{ID: "bbbbbbbb-0000-5000-8000-000000000001", Type: events.RoleEnded,
		OccurredAt: ts(t, "2025-08-01 09:00 SGT"), ReportedAt: ts(t, "2025-08-03 09:00 SGT"), Precision: events.PrecisionMinute,
		Source: events.Source{Outlet: "Straits Tech Daily", Attribution: events.OnRecord},
		Data:   &events.RoleEnd{Person: "ravi-menon", Org: "halvorsen-robotics", Role: "cfo", How: events.HowResigned}}
	got := replay.Track(x, &e, ts(t, "2025-08-04"), func() { x.Add(uint64(len(evs)+1), &e) })
	if len(got) != 1 || got[0].Text != "roles Halvorsen Robotics ASA: cfo Ravi Menon → (vacant: resigned)" {
		t.Errorf("track: %+v", got)
	}
	if got := replay.Track(x, &e, ts(t, "2025-08-04"), func() { x.Add(uint64(len(evs)+2), &e) }); len(got) != 0 {
		t.Errorf("the same event again changes %+v", got)
	}
}

func TestSortAndSelect(t *testing.T) {
	at := func(s string) time.Time { return ts(t, s) }
	mk := func(seq uint64, occ, rep string, typ events.Type, outlet string, d events.Data) *projections.Entry {
		return &projections.Entry{Seq: seq, Event: &events.Event{ID: "id-" + string(rune('a'+seq)), Type: typ,
			OccurredAt: at(occ), ReportedAt: at(rep), Source: events.Source{Outlet: outlet}, Data: d}}
	}
	seat := &events.SeatTaken{Org: "acme", Person: "jo", Seat: events.Director}
	st := &events.Statement{By: "kim", Text: "hi", Lang: "en"}
	es := []*projections.Entry{
		mk(5, "2024-01-03T00:00Z", "2024-01-03T00:00Z", events.StatementMade, "Wire", st),
		mk(1, "2024-01-01T00:00Z", "2024-01-09T00:00Z", events.BoardSeatTaken, "Filings", seat), // a late report
		mk(3, "2024-01-02T00:00Z", "2024-01-02T00:00Z", events.BoardSeatTaken, "Wire", seat),
		mk(2, "2024-01-02T00:00Z", "2024-01-02T00:00Z", events.StatementMade, "Wire", st), // ties with 3 but for seq
	}
	seqs := func(es []*projections.Entry) []uint64 {
		var out []uint64
		for _, e := range es {
			out = append(out, e.Seq)
		}
		return out
	}
	tests := []struct {
		name string
		f    replay.Filter
		want []uint64
	}{
		{"by occurred", replay.Filter{}, []uint64{1, 2, 3, 5}},
		{"by reported", replay.Filter{By: replay.ByReported}, []uint64{2, 3, 5, 1}},
		{"known at", replay.Filter{KnownAt: at("2024-01-05T00:00Z")}, []uint64{2, 3, 5}},
		{"entity", replay.Filter{Entity: "jo"}, []uint64{1, 3}},
		{"type", replay.Filter{Type: events.StatementMade}, []uint64{2, 5}},
		{"types", replay.Filter{Types: []events.Type{events.StatementMade, events.BoardSeatTaken}}, []uint64{1, 2, 3, 5}},
		{"outlet", replay.Filter{Outlet: "filings"}, []uint64{1}},
		{"bounds on the reported clock", replay.Filter{By: replay.ByReported, From: at("2024-01-03T00:00Z"), Until: at("2024-01-09T00:00Z")}, []uint64{5, 1}},
		{"bounds on the occurred clock", replay.Filter{From: at("2024-01-02T00:00Z"), Until: at("2024-01-02T00:00Z")}, []uint64{2, 3}},
		{"limit", replay.Filter{Limit: 2}, []uint64{1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := seqs(replay.Select(es, tt.f)); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	sorted := slices.Clone(es)
	replay.Sort(sorted, replay.ByReported)
	if got := seqs(sorted); !slices.Equal(got, []uint64{2, 3, 5, 1}) {
		t.Errorf("Sort by reported: %v", got)
	}
}
