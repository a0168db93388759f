package server

// param is one query or path parameter of an API route.
type param struct {
	Name, In, Desc string
	Required       bool
}

// route is one GET route of the HTTP API; the OpenAPI document is built
// from this table, and a test checks the handlers against it.
type route struct {
	Path, Summary string
	Params        []param
	SSE           bool
}

var (
	pAt      = param{Name: "at", In: "query", Desc: "valid time T (default now); RFC 3339 or e.g. \"2023-11-17 12:00 PT\""}
	pKnownAt = param{Name: "known_at", In: "query", Desc: "knowledge time K: only events reported by then (default now)"}
	pOrg     = param{Name: "org", In: "query", Desc: "organisation: id, alias or unambiguous prefix", Required: true}
	pEntity  = param{Name: "entity", In: "query", Desc: "only events naming this entity"}
	pType    = param{Name: "type", In: "query", Desc: "only events of this type"}
	pBy      = param{Name: "by", In: "query", Desc: "order by occurred (default) or reported"}
	pFrom    = param{Name: "from", In: "query", Desc: "start of the range"}
	pUntil   = param{Name: "until", In: "query", Desc: "end of the range"}
	pOutlet  = param{Name: "outlet", In: "query", Desc: "only this outlet"}
	pLimit   = param{Name: "limit", In: "query", Desc: "at most this many items"}
)

var routes = []route{
	{Path: "/api/board", Summary: "Board members and observers of an org at (at, known_at)", Params: []param{pOrg, pAt, pKnownAt}},
	{Path: "/api/roles", Summary: "Who holds each role of an org at (at, known_at)", Params: []param{pOrg, pAt, pKnownAt}},
	{Path: "/api/status/{person}", Summary: "A person's positions, announcements and recent events", Params: []param{{Name: "person", In: "path", Desc: "id, alias or unambiguous prefix", Required: true}, pAt, pKnownAt}},
	{Path: "/api/timeline", Summary: "Events in order by either clock", Params: []param{pEntity, pType, pBy, pFrom, pUntil, pAt, pKnownAt, pOutlet, pLimit}},
	{Path: "/api/claims", Summary: "Claims with their outcome and lead time", Params: []param{pEntity, pOutlet, pAt, pKnownAt}},
	{Path: "/api/sources", Summary: "Per outlet: reports, claims confirmed/refuted/open, median lead time", Params: []param{pAt, pKnownAt}},
	{Path: "/api/stakes", Summary: "Who holds what in an org", Params: []param{pOrg, pAt, pKnownAt}},
	{Path: "/api/diff", Summary: "What changed in every view between two moments", Params: []param{{Name: "from", In: "query", Desc: "first moment", Required: true}, {Name: "to", In: "query", Desc: "second moment", Required: true}, pKnownAt, pBy}},
	{Path: "/api/entities", Summary: "Every described entity with its names and aliases", Params: []param{pKnownAt}},
	{Path: "/api/quarantine", Summary: "Stored records kept out of the views (not valid events, wrong subject, duplicate id, forged correction), with the reason for each", Params: []param{pLimit}},
	{Path: "/events", Summary: "Server-Sent Events: every stored event, id = stream sequence; Last-Event-ID resumes", SSE: true,
		Params: []param{{Name: "Last-Event-ID", In: "header", Desc: "resume after this sequence"}, {Name: "from_seq", In: "query", Desc: "start at this sequence"}, pType, pEntity}},
}

func openAPI() map[string]any {
	paths := map[string]any{}
	for _, r := range routes {
		var ps []map[string]any
		for _, p := range r.Params {
			schema := map[string]any{"type": "string"}
			if p.Name == "limit" || p.Name == "from_seq" {
				schema = map[string]any{"type": "integer", "minimum": 0}
			}
			ps = append(ps, map[string]any{"name": p.Name, "in": p.In, "required": p.Required || p.In == "path", "description": p.Desc, "schema": schema})
		}
		content := map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}
		if r.SSE {
			content = map[string]any{"text/event-stream": map[string]any{"schema": map[string]any{"type": "string"}}}
		}
		errResp := map[string]any{"description": "bad parameter: the body names it", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
		paths[r.Path] = map[string]any{"get": map[string]any{
			"summary": r.Summary, "parameters": ps,
			"responses": map[string]any{"200": map[string]any{"description": "OK", "content": content}, "400": errResp, "404": errResp},
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
