package replay

import (
	"cmp"
	"fmt"
	"iter"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"storyline/events"
	"storyline/projections"
)

// Change is one difference in a view: an item of View under Key went from
// Before to After ("" for absent). Before and After are compact and by id
// (a seat, "person (interim), person" for a role, an outcome, a summary);
// Text says the same in words, with names.
type Change struct {
	View   string `json:"view"`   // board, roles, stakes, status, claims, anomaly
	Key    string `json:"key"`    // the org, person or claim
	Item   string `json:"item"`   // the member, role, holder or field
	Before string `json:"before"` // "" when it was not there
	After  string `json:"after"`  // "" when it is gone
	Text   string `json:"text"`   // the change in words, with names
	// At is when it changed, on the clock asked for (set by Replay).
	At time.Time `json:"at,omitzero"`
}

func (c Change) String() string { return c.Text }

// Step is one event of a replay and the view changes it causes.
type Step struct {
	Seq     uint64
	Event   *events.Event
	Summary string
	Changes []Change
}

// Options bound, filter and order a replay.
type Options struct {
	By      Clock     // default ByOccurred
	From    time.Time // on the By clock; zero: from the start
	Until   time.Time // on the By clock; zero: to the end
	KnownAt time.Time // only events reported by then; zero: all
	// Entity, Type and Outlet, when set, show only the events that match;
	// every event still counts towards the views.
	Entity string
	Type   events.Type
	Outlet string
}

// Replay returns the steps of [Steps] as a slice.
func Replay(x *projections.Index, opts Options) []Step { return slices.Collect(Steps(x, opts)) }

// Steps yields the events of x in order by opts.By, each with the changes
// it makes to the views.
//
// By occurred time the world is shown in the order things happened, as
// known at opts.KnownAt: events not known then (or corrected by then) are
// left out, and each step is the views just after the event against just
// before it. By reported time each event is shown when it became public,
// corrected ones included, and its changes are how the public's picture
// of that moment changed: the views at its reported_at, known just after
// it against just before it. See [StepOf].
func Steps(x *projections.Index, opts Options) iter.Seq[Step] {
	return func(yield func(Step) bool) {
		var src []*projections.Entry
		if opts.By == ByReported {
			src = x.ByReported()
		} else {
			src = x.All()
		}
		at := func(en *projections.Entry) time.Time {
			if opts.By == ByReported {
				return en.Event.ReportedAt
			}
			return en.Event.OccurredAt
		}
		if !opts.From.IsZero() {
			src = src[sort.Search(len(src), func(i int) bool { return !at(src[i]).Before(opts.From) }):]
		}
		if !opts.Until.IsZero() {
			src = src[:sort.Search(len(src), func(i int) bool { return at(src[i]).After(opts.Until) })]
		}
		f := Filter{Entity: opts.Entity, Type: opts.Type, Outlet: opts.Outlet, KnownAt: opts.KnownAt}
		for _, en := range src {
			if !f.Match(en) || opts.By != ByReported && !x.Known(en, opts.KnownAt) {
				continue
			}
			st := StepOf(x, opts.By, en, opts.KnownAt)
			for i := range st.Changes {
				st.Changes[i].At = at(en)
			}
			if !yield(st) {
				return
			}
		}
	}
}

// StepOf returns the changes en (an entry of x) causes when events are
// taken in order by the clock by: the views en can change, just after it
// against just before it (see [projections.Index.Around]). By occurred,
// the views are as known at knownAt (zero: everything known).
//
// The views compared are the board, roles and stakes of the orgs en (and
// the event it corrects) concern, the claims if en is a claim, a
// resolution or a correction of one, and the announcements of the people
// it names. A new anomaly shows as a change of view "anomaly".
func StepOf(x *projections.Index, by Clock, en *projections.Entry, knownAt time.Time) Step {
	before, after := x.Around(by, en, knownAt)
	sc := scopeOf(x, en)
	return Step{Seq: en.Seq, Event: en.Event, Summary: x.Summary(en.Event), Changes: changes(x, sc, before, after, en)}
}

// Diff returns what changed in every view between two moments: the board,
// roles and stakes of every org, the outcome of every claim (and the
// claims that appeared) and the summary of every person.
func Diff(x *projections.Index, from, to projections.AsOf) []Change {
	sc := scope{orgs: x.Orgs(), people: x.People(), claims: true, summaries: true, newClaims: true}
	return changes(x, sc, from, to, nil)
}

