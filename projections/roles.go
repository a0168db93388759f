package projections

import (
	"fmt"
	"sort"
	"time"

	"storyline/events"
)

// Holder is someone holding a role.
type Holder struct {
	Role           events.Role      `json:"role"`
	Person         string           `json:"person"`
	Name           string           `json:"name"`
	Org            string           `json:"org"`
	Interim        bool             `json:"interim"`
	Shared         bool             `json:"shared,omitempty"`
	Since          time.Time        `json:"since"`
	SincePrecision events.Precision `json:"since_precision"`
	Event          string           `json:"event"`
}

// Roles is the roles view: who holds each role of an org at (At, KnownAt).
type Roles struct {
	Org       string    `json:"org"`
	OrgName   string    `json:"org_name,omitempty"`
	At        time.Time `json:"at"`
	KnownAt   time.Time `json:"known_at"`
	Roles     []Holder  `json:"roles"`
	Anomalies []Anomaly `json:"anomalies,omitempty"`
}

// Ended is a tenure that ended, and how.
type Ended struct {
	Holder
	Until          time.Time        `json:"until"`
	UntilPrecision events.Precision `json:"until_precision"`
	How            string           `json:"how"`
}

// RoleState folds role events of one org. A role.started for a role that
// someone else holds ends their tenure at that instant (how: replaced, or
// interim_ended for an interim holder) unless both are shared; role.ended
// for someone not holding the role is an anomaly.
type RoleState struct {
	Held      map[events.Role][]Holder
	Ended     []Ended
	Anomalies []Anomaly
}

// Apply folds one event in; events of other orgs or types are ignored.
func (s *RoleState) Apply(org string, en *Entry) {
	if s.Held == nil {
		s.Held = map[events.Role][]Holder{}
	}
	e := en.Event
	switch d := e.Data.(type) {
	case *events.RoleStart:
		if d.Org != org {
			return
		}
		cur := s.Held[d.Role]
		kept := cur[:0:0]
		for _, h := range cur {
			switch {
			case h.Person == d.Person:
				if h.Interim == d.Interim {
					return // a repeated report of the same tenure
				}
				// The same person, now (not) interim: a new tenure.
			case h.Shared && d.Shared:
				kept = append(kept, h)
				continue
			default:
				how := events.HowReplaced
				if h.Interim {
					how = events.HowInterimEnded
				}
				s.Ended = append(s.Ended, Ended{Holder: h, Until: e.OccurredAt, UntilPrecision: e.Precision, How: how})
			}
		}
		s.Held[d.Role] = append(kept, Holder{Role: d.Role, Person: d.Person, Org: org, Interim: d.Interim, Shared: d.Shared,
			Since: e.OccurredAt, SincePrecision: e.Precision, Event: e.ID})
	case *events.RoleEnd:
		if d.Org != org {
			return
		}
		cur := s.Held[d.Role]
		for i, h := range cur {
			if h.Person == d.Person {
				s.Ended = append(s.Ended, Ended{Holder: h, Until: e.OccurredAt, UntilPrecision: e.Precision, How: d.How})
				s.Held[d.Role] = append(cur[:i:i], cur[i+1:]...)
				return
			}
		}
		s.Anomalies = append(s.Anomalies, Anomaly{Event: e.ID, Seq: en.Seq, Reason: fmt.Sprintf("%s ends role %s at %s without holding it", d.Person, d.Role, org)})
	}
}

// RolesAt answers the roles view of org at q, sorted by role then person.
func (x *Index) RolesAt(org string, q AsOf) Roles {
	st := x.foldOrg(org, q)
	s := st.roles
	r := Roles{Org: org, OrgName: x.names.Name(org), At: q.At, KnownAt: q.KnownAt, Roles: []Holder{},
		Anomalies: append(s.Anomalies[:len(s.Anomalies):len(s.Anomalies)], st.corrAnoms...)}
	for _, hs := range s.Held {
		for _, h := range hs {
			h.Name = x.names.Name(h.Person)
			r.Roles = append(r.Roles, h)
		}
	}
	sort.Slice(r.Roles, func(i, j int) bool {
		if r.Roles[i].Role != r.Roles[j].Role {
			return r.Roles[i].Role < r.Roles[j].Role
		}
		return r.Roles[i].Person < r.Roles[j].Person
	})
	return r
}
