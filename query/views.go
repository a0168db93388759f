package query

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"storyline/projections"
)

// View is one entry of the view table: everything the CLI, the micro
// service and the HTTP API know of a view comes from here.
type View struct {
	// Name is the view's name: Request.View, the micro endpoint
	// (storyline.views.NAME), the route /api/NAME and the CLI's command.
	Name string
	// Summary is one line on what it answers.
	Summary string
	// Params are the parameters it takes, in the order the API documents
	// them; each names one of Params, whose description, values and path
	// flag it takes unless it gives its own description.
	Params []Param
	// Schema is the JSON schema of the answer, for the OpenAPI document.
	Schema map[string]any
	// Type is the Go type of the answer (set by Define).
	Type reflect.Type
	// WholeArchive: answered from the whole archive even when the
	// request names a story (stories lists them; a quarantined record is
	// in none).
	WholeArchive bool
	// NoHTTP, when set, says why the HTTP API has no route for the view.
	NoHTTP string
	// Answer answers a request for the view from g, the engine of the
	// part of the archive it is scoped to. The request's times default to
	// now, its enums to their first value; its required parameters are
	// given and what all views share is checked (see Engine.Answer).
	Answer func(g *Engine, req Request) (any, error)
}

// Define is v answered by answer, its Type the type answer gives.
func Define[T any](v View, answer func(g *Engine, req Request) (T, error)) View {
	v.Type = reflect.TypeFor[T]()
	v.Answer = func(g *Engine, req Request) (any, error) { return answer(g, req) }
	return v
}

// Catalog is the view table: the views a Request may ask for, in order.
// It is a value: With gives a new one and leaves this one as it was.
type Catalog struct{ views []View }

// NewCatalog makes a view table of vs, each parameter completed from
// Params. A view without a name, an answer, or with a name another view
// has, or a parameter that is not one of Params, is an error.
func NewCatalog(vs ...View) (Catalog, error) {
	var c Catalog
	for _, v := range vs {
		var err error
		if c, err = c.With(v); err != nil {
			return Catalog{}, err
		}
	}
	return c, nil
}

// ErrBadView: a view table entry that cannot be served.
var ErrBadView = errors.New("bad view")

// With is the table with v added at the end.
func (c Catalog) With(v View) (Catalog, error) {
	if v.Name == "" || strings.Trim(v.Name, "abcdefghijklmnopqrstuvwxyz") != "" {
		return c, fmt.Errorf("%w: name %q (want lower-case letters)", ErrBadView, v.Name)
	}
	if _, taken := c.Lookup(v.Name); taken {
		return c, fmt.Errorf("%w: %q is in the table already", ErrBadView, v.Name)
	}
	if v.Answer == nil {
		return c, fmt.Errorf("%w: %q has no answer", ErrBadView, v.Name)
	}
	ps := make([]Param, len(v.Params))
	for i, p := range v.Params {
		base, ok := ParamNamed(p.Name)
		if !ok {
			return c, fmt.Errorf("%w: %q takes %q, which is no parameter of a request (want %s)", ErrBadView, v.Name, p.Name, paramNames())
		}
		base.Required = p.Required || base.Path
		if p.Desc != "" {
			base.Desc = p.Desc
		}
		ps[i] = base
	}
	v.Params = ps
	return Catalog{views: append(slices.Clip(c.views), v)}, nil
}

// All are the views, in order. The slice is the caller's; the views'
// parameters and schemas are shared, to be read only.
func (c Catalog) All() []View { return slices.Clone(c.views) }

// Names are the views' names, in order.
func (c Catalog) Names() []string {
	names := make([]string, len(c.views))
	for i, v := range c.views {
		names[i] = v.Name
	}
	return names
}

// Lookup is the view called name.
func (c Catalog) Lookup(name string) (View, bool) {
	i := slices.IndexFunc(c.views, func(v View) bool { return v.Name == name })
	if i < 0 {
		return View{}, false
	}
	return c.views[i], true
}

