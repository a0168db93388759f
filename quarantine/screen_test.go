package quarantine_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"storyline/corpus"
	"storyline/events"
	"storyline/gen"
	"storyline/quarantine"
)

func id(n int) string { return fmt.Sprintf("aaaaaaaa-0000-5000-8000-%012d", n) }

// ev decodes an event of typ with data; extra sets envelope fields.
func ev(t testing.TB, typ string, data map[string]any, extra ...any) *events.Event {
	t.Helper()
	m := map[string]any{"type": typ, "occurred_at": "2024-01-02T10:00:00Z", "reported_at": "2024-01-02T11:00:00Z",
		"source": map[string]any{"outlet": "Wire", "attribution": "official"}, "data": data}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i].(string)] = extra[i+1]
	}
	b, _ := json.Marshal(m)
	e, err := events.Decode(b)
	if err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return &e
}

func seat(org, person string, extra ...any) func(testing.TB) *events.Event {
	return func(t testing.TB) *events.Event {
		return ev(t, "board.seat_taken", map[string]any{"org": org, "person": person, "seat": "director"}, extra...)
	}
}

func said(by string, extra ...any) func(testing.TB) *events.Event {
	return func(t testing.TB) *events.Event {
		return ev(t, "statement.made", map[string]any{"by": by, "text": "hello", "lang": "en"}, extra...)
	}
}

func report(outlet string, extra ...any) func(testing.TB) *events.Event {
	return func(t testing.TB) *events.Event {
		e := ev(t, "report.published", map[string]any{"title": "t", "lang": "en", "body": "b", "cites": []string{}}, extra...)
		e.Source.Outlet = outlet
		return e
	}
}

// stored is a record as Storyline stores e: on its own subject, canonical.
func stored(seq uint64, e *events.Event) quarantine.Record {
	return quarantine.Record{Seq: seq, Subject: events.Subject(e), Data: e.Canonical(), Event: e}
}

// raw is a record of a payload as a plain client might publish it.
func raw(seq uint64, subject string, data []byte) quarantine.Record {
	r := quarantine.Record{Seq: seq, Subject: subject, Data: data}
	if e, err := events.Decode(data); err != nil {
		r.Err = err
	} else {
		r.Event = &e
	}
	return r
}

// screens returns both kinds of screen: with its own table, and over an
// index the caller keeps (here a map, added to on every admission).
func screens() map[string]func() (*quarantine.Screen, func(quarantine.Record)) {
	return map[string]func() (*quarantine.Screen, func(quarantine.Record)){
		"own table": func() (*quarantine.Screen, func(quarantine.Record)) {
			return quarantine.New(), func(quarantine.Record) {}
		},
		"over an index": func() (*quarantine.Screen, func(quarantine.Record)) {
			idx := map[string]quarantine.Ref{}
			s := quarantine.Over(func(id string) (quarantine.Ref, bool) { r, ok := idx[id]; return r, ok })
			return s, func(r quarantine.Record) { idx[r.Event.ID] = quarantine.RefOf(r.Seq, r.Event) }
		},
	}
}

