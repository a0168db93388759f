package projections

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"storyline/events"
)

// Anomaly is an event that does not fit the state it applies to (leaving
// a seat one does not hold, ending a role one does not hold, correcting an
// event the archive does not have). It is kept and shown, never dropped.
type Anomaly struct {
	Event      string      `json:"event"`
	Seq        uint64      `json:"seq"`
	Type       events.Type `json:"type"`
	OccurredAt time.Time   `json:"occurred_at"`
	Reason     string      `json:"reason"`
}

// anomalies is a persistent list, newest first, so that snapshots share it.
type anomalies struct {
	a    Anomaly
	n    int // length of the list from here
	next *anomalies
}

func (l *anomalies) push(en *Entry, format string, args ...any) *anomalies {
	return &anomalies{a: Anomaly{Event: en.Event.ID, Seq: en.Seq, Type: en.Event.Type, OccurredAt: en.Event.OccurredAt,
		Reason: fmt.Sprintf(format, args...)}, n: l.len() + 1, next: l}
}

func (l *anomalies) len() int {
	if l == nil {
		return 0
	}
	return l.n
}

// list returns the anomalies oldest first, never nil.
func (l *anomalies) list() []Anomaly {
	out := make([]Anomaly, l.len())
	for i := len(out) - 1; l != nil; i, l = i-1, l.next {
		out[i] = l.a
	}
	return out
}

// orphanCheck records en as an anomaly if it corrects an unknown event.
func (x *Index) orphanCheck(l *anomalies, en *Entry) *anomalies {
	if x.orphan(en) {
		return l.push(en, "corrects unknown event %s (not in the archive); kept as a report of its own", en.Event.Supersedes)
	}
	return l
}

// Member is a seat holder on a board.
type Member struct {
	Person         string           `json:"person"`
	Name           string           `json:"name"`
	Seat           events.Seat      `json:"seat,omitempty"`
	Since          time.Time        `json:"since"`
	SincePrecision events.Precision `json:"since_precision"`
	Event          string           `json:"event"` // the event that seated them
}

// Board is the board view: who sits on an org's board at (At, KnownAt).
// Members hold voting seats (director, chair), observers do not vote; both
// are sorted by person id.
type Board struct {
	Org       string    `json:"org"`
	OrgName   string    `json:"org_name,omitempty"`
	At        time.Time `json:"at"`
	KnownAt   time.Time `json:"known_at"`
	Members   []Member  `json:"members"`
	Observers []Member  `json:"observers"`
	Anomalies []Anomaly `json:"anomalies,omitempty"`
}

// seat is one seat held: by a person on a board (who = person) or, in a
// person's own fold, on some board (who = org).
type seat struct {
	who  string
	seat events.Seat
	en   *Entry // the event that gave the current seat
}

// takeSeat seats who, or changes their seat. A repeated report of the
// seat they hold changes nothing (since stays).
func takeSeat(ss []seat, who string, s events.Seat, en *Entry) []seat {
	i, ok := slices.BinarySearchFunc(ss, who, func(a seat, w string) int { return strings.Compare(a.who, w) })
	if ok {
		if ss[i].seat != s {
			ss[i] = seat{who: who, seat: s, en: en}
		}
		return ss
	}
	return slices.Insert(ss, i, seat{who: who, seat: s, en: en})
}

// leaveSeat applies d to ss, whose seats are keyed by key (the person on
// a board's list, the org on a person's). Leaving without a seat is an
// anomaly that changes nothing; leaving a seat other than the one held is
// an anomaly too, and the person leaves the board all the same (the report
// is about leaving; its seat is what is wrong).
func leaveSeat(ss []seat, key string, d *events.SeatLeft, en *Entry, l *anomalies) ([]seat, *anomalies) {
	i, ok := slices.BinarySearchFunc(ss, key, func(a seat, w string) int { return strings.Compare(a.who, w) })
	if !ok {
		return ss, l.push(en, "%s leaves a %s seat on the %s board without holding one", d.Person, d.Seat, d.Org)
	}
	if ss[i].seat != d.Seat {
		l = l.push(en, "%s leaves a %s seat on the %s board but held the %s seat; removed from the board", d.Person, d.Seat, d.Org, ss[i].seat)
	}
	return slices.Delete(ss, i, i+1), l
}

// boardState is an org's board after a prefix of its seat events.
type boardState struct {
	seats []seat // by person
	anoms *anomalies
}

var boardFold = &fold[*boardState]{
	every: 16,
	empty: func() *boardState { return &boardState{} },
	clone: func(s *boardState) *boardState { return &boardState{seats: slices.Clone(s.seats), anoms: s.anoms} },
	size:  func(s *boardState) int { return len(s.seats) },
	apply: func(x *Index, s *boardState, org string, en *Entry) *boardState {
		s.anoms = x.orphanCheck(s.anoms, en)
		switch d := en.Event.Data.(type) {
		case *events.SeatTaken:
			if d.Org == org {
				s.seats = takeSeat(s.seats, d.Person, d.Seat, en)
			}
		case *events.SeatLeft:
			if d.Org == org {
				s.seats, s.anoms = leaveSeat(s.seats, d.Person, d, en, s.anoms)
			}
		}
		return s
	},
}

// BoardAt answers the board view of org at q.
func (x *Index) BoardAt(org string, q AsOf) Board {
	x.prepare()
	qq := q.question()
	b := Board{Org: org, OrgName: x.nameAt(org, qq), At: q.At, KnownAt: q.KnownAt, Members: []Member{}, Observers: []Member{}}
	c, ok := chainOf(x, x.board, org)
	if !ok {
		return b
	}
	s := c.state(x, qq)
	for _, h := range s.seats {
		m := Member{Person: h.who, Name: x.nameAt(h.who, qq), Seat: h.seat, Since: h.en.Event.OccurredAt,
			SincePrecision: h.en.Event.Precision, Event: h.en.Event.ID}
		if h.seat == events.Observer {
			m.Seat = ""
			b.Observers = append(b.Observers, m)
		} else {
			b.Members = append(b.Members, m)
		}
	}
	if a := s.anoms.list(); len(a) > 0 {
		b.Anomalies = a
	}
	return b
}
