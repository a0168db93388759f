package projections

import (
	"slices"
	"sort"
	"strings"
	"time"

	"storyline/events"
)

// Claim outcomes the views give besides the ones a resolution states.
const (
	Open    = "open"    // not settled yet (as known then)
	Partly  = "partly"  // its parts settled differently
	Relayed = "relayed" // it repeats another report
)

// ClaimItem is a reported claim and what became of it, as known at the
// question's knowledge time.
type ClaimItem struct {
	ID          string             `json:"id"`
	Seq         uint64             `json:"seq"`
	About       []string           `json:"about"`
	Text        string             `json:"text"`
	Lang        string             `json:"lang"`
	Expects     events.Type        `json:"expects,omitempty"`
	Outlet      string             `json:"outlet"`
	OutletName  string             `json:"outlet_name,omitempty"`
	Via         []string           `json:"via,omitempty"`
	Title       string             `json:"title,omitempty"`
	URL         string             `json:"url,omitempty"`
	Attribution events.Attribution `json:"attribution"`
	Report      string             `json:"report,omitempty"`
	ReportedAt  time.Time          `json:"reported_at"`
	Precision   events.Precision   `json:"precision"`
	// Outcome is confirmed, refuted, partly, unresolved, open or relayed.
	Outcome string `json:"outcome"`
	Settlement
	// Parts are a compound claim's parts, each with its own settlement.
	Parts []ClaimPart `json:"parts,omitempty"`
	// Lead is how long before what happened became public the claim was
	// first reported, at its least: the latest instant the claim's
	// precision allows against the earliest the evidence's does (negative:
	// it came after). LeadMax is the most it can be; LeadUncertain is set
	// when the two differ. Only a confirmed claim (or a confirmed part of
	// one) that is not a relay has a lead.
	Lead          *time.Duration `json:"-"`
	LeadHours     *float64       `json:"lead_hours,omitempty"`
	LeadMaxHours  *float64       `json:"lead_max_hours,omitempty"`
	LeadUncertain bool           `json:"lead_uncertain,omitempty"`
	// Original is the report a relay repeats; Relays the claims that
	// repeat this one, first reported first.
	Original *Report  `json:"original,omitempty"`
	Relays   []Report `json:"relays,omitempty"`
	// Corrected and Erratum mark a claim that stands in for an earlier
	// version: a source's correction, or the archive's own erratum.
	Corrected *Mark `json:"corrected,omitempty"`
	Erratum   *Mark `json:"erratum,omitempty"`
}

// Settlement is what settled a claim or a part: the resolution, its
// evidence, and when both were public.
type Settlement struct {
	// SettledBy is the evidence, SettledAt when it and the resolution
	// had both become public.
	SettledBy    string     `json:"settled_by,omitempty"`
	SettledAt    *time.Time `json:"settled_at,omitempty"`
	SettledBySum string     `json:"settled_by_summary,omitempty"`
	// Resolution is the claim.resolved event.
	Resolution string `json:"resolution,omitempty"`
}

// ClaimPart is one part of a compound claim.
type ClaimPart struct {
	N       int    `json:"n"`
	Text    string `json:"text"`
	Outcome string `json:"outcome"`
	Settlement
}

// Report names another report: a relay's original, or a relay.
type Report struct {
	ID         string    `json:"id"`
	Type       string    `json:"type"`
	Outlet     string    `json:"outlet"`
	OutletName string    `json:"outlet_name,omitempty"`
	ReportedAt time.Time `json:"reported_at"`
	// Precision is how precisely ReportedAt is known, when the report was
	// the event (reported_at equal to occurred_at).
	Precision events.Precision `json:"precision,omitempty"`
	Outcome   string           `json:"outcome,omitempty"` // a claim's, as known then
	URL       string           `json:"url,omitempty"`     // the page the archive read
	Summary   string           `json:"summary"`
}

// Mark says what a version replaced and when.
type Mark struct {
	Of string    `json:"of"`          // the id replaced
	At time.Time `json:"at,omitzero"` // reported (correction) or recorded (erratum)
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
	Outlet string // an outlet id (or the free text of an undescribed one)
}

// ClaimsAt lists the claims that occurred by q.At and count at q.KnownAt,
// with their outcome at q, in the order they were reported. See
// doc.go, "Claims", for the rules.
func (x *Index) ClaimsAt(q AsOf, f ClaimFilter) Claims {
	x.prepare()
	cv := x.claimsView(q.question())
	out := Claims{At: q.At, KnownAt: q.KnownAt, Claims: []ClaimItem{}, Anomalies: cv.anoms.list()}
	for _, en := range cv.list {
		c := en.Event.Data.(*events.Claim)
		if f.Outlet != "" && foldName(x.outletID(en.Event.Source.Outlet)) != foldName(f.Outlet) || f.Entity != "" && !slices.Contains(c.About, f.Entity) {
			continue
		}
		out.Claims = append(out.Claims, cv.item(en))
	}
	return out
}

// ClaimAt returns the claim id (or the version of it that stands at q)
// with its outcome at q, as [Index.ClaimsAt] would list it but for its
// Relays (which only the whole view finds); false if it is not a claim
// that counts at q. It reads only the resolutions naming its versions.
func (x *Index) ClaimAt(id string, q AsOf) (ClaimItem, bool) {
	x.prepare()
	qq := q.question()
	en := x.standing(id)
	if en == nil {
		return ClaimItem{}, false
	}
	en = current(en, qq)
	if _, ok := en.Event.Data.(*events.Claim); !ok || !qq.counts(en) || !qq.inT(en) {
		return ClaimItem{}, false
	}
	return x.claimView(qq, en).item(en), true
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
	c, ok := chainOf(x, x.stakes, org)
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
