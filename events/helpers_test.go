package events_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"storyline/events"
)

// sample is a valid event of one type, written as an import line, with the
// data fields whose absence must be reported as events.ErrMissing.
type sample struct {
	name     string
	line     string
	required []string // data keys that are required (ErrMissing when absent)
	entities []string // want Event.Entities()
	primary  string   // want Event.PrimaryEntity()
}

const (
	uuidA = "1b9d6bcd-bbfd-5b2d-9b5d-ab8dfbbd4bed"
	uuidB = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
)

// envelope returns an event line of type typ with payload data and the
// envelope of DESIGN.md's example.
func envelope(typ, data string) string {
	return `{"type":"` + typ + `","occurred_at":"2023-11-17T12:00:00-08:00","occurred_precision":"minute",` +
		`"reported_at":"2023-11-17T12:28:00-08:00",` +
		`"source":{"outlet":"Acme","url":"https://acme.example/blog/acme-announces-leadership-transition","attribution":"official"},` +
		`"data":` + data + `}`
}

// samples holds one valid event of every type in events.Types, in that order.
var samples = []sample{
	{
		name:     "entity.described",
		line:     envelope("entity.described", `{"id":"ann-okafor","kind":"person","name":"Ann Okafor","aliases":["奧卡福","歐卡佛"]}`),
		required: []string{"id", "kind", "name"},
		entities: []string{"ann-okafor"},
		primary:  "ann-okafor",
	},
	{
		name:     "board.seat_taken",
		line:     envelope("board.seat_taken", `{"org":"acme","person":"ben-holm","seat":"chair"}`),
		required: []string{"org", "person", "seat"},
		entities: []string{"acme", "ben-holm"},
		primary:  "acme",
	},
	{
		name:     "board.seat_left",
		line:     envelope("board.seat_left", `{"org":"acme","person":"ann-okafor","seat":"director","how":"removed"}`),
		required: []string{"org", "person", "seat", "how"},
		entities: []string{"acme", "ann-okafor"},
		primary:  "acme",
	},
	{
		name:     "role.started",
		line:     envelope("role.started", `{"person":"cara-lind","org":"acme","role":"ceo","interim":true}`),
		required: []string{"person", "org", "role"},
		entities: []string{"acme", "cara-lind"},
		primary:  "acme",
	},
	{
		name: "role.ended",
		line: `{"id":"` + uuidA + `","type":"role.ended","occurred_at":"2023-11-17T12:00:00-08:00","occurred_precision":"minute",` +
			`"reported_at":"2023-11-17T12:28:00-08:00","source":{"outlet":"Acme","url":"https://acme.example/blog/acme-announces-leadership-transition","attribution":"official"},` +
			`"data":{"person":"ann-okafor","org":"acme","role":"ceo","how":"fired"},` +
			`"quote":"Ms. Okafor's departure follows a deliberative review process by the board…","supersedes":null}`,
		required: []string{"person", "org", "role", "how"},
		entities: []string{"acme", "ann-okafor"},
		primary:  "acme",
	},
	{
		name:     "affiliation.announced",
		line:     envelope("affiliation.announced", `{"person":"ann-okafor","org":"globex","role":"lead","note":"to lead a new advanced AI research team"}`),
		required: []string{"person", "org", "role"},
		entities: []string{"ann-okafor", "globex"},
		primary:  "ann-okafor",
	},
	{
		name:     "statement.made",
		line:     envelope("statement.made", `{"by":"dev-rao","text":"We remain committed to our partnership with Acme & <its> team.","lang":"en"}`),
		required: []string{"by", "text", "lang"},
		entities: []string{"dev-rao"},
		primary:  "dev-rao",
	},
	{
		name:     "claim.reported",
		line:     envelope("claim.reported", `{"about":["ann-okafor","acme","ann-okafor"],"text":"Okafor is in talks to return as CEO","lang":"en","expects":"role.started"}`),
		required: []string{"about", "text", "lang"},
		entities: []string{"ann-okafor", "acme"},
		primary:  "ann-okafor",
	},
	{
		name:     "claim.resolved",
		line:     envelope("claim.resolved", `{"claim":"`+uuidA+`","outcome":"confirmed","by_event":"`+uuidB+`"}`),
		required: []string{"claim", "outcome", "by_event"},
		entities: nil,
		primary:  "acme", // the outlet, slugified
	},
	{
		name:     "petition.updated",
		line:     envelope("petition.updated", `{"org":"acme","petition":"employee-letter","signatures":505,"of_total":770}`),
		required: []string{"org", "petition"},
		entities: []string{"acme"},
		primary:  "acme",
	},
	{
		name:     "stake.disclosed",
		line:     envelope("stake.disclosed", `{"holder":"globex","org":"acme","amount":13000000000,"currency":"USD","note":"49% of the for-profit arm"}`),
		required: []string{"holder", "org"},
		entities: []string{"acme", "globex"},
		primary:  "acme",
	},
	{
		name: "report.published",
		line: `{"type":"report.published","occurred_at":"2023-11-19T09:00:00+08:00","reported_at":"2023-11-19T09:00:00+08:00",` +
			`"source":{"outlet":"北岸日報 Northshore Daily","attribution":"archive"},` +
			`"data":{"title":"Acme 董事會風波","lang":"zh-Hant","body":"奧卡福被解僱……","cites":["Harbor Wire","The Ledger"]}}`,
		required: []string{"title", "lang", "body"},
		entities: nil,
		primary:  "northshore-daily",
	},
	{
		name:     "record.withdrawn",
		line:     envelope("record.withdrawn", `{"event":"0b8f3a52-6f1e-5d0a-9c1b-2f4e6a8c0d12","reason":"the archive misdated this statement"}`),
		required: []string{"event", "reason"},
		entities: nil,
		primary:  "acme",
	},
	{
		name:     "story.filed",
		line:     envelope("story.filed", `{"story":"acme-2025","events":["0b8f3a52-6f1e-5d0a-9c1b-2f4e6a8c0d12"]}`),
		required: []string{"story", "events"},
		entities: nil,
		primary:  "acme",
	},
}

