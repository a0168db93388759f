package events

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"storyline/corpus"
)

// The fast pass must change nothing but the time a line takes: for every
// line, Decode and DecodeInput give the same event, or the same errors
// (fields, sentinels and messages), with it as without it.

// base is a valid line every tricky line below is made from.
const base = `{"id":"1b9d6bcd-bbfd-5b2d-9b5d-ab8dfbbd4bed","type":"role.ended","occurred_at":"2023-11-17T12:00:00-08:00",` +
	`"occurred_precision":"minute","reported_at":"2023-11-17T12:28:00-08:00",` +
	`"source":{"outlet":"Acme","url":"https://acme.example/a","attribution":"official"},` +
	`"data":{"person":"ann-okafor","org":"acme","role":"ceo","how":"resigned"}}`

// tricky are lines where JSON v1 and v2 could part: names in another case,
// escaped or given twice, nulls, numbers an integer must refuse, escapes v1
// repairs, the payload before the type, whitespace, another top-level value.
var tricky = []string{
	base,
	strings.Replace(base, `"type"`, `"Type"`, 1),
	strings.Replace(base, `"type"`, `"\u0074ype"`, 1),
	strings.Replace(base, `"outlet"`, `"Outlet"`, 1),
	strings.Replace(base, `"person"`, `"PERSON"`, 1),
	strings.Replace(base, `"person"`, `"p\u0065rson"`, 1),
	strings.Replace(base, `"how":"resigned"`, `"how":"resigned","how":"fired"`, 1),
	strings.Replace(base, `"type":"role.ended",`, `"type":"role.ended","type":"role.started",`, 1),
	strings.Replace(base, `"source":{`, `"source":null,"source":{`, 1),
	strings.Replace(base, `"data":{`, `"data":null,"data":{`, 1),
	strings.Replace(base, `"data":{"person":"ann-okafor","org":"acme","role":"ceo","how":"resigned"}`, `"data":null`, 1),
	strings.Replace(base, `"source":{"outlet":"Acme","url":"https://acme.example/a","attribution":"official"}`, `"source":null`, 1),
	strings.Replace(base, `"occurred_precision":"minute"`, `"occurred_precision":null`, 1),
	strings.Replace(base, `"id":"1b9d6bcd-bbfd-5b2d-9b5d-ab8dfbbd4bed",`, `"id":null,`, 1),
	strings.Replace(base, `"role":"ceo"`, `"role":null`, 1),
	strings.Replace(base, `"how":"resigned"`, `"how":"resig\ud800ned"`, 1),
	strings.Replace(base, `"outlet":"Acme"`, `"outlet":"Ac\u006De \"x\" \/ \u00e9"`, 1),
	typeLast,
	strings.TrimSuffix(base, "}") + `,"type":"role.started"}`,
	strings.Replace(base, `,`, " ,\n\t", -1),
	" " + base + " \n",
	base + ` {}`,
	base + `x`,
	`[` + base + `]`,
	`null`, `{}`, `{"data":{}}`, `{"type":"claim.reported","data":{"about":null}}`,
	strings.Replace(base, `"role.ended"`, `"petition.updated"`, 1),
	strings.Replace(base, `"role.ended"`, `"role.ends"`, 1),
	strings.Replace(base, `"data":{`, `"data":[],"x":{`, 1),
}

// typeLast is base with the type after the payload.
var typeLast = strings.TrimSuffix(strings.Replace(base, `"type":"role.ended",`, ``, 1), "}") + `,"type":"role.ended"}`

// petitionWith is a petition line whose data.signatures is n as written.
func petitionWith(n string) string {
	return strings.NewReplacer(`"role.ended"`, `"petition.updated"`,
		`{"person":"ann-okafor","org":"acme","role":"ceo","how":"resigned"}`,
		`{"org":"acme","petition":"p","signatures":`+n+`,"of_total":1000}`).Replace(base)
}

