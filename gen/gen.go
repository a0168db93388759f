// Package gen makes synthetic stories of any size for benchmarks and
// tests: many organisations and people, board and role changes, claims and
// their resolutions, about 10% late reports and 1% corrections. The same
// seed always gives the same events.
package gen

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"storyline/events"
)

// Config says what to generate.
type Config struct {
	Events int    // how many events, at least
	Seed   uint64 // same seed, same story
	// Start is the story's first moment. Default 2020-01-01T00:00:00Z.
	Start time.Time
}

var outlets = []struct {
	name   string
	attrib events.Attribution
}{
	{"Northwind Wire", events.Anonymous}, {"Harbour Gazette", events.OnRecord}, {"Company filings", events.Official},
	{"Lakeside Business Daily", events.Anonymous}, {"Meridian Radio", events.OnRecord}, {"Storyline editors", events.Archive},
}

var roles = []events.Role{"ceo", "president", "cto", "coo", "cfo", "chief_scientist", "general_counsel"}

var words = []string{"board", "talks", "investors", "deal", "review", "staff", "letter", "return", "interim",
	"governance", "pressure", "statement", "sources", "familiar", "weekend", "agreement", "resign", "appoint"}

type state struct {
	r       *rand.Rand
	now     time.Time
	orgs    []string
	people  []string
	seats   map[string]map[string]events.Seat // org -> person -> seat
	holders map[string]map[events.Role]string // org -> role -> person
	claims  []string
	out     []events.Event
}

