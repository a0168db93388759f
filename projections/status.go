package projections

import (
	"cmp"
	"fmt"
	"slices"
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
	Shared         bool             `json:"shared,omitempty"`
	Since          time.Time        `json:"since"`
	SincePrecision events.Precision `json:"since_precision"`
	Event          string           `json:"event"`
}

// SeatHeld is a board seat a person holds.
type SeatHeld struct {
	Org            string           `json:"org"`
	OrgName        string           `json:"org_name,omitempty"`
	Seat           events.Seat      `json:"seat"`
	Since          time.Time        `json:"since"`
	SincePrecision events.Precision `json:"since_precision"`
	Event          string           `json:"event"`
}

// Announcement is a role a person was announced to take and has not (yet)
// started.
type Announcement struct {
	Org     string      `json:"org"`
	OrgName string      `json:"org_name,omitempty"`
	Role    events.Role `json:"role,omitempty"`
	Seat    events.Seat `json:"seat,omitempty"` // a board seat announced ahead
	// Effective is when a change announced ahead (a scheduled event)
	// took effect, as the archive records it (the announcement itself may
	// not have said); nil for an affiliation.announced.
	Effective *time.Time `json:"effective,omitempty"`
	Return    bool       `json:"return,omitempty"` // a role the person held before
	// Text says what was announced, as the summary does.
	Text      string           `json:"text"`
	Note      string           `json:"note,omitempty"`
	At        time.Time        `json:"at"`
	Precision events.Precision `json:"precision"`
	Event     string           `json:"event"`
}

// Past is a role a person no longer holds: their last tenure of it, and
// how it ended. A tenure ended by someone else's start ends "replaced"
// ("interim_ended" for an interim one), By naming the newcomer.
type Past struct {
	Org            string           `json:"org"`
	OrgName        string           `json:"org_name,omitempty"`
	Role           events.Role      `json:"role"`
	Interim        bool             `json:"interim"`
	How            string           `json:"how"`
	By             string           `json:"by,omitempty"`
	Since          time.Time        `json:"since"`
	SincePrecision events.Precision `json:"since_precision"`
	Until          time.Time        `json:"until"`
	UntilPrecision events.Precision `json:"until_precision"`
	Event          string           `json:"event"` // the event that ended it
}

// Recent is an event in a status's recent list: the event format plus its
// sequence and a one-line summary.
type Recent struct {
	Seq        uint64 `json:"seq"`
	Summary    string `json:"summary"`
	OutletName string `json:"outlet_name,omitempty"`
	*events.Event
}

// MarshalJSON writes the event as a timeline item does.
func (r Recent) MarshalJSON() ([]byte, error) {
	return TimelineItem{Seq: r.Seq, Summary: r.Summary, Event: r.Event, OutletName: r.OutletName}.MarshalJSON()
}

// Status is the status view of a person at (At, KnownAt).
type Status struct {
	Person    string         `json:"person"`
	Name      string         `json:"name"`
	At        time.Time      `json:"at"`
	KnownAt   time.Time      `json:"known_at"`
	Positions []Position     `json:"positions"` // by org, role
	Seats     []SeatHeld     `json:"seats"`     // by org
	Announced []Announcement `json:"announced"` // oldest first
	Former    []Past         `json:"former"`    // oldest first
	Summary   string         `json:"summary"`
	Recent    []Recent       `json:"recent"` // newest first
	Anomalies []Anomaly      `json:"anomalies,omitempty"`
}

// RecentLimit is how many recent events a status lists.
const RecentLimit = 8

// personState is what a person's own events say after a prefix of them:
// their seats, their last start of each role (and its explicit end), and
// their open announcements. Whether a role is still held also depends on
// others' starts, which the org's roles fold knows.
type personState struct {
	seats []seat     // by org
	roles []started  // by org, role
	ann   []*Entry   // open affiliation.announced, fold order
	anoms *anomalies // the person's seat events and role endings that do not fit
}

type started struct {
	org        string
	role       events.Role
	start, end *Entry // end: the person's role.ended after start, if any
}

func cmpStarted(a started, org string, role events.Role) int {
	if c := strings.Compare(a.org, org); c != 0 {
		return c
	}
	return cmp.Compare(a.role, role)
}

