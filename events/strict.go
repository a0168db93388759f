package events

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// strictUnmarshal decodes b into v, refusing keys v has no field for, wrong
// JSON types and malformed JSON. It takes the fast way first: one strict
// pass of JSON v2, which accepts a subset of what exactUnmarshal accepts
// and then fills v alike (FuzzStrictUnmarshal holds it to that). Anything
// it refuses goes the exact way from a zero v, which names every problem
// with the messages users know.
func strictUnmarshal(b []byte, v any, prefix string) error {
	if !exactOnly.Load() && jsonv2.Unmarshal(b, v, strictV2) == nil {
		return nil
	}
	reflect.ValueOf(v).Elem().SetZero()
	return exactUnmarshal(b, v, prefix)
}

// exactOnly turns the fast pass off, for the tests that compare the two.
var exactOnly atomic.Bool

// unmarshalWire decodes an event line into w: the fast way when it can,
// the exact way from a zero w when anything is off.
func unmarshalWire(b []byte, w *wire) error {
	if !exactOnly.Load() && jsonv2.Unmarshal(b, (*fastWire)(w), strictV2) == nil {
		return nil
	}
	*w = wire{}
	return exactUnmarshal(b, w, "")
}

// fastWire decodes a line in one strict pass, the payload straight into
// its type when the type came first (canonical lines put it first), so no
// part of the line is read twice. Any surprise is an error, and the caller
// takes the exact way: a name escaped or unknown, a null or a duplicate.
type fastWire wire

// errNotFast sends a line the exact way; its text is never shown.
var errNotFast = errors.New("events: not for the fast pass")

// UnmarshalJSONFrom implements JSON v2's UnmarshalerFrom.
func (w *fastWire) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		return errNotFast
	}
	for dec.PeekKind() == '"' {
		name, err := dec.ReadValue()
		if err != nil {
			return err
		}
		into := wireMembers[string(name)]
		if into == nil {
			return errNotFast
		}
		if err := jsonv2.UnmarshalDecode(dec, into(w, dec.PeekKind())); err != nil {
			return err
		}
	}
	_, err := dec.ReadToken()
	return err
}

// wireMembers says where each member's value goes, by its name as written
// (quoted; a name with escapes is not here); next is the value's kind.
var wireMembers = map[string]func(w *fastWire, next jsontext.Kind) any{
	`"id"`:                 func(w *fastWire, _ jsontext.Kind) any { return &w.ID },
	`"key"`:                func(w *fastWire, _ jsontext.Kind) any { return &w.Key },
	`"type"`:               func(w *fastWire, _ jsontext.Kind) any { return &w.Type },
	`"occurred_at"`:        func(w *fastWire, _ jsontext.Kind) any { return &w.OccurredAt },
	`"occurred_precision"`: func(w *fastWire, _ jsontext.Kind) any { return &w.Precision },
	`"reported_at"`:        func(w *fastWire, _ jsontext.Kind) any { return &w.ReportedAt },
	`"scheduled"`:          func(w *fastWire, _ jsontext.Kind) any { return &w.Scheduled },
	`"source"`:             func(w *fastWire, _ jsontext.Kind) any { w.source = new(Source); return w.source },
	`"data"`:               (*fastWire).dataInto,
	`"quote"`:              func(w *fastWire, _ jsontext.Kind) any { return &w.Quote },
	`"supersedes"`:         func(w *fastWire, _ jsontext.Kind) any { return &w.Supersedes },
	`"erratum"`:            func(w *fastWire, _ jsontext.Kind) any { return &w.Erratum },
	`"stories"`:            func(w *fastWire, _ jsontext.Kind) any { return &w.Stories },
}

// dataInto is where the payload goes: its type when the type is known,
// current and came first, else the raw bytes, for event to decode.
func (w *fastWire) dataInto(next jsontext.Kind) any {
	if _, old := upcasters[w.Type]; !old && next == '{' {
		if w.data = newData(w.Type); w.data != nil {
			return w.data
		}
	}
	return (*jsontext.Value)(&w.Data)
}

// strictV2 is JSON v2's defaults (names match exactly, a name given twice
// and invalid UTF-8 are refused) and unknown names refused too.
var strictV2 = jsonv2.RejectUnknownMembers(true)

// exactUnmarshal decodes b into v and reports every key v has no field
// for, not only the first as json.Decoder.DisallowUnknownFields would.
func exactUnmarshal(b []byte, v any, prefix string) error {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		return jsonFieldError(err, prefix)
	}
	known := jsonFields(reflect.TypeOf(v).Elem())
	var errs []error
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !known[k] {
			errs = append(errs, &FieldError{Field: prefix + fieldName(k), Err: ErrUnknownField})
		}
	}
	if err := json.Unmarshal(b, v); err != nil {
		errs = append(errs, jsonFieldError(err, prefix))
	}
	return errors.Join(errs...)
}

// fieldName is how an unknown key is named in an error: as written, or
// quoted when it is empty or has characters that would not show (a newline
// would split the message).
func fieldName(k string) string {
	if k == "" || strings.ContainsFunc(k, func(r rune) bool { return !unicode.IsPrint(r) || r == ' ' }) {
		return strconv.Quote(k)
	}
	return k
}

var fieldCache sync.Map // reflect.Type -> map[string]bool

func jsonFields(t reflect.Type) map[string]bool {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]bool)
	}
	m := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			m[name] = true
		}
	}
	fieldCache.Store(t, m)
	return m
}

// jsonFieldError turns encoding/json's errors into field errors.
func jsonFieldError(err error, prefix string) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	field := strings.TrimSuffix(prefix, ".")
	if field == "" {
		field = "(line)"
	}
	switch {
	case errors.As(err, &se):
		return &FieldError{Field: field, Err: ErrBadJSON, Value: fmt.Sprintf("(%v at byte %d)", se, se.Offset)}
	case errors.As(err, &te):
		f := te.Field
		if f == "" {
			return &FieldError{Field: field, Err: ErrWrongJSONType, Value: fmt.Sprintf("(want an object, got %s)", te.Value)}
		}
		return &FieldError{Field: prefix + f, Err: ErrWrongJSONType, Value: fmt.Sprintf("(want %s, got %s)", jsonKind(te.Type.String()), te.Value)}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &FieldError{Field: field, Err: ErrBadJSON, Value: "(unexpected end of input)"}
	}
	msg := err.Error()
	if i := strings.Index(msg, "unknown field "); i >= 0 {
		name := strings.Trim(msg[i+len("unknown field "):], `"`)
		return &FieldError{Field: prefix + name, Err: ErrUnknownField}
	}
	return &FieldError{Field: field, Err: ErrBadJSON, Value: "(" + msg + ")"}
}

func jsonKind(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case goType == "string" || strings.HasSuffix(goType, ".Type") || strings.HasSuffix(goType, ".Seat") ||
		strings.HasSuffix(goType, ".Role") || strings.HasSuffix(goType, ".Kind") ||
		strings.HasSuffix(goType, ".Precision") || strings.HasSuffix(goType, ".Attribution"):
		return "a string"
	case goType == "bool":
		return "a boolean"
	case strings.HasPrefix(goType, "int"):
		return "a whole number"
	case strings.HasPrefix(goType, "float"):
		return "a number"
	}
	return "an object"
}
