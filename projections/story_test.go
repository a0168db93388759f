package projections_test

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"storyline/events"
	"storyline/projections"
)

// The invented story (testdata/halvorsen.jsonl): a robotics company in Oslo
// and Singapore. 2024: its CEO and chair resigns (reported four days
// late), a director becomes interim CEO in Singapore, a New York outlet
// first reports the new board member as a director and corrects it to
// chair, a replacement CEO ends the interim tenure, a stale report of the
// former chair leaving is an anomaly. 2025: an investor holds an observer
// seat and hands it to a person, the chair steps back to director while a
// director becomes chair, a shared presidency is ended by a non-shared
// one, the CTO's resignation is reported late, a CFO's start is announced
// ahead (scheduled), a stake disclosure is corrected twice, a seat report
// corrects an event nobody holds, claims are confirmed and refuted.
const story = "testdata/halvorsen.jsonl"

const org = "halvorsen-robotics"

func storyIndex(tb testing.TB) *projections.Index {
	evs := mustLoad(tb, story)
	return build(evs, inOrder(len(evs)), nil)
}

// TestStoryAsOf asks the invented story questions at (T, K): the board
// and roles of the company, as they were and as the public believed.
func TestStoryAsOf(t *testing.T) {
	x := storyIndex(t)
	tests := []struct {
		name  string
		at, k string // "" is no bound
		board *string
		roles *string
	}{
		{name: "founding board", at: "2023-01-01",
			board: ptr("anna-berg:director kari-nordmann:chair lee-wei:director"), roles: ptr("ceo=kari-nordmann cto=lee-wei")},
		{name: "nobody before the founding", at: "2019-06-01", board: ptr(""), roles: ptr("")},
		{name: "resignation not yet reported (K < T)", at: "2024-02-12", k: "2024-02-12 12:00 CET",
			board: ptr("anna-berg:director kari-nordmann:chair lee-wei:director"), roles: ptr("ceo=kari-nordmann cto=lee-wei")},
		{name: "late report applies from when it happened", at: "2024-02-12",
			board: ptr("anna-berg:director lee-wei:director"), roles: ptr("cto=lee-wei")},
		{name: "filing known, interim not yet named", at: "2024-02-13", k: "2024-02-14 09:00 CET", roles: ptr("cto=lee-wei")},
		{name: "interim CEO in Singapore", at: "2024-02-14 13:00 SGT", roles: ptr("ceo=lee-wei~interim cto=lee-wei")},
		{name: "a minute before the interim appointment", at: "2024-02-14 11:59 SGT", roles: ptr("cto=lee-wei")},
		{name: "first report: Becker a director", at: "2024-02-15T15:00Z", k: "2024-02-15T16:00Z",
			board: ptr("anna-berg:director lee-wei:director tom-becker:director")},
		{name: "the correction makes him chair from the start", at: "2024-02-15T15:00Z",
			board: ptr("anna-berg:director lee-wei:director tom-becker:chair")},
		{name: "a minute before the correction was reported", at: "2024-02-16T12:00Z", k: "2024-02-16T08:59Z",
			board: ptr("anna-berg:director lee-wei:director tom-becker:director")},
		{name: "the minute the correction was reported", at: "2024-02-16T12:00Z", k: "2024-02-16T09:00Z",
			board: ptr("anna-berg:director lee-wei:director tom-becker:chair")},
		{name: "replacement CEO ends the interim tenure", at: "2024-03-01 09:00 ET", roles: ptr("ceo=tom-becker cto=lee-wei")},
		{name: "a minute before the replacement", at: "2024-03-01 08:59 ET", roles: ptr("ceo=lee-wei~interim cto=lee-wei")},
		{name: "what the public believed on Feb 20 about Mar 5 (K < T)", at: "2024-03-05", k: "2024-02-20",
			board: ptr("anna-berg:director lee-wei:director tom-becker:chair"), roles: ptr("ceo=lee-wei~interim cto=lee-wei")},
		{name: "an org in the observer seat", at: "2025-02-10",
			board: ptr("anna-berg:director lee-wei:director tom-becker:chair fjord-capital:observer")},
		{name: "seat changes: director to chair, chair to director", at: "2025-03-03 11:00 CET",
			board: ptr("anna-berg:chair lee-wei:director tom-becker:director fjord-capital:observer")},
		{name: "seat changes not yet public (K < T)", at: "2025-03-03 11:00 CET", k: "2025-03-03 11:30 CET",
			board: ptr("anna-berg:director lee-wei:director tom-becker:chair fjord-capital:observer")},
		{name: "observer seat passes from the fund to a person", at: "2025-03-21",
			board: ptr("anna-berg:chair lee-wei:director tom-becker:director ingrid-solheim:observer")},
		{name: "a shared presidency", at: "2025-04-02",
			roles: ptr("ceo=tom-becker cto=lee-wei president=lee-wei+shared president=mei-tan+shared")},
		{name: "CTO resignation not yet reported (K < T)", at: "2025-04-22", k: "2025-04-22",
			roles: ptr("ceo=tom-becker cto=lee-wei president=lee-wei+shared president=mei-tan+shared")},
		{name: "CTO resignation reported five days late", at: "2025-04-22",
			roles: ptr("ceo=tom-becker president=lee-wei+shared president=mei-tan+shared")},
		{name: "scheduled CFO start known, not yet in effect", at: "2025-05-20", k: "2025-05-20",
			roles: ptr("ceo=tom-becker president=lee-wei+shared president=mei-tan+shared")},
		{name: "scheduled CFO start in effect, known since before (K < T)", at: "2025-06-01 10:00 SGT", k: "2025-05-16",
			roles: ptr("ceo=tom-becker cfo=ravi-menon president=lee-wei+shared president=mei-tan+shared")},
		{name: "scheduled CFO start not yet announced (K < T)", at: "2025-06-01 10:00 SGT", k: "2025-05-14",
			roles: ptr("ceo=tom-becker president=lee-wei+shared president=mei-tan+shared")},
		{name: "a correction of an unknown event still counts as itself", at: "2025-06-03",
			board: ptr("anna-berg:chair lee-wei:director ravi-menon:director tom-becker:director ingrid-solheim:observer")},
		{name: "a non-shared start ends both shared presidents", at: "2025-07-02",
			roles: ptr("ceo=tom-becker cfo=ravi-menon president=tom-becker")},
	}
	if len(tests) < 20 {
		t.Fatalf("%d questions, want at least 20", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := asOf(t, tt.at, tt.k)
			if tt.board != nil {
				if got := seats(x.BoardAt(org, q)); got != *tt.board {
					t.Errorf("board %q, want %q", got, *tt.board)
				}
			}
			if tt.roles != nil {
				if got := roles(x.RolesAt(org, q)); got != *tt.roles {
					t.Errorf("roles %q, want %q", got, *tt.roles)
				}
			}
		})
	}
}

