package events_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"

	"storyline/events"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestNamespace pins the UUIDv5 namespace: changing it changes every derived
// id ever stored.
func TestNamespace(t *testing.T) {
	if got, want := events.Namespace.String(), "3a1f5e2c-8d4b-5c6e-9f70-1b2c3d4e5f60"; got != want {
		t.Fatalf("Namespace = %s, want %s", got, want)
	}
}

// TestGolden decodes every testdata/golden/NAME.input.json (one event, may be
// pretty-printed) and NAME.input.jsonl (one event a line) and compares the
// canonical lines, derived ids included, with NAME.golden.jsonl. A change of
// canonical encoding or of id derivation fails here; if it is intended (it
// should not be: stored ids would no longer match), rerun with -update.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "golden", "*.input.json*"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(in), ".jsonl"), ".json")
		name = strings.TrimSuffix(name, ".input")
		t.Run(name, func(t *testing.T) {
			evs := readGoldenInput(t, in)
			var got bytes.Buffer
			for _, ev := range evs {
				checkDerivation(t, ev)
				got.Write(ev.Canonical())
				got.WriteByte('\n')
			}
			path := filepath.Join("testdata", "golden", name+".golden.jsonl")
			if *update {
				if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./events -run TestGolden -update to create it)", err)
			}
			if bytes.Equal(got.Bytes(), want) {
				return
			}
			gotLines := strings.Split(strings.TrimSuffix(got.String(), "\n"), "\n")
			wantLines := strings.Split(strings.TrimSuffix(string(want), "\n"), "\n")
			if len(gotLines) != len(wantLines) {
				t.Fatalf("%d canonical lines, golden has %d", len(gotLines), len(wantLines))
			}
			for i := range gotLines {
				if gotLines[i] == wantLines[i] {
					continue
				}
				if g, w := idOf(t, gotLines[i]), idOf(t, wantLines[i]); g != w {
					t.Errorf("event %d: DERIVED ID CHANGED: %s, golden %s", i+1, g, w)
				}
				t.Errorf("event %d: canonical encoding changed:\n got  %s\n want %s", i+1, gotLines[i], wantLines[i])
			}
		})
	}
}

func readGoldenInput(t *testing.T, path string) []events.Event {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(path, ".json") {
		return []events.Event{decode(t, b)}
	}
	var out []events.Event
	r := events.NewReader(bytes.NewReader(b), path)
	for {
		ev, _, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ev)
	}
}

// checkDerivation checks the id against its definition (DESIGN.md): the
// UUIDv5, in events.Namespace, of the canonical event without id; and that
// the canonical form is the id-less one with the id put first.
func checkDerivation(t *testing.T, ev events.Event) {
	t.Helper()
	noID := ev
	noID.ID = ""
	c := noID.Canonical()
	if want := uuid.NewSHA1(events.Namespace, c).String(); ev.ID != want {
		t.Errorf("ID %s, want UUIDv5(Namespace, canonical without id) = %s", ev.ID, want)
	}
	withID := ev.Canonical()
	if want := `{"id":"` + ev.ID + `",` + string(c[1:]); string(withID) != want {
		t.Errorf("canonical with id:\n got  %s\n want %s", withID, want)
	}
}

func idOf(t *testing.T, line string) string {
	var v struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(line), &v); err != nil {
		t.Fatalf("golden line %q: %v", line, err)
	}
	return v.ID
}

