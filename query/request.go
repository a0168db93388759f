package query

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Request is a question to the views. The CLI builds it from flags, the
// micro service and the HTTP API from their requests, so all three get the
// same answer from the same code.
type Request struct {
	View    string    `json:"view"`
	Org     string    `json:"org,omitempty"`
	Person  string    `json:"person,omitempty"`
	Entity  string    `json:"entity,omitempty"`
	Type    string    `json:"type,omitempty"`
	Outlet  string    `json:"outlet,omitempty"`
	By      string    `json:"by,omitempty"` // occurred (default) or reported
	At      time.Time `json:"at,omitzero"`
	KnownAt time.Time `json:"known_at,omitzero"`
	From    time.Time `json:"from,omitzero"`
	Until   time.Time `json:"until,omitzero"`
	To      time.Time `json:"to,omitzero"`
	Limit   int       `json:"limit,omitempty"`
	// AfterSeq pages through the quarantine view: only records stored
	// after this sequence.
	AfterSeq uint64 `json:"after_seq,omitempty"`
	// MinSeq asks a server to answer only once its views include the
	// record at this stream sequence (read your own writes).
	MinSeq uint64 `json:"min_seq,omitempty"`
}

// Views are the view names a Request may ask for.
var Views = []string{"board", "roles", "status", "timeline", "claims", "sources", "stakes", "diff", "entities", "replay", "quarantine"}

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
