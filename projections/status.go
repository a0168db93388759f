package projections

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"storyline/events"
)

// Position is a role a person holds.
type Position struct {
	Org            string           `json:"org"`
	OrgName        string           `json:"org_name,omitempty"`
	Role           events.Role      `json:"role"`
	Interim        bool             `json:"interim"`
	Since          time.Time        `json:"since"`
	SincePrecision events.Precision `json:"since_precision"`
}

// SeatHeld is a board seat a person holds.
type SeatHeld struct {
	Org            string           `json:"org"`
	OrgName        string           `json:"org_name,omitempty"`
	Seat           events.Seat      `json:"seat"`
	Since          time.Time        `json:"since"`
	SincePrecision events.Precision `json:"since_precision"`
}

// Announcement is a role a person was announced to take and has not (yet)
// started.
type Announcement struct {
	Org       string           `json:"org"`
	OrgName   string           `json:"org_name,omitempty"`
	Role      events.Role      `json:"role"`
	Note      string           `json:"note,omitempty"`
	At        time.Time        `json:"at"`
	Precision events.Precision `json:"precision"`
	Event     string           `json:"event"`
}

// Past is a role a person no longer holds.
type Past struct {
	Org            string           `json:"org"`
	OrgName        string           `json:"org_name,omitempty"`
	Role           events.Role      `json:"role"`
	Interim        bool             `json:"interim"`
	How            string           `json:"how"`
	Until          time.Time        `json:"until"`
	UntilPrecision events.Precision `json:"until_precision"`
}

// Recent is an event in a status's recent list: the event format plus its
// sequence and a one-line summary.
type Recent struct {
	Seq     uint64 `json:"seq"`
	Summary string `json:"summary"`
	*events.Event
}

// MarshalJSON writes the event's canonical JSON with seq and summary added.
func (r Recent) MarshalJSON() ([]byte, error) { return withSeq(r.Seq, r.Summary, r.Event), nil }

// Status is the status view of a person at (At, KnownAt).
type Status struct {
	Person    string         `json:"person"`
	Name      string         `json:"name"`
	At        time.Time      `json:"at"`
	KnownAt   time.Time      `json:"known_at"`
	Positions []Position     `json:"positions"`
	Seats     []SeatHeld     `json:"seats"`
	Announced []Announcement `json:"announced"`
	Former    []Past         `json:"former"`
	Summary   string         `json:"summary"`
	Recent    []Recent       `json:"recent"`
}

// RecentLimit is how many recent events a status lists.
const RecentLimit = 8

