package events

import (
	"reflect"
	"strings"
)

// SchemaID names the event schema.
const SchemaID = "https://storyline.example/event.schema.json"

// dataRequired lists each type's required payload fields (the validators
// in validate.go refuse an event without them).
var dataRequired = map[Type][]string{
	EntityDescribed: {"id", "kind", "name"}, BoardSeatTaken: {"org", "person", "seat"},
	BoardSeatLeft: {"org", "person", "seat", "how"}, RoleStarted: {"person", "org", "role"},
	RoleEnded: {"person", "org", "role", "how"}, AffiliationAnnounced: {"person", "org", "role"},
	StatementMade: {"by", "text", "lang"}, ClaimReported: {"about", "text", "lang"},
	ClaimResolved: {"claim", "outcome"}, PetitionUpdated: {"org", "petition", "of_total"},
	StakeDisclosed: {"holder", "org", "currency"}, ReportPublished: {"title", "lang", "body"},
	RecordWithdrawn: {"event", "reason"}, StoryFiled: {"story", "events"},
}

// Unexpressible lists the rules of the format a JSON Schema cannot state;
// the decoder enforces them (each is the sentinel its error wraps).
var Unexpressible = []struct {
	Err  error
	Rule string
}{
	{ErrReportedEarly, "reported_at is not before occurred_at unless scheduled"},
	{ErrSignaturesTotal, "signatures do not exceed of_total"},
	{ErrIDMismatch, "an id matches the event's content"},
	{ErrSelfSupersedes, "an event does not supersede itself"},
	{ErrSelfErratum, "an erratum does not name the event itself"},
	{ErrBadTime, "a time is a real one (no 30 February, offsets within ±23:59) and a zone word is a known zone whose offset agrees with one written beside it"},
	{ErrBadValue, "a date alone is not minute- or hour-precise; values such as a URL parse"},
	{ErrUnknownRole, "a role is one of the known roles or a chief_/head_of_/vp_ family (the schema's pattern approximates it)"},
	{ErrBadJSON, "a line is one JSON object (a schema validates parsed JSON)"},
	{ErrNotUTF8, "a line is UTF-8 (a schema validates parsed JSON)"},
	{ErrTooLong, "a line is at most 1 MiB"},
}

const (
	slugPattern = `^[a-z0-9]+(-[a-z0-9]+)*$`
	uuidPattern = `^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`
	// An RFC 3339 time with an offset, or a date (and time) followed by a
	// zone word, as docs/FORMAT.md describes.
	timeRFC    = `^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$`
	timeHuman  = `^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?)? [A-Za-z+-][A-Za-z0-9_+:/-]*$`
	urlPattern = `^https?://[^\s/]+`
)

type obj = map[string]any

func str(pattern string) obj { return obj{"type": "string", "pattern": pattern} }
func text() obj              { return obj{"type": "string", "pattern": `\S`} }
func enum[T ~string](vs []T) obj {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return obj{"type": "string", "enum": out}
}

// fieldSchema is the schema of a payload field, by its name: the same
// name means the same thing in every type.
func fieldSchema(t Type, name string, kind reflect.Kind) obj {
	switch name {
	case "org", "person", "by", "holder", "petition", "id", "story":
		return str(slugPattern)
	case "about":
		return obj{"type": "array", "minItems": 1, "items": str(slugPattern)}
	case "seat":
		return enum(seats)
	case "how":
		if t == BoardSeatLeft {
			return enum(seatLeftHows)
		}
		return enum(roleEndHows)
	case "role":
		return str(`^[a-z]+(_[a-z]+)*$`)
	case "kind":
		return enum(kinds)
	case "lang":
		return str(`^[a-zA-Z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
	case "aliases":
		return obj{"type": "array", "uniqueItems": true, "items": text()}
	case "cites":
		return obj{"type": "array", "items": text()}
	case "parts":
		return obj{"type": "array", "minItems": 2, "items": text()}
	case "expects":
		return enum(Types)
	case "repeats", "claim", "by_event", "event":
		return str(uuidPattern)
	case "events":
		return obj{"type": "array", "minItems": 1, "items": str(uuidPattern)}
	case "outcome":
		return enum(outcomes)
	case "home":
		return str(urlPattern)
	case "currency":
		return str(`^[A-Z]{3}$`)
	case "signatures", "part":
		return obj{"type": "integer", "minimum": 0}
	case "of_total":
		return obj{"type": "integer", "minimum": 1}
	case "amount":
		return obj{"type": "number", "minimum": 0}
	}
	if kind == reflect.Bool {
		return obj{"type": "boolean"}
	}
	return text()
}

func dataSchema(t Type) obj {
	rt := reflect.TypeOf(newData(t)).Elem()
	props := obj{}
	for i := range rt.NumField() {
		f := rt.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		props[name] = fieldSchema(t, name, f.Type.Kind())
	}
	s := obj{"type": "object", "additionalProperties": false, "properties": props, "required": dataRequired[t]}
	switch t {
	case ClaimResolved:
		s["if"] = obj{"properties": obj{"outcome": obj{"not": obj{"const": Unresolved}}}}
		s["then"] = obj{"required": []string{"by_event"}}
	case EntityDescribed:
		s["if"] = obj{"required": []string{"home"}}
		s["then"] = obj{"properties": obj{"kind": obj{"const": string(Outlet)}}}
	}
	return s
}

// Schema returns the JSON Schema (draft 2020-12) of an event line, built
// from the same vocabulary the decoder checks. What it cannot express is
// in [Unexpressible].
func Schema() obj {
	when := obj{"type": "string", "anyOf": []obj{{"pattern": timeRFC}, {"pattern": timeHuman}}}
	source := obj{"type": "object", "additionalProperties": false, "required": []string{"outlet", "attribution"},
		"properties": obj{
			"outlet": text(), "url": str(urlPattern), "attribution": enum(attributions), "report": str(uuidPattern),
			"title": text(), "via": obj{"type": "array", "items": text()},
		}}
	var byType []obj
	for _, t := range Types {
		byType = append(byType, obj{"if": obj{"properties": obj{"type": obj{"const": string(t)}}},
			"then": obj{"properties": obj{"data": dataSchema(t)}}})
	}
	return obj{
		"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SchemaID,
		"title": "Storyline event", "description": "One line of a .jsonl file: one report or update. See docs/FORMAT.md.",
		"type": "object", "additionalProperties": false,
		"required": []string{"type", "occurred_at", "reported_at", "source", "data"},
		"properties": obj{
			"id": str(uuidPattern), "type": enum(Types), "occurred_at": when, "reported_at": when,
			"occurred_precision": enum(precisions), "scheduled": obj{"type": "boolean"}, "source": source,
			"data": obj{"type": "object"}, "quote": obj{"type": "string"},
			"supersedes": obj{"type": []string{"string", "null"}, "pattern": uuidPattern}, "erratum": str(uuidPattern),
			"key": str(slugPattern), "stories": obj{"type": "array", "uniqueItems": true, "items": str(slugPattern)},
		},
		"allOf": byType,
	}
}