// Views is the view table of this package: the views an Engine answers
// unless made with another table (NewEngineFor).
func Views() Catalog { return views }

var views = mustCatalog(viewTable()...)

func mustCatalog(vs ...View) Catalog {
	c, err := NewCatalog(vs...)
	if err != nil {
		panic("query: the view table: " + err.Error()) // the table below is wrong: no program can run with it
	}
	return c
}

// named are the parameters called names, as Params has them.
func named(names ...string) []Param {
	ps := make([]Param, len(names))
	for i, n := range names {
		ps[i] = Param{Name: n}
	}
	return ps
}

// need is the parameter name, required, described as desc ("" : as Params
// describes it).
func need(name, desc string) Param { return Param{Name: name, Required: true, Desc: desc} }

// viewTable is every view: to add one, add its entry here and its
// printer in cmd/story (or say there why it has none).
func viewTable() []View {
	ofOrg := append([]Param{need("org", "")}, named("at", "known_at", "story", "as_recorded")...)
	return []View{
		Define(View{Name: "board", Summary: "Board members and observers of an org at (at, known_at)", Params: ofOrg, Schema: boardSchema},
			one("org", (*projections.Index).BoardAt)),
		Define(View{Name: "roles", Summary: "Who holds each role of an org at (at, known_at)", Params: ofOrg, Schema: rolesSchema},
			one("org", (*projections.Index).RolesAt)),
		Define(View{Name: "status", Summary: "A person's positions, announcements and recent events", Schema: statusSchema,
			Params: append(named("person"), named("at", "known_at", "story", "as_recorded")...)},
			one("person", (*projections.Index).StatusAt)),
		Define(View{Name: "timeline", Summary: "Events in order by either clock; at: only events that had happened by then", Schema: arrayOf(event),
			Params: named("entity", "type", "by", "from", "until", "at", "known_at", "outlet", "limit", "story", "as_recorded")},
			timeline),
		Define(View{Name: "claims", Summary: "Claims with their outcome and lead time", Schema: claimsSchema,
			Params: named("entity", "outlet", "at", "known_at", "story", "as_recorded")},
			claims),
		Define(View{Name: "sources", Summary: "Per outlet: reports, claims confirmed/refuted/open, median lead time", Schema: sourcesSchema,
			Params: named("at", "known_at", "outlet", "story", "as_recorded")},
			sources),
		Define(View{Name: "stakes", Summary: "Who holds what in an org", Params: ofOrg, Schema: stakesSchema},
			one("org", (*projections.Index).StakesAt)),
		Define(View{Name: "diff", Summary: "What changed in every view between two moments", Schema: diffSchema,
			Params: []Param{need("from", "first moment"), need("to", "second moment"), {Name: "known_at"},
				{Name: "by", Desc: "the clock from and to are on: occurred (default, the world) or reported (what the public knew)"}, {Name: "story"}, {Name: "as_recorded"}}},
			diff),
		Define(View{Name: "entities", Summary: "Every entity described by known_at, with its names and aliases", Schema: entitiesSchema,
			Params: named("known_at")},
			entities),
		Define(View{Name: "replay", Summary: "The story event by event, with the view changes each caused", Schema: replaySchema,
			Params: named("from", "until", "known_at", "by", "story", "as_recorded"),
			NoHTTP: "the page replays from /events and the views at its cursor; a whole story of steps is the CLI's and the micro service's"},
			replayView),
		Define(View{Name: "quarantine", Summary: "Stored records kept out of the views (not valid events, wrong subject, duplicate id, forged correction), with the reason for each",
			Params: named("limit"), Schema: quarantineSchema, WholeArchive: true},
			func(g *Engine, req Request) (QuarantineView, error) {
				return g.quarantineView(req.AfterSeq, req.Limit), nil
			}),
		Define(View{Name: "stories", Summary: "The stories of the archive, with their counts and time spans", Schema: storiesSchema,
			Params: named("as_recorded"), WholeArchive: true},
			func(g *Engine, req Request) ([]StoryInfo, error) { return g.Stories(), nil }),
	}
}