func TestFastPassAgrees(t *testing.T) {
	for _, line := range []string{base, typeLast, petitionWith("500")} {
		if _, err := Decode([]byte(line)); err != nil {
			t.Fatalf("a line the tricky ones are made from does not decode: %v\n%s", err, line)
		}
	}
	lines := append([]string{}, tricky...)
	for _, n := range []string{"500", "5e2", "5.0", "-0", "1e400", "9223372036854775808", "0x10", "05", "\"5\"", "true", "[]", "{}", "null"} {
		lines = append(lines, petitionWith(n))
	}
	lines = append(lines, strings.Replace(petitionWith("5"), `"of_total":1000`, `"of_total":1e3`, 1))
	lines = append(lines, strings.NewReplacer(`"role.ended"`, `"stake.disclosed"`,
		`{"person":"ann-okafor","org":"acme","role":"ceo","how":"resigned"}`,
		`{"holder":"ann-okafor","org":"acme","amount":1.5e400,"currency":"USD"}`).Replace(base))
	lines = append(lines, fileLines(t)...)
	for _, line := range lines {
		agree(t, []byte(line))
	}
}

// FuzzFastPass: any line decodes alike with and without the fast pass. Its
// seeds are the tricky lines and those of the files.
func FuzzFastPass(f *testing.F) {
	for _, line := range append(tricky, fileLines(f)...) {
		f.Add([]byte(line))
	}
	f.Fuzz(func(t *testing.T, line []byte) { agree(t, line) })
}

// agree fails t unless line decodes alike both ways, as a stored record
// and as an import line.
func agree(t *testing.T, line []byte) {
	t.Helper()
	for _, input := range []bool{false, true} {
		fast, fastErr := decode(line, input)
		exactOnly.Store(true)
		exact, exactErr := decode(line, input)
		exactOnly.Store(false)
		if !reflect.DeepEqual(fast, exact) {
			t.Errorf("input=%v %s\nfast:  %#v\nexact: %#v", input, line, fast, exact)
		}
		if !sameErrors(fastErr, exactErr) {
			t.Errorf("input=%v %s\nfast:  %v\nexact: %v", input, line, fastErr, exactErr)
		}
	}
}

// sameErrors: a and b have the same leaves with the same messages, and
// each leaf wraps the same sentinel.
func sameErrors(a, b error) bool {
	if (a == nil) != (b == nil) {
		return false
	}
	if a == nil {
		return true
	}
	as, bs := flatten(a), flatten(b)
	if len(as) != len(bs) || a.Error() != b.Error() {
		return false
	}
	for i := range as {
		if as[i].Error() != bs[i].Error() || errors.Unwrap(as[i]) != errors.Unwrap(bs[i]) {
			return false
		}
	}
	return true
}

// fileLines are the lines of the committed seed corpus, the golden inputs
// and the bundled story.
func fileLines(t testing.TB) []string {
	var out []string
	seeds, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzDecode", "*"))
	for _, f := range seeds {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, lit, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
		s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lit, "[]byte("), ")"))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, s)
	}
	golden, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.jsonl"))
	for _, f := range golden {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.Split(string(b), "\n")...)
	}
	for _, l := range bytes.Split(corpus.Bytes(), []byte("\n")) {
		out = append(out, string(l))
	}
	if len(out) < 400 {
		t.Fatalf("only %d lines from files", len(out))
	}
	return out
}

// TestFastPassKnowsEveryField: the fast pass names every envelope member
// (a member it does not know sends every line the slow way), and every
// field it fills has its JSON name in a tag: JSON v2 would match an
// untagged field by its Go name, which the exact pass refuses.
func TestFastPassKnowsEveryField(t *testing.T) {
	for name := range jsonFields(reflect.TypeOf(wire{})) {
		if wireMembers[strconv.Quote(name)] == nil {
			t.Errorf("wireMembers lacks %q", name)
		}
	}
	if len(wireMembers) != len(jsonFields(reflect.TypeOf(wire{}))) {
		t.Errorf("wireMembers has %d members, wire %d", len(wireMembers), len(jsonFields(reflect.TypeOf(wire{}))))
	}
	types := []reflect.Type{reflect.TypeOf(wire{}), reflect.TypeOf(Source{})}
	for _, typ := range Types {
		types = append(types, reflect.TypeOf(newData(typ)).Elem())
	}
	for _, rt := range types {
		for f := range rt.Fields() {
			if f.IsExported() && (f.Anonymous || f.Tag.Get("json") == "") {
				t.Errorf("%s.%s has no json name", rt, f.Name)
			}
		}
	}
}
