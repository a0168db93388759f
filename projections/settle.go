package projections

import (
	"math"
	"slices"
	"time"

	"storyline/events"
)

// claimsView is the claims as a question sees them: which count, what
// settles each (and each part), and which relay which.
type claimsView struct {
	x      *Index
	q      question
	list   []*Entry          // claims that count at q, reported order
	roots  map[*Entry]*Entry // a relay's first report (memo; nil while being found)
	whole  map[*Entry]*settled
	parts  map[*Entry]map[int]*settled
	relays map[*Entry][]*Entry // first report -> the relays of it that count at q
	anoms  *anomalies
}

// settled is a resolution that counts, with its evidence (nil for
// unresolved) and when both were public (Unix nanoseconds).
type settled struct {
	res, ev *Entry
	at      int64
}

func (s *settled) outcome() string { return s.res.Event.Data.(*events.Resolution).Outcome }

func newClaimsView(x *Index, q question) *claimsView {
	return &claimsView{x: x, q: q, whole: map[*Entry]*settled{}, parts: map[*Entry]map[int]*settled{},
		relays: map[*Entry][]*Entry{}, roots: map[*Entry]*Entry{}}
}

// claimView is the view of one claim: its settlements and those of the
// first report it repeats, from the resolutions naming any version of
// them. O(versions + their resolutions), not O(claims); the relays of a
// claim are listed by the whole view alone.
func (x *Index) claimView(q question, en *Entry) *claimsView {
	cv := newClaimsView(x, q)
	cv.list = []*Entry{en}
	targets := []*Entry{en}
	if root := cv.root(en); root != en {
		targets = append(targets, root)
	}
	for _, t := range targets {
		for _, id := range x.versionIDs(t) {
			for _, r := range x.byClaim[id] {
				if q.counts(r) && q.inT(r) {
					cv.settle(r)
				}
			}
		}
	}
	return cv
}

// versionIDs are the ids a resolution may name en by: its own, those of
// the versions it corrects, of the records errata replaced, and of the
// errata of any of them.
func (x *Index) versionIDs(en *Entry) []string {
	seen := map[string]bool{}
	var ids []string
	queue := []*Entry{en}
	for len(queue) > 0 && len(ids) < 256 {
		e := queue[0]
		queue = queue[1:]
		if e == nil || seen[e.Event.ID] {
			continue
		}
		seen[e.Event.ID] = true
		ids = append(ids, e.Event.ID)
		queue = append(queue, x.errata[e.Event.ID]...)
		queue = append(queue, x.byID[e.Event.Erratum], x.byID[e.Event.Supersedes])
	}
	return ids
}

func (x *Index) claimsView(q question) *claimsView {
	cv := newClaimsView(x, q)
	for _, en := range x.claims.es {
		if q.counts(en) && q.inT(en) && cv.relayKnown(en) {
			cv.list = append(cv.list, en)
		}
	}
	slices.SortFunc(cv.list, repCmp)
	for _, en := range x.resolutions.es {
		if q.counts(en) && q.inT(en) {
			cv.settle(en)
		}
	}
	for _, en := range cv.list {
		if rep := en.Event.Data.(*events.Claim).Repeats; rep != "" {
			// Listed under the first report, however many relays stand
			// between.
			if root := cv.root(en); root != en {
				cv.relays[root] = append(cv.relays[root], en)
				if latestRep(en) <= root.rep {
					cv.anoms = cv.anoms.push(en, "is dated before the report it repeats (%s)", root.Event.ID)
				}
			}
		}
	}
	for _, rs := range cv.relays {
		slices.SortFunc(rs, func(a, b *Entry) int {
			return cmpKey(latestRep(a), a.occ, a.Seq, a.Event.ID, latestRep(b), b.occ, b.Seq, b.Event.ID)
		})
	}
	return cv
}