// Track returns the changes e makes to the views of x as they stand at
// now, add being what puts it in x: what a live watcher prints. (add may
// leave it out, a record the views do not admit: then nothing changed.)
func Track(x *projections.Index, e *events.Event, now time.Time, add func()) []Change {
	q := projections.AsOf{At: now, KnownAt: now}
	var sc scope
	if old, ok := x.Get(e.ID); ok {
		sc = scopeOf(x, old)
	} else {
		sc = scopeOfEvent(x, e)
	}
	var b views
	b.load(x, sc, q)
	add()
	var a views
	a.load(x, sc, q)
	en, _ := x.Get(e.ID)
	return compare(x, sc, &b, &a, en)
}

// scope is the views a comparison covers.
type scope struct {
	orgs, people []string
	claimIDs     []string // these claims' outcomes
	claims       bool     // every claim's outcome
	newClaims    bool     // claims that appear
	summaries    bool     // status summaries
}

func scopeOf(x *projections.Index, en *projections.Entry) scope {
	sc := scopeOfEvent(x, en.Event)
	// A correction, an erratum or a withdrawal also changes what the record
	// it replaces had changed.
	for _, sup := range replaced(en.Event) {
		if old, ok := x.Get(sup); ok {
			o := scopeOfEvent(x, old.Event)
			sc.orgs = append(sc.orgs, o.orgs...)
			sc.people = append(sc.people, o.people...)
			sc.claimIDs = append(sc.claimIDs, o.claimIDs...)
		}
	}
	slices.Sort(sc.orgs)
	sc.orgs = slices.Compact(sc.orgs)
	slices.Sort(sc.people)
	sc.people = slices.Compact(sc.people)
	slices.Sort(sc.claimIDs)
	sc.claimIDs = slices.Compact(sc.claimIDs)
	return sc
}

// replaced lists the records e replaces or takes out.
func replaced(e *events.Event) []string {
	var ids []string
	for _, id := range []string{e.Supersedes, e.Erratum} {
		if id != "" {
			ids = append(ids, id)
		}
	}
	if w, ok := e.Data.(*events.Withdrawal); ok {
		ids = append(ids, w.Event)
	}
	return ids
}

func scopeOfEvent(x *projections.Index, e *events.Event) scope {
	var sc scope
	switch d := e.Data.(type) {
	case *events.SeatTaken:
		sc.orgs = []string{d.Org}
	case *events.SeatLeft:
		sc.orgs = []string{d.Org}
	case *events.RoleStart:
		sc.orgs = []string{d.Org}
	case *events.RoleEnd:
		sc.orgs = []string{d.Org}
	case *events.Stake:
		sc.orgs = []string{d.Org}
	case *events.Claim:
		sc.claimIDs = []string{e.ID}
	case *events.Resolution:
		sc.claimIDs = []string{d.Claim}
	}
	switch e.Data.(type) {
	case *events.Affiliation, *events.RoleStart:
		for _, id := range e.Entities() {
			if x.Kind(id) == events.Person {
				sc.people = append(sc.people, id)
			}
		}
	}
	return sc
}

// views holds the answers a comparison needs at one moment.
type views struct {
	boards []projections.Board
	roles  []projections.Roles
	stakes []projections.Stakes
	status []projections.Status
	claims projections.Claims
}

func (v *views) load(x *projections.Index, sc scope, q projections.AsOf) {
	for _, org := range sc.orgs {
		v.boards = append(v.boards, x.BoardAt(org, q))
		v.roles = append(v.roles, x.RolesAt(org, q))
		v.stakes = append(v.stakes, x.StakesAt(org, q))
	}
	for _, p := range sc.people {
		v.status = append(v.status, x.StatusAt(p, q))
	}
	if sc.claims || sc.newClaims {
		v.claims = x.ClaimsAt(q, projections.ClaimFilter{})
	}
	for _, id := range sc.claimIDs {
		if c, ok := x.ClaimAt(id, q); ok {
			v.claims.Claims = append(v.claims.Claims, c)
		}
	}
}

func changes(x *projections.Index, sc scope, from, to projections.AsOf, en *projections.Entry) []Change {
	var b, a views
	b.load(x, sc, from)
	a.load(x, sc, to)
	return compare(x, sc, &b, &a, en)
}

