package gen

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"storyline/events"
)

// Config says what to generate.
type Config struct {
	Events int    // how many events, at least
	Seed   uint64 // same seed, same story
	// Start is the story's first moment. Default 2020-01-01T00:00:00Z.
	Start time.Time
	// Orgs and People are how many of each; by default one org per 2,000
	// events (at least 3) and one person per 100 (at least 12).
	Orgs, People int
	// Rough adds the edge cases a fold must survive (see the package doc).
	Rough bool
}

func (c Config) withDefaults() Config {
	if c.Start.IsZero() {
		c.Start = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if c.Orgs <= 0 {
		c.Orgs = max(3, c.Events/2000)
	}
	if c.People <= 0 {
		c.People = max(12, c.Events/100)
	}
	return c
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

var zones = []*time.Location{time.UTC, time.FixedZone("", -8*3600), time.FixedZone("", 8*3600), time.FixedZone("", 3600)}

type state struct {
	cfg     Config
	r       *rand.Rand
	now     time.Time
	orgs    []string
	people  []string
	seats   map[string]map[string]events.Seat // org -> person -> seat
	holders map[string]map[events.Role]string // org -> role -> person
	claims  []string
	out     []events.Event
	// corrected marks the events a rough story corrected already.
	corrected map[string]bool
}

// Generate returns at least cfg.Events valid events.
func Generate(cfg Config) []events.Event {
	cfg = cfg.withDefaults()
	s := &state{
		cfg:       cfg,
		r:         rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		now:       cfg.Start,
		seats:     map[string]map[string]events.Seat{},
		holders:   map[string]map[events.Role]string{},
		corrected: map[string]bool{},
	}
	s.describe()
	steps := plainSteps
	if cfg.Rough {
		steps = roughSteps
	}
	for len(s.out) < cfg.Events {
		s.now = s.now.Add(time.Duration(1+s.r.IntN(90)) * time.Minute)
		loc := zones[s.r.IntN(len(zones))]
		org, person := s.pick()
		pickStep(s.r, steps)(s, org, person, loc)
		if cfg.Rough {
			s.correctRough()
		} else {
			s.correctPlain(loc)
		}
	}
	return s.out
}

// describe introduces every org and person.
func (s *state) describe() {
	for i := 0; i < s.cfg.Orgs; i++ {
		id := fmt.Sprintf("org-%d", i)
		s.orgs = append(s.orgs, id)
		s.seats[id] = map[string]events.Seat{}
		s.holders[id] = map[events.Role]string{}
		aliases := []string{fmt.Sprintf("O%d", i)}
		if s.cfg.Rough {
			aliases = append(aliases, fmt.Sprintf("组织%d", i))
		}
		s.emit(&events.EntityDescription{ID: id, Kind: events.Org, Name: fmt.Sprintf("Org %d Holdings", i), Aliases: aliases}, nil)
	}
	for i := 0; i < s.cfg.People; i++ {
		id := fmt.Sprintf("person-%d", i)
		s.people = append(s.people, id)
		s.emit(&events.EntityDescription{ID: id, Kind: events.Person, Name: fmt.Sprintf("Person %d", i), Aliases: []string{fmt.Sprintf("P%d", i)}}, nil)
	}
}

// pick chooses who acts: people, as in life, deal with a few
// organisations, which the person's index picks.
func (s *state) pick() (org, person string) {
	pi := s.r.IntN(len(s.people))
	org = s.orgs[pi%len(s.orgs)]
	if s.r.IntN(3) == 0 {
		org = s.orgs[(pi*7+3)%len(s.orgs)]
	}
	return org, s.people[pi]
}

// member is a member of org's board, chosen at random.
func (s *state) member(org string) string {
	members := make([]string, 0, len(s.seats[org]))
	for p := range s.seats[org] {
		members = append(members, p)
	}
	slices.Sort(members) // map order is random; the story must not be
	return members[s.r.IntN(len(members))]
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

// emit appends an event occurring now, a second after the one before.
// About 10% are reported days late, the rest within the hour; a rough
// story also has scheduled events (reported before they occur) and
// day-precise times.
func (s *state) emit(d events.Data, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	s.now = s.now.Add(time.Second)
	o := outlets[s.r.IntN(len(outlets))]
	e := events.Event{
		Type: d.Type(), OccurredAt: s.now.In(loc), Precision: events.PrecisionMinute,
		ReportedAt: s.now.Add(time.Duration(s.r.IntN(60)) * time.Minute).In(loc),
		Source:     events.Source{Outlet: o.name, Attribution: o.attrib},
		Data:       d,
	}
	switch k := s.r.IntN(100); {
	case k < 10:
		e.ReportedAt = e.OccurredAt.Add(time.Duration(1+s.r.IntN(5)) * 24 * time.Hour)
	case k < 12 && s.cfg.Rough:
		e.ReportedAt = e.OccurredAt.Add(-time.Duration(1+s.r.IntN(10*24)) * time.Hour)
		e.Scheduled = true
	}
	if s.cfg.Rough && s.r.IntN(10) == 0 {
		e.Precision = events.PrecisionDay
	}
	if o.attrib == events.Official {
		e.Source.URL = fmt.Sprintf("https://filings.example.org/%d", len(s.out))
	}
	e.ID = e.DeriveID()
	s.out = append(s.out, e)
	return e.ID
}