func TestScreenRules(t *testing.T) {
	type mk = func(testing.TB) *events.Event
	valid := seat("acme", "jo", "id", id(1))
	tests := []struct {
		name   string
		before []mk                                 // stored, each admitted, at seq 1, 2, ...
		rec    func(t testing.TB) quarantine.Record // the record under test, at the next seq
		class  quarantine.Class                     // "" admitted
		reason string                               // a part of the reason
	}{
		{"a valid event", nil, func(t testing.TB) quarantine.Record { return stored(1, valid(t)) }, "", ""},
		{"bad JSON", nil, func(testing.TB) quarantine.Record { return raw(1, "story.acme.x", []byte(`{"type":`)) },
			quarantine.Undecodable, "malformed JSON"},
		{"empty", nil, func(testing.TB) quarantine.Record { return raw(1, "story.acme.x", nil) },
			quarantine.Undecodable, "empty payload"},
		{"binary", nil, func(testing.TB) quarantine.Record { return raw(1, "story.acme.x", []byte{0xff, 0xfe, 0, 1}) },
			quarantine.Undecodable, "not valid UTF-8"},
		{"unknown type", nil, func(testing.TB) quarantine.Record {
			return raw(1, "story.acme.x", []byte(`{"type":"board.exploded","occurred_at":"2024-01-02T10:00:00Z","reported_at":"2024-01-02T10:00:00Z","source":{"outlet":"W","attribution":"official"},"data":{}}`))
		}, quarantine.Undecodable, "unknown event type"},
		{"missing field", nil, func(testing.TB) quarantine.Record {
			return raw(1, "story.acme.x", []byte(`{"type":"statement.made","occurred_at":"2024-01-02T10:00:00Z","source":{"outlet":"W","attribution":"official"},"data":{"by":"jo","text":"x","lang":"en"}}`))
		}, quarantine.Undecodable, "reported_at: required field missing"},
		{"unknown field", nil, func(testing.TB) quarantine.Record {
			return raw(1, "story.acme.x", []byte(`{"type":"statement.made","occurred_at":"2024-01-02T10:00:00Z","reported_at":"2024-01-02T10:00:00Z","source":{"outlet":"W","attribution":"official"},"data":{"by":"jo","text":"x","lang":"en"},"admin":true}`))
		}, quarantine.Undecodable, "unknown field"},
		{"wrong subject", nil, func(t testing.TB) quarantine.Record {
			e := valid(t)
			return quarantine.Record{Seq: 1, Subject: "story.other.board.seat_taken." + e.ID, Data: e.Canonical(), Event: e}
		}, quarantine.WrongSubject, "belongs on story.acme.board.seat_taken." + id(1)},
		{"no subject is not checked", nil, func(t testing.TB) quarantine.Record {
			e := valid(t)
			return quarantine.Record{Seq: 1, Data: e.Canonical(), Event: e}
		}, "", ""},
		{"duplicate", []mk{valid}, func(t testing.TB) quarantine.Record { return stored(2, valid(t)) },
			quarantine.Duplicate, "already stored at seq 1"},
		{"duplicate id, other content", []mk{valid}, func(t testing.TB) quarantine.Record { return stored(2, seat("acme", "kim", "id", id(1))(t)) },
			quarantine.Duplicate, "already stored at seq 1"},
		{"supersedes itself", nil, func(testing.TB) quarantine.Record {
			return raw(1, "story.acme.x", []byte(`{"id":"`+id(1)+`","supersedes":"`+id(1)+`","type":"statement.made","occurred_at":"2024-01-02T10:00:00Z","reported_at":"2024-01-02T10:00:00Z","source":{"outlet":"W","attribution":"official"},"data":{"by":"jo","text":"x","lang":"en"}}`))
		}, quarantine.ForgedSupersedes, "supersedes itself"},
		{"correction of another type", []mk{valid}, func(t testing.TB) quarantine.Record {
			return stored(2, said("acme", "id", id(2), "supersedes", id(1))(t))
		},
			quarantine.ForgedSupersedes, "supersedes " + id(1) + " (seq 1), a board.seat_taken about acme, but is a statement.made about acme"},
		{"correction about another entity", []mk{valid}, func(t testing.TB) quarantine.Record {
			return stored(2, seat("globex", "jo", "id", id(2), "supersedes", id(1))(t))
		}, quarantine.ForgedSupersedes, "but is a board.seat_taken about globex"},
		{"erratum of another type", []mk{valid}, func(t testing.TB) quarantine.Record {
			return stored(2, said("acme", "id", id(2), "erratum", id(1))(t))
		}, quarantine.ForgedSupersedes, "an erratum keeps the type and entity of the record it fixes"},
		{"erratum of the same kind", []mk{valid}, func(t testing.TB) quarantine.Record {
			return stored(2, seat("acme", "kim", "id", id(2), "erratum", id(1))(t))
		}, "", ""},
		{"correction of the same kind", []mk{valid}, func(t testing.TB) quarantine.Record {
			return stored(2, seat("acme", "kim", "id", id(2), "supersedes", id(1))(t))
		}, "", ""},
		{"second correction of one event", []mk{valid, seat("acme", "kim", "id", id(2), "supersedes", id(1))}, func(t testing.TB) quarantine.Record {
			return stored(3, seat("acme", "al", "id", id(3), "supersedes", id(1))(t))
		}, "", ""},
		{"correction of a correction", []mk{valid, seat("acme", "kim", "id", id(2), "supersedes", id(1))}, func(t testing.TB) quarantine.Record {
			return stored(3, seat("acme", "al", "id", id(3), "supersedes", id(2))(t))
		}, "", ""},
		{"correction of an event never stored", nil, func(t testing.TB) quarantine.Record {
			return stored(1, seat("acme", "al", "id", id(3), "supersedes", id(99))(t))
		}, "", ""},
		{"correction by another outlet of a report", []mk{report("Wire", "id", id(1))}, func(t testing.TB) quarantine.Record {
			return stored(2, report("Storyline editors", "id", id(2), "supersedes", id(1))(t))
		}, "", ""},
		{"correction stored before its event", []mk{seat("acme", "kim", "id", id(2), "supersedes", id(1))}, func(t testing.TB) quarantine.Record {
			return stored(2, valid(t))
		}, "", ""},
		{"event contradicting a correction stored before it", []mk{said("jo", "id", id(2), "supersedes", id(1))}, func(t testing.TB) quarantine.Record {
			return stored(2, valid(t))
		}, quarantine.ForgedSupersedes, "the correction at seq 1, stored earlier, names id " + id(1) + " as a statement.made about jo"},
		{"corrections of a missing event disagreeing", []mk{said("jo", "id", id(2), "supersedes", id(1))}, func(t testing.TB) quarantine.Record {
			return stored(2, seat("acme", "kim", "id", id(3), "supersedes", id(1))(t))
		}, quarantine.ForgedSupersedes, "which the correction at seq 1 names as a statement.made about jo"},
		{"corrections of a missing event agreeing", []mk{said("jo", "id", id(2), "supersedes", id(1))}, func(t testing.TB) quarantine.Record {
			return stored(2, said("jo", "id", id(3), "supersedes", id(1))(t))
		}, "", ""},
	}
	for sname, mkScreen := range screens() {
		for _, tt := range tests {
			t.Run(sname+"/"+tt.name, func(t *testing.T) {
				s, admit := mkScreen()
				for i, b := range tt.before {
					r := stored(uint64(i+1), b(t))
					if q := s.Check(r); q != nil {
						t.Fatalf("setup record %d quarantined: %+v", i+1, q)
					}
					admit(r)
				}
				r := tt.rec(t)
				q := s.Check(r)
				switch {
				case tt.class == "" && q != nil:
					t.Fatalf("quarantined: %+v", q)
				case tt.class == "":
					return
				case q == nil:
					t.Fatalf("admitted, want %s", tt.class)
				}
				if q.Class != tt.class || !strings.Contains(q.Reason, tt.reason) {
					t.Fatalf("got %s: %q\nwant %s: …%s…", q.Class, q.Reason, tt.class, tt.reason)
				}
				if q.Seq != r.Seq || q.Size != len(r.Data) || q.Subject != r.Subject && len(r.Subject) < 100 {
					t.Fatalf("entry %+v does not describe the record (seq %d, %d bytes, %s)", q, r.Seq, len(r.Data), r.Subject)
				}
				checkSafe(t, q)
			})
		}
	}
}

