package query

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"storyline/events"
	"storyline/projections"
	"storyline/replay"
)

// Engine answers Requests from an index of the archive. It is not safe for
// concurrent use; the server guards it with a lock.
type Engine struct {
	x *projections.Index
	// Now is the clock for defaults ("now"); time.Now unless set.
	Now func() time.Time
}

// NewEngine returns an empty engine.
func NewEngine() *Engine { return &Engine{x: projections.NewIndex(), Now: time.Now} }

// Index is the engine's index.
func (g *Engine) Index() *projections.Index { return g.x }

// LastSeq is the last stream sequence applied.
func (g *Engine) LastSeq() uint64 { return g.x.LastSeq() }

// Apply adds the event stored at seq (nil: a quarantined record) and
// returns the keys of the "now" views it may change.
func (g *Engine) Apply(seq uint64, e *events.Event) []string {
	g.x.Add(seq, e)
	if e == nil {
		return nil
	}
	var keys []string
	switch d := e.Data.(type) {
	case *events.SeatTaken, *events.SeatLeft:
		keys = append(keys, "board."+e.Entities()[0])
	case *events.RoleStart, *events.RoleEnd:
		keys = append(keys, "roles."+e.Entities()[0])
	case *events.Claim, *events.Resolution:
		keys = append(keys, "claims", "sources")
	case *events.Stake:
		keys = append(keys, "stakes."+d.Org)
	}
	for _, ent := range e.Entities() {
		if g.x.KindSoFar(ent) == events.Person {
			keys = append(keys, "status."+ent)
		}
	}
	return keys
}

// NowView returns the current state of the "now" view key (see Apply).
func (g *Engine) NowView(key string) (any, error) {
	view, id, _ := strings.Cut(key, ".")
	now := g.Now()
	q := projections.AsOf{At: now, KnownAt: now}
	switch view {
	case "board":
		return g.x.BoardAt(id, q), nil
	case "roles":
		return g.x.RolesAt(id, q), nil
	case "status":
		return g.x.StatusAt(id, q), nil
	case "stakes":
		return g.x.StakesAt(id, q), nil
	case "claims":
		return g.x.ClaimsAt(q, projections.ClaimFilter{}), nil
	case "sources":
		return g.x.SourcesAt(q), nil
	}
	return nil, fmt.Errorf("%w: no view %q", ErrNotFound, key)
}

// Resolve turns what a user typed into an entity id.
func (g *Engine) Resolve(input string) (string, error) {
	return g.x.Names().Resolve(input)
}

func (g *Engine) resolve(param, input string) (string, error) {
	if input == "" {
		return "", badParam(param, "required")
	}
	id, err := g.x.Names().Resolve(input)
	if err != nil {
		if errors.Is(err, projections.ErrUnknownEntity) && events.ValidSlug(input) && len(g.x.Timeline(projections.TimelineFilter{Entity: input, Limit: 1})) > 0 {
			return input, nil // has events, just never described
		}
		return "", &ParamError{Param: param, Err: ErrBadParam, Msg: err.Error()}
	}
	return id, nil
}

// Diff is the answer of a diff request.
type Diff struct {
	From    time.Time       `json:"from"`
	To      time.Time       `json:"to"`
	KnownAt time.Time       `json:"known_at"`
	By      string          `json:"by"`
	Changes []replay.Change `json:"changes"`
	// During lists every change to a board or a role, and every claim
	// settled, between the two moments, in order: how it got from one
	// picture to the other.
	During []replay.Change `json:"during"`
}

