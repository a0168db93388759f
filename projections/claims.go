package projections

import (
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"storyline/events"
)

// ClaimItem is a reported claim and what became of it.
type ClaimItem struct {
	ID          string             `json:"id"`
	Seq         uint64             `json:"seq"`
	About       []string           `json:"about"`
	Text        string             `json:"text"`
	Lang        string             `json:"lang"`
	Expects     events.Type        `json:"expects,omitempty"`
	Outlet      string             `json:"outlet"`
	URL         string             `json:"url,omitempty"`
	Attribution events.Attribution `json:"attribution"`
	Report      string             `json:"report,omitempty"`
	ReportedAt  time.Time          `json:"reported_at"`
	// Outcome is confirmed, refuted, or open as of KnownAt.
	Outcome string `json:"outcome"`
	// SettledBy is the event that confirmed or refuted it, SettledAt when
	// that became public.
	SettledBy    string     `json:"settled_by,omitempty"`
	SettledAt    *time.Time `json:"settled_at,omitempty"`
	SettledBySum string     `json:"settled_by_summary,omitempty"`
	// Resolution is the claim.resolved event that settled it.
	Resolution string `json:"resolution,omitempty"`
	// Lead is how long before the settling event became public the claim
	// was first reported (by its first version, if corrected; negative: it
	// came after); LeadHours the same in hours.
	// Both are nil while the claim is open or its settling event unknown.
	Lead      *time.Duration `json:"-"`
	LeadHours *float64       `json:"lead_hours,omitempty"`
}

// Claims is the claims view.
type Claims struct {
	At        time.Time   `json:"at"`
	KnownAt   time.Time   `json:"known_at"`
	Claims    []ClaimItem `json:"claims"`
	Anomalies []Anomaly   `json:"anomalies,omitempty"`
}

// ClaimFilter selects claims.
type ClaimFilter struct {
	Entity string
	Outlet string
}

// ClaimsAt lists the claims that occurred by q.At and were reported by
// q.KnownAt, with their outcome at q: settled by a resolution that occurred
// by q.At and was reported by q.KnownAt, else open. In order of reporting. A claim that was corrected shows its correction; a resolution
// of the original applies to it. Several resolutions: the latest reported
// wins. A resolution of a claim the archive does not hold is an anomaly.
func (x *Index) ClaimsAt(q AsOf, f ClaimFilter) Claims {
	x.prepare()
	qq := q.question()
	out := Claims{At: q.At, KnownAt: q.KnownAt, Claims: []ClaimItem{}}
	resolutions := map[*Entry]*Entry{}
	for _, en := range x.resolutions.es {
		if !qq.counts(en) || !qq.inT(en) {
			continue
		}
		r := en.Event.Data.(*events.Resolution)
		target, ok := x.byID[r.Claim]
		if !ok {
			out.Anomalies = append(out.Anomalies, Anomaly{Event: en.Event.ID, Seq: en.Seq, Type: en.Event.Type,
				OccurredAt: en.Event.OccurredAt, Reason: "resolves claim " + r.Claim + ", which the archive does not hold"})
			continue
		}
		target = current(target, qq)
		if _, ok := target.Event.Data.(*events.Claim); !ok {
			out.Anomalies = append(out.Anomalies, Anomaly{Event: en.Event.ID, Seq: en.Seq, Type: en.Event.Type,
				OccurredAt: en.Event.OccurredAt, Reason: "resolves " + r.Claim + ", which is not a claim but a " + string(target.Event.Type) + " event"})
			continue
		}
		if cur, ok := resolutions[target]; !ok || repCmp(cur, en) < 0 {
			resolutions[target] = en
		}
	}
	var list []*Entry
	for _, en := range x.claims.es {
		c := en.Event.Data.(*events.Claim)
		if !qq.counts(en) || !qq.inT(en) {
			continue
		}
		if f.Outlet != "" && !strings.EqualFold(en.Event.Source.Outlet, f.Outlet) {
			continue
		}
		if f.Entity != "" && !contains(c.About, f.Entity) {
			continue
		}
		list = append(list, en)
	}
	slices.SortFunc(list, repCmp)
	for _, en := range list {
		out.Claims = append(out.Claims, x.claimItem(en, resolutions[en]))
	}
	return out
}

