package query

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"storyline/events"
	"storyline/projections"
)

// Request is a question to the views. The CLI builds it from flags, the
// micro service and the HTTP API from their requests, so all three get the
// same answer from the same code.
type Request struct {
	View   string `json:"view"`
	Org    string `json:"org,omitempty"`
	Person string `json:"person,omitempty"`
	Entity string `json:"entity,omitempty"`
	Type   string `json:"type,omitempty"`
	Outlet string `json:"outlet,omitempty"`
	// Story answers from one story's events (and the shared entities).
	Story   string    `json:"story,omitempty"`
	By      string    `json:"by,omitempty"` // occurred (default) or reported
	At      time.Time `json:"at,omitzero"`
	KnownAt time.Time `json:"known_at,omitzero"`
	From    time.Time `json:"from,omitzero"`
	Until   time.Time `json:"until,omitzero"`
	To      time.Time `json:"to,omitzero"`
	// AsRecorded answers from the archive as it stood at this moment
	// (the recorded clock, for audit): only records stored by then, so
	// an erratum stored later is not applied.
	AsRecorded time.Time `json:"as_recorded,omitzero"`
	Limit      int       `json:"limit,omitempty"`
	// AfterSeq pages through the quarantine view: only records stored
	// after this sequence.
	AfterSeq uint64 `json:"after_seq,omitempty"`
	// MinSeq asks a server to answer only once its views include the
	// record at this stream sequence (read your own writes).
	MinSeq uint64 `json:"min_seq,omitempty"`
}

// Sentinel errors; a *ParamError wraps one and names the parameter.
var (
	ErrBadParam = errors.New("bad parameter")
	ErrNotFound = errors.New("not found")
)

// ParamError names the parameter of a request that is wrong.
type ParamError struct {
	Param string
	Err   error
	Msg   string
}

func (e *ParamError) Error() string { return fmt.Sprintf("%s: %s", e.Param, e.Msg) }
func (e *ParamError) Unwrap() error { return e.Err }

func badParam(param, format string, args ...any) error {
	return &ParamError{Param: param, Err: ErrBadParam, Msg: fmt.Sprintf(format, args...)}
}

func jsonMarshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Param is one parameter of a request: a field of Request, named as the
// micro service's JSON and the HTTP API's query name it. The CLI's flag is
// the name with - for _ (Flag). The view table lists each view's
// parameters by name; what is not given there comes from params.
type Param struct {
	Name string
	// Desc says what the parameter does: in the OpenAPI document, the
	// CLI's flag help and the micro service's metadata.
	Desc string
	// Values are an enum's values; the first is the default.
	Values []string
	// Required: the view answers nothing without it.
	Required bool
	// Path: a segment of the HTTP route (/api/status/{person}) and the
	// CLI's positional argument, not a query parameter or a flag.
	Path bool
}

// Kind is how a parameter's value is written.
type Kind string

// The kinds of parameter.
const (
	KindString Kind = "string"
	KindEnum   Kind = "enum" // a string, one of Param.Values
	KindTime   Kind = "time" // RFC 3339 or as people type it ("2023-11-17 12:00 PT")
	KindInt    Kind = "int"  // a count or a stream sequence, 0 or more
)

// Kind is the parameter's kind, from the type of its Request field.
func (p Param) Kind() Kind {
	switch (&Request{}).Field(p.Name).(type) {
	case *time.Time:
		return KindTime
	case *int, *uint64:
		return KindInt
	}
	if len(p.Values) > 0 {
		return KindEnum
	}
	return KindString
}

// Flag is the CLI's name for the parameter: known_at is --known-at.
func (p Param) Flag() string { return strings.ReplaceAll(p.Name, "_", "-") }

// params are the parameters of a Request, in its field order; view is not
// one (it is the question, not a parameter of it).
var params = []Param{
	{Name: "org", Desc: "organisation: id, alias or unambiguous prefix"},
	{Name: "person", Desc: "id, alias or unambiguous prefix", Path: true},
	{Name: "entity", Desc: "only events naming this entity: id, alias or unambiguous prefix"},
	{Name: "type", Desc: "only events of this type"},
	{Name: "outlet", Desc: "only this outlet: id, name, alias, any word of one, or a prefix"},
	{Name: "story", Desc: "only this story's events (see the stories view); entities are shared"},
	{Name: "by", Desc: "order by occurred (default) or reported", Values: []string{"occurred", "reported"}},
	{Name: "at", Desc: `valid time T (default now); RFC 3339 or e.g. "2023-11-17 12:00 PT"`},
	{Name: "known_at", Desc: "knowledge time K: only events reported by then (default now)"},
	{Name: "from", Desc: "start of the range"},
	{Name: "until", Desc: "end of the range"},
	{Name: "to", Desc: "second moment"},
	{Name: "as_recorded", Desc: "audit: the archive as it stood at this moment (records stored by then; later errata not applied)"},
	{Name: "limit", Desc: "at most this many items"},
	{Name: "after_seq", Desc: "only records stored after this stream sequence (a page of the quarantine view)"},
	{Name: "min_seq", Desc: "answer only once the views include the record at this stream sequence (read your own writes)"},
}