func ptr(s string) *string { return &s }

// TestStoryStatus asks where people stand.
func TestStoryStatus(t *testing.T) {
	x := storyIndex(t)
	tests := []struct {
		name      string
		person    string
		at, k     string
		positions string
		seats     string // "org:seat ..."
		announced string // "org:role ..."
		former    string // "org:role:how[:by] ..."
		summary   string // exact, if set
	}{
		{name: "resigned, announced to join the investor", person: "kari-nordmann", at: "2024-03-03",
			former: "halvorsen-robotics:ceo:resigned", announced: "fjord-capital:partner",
			summary: "resigned as CEO of Halvorsen Robotics ASA on 2024-02-10; announced to join Fjord Capital (partner)"},
		{name: "as the public knew her before the filing (K < T)", person: "kari-nordmann", at: "2024-03-03", k: "2024-02-13",
			positions: "halvorsen-robotics:ceo", seats: "halvorsen-robotics:chair",
			summary: "CEO of Halvorsen Robotics ASA since 2020-03-01; chair on the Halvorsen Robotics ASA board since 2020-03-01"},
		{name: "the announcement fulfilled", person: "kari-nordmann", at: "2025-01-11", positions: "fjord-capital:partner",
			former:  "halvorsen-robotics:ceo:resigned",
			summary: "resigned as CEO of Halvorsen Robotics ASA on 2024-02-10; partner of Fjord Capital since 2025-01-10"},
		{name: "interim tenure ended by the new CEO", person: "lee-wei", at: "2024-03-02", positions: "halvorsen-robotics:cto",
			seats: "halvorsen-robotics:director", former: "halvorsen-robotics:ceo:interim_ended:tom-becker",
			summary: "CTO of Halvorsen Robotics ASA since 2020-03-01; director on the Halvorsen Robotics ASA board since 2020-03-01; interim tenure ended as CEO of Halvorsen Robotics ASA by Tom Becker on 2024-03-01"},
		{name: "two roles lost in 2025", person: "lee-wei", at: "2025-07-02", seats: "halvorsen-robotics:director",
			former:  "halvorsen-robotics:ceo:interim_ended:tom-becker halvorsen-robotics:cto:resigned halvorsen-robotics:president:replaced:tom-becker",
			summary: "director on the Halvorsen Robotics ASA board since 2020-03-01; resigned as CTO of Halvorsen Robotics ASA on 2025-04-20; replaced as president of Halvorsen Robotics ASA by Tom Becker on 2025-07-01"},
		{name: "CTO resignation not yet public (K < T)", person: "lee-wei", at: "2025-04-22", k: "2025-04-22",
			positions: "halvorsen-robotics:cto halvorsen-robotics:president", seats: "halvorsen-robotics:director",
			former: "halvorsen-robotics:ceo:interim_ended:tom-becker"},
		{name: "announced CFO before the start", person: "ravi-menon", at: "2025-05-20", announced: "halvorsen-robotics:cfo",
			// The scheduled start says more than the affiliation it replaces: when.
			summary: "announced to become CFO of Halvorsen Robotics ASA"},
		{name: "CFO after the scheduled start", person: "拉维·梅农", at: "2025-06-01 10:00 SGT", positions: "halvorsen-robotics:cfo",
			summary: "CFO of Halvorsen Robotics ASA since 2025-06-01"},
		{name: "a shared president replaced", person: "mei-tan", at: "2025-07-03", former: "halvorsen-robotics:president:replaced:tom-becker",
			summary: "replaced as president of Halvorsen Robotics ASA by Tom Becker on 2025-07-01"},
		{name: "someone with no events yet", person: "tom-becker", at: "2024-02-01", summary: "no known position"},
		{name: "chair and CEO", person: "tom-becker", at: "2024-03-02", positions: "halvorsen-robotics:ceo", seats: "halvorsen-robotics:chair",
			summary: "chair on the Halvorsen Robotics ASA board since 2024-02-15; CEO of Halvorsen Robotics ASA since 2024-03-01"},
		{name: "an org's status shows its observer seat", person: "fjord-capital", at: "2025-03-01", seats: "halvorsen-robotics:observer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := x.Names().Resolve(tt.person)
			if err != nil {
				t.Fatal(err)
			}
			s := x.StatusAt(id, asOf(t, tt.at, tt.k))
			var st, an, fo []string
			for _, h := range s.Seats {
				st = append(st, h.Org+":"+string(h.Seat))
			}
			for _, a := range s.Announced {
				an = append(an, a.Org+":"+string(a.Role))
			}
			for _, f := range s.Former {
				v := f.Org + ":" + string(f.Role) + ":" + f.How
				if f.By != "" {
					v += ":" + f.By
				}
				fo = append(fo, v)
			}
			for _, c := range []struct{ what, got, want string }{
				{"positions", positions(s), tt.positions},
				{"seats", strings.Join(st, " "), tt.seats},
				{"announced", strings.Join(an, " "), tt.announced},
				{"former", strings.Join(fo, " "), tt.former},
			} {
				if c.got != c.want {
					t.Errorf("%s %q, want %q", c.what, c.got, c.want)
				}
			}
			if tt.summary != "" && s.Summary != tt.summary {
				t.Errorf("summary\n got %q\nwant %q", s.Summary, tt.summary)
			}
		})
	}
}

