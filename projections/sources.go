package projections

import (
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"storyline/events"
)

// SourceStats is one outlet's record. Claims counts the claims it
// originated; each of them is confirmed, refuted, partly, unresolved or
// open as known then. Relayed counts its claims that repeat another
// report (they earn nothing), Carried the events of other outlets it
// carried (named in their via).
type SourceStats struct {
	Outlet         string   `json:"outlet"`
	Name           string   `json:"name,omitempty"`
	Events         int      `json:"events"`
	Reports        int      `json:"reports"`
	Claims         int      `json:"claims"`
	Confirmed      int      `json:"confirmed"`
	Refuted        int      `json:"refuted"`
	Partly         int      `json:"partly"`
	Unresolved     int      `json:"unresolved"`
	Open           int      `json:"open"`
	Relayed        int      `json:"relayed"`
	Carried        int      `json:"carried"`
	MedianLead     *float64 `json:"median_lead_hours,omitempty"`
	LeadsUncertain int      `json:"leads_uncertain,omitempty"`
	AnonymousShare float64  `json:"anonymous_share"`
}

// Sources is the sources view.
type Sources struct {
	At      time.Time     `json:"at"`
	KnownAt time.Time     `json:"known_at"`
	Sources []SourceStats `json:"sources"`
}

// SourcesAt tallies, per outlet (an outlet entity, found by its id, name
// or any alias; free text for one never described), its events that
// occurred by q.At and count at q.KnownAt, the outcomes of the claims it
// originated as known then, the median lead of its confirmed claims, the
// claims it relayed and the events it carried for others. It reads every
// event: O(n).
func (x *Index) SourcesAt(q AsOf) Sources {
	x.prepare()
	qq := q.question()
	by := map[string]*SourceStats{}
	anon := map[string]int{}
	leads := map[string][]float64{}
	get := func(o string) *SourceStats {
		if s, ok := by[o]; ok {
			return s
		}
		s := &SourceStats{Outlet: o, Name: x.nameAt(o, qq)}
		by[o] = s
		return s
	}
	for _, en := range x.all.get() {
		if !qq.counts(en) || !qq.inT(en) || en.Event.Type.Archival() {
			continue
		}
		e := en.Event
		o := x.outletID(e.Source.Outlet)
		s := get(o)
		s.Events++
		if e.Source.Attribution == events.Anonymous {
			anon[o]++
		}
		if e.Type == events.ReportPublished {
			s.Reports++
		}
		for _, v := range e.Source.Via {
			if vo := x.outletID(v); vo != o {
				get(vo).Carried++
			}
		}
	}
	for _, c := range x.ClaimsAt(q, ClaimFilter{}).Claims {
		s := get(c.Outlet)
		tallyClaim(s, c)
		if c.Outcome == events.Confirmed && c.LeadHours != nil {
			leads[c.Outlet] = append(leads[c.Outlet], *c.LeadHours)
		}
	}
	out := Sources{At: q.At, KnownAt: q.KnownAt, Sources: []SourceStats{}}
	for o, s := range by {
		if s.Events > 0 {
			s.AnonymousShare = math.Round(float64(anon[o])/float64(s.Events)*1000) / 1000
		}
		s.MedianLead = median(leads[o])
		out.Sources = append(out.Sources, *s)
	}
	sort.Slice(out.Sources, func(i, j int) bool {
		a, b := out.Sources[i], out.Sources[j]
		if a.Events != b.Events {
			return a.Events > b.Events
		}
		return a.Outlet < b.Outlet
	})
	return out
}

func tallyClaim(s *SourceStats, c ClaimItem) {
	if c.Outcome == Relayed {
		s.Relayed++
		return
	}
	s.Claims++
	switch c.Outcome {
	case events.Confirmed:
		s.Confirmed++
		if c.LeadUncertain {
			s.LeadsUncertain++
		}
	case events.Refuted:
		s.Refuted++
	case Partly:
		s.Partly++
	case events.Unresolved:
		s.Unresolved++
	default:
		s.Open++
	}
}

func median(l []float64) *float64 {
	if len(l) == 0 {
		return nil
	}
	l = slices.Clone(l)
	sort.Float64s(l)
	m := l[len(l)/2]
	if len(l)%2 == 0 {
		m = (l[len(l)/2-1] + l[len(l)/2]) / 2
	}
	return &m
}

// OutletOf is the outlet an event's source names: the id of the outlet
// entity whose id, name or alias it is (case and accents aside), else the
// source's text as written.
func (x *Index) OutletOf(e *events.Event) string {
	x.prepare()
	return x.outletID(e.Source.Outlet)
}

// outletID is OutletOf for callers that prepared the index.
func (x *Index) outletID(name string) string {
	if id, ok := x.names.outlet(name); ok {
		return id
	}
	return strings.TrimSpace(name)
}
