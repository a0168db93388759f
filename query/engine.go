package query

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"storyline/events"
	"storyline/projections"
	"storyline/quarantine"
	"storyline/replay"
)

// Engine answers Requests from an index of the archive. It is not safe for
// concurrent use; the server guards it with a lock.
//
// It is the one place records enter the views, in the server's projector
// and in a CLI command alike, so it is where they are screened: a record
// that is not a valid event, or not believable as one (see package
// quarantine), is kept out of the views and listed in the quarantine view.
type Engine struct {
	x      *projections.Index
	screen *quarantine.Screen
	// quarantined is in stream order.
	quarantined []quarantine.Entry
	// Now is the clock for defaults ("now"); time.Now unless set.
	Now func() time.Time
	// recorded is each applied record's stream timestamp, in stream
	// order, for questions on the recorded clock.
	recorded []recordedAt
	// past is the archive as it stood at one recorded moment: the last
	// one asked, kept because audits ask several views of one moment.
	past *pastEngine
	// filed maps an event id to the stories it belongs to; byStory keeps
	// each story's view of the archive.
	filed   map[string][]string
	stories map[string]bool
	byStory map[string]*storyEngine
	// subMu guards past and byStory, which questions running at once
	// build and keep while answering.
	subMu sync.Mutex
	// views is the view table Answer answers from.
	views Catalog
}

// NewEngine returns an empty engine answering the views of [Views].
func NewEngine() *Engine { return NewEngineFor(Views()) }

// NewEngineFor returns an empty engine answering the views of c: Views,
// or (in a test) Views with another added.
func NewEngineFor(c Catalog) *Engine {
	g := &Engine{Now: time.Now, views: c}
	g.Reset()
	return g
}

// Catalog is the view table the engine answers from.
func (g *Engine) Catalog() Catalog { return g.views }

// Reset empties the engine.
func (g *Engine) Reset() {
	g.x = projections.NewIndex()
	// The screen looks ids up in the index, so it costs nothing per event.
	g.screen = quarantine.Over(func(id string) (quarantine.Ref, bool) {
		en, ok := g.x.Get(id)
		if !ok {
			return quarantine.Ref{}, false
		}
		return quarantine.RefOf(en.Seq, en.Event), true
	})
	g.quarantined = nil
	g.recorded, g.past = nil, nil
	g.filed, g.stories, g.byStory = nil, nil, nil
}

// Index is the engine's index.
func (g *Engine) Index() *projections.Index { return g.x }

// LastSeq is the last stream sequence applied.
func (g *Engine) LastSeq() uint64 { return g.x.LastSeq() }

// ApplyRecord screens the record stored at r.Seq and folds it in, or
// quarantines it; either way its sequence is consumed. It returns the keys
// of the "now" views it may change. Records must come in stream order; one
// at or below LastSeq was applied already (a redelivery) and is ignored.
func (g *Engine) ApplyRecord(r quarantine.Record) []string {
	if r.Seq != 0 && r.Seq <= g.x.LastSeq() {
		return nil
	}
	g.noteRecorded(r.Seq, r.Recorded)
	if q := g.screen.Check(r); q != nil {
		g.quarantined = append(g.quarantined, *q)
		g.x.Add(r.Seq, nil)
		return nil
	}
	return g.add(r.Seq, r.Event, r.Recorded)
}

// Apply is [Engine.ApplyRecord] for an event that has no stream subject or
// payload of its own (read from a file, or built in code): it is screened
// for duplicates and forged corrections. A nil e is a record known not to
// be a valid event.
func (g *Engine) Apply(seq uint64, e *events.Event) []string {
	r := quarantine.Record{Seq: seq, Event: e}
	if e == nil {
		r.Err = errNotAnEvent
	}
	return g.ApplyRecord(r)
}

var errNotAnEvent = errors.New("not a valid event")

// Quarantined returns the quarantined records, in stream order. The slice
// is the engine's own.
func (g *Engine) Quarantined() []quarantine.Entry { return g.quarantined }

// IsQuarantined reports whether the record at seq was quarantined, so that
// a feed of stored records can leave out what the views left out.
func (g *Engine) IsQuarantined(seq uint64) bool {
	_, found := slices.BinarySearchFunc(g.quarantined, seq, func(q quarantine.Entry, seq uint64) int { return cmp.Compare(q.Seq, seq) })
	return found
}

