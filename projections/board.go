package projections

import (
	"fmt"
	"sort"
	"time"

	"storyline/events"
)

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
// Members hold voting seats (director, chair); observers do not vote.
type Board struct {
	Org       string    `json:"org"`
	OrgName   string    `json:"org_name,omitempty"`
	At        time.Time `json:"at"`
	KnownAt   time.Time `json:"known_at"`
	Members   []Member  `json:"members"`
	Observers []Member  `json:"observers"`
	Anomalies []Anomaly `json:"anomalies,omitempty"`
}

// BoardState folds seat events of one org. A person holds at most one seat:
// seat_taken for a member changes their seat; seat_left for someone not on
// the board is an anomaly, kept, and changes nothing.
type BoardState struct {
	Seats     map[string]Member
	Anomalies []Anomaly
}

// Apply folds one event in; events of other orgs or types are ignored.
func (s *BoardState) Apply(org string, en *Entry) {
	if s.Seats == nil {
		s.Seats = map[string]Member{}
	}
	e := en.Event
	switch d := e.Data.(type) {
	case *events.SeatTaken:
		if d.Org != org {
			return
		}
		cur, ok := s.Seats[d.Person]
		if ok && cur.Seat == d.Seat {
			return // already there: a repeated report
		}
		s.Seats[d.Person] = Member{Person: d.Person, Seat: d.Seat, Since: e.OccurredAt, SincePrecision: e.Precision, Event: e.ID}
	case *events.SeatLeft:
		if d.Org != org {
			return
		}
		cur, ok := s.Seats[d.Person]
		switch {
		case !ok:
			s.Anomalies = append(s.Anomalies, Anomaly{Event: e.ID, Seq: en.Seq, Reason: fmt.Sprintf("%s leaves a %s seat on the %s board without holding one", d.Person, d.Seat, org)})
			return
		case cur.Seat != d.Seat:
			s.Anomalies = append(s.Anomalies, Anomaly{Event: e.ID, Seq: en.Seq, Reason: fmt.Sprintf("%s leaves a %s seat but held the %s seat; removed from the board", d.Person, d.Seat, cur.Seat)})
		}
		delete(s.Seats, d.Person)
	}
}

// BoardAt answers the board view of org at q.
func (x *Index) BoardAt(org string, q AsOf) Board {
	st := x.foldOrg(org, q)
	s := st.board
	b := Board{Org: org, OrgName: x.names.Name(org), At: q.At, KnownAt: q.KnownAt,
		Members: []Member{}, Observers: []Member{}, Anomalies: append(s.Anomalies[:len(s.Anomalies):len(s.Anomalies)], st.corrAnoms...)}
	for _, m := range s.Seats {
		m.Name = x.names.Name(m.Person)
		if m.Seat == events.Observer {
			m.Seat = ""
			b.Observers = append(b.Observers, m)
		} else {
			b.Members = append(b.Members, m)
		}
	}
	sort.Slice(b.Members, func(i, j int) bool { return b.Members[i].Person < b.Members[j].Person })
	sort.Slice(b.Observers, func(i, j int) bool { return b.Observers[i].Person < b.Observers[j].Person })
	return b
}
