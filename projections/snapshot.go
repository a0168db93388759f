package projections

import (
	"maps"
	"sort"
	"time"

	"storyline/events"
)

// snapEvery is how many of an org's events lie between two snapshots: a
// question folds at most this many events after a binary search.
const snapEvery = 32

// orgState is the board and roles of one org after a prefix of its events.
type orgState struct {
	board BoardState
	roles RoleState
	// corrAnoms are corrections of unknown events met so far.
	corrAnoms []Anomaly
}

func (s *orgState) clone() orgState {
	c := orgState{
		board: BoardState{Seats: maps.Clone(s.board.Seats), Anomalies: s.board.Anomalies[:len(s.board.Anomalies):len(s.board.Anomalies)]},
		roles: RoleState{Held: make(map[events.Role][]Holder, len(s.roles.Held)), Ended: s.roles.Ended[:len(s.roles.Ended):len(s.roles.Ended)],
			Anomalies: s.roles.Anomalies[:len(s.roles.Anomalies):len(s.roles.Anomalies)]},
		corrAnoms: s.corrAnoms[:len(s.corrAnoms):len(s.corrAnoms)],
	}
	for r, hs := range s.roles.Held {
		c.roles.Held[r] = append([]Holder(nil), hs...)
	}
	return c
}

func (s *orgState) apply(x *Index, org string, en *Entry) {
	s.board.Apply(org, en)
	s.roles.Apply(org, en)
	if sup := en.Event.Supersedes; sup != "" {
		if _, ok := x.byID[sup]; !ok {
			s.corrAnoms = append(s.corrAnoms, Anomaly{Event: en.Event.ID, Seq: en.Seq, Reason: "supersedes unknown event " + sup})
		}
	}
}

// snapshots of one entity's list, valid for any K at or after maxK of the
// prefix they cover.
type snapshots struct {
	maxK  []time.Time // maxK[i]: latest time any of events 0..i (or a correction of one) became known
	snaps []orgState  // snaps[j]: state after events 0..(j+1)*snapEvery-1, for K = infinity
}

// snaps returns entity's snapshots, building them if events were added
// since.
func (x *Index) snapsOf(entity string) *snapshots {
	if s, ok := x.snaps[entity]; ok {
		return s
	}
	list := x.byEntity[entity]
	s := &snapshots{maxK: make([]time.Time, len(list))}
	var st orgState
	var m time.Time
	for i, en := range list {
		k := en.Event.ReportedAt
		for _, c := range x.corrections[en.Event.ID] {
			if c.Event.ReportedAt.After(k) {
				k = c.Event.ReportedAt
			}
		}
		if k.After(m) {
			m = k
		}
		s.maxK[i] = m
		if x.known(en, farFuture) {
			st.apply(x, entity, en)
		}
		if (i+1)%snapEvery == 0 {
			s.snaps = append(s.snaps, st.clone())
		}
	}
	x.snaps[entity] = s
	return s
}

var farFuture = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// foldOrg returns org's board and roles at q: from the latest snapshot
// that K does not affect, plus the events after it up to T.
func (x *Index) foldOrg(org string, q AsOf) orgState {
	list := x.byEntity[org]
	n := sort.Search(len(list), func(i int) bool { return list[i].Event.OccurredAt.After(q.At) })
	var st orgState
	start := 0
	if n > 0 {
		s := x.snapsOf(org)
		if !s.maxK[n-1].After(q.KnownAt) {
			// Nothing up to T is unknown at K: the K = infinity snapshots hold.
			if j := n/snapEvery - 1; j >= 0 {
				st = s.snaps[j].clone()
				start = (j + 1) * snapEvery
			}
		}
	}
	for _, en := range list[start:n] {
		if x.known(en, q.KnownAt) {
			st.apply(x, org, en)
		}
	}
	return st
}