// Generate returns at least cfg.Events valid events.
func Generate(cfg Config) []events.Event {
	if cfg.Start.IsZero() {
		cfg.Start = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	s := &state{
		r:       rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		now:     cfg.Start,
		seats:   map[string]map[string]events.Seat{},
		holders: map[string]map[events.Role]string{},
	}
	nOrgs := max(3, cfg.Events/2000)
	nPeople := max(12, cfg.Events/100)
	zones := []*time.Location{time.UTC, time.FixedZone("", -8*3600), time.FixedZone("", 8*3600), time.FixedZone("", 3600)}
	for i := 0; i < nOrgs; i++ {
		id := fmt.Sprintf("org-%d", i)
		s.orgs = append(s.orgs, id)
		s.seats[id] = map[string]events.Seat{}
		s.holders[id] = map[events.Role]string{}
		s.emit(&events.EntityDescription{ID: id, Kind: events.Org, Name: fmt.Sprintf("Org %d Holdings", i), Aliases: []string{fmt.Sprintf("O%d", i)}}, 0, nil)
	}
	for i := 0; i < nPeople; i++ {
		id := fmt.Sprintf("person-%d", i)
		s.people = append(s.people, id)
		s.emit(&events.EntityDescription{ID: id, Kind: events.Person, Name: fmt.Sprintf("Person %d", i), Aliases: []string{fmt.Sprintf("P%d", i)}}, 0, nil)
	}
	for len(s.out) < cfg.Events {
		s.now = s.now.Add(time.Duration(1+s.r.IntN(90)) * time.Minute)
		loc := zones[s.r.IntN(len(zones))]
		s.step(loc)
	}
	return s.out
}

func (s *state) step(loc *time.Location) {
	// People, as in life, deal with a few organisations: the person's
	// index picks two of them.
	pi := s.r.IntN(len(s.people))
	person := s.people[pi]
	org := s.orgs[pi%len(s.orgs)]
	if s.r.IntN(3) == 0 {
		org = s.orgs[(pi*7+3)%len(s.orgs)]
	}
	switch k := s.r.IntN(100); {
	case k < 22:
		// Boards stay board-sized: a full board loses a member first.
		if len(s.seats[org]) >= 12 {
			members := make([]string, 0, len(s.seats[org]))
			for p := range s.seats[org] {
				members = append(members, p)
			}
			sort.Strings(members) // map order is random; the story must not be
			person = members[s.r.IntN(len(members))]
		}
		if seat, ok := s.seats[org][person]; ok && (s.r.IntN(2) == 0 || len(s.seats[org]) >= 12) {
			s.emit(&events.SeatLeft{Org: org, Person: person, Seat: seat, How: []string{events.HowRemoved, events.HowResigned, events.HowTermEnded}[s.r.IntN(3)]}, 0, loc)
			delete(s.seats[org], person)
		} else {
			seat := events.Director
			if s.r.IntN(8) == 0 {
				seat = events.Chair
			} else if s.r.IntN(10) == 0 {
				seat = events.Observer
			}
			s.emit(&events.SeatTaken{Org: org, Person: person, Seat: seat}, 0, loc)
			s.seats[org][person] = seat
		}
	case k < 44:
		role := roles[s.r.IntN(len(roles))]
		if cur, ok := s.holders[org][role]; ok && s.r.IntN(3) == 0 {
			s.emit(&events.RoleEnd{Person: cur, Org: org, Role: role, How: []string{events.HowFired, events.HowResigned, events.HowReplaced}[s.r.IntN(3)]}, 0, loc)
			delete(s.holders[org], role)
		} else {
			s.emit(&events.RoleStart{Person: person, Org: org, Role: role, Interim: s.r.IntN(5) == 0}, 0, loc)
			s.holders[org][role] = person
		}
	case k < 52:
		s.emit(&events.Affiliation{Person: person, Org: org, Role: roles[s.r.IntN(len(roles))], Note: s.text(8)}, 0, loc)
	case k < 70:
		s.emit(&events.Statement{By: person, Text: s.text(30 + s.r.IntN(40)), Lang: "en"}, 0, loc)
	case k < 82:
		id := s.emit(&events.Claim{About: []string{org, person}, Text: s.text(20 + s.r.IntN(20)), Lang: "en", Expects: events.RoleStarted}, 0, loc)
		s.claims = append(s.claims, id)
	case k < 88 && len(s.claims) > 0:
		i := s.r.IntN(len(s.claims))
		claim := s.claims[i]
		s.claims = append(s.claims[:i], s.claims[i+1:]...)
		by := s.out[len(s.out)-1].ID
		s.emit(&events.Resolution{Claim: claim, Outcome: []string{events.Confirmed, events.Refuted}[s.r.IntN(2)], ByEvent: by}, 0, loc)
	case k < 92:
		total := int64(100 + s.r.IntN(900))
		s.emit(&events.Petition{Org: org, Petition: org + "-letter", Signatures: s.r.Int64N(total), OfTotal: total}, 0, loc)
	case k < 95:
		s.emit(&events.Stake{Holder: person, Org: org, Amount: float64(s.r.IntN(1000)) * 1e6, Currency: "USD", Note: s.text(5)}, 0, loc)
	default:
		s.emit(&events.Report{Title: s.text(8), Lang: "en", Body: s.text(60 + s.r.IntN(60)), Cites: []string{outlets[s.r.IntN(len(outlets))].name}}, 0, loc)
	}
	// About 1% of events are corrected by a later report.
	if s.r.IntN(100) == 0 && len(s.out) > 0 {
		prev := s.out[len(s.out)-1]
		if st, ok := prev.Data.(*events.Statement); ok {
			fixed := *st
			fixed.Text = st.Text + " (corrected)"
			s.emit(&fixed, 24*time.Hour, loc, func(e *events.Event) {
				e.Supersedes = prev.ID
				e.OccurredAt = prev.OccurredAt
			})
		}
	}
}

func (s *state) text(n int) string {
	b := make([]byte, 0, n*8)
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, words[s.r.IntN(len(words))]...)
	}
	return string(b)
}

// emit appends an event occurring now. About 10% are reported days late;
// the rest within the hour.
func (s *state) emit(d events.Data, extraLag time.Duration, loc *time.Location, adjust ...func(*events.Event)) string {
	if loc == nil {
		loc = time.UTC
	}
	o := outlets[s.r.IntN(len(outlets))]
	lag := time.Duration(s.r.IntN(60)) * time.Minute
	if s.r.IntN(10) == 0 {
		lag = time.Duration(1+s.r.IntN(5)) * 24 * time.Hour
	}
	e := events.Event{
		Type: d.Type(), OccurredAt: s.now.In(loc), Precision: events.PrecisionMinute,
		ReportedAt: s.now.Add(lag + extraLag).In(loc),
		Source:     events.Source{Outlet: o.name, Attribution: o.attrib},
		Data:       d,
	}
	if o.attrib == events.Official {
		e.Source.URL = fmt.Sprintf("https://filings.example.org/%d", len(s.out))
	}
	for _, f := range adjust {
		f(&e)
	}
	e.ReportedAt = maxTime(e.ReportedAt, e.OccurredAt)
	e.ID = e.DeriveID()
	s.out = append(s.out, e)
	return e.ID
}

func maxTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return b
	}
	return a
}
