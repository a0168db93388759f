package query

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"storyline/events"
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

// Views are the view names a Request may ask for.
var Views = []string{"board", "roles", "status", "timeline", "claims", "sources", "stakes", "diff", "entities", "replay", "quarantine", "stories"}

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

// DecodeRequest reads a request as a NATS client sends it to the micro
// service: the fields of Request, times as RFC 3339 or as people type them
// ("2023-11-17 12:00 PT"). An unknown field is an error that names it, so
// a misspelt "known-at" is not silently read as "now".
func DecodeRequest(b []byte) (Request, error) {
	var w struct {
		Request
		At      string `json:"at"`
		KnownAt string `json:"known_at"`
		From    string `json:"from"`
		Until   string `json:"until"`
		To      string `json:"to"`
		AsRec   string `json:"as_recorded"`
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return Request{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		field := "request"
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			field = te.Field[strings.LastIndexByte(te.Field, '.')+1:]
			return Request{}, badParam(field, "want a %s, not a JSON %s", te.Type, te.Value)
		} else if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			field = strings.Trim(f, `"`)
			return Request{}, badParam(field, "unknown field (want %s)", strings.Join(requestFields, ", "))
		}
		return Request{}, badParam(field, "%v", err)
	}
	req := w.Request
	for name, v := range map[string]string{"at": w.At, "known_at": w.KnownAt, "from": w.From, "until": w.Until, "to": w.To, "as_recorded": w.AsRec} {
		if err := req.SetTime(name, v); err != nil {
			return Request{}, err
		}
	}
	return req, nil
}

// TimeParams are the request's time parameters, as the HTTP API and the
// micro service name them.
var TimeParams = []string{"at", "known_at", "from", "until", "to", "as_recorded"}

// SetTime sets the time parameter name (one of TimeParams) from what a
// person or a client typed: RFC 3339 or "2023-11-17 12:00 PT". An empty
// value leaves it unset (now, or no bound); a bad one is a *ParamError.
func (r *Request) SetTime(name, value string) error {
	if value == "" {
		return nil
	}
	dst := map[string]*time.Time{"at": &r.At, "known_at": &r.KnownAt, "from": &r.From, "until": &r.Until, "to": &r.To, "as_recorded": &r.AsRecorded}[name]
	if dst == nil {
		return badParam(name, "not a time parameter (want %s)", strings.Join(TimeParams, ", "))
	}
	t, err := events.ParseTime(value, time.Now())
	if err != nil {
		return badParam(name, "%v", err)
	}
	*dst = t
	return nil
}

// requestFields are the JSON fields of a Request, for error messages.
var requestFields = []string{"org", "person", "entity", "type", "outlet", "story", "by", "at", "known_at", "from", "until", "to", "as_recorded", "limit", "after_seq", "min_seq"}

// FromParams reads a request as URL parameters give it — the HTTP API's,
// the static site's — the names matching the CLI's flags with _ for -.
// person is the status view's path segment.
func FromParams(view, person string, q url.Values) (Request, error) {
	req := Request{View: view, Org: q.Get("org"), Person: person, Entity: q.Get("entity"),
		Type: q.Get("type"), Outlet: q.Get("outlet"), Story: q.Get("story"), By: q.Get("by")}
	for _, name := range TimeParams {
		if err := req.SetTime(name, q.Get(name)); err != nil {
			return req, err
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return req, &ParamError{Param: "limit", Err: ErrBadParam, Msg: fmt.Sprintf("%q is not a count", v)}
		}
		req.Limit = n
	}
	return req, nil
}
