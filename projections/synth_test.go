package projections

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"storyline/events"
)

// synthConfig shapes a synthetic story.
type synthConfig struct {
	Events int
	Seed   uint64
	Orgs   int // default 20: few orgs, so each has many events
	People int // default 500
}

// synth makes a seeded synthetic story: board churn on boards of about a
// dozen seats (with seat changes), role churn (interim, shared), a few
// events that do not fit (anomalies), announcements, statements, claims
// and resolutions (some of unknown or non-claim events), stakes, renames,
// reports; about 12% reported
// days late, 2% scheduled, 2% corrected (some corrections corrected
// again), a few corrections of unknown events. Occurred times strictly
// increase, so no two events tie in fold order except a correction and
// its target, which differ in reported time. The same seed gives the same
// story.
func synth(cfg synthConfig) []events.Event {
	if cfg.Orgs == 0 {
		cfg.Orgs = 20
	}
	if cfg.People == 0 {
		cfg.People = 500
	}
	r := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed*0x9e3779b97f4a7c15+1))
	g := &synthState{r: r, now: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), seed: uint32(cfg.Seed)}
	zones := []*time.Location{time.UTC, time.FixedZone("", -5*3600), time.FixedZone("", 8*3600), time.FixedZone("", 3600)}
	orgs := make([]string, cfg.Orgs)
	for i := range orgs {
		orgs[i] = fmt.Sprintf("org-%d", i)
		g.emit(&events.EntityDescription{ID: orgs[i], Kind: events.Org, Name: fmt.Sprintf("Org %d", i), Aliases: []string{fmt.Sprintf("组织%d", i)}}, time.UTC)
	}
	people := make([]string, cfg.People)
	for i := range people {
		people[i] = fmt.Sprintf("person-%d", i)
		g.emit(&events.EntityDescription{ID: people[i], Kind: events.Person, Name: fmt.Sprintf("Person %d", i), Aliases: []string{}}, time.UTC)
	}
	roles := []events.Role{"ceo", "president", "cto", "coo", "cfo"}
	seats := []events.Seat{events.Director, events.Director, events.Director, events.Chair, events.Observer}
	hows := []string{events.HowRemoved, events.HowResigned, events.HowTermEnded}
	ends := []string{events.HowFired, events.HowResigned, events.HowReplaced}
	// What the generator believes, to keep boards board-sized and most
	// departures fitting; late reports and corrections still make some
	// events not fit, and a few misfits are made on purpose.
	board := map[string]map[string]events.Seat{}
	held := map[string]map[events.Role]string{}
	for _, o := range orgs {
		board[o], held[o] = map[string]events.Seat{}, map[events.Role]string{}
	}
	member := func(o string) (string, events.Seat) {
		ps := make([]string, 0, len(board[o]))
		for p := range board[o] {
			ps = append(ps, p)
		}
		slices.Sort(ps)
		p := ps[r.IntN(len(ps))]
		return p, board[o][p]
	}
	for len(g.out) < cfg.Events {
		loc := zones[r.IntN(len(zones))]
		// People, as in life, deal with two or three orgs.
		pi := r.IntN(len(people))
		person := people[pi]
		org := orgs[[]int{pi, pi*7 + 3, pi*13 + 5}[r.IntN(3)]%len(orgs)]
		var d events.Data
		switch k := r.IntN(100); {
		case k < 25:
			switch n := len(board[org]); {
			case r.IntN(300) == 0:
				d = &events.SeatLeft{Org: org, Person: person, Seat: seats[r.IntN(len(seats))], How: hows[r.IntN(len(hows))]}
			case n > 0 && (n >= 12 || r.IntN(2) == 0):
				p, seat := member(org)
				if r.IntN(5) == 0 {
					seat = seats[r.IntN(len(seats))] // a change of seat
					d = &events.SeatTaken{Org: org, Person: p, Seat: seat}
					board[org][p] = seat
				} else {
					d = &events.SeatLeft{Org: org, Person: p, Seat: seat, How: hows[r.IntN(len(hows))]}
					delete(board[org], p)
				}
			default:
				seat := seats[r.IntN(len(seats))]
				d = &events.SeatTaken{Org: org, Person: person, Seat: seat}
				board[org][person] = seat
			}
		case k < 50:
			role := roles[r.IntN(len(roles))]
			cur, ok := held[org][role]
			switch {
			case r.IntN(300) == 0:
				d = &events.RoleEnd{Person: person, Org: org, Role: role, How: ends[r.IntN(len(ends))]}
			case ok && r.IntN(3) == 0:
				d = &events.RoleEnd{Person: cur, Org: org, Role: role, How: ends[r.IntN(len(ends))]}
				delete(held[org], role)
			default:
				d = &events.RoleStart{Person: person, Org: org, Role: role, Interim: r.IntN(4) == 0, Shared: r.IntN(8) == 0}
				held[org][role] = person
			}
		case k < 57:
			d = &events.Affiliation{Person: person, Org: org, Role: roles[r.IntN(len(roles))], Note: "to join"}
		case k < 70:
			d = &events.Statement{By: person, Text: "a statement", Lang: "en"}
		case k < 80:
			d = &events.Claim{About: []string{org, person}, Text: "a claim", Lang: "en"}
		case k < 86:
			claim := fmt.Sprintf("%08x-0000-5000-8000-%012x", g.seed, r.IntN(len(g.out)+1))
			by := fmt.Sprintf("%08x-0000-5000-8000-%012x", g.seed, r.IntN(len(g.out)+1))
			d = &events.Resolution{Claim: claim, Outcome: []string{events.Confirmed, events.Refuted}[r.IntN(2)], ByEvent: by}
		case k < 91:
			d = &events.Stake{Holder: person, Org: org, Amount: float64(r.IntN(1000)) * 1e6, Currency: "USD"}
		case k < 92 && r.IntN(5) == 0:
			id := people[r.IntN(len(people))]
			d = &events.EntityDescription{ID: id, Kind: events.Person, Name: fmt.Sprintf("Renamed %s %d", id, len(g.out)), Aliases: []string{}}
		default:
			d = &events.Report{Title: "a report", Lang: "en", Body: "text", Cites: []string{"Wire"}}
		}
		g.now = g.now.Add(time.Duration(1+r.IntN(90)) * time.Minute)
		g.emit(d, loc)
		switch k := r.IntN(1000); {
		case k < 20 && len(g.out) > 1:
			// Correct a recent event (maybe itself a correction) with a
			// variant of its content, reported a while after it.
			i := len(g.out) - 1 - r.IntN(min(50, len(g.out)-1))
			old := g.out[i]
			if g.corrected[old.ID] {
				break
			}
			g.corrected[old.ID] = true
			fixed := old
			fixed.ID = g.id()
			fixed.Supersedes = old.ID
			fixed.ReportedAt = old.ReportedAt.Add(time.Duration(1+r.IntN(72)) * time.Hour)
			fixed.Scheduled = fixed.ReportedAt.Before(fixed.OccurredAt)
			fixed.Data = vary(r, old.Data, people)
			g.out = append(g.out, fixed)
		case k < 22:
			e := g.out[len(g.out)-1]
			e.ID = g.id()
			e.Supersedes = fmt.Sprintf("ffffffff-0000-5000-8000-%012x", len(g.out))
			e.OccurredAt = e.OccurredAt.Add(time.Second)
			e.ReportedAt = e.ReportedAt.Add(time.Second)
			g.out = append(g.out, e)
		}
	}
	return g.out
}

