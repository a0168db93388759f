package query

import (
	"slices"
	"time"

	"storyline/events"
	"storyline/projections"
	"storyline/replay"
)

// The answers of the view table's views. Each gets a request whose
// defaults are set and whose shared parameters are checked (see
// Engine.Answer).

// one answers a view of one entity, named by the parameter param (org or
// person), at (at, known_at).
func one[T any](param string, at func(x *projections.Index, id string, q projections.AsOf) T) func(*Engine, Request) (T, error) {
	return func(g *Engine, req Request) (T, error) {
		id, err := g.resolve(param, *req.Field(param).(*string))
		if err != nil {
			var none T
			return none, err
		}
		return at(g.x, id, req.asOf()), nil
	}
}

// outletOf resolves the outlet a request filters on ("": none).
func (g *Engine) outletOf(req Request) (string, error) {
	if req.Outlet == "" {
		return "", nil
	}
	return g.outlet(req.Outlet)
}

// entityOf resolves the entity a request filters on ("": none).
func (g *Engine) entityOf(req Request) (string, error) {
	if req.Entity == "" {
		return "", nil
	}
	return g.resolve("entity", req.Entity)
}

func timeline(g *Engine, req Request) ([]projections.TimelineItem, error) {
	f := projections.TimelineFilter{Type: events.Type(req.Type), By: projections.Clock(req.By),
		From: req.From, Until: req.Until, KnownAt: req.KnownAt, At: req.At, Limit: req.Limit}
	var err error
	if f.Outlet, err = g.outletOf(req); err != nil {
		return nil, err
	}
	if e, ok := g.x.Names().Entity(f.Outlet); f.Outlet != "" && ok {
		f.OutletSpellings = append([]string{e.Name}, e.Aliases...) // an outlet's text spells it any of these ways
	}
	if f.Entity, err = g.entityOf(req); err != nil {
		return nil, err
	}
	return g.x.Timeline(f), nil
}

func claims(g *Engine, req Request) (projections.Claims, error) {
	var f projections.ClaimFilter
	var err error
	if f.Outlet, err = g.outletOf(req); err != nil {
		return projections.Claims{}, err
	}
	if f.Entity, err = g.entityOf(req); err != nil {
		return projections.Claims{}, err
	}
	return g.x.ClaimsAt(req.asOf(), f), nil
}

func sources(g *Engine, req Request) (projections.Sources, error) {
	outlet, err := g.outletOf(req)
	if err != nil {
		return projections.Sources{}, err
	}
	v := g.x.SourcesAt(req.asOf())
	if outlet != "" {
		v.Sources = slices.DeleteFunc(v.Sources, func(s projections.SourceStats) bool { return s.Outlet != outlet })
	}
	return v, nil
}

// entities are those described by known_at: before then the public had
// not heard of the others.
func entities(g *Engine, req Request) ([]projections.Entity, error) {
	all := g.x.Names().All()
	known := all[:0:0]
	for _, e := range all {
		f := projections.TimelineFilter{Entity: e.ID, Type: events.EntityDescribed, KnownAt: req.KnownAt, Limit: 1}
		if len(g.x.Timeline(f)) > 0 {
			known = append(known, e)
		}
	}
	return known, nil
}

func diff(g *Engine, req Request) (Diff, error) {
	if req.From.After(req.To) {
		return Diff{}, badParam("from", "%s is after to %s (swap them)", req.From.Format(time.RFC3339), req.To.Format(time.RFC3339))
	}
	by := projections.Clock(req.By)
	a := projections.AsOf{At: req.From, KnownAt: req.KnownAt}
	b := projections.AsOf{At: req.To, KnownAt: req.KnownAt}
	if by == projections.ByReported {
		a.KnownAt, b.KnownAt = req.From, req.To
	}
	var during []replay.Change
	for _, st := range replay.Replay(g.x, replay.Options{By: by, From: req.From, Until: req.To, KnownAt: req.KnownAt}) {
		for _, c := range st.Changes {
			if c.View != "status" {
				during = append(during, c)
			}
		}
	}
	return Diff{From: req.From, To: req.To, KnownAt: req.KnownAt, By: req.By, Changes: nonNil(replay.Diff(g.x, a, b)), During: nonNil(during)}, nil
}

func replayView(g *Engine, req Request) ([]StepJSON, error) {
	steps := replay.Replay(g.x, replay.Options{By: projections.Clock(req.By), From: req.From, Until: req.Until, KnownAt: req.KnownAt})
	out := make([]StepJSON, len(steps))
	for i, s := range steps {
		out[i] = StepJSON{Item: projections.TimelineItem{Seq: s.Seq, Event: s.Event, Summary: s.Summary, OutletName: g.x.OutletName(s.Event)}, Changes: nonNil(s.Changes)}
	}
	return out, nil
}
