package projections

import (
	"math"
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
	// LeadHours is how long before the settling event became public the
	// claim was reported (negative: it came after).
	LeadHours *float64 `json:"lead_hours,omitempty"`
}

// Claims is the claims view.
type Claims struct {
	At      time.Time   `json:"at"`
	KnownAt time.Time   `json:"known_at"`
	Claims  []ClaimItem `json:"claims"`
}

// ClaimFilter selects claims.
type ClaimFilter struct {
	Entity string
	Outlet string
}

// ClaimsAt lists the claims reported by q.KnownAt (and made by q.At), with
// their outcome as known at q.KnownAt, in order of reporting.
func (x *Index) ClaimsAt(q AsOf, f ClaimFilter) Claims {
	out := Claims{At: q.At, KnownAt: q.KnownAt, Claims: []ClaimItem{}}
	resolutions := map[string]*Entry{}
	for _, en := range x.All() {
		if r, ok := en.Event.Data.(*events.Resolution); ok && x.known(en, q.KnownAt) {
			if cur, ok := resolutions[r.Claim]; !ok || cur.Event.ReportedAt.Before(en.Event.ReportedAt) {
				resolutions[r.Claim] = en
			}
		}
	}
	for _, en := range x.All() {
		e := en.Event
		c, ok := e.Data.(*events.Claim)
		if !ok || !x.known(en, q.KnownAt) || e.OccurredAt.After(q.At) {
			continue
		}
		if f.Outlet != "" && !strings.EqualFold(e.Source.Outlet, f.Outlet) {
			continue
		}
		if f.Entity != "" && !contains(c.About, f.Entity) {
			continue
		}
		item := ClaimItem{ID: e.ID, Seq: en.Seq, About: c.About, Text: c.Text, Lang: c.Lang, Expects: c.Expects,
			Outlet: e.Source.Outlet, URL: e.Source.URL, Attribution: e.Source.Attribution, Report: e.Source.Report,
			ReportedAt: e.ReportedAt, Outcome: "open"}
		if res, ok := resolutions[e.ID]; ok {
			r := res.Event.Data.(*events.Resolution)
			item.Outcome = r.Outcome
			item.SettledBy = r.ByEvent
			if by, ok := x.byID[r.ByEvent]; ok {
				t := by.Event.ReportedAt
				item.SettledAt = &t
				item.SettledBySum = x.Summary(by.Event)
				lead := math.Round(t.Sub(e.ReportedAt).Hours()*100) / 100
				item.LeadHours = &lead
			}
		}
		out.Claims = append(out.Claims, item)
	}
	sort.Slice(out.Claims, func(i, j int) bool {
		a, b := out.Claims[i], out.Claims[j]
		if !a.ReportedAt.Equal(b.ReportedAt) {
			return a.ReportedAt.Before(b.ReportedAt)
		}
		return a.ID < b.ID
	})
	return out
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

// SourcesAt tallies each outlet's events and claims known at q.KnownAt.
func (x *Index) SourcesAt(q AsOf) Sources {
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
	for _, en := range x.All() {
		e := en.Event
		if !x.known(en, q.KnownAt) || e.OccurredAt.After(q.At) {
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
	Outlet   string    `json:"outlet"`
}

// Stakes is the stakes view of an org.
type Stakes struct {
	Org     string      `json:"org"`
	OrgName string      `json:"org_name,omitempty"`
	At      time.Time   `json:"at"`
	KnownAt time.Time   `json:"known_at"`
	Stakes  []StakeItem `json:"stakes"`
}

// StakesAt lists the latest disclosed stake of each holder in org at q.
func (x *Index) StakesAt(org string, q AsOf) Stakes {
	latest := map[string]StakeItem{}
	for _, en := range x.upTo(org, q) {
		if s, ok := en.Event.Data.(*events.Stake); ok && s.Org == org {
			latest[s.Holder] = StakeItem{Holder: s.Holder, Name: x.names.Name(s.Holder), Amount: s.Amount, Currency: s.Currency,
				Note: s.Note, Since: en.Event.OccurredAt, Outlet: en.Event.Source.Outlet}
		}
	}
	out := Stakes{Org: org, OrgName: x.names.Name(org), At: q.At, KnownAt: q.KnownAt, Stakes: []StakeItem{}}
	for _, s := range latest {
		out.Stakes = append(out.Stakes, s)
	}
	sort.Slice(out.Stakes, func(i, j int) bool {
		if out.Stakes[i].Amount != out.Stakes[j].Amount {
			return out.Stakes[i].Amount > out.Stakes[j].Amount
		}
		return out.Stakes[i].Holder < out.Stakes[j].Holder
	})
	return out
}