type synthState struct {
	r         *rand.Rand
	now       time.Time
	seed      uint32
	n         int
	out       []events.Event
	corrected map[string]bool
}

func (g *synthState) id() string {
	g.n++
	return fmt.Sprintf("%08x-0000-5000-8000-%012x", g.seed, g.n)
}

func (g *synthState) emit(d events.Data, loc *time.Location) {
	if g.corrected == nil {
		g.corrected = map[string]bool{}
	}
	g.now = g.now.Add(time.Second) // strictly increasing
	e := events.Event{ID: g.id(), Type: d.Type(), OccurredAt: g.now.In(loc), Precision: events.PrecisionMinute,
		ReportedAt: g.now.Add(time.Duration(g.r.IntN(60)) * time.Minute).In(loc),
		Source:     events.Source{Outlet: []string{"Wire", "Gazette", "Filings", "Radio"}[g.r.IntN(4)], Attribution: events.OnRecord},
		Data:       d}
	switch k := g.r.IntN(100); {
	case k < 12:
		e.ReportedAt = e.OccurredAt.Add(time.Duration(1+g.r.IntN(5*24)) * time.Hour)
	case k < 14:
		e.ReportedAt = e.OccurredAt.Add(-time.Duration(1+g.r.IntN(10*24)) * time.Hour)
		e.Scheduled = true
	}
	if g.r.IntN(4) == 0 {
		e.Source.Attribution = events.Anonymous
	}
	if g.r.IntN(10) == 0 {
		e.Precision = events.PrecisionDay
	}
	g.out = append(g.out, e)
}

// vary returns a changed copy of a payload, as a correction would.
func vary(r *rand.Rand, d events.Data, people []string) events.Data {
	switch d := d.(type) {
	case *events.SeatTaken:
		c := *d
		c.Seat = []events.Seat{events.Director, events.Chair, events.Observer}[r.IntN(3)]
		return &c
	case *events.SeatLeft:
		c := *d
		c.Person = people[r.IntN(len(people))]
		return &c
	case *events.RoleStart:
		c := *d
		c.Interim = !c.Interim
		return &c
	case *events.RoleEnd:
		c := *d
		c.Person = people[r.IntN(len(people))]
		return &c
	case *events.Stake:
		c := *d
		c.Amount += 1e6
		return &c
	case *events.Claim:
		c := *d
		c.Text += " (corrected)"
		return &c
	case *events.Statement:
		c := *d
		c.Text += " (corrected)"
		return &c
	}
	return d
}
