// Package querytest holds a view for tests to add to the view table
// (query.Views().With(querytest.Headcount())), so that they can see one
// new entry reach the micro service, the HTTP API, the OpenAPI document
// and the CLI with nothing else written for it.
package querytest

import (
	"time"

	"storyline/projections"
	"storyline/query"
)

// HeadcountAnswer is the answer of the headcount view.
type HeadcountAnswer struct {
	Org     string    `json:"org"`
	At      time.Time `json:"at"`
	KnownAt time.Time `json:"known_at"`
	Members int       `json:"members"`
}

// HeadcountSummary is the headcount view's summary.
const HeadcountSummary = "How many sit on an org's board at (at, known_at)"

// Headcount is a view that is not in the table: how many members an org's
// board has at (at, known_at).
func Headcount() query.View {
	when := map[string]any{"type": "string", "format": "date-time"}
	return query.Define(query.View{Name: "headcount", Summary: HeadcountSummary,
		Params: []query.Param{{Name: "org", Required: true}, {Name: "at"}, {Name: "known_at"}},
		Schema: map[string]any{"type": "object", "required": []string{"at", "known_at", "members", "org"},
			"properties": map[string]any{"org": map[string]any{"type": "string"}, "at": when, "known_at": when, "members": map[string]any{"type": "integer"}}}},
		func(g *query.Engine, req query.Request) (HeadcountAnswer, error) {
			org, err := g.Resolve(req.Org)
			if err != nil {
				return HeadcountAnswer{}, &query.ParamError{Param: "org", Err: query.ErrBadParam, Msg: err.Error()}
			}
			b := g.Index().BoardAt(org, projections.AsOf{At: req.At, KnownAt: req.KnownAt})
			return HeadcountAnswer{Org: org, At: req.At, KnownAt: req.KnownAt, Members: len(b.Members)}, nil
		})
}