// A quarantined record is never admitted: a later copy of an event first
// stored on the wrong subject is the real one, not a duplicate.
func TestQuarantinedIDIsNotTaken(t *testing.T) {
	s := quarantine.New()
	e := seat("acme", "jo", "id", id(1))(t)
	if q := s.Check(quarantine.Record{Seq: 1, Subject: "story.elsewhere", Data: e.Canonical(), Event: e}); q == nil {
		t.Fatal("wrong subject admitted")
	}
	if q := s.Check(stored(2, e)); q != nil {
		t.Fatalf("the event on its own subject: %+v", q)
	}
}

// Restoring the admitted events of a prefix, then screening the rest,
// decides as screening everything does.
func TestRestoreDecidesAsScreening(t *testing.T) {
	recs := []quarantine.Record{
		stored(1, said("jo", "id", id(2), "supersedes", id(1))(t)),          // forward, admitted
		stored(2, said("jo", "id", id(3), "supersedes", id(1))(t)),          // agrees
		stored(3, seat("acme", "kim", "id", id(4), "supersedes", id(9))(t)), // forward, admitted
		stored(4, seat("acme", "jo", "id", id(1))(t)),                       // contradicts seq 1
		stored(5, seat("acme", "al", "id", id(5), "supersedes", id(9))(t)),  // agrees with seq 3
		stored(6, said("jo", "id", id(1))(t)),                               // the event, as seq 1 said
		stored(7, said("kim", "id", id(6), "supersedes", id(9))(t)),         // disagrees with seq 3
		stored(8, said("jo", "id", id(2))(t)),                               // duplicate of seq 1
	}
	all := quarantine.New()
	var want []string
	for _, r := range recs {
		want = append(want, fmt.Sprint(all.Check(r)))
	}
	for cut := 0; cut <= len(recs); cut++ {
		s := quarantine.New()
		var admitted []quarantine.Record
		// The admitted records of the prefix, as a snapshot holds them:
		// in any order (here reversed).
		pre := quarantine.New()
		for _, r := range recs[:cut] {
			if pre.Check(r) == nil {
				admitted = append(admitted, r)
			}
		}
		for i := len(admitted) - 1; i >= 0; i-- {
			s.Restore(admitted[i].Seq, admitted[i].Event)
		}
		for i, r := range recs[cut:] {
			if got := fmt.Sprint(s.Check(r)); got != want[cut+i] {
				t.Fatalf("restored %d records; seq %d: %s, want %s", cut, r.Seq, got, want[cut+i])
			}
		}
	}
	if !strings.Contains(want[3], "forged_supersedes") || !strings.Contains(want[6], "forged_supersedes") || !strings.Contains(want[7], "duplicate") {
		t.Fatalf("the sequence does not exercise what it should: %v", want)
	}
}