// TestStoryViews checks the other views and the details of the answers.
func TestStoryViews(t *testing.T) {
	x := storyIndex(t)
	tests := []struct {
		name  string
		at, k string
		check func(t *testing.T, q projections.AsOf)
	}{
		{"since keeps its precision", "2023-01-01", "", func(t *testing.T, q projections.AsOf) {
			want := map[string]events.Precision{"anna-berg": events.PrecisionMinute, "kari-nordmann": events.PrecisionDay, "lee-wei": events.PrecisionDay}
			members := x.BoardAt(org, q).Members
			if len(members) != len(want) {
				t.Errorf("%d members, want %d: %+v", len(members), len(want), members)
			}
			for _, m := range members {
				if p, ok := want[m.Person]; !ok || m.SincePrecision != p {
					t.Errorf("%s since precision %s, want %s (a member: %v)", m.Person, m.SincePrecision, p, ok)
				}
			}
			roles := x.RolesAt(org, q).Roles
			if len(roles) == 0 {
				t.Error("no roles held")
			}
			for _, h := range roles {
				if h.SincePrecision != events.PrecisionDay {
					t.Errorf("%s since precision %s", h.Person, h.SincePrecision)
				}
			}
		}},
		{"since of a corrected seat is the corrected event's", "2024-02-20", "", func(t *testing.T, q projections.AsOf) {
			m, ok := member(x.BoardAt(org, q), "tom-becker")
			if !ok || m.Event == "33333333-3333-5333-8333-333333333333" || m.Since.UTC().Format("15:04") != "14:00" {
				t.Errorf("tom-becker (a member: %v) since %v from %s", ok, m.Since, m.Event)
			}
		}},
		{"since of a seat change is the change", "2025-03-04", "", func(t *testing.T, q projections.AsOf) {
			if m, ok := member(x.BoardAt(org, q), "anna-berg"); !ok || m.Event != "77777777-7777-5777-8777-777777777777" {
				t.Errorf("anna-berg (a member: %v) since %v (%s)", ok, m.Since, m.Event)
			}
		}},
		{"the stale departure is an anomaly", "2024-03-02", "", func(t *testing.T, q projections.AsOf) {
			b := x.BoardAt(org, q)
			if len(b.Anomalies) != 1 || !strings.Contains(b.Anomalies[0].Reason, "kari-nordmann") || b.Anomalies[0].Type != events.BoardSeatLeft {
				t.Errorf("anomalies %+v", b.Anomalies)
			}
		}},
		{"no anomaly before it was reported", "2024-03-02", "2024-02-29", func(t *testing.T, q projections.AsOf) {
			if b := x.BoardAt(org, q); len(b.Anomalies) != 0 {
				t.Errorf("anomalies %+v", b.Anomalies)
			}
		}},
		{"ending a role one does not hold is an anomaly", "2025-04-11", "", func(t *testing.T, q projections.AsOf) {
			r := x.RolesAt(org, q)
			if len(r.Anomalies) != 1 || !strings.Contains(r.Anomalies[0].Reason, "anna-berg ends role cto") {
				t.Errorf("anomalies %+v", r.Anomalies)
			}
			if s := x.StatusAt("anna-berg", q); len(s.Anomalies) != 1 {
				t.Errorf("anna-berg's status anomalies %+v", s.Anomalies)
			}
		}},
		{"correcting an unknown event is an anomaly", "2025-06-03", "", func(t *testing.T, q projections.AsOf) {
			b := x.BoardAt(org, q)
			if len(b.Anomalies) != 2 || !strings.Contains(b.Anomalies[1].Reason, "unknown event deadbeef") {
				t.Errorf("anomalies %+v", b.Anomalies)
			}
		}},
		{"claims: confirmed and refuted, lead times", "", "", func(t *testing.T, q projections.AsOf) {
			cs := x.ClaimsAt(q, projections.ClaimFilter{}).Claims
			var got []string
			for _, c := range cs {
				lead := "-"
				if c.LeadHours != nil {
					lead = strconv.FormatFloat(*c.LeadHours, 'f', -1, 64)
				}
				got = append(got, c.Outcome+"/"+lead)
			}
			// A refuted claim has no lead: it beat nothing.
			if want := "confirmed/38 refuted/- confirmed/16 refuted/-"; strings.Join(got, " ") != want {
				t.Errorf("claims %q, want %q", strings.Join(got, " "), want)
			}
		}},
		{"claim open before the filing", "", "2024-02-13", func(t *testing.T, q projections.AsOf) {
			cs := x.ClaimsAt(q, projections.ClaimFilter{}).Claims
			if len(cs) != 1 || cs[0].Outcome != "open" || cs[0].Lead != nil || cs[0].SettledBy != "" {
				t.Errorf("claims %+v", cs)
			}
		}},
		{"claims about a person", "", "", func(t *testing.T, q projections.AsOf) {
			cs := x.ClaimsAt(q, projections.ClaimFilter{Entity: "tom-becker"}).Claims
			if len(cs) != 1 || cs[0].Outcome != events.Refuted || cs[0].Outlet != "Wall Street Wire" {
				t.Errorf("claims %+v", cs)
			}
		}},
		{"sources: the anonymous outlet's record", "", "", func(t *testing.T, q projections.AsOf) {
			for _, s := range x.SourcesAt(q).Sources {
				if s.Outlet != "Oslo Ledger" {
					continue
				}
				if s.Confirmed != 2 || s.Claims != 2 || s.Open != 0 || s.MedianLead == nil || *s.MedianLead != 27 ||
					s.Reports != 1 || s.Events != 7 || s.AnonymousShare != 0.286 {
					t.Errorf("Oslo Ledger %+v (median %v)", s, *s.MedianLead)
				}
				return
			}
			t.Error("no Oslo Ledger")
		}},
		{"stakes before the round", "2025-01-01", "", func(t *testing.T, q projections.AsOf) { stake(t, x, q, 120e6) }},
		{"stake as first disclosed", "", "2025-03-11", func(t *testing.T, q projections.AsOf) { stake(t, x, q, 150e6) }},
		{"stake after the first correction", "", "2025-03-13", func(t *testing.T, q projections.AsOf) { stake(t, x, q, 140e6) }},
		{"stake after the correction of the correction", "", "", func(t *testing.T, q projections.AsOf) { stake(t, x, q, 145e6) }},
		{"names as known: described later, named anyway", "2025-04-02", "2024-01-01", func(t *testing.T, q projections.AsOf) {
			// The presidents are unknown at K, but the org's name is.
			if b := x.BoardAt(org, q); b.OrgName != "Halvorsen Robotics ASA" {
				t.Errorf("org name %q", b.OrgName)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.check(t, asOf(t, tt.at, tt.k)) })
	}
}

func stake(t *testing.T, x *projections.Index, q projections.AsOf, want float64) {
	t.Helper()
	s := x.StakesAt(org, q).Stakes
	if len(s) != 1 || s[0].Holder != "fjord-capital" || s[0].Amount != want {
		t.Errorf("stakes %+v, want fjord-capital %g", s, want)
	}
}

// TestStoryTimeline checks ordering by either clock and the filters.
func TestStoryTimeline(t *testing.T) {
	x := storyIndex(t)
	types := func(items []projections.TimelineItem) []string {
		var out []string
		for _, it := range items {
			out = append(out, string(it.Event.Type))
		}
		return out
	}
	tests := []struct {
		name  string
		f     projections.TimelineFilter
		check func(t *testing.T, items []projections.TimelineItem)
	}{
		{"by reported, the late filing comes after the rumour", projections.TimelineFilter{Entity: "kari-nordmann", By: projections.ByReported},
			func(t *testing.T, items []projections.TimelineItem) {
				ty := types(items)
				if i, j := slices.Index(ty, "claim.reported"), slices.Index(ty, "role.ended"); i < 0 || j < i {
					t.Errorf("order %v", ty)
				}
			}},
		{"by occurred, the resignation comes before the rumour", projections.TimelineFilter{Entity: "kari-nordmann"},
			func(t *testing.T, items []projections.TimelineItem) {
				ty := types(items)
				if i, j := slices.Index(ty, "claim.reported"), slices.Index(ty, "role.ended"); j < 0 || i < j {
					t.Errorf("order %v", ty)
				}
			}},
		{"type and bounds", projections.TimelineFilter{Type: events.StakeDisclosed, From: ts(t, "2025-01-01"), Until: ts(t, "2025-12-31")},
			func(t *testing.T, items []projections.TimelineItem) {
				if len(items) != 3 || items[0].SupersededBy == "" || items[1].SupersededBy == "" || items[2].SupersededBy != "" {
					t.Errorf("stake reports %+v", items)
				}
			}},
		{"a correction is not marked before it was known", projections.TimelineFilter{Type: events.StakeDisclosed, KnownAt: ts(t, "2025-03-11")},
			func(t *testing.T, items []projections.TimelineItem) {
				if len(items) != 2 || items[1].SupersededBy != "" {
					t.Errorf("stake reports %+v", items)
				}
			}},
		{"outlet, case-insensitive, with a limit", projections.TimelineFilter{Outlet: "oslo ledger", Limit: 2},
			func(t *testing.T, items []projections.TimelineItem) {
				if len(items) != 2 || items[0].Event.Source.Outlet != "Oslo Ledger" {
					t.Errorf("items %+v", items)
				}
			}},
		{"at: only what had happened by then, on either clock", projections.TimelineFilter{By: projections.ByReported, At: ts(t, "2024-02-14 08:00 CET")},
			func(t *testing.T, items []projections.TimelineItem) {
				all := x.Timeline(projections.TimelineFilter{By: projections.ByReported})
				if len(items) == 0 || len(items) >= len(all) {
					t.Fatalf("%d of %d events", len(items), len(all))
				}
				for _, it := range items {
					if it.Event.OccurredAt.After(ts(t, "2024-02-14 08:00 CET")) {
						t.Errorf("%s occurred %v, after --at", it.Event.Type, it.Event.OccurredAt)
					}
				}
			}},
		{"by reported, bounded on the reported clock", projections.TimelineFilter{By: projections.ByReported, From: ts(t, "2024-02-14 08:00 CET"), Until: ts(t, "2024-02-14 08:00 CET")},
			func(t *testing.T, items []projections.TimelineItem) {
				if len(items) != 3 {
					t.Errorf("%d items reported at the filing's minute: %v", len(items), types(items))
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.check(t, x.Timeline(tt.f)) })
	}
}

// TestResolve checks names: ids, names, aliases in any language, prefixes.
func TestResolve(t *testing.T) {
	x := storyIndex(t)
	tests := []struct {
		name, input, want string
		err               error
	}{
		{"id", "tom-becker", "tom-becker", nil},
		{"id in capitals", "TOM-BECKER", "tom-becker", nil},
		{"name, any case", "kari nordmann", "kari-nordmann", nil},
		{"alias", "Halvorsen", org, nil},
		{"Chinese alias", "哈尔沃森机器人", org, nil},
		{"Chinese alias of a person", "李伟", "lee-wei", nil},
		{"alias with a middle dot", "卡丽·诺德曼", "kari-nordmann", nil},
		{"alias of a person described later", "陈美", "mei-tan", nil},
		{"unambiguous prefix", "halv", org, nil},
		{"ambiguous prefix", "lee", "", projections.ErrAmbiguousEntity},
		{"unknown", "nobody", "", projections.ErrUnknownEntity},
		{"empty", " ", "", projections.ErrUnknownEntity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := x.Names().Resolve(tt.input)
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Fatalf("Resolve(%q) = %q, %v; want %q, %v", tt.input, got, err, tt.want, tt.err)
			}
		})
	}
	if got, err := x.Resolve("company-filings"); err == nil {
		t.Errorf("an outlet resolved to %q", got)
	}
	if got, err := x.Resolve("deadbeef"); err == nil {
		t.Errorf("resolved %q", got)
	}
	_, err := x.Names().Resolve("lee")
	var re *projections.ResolveError
	if !errors.As(err, &re) || len(re.Candidates) != 2 || !strings.Contains(err.Error(), "lee-wei (Lee Wei)") {
		t.Errorf("ambiguous error %v", err)
	}
}