// add folds in an admitted event.
func (g *Engine) add(seq uint64, e *events.Event, recorded time.Time) []string {
	g.x.AddRecorded(seq, e, recorded)
	g.file(e)
	var keys []string
	ents := e.Entities()
	switch d := e.Data.(type) {
	case *events.SeatTaken, *events.SeatLeft:
		keys = append(keys, "board."+ents[0])
	case *events.RoleStart, *events.RoleEnd:
		keys = append(keys, "roles."+ents[0])
	case *events.Claim, *events.Resolution:
		keys = append(keys, "claims", "sources")
	case *events.Stake:
		keys = append(keys, "stakes."+d.Org)
	}
	for _, ent := range ents {
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
	var id string
	var err error
	switch param {
	case "org":
		id, err = g.x.Names().ResolveKind(input, events.Org)
	case "person":
		id, err = g.x.Names().ResolveKind(input, events.Person)
	default:
		id, err = g.x.Names().Resolve(input)
	}
	if err != nil {
		if errors.Is(err, projections.ErrUnknownEntity) && !errors.Is(err, projections.ErrWrongKind) && events.ValidSlug(input) && len(g.x.Timeline(projections.TimelineFilter{Entity: input, Limit: 1})) > 0 {
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

// scoped returns the engine that answers req: this one, or the archive as
// recorded at a moment, or one story of it (unless the view answers from
// the whole archive), or one story as recorded at a moment; req is
// changed to ask that engine the rest.
func (g *Engine) scoped(req *Request, whole bool) (*Engine, error) {
	at := g
	for {
		var err error
		switch {
		case !req.AsRecorded.IsZero():
			when := req.AsRecorded
			req.AsRecorded = time.Time{}
			at, err = at.asRecorded(when)
		case req.Story != "" && !whole:
			story := req.Story
			req.Story = ""
			at, err = at.storyView(story)
		default:
			return at, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// Answer answers req: it is scoped (Request.AsRecorded, Request.Story),
// its defaults are set and what every view shares is checked (prepare),
// then its view's entry in the view table answers it, given the
// parameters that entry requires.
func (g *Engine) Answer(req Request) (any, error) {
	v, known := g.views.Lookup(req.View)
	at, err := g.scoped(&req, v.WholeArchive)
	if err != nil {
		return nil, err
	}
	if err := at.prepare(&req); err != nil {
		return nil, err
	}
	if !known {
		return nil, badParam("view", "%q (want one of %s)", req.View, strings.Join(g.views.Names(), ", "))
	}
	for _, p := range v.Params {
		if p.Required && !req.isSet(p.Name) {
			return nil, badParam(p.Name, "required")
		}
	}
	return v.Answer(at, req)
}

// prepare sets req's defaults — missing times are now, an enum is its
// first value — and checks what every view shares.
func (g *Engine) prepare(req *Request) error {
	now := g.Now()
	if req.At.IsZero() {
		req.At = now
	}
	if req.KnownAt.IsZero() {
		req.KnownAt = now
	}
	for _, p := range params {
		if len(p.Values) == 0 {
			continue
		}
		switch v := req.Field(p.Name).(*string); {
		case *v == "":
			*v = p.Values[0]
		case !slices.Contains(p.Values, *v):
			return badParam(p.Name, "%q (want %s)", *v, strings.Join(p.Values, " or "))
		}
	}
	if req.Type != "" && !events.Type(req.Type).Valid() {
		return badParam("type", "%q is not an event type", req.Type)
	}
	// A window that ends before it starts is a mistake, not an empty answer.
	if !req.From.IsZero() && !req.Until.IsZero() && req.From.After(req.Until) {
		return badParam("from", "%s is after until %s", req.From.Format(time.RFC3339), req.Until.Format(time.RFC3339))
	}
	return nil
}

// QuarantineView is the answer of the quarantine view: the records kept
// out of the views, in stream order, and how many there are of each class.
type QuarantineView struct {
	Count   int                      `json:"count"`
	ByClass map[quarantine.Class]int `json:"by_class"`
	Records []quarantine.Entry       `json:"records"`
}

// quarantineView lists the quarantined records after seq after, at most
// limit of them (0: all). Count and ByClass are over all of them, so that
// a client paging through a long list (a NATS answer is bounded) knows the
// whole from its first page.
func (g *Engine) quarantineView(after uint64, limit int) QuarantineView {
	v := QuarantineView{Count: len(g.quarantined), ByClass: map[quarantine.Class]int{}, Records: []quarantine.Entry{}}
	for _, c := range quarantine.Classes {
		v.ByClass[c] = 0
	}
	for _, q := range g.quarantined {
		v.ByClass[q.Class]++
	}
	i, _ := slices.BinarySearchFunc(g.quarantined, after+1, func(q quarantine.Entry, seq uint64) int { return cmp.Compare(q.Seq, seq) })
	rest := g.quarantined[i:]
	if limit > 0 && len(rest) > limit {
		rest = rest[:limit]
	}
	v.Records = append(v.Records, rest...)
	return v
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
	b, err := s.Item.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("replay step %d: %w", s.Item.Seq, err)
	}
	c, err := jsonMarshal(s.Changes)
	if err != nil {
		return nil, err
	}
	return append(append(b[:len(b)-1], `,"changes":`...), append(c, '}')...), nil
}