// TestSameID: lines that differ only in form, not content, get one id.
func TestSameID(t *testing.T) {
	roleEnded := string(mutate(t, sampleNamed(t, "role.ended").line, del("id")))
	entity := sampleNamed(t, "entity.described").line
	roleStarted := sampleNamed(t, "role.started").line
	report := sampleNamed(t, "report.published").line
	affiliation := sampleNamed(t, "affiliation.announced").line
	tests := []struct {
		name string
		a, b []byte
	}{
		{"precision minute written or not", mutate(t, roleEnded, set("occurred_precision", "minute")), mutate(t, roleEnded, del("occurred_precision"))},
		{"precision empty or absent", mutate(t, roleEnded, set("occurred_precision", "")), mutate(t, roleEnded, del("occurred_precision"))},
		{"supersedes null or absent", mutate(t, roleEnded, set("supersedes", nil)), mutate(t, roleEnded, del("supersedes"))},
		{"supersedes upper or lower case", mutate(t, roleEnded, set("supersedes", strings.ToUpper(uuidB))), mutate(t, roleEnded, set("supersedes", uuidB))},
		{"scheduled false or absent", mutate(t, roleEnded, set("scheduled", false)), mutate(t, roleEnded, del("scheduled"))},
		{"quote empty or absent", mutate(t, roleEnded, set("quote", "")), mutate(t, roleEnded, del("quote"))},
		{"url empty or absent", mutate(t, roleEnded, set("source.url", "")), mutate(t, roleEnded, del("source.url"))},
		{"aliases empty, null or absent", mutate(t, entity, set("data.aliases", []string{})), mutate(t, entity, del("data.aliases"))},
		{"aliases null or absent", mutate(t, entity, set("data.aliases", nil)), mutate(t, entity, del("data.aliases"))},
		{"shared false or absent", mutate(t, roleStarted, set("data.shared", false)), mutate(t, roleStarted, del("data.shared"))},
		{"interim false or absent", mutate(t, roleStarted, set("data.interim", false)), mutate(t, roleStarted, del("data.interim"))},
		{"cites empty or absent", mutate(t, report, set("data.cites", []string{})), mutate(t, report, del("data.cites"))},
		{"note empty or absent", mutate(t, affiliation, set("data.note", "")), mutate(t, affiliation, del("data.note"))},
		{"key order and spacing", []byte(roleEnded), []byte(strings.ReplaceAll(strings.ReplaceAll(roleEnded, `,"`, `, "`), `":`, `" : `))},
		{"escaped or literal characters", []byte(`{"type":"statement.made","occurred_at":"2023-11-17T12:00:00-08:00","reported_at":"2023-11-17T12:00:00-08:00","source":{"outlet":"Acme","attribution":"official"},"data":{"by":"acme","text":"caf\u00e9 \u003c\u0026\u003e","lang":"en"}}`),
			[]byte(`{"type":"statement.made","occurred_at":"2023-11-17T12:00:00-08:00","reported_at":"2023-11-17T12:00:00-08:00","source":{"outlet":"Acme","attribution":"official"},"data":{"by":"acme","text":"café <&>","lang":"en"}}`)},
		{"amount as integer or exponent", mutate(t, sampleNamed(t, "stake.disclosed").line, set("data.amount", raw("13000000000"))), mutate(t, sampleNamed(t, "stake.disclosed").line, set("data.amount", raw("1.3e10")))},
		{"trailing zeros of a fraction", mutate(t, roleEnded, set("occurred_at", "2023-11-17T12:00:00.000-08:00")), mutate(t, roleEnded, set("occurred_at", "2023-11-17T12:00:00-08:00"))},
		{"offset +00:00 or Z", mutate(t, roleEnded, set("reported_at", "2023-11-17T20:28:00+00:00")), mutate(t, roleEnded, set("reported_at", "2023-11-17T20:28:00Z"))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := decode(t, tc.a), decode(t, tc.b)
			if a.ID != b.ID {
				t.Errorf("ids differ: %s, %s\n%s\n%s", a.ID, b.ID, a.Canonical(), b.Canonical())
			}
			if !bytes.Equal(a.Canonical(), b.Canonical()) {
				t.Errorf("canonical forms differ:\n%s\n%s", a.Canonical(), b.Canonical())
			}
		})
	}
}

// TestDifferentID: any change of content gives another id.
func TestDifferentID(t *testing.T) {
	base := string(mutate(t, sampleNamed(t, "role.ended").line, del("id")))
	tests := []struct {
		name string
		in   []byte
	}{
		{"base", []byte(base)},
		{"other type", mutate(t, base, set("type", "role.started"), set("data", raw(`{"person":"ann-okafor","org":"acme","role":"ceo","interim":false}`)))},
		{"other occurred_at", mutate(t, base, set("occurred_at", "2023-11-17T12:00:01-08:00"))},
		{"same instant, other offset", mutate(t, base, set("occurred_at", "2023-11-17T20:00:00Z"))},
		{"other precision", mutate(t, base, set("occurred_precision", "day"))},
		{"other reported_at", mutate(t, base, set("reported_at", "2023-11-17T12:29:00-08:00"))},
		{"scheduled", mutate(t, base, set("scheduled", true))},
		{"other outlet", mutate(t, base, set("source.outlet", "Acme Blog"))},
		{"outlet in other case", mutate(t, base, set("source.outlet", "acme"))},
		{"no url", mutate(t, base, del("source.url"))},
		{"other attribution", mutate(t, base, set("source.attribution", "on_record"))},
		{"with report", mutate(t, base, set("source.report", uuidA))},
		{"other person", mutate(t, base, set("data.person", "ben-holm"))},
		{"other role", mutate(t, base, set("data.role", "president"))},
		{"other how", mutate(t, base, set("data.how", "resigned"))},
		{"other quote", mutate(t, base, set("quote", "Ms. Okafor’s departure"))},
		{"no quote", mutate(t, base, del("quote"))},
		{"supersedes", mutate(t, base, set("supersedes", uuidB))},
	}
	seen := map[string]string{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := decode(t, tc.in)
			if prev, dup := seen[ev.ID]; dup {
				t.Errorf("same id %s as %q", ev.ID, prev)
			}
			seen[ev.ID] = tc.name
		})
	}
}

// TestExplicitID: an id given is kept (lowercased), not replaced by the
// derived one, and does not take part in the derivation.
func TestExplicitID(t *testing.T) {
	line := sampleNamed(t, "role.ended").line
	noID := mutate(t, line, del("id"))
	derived := decode(t, noID).ID
	tests := []struct {
		name, id, want string
	}{
		{"lowercase", uuidA, uuidA},
		{"uppercase", strings.ToUpper(uuidA), uuidA},
		{"mixed case", "1B9d6BCD-bbfd-5B2D-9b5d-AB8dfbbd4BED", uuidA},
		{"version 1 UUID", uuidB, uuidB},
		{"the derived id itself", derived, derived},
		{"empty means derive", "", derived},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := decode(t, mutate(t, line, set("id", tc.id)))
			if ev.ID != tc.want {
				t.Errorf("ID = %s, want %s", ev.ID, tc.want)
			}
			if got := ev.DeriveID(); got != derived {
				t.Errorf("DeriveID() = %s, want %s whatever the id", got, derived)
			}
			if !bytes.HasPrefix(ev.Canonical(), []byte(`{"id":"`+tc.want+`",`)) {
				t.Errorf("canonical does not start with the id: %s", ev.Canonical())
			}
		})
	}
}
