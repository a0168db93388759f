package gen

import (
	"fmt"
	"math/rand/v2"
	"time"

	"storyline/events"
)

// A step makes one event (or none, leaving it to the next step) about org
// and person.
type step func(s *state, org, person string, loc *time.Location)

// weighted is a step and how often it is taken, in parts of the table's
// total.
type weighted struct {
	weight int
	do     step
}

// plainSteps and roughSteps are the mixes of the two kinds of story.
var (
	plainSteps = []weighted{{22, seatStep}, {22, roleStep}, {8, affiliationStep}, {18, statementStep},
		{12, claimStep}, {6, resolutionStep}, {4, petitionStep}, {3, stakeStep}, {5, reportStep}}
	roughSteps = []weighted{{25, seatStep}, {25, roleStep}, {7, affiliationStep}, {13, statementStep},
		{10, claimStep}, {6, resolutionStep}, {2, petitionStep}, {4, stakeStep}, {1, renameStep}, {7, reportStep}}
)

func pickStep(r *rand.Rand, steps []weighted) step {
	total := 0
	for _, w := range steps {
		total += w.weight
	}
	k := r.IntN(total)
	for _, w := range steps {
		if k < w.weight {
			return w.do
		}
		k -= w.weight
	}
	panic("unreachable: k < total")
}

var (
	leaveHows = []string{events.HowRemoved, events.HowResigned, events.HowTermEnded}
	endHows   = []string{events.HowFired, events.HowResigned, events.HowReplaced}
	anySeat   = []events.Seat{events.Director, events.Chair, events.Observer}
)

func oneOf[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// seatStep: someone joins or leaves org's board; boards stay board-sized,
// so a full board loses a member first.
func seatStep(s *state, org, person string, loc *time.Location) {
	board := s.seats[org]
	if s.cfg.Rough && s.r.IntN(300) == 0 { // a departure that may not fit
		s.emit(&events.SeatLeft{Org: org, Person: person, Seat: oneOf(s.r, anySeat), How: oneOf(s.r, leaveHows)}, loc)
		return
	}
	if len(board) >= 12 {
		person = s.member(org)
	}
	if seat, ok := board[person]; ok && (s.r.IntN(2) == 0 || len(board) >= 12) {
		if s.cfg.Rough && s.r.IntN(5) == 0 { // a change of seat
			board[person] = oneOf(s.r, anySeat)
			s.emit(&events.SeatTaken{Org: org, Person: person, Seat: board[person]}, loc)
			return
		}
		s.emit(&events.SeatLeft{Org: org, Person: person, Seat: seat, How: oneOf(s.r, leaveHows)}, loc)
		delete(board, person)
		return
	}
	seat := events.Director
	if s.r.IntN(8) == 0 {
		seat = events.Chair
	} else if s.r.IntN(10) == 0 {
		seat = events.Observer
	}
	s.emit(&events.SeatTaken{Org: org, Person: person, Seat: seat}, loc)
	board[person] = seat
}

// roleStep: a role of org ends or someone takes it.
func roleStep(s *state, org, person string, loc *time.Location) {
	role := oneOf(s.r, roles)
	if s.cfg.Rough && s.r.IntN(300) == 0 { // an end that may not fit
		s.emit(&events.RoleEnd{Person: person, Org: org, Role: role, How: oneOf(s.r, endHows)}, loc)
		return
	}
	if cur, ok := s.holders[org][role]; ok && s.r.IntN(3) == 0 {
		s.emit(&events.RoleEnd{Person: cur, Org: org, Role: role, How: oneOf(s.r, endHows)}, loc)
		delete(s.holders[org], role)
		return
	}
	s.emit(&events.RoleStart{Person: person, Org: org, Role: role, Interim: s.r.IntN(5) == 0, Shared: s.cfg.Rough && s.r.IntN(8) == 0}, loc)
	s.holders[org][role] = person
}

func affiliationStep(s *state, org, person string, loc *time.Location) {
	s.emit(&events.Affiliation{Person: person, Org: org, Role: oneOf(s.r, roles), Note: s.text(8)}, loc)
}

func statementStep(s *state, _, person string, loc *time.Location) {
	s.emit(&events.Statement{By: person, Text: s.text(30 + s.r.IntN(40)), Lang: "en"}, loc)
}

func claimStep(s *state, org, person string, loc *time.Location) {
	id := s.emit(&events.Claim{About: []string{org, person}, Text: s.text(20 + s.r.IntN(20)), Lang: "en", Expects: events.RoleStarted}, loc)
	s.claims = append(s.claims, id)
}

// resolutionStep settles an open claim by the event before it; a rough
// story also names events at random, some not claims and some unknown.
func resolutionStep(s *state, org, person string, loc *time.Location) {
	outcome := oneOf(s.r, []string{events.Confirmed, events.Refuted})
	if s.cfg.Rough {
		s.emit(&events.Resolution{Claim: s.anyID(), Outcome: outcome, ByEvent: s.anyID()}, loc)
		return
	}
	if len(s.claims) == 0 {
		reportStep(s, org, person, loc)
		return
	}
	i := s.r.IntN(len(s.claims))
	claim := s.claims[i]
	s.claims = append(s.claims[:i], s.claims[i+1:]...)
	s.emit(&events.Resolution{Claim: claim, Outcome: outcome, ByEvent: s.out[len(s.out)-1].ID}, loc)
}

func petitionStep(s *state, org, _ string, loc *time.Location) {
	total := int64(100 + s.r.IntN(900))
	s.emit(&events.Petition{Org: org, Petition: org + "-letter", Signatures: s.r.Int64N(total), OfTotal: total}, loc)
}

func stakeStep(s *state, org, person string, loc *time.Location) {
	s.emit(&events.Stake{Holder: person, Org: org, Amount: float64(s.r.IntN(1000)) * 1e6, Currency: "USD", Note: s.text(5)}, loc)
}

// renameStep describes someone again under a new name.
func renameStep(s *state, _, _ string, loc *time.Location) {
	id := oneOf(s.r, s.people)
	s.emit(&events.EntityDescription{ID: id, Kind: events.Person, Name: fmt.Sprintf("Renamed %s %d", id, len(s.out)), Aliases: []string{}}, loc)
}

func reportStep(s *state, _, _ string, loc *time.Location) {
	s.emit(&events.Report{Title: s.text(8), Lang: "en", Body: s.text(60 + s.r.IntN(60)), Cites: []string{oneOf(s.r, outlets).name}}, loc)
}