// compare lists the differences between two loads of the same scope. en,
// if not nil, is the event the changes are due to: it supplies the "how"
// of a departure and marks the anomalies it causes.
func compare(x *projections.Index, sc scope, b, a *views, en *projections.Entry) []Change {
	var out []Change
	for i, org := range sc.orgs {
		out = append(out, diffBoard(org, b.boards[i], a.boards[i], en)...)
		out = append(out, diffRoles(org, b.roles[i], a.roles[i], en)...)
		out = append(out, diffStakes(org, b.stakes[i], a.stakes[i])...)
		if en != nil {
			for _, an := range [][2][]projections.Anomaly{{b.boards[i].Anomalies, a.boards[i].Anomalies},
				{b.roles[i].Anomalies, a.roles[i].Anomalies}, {b.stakes[i].Anomalies, a.stakes[i].Anomalies}} {
				out = append(out, newAnomalies(org, an[0], an[1], en)...)
			}
		}
	}
	if sc.claims || sc.newClaims || len(sc.claimIDs) > 0 {
		out = append(out, diffClaims(b.claims, a.claims, sc.newClaims)...)
	}
	for i, p := range sc.people {
		out = append(out, diffStatus(p, b.status[i], a.status[i], sc.summaries)...)
	}
	return out
}

func label(id, name string) string {
	if name != "" {
		return name
	}
	return id
}

func diffBoard(org string, b, a projections.Board, en *projections.Entry) []Change {
	type seat struct{ seat, name string }
	items := func(v projections.Board) map[string]seat {
		m := map[string]seat{}
		for _, x := range v.Members {
			m[x.Person] = seat{string(x.Seat), x.Name}
		}
		for _, x := range v.Observers {
			m[x.Person] = seat{string(events.Observer), x.Name}
		}
		return m
	}
	bi, ai := items(b), items(a)
	orgName := label(org, a.OrgName)
	var out []Change
	for _, p := range unionKeys(bi, ai) {
		x, y := bi[p], ai[p]
		if x.seat == y.seat {
			continue
		}
		c := Change{View: "board", Key: org, Item: p, Before: x.seat, After: y.seat}
		switch {
		case x.seat == "":
			c.Text = fmt.Sprintf("board %s: + %s (%s)", orgName, label(p, y.name), y.seat)
		case y.seat == "":
			how := x.seat
			if en != nil {
				if d, ok := en.Event.Data.(*events.SeatLeft); ok && d.Person == p {
					how = d.How
				}
			}
			c.Text = fmt.Sprintf("board %s: − %s (%s)", orgName, label(p, x.name), how)
		default:
			c.Text = fmt.Sprintf("board %s: %s %s → %s", orgName, label(p, y.name), x.seat, y.seat)
		}
		out = append(out, c)
	}
	return out
}

func diffRoles(org string, b, a projections.Roles, en *projections.Entry) []Change {
	type held struct{ ids, names string }
	items := func(v projections.Roles) map[string]held {
		m := map[string]held{}
		for _, h := range v.Roles {
			id, name := h.Person, label(h.Person, h.Name)
			if h.Interim {
				id, name = id+" (interim)", name+" (interim)"
			}
			if cur, ok := m[string(h.Role)]; ok {
				id, name = cur.ids+", "+id, cur.names+", "+name
			}
			m[string(h.Role)] = held{id, name}
		}
		return m
	}
	bi, ai := items(b), items(a)
	var out []Change
	for _, role := range unionKeys(bi, ai) {
		x, y := bi[role], ai[role]
		if x.ids == y.ids {
			continue
		}
		from, to := x.names, y.names
		if from == "" {
			from = "(vacant)"
		}
		if to == "" {
			to = "(vacant)"
			if en != nil {
				if d, ok := en.Event.Data.(*events.RoleEnd); ok && string(d.Role) == role {
					to = "(vacant: " + strings.ReplaceAll(d.How, "_", " ") + ")"
				}
			}
		}
		out = append(out, Change{View: "roles", Key: org, Item: role, Before: x.ids, After: y.ids,
			Text: fmt.Sprintf("roles %s: %s %s → %s", label(org, a.OrgName), role, from, to)})
	}
	return out
}