// TestResolveKind: where an org is wanted a person's name is refused, with
// what it names, and suggestions are of the kind asked for.
func TestResolveKind(t *testing.T) {
	x := storyIndex(t)
	tests := []struct {
		name, input string
		kind        events.Kind
		want        string
		err         error
		msg         string
	}{
		{"org by alias", "哈尔沃森机器人", events.Org, org, nil, ""},
		{"person by alias", "李伟", events.Person, "lee-wei", nil, ""},
		{"a person where an org is wanted", "tom-becker", events.Org, "", projections.ErrWrongKind, "is a person (Tom Becker), not an org"},
		{"an org where a person is wanted", "Halvorsen", events.Person, "", projections.ErrWrongKind, "is an org"},
		{"prefix unambiguous among orgs", "h", events.Org, org, nil, ""},
		{"unknown org suggests orgs only", "zzz", events.Org, "", projections.ErrUnknownEntity, org},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := x.Names().ResolveKind(tt.input, tt.kind)
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Fatalf("ResolveKind(%q, %s) = %q, %v; want %q, %v", tt.input, tt.kind, got, err, tt.want, tt.err)
			}
			if err != nil && !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not say %q", err, tt.msg)
			}
		})
	}
	_, err := x.Names().ResolveKind("zzz", events.Org)
	var re *projections.ResolveError
	if !errors.As(err, &re) {
		t.Fatalf("%v is not a ResolveError", err)
	}
	for _, c := range re.Candidates {
		if id, _, _ := strings.Cut(c, " "); id != "" {
			if e, _ := x.Names().Entity(id); e.Kind != events.Org {
				t.Errorf("suggested %s, which is not an org", c)
			}
		}
	}
}

// member finds person among b's members.
func member(b projections.Board, person string) (projections.Member, bool) {
	i := slices.IndexFunc(b.Members, func(m projections.Member) bool { return m.Person == person })
	if i < 0 {
		return projections.Member{}, false
	}
	return b.Members[i], true
}