// Params are every parameter a Request has, in its field order.
func Params() []Param { return slices.Clone(params) }

// ParamNamed is the parameter called name.
func ParamNamed(name string) (Param, bool) {
	i := slices.IndexFunc(params, func(p Param) bool { return p.Name == name })
	if i < 0 {
		return Param{}, false
	}
	return params[i], true
}

func paramNames() string {
	names := make([]string, len(params))
	for i, p := range params {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}

// Field is the Request field holding the parameter name — a *string,
// *time.Time, *int or *uint64 — or nil when there is no such parameter
// ("view" is the question, not a parameter). A command binds its flags to
// these.
func (r *Request) Field(name string) any {
	return map[string]any{"org": &r.Org, "person": &r.Person, "entity": &r.Entity, "type": &r.Type, "outlet": &r.Outlet,
		"story": &r.Story, "by": &r.By, "at": &r.At, "known_at": &r.KnownAt, "from": &r.From, "until": &r.Until, "to": &r.To,
		"as_recorded": &r.AsRecorded, "limit": &r.Limit, "after_seq": &r.AfterSeq, "min_seq": &r.MinSeq}[name]
}

// Set sets the parameter name from what a person or a client typed: a
// time as RFC 3339 or as "2023-11-17 12:00 PT", a count in decimal. An
// empty value leaves it unset (now, no bound, no filter); a bad one, or a
// name that is no parameter, is a *ParamError.
func (r *Request) Set(name, value string) error {
	if value == "" {
		return nil
	}
	switch f := r.Field(name).(type) {
	case *string:
		*f = value
	case *time.Time:
		t, err := events.ParseTime(value, time.Now())
		if err != nil {
			return badParam(name, "%v", err)
		}
		*f = t
	case *int:
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 {
			return badParam(name, "%q is not a count", value)
		}
		*f = n
	case *uint64:
		n, err := strconv.ParseUint(value, 10, 64)
		if err != nil {
			return badParam(name, "%q is not a count", value)
		}
		*f = n
	default:
		return badParam(name, "no such parameter (want %s)", paramNames())
	}
	return nil
}

// isSet reports whether the parameter name has a value.
func (r *Request) isSet(name string) bool {
	switch f := r.Field(name).(type) {
	case *string:
		return *f != ""
	case *time.Time:
		return !f.IsZero()
	case *int:
		return *f != 0
	case *uint64:
		return *f != 0
	}
	return false
}

func (r Request) asOf() projections.AsOf { return projections.AsOf{At: r.At, KnownAt: r.KnownAt} }

// DecodeRequest reads a request as a NATS client sends it to the micro
// service: a JSON object of parameters (see Params), times as RFC 3339 or
// as people type them ("2023-11-17 12:00 PT"). An unknown field is an
// error that names it, so a misspelt "known-at" is not silently read as
// "now". Names match as encoding/json matches them, case aside.
func DecodeRequest(b []byte) (Request, error) {
	var req Request
	if len(bytes.TrimSpace(b)) == 0 {
		return req, nil
	}
	var fields map[string]json.RawMessage
	if err := json.NewDecoder(bytes.NewReader(b)).Decode(&fields); err != nil {
		return Request{}, badParam("request", "%v", err)
	}
	names := slices.Sorted(maps.Keys(fields))
	for _, name := range names {
		if err := req.decodeField(name, fields[name]); err != nil {
			return Request{}, err
		}
	}
	return req, nil
}

// decodeField sets the field name (as encoding/json matches names, case
// aside) from its JSON.
func (r *Request) decodeField(name string, raw json.RawMessage) error {
	var dst any = &r.View
	if !strings.EqualFold(name, "view") {
		i := slices.IndexFunc(params, func(p Param) bool { return strings.EqualFold(p.Name, name) })
		if i < 0 {
			return badParam(name, "unknown field (want %s)", paramNames())
		}
		name = params[i].Name
		dst = r.Field(name)
	}
	var typed string
	_, isTime := dst.(*time.Time)
	if isTime {
		dst = &typed // a time is a string, read as Set reads it
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return badParam(name, "want a %s, not a JSON %s", te.Type, te.Value)
		}
		return badParam(name, "%v", err)
	}
	if isTime {
		return r.Set(name, typed)
	}
	return nil
}

// FromParams reads a request as URL parameters give it — the HTTP API's,
// the static site's — named as Params names them (the CLI's flags with _
// for -). person is the status view's path segment.
func FromParams(view, person string, q url.Values) (Request, error) {
	req := Request{View: view, Person: person}
	for _, p := range params {
		if p.Path {
			continue
		}
		if err := req.Set(p.Name, q.Get(p.Name)); err != nil {
			return req, err
		}
	}
	return req, nil
}
