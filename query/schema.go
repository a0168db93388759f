package query

import "slices"

// The answers' JSON schemas, for the OpenAPI document: each gives the
// answer's type and the fields a client can count on (more may be added,
// none renamed). The server's test checks every answer against them.

// object is the schema of a JSON object with these fields (each a schema),
// all of them required.
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

// with is base and more, in a new map.
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
	str     = map[string]any{"type": "string"}
	when    = map[string]any{"type": "string", "format": "date-time"}
	num     = map[string]any{"type": "number"}
	integer = map[string]any{"type": "integer"}
	boolean = map[string]any{"type": "boolean"}
	anyObj  = map[string]any{"type": "object"}
	// eventFields are the event format of DESIGN.md plus seq and summary.
	eventFields = map[string]any{"seq": integer, "id": str, "type": str, "occurred_at": when, "reported_at": when, "source": anyObj, "data": anyObj, "summary": str}
	event       = object(eventFields)
	member      = object(map[string]any{"person": str, "name": str, "since": when})
	clock       = map[string]any{"at": when, "known_at": when}
)

// The schemas of the views' answers.
var (
	boardSchema = object(with(clock, map[string]any{"org": str, "members": arrayOf(with(member, map[string]any{"seat": str})), "observers": arrayOf(member)}))
	rolesSchema = object(with(clock, map[string]any{"org": str,
		"roles": arrayOf(object(map[string]any{"role": str, "person": str, "name": str, "interim": boolean, "since": when}))}))
	statusSchema = object(with(clock, map[string]any{"person": str, "name": str,
		"positions": arrayOf(object(map[string]any{"org": str, "role": str, "interim": boolean, "since": when})),
		"announced": arrayOf(anyObj), "summary": str, "recent": arrayOf(event)}))
	claimsSchema = object(with(clock, map[string]any{
		"claims": arrayOf(object(map[string]any{"id": str, "text": str, "outlet": str, "reported_at": when}))}))
	sourcesSchema = object(with(clock, map[string]any{"sources": arrayOf(object(map[string]any{"outlet": str, "events": integer, "reports": integer, "claims": integer,
		"confirmed": integer, "refuted": integer, "open": integer, "anonymous_share": num}))}))
	stakesSchema = object(with(clock, map[string]any{"org": str,
		"stakes": arrayOf(object(map[string]any{"holder": str, "amount": num, "currency": str}))}))
	diffSchema = object(map[string]any{"from": when, "to": when, "known_at": when, "by": str,
		"changes": arrayOf(anyObj), "during": arrayOf(anyObj)})
	storiesSchema    = arrayOf(object(map[string]any{"story": str, "events": integer, "from": when, "until": when}))
	entitiesSchema   = arrayOf(object(map[string]any{"id": str, "kind": str, "name": str, "aliases": arrayOf(str)}))
	quarantineSchema = object(map[string]any{"count": integer, "by_class": anyObj, "records": arrayOf(anyObj)})
	replaySchema     = arrayOf(object(with(eventFields, map[string]any{"changes": arrayOf(anyObj)})))
)
