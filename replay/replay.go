package replay

import (
	"fmt"
	"sort"
	"time"

	"storyline/events"
	"storyline/projections"
)

// Change is one difference in a view: an item of View under Key went from
// Before to After ("" for absent).
type Change struct {
	View   string `json:"view"`   // board, roles, status, claims
	Key    string `json:"key"`    // the org, person or claim
	Item   string `json:"item"`   // the member, role or claim
	Before string `json:"before"` // "" when it was not there
	After  string `json:"after"`  // "" when it is gone
	Text   string `json:"text"`   // the change in words, with names
	// At is when it changed, on the clock asked for (set by Replay).
	At time.Time `json:"at,omitzero"`
}

// Step is one event of a replay and the view changes it causes.
type Step struct {
	Seq     uint64
	Event   *events.Event
	Summary string
	Changes []Change
}

// Options bound and order a replay.
type Options struct {
	By      projections.Clock // default occurred
	From    time.Time         // zero: from the start
	Until   time.Time         // zero: to the end
	KnownAt time.Time         // only events reported by then; zero: all
}

// Replay returns the events of x in order by opts.By, each with the
// changes it makes to the board and roles of its org and to claims.
//
// By occurred time the story is folded in fold order and each event's
// effect is the state after it against the state before it, seeing only
// what was reported by KnownAt. By reported time each event is shown when
// it became public, and its effect is how the picture the public had
// changed: the views at (t, t) against those just before t.
func Replay(x *projections.Index, opts Options) []Step {
	if opts.By == projections.ByReported {
		return replayReported(x, opts)
	}
	k := opts.KnownAt
	if k.IsZero() {
		k = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	boards := map[string]*projections.BoardState{}
	roles := map[string]*projections.RoleState{}
	var out []Step
	for _, en := range x.All() {
		e := en.Event
		if !x.Known(en, k) {
			continue
		}
		var changes []Change
		for _, org := range orgsOf(e) {
			b := boards[org]
			if b == nil {
				b = &projections.BoardState{}
				boards[org] = b
			}
			r := roles[org]
			if r == nil {
				r = &projections.RoleState{}
				roles[org] = r
			}
			bBefore, rBefore := boardItems(b), roleItems(r)
			nb, nr := len(b.Anomalies), len(r.Anomalies)
			b.Apply(org, en)
			r.Apply(org, en)
			changes = append(changes, diffItems(x, "board", org, bBefore, boardItems(b))...)
			changes = append(changes, diffItems(x, "roles", org, rBefore, roleItems(r))...)
			for _, a := range append(b.Anomalies[nb:], r.Anomalies[nr:]...) {
				changes = append(changes, Change{View: "anomaly", Key: org, Item: a.Event, Text: "anomaly (kept, changes nothing): " + a.Reason})
			}
		}
		changes = append(changes, otherChanges(x, en, k)...)
		if (!opts.From.IsZero() && e.OccurredAt.Before(opts.From)) || (!opts.Until.IsZero() && e.OccurredAt.After(opts.Until)) {
			continue
		}
		for i := range changes {
			changes[i].At = e.OccurredAt
		}
		out = append(out, Step{Seq: en.Seq, Event: e, Summary: x.Summary(e), Changes: changes})
	}
	return out
}

func replayReported(x *projections.Index, opts Options) []Step {
	ens := append([]*projections.Entry(nil), x.All()...)
	sort.SliceStable(ens, func(i, j int) bool {
		a, b := ens[i].Event, ens[j].Event
		if !a.ReportedAt.Equal(b.ReportedAt) {
			return a.ReportedAt.Before(b.ReportedAt)
		}
		return ens[i].Seq < ens[j].Seq
	})
	var out []Step
	for i, en := range ens {
		e := en.Event
		t := e.ReportedAt
		if !opts.KnownAt.IsZero() && t.After(opts.KnownAt) {
			break
		}
		if (!opts.From.IsZero() && t.Before(opts.From)) || (!opts.Until.IsZero() && t.After(opts.Until)) {
			continue
		}
		var changes []Change
		// Several events made public at one instant show their joint
		// effect on the first of them.
		if i == 0 || !ens[i-1].Event.ReportedAt.Equal(t) {
			prev := projections.AsOf{At: t.Add(-time.Nanosecond), KnownAt: t.Add(-time.Nanosecond)}
			now := projections.AsOf{At: t, KnownAt: t}
			orgs := map[string]bool{}
			for j := i; j < len(ens) && ens[j].Event.ReportedAt.Equal(t); j++ {
				for _, o := range orgsOf(ens[j].Event) {
					orgs[o] = true
				}
			}
			for _, org := range sortedKeys(orgs) {
				changes = append(changes, viewChanges(x, org, prev, now)...)
			}
		}
		changes = append(changes, otherChanges(x, en, t)...)
		for i := range changes {
			changes[i].At = t
		}
		out = append(out, Step{Seq: en.Seq, Event: e, Summary: x.Summary(e), Changes: changes})
	}
	return out
}

// orgsOf returns the org whose board or roles e can change.
func orgsOf(e *events.Event) []string {
	switch d := e.Data.(type) {
	case *events.SeatTaken:
		return []string{d.Org}
	case *events.SeatLeft:
		return []string{d.Org}
	case *events.RoleStart:
		return []string{d.Org}
	case *events.RoleEnd:
		return []string{d.Org}
	}
	return nil
}

// otherChanges are the changes an event makes outside boards and roles:
// claims settled and affiliations announced.
func otherChanges(x *projections.Index, en *projections.Entry, k time.Time) []Change {
	switch d := en.Event.Data.(type) {
	case *events.Resolution:
		text := d.Claim
		if c, ok := x.Get(d.Claim); ok {
			if cl, ok := c.Event.Data.(*events.Claim); ok {
				text = cl.Text
			}
		}
		return []Change{{View: "claims", Key: d.Claim, Item: "outcome", Before: "open", After: d.Outcome,
			Text: fmt.Sprintf("claim %s: %s", d.Outcome, clip(text, 90))}}
	case *events.Affiliation:
		return []Change{{View: "status", Key: d.Person, Item: "announced", After: d.Org + " " + string(d.Role),
			Text: fmt.Sprintf("status: %s announced to join %s (%s)", name(x, d.Person), name(x, d.Org), d.Role)}}
	}
	return nil
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func name(x *projections.Index, id string) string {
	if n := x.Names().Name(id); n != "" {
		return n
	}
	return id
}

func boardItems(b *projections.BoardState) map[string]string {
	out := map[string]string{}
	for p, m := range b.Seats {
		out[p] = string(m.Seat)
	}
	return out
}

func roleItems(r *projections.RoleState) map[string]string {
	out := map[string]string{}
	for role, hs := range r.Held {
		for _, h := range hs {
			v := h.Person
			if h.Interim {
				v += " (interim)"
			}
			if cur, ok := out[string(role)]; ok {
				v = cur + ", " + v
			}
			out[string(role)] = v
		}
	}
	return out
}

// diffItems compares two item maps of one view key.
func diffItems(x *projections.Index, view, key string, before, after map[string]string) []Change {
	var out []Change
	for _, item := range sortedKeys(union(before, after)) {
		b, a := before[item], after[item]
		if a == b {
			continue
		}
		c := Change{View: view, Key: key, Item: item, Before: b, After: a}
		switch view {
		case "board":
			switch {
			case b == "":
				c.Text = fmt.Sprintf("board %s: + %s (%s)", name(x, key), name(x, item), a)
			case a == "":
				c.Text = fmt.Sprintf("board %s: − %s (%s)", name(x, key), name(x, item), b)
			default:
				c.Text = fmt.Sprintf("board %s: %s %s → %s", name(x, key), name(x, item), b, a)
			}
		case "roles":
			c.Text = fmt.Sprintf("roles %s: %s %s → %s", name(x, key), item, names(x, b), names(x, a))
		}
		out = append(out, c)
	}
	return out
}

// names renders a roles item ("p (interim), q") with display names.
func names(x *projections.Index, v string) string {
	if v == "" {
		return "(vacant)"
	}
	for _, id := range x.Entities() {
		if n := x.Names().Name(id); n != "" {
			v = replaceToken(v, id, n)
		}
	}
	return v
}

func replaceToken(s, id, n string) string {
	out := ""
	for _, part := range splitKeep(s) {
		if part == id {
			part = n
		}
		out += part
	}
	return out
}

// splitKeep splits s into slug tokens and the text between them.
func splitKeep(s string) []string {
	var out []string
	start := 0
	isTok := func(c byte) bool { return c == '-' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
	for i := 1; i <= len(s); i++ {
		if i == len(s) || isTok(s[i]) != isTok(s[i-1]) {
			out = append(out, s[start:i])
			start = i
		}
	}
	return out
}

func union(a, b map[string]string) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// viewChanges compares org's board and roles at two moments.
func viewChanges(x *projections.Index, org string, from, to projections.AsOf) []Change {
	b1, b2 := x.BoardAt(org, from), x.BoardAt(org, to)
	r1, r2 := x.RolesAt(org, from), x.RolesAt(org, to)
	out := diffItems(x, "board", org, boardMap(b1), boardMap(b2))
	return append(out, diffItems(x, "roles", org, rolesMap(r1), rolesMap(r2))...)
}

func boardMap(b projections.Board) map[string]string {
	out := map[string]string{}
	for _, m := range b.Members {
		out[m.Person] = string(m.Seat)
	}
	for _, m := range b.Observers {
		out[m.Person] = "observer"
	}
	return out
}

func rolesMap(r projections.Roles) map[string]string {
	out := map[string]string{}
	for _, h := range r.Roles {
		v := h.Person
		if h.Interim {
			v += " (interim)"
		}
		if cur, ok := out[string(h.Role)]; ok {
			v = cur + ", " + v
		}
		out[string(h.Role)] = v
	}
	return out
}

// Diff returns what changed in every view between two moments: the board
// and roles of every org, the outcome of every claim and the summary of
// every person.
func Diff(x *projections.Index, from, to projections.AsOf) []Change {
	var out []Change
	var orgs, people []string
	for _, id := range x.Entities() {
		if e, ok := x.Names().Entity(id); ok && e.Kind == events.Person {
			people = append(people, id)
			continue
		}
		orgs = append(orgs, id)
	}
	for _, org := range orgs {
		out = append(out, viewChanges(x, org, from, to)...)
	}
	c1, c2 := x.ClaimsAt(from, projections.ClaimFilter{}), x.ClaimsAt(to, projections.ClaimFilter{})
	before := map[string]string{}
	for _, c := range c1.Claims {
		before[c.ID] = c.Outcome
	}
	for _, c := range c2.Claims {
		if b := before[c.ID]; b != c.Outcome {
			verb := "claim " + c.Outcome
			if b == "" {
				verb = "new claim, " + c.Outcome
			}
			out = append(out, Change{View: "claims", Key: c.ID, Item: "outcome", Before: b, After: c.Outcome,
				Text: fmt.Sprintf("%s: %s (%s)", verb, clip(c.Text, 80), c.Outlet)})
		}
	}
	for _, p := range people {
		s1, s2 := x.StatusAt(p, from), x.StatusAt(p, to)
		if s1.Summary != s2.Summary {
			out = append(out, Change{View: "status", Key: p, Item: "summary", Before: s1.Summary, After: s2.Summary,
				Text: fmt.Sprintf("status %s: %s", name(x, p), s2.Summary)})
		}
	}
	return out
}

// Track adds the event stored at seq to x and returns the changes it makes
// to the views as they stand at now: what a live watcher prints.
func Track(x *projections.Index, seq uint64, e *events.Event, now time.Time) []Change {
	q := projections.AsOf{At: now, KnownAt: now}
	orgs := orgsOf(e)
	before := make([]projections.Board, len(orgs))
	roles := make([]projections.Roles, len(orgs))
	for i, org := range orgs {
		before[i], roles[i] = x.BoardAt(org, q), x.RolesAt(org, q)
	}
	x.Add(seq, e)
	var out []Change
	for i, org := range orgs {
		out = append(out, diffItems(x, "board", org, boardMap(before[i]), boardMap(x.BoardAt(org, q)))...)
		out = append(out, diffItems(x, "roles", org, rolesMap(roles[i]), rolesMap(x.RolesAt(org, q)))...)
	}
	if en, ok := x.Get(e.ID); ok {
		out = append(out, otherChanges(x, en, now)...)
	}
	return out
}