var personFold = &fold[*personState]{
	every: 32,
	empty: func() *personState { return &personState{} },
	clone: func(s *personState) *personState {
		return &personState{seats: slices.Clone(s.seats), roles: slices.Clone(s.roles), ann: slices.Clone(s.ann), anoms: s.anoms}
	},
	size: func(s *personState) int { return len(s.seats) + len(s.roles) + len(s.ann) },
	apply: func(_ *Index, s *personState, person string, en *Entry) *personState {
		switch d := en.Event.Data.(type) {
		case *events.SeatTaken:
			if d.Person == person {
				s.seats = takeSeat(s.seats, d.Org, d.Seat, en)
			}
		case *events.SeatLeft:
			if d.Person == person {
				s.seats, s.anoms = leaveSeat(s.seats, d.Org, d, en, s.anoms)
			}
		case *events.RoleStart:
			if d.Person != person {
				break
			}
			i, ok := slices.BinarySearchFunc(s.roles, started{}, func(a, _ started) int { return cmpStarted(a, d.Org, d.Role) })
			if ok {
				s.roles[i] = started{org: d.Org, role: d.Role, start: en}
			} else {
				s.roles = slices.Insert(s.roles, i, started{org: d.Org, role: d.Role, start: en})
			}
			// Taking up a role settles every earlier announcement: the one
			// it fulfils, and any it shows overtaken.
			s.ann = nil
		case *events.RoleEnd:
			if d.Person != person {
				break
			}
			i, ok := slices.BinarySearchFunc(s.roles, started{}, func(a, _ started) int { return cmpStarted(a, d.Org, d.Role) })
			if ok && s.roles[i].end == nil {
				s.roles[i].end = en
			} else {
				s.anoms = s.anoms.push(en, "%s ends role %s at %s without holding it", d.Person, d.Role, d.Org)
			}
		case *events.Affiliation:
			if d.Person != person {
				break
			}
			s.ann = slices.DeleteFunc(s.ann, func(a *Entry) bool {
				b := a.Event.Data.(*events.Affiliation)
				return b.Org == d.Org && b.Role == d.Role
			})
			s.ann = append(s.ann, en)
		}
		return s
	},
}

// StatusAt answers the status view of person at q.
func (x *Index) StatusAt(person string, q AsOf) Status {
	x.prepare()
	qq := q.question()
	st := Status{Person: person, Name: x.nameAt(person, qq), At: q.At, KnownAt: q.KnownAt,
		Positions: []Position{}, Seats: []SeatHeld{}, Announced: []Announcement{}, Former: []Past{}, Recent: []Recent{}}
	c, ok := chainOf(x, x.entity, person)
	if !ok {
		st.Summary = summary(st, func(id string) string { return x.nameAt(id, qq) })
		return st
	}
	ps := c.state(x, qq)
	orgs := map[string]*rolesState{}
	anoms := ps.anoms
	for _, r := range ps.roles {
		rs, ok := orgs[r.org]
		if !ok {
			rs = x.rolesState(r.org, qq)
			orgs[r.org] = rs
		}
		if t, ok := rs.holder(r.role, person); ok {
			st.Positions = append(st.Positions, Position{Org: r.org, OrgName: x.nameAt(r.org, qq), Role: r.role, Interim: t.interim,
				Shared: t.shared, Since: t.en.Event.OccurredAt, SincePrecision: t.en.Event.Precision, Event: t.en.Event.ID})
		} else if p, ok := x.ended(r, person, qq); ok {
			p.OrgName = x.nameAt(r.org, qq)
			st.Former = append(st.Former, p)
			if r.end != nil && p.Event != r.end.Event.ID && qq.inT(r.end) {
				// Their own role.ended came after someone else's start
				// had already ended the tenure.
				anoms = anoms.push(r.end, "%s ends role %s at %s without holding it", person, r.role, r.org)
			}
		}
	}
	sort.SliceStable(st.Former, func(i, j int) bool { return st.Former[i].Until.Before(st.Former[j].Until) })
	for _, s := range ps.seats {
		st.Seats = append(st.Seats, SeatHeld{Org: s.who, OrgName: x.nameAt(s.who, qq), Seat: s.seat,
			Since: s.en.Event.OccurredAt, SincePrecision: s.en.Event.Precision, Event: s.en.Event.ID})
	}
	for _, en := range ps.ann {
		a := en.Event.Data.(*events.Affiliation)
		st.Announced = append(st.Announced, Announcement{Org: a.Org, OrgName: x.nameAt(a.Org, qq), Role: a.Role, Note: a.Note,
			At: en.Event.OccurredAt, Precision: en.Event.Precision, Event: en.Event.ID})
	}
	st.Announced = mergeAnnounced(st.Announced, x.scheduled(c, person, st.Former, qq))
	for i, a := range st.Announced {
		st.Announced[i].Text = announced(a, cmp.Or(a.OrgName, a.Org))
	}
	if a := anoms.list(); len(a) > 0 {
		slices.SortStableFunc(a, func(a, b Anomaly) int { return a.OccurredAt.Compare(b.OccurredAt) })
		st.Anomalies = a
	}
	st.Recent = x.recent(c, qq)
	st.Summary = summary(st, func(id string) string { return x.nameAt(id, qq) })
	return st
}

