package server

import "slices"

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
	// Returns is the answer's JSON schema: its type and the fields a
	// client can count on (more may be added, none renamed).
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

// object is the schema of a JSON object with these fields (each a schema).
func object(fields map[string]any) map[string]any {
	required := make([]string, 0, len(fields))
	for k := range fields {
		required = append(required, k)
	}
	slices.Sort(required)
	return map[string]any{"type": "object", "properties": fields, "required": required}
}

func arrayOf(item map[string]any) map[string]any {
	return map[string]any{"type": "array", "items": item}
}

var (
	str     = map[string]any{"type": "string"}
	when    = map[string]any{"type": "string", "format": "date-time"}
	num     = map[string]any{"type": "number"}
	integer = map[string]any{"type": "integer"}
	boolean = map[string]any{"type": "boolean"}
	anyObj  = map[string]any{"type": "object"}
	// event is the event format of DESIGN.md plus seq and summary.
	event  = object(map[string]any{"seq": integer, "id": str, "type": str, "occurred_at": when, "reported_at": when, "source": anyObj, "data": anyObj, "summary": str})
	member = object(map[string]any{"person": str, "name": str, "since": when})
	clock  = map[string]any{"at": when, "known_at": when}
)

func with(base map[string]any, more map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range more {
		out[k] = v
	}
	return out
}

var (
	pAt      = param{Name: "at", In: "query", Desc: "valid time T (default now); RFC 3339 or e.g. \"2023-11-17 12:00 PT\""}
	pKnownAt = param{Name: "known_at", In: "query", Desc: "knowledge time K: only events reported by then (default now)"}
	pOrg     = param{Name: "org", In: "query", Desc: "organisation: id, alias or unambiguous prefix", Required: true}
	pEntity  = param{Name: "entity", In: "query", Desc: "only events naming this entity: id, alias or unambiguous prefix"}
	pType    = param{Name: "type", In: "query", Desc: "only events of this type"}
	pBy      = param{Name: "by", In: "query", Desc: "order by occurred (default) or reported"}
	pFrom    = param{Name: "from", In: "query", Desc: "start of the range"}
	pUntil   = param{Name: "until", In: "query", Desc: "end of the range"}
	pOutlet  = param{Name: "outlet", In: "query", Desc: "only this outlet: id, name, alias, any word of one, or a prefix"}
	pFormat  = param{Name: "format", In: "query", Desc: "json (default) or csv: a header row and one row per row of the table"}
	pTZ      = param{Name: "tz", In: "query", Desc: "with format=csv: the zone of the times (PT, +08:00, Europe/Oslo; default UTC)"}
	pStory   = param{Name: "story", In: "query", Desc: "only this story's events (see /api/stories); entities are shared"}
	pAsRec   = param{Name: "as_recorded", In: "query", Desc: "audit: the archive as it stood at this moment (records stored by then; later errata not applied)"}
	pLimit   = param{Name: "limit", In: "query", Desc: "at most this many items"}
)

var routes = []route{
	{Path: "/api/board", Summary: "Board members and observers of an org at (at, known_at)", Params: []param{pOrg, pAt, pKnownAt, pStory, pAsRec, pFormat, pTZ},
		Returns: object(with(clock, map[string]any{"org": str, "members": arrayOf(with(member, map[string]any{"seat": str})), "observers": arrayOf(member)}))},
	{Path: "/api/roles", Summary: "Who holds each role of an org at (at, known_at)", Params: []param{pOrg, pAt, pKnownAt, pStory, pAsRec, pFormat, pTZ},
		Returns: object(with(clock, map[string]any{"org": str, "roles": arrayOf(object(map[string]any{"role": str, "person": str, "name": str, "interim": boolean, "since": when}))}))},
	{Path: "/api/status/{person}", Summary: "A person's positions, announcements and recent events", Params: []param{{Name: "person", In: "path", Desc: "id, alias or unambiguous prefix", Required: true}, pAt, pKnownAt, pStory, pAsRec, pFormat, pTZ},
		Returns: object(with(clock, map[string]any{"person": str, "name": str, "positions": arrayOf(object(map[string]any{"org": str, "role": str, "interim": boolean, "since": when})),
			"announced": arrayOf(anyObj), "summary": str, "recent": arrayOf(event)}))},
	{Path: "/api/timeline", Summary: "Events in order by either clock; at: only events that had happened by then", Params: []param{pEntity, pType, pBy, pFrom, pUntil, pAt, pKnownAt, pOutlet, pLimit, pStory, pAsRec, pFormat, pTZ},
		Returns: arrayOf(event)},
	{Path: "/api/claims", Summary: "Claims with their outcome and lead time", Params: []param{pEntity, pOutlet, pAt, pKnownAt, pStory, pAsRec, pFormat, pTZ},
		Returns: object(with(clock, map[string]any{"claims": arrayOf(object(map[string]any{"id": str, "text": str, "outlet": str, "reported_at": when}))}))},
	{Path: "/api/sources", Summary: "Per outlet: reports, claims confirmed/refuted/open, median lead time", Params: []param{pAt, pKnownAt, pOutlet, pStory, pAsRec, pFormat, pTZ},
		Returns: object(with(clock, map[string]any{"sources": arrayOf(object(map[string]any{"outlet": str, "events": integer, "reports": integer, "claims": integer,
			"confirmed": integer, "refuted": integer, "open": integer, "anonymous_share": num}))}))},
	{Path: "/api/stakes", Summary: "Who holds what in an org", Params: []param{pOrg, pAt, pKnownAt, pStory, pAsRec, pFormat, pTZ},
		Returns: object(with(clock, map[string]any{"org": str, "stakes": arrayOf(object(map[string]any{"holder": str, "amount": num, "currency": str}))}))},
	{Path: "/api/diff", Summary: "What changed in every view between two moments", Params: []param{{Name: "from", In: "query", Desc: "first moment", Required: true}, {Name: "to", In: "query", Desc: "second moment", Required: true}, pKnownAt, pBy, pStory, pAsRec, pFormat, pTZ},
		Returns: object(map[string]any{"from": when, "to": when, "known_at": when, "by": str, "changes": arrayOf(anyObj), "during": arrayOf(anyObj)})},
	{Path: "/api/stories", Summary: "The stories of the archive, with their counts and time spans", Params: []param{pFormat, pTZ},
		Returns: arrayOf(object(map[string]any{"story": str, "events": integer, "from": when, "until": when}))},
	{Path: "/api/entities", Summary: "Every entity described by known_at, with its names and aliases", Params: []param{pKnownAt},
		Returns: arrayOf(object(map[string]any{"id": str, "kind": str, "name": str, "aliases": arrayOf(str)}))},
	{Path: "/api/quarantine", Summary: "Stored records kept out of the views (not valid events, wrong subject, duplicate id, forged correction), with the reason for each", Params: []param{pLimit},
		Returns: object(map[string]any{"count": integer, "by_class": anyObj, "records": arrayOf(anyObj)})},
	{Path: "/events", Summary: "Server-Sent Events: every stored event, id = stream sequence; Last-Event-ID resumes", SSE: true,
		Params: []param{{Name: "Last-Event-ID", In: "header", Desc: "resume after this sequence"}, {Name: "last_event_id", In: "query", Desc: "the same, for clients that cannot set headers"},
			{Name: "from_seq", In: "query", Desc: "start at this sequence"}, pType, pEntity, pStory}},
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
		content := map[string]any{"application/json": map[string]any{"schema": r.Returns}}
		if r.SSE {
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