// Answer answers req. Missing times default to now.
func (g *Engine) Answer(req Request) (any, error) {
	now := g.Now()
	if req.At.IsZero() {
		req.At = now
	}
	if req.KnownAt.IsZero() {
		req.KnownAt = now
	}
	q := projections.AsOf{At: req.At, KnownAt: req.KnownAt}
	by := projections.Clock(req.By)
	switch by {
	case "":
		by = projections.ByOccurred
	case projections.ByOccurred, projections.ByReported:
	default:
		return nil, badParam("by", "%q (want occurred or reported)", req.By)
	}
	if req.Type != "" && !events.Type(req.Type).Valid() {
		return nil, badParam("type", "%q is not an event type", req.Type)
	}
	switch req.View {
	case "board", "roles", "stakes":
		org, err := g.resolve("org", req.Org)
		if err != nil {
			return nil, err
		}
		switch req.View {
		case "board":
			return g.x.BoardAt(org, q), nil
		case "roles":
			return g.x.RolesAt(org, q), nil
		}
		return g.x.StakesAt(org, q), nil
	case "status":
		p, err := g.resolve("person", req.Person)
		if err != nil {
			return nil, err
		}
		return g.x.StatusAt(p, q), nil
	case "timeline":
		f := projections.TimelineFilter{Type: events.Type(req.Type), Outlet: req.Outlet, By: by,
			From: req.From, Until: req.Until, KnownAt: req.KnownAt, Limit: req.Limit}
		if req.Entity != "" {
			id, err := g.resolve("entity", req.Entity)
			if err != nil {
				return nil, err
			}
			f.Entity = id
		}
		return g.x.Timeline(f), nil
	case "claims":
		f := projections.ClaimFilter{Outlet: req.Outlet}
		if req.Entity != "" {
			id, err := g.resolve("entity", req.Entity)
			if err != nil {
				return nil, err
			}
			f.Entity = id
		}
		return g.x.ClaimsAt(q, f), nil
	case "sources":
		return g.x.SourcesAt(q), nil
	case "entities":
		return g.x.Names().All(), nil
	case "diff":
		if req.From.IsZero() {
			return nil, badParam("from", "required")
		}
		if req.To.IsZero() {
			return nil, badParam("to", "required")
		}
		a := projections.AsOf{At: req.From, KnownAt: req.KnownAt}
		b := projections.AsOf{At: req.To, KnownAt: req.KnownAt}
		if by == projections.ByReported {
			a.KnownAt, b.KnownAt = req.From, req.To
		}
		var during []replay.Change
		steps := replay.Replay(g.x, replay.Options{By: by, From: req.From, Until: req.To, KnownAt: req.KnownAt})
		for _, st := range steps {
			for _, c := range st.Changes {
				if c.View != "status" {
					during = append(during, c)
				}
			}
		}
		return Diff{From: req.From, To: req.To, KnownAt: req.KnownAt, By: string(by), Changes: nonNil(replay.Diff(g.x, a, b)), During: nonNil(during)}, nil
	case "replay":
		opts := replay.Options{By: by, From: req.From, Until: req.Until, KnownAt: req.KnownAt}
		steps := replay.Replay(g.x, opts)
		out := make([]StepJSON, len(steps))
		for i, s := range steps {
			out[i] = StepJSON{Item: projections.TimelineItem{Seq: s.Seq, Event: s.Event, Summary: s.Summary}, Changes: nonNil(s.Changes)}
		}
		return out, nil
	}
	return nil, badParam("view", "%q (want one of %s)", req.View, strings.Join(Views, ", "))
}

func nonNil(c []replay.Change) []replay.Change {
	if c == nil {
		return []replay.Change{}
	}
	return c
}

// StepJSON is a replay step: the event format plus seq, summary and the
// view changes it caused.
type StepJSON struct {
	Item    projections.TimelineItem
	Changes []replay.Change
}

// MarshalJSON writes the event with "changes" added.
func (s StepJSON) MarshalJSON() ([]byte, error) {
	b, _ := s.Item.MarshalJSON()
	c, err := jsonMarshal(s.Changes)
	if err != nil {
		return nil, err
	}
	return append(append(b[:len(b)-1], `,"changes":`...), append(c, '}')...), nil
}