func sampleNamed(t testing.TB, name string) sample {
	t.Helper()
	for _, s := range samples {
		if s.name == name {
			return s
		}
	}
	t.Fatalf("no sample %q", name)
	return sample{}
}

// mutation edits an event line decoded into a generic map.
type mutation func(m map[string]any)

// set sets the value at a dotted path such as "data.person".
func set(path string, v any) mutation {
	return func(m map[string]any) {
		keys := strings.Split(path, ".")
		for _, k := range keys[:len(keys)-1] {
			m = m[k].(map[string]any)
		}
		m[keys[len(keys)-1]] = v
	}
}

// del removes the key at a dotted path.
func del(path string) mutation {
	return func(m map[string]any) {
		keys := strings.Split(path, ".")
		for _, k := range keys[:len(keys)-1] {
			m = m[k].(map[string]any)
		}
		delete(m, keys[len(keys)-1])
	}
}

// raw is a JSON literal to set with set(), e.g. raw(`{"a":1}`).
func raw(s string) json.RawMessage { return json.RawMessage(s) }

// mutate applies muts to line and returns the re-encoded line.
func mutate(t testing.TB, line string, muts ...mutation) []byte {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(line))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatalf("bad test line %s: %v", line, err)
	}
	for _, mu := range muts {
		mu(m)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// leaves returns every non-joined, non-nil error in err's tree that is not
// itself a join: the individual problems a decode reported.
func leaves(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, leaves(e)...)
		}
		return out
	}
	return []error{err}
}

// fieldErrors returns the *FieldError of every leaf, and the leaves that are
// not field errors.
func fieldErrors(err error) (fes []*events.FieldError, others []error) {
	for _, l := range leaves(err) {
		var fe *events.FieldError
		if errors.As(l, &fe) {
			fes = append(fes, fe)
		} else {
			others = append(others, l)
		}
	}
	return fes, others
}

// want is one problem a decode must report: field named, sentinel wrapped.
type want struct {
	field string
	err   error
}

// checkErr asserts that err reports every w: errors.Is finds the sentinel,
// the message names the field, and a *FieldError for exactly that field
// wraps the sentinel. Every leaf must be a *FieldError.
func checkErr(t testing.TB, err error, ws ...want) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %v", ws)
	}
	fes, others := fieldErrors(err)
	if len(others) > 0 {
		t.Errorf("error has leaves that are not *events.FieldError: %v", others)
	}
	for _, w := range ws {
		if !errors.Is(err, w.err) {
			t.Errorf("errors.Is(err, %q) = false; err = %v", w.err, err)
		}
		if !strings.Contains(err.Error(), w.field) {
			t.Errorf("message does not name field %q: %v", w.field, err)
		}
		found := false
		for _, fe := range fes {
			if fe.Field == w.field && errors.Is(fe, w.err) {
				found = true
			}
		}
		if !found {
			t.Errorf("no *FieldError{Field: %q, Err: %q} in %#v", w.field, w.err, fes)
		}
	}
}

func decode(t testing.TB, line []byte) events.Event {
	t.Helper()
	ev, err := events.Decode(line)
	if err != nil {
		t.Fatalf("Decode(%s): %v", line, err)
	}
	return ev
}