// claimItem describes the claim en, settled by res (nil: open).
func (x *Index) claimItem(en, res *Entry) ClaimItem {
	e := en.Event
	c := e.Data.(*events.Claim)
	item := ClaimItem{ID: e.ID, Seq: en.Seq, About: c.About, Text: c.Text, Lang: c.Lang, Expects: c.Expects,
		Outlet: e.Source.Outlet, URL: e.Source.URL, Attribution: e.Source.Attribution, Report: e.Source.Report,
		ReportedAt: e.ReportedAt, Outcome: "open"}
	if res == nil {
		return item
	}
	r := res.Event.Data.(*events.Resolution)
	item.Outcome = r.Outcome
	item.Resolution = res.Event.ID
	item.SettledBy = r.ByEvent
	if by, ok := x.byID[r.ByEvent]; ok {
		t := by.Event.ReportedAt
		item.SettledAt = &t
		item.SettledBySum = x.Summary(by.Event)
		// A corrected claim was first made when its first version was.
		first := en
		for v, i := x.byID[en.Event.Supersedes], 0; v != nil && i < 64; v, i = x.byID[v.Event.Supersedes], i+1 {
			if _, ok := v.Event.Data.(*events.Claim); ok {
				first = v
			}
		}
		lead := t.Sub(first.Event.ReportedAt)
		item.Lead = &lead
		hours := math.Round(lead.Hours()*100) / 100
		item.LeadHours = &hours
	}
	return item
}

// ClaimAt returns the claim id (or the correction of it that stands at
// q) with its outcome at q, as [Index.ClaimsAt] would list it; false if it
// is not a claim reported by q. It reads only the resolutions naming the
// claim or a version of it.
func (x *Index) ClaimAt(id string, q AsOf) (ClaimItem, bool) {
	x.prepare()
	qq := q.question()
	en, ok := x.byID[id]
	if !ok {
		return ClaimItem{}, false
	}
	en = current(en, qq)
	if _, ok := en.Event.Data.(*events.Claim); !ok || !qq.counts(en) || !qq.inT(en) {
		return ClaimItem{}, false
	}
	var res *Entry
	// Resolutions of the versions it corrects apply to it too.
	for v, i := en, 0; v != nil && i < 64; v, i = x.byID[v.Event.Supersedes], i+1 {
		for _, r := range x.byClaim[v.Event.ID] {
			if qq.counts(r) && qq.inT(r) && current(v, qq) == en && (res == nil || repCmp(res, r) < 0) {
				res = r
			}
		}
	}
	return x.claimItem(en, res), true
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// SourceStats is one outlet's record.
type SourceStats struct {
	Outlet         string   `json:"outlet"`
	Events         int      `json:"events"`
	Reports        int      `json:"reports"`
	Claims         int      `json:"claims"`
	Confirmed      int      `json:"confirmed"`
	Refuted        int      `json:"refuted"`
	Open           int      `json:"open"`
	MedianLead     *float64 `json:"median_lead_hours,omitempty"`
	AnonymousShare float64  `json:"anonymous_share"`
}

// Sources is the sources view.
type Sources struct {
	At      time.Time     `json:"at"`
	KnownAt time.Time     `json:"known_at"`
	Sources []SourceStats `json:"sources"`
}

// SourcesAt tallies each outlet's events (and, of them, reports) that
// occurred by q.At and count at q.KnownAt, its claims confirmed, refuted
// and open as known then, the median lead time of its confirmed claims and
// the share of its events attributed to anonymous sources. It reads every
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
		s := &SourceStats{Outlet: o}
		by[o] = s
		return s
	}
	for _, en := range x.all.es {
		e := en.Event
		if !qq.counts(en) || !qq.inT(en) {
			continue
		}
		s := get(e.Source.Outlet)
		s.Events++
		if e.Source.Attribution == events.Anonymous {
			anon[e.Source.Outlet]++
		}
		if e.Type == events.ReportPublished {
			s.Reports++
		}
	}
	for _, c := range x.ClaimsAt(q, ClaimFilter{}).Claims {
		s := get(c.Outlet)
		s.Claims++
		switch c.Outcome {
		case events.Confirmed:
			s.Confirmed++
			if c.LeadHours != nil {
				leads[c.Outlet] = append(leads[c.Outlet], *c.LeadHours)
			}
		case events.Refuted:
			s.Refuted++
		default:
			s.Open++
		}
	}
	out := Sources{At: q.At, KnownAt: q.KnownAt, Sources: []SourceStats{}}
	for o, s := range by {
		if s.Events > 0 {
			s.AnonymousShare = math.Round(float64(anon[o])/float64(s.Events)*1000) / 1000
		}
		if l := leads[o]; len(l) > 0 {
			sort.Float64s(l)
			m := l[len(l)/2]
			if len(l)%2 == 0 {
				m = (l[len(l)/2-1] + l[len(l)/2]) / 2
			}
			s.MedianLead = &m
		}
		out.Sources = append(out.Sources, *s)
	}
	sort.Slice(out.Sources, func(i, j int) bool {
		if out.Sources[i].Events != out.Sources[j].Events {
			return out.Sources[i].Events > out.Sources[j].Events
		}
		return out.Sources[i].Outlet < out.Sources[j].Outlet
	})
	return out
}