// scheduled lists the changes to the person announced ahead (scheduled
// role starts and seats) that are known at q but have not happened by T.
func (x *Index) scheduled(c *chain[*personState], person string, former []Past, q question) []Announcement {
	var out []Announcement
	for _, i := range c.sched {
		en := c.es[i]
		if !q.counts(en) || q.inT(en) {
			continue
		}
		e := en.Event
		eff := e.OccurredAt
		// Precision is the effective time's; the announcement's own time
		// is taken as written.
		a := Announcement{At: e.ReportedAt, Precision: e.Precision, Event: e.ID, Effective: &eff}
		switch d := e.Data.(type) {
		case *events.RoleStart:
			if d.Person != person {
				continue
			}
			a.Org, a.Role = d.Org, d.Role
			a.Return = slices.ContainsFunc(former, func(p Past) bool { return p.Org == d.Org && p.Role == d.Role })
		case *events.SeatTaken:
			if d.Person != person {
				continue
			}
			a.Org, a.Seat = d.Org, d.Seat
		default:
			continue
		}
		a.OrgName = x.nameAt(a.Org, q)
		out = append(out, a)
	}
	return out
}

// mergeAnnounced adds the scheduled changes to the affiliations; a
// scheduled start of a role replaces an announcement of the same role at
// the same org, since it says more (when).
func mergeAnnounced(affs, sched []Announcement) []Announcement {
	out := slices.DeleteFunc(affs, func(a Announcement) bool {
		return slices.ContainsFunc(sched, func(s Announcement) bool { return s.Org == a.Org && s.Role != "" && s.Role == a.Role })
	})
	return append(out, sched...)
}

// ended finds how the person's tenure r, which they no longer hold at q,
// ended: the first start of the role by someone else that displaced them,
// or their own role.ended, whichever came first.
func (x *Index) ended(r started, person string, q question) (Past, bool) {
	d := r.start.Event.Data.(*events.RoleStart)
	p := Past{Org: r.org, Role: r.role, Interim: d.Interim, Since: r.start.Event.OccurredAt, SincePrecision: r.start.Event.Precision}
	c, ok := chainOf(x, x.roles, r.org)
	if !ok {
		return p, false
	}
	from := c.find(r.start)
	if from < 0 {
		return p, false
	}
	var by *Entry
	c.each(q, from+1, func(_ int, en *Entry) bool {
		if en == r.end {
			by = en
			return false
		}
		if s, ok := en.Event.Data.(*events.RoleStart); ok && s.Role == r.role && s.Person != person && !(s.Shared && d.Shared) {
			by = en
			return false
		}
		return true
	})
	if by == nil {
		return p, false
	}
	p.Until, p.UntilPrecision, p.Event = by.Event.OccurredAt, by.Event.Precision, by.Event.ID
	switch e := by.Event.Data.(type) {
	case *events.RoleEnd:
		p.How = e.How
	case *events.RoleStart:
		p.How, p.By = events.HowReplaced, e.Person
		if d.Interim {
			p.How = events.HowInterimEnded
		}
	}
	return p, true
}