// settle files the resolution en under the claim (and part) it settles,
// or lists why it cannot settle anything.
func (cv *claimsView) settle(en *Entry) {
	x, q := cv.x, cv.q
	r := en.Event.Data.(*events.Resolution)
	target := x.standing(r.Claim)
	if target == nil {
		cv.anoms = cv.anoms.push(en, "resolves claim %s, which the archive does not hold", r.Claim)
		return
	}
	target = current(target, q)
	c, ok := target.Event.Data.(*events.Claim)
	switch {
	case !ok:
		cv.anoms = cv.anoms.push(en, "resolves %s, which is not a claim but a %s event", r.Claim, target.Event.Type)
		return
	case !q.counts(target):
		return
	case c.Repeats != "":
		cv.anoms = cv.anoms.push(en, "resolves %s, a relay: a relay's outcome is its original's; resolve the original", r.Claim)
		return
	case r.Part > len(c.Parts):
		cv.anoms = cv.anoms.push(en, "resolves part %d of claim %s, which has %d parts", r.Part, r.Claim, len(c.Parts))
		return
	case r.Part == 0 && len(c.Parts) > 0:
		cv.anoms = cv.anoms.push(en, "resolves claim %s whole, but it has %d parts: resolve each part", r.Claim, len(c.Parts))
		return
	}
	s := &settled{res: en, at: en.rep}
	if r.ByEvent != "" {
		ev := x.standing(r.ByEvent)
		if ev == nil {
			cv.anoms = cv.anoms.push(en, "settles claim %s by %s, which the archive does not hold", r.Claim, r.ByEvent)
			return
		}
		ev = current(ev, q)
		if _, isClaim := ev.Event.Data.(*events.Claim); isClaim {
			cv.anoms = cv.anoms.push(en, "settles claim %s by %s, another claim: an outcome rests on what happened, not on another report", r.Claim, r.ByEvent)
			return
		}
		if !q.counts(ev) || !q.inT(ev) && ev.rep > q.t.t {
			return // the evidence was not yet public, or had neither happened nor been announced by T
		}
		s.ev, s.at = ev, max(en.rep, ev.rep)
	}
	slot := &cv.whole
	if r.Part > 0 {
		if cv.parts[target] == nil {
			cv.parts[target] = map[int]*settled{}
		}
		if cur := cv.parts[target][r.Part]; cur == nil || later(s, cur) {
			cv.parts[target][r.Part] = s
		}
		return
	}
	if cur := (*slot)[target]; cur == nil || later(s, cur) {
		(*slot)[target] = s
	}
}

// later reports whether a became public after b (the latest wins).
func later(a, b *settled) bool {
	if a.at != b.at {
		return a.at > b.at
	}
	return repCmp(a.res, b.res) > 0
}

// outcome is en's outcome at the view's question.
func (cv *claimsView) outcome(en *Entry) string {
	c := en.Event.Data.(*events.Claim)
	if c.Repeats != "" {
		return Relayed
	}
	if s := cv.whole[en]; s != nil {
		return s.outcome()
	}
	if len(c.Parts) == 0 {
		return Open
	}
	seen := map[string]bool{}
	for i := range c.Parts {
		s := cv.parts[en][i+1]
		if s == nil {
			return Open
		}
		seen[s.outcome()] = true
	}
	if len(seen) == 1 {
		for o := range seen {
			return o
		}
	}
	return Partly
}

// item describes the claim en as the view's question sees it.
func (cv *claimsView) item(en *Entry) ClaimItem {
	x, e := cv.x, en.Event
	c := e.Data.(*events.Claim)
	outlet := x.outletID(e.Source.Outlet)
	item := ClaimItem{ID: e.ID, Seq: en.Seq, About: c.About, Text: c.Text, Lang: c.Lang, Expects: c.Expects,
		Outlet: outlet, OutletName: x.nameAt(outlet, cv.q), Via: e.Source.Via, Title: e.Source.Title, URL: e.Source.URL,
		Attribution: e.Source.Attribution, Report: e.Source.Report, ReportedAt: e.ReportedAt, Precision: e.Precision,
		Outcome: cv.outcome(en)}
	if e.Supersedes != "" {
		item.Corrected = &Mark{Of: e.Supersedes, At: e.ReportedAt}
	}
	if e.Erratum != "" {
		item.Erratum = &Mark{Of: e.Erratum, At: en.Recorded()}
	}
	var confirmed []*settled
	if s := cv.whole[en]; s != nil {
		item.Settlement = cv.settlement(s)
		if s.outcome() == events.Confirmed {
			confirmed = append(confirmed, s)
		}
	}
	for i, text := range c.Parts {
		p := ClaimPart{N: i + 1, Text: text, Outcome: Open}
		if s := cv.parts[en][i+1]; s != nil {
			p.Outcome, p.Settlement = s.outcome(), cv.settlement(s)
			if s.outcome() == events.Confirmed {
				confirmed = append(confirmed, s)
			}
		}
		item.Parts = append(item.Parts, p)
	}
	if c.Repeats == "" {
		cv.lead(&item, cv.firstVersion(en), confirmed)
	} else if root := cv.root(en); root != en {
		r := cv.report(root)
		item.Original = &r
	}
	for _, r := range cv.relays[en] {
		item.Relays = append(item.Relays, cv.report(r))
	}
	return item
}

func (cv *claimsView) settlement(s *settled) Settlement {
	out := Settlement{Resolution: s.res.Event.ID}
	if s.ev != nil {
		at := time.Unix(0, s.at).In(s.ev.Event.ReportedAt.Location())
		out.SettledBy, out.SettledAt, out.SettledBySum = s.ev.Event.ID, &at, cv.x.Summary(s.ev.Event)
	}
	return out
}