// The bundled story, the projections' test story, another story and a
// synthetic one are stored in file order by `story import`; none of their
// records may be quarantined.
func TestBundledStoriesPass(t *testing.T) {
	files := map[string]func() ([]events.Event, []error){}
	for _, name := range corpus.Files() {
		files[name] = func() ([]events.Event, []error) {
			b, err := fs.ReadFile(corpus.FS, name)
			if err != nil {
				t.Fatal(err)
			}
			return events.ReadAll(bytes.NewReader(b), name)
		}
	}
	for _, path := range []string{"../projections/testdata/halvorsen.jsonl", "../cmd/story/testdata/other-story.jsonl"} {
		files[path] = func() ([]events.Event, []error) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			return events.ReadAll(bytes.NewReader(b), path)
		}
	}
	files["gen 20000"] = func() ([]events.Event, []error) { return gen.Generate(gen.Config{Events: 20000, Seed: 7}), nil }
	for name, read := range files {
		t.Run(name, func(t *testing.T) {
			evs, errs := read()
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			s := quarantine.New()
			for i := range evs {
				if q := s.Check(stored(uint64(i+1), &evs[i])); q != nil {
					t.Errorf("quarantined: %+v", q)
				}
			}
		})
	}
}

func TestEscape(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"plain", `{"a":1}`, 80, `{"a":1}`},
		{"fits exactly", "abcde", 5, "abcde"},
		{"cut", "abcdef", 5, "abcd…"},
		{"empty", "", 80, ""},
		{"controls", "a\nb\tc\r\x00\x1b[31m", 80, `a\nb\tc\r\u0000\u001b[31m`},
		{"backslash", `a\b`, 80, `a\\b`},
		{"not UTF-8", "\xff\xfeok", 80, `\xff\xfeok`},
		{"bidi override and zero width", "a\u202eb\u200dc", 80, `a\u202eb\u200dc`},
		{"line separator", "a\u2028b", 80, `a\u2028b`},
		{"CJK kept", "北岸報", 80, "北岸報"},
		{"escape not split", "abc\x00", 5, "abc…"},
		{"zero", "abc", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := quarantine.Escape([]byte(tt.in), tt.max); got != tt.want {
				t.Fatalf("Escape(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
		})
	}
}

// checkSafe fails unless an entry's shown fields are short, valid UTF-8
// and free of control and format characters.
func checkSafe(t testing.TB, q *quarantine.Entry) {
	t.Helper()
	for name, s := range map[string]string{"preview": q.Preview, "subject": q.Subject, "reason": q.Reason} {
		if !utf8.ValidString(s) {
			t.Fatalf("%s %q is not UTF-8", name, s)
		}
		for _, r := range s {
			if !unicode.IsPrint(r) {
				t.Fatalf("%s %q holds %U", name, s, r)
			}
		}
	}
	if n := utf8.RuneCountInString(q.Preview); n > quarantine.PreviewChars {
		t.Fatalf("preview of %d characters", n)
	}
}

func FuzzScreen(f *testing.F) {
	for _, s := range []string{"", "{", `{"type":"statement.made"}`, "\xff\x00\u202e",
		`{"id":"aaaaaaaa-0000-5000-8000-000000000001","type":"statement.made","occurred_at":"2024-01-02T10:00:00Z","reported_at":"2024-01-02T10:00:00Z","source":{"outlet":"W","attribution":"official"},"data":{"by":"jo","text":"x","lang":"en"},"supersedes":"aaaaaaaa-0000-5000-8000-000000000002"}`} {
		f.Add("story.jo.statement.made.x", []byte(s))
	}
	f.Fuzz(func(t *testing.T, subject string, data []byte) {
		s := quarantine.New()
		for seq := uint64(1); seq <= 2; seq++ {
			q := s.Check(raw(seq, subject, data))
			if q != nil {
				checkSafe(t, q)
			}
			if seq == 2 && q == nil {
				t.Fatalf("the same record admitted twice: %q", data)
			}
		}
	})
}

// TestOwnTableMemory checks what a screen with its own table (as `story
// verify` and `story export` use) costs per admitted event.
func TestOwnTableMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("screens 200k events")
	}
	evs := gen.Generate(gen.Config{Events: 200_000, Seed: 3})
	recs := make([]quarantine.Record, len(evs))
	for i := range evs {
		recs[i] = quarantine.Record{Seq: uint64(i + 1), Subject: events.Subject(&evs[i]), Event: &evs[i]}
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := quarantine.New()
	for _, r := range recs {
		if q := s.Check(r); q != nil {
			t.Fatalf("quarantined: %+v", q)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := float64(after.HeapAlloc-before.HeapAlloc) / float64(len(evs))
	t.Logf("own table: %.0f bytes per event", per)
	if per > 100 {
		t.Errorf("own table: %.0f bytes per event, want at most 100", per)
	}
	runtime.KeepAlive(s)
	runtime.KeepAlive(recs)
}