// recent returns the last RecentLimit events of c that occurred by T and
// count at K, newest first.
func (x *Index) recent(c *chain[*personState], q question) []Recent {
	out := []Recent{}
	p, pk, _ := c.window(q)
	var late []*Entry
	c.eachSched(q, pk, p, func(_ int, en *Entry) bool { late = append(late, en); return true })
	for i := len(late) - 1; i >= 0 && len(out) < RecentLimit; i-- {
		out = append(out, Recent{Seq: late[i].Seq, Summary: x.Summary(late[i].Event), OutletName: x.outletName(late[i].Event), Event: late[i].Event})
	}
	for i := pk - 1; i >= 0 && len(out) < RecentLimit; i-- {
		if en := c.es[i]; q.counts(en) {
			out = append(out, Recent{Seq: en.Seq, Summary: x.Summary(en.Event), OutletName: x.outletName(en.Event), Event: en.Event})
		}
	}
	return out
}

// fact is one piece of a summary, placed in time.
type fact struct {
	at   time.Time
	text string
}

// summary says in one line where the person stands, oldest fact first:
// the roles and seats they hold, the last two roles they lost and how, and
// what they are announced to do. Orgs and people appear by name (by id if
// never described); it is read by people, the fields are for programs.
func summary(st Status, name func(id string) string) string {
	called := func(id, known string) string {
		if known == "" {
			known = name(id)
		}
		if known == "" {
			return id
		}
		return known
	}
	var facts []fact
	for _, p := range st.Positions {
		s := fmt.Sprintf("%s of %s since %s", p.Role.Text(), called(p.Org, p.OrgName), day(p.Since, p.SincePrecision))
		if p.Interim {
			s = "interim " + s
		}
		facts = append(facts, fact{p.Since, s})
	}
	for _, s := range st.Seats {
		facts = append(facts, fact{s.Since, fmt.Sprintf("%s on the %s board since %s", s.Seat, called(s.Org, s.OrgName), day(s.Since, s.SincePrecision))})
	}
	former := st.Former
	if len(former) > 2 {
		former = former[len(former)-2:]
	}
	for _, f := range former {
		role := f.Role.Text()
		if f.Interim && f.How != events.HowInterimEnded {
			role = "interim " + role
		}
		s := fmt.Sprintf("%s as %s of %s on %s", verb(f.How), role, called(f.Org, f.OrgName), day(f.Until, f.UntilPrecision))
		if f.By != "" {
			s = fmt.Sprintf("%s as %s of %s by %s on %s", verb(f.How), role, called(f.Org, f.OrgName), called(f.By, ""), day(f.Until, f.UntilPrecision))
		}
		facts = append(facts, fact{f.Until, s})
	}
	for _, a := range st.Announced {
		facts = append(facts, fact{a.At, a.Text})
	}
	if len(facts) == 0 {
		return "no known position"
	}
	sort.SliceStable(facts, func(i, j int) bool { return facts[i].at.Before(facts[j].at) })
	parts := make([]string, len(facts))
	for i, f := range facts {
		parts[i] = f.text
	}
	return strings.Join(parts, "; ")
}

// announced says what an announcement announces.
func announced(a Announcement, org string) string {
	if a.Effective == nil {
		return fmt.Sprintf("announced to join %s (%s)", org, a.Role.Text())
	}
	// The date it takes effect is the record's, which the announcement
	// need not have given: the text does not show it as known then.
	switch {
	case a.Seat != "":
		return fmt.Sprintf("announced to take a %s seat on the %s board", a.Seat, org)
	case a.Return:
		return fmt.Sprintf("announced to return as %s of %s", a.Role.Text(), org)
	}
	return fmt.Sprintf("announced to become %s of %s", a.Role.Text(), org)
}

func verb(how string) string {
	switch how {
	case events.HowFired:
		return "fired"
	case events.HowResigned:
		return "resigned"
	case events.HowReplaced:
		return "replaced"
	case events.HowInterimEnded:
		return "interim tenure ended"
	}
	return strings.ReplaceAll(how, "_", " ")
}

// day writes t's date in its own offset, as precisely as the source gave it.
func day(t time.Time, p events.Precision) string {
	switch p {
	case events.PrecisionYear:
		return t.Format("2006")
	case events.PrecisionMonth:
		return t.Format("2006-01")
	}
	return t.Format("2006-01-02")
}
