package server

import (
	"storyline/query"
	"storyline/table"
)

// param is one query, path or header parameter of an API route.
type param struct {
	Name, In, Desc string
	Required       bool
	// Int: a count or a sequence (0 or more).
	Int bool
}

// route is one GET route of the HTTP API; the OpenAPI document is built
// from these, and a test checks the handlers against it.
type route struct {
	Path, Summary string
	Params        []param
	// View is the view the route answers; "" for the event feed.
	View string
	// Returns is the answer's JSON schema (see query.View.Schema).
	Returns map[string]any
}

// takes reports whether the route documents a query parameter name.
func (r route) takes(name string) bool {
	for _, p := range r.Params {
		if p.In == "query" && p.Name == name {
			return true
		}
	}
	return false
}

// queryParams lists the route's query parameters, for error messages.
func (r route) queryParams() []string {
	var out []string
	for _, p := range r.Params {
		if p.In == "query" {
			out = append(out, p.Name)
		}
	}
	return out
}

// The parameters of the HTTP API's own: how to write an answer, and where
// the event feed starts.
var (
	pFormat = param{Name: "format", In: "query", Desc: "json (default) or csv: a header row and one row per row of the table"}
	pTZ     = param{Name: "tz", In: "query", Desc: "with format=csv: the zone of the times (PT, +08:00, Europe/Oslo; default UTC)"}
)

// viewParam is a view's parameter as the API documents it.
func viewParam(p query.Param) param {
	in := "query"
	if p.Path {
		in = "path"
	}
	return param{Name: p.Name, In: in, Desc: p.Desc, Required: p.Required, Int: p.Kind() == query.KindInt}
}

// feedRoute is the event feed, the one route that is not a view.
var feedRoute = route{Path: "/events", Summary: "Server-Sent Events: every stored event, id = stream sequence; Last-Event-ID resumes",
	Params: []param{{Name: "Last-Event-ID", In: "header", Desc: "resume after this sequence"}, {Name: "last_event_id", In: "query", Desc: "the same, for clients that cannot set headers"},
		{Name: "from_seq", In: "query", Desc: "start at this sequence", Int: true}, feedParam("type"), feedParam("entity"), feedParam("story")}}

// feedParam is the event feed's filter name, as the views describe it.
func feedParam(name string) param {
	p, _ := query.ParamNamed(name) // type, entity and story are parameters of every request
	return viewParam(p)
}

// apiRoutes are the routes of the HTTP API: one for each view of c it
// serves — /api/NAME, a path parameter as a segment, format and tz for a
// view with a table (package table) — and the event feed.
func apiRoutes(c query.Catalog) []route {
	var out []route
	for _, v := range c.All() {
		if v.NoHTTP != "" {
			continue
		}
		rt := route{Path: "/api/" + v.Name, Summary: v.Summary, View: v.Name, Returns: v.Schema}
		for _, p := range v.Params {
			if p.Path {
				rt.Path += "/{" + p.Name + "}"
			}
			rt.Params = append(rt.Params, viewParam(p))
		}
		if _, ok := table.Views[v.Name]; ok {
			rt.Params = append(rt.Params, pFormat, pTZ)
		}
		out = append(out, rt)
	}
	return append(out, feedRoute)
}

func openAPI(routes []route) map[string]any {
	paths := map[string]any{}
	for _, r := range routes {
		var ps []map[string]any
		for _, p := range r.Params {
			schema := map[string]any{"type": "string"}
			if p.Int {
				schema = map[string]any{"type": "integer", "minimum": 0}
			}
			ps = append(ps, map[string]any{"name": p.Name, "in": p.In, "required": p.Required || p.In == "path", "description": p.Desc, "schema": schema})
		}
		content := map[string]any{"application/json": map[string]any{"schema": r.Returns}}
		if r.View == "" {
			content = map[string]any{"text/event-stream": map[string]any{"schema": map[string]any{"type": "string"}}}
		}
		errResp := map[string]any{"description": "bad parameter: the body names it", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
		paths[r.Path] = map[string]any{"get": map[string]any{
			"summary": r.Summary, "parameters": ps,
			"responses": map[string]any{"200": map[string]any{"description": "OK", "content": content}, "400": errResp, "404": errResp,
				"503": map[string]any{"description": "the views are not ready (still catching up with the archive)", "content": errResp["content"]}},
		}}
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]any{"title": "Storyline", "version": "1.0.0", "description": "How a news story developed, as of any moment on two clocks. Read-only."},
		"paths":   paths,
		"components": map[string]any{"schemas": map[string]any{"Error": map[string]any{"type": "object",
			"properties": map[string]any{"error": map[string]any{"type": "string"}, "param": map[string]any{"type": "string"}}}}},
	}
}
