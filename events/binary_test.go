package events_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"storyline/corpus"
	"storyline/events"
	"storyline/gen"
)

// binaryStories are the events the binary form must carry exactly: the
// bundled story, the invented one and a rough generated one.
func binaryStories(t *testing.T) []events.Event {
	t.Helper()
	var all []events.Event
	read := func(name string, b []byte) {
		evs, errs := events.ReadAll(bytes.NewReader(b), name)
		if len(errs) > 0 {
			t.Fatalf("%s: %v", name, errors.Join(errs...))
		}
		all = append(all, evs...)
	}
	read("bundled", corpus.Bytes())
	b, err := os.ReadFile(filepath.Join("..", "projections", "testdata", "halvorsen.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	read("halvorsen.jsonl", b)
	all = append(all, gen.Generate(gen.Config{Events: 3000, Seed: 7, Rough: true})...)
	// None of them files events under a story afterwards.
	filing := all[0]
	filing.ID, filing.Key, filing.Quote, filing.Stories = "", "", "", nil
	filing.Type, filing.Data = events.StoryFiled, &events.Filing{Story: "a-story", Events: []string{all[0].ID, all[1].ID}}
	return append(all, filing)
}

// TestBinaryRoundTrip writes events in runs, as a snapshot does, and reads
// back events equal in every field to the strictly decoded ones: the same
// canonical JSON, the same zones, nil lists nil and empty ones empty.
func TestBinaryRoundTrip(t *testing.T) {
	// What the views hold is a strict decode of each stored record; the
	// binary form must give back the same.
	var evs []events.Event
	for _, e := range binaryStories(t) {
		d, err := events.Decode(e.Canonical())
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, d)
	}
	types := map[events.Type]bool{}
	var w events.BinaryWriter
	var r events.BinaryReader
	for start := 0; start < len(evs); start += 100 {
		run := evs[start:min(start+100, len(evs))]
		w.Reset()
		var b []byte
		for i := range run {
			b = w.AppendEvent(b, &run[i])
		}
		r.Reset(b)
		for i, want := range run {
			got := r.Event()
			if err := r.Err(); err != nil {
				t.Fatalf("event %d (%s): %v", start+i, want.ID, err)
			}
			if !reflect.DeepEqual(*got, want) {
				t.Fatalf("event %d read back as\n%+v\nwant\n%+v", start+i, *got, want)
			}
			types[got.Type] = true
		}
		if r.Len() != 0 {
			t.Fatalf("%d bytes left after the run at %d", r.Len(), start)
		}
	}
	for _, ty := range events.Types {
		if !types[ty] {
			t.Errorf("no %s event in the stories: its payload was not tried", ty)
		}
	}
}

// TestBinaryZones: a time keeps the offset it was written with, and UTC
// stays UTC, as a strict decode of its text gives them.
func TestBinaryZones(t *testing.T) {
	for _, s := range []string{"2023-11-17T12:00:00Z", "2023-11-17T12:00:00+08:00", "2023-11-17T12:00:00.5-05:30", "2023-11-17T12:00:00+00:00", "1850-01-01T00:00:00-00:17"} {
		want, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		e := events.Event{ID: "0b5a4c6e-58a4-5f3c-9d1e-2c3b4a5d6e7f", Type: events.StatementMade, OccurredAt: want, ReportedAt: want,
			Data: &events.Statement{By: "x", Text: "t", Lang: "en"}}
		var w events.BinaryWriter
		var r events.BinaryReader
		r.Reset(w.AppendEvent(nil, &e))
		got := r.Event()
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.OccurredAt, want) || got.OccurredAt.Format(time.RFC3339Nano) != want.Format(time.RFC3339Nano) {
			t.Errorf("%s read back as %s (%v), want %v", s, got.OccurredAt.Format(time.RFC3339Nano), got.OccurredAt.Location(), want.Location())
		}
	}
}

// TestBinaryDamage: bytes cut short or changed give an error or another
// event, never a panic or a huge allocation.
func TestBinaryDamage(t *testing.T) {
	evs := gen.Generate(gen.Config{Events: 50, Seed: 3, Rough: true})
	var w events.BinaryWriter
	var b []byte
	for i := range evs {
		b = w.AppendEvent(b, &evs[i])
	}
	var r events.BinaryReader
	for cut := range len(b) {
		r.Reset(b[:cut])
		for r.Err() == nil {
			r.Event()
		}
		if !errors.Is(r.Err(), events.ErrBinary) {
			t.Fatalf("cut at %d: %v", cut, r.Err())
		}
	}
	for i := range b {
		d := bytes.Clone(b)
		d[i] ^= 0xff
		r.Reset(d)
		for r.Err() == nil && r.Len() > 0 {
			r.Event()
		}
	}
}

func BenchmarkBinaryEvent(b *testing.B) {
	evs := gen.Generate(gen.Config{Events: 4096, Seed: 1})
	var w events.BinaryWriter
	var buf []byte
	for i := range evs {
		buf = w.AppendEvent(buf, &evs[i])
	}
	b.Run("write", func(b *testing.B) {
		for b.Loop() {
			w.Reset()
			out := buf[:0]
			for i := range evs {
				out = w.AppendEvent(out, &evs[i])
			}
		}
		b.ReportMetric(float64(len(buf))/float64(len(evs)), "bytes/event")
	})
	b.Run("read", func(b *testing.B) {
		var r events.BinaryReader
		for b.Loop() {
			r.Reset(buf)
			for range evs {
				r.Event()
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(evs)), "ns/event")
	})
	b.Run("json", func(b *testing.B) {
		lines := make([][]byte, len(evs))
		for i := range evs {
			lines[i] = evs[i].Canonical()
		}
		for b.Loop() {
			for _, l := range lines {
				if _, err := events.Decode(l); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(evs)), "ns/event")
	})
}
