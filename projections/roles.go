package projections

import (
	"cmp"
	"slices"
	"strings"
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
	Event          string           `json:"event"` // the event that started the tenure
}

// Roles is the roles view: who holds each role of an org at (At, KnownAt),
// sorted by role, then person.
type Roles struct {
	Org       string    `json:"org"`
	OrgName   string    `json:"org_name,omitempty"`
	At        time.Time `json:"at"`
	KnownAt   time.Time `json:"known_at"`
	Roles     []Holder  `json:"roles"`
	Anomalies []Anomaly `json:"anomalies,omitempty"`
}

// tenure is a role held in an org's fold.
type tenure struct {
	role    events.Role
	person  string
	interim bool
	shared  bool
	en      *Entry // the start of the tenure
}

func cmpTenure(a tenure, role events.Role, person string) int {
	if c := cmp.Compare(a.role, role); c != 0 {
		return c
	}
	return strings.Compare(a.person, person)
}

// rolesState is an org's roles after a prefix of its role events.
//
// A role.started ends the tenure of everyone else holding the role at that
// instant, unless both they and the newcomer are marked shared. A
// role.started for a role one already holds is a repeated report if it says
// the same, the start of a new tenure (new since) if it changes interim,
// and an update of the shared mark otherwise. A role.ended for someone not
// holding the role is an anomaly that changes nothing.
type rolesState struct {
	held  []tenure // by role, person
	anoms *anomalies
}

var rolesFold = &fold[*rolesState]{
	every: 16,
	empty: func() *rolesState { return &rolesState{} },
	clone: func(s *rolesState) *rolesState { return &rolesState{held: slices.Clone(s.held), anoms: s.anoms} },
	size:  func(s *rolesState) int { return len(s.held) },
	apply: func(x *Index, s *rolesState, org string, en *Entry) *rolesState {
		s.anoms = x.orphanCheck(s.anoms, en)
		switch d := en.Event.Data.(type) {
		case *events.RoleStart:
			if d.Org == org {
				s.start(d, en)
			}
		case *events.RoleEnd:
			if d.Org != org {
				break
			}
			i, ok := slices.BinarySearchFunc(s.held, tenure{}, func(a, _ tenure) int { return cmpTenure(a, d.Role, d.Person) })
			if !ok {
				s.anoms = s.anoms.push(en, "%s ends role %s at %s without holding it", d.Person, d.Role, org)
				break
			}
			s.held = slices.Delete(s.held, i, i+1)
		}
		return s
	},
}

func (s *rolesState) start(d *events.RoleStart, en *Entry) {
	s.held = slices.DeleteFunc(s.held, func(t tenure) bool {
		return t.role == d.Role && t.person != d.Person && !(t.shared && d.Shared)
	})
	i, ok := slices.BinarySearchFunc(s.held, tenure{}, func(a, _ tenure) int { return cmpTenure(a, d.Role, d.Person) })
	switch {
	case !ok:
		s.held = slices.Insert(s.held, i, tenure{role: d.Role, person: d.Person, interim: d.Interim, shared: d.Shared, en: en})
	case s.held[i].interim != d.Interim:
		s.held[i] = tenure{role: d.Role, person: d.Person, interim: d.Interim, shared: d.Shared, en: en}
	default:
		s.held[i].shared = d.Shared
	}
}

// holder returns person's tenure of role, if they hold it.
func (s *rolesState) holder(role events.Role, person string) (tenure, bool) {
	i, ok := slices.BinarySearchFunc(s.held, tenure{}, func(a, _ tenure) int { return cmpTenure(a, role, person) })
	if !ok {
		return tenure{}, false
	}
	return s.held[i], true
}

func (x *Index) rolesState(org string, q question) *rolesState {
	c, ok := chainOf(x, x.roles, org)
	if !ok {
		return &rolesState{}
	}
	return c.state(x, q)
}

// RolesAt answers the roles view of org at q.
func (x *Index) RolesAt(org string, q AsOf) Roles {
	x.prepare()
	qq := q.question()
	r := Roles{Org: org, OrgName: x.nameAt(org, qq), At: q.At, KnownAt: q.KnownAt, Roles: []Holder{}}
	s := x.rolesState(org, qq)
	for _, t := range s.held {
		r.Roles = append(r.Roles, x.holderOf(org, t, qq))
	}
	if a := s.anoms.list(); len(a) > 0 {
		r.Anomalies = a
	}
	return r
}

func (x *Index) holderOf(org string, t tenure, q question) Holder {
	return Holder{Role: t.role, Person: t.person, Name: x.nameAt(t.person, q), Org: org, Interim: t.interim, Shared: t.shared,
		Since: t.en.Event.OccurredAt, SincePrecision: t.en.Event.Precision, Event: t.en.Event.ID}
}
