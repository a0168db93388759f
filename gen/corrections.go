package gen

import (
	"fmt"
	"math/rand/v2"
	"time"

	"storyline/events"
)

// correctPlain corrects about 1% of statements by a report a day later.
func (s *state) correctPlain(loc *time.Location) {
	if s.r.IntN(100) != 0 || len(s.out) == 0 {
		return
	}
	prev := s.out[len(s.out)-1]
	st, ok := prev.Data.(*events.Statement)
	if !ok {
		return
	}
	fixed := *st
	fixed.Text = st.Text + " (corrected)"
	e := prev
	e.Data = &fixed
	e.Supersedes = prev.ID
	e.ReportedAt = prev.ReportedAt.Add(24 * time.Hour).In(loc)
	s.add(e)
}

// correctRough corrects about 2% of recent events of any kind (a
// correction may itself be corrected), each with a variant of its content
// reported 1 to 72 hours after it, and about 0.2% of the time names an id
// that was never stored.
func (s *state) correctRough() {
	switch k := s.r.IntN(1000); {
	case k < 20 && len(s.out) > 1:
		old := s.out[len(s.out)-1-s.r.IntN(min(50, len(s.out)-1))]
		if s.corrected[old.ID] {
			return
		}
		s.corrected[old.ID] = true
		fixed := old
		fixed.Supersedes = old.ID
		fixed.ReportedAt = old.ReportedAt.Add(time.Duration(1+s.r.IntN(72)) * time.Hour)
		fixed.Scheduled = fixed.ReportedAt.Before(fixed.OccurredAt)
		fixed.Data = vary(s.r, old.Data, s.people)
		s.add(fixed)
	case k < 22:
		e := s.out[len(s.out)-1]
		e.Supersedes = s.unknownID()
		s.now = s.now.Add(time.Second)
		e.OccurredAt = e.OccurredAt.Add(time.Second)
		e.ReportedAt = e.ReportedAt.Add(time.Second)
		s.add(e)
	}
}

// add appends e, a variant of a generated event, under its own id.
func (s *state) add(e events.Event) {
	e.ID = e.DeriveID()
	s.out = append(s.out, e)
}

// anyID is the id of a generated event or, now and then, of none.
func (s *state) anyID() string {
	i := s.r.IntN(len(s.out) + 1)
	if i == len(s.out) {
		return s.unknownID()
	}
	return s.out[i].ID
}

// unknownID is an id no generated event has.
func (s *state) unknownID() string {
	return fmt.Sprintf("ffffffff-0000-5000-8000-%012x", len(s.out))
}

// vary returns a changed copy of a payload, as a correction would.
func vary(r *rand.Rand, d events.Data, people []string) events.Data {
	switch d := d.(type) {
	case *events.SeatTaken:
		return changed(d, func(c *events.SeatTaken) { c.Seat = oneOf(r, anySeat) })
	case *events.SeatLeft:
		return changed(d, func(c *events.SeatLeft) { c.Person = oneOf(r, people) })
	case *events.RoleStart:
		return changed(d, func(c *events.RoleStart) { c.Interim = !c.Interim })
	case *events.RoleEnd:
		return changed(d, func(c *events.RoleEnd) { c.Person = oneOf(r, people) })
	case *events.Stake:
		return changed(d, func(c *events.Stake) { c.Amount += 1e6 })
	case *events.Claim:
		return changed(d, func(c *events.Claim) { c.Text += " (corrected)" })
	case *events.Statement:
		return changed(d, func(c *events.Statement) { c.Text += " (corrected)" })
	}
	return d
}

// changed is a copy of *d with change applied.
func changed[T any](d *T, change func(*T)) *T {
	c := *d
	change(&c)
	return &c
}