// root follows a relay of a relay back to the first report, at any depth
// (memoized, so a long chain costs its length once). A relay whose chain
// loops, or names a record the archive does not hold, is its own root and
// an anomaly.
func (cv *claimsView) root(en *Entry) *Entry {
	var path []*Entry
	cur := en
	for {
		if r, seen := cv.roots[cur]; seen {
			if r == nil { // on the path: a cycle, whose members have no original
				cv.anoms = cv.anoms.push(en, "repeats itself through a chain of relays")
				for _, p := range path {
					cv.roots[p] = p
				}
				return en
			}
			return cv.close(path, r)
		}
		c, ok := cur.Event.Data.(*events.Claim)
		if !ok || c.Repeats == "" {
			return cv.close(path, cur)
		}
		next := cv.x.standing(c.Repeats)
		if next == nil {
			if cur == en {
				cv.anoms = cv.anoms.push(en, "repeats %s, which the archive does not hold", c.Repeats)
			}
			return cv.close(path, cur)
		}
		cv.roots[cur] = nil
		path = append(path, cur)
		cur = current(next, cv.q)
	}
}

// close records r as the root of every relay on path.
func (cv *claimsView) close(path []*Entry, r *Entry) *Entry {
	for _, p := range path {
		cv.roots[p] = r
	}
	return r
}

// relayKnown reports whether a relay's first report was known at the
// view's knowledge time: a relay cannot be known before what it repeats,
// whatever an imprecise time written for it says.
func (cv *claimsView) relayKnown(en *Entry) bool {
	c := en.Event.Data.(*events.Claim)
	if c.Repeats == "" {
		return true
	}
	orig := cv.x.standing(c.Repeats)
	return orig == nil || cv.q.knows(current(orig, cv.q))
}

func (cv *claimsView) report(en *Entry) Report {
	outlet := cv.x.outletID(en.Event.Source.Outlet)
	r := Report{ID: en.Event.ID, Type: string(en.Event.Type), Outlet: outlet, OutletName: cv.x.nameAt(outlet, cv.q),
		ReportedAt: en.Event.ReportedAt, Summary: cv.x.Summary(en.Event), URL: en.Event.Source.URL}
	if en.rep == en.occ {
		r.Precision = en.Event.Precision
	}
	if _, ok := en.Event.Data.(*events.Claim); ok {
		r.Outcome = cv.outcome(en)
	}
	return r
}

// firstVersion is the claim as first reported: a source's correction
// counts from its first version (an erratum is the record as it should
// have been, so it counts as written).
func (cv *claimsView) firstVersion(en *Entry) *Entry {
	first := en
	for v, i := cv.x.standing(en.Event.Supersedes), 0; v != nil && i < 64; v, i = cv.x.standing(v.Event.Supersedes), i+1 {
		if _, ok := v.Event.Data.(*events.Claim); ok {
			first = v
		}
		if v.Event.Supersedes == "" {
			break
		}
	}
	return first
}

// lead sets the claim's lead over the earliest of its confirmed
// settlements: at least the earliest instant the evidence's precision
// allows minus the latest the claim's allows, at most the other way round.
func (cv *claimsView) lead(item *ClaimItem, first *Entry, confirmed []*settled) {
	var best *settled
	for _, s := range confirmed {
		if s.ev != nil && (best == nil || s.ev.rep < best.ev.rep) {
			best = s
		}
	}
	if best == nil {
		return
	}
	least := time.Duration(best.ev.rep - latestRep(first))
	most := time.Duration(latestRep(best.ev) - first.rep)
	h, hm := hours(least), hours(most)
	item.Lead, item.LeadHours = &least, &h
	if most != least {
		item.LeadMaxHours, item.LeadUncertain = &hm, true
	}
}

func hours(d time.Duration) float64 { return math.Round(d.Hours()*100) / 100 }

// latestRep is the latest instant at which en may have become public: its
// reported_at, or, when it was public as it happened (reported_at equals
// occurred_at), the end of the interval its precision allows.
func latestRep(en *Entry) int64 {
	e := en.Event
	if en.rep != en.occ {
		return en.rep
	}
	return nanos(precisionEnd(e.ReportedAt, e.Precision))
}

// precisionEnd is the end of the calendar hour, day, month or year (in
// t's own offset) that t, known to that precision, falls in.
func precisionEnd(t time.Time, p events.Precision) time.Time {
	y, mo, d := t.Date()
	switch p {
	case events.PrecisionHour:
		return t.Truncate(time.Hour).Add(time.Hour)
	case events.PrecisionDay:
		return time.Date(y, mo, d+1, 0, 0, 0, 0, t.Location())
	case events.PrecisionMonth:
		return time.Date(y, mo+1, 1, 0, 0, 0, 0, t.Location())
	case events.PrecisionYear:
		return time.Date(y+1, 1, 1, 0, 0, 0, 0, t.Location())
	}
	return t
}