// StakeItem is what a holder holds in an org.
type StakeItem struct {
	Holder   string    `json:"holder"`
	Name     string    `json:"name"`
	Amount   float64   `json:"amount"`
	Currency string    `json:"currency"`
	Note     string    `json:"note,omitempty"`
	Since    time.Time `json:"since"`
	// SincePrecision is the precision of the disclosure's occurred_at.
	SincePrecision events.Precision `json:"since_precision"`
	Outlet         string           `json:"outlet"`
	Event          string           `json:"event"`
}

// Stakes is the stakes view of an org.
type Stakes struct {
	Org     string      `json:"org"`
	OrgName string      `json:"org_name,omitempty"`
	At      time.Time   `json:"at"`
	KnownAt time.Time   `json:"known_at"`
	Stakes  []StakeItem `json:"stakes"`
	// Anomalies are corrections of unknown events among the disclosures.
	Anomalies []Anomaly `json:"anomalies,omitempty"`
}

// stakesState is an org's stakes: the latest disclosure per holder.
type stakesState struct {
	held  []*Entry // by holder
	anoms *anomalies
}

func holderOf(en *Entry) string { return en.Event.Data.(*events.Stake).Holder }

var stakesFold = &fold[*stakesState]{
	every: 16,
	empty: func() *stakesState { return &stakesState{} },
	clone: func(s *stakesState) *stakesState { return &stakesState{held: slices.Clone(s.held), anoms: s.anoms} },
	size:  func(s *stakesState) int { return len(s.held) },
	apply: func(x *Index, s *stakesState, org string, en *Entry) *stakesState {
		s.anoms = x.orphanCheck(s.anoms, en)
		d, ok := en.Event.Data.(*events.Stake)
		if !ok || d.Org != org {
			return s
		}
		i, found := slices.BinarySearchFunc(s.held, d.Holder, func(a *Entry, h string) int { return strings.Compare(holderOf(a), h) })
		if found {
			s.held[i] = en
		} else {
			s.held = slices.Insert(s.held, i, en)
		}
		return s
	},
}

// StakesAt lists the latest stake each holder disclosed in org at q,
// largest first.
func (x *Index) StakesAt(org string, q AsOf) Stakes {
	x.prepare()
	qq := q.question()
	out := Stakes{Org: org, OrgName: x.nameAt(org, qq), At: q.At, KnownAt: q.KnownAt, Stakes: []StakeItem{}}
	c, ok := x.stakes[org]
	if !ok {
		return out
	}
	st := c.state(x, qq)
	for _, en := range st.held {
		s := en.Event.Data.(*events.Stake)
		out.Stakes = append(out.Stakes, StakeItem{Holder: s.Holder, Name: x.nameAt(s.Holder, qq), Amount: s.Amount, Currency: s.Currency,
			Note: s.Note, Since: en.Event.OccurredAt, SincePrecision: en.Event.Precision, Outlet: en.Event.Source.Outlet, Event: en.Event.ID})
	}
	sort.SliceStable(out.Stakes, func(i, j int) bool { return out.Stakes[i].Amount > out.Stakes[j].Amount })
	if a := st.anoms.list(); len(a) > 0 {
		out.Anomalies = a
	}
	return out
}