// StatusAt answers the status view of person at q.
func (x *Index) StatusAt(person string, q AsOf) Status {
	st := Status{Person: person, Name: x.names.Name(person), At: q.At, KnownAt: q.KnownAt,
		Positions: []Position{}, Seats: []SeatHeld{}, Announced: []Announcement{}, Former: []Past{}, Recent: []Recent{}}
	mine := x.upTo(person, q)
	orgs := map[string]bool{}
	for _, en := range mine {
		switch d := en.Event.Data.(type) {
		case *events.RoleStart:
			orgs[d.Org] = true
		case *events.RoleEnd:
			orgs[d.Org] = true
		case *events.SeatTaken:
			orgs[d.Org] = true
		case *events.SeatLeft:
			orgs[d.Org] = true
		}
	}
	for org := range orgs {
		os := x.foldOrg(org, q)
		rs := os.roles
		for _, hs := range rs.Held {
			for _, h := range hs {
				if h.Person == person {
					st.Positions = append(st.Positions, Position{Org: org, OrgName: x.names.Name(org), Role: h.Role, Interim: h.Interim, Since: h.Since, SincePrecision: h.SincePrecision})
				}
			}
		}
		for _, e := range rs.Ended {
			if e.Person == person {
				st.Former = append(st.Former, Past{Org: org, OrgName: x.names.Name(org), Role: e.Role, Interim: e.Interim, How: e.How, Until: e.Until, UntilPrecision: e.UntilPrecision})
			}
		}
		if m, ok := os.board.Seats[person]; ok {
			st.Seats = append(st.Seats, SeatHeld{Org: org, OrgName: x.names.Name(org), Seat: m.Seat, Since: m.Since, SincePrecision: m.SincePrecision})
		}
	}
	for _, en := range mine {
		a, ok := en.Event.Data.(*events.Affiliation)
		if !ok || a.Person != person {
			continue
		}
		// A later start of any role ends an announcement: whoever joins
		// something else after it did not (yet) do what was announced,
		// and the announcement is no longer where they stand.
		started := false
		for _, p := range st.Positions {
			if !p.Since.Before(en.Event.OccurredAt) {
				started = true
			}
		}
		for _, f := range st.Former {
			if f.Org == a.Org && f.Role == a.Role && !f.Until.Before(en.Event.OccurredAt) {
				started = true
			}
		}
		if !started {
			st.Announced = append(st.Announced, Announcement{Org: a.Org, OrgName: x.names.Name(a.Org), Role: a.Role, Note: a.Note,
				At: en.Event.OccurredAt, Precision: en.Event.Precision, Event: en.Event.ID})
		}
	}
	sort.Slice(st.Positions, func(i, j int) bool {
		return st.Positions[i].Org+string(st.Positions[i].Role) < st.Positions[j].Org+string(st.Positions[j].Role)
	})
	sort.Slice(st.Seats, func(i, j int) bool { return st.Seats[i].Org < st.Seats[j].Org })
	sort.Slice(st.Former, func(i, j int) bool {
		a, b := st.Former[i], st.Former[j]
		if !a.Until.Equal(b.Until) {
			return a.Until.Before(b.Until)
		}
		return a.Org+string(a.Role) < b.Org+string(b.Role)
	})
	for i := len(mine) - 1; i >= 0 && len(st.Recent) < RecentLimit; i-- {
		en := mine[i]
		st.Recent = append(st.Recent, Recent{Seq: en.Seq, Summary: x.Summary(en.Event), Event: en.Event})
	}
	st.Summary = x.summary(st)
	return st
}

// summary says in one line where the person stands: current positions,
// the latest role lost and how, and announcements.
func (x *Index) summary(st Status) string {
	var parts []string
	for _, p := range st.Positions {
		s := fmt.Sprintf("%s of %s since %s", p.Role, orgLabel(p.Org, p.OrgName), day(p.Since, p.SincePrecision))
		if p.Interim {
			s = "interim " + s
		}
		parts = append(parts, s)
	}
	if n := len(st.Former); n > 0 {
		f := st.Former[n-1]
		verb := map[string]string{events.HowFired: "fired", events.HowResigned: "resigned", events.HowReplaced: "replaced",
			events.HowInterimEnded: "interim tenure ended"}[f.How]
		if verb == "" {
			verb = f.How
		}
		parts = append(parts, fmt.Sprintf("%s as %s of %s on %s", verb, f.Role, orgLabel(f.Org, f.OrgName), day(f.Until, f.UntilPrecision)))
	}
	for _, s := range st.Seats {
		parts = append(parts, fmt.Sprintf("%s on the %s board", s.Seat, orgLabel(s.Org, s.OrgName)))
	}
	for _, a := range st.Announced {
		parts = append(parts, fmt.Sprintf("announced to join %s (%s)", orgLabel(a.Org, a.OrgName), a.Role))
	}
	if len(parts) == 0 {
		return "no known position"
	}
	return strings.Join(parts, "; ")
}

func orgLabel(id, name string) string {
	if name != "" {
		return name
	}
	return id
}

func day(t time.Time, p events.Precision) string {
	switch p {
	case events.PrecisionYear:
		return t.Format("2006")
	case events.PrecisionMonth:
		return t.Format("2006-01")
	}
	return t.Format("2006-01-02")
}
