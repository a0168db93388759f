package site

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"storyline/events"
	"storyline/query"
	"storyline/table"
)

// Site answers the page's questions from the events of an export.
type Site struct{ eng *query.Engine }

// Load folds an export (JSON Lines, stream order) into the views.
func Load(jsonl []byte) (*Site, error) {
	eng := query.NewEngine()
	seq := uint64(0)
	for i, line := range bytes.Split(jsonl, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		e, err := events.Decode(line)
		if err != nil {
			return nil, fmt.Errorf("events line %d: %w", i+1, err)
		}
		seq++
		eng.Apply(seq, &e)
	}
	return &Site{eng: eng}, nil
}

// Reply is what Ask gives the page: the status an HTTP API would have
// answered with, and the answer or the error.
type Reply struct {
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body,omitempty"`
	Error  string          `json:"error,omitempty"`
	Param  string          `json:"param,omitempty"`
}

// Ask answers an API path ("/api/board", "/api/status/ann-okafor") with
// its query string, as the HTTP API would.
func (s *Site) Ask(path, rawQuery string) Reply {
	view, person, _ := strings.Cut(strings.TrimPrefix(path, "/api/"), "/")
	if person != "" && view != "status" || !validView(view) {
		return Reply{Status: 404, Error: fmt.Sprintf("no API path %q", path)}
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return Reply{Status: 400, Error: err.Error()}
	}
	if person, err = url.PathUnescape(person); err != nil {
		return Reply{Status: 400, Error: err.Error()}
	}
	req, err := query.FromParams(view, person, q)
	var v any
	if err == nil {
		v, err = s.eng.Answer(req)
	}
	if err != nil {
		return failed(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return Reply{Status: 500, Error: err.Error()}
	}
	if q.Get("format") == "csv" {
		return asCSV(view, b, q.Get("tz"))
	}
	return Reply{Status: 200, Body: b}
}

// asCSV is the answer as the HTTP API's format=csv writes it, as a JSON
// string the page turns into a download.
func asCSV(view string, answer []byte, tz string) Reply {
	loc := time.UTC
	if tz != "" {
		l, err := events.ParseZone(tz)
		if err != nil {
			return Reply{Status: 400, Error: err.Error(), Param: "tz"}
		}
		loc = l
	}
	var buf bytes.Buffer
	if err := table.WriteCSV(&buf, view, answer, loc); err != nil {
		return Reply{Status: 400, Error: err.Error(), Param: "format"}
	}
	b, err := json.Marshal(buf.String())
	if err != nil {
		return Reply{Status: 500, Error: err.Error()}
	}
	return Reply{Status: 200, Body: b}
}

func validView(v string) bool {
	_, ok := query.Views().Lookup(v)
	return ok
}

func failed(err error) Reply {
	var pe *query.ParamError
	switch {
	case errors.As(err, &pe):
		return Reply{Status: 400, Error: err.Error(), Param: pe.Param}
	case errors.Is(err, query.ErrNotFound):
		return Reply{Status: 404, Error: err.Error()}
	}
	return Reply{Status: 400, Error: err.Error()}
}
