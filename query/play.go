package query

import (
	"maps"
	"slices"
	"time"

	"storyline/events"
	"storyline/projections"
	"storyline/replay"
)

// ReplayRequest is the question a replay asks: req as a replay, known at
// now unless req says when. Replayed on the reported clock up to Until,
// the story is what the public knew then, so that is the default
// knowledge time there: the tables the replay ends on must say the same.
func ReplayRequest(req Request, now time.Time) Request {
	req.View = "replay"
	if req.KnownAt.IsZero() {
		req.KnownAt = now
		if req.By == string(replay.ByReported) && !req.Until.IsZero() {
			req.KnownAt = req.Until
		}
	}
	return req
}

// ReplayEnd is what a text replay of req ends on, its steps being lines:
// the board and the roles of every org whose board or roles the steps
// changed, in id order, at the replay's last moment (req.Until when set),
// as known at req.KnownAt. Nothing when no step was shown.
func ReplayEnd(req Request, lines []replay.Line) []Request {
	if len(lines) == 0 {
		return nil
	}
	orgs := map[string]bool{}
	for _, l := range lines {
		for _, c := range l.Changes {
			if c.View == "board" || c.View == "roles" {
				orgs[c.Key] = true
			}
		}
	}
	end := req.Until
	if end.IsZero() {
		end = lines[len(lines)-1].At(replay.Clock(req.By))
	}
	var out []Request
	for _, org := range slices.Sorted(maps.Keys(orgs)) {
		for _, view := range []string{"board", "roles"} {
			out = append(out, Request{View: view, Org: org, At: end, KnownAt: req.KnownAt})
		}
	}
	return out
}

// Highlights are the views a tour of the archive ends on, at now: the
// board of the org whose board changed most and the status of the person
// the most events name (ties to the first id).
func (g *Engine) Highlights(now time.Time) []Request {
	seats := map[string]int{}
	people := map[string]int{}
	for _, en := range g.x.All() {
		switch d := en.Event.Data.(type) {
		case *events.SeatTaken:
			seats[d.Org]++
		case *events.SeatLeft:
			seats[d.Org]++
		}
		for _, id := range en.Event.Entities() {
			if e, ok := g.x.Names().Entity(id); ok && e.Kind == events.Person {
				people[id]++
			}
		}
	}
	return []Request{
		{View: "board", Org: most(seats), At: now, KnownAt: now},
		{View: "status", Person: most(people), At: now, KnownAt: now},
	}
}

// most is the key with the highest count, the first in order on a tie; ""
// for none.
func most(counts map[string]int) string {
	best := ""
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		if counts[k] > counts[best] || best == "" {
			best = k
		}
	}
	return best
}

// Line is what the text of a replay or a watch shows of s.
func (s StepJSON) Line() replay.Line {
	st := replay.Step{Seq: s.Item.Seq, Event: s.Item.Event, Summary: s.Item.Summary, Changes: s.Changes}
	return replay.LineOf(st, s.Item.OutletName)
}

// item is the timeline item of the event stored at seq, with its summary
// and outlet name as the views give them now.
func (g *Engine) item(seq uint64, e *events.Event) projections.TimelineItem {
	return projections.TimelineItem{Seq: seq, Event: e, Summary: g.x.Summary(e), OutletName: g.x.OutletName(e)}
}