func diffStakes(org string, b, a projections.Stakes) []Change {
	type stake struct{ v, name string }
	items := func(v projections.Stakes) map[string]stake {
		m := map[string]stake{}
		for _, s := range v.Stakes {
			m[s.Holder] = stake{strconv.FormatFloat(s.Amount, 'f', -1, 64) + " " + s.Currency, s.Name}
		}
		return m
	}
	bi, ai := items(b), items(a)
	var out []Change
	for _, h := range unionKeys(bi, ai) {
		x, y := bi[h], ai[h]
		if x.v == y.v {
			continue
		}
		name := label(h, y.name)
		if y.v == "" {
			name = label(h, x.name)
		}
		from, to := x.v, y.v
		if from == "" {
			from = "none"
		}
		if to == "" {
			to = "none"
		}
		out = append(out, Change{View: "stakes", Key: org, Item: h, Before: x.v, After: y.v,
			Text: fmt.Sprintf("stakes %s: %s %s → %s", label(org, a.OrgName), name, from, to)})
	}
	return out
}

func diffClaims(b, a projections.Claims, withNew bool) []Change {
	before := map[string]string{}
	for _, c := range b.Claims {
		before[c.ID] = c.Outcome
	}
	var out []Change
	for _, c := range a.Claims {
		was, seen := before[c.ID]
		if was == c.Outcome || !seen && !withNew {
			continue
		}
		outlet := cmp.Or(c.OutletName, c.Outlet)
		text := fmt.Sprintf("claim %s: %s (%s)", c.Outcome, clip(c.Text, 80), outlet)
		if c.Lead != nil && c.Outcome == events.Confirmed {
			text = fmt.Sprintf("claim %s: %s (%s, %s)", c.Outcome, clip(c.Text, 80), outlet, lead(*c.Lead))
		}
		if !seen {
			text = fmt.Sprintf("new claim, %s: %s (%s)", c.Outcome, clip(c.Text, 80), outlet)
		}
		out = append(out, Change{View: "claims", Key: c.ID, Item: "outcome", Before: was, After: c.Outcome, Text: text})
	}
	return out
}

// lead says how far ahead of (or behind) the official word a claim came:
// "4h30m ahead of the official word".
func lead(d time.Duration) string {
	where := "ahead of"
	if d < 0 {
		d, where = -d, "after"
	}
	d = d.Round(time.Minute)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	var s string
	switch {
	case h >= 72:
		s = fmt.Sprintf("%.0f days", d.Hours()/24)
	case h == 0:
		s = fmt.Sprintf("%dm", m)
	case m == 0:
		s = fmt.Sprintf("%dh", h)
	default:
		s = fmt.Sprintf("%dh%02dm", h, m)
	}
	return s + " " + where + " the official word"
}

func diffStatus(p string, b, a projections.Status, summaries bool) []Change {
	name := label(p, a.Name)
	var out []Change
	ann := func(s projections.Status) map[string]projections.Announcement {
		m := map[string]projections.Announcement{}
		for _, x := range s.Announced {
			m[x.Org+"/"+string(x.Role)] = x
		}
		return m
	}
	bi, ai := ann(b), ann(a)
	if summaries {
		bi, ai = nil, nil // the summary says it
	}
	for _, k := range unionKeys(bi, ai) {
		x, inB := bi[k]
		y, inA := ai[k]
		switch {
		case inA && !inB:
			out = append(out, Change{View: "status", Key: p, Item: "announced", After: k,
				Text: fmt.Sprintf("status %s: announced to join %s (%s)", name, label(y.Org, y.OrgName), y.Role)})
		case inB && !inA:
			out = append(out, Change{View: "status", Key: p, Item: "announced", Before: k,
				Text: fmt.Sprintf("status %s: no longer announced to join %s (%s)", name, label(x.Org, x.OrgName), x.Role)})
		}
	}
	if summaries && b.Summary != a.Summary {
		out = append(out, Change{View: "status", Key: p, Item: "summary", Before: b.Summary, After: a.Summary,
			Text: fmt.Sprintf("status %s: %s", name, a.Summary)})
	}
	return out
}

func newAnomalies(org string, b, a []projections.Anomaly, en *projections.Entry) []Change {
	var out []Change
	for _, an := range a {
		if an.Event != en.Event.ID || slices.ContainsFunc(b, func(o projections.Anomaly) bool { return o.Event == an.Event }) {
			continue
		}
		out = append(out, Change{View: "anomaly", Key: org, Item: an.Event, After: an.Reason, Text: "anomaly (kept): " + an.Reason})
	}
	return out
}

func unionKeys[V any](a, b map[string]V) []string {
	var out []string
	for k := range a {
		out = append(out, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
