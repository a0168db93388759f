package snapshot_test

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"storyline/events"
	"storyline/gen"
	"storyline/quarantine"
	"storyline/quarantine/quarantinetest"
	"storyline/query"
	"storyline/snapshot"
)

// hostileEngine folds a generated story mixed with junk, then a rough
// one, with recorded times and now and then a sequence missing, into an
// engine.
func hostileEngine(t testing.TB, n int) *query.Engine {
	t.Helper()
	msgs := quarantinetest.Mix(gen.Generate(gen.Config{Events: n, Seed: 5}), n/5, 9)
	for _, e := range gen.Generate(gen.Config{Events: n / 2, Seed: 6, Rough: true}) {
		msgs = append(msgs, quarantinetest.Message{Subject: events.Subject(&e), Data: e.Canonical()})
	}
	g := query.NewEngine()
	start := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	seq := uint64(0)
	for i, m := range msgs {
		seq += 1 + uint64(i%7/6) // now and then a sequence is missing
		r := quarantine.Record{Seq: seq, Subject: m.Subject, Data: m.Data, Recorded: start.Add(time.Duration(i) * time.Millisecond)}
		if e, err := events.Decode(m.Data); err != nil {
			r.Err = err
		} else {
			r.Event = &e
		}
		g.ApplyRecord(r)
	}
	if len(g.Quarantined()) == 0 {
		t.Fatal("no record quarantined: the mix has no junk")
	}
	return g
}

func write(t testing.TB, g *query.Engine, h snapshot.Header) []byte {
	t.Helper()
	var buf bytes.Buffer
	h.Stream, h.Seq = "STORY", g.LastSeq()
	if _, err := snapshot.Write(&buf, h, g); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func read(b []byte) (*query.Engine, snapshot.Header, error) {
	rd, err := snapshot.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, snapshot.Header{}, err
	}
	g := query.NewEngine()
	return g, rd.Header(), rd.Restore(context.Background(), g, 0, nil)
}

// TestRoundTrip: what a snapshot restores is every record it was written
// from — the same events, quarantine entries, recorded times and last
// sequence — and the views answer alike.
func TestRoundTrip(t *testing.T) {
	g := hostileEngine(t, 6000)
	b := write(t, g, snapshot.Header{Stamp: snapshot.Stamp{ChainSeq: 7, Chain: "abc"}})
	h2, h, err := read(b)
	if err != nil {
		t.Fatal(err)
	}
	if h.Stream != "STORY" || h.Seq != g.LastSeq() || h.ChainSeq != 7 || h.Chain != "abc" || h.Records != g.StoredLen() || h.Version != snapshot.Version {
		t.Fatalf("header read back as %+v", h)
	}
	want, got := slices.Collect(g.Stored()), slices.Collect(h2.Stored())
	if len(got) != len(want) {
		t.Fatalf("%d records restored, %d written", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("record %d restored as %+v, written %+v", i, got[i], want[i])
		}
	}
	if h2.LastSeq() != g.LastSeq() {
		t.Fatalf("restored to seq %d, written at %d", h2.LastSeq(), g.LastSeq())
	}
	t.Logf("%d records in %d bytes (%.0f bytes a record)", len(want), len(b), float64(len(b))/float64(len(want)))
}

// TestDamageRefused: a snapshot with any byte flipped, or cut short
// anywhere, is refused with the reason, never restored.
func TestDamageRefused(t *testing.T) {
	g := hostileEngine(t, 300)
	b := write(t, g, snapshot.Header{})
	// Every byte of the header, the first chunk's start and the end; a
	// sample of the rest.
	var at []int
	for i := range b {
		if i < 200 || i >= len(b)-100 || i%97 == 0 {
			at = append(at, i)
		}
	}
	for _, i := range at {
		d := bytes.Clone(b)
		d[i] ^= 0x5a
		_, _, err := read(d)
		if !errors.Is(err, snapshot.ErrDamaged) && !errors.Is(err, snapshot.ErrTruncated) && !errors.Is(err, snapshot.ErrVersion) {
			t.Fatalf("byte %d of %d flipped: %v", i, len(b), err)
		}
	}
	for _, n := range at {
		if _, _, err := read(b[:n]); !errors.Is(err, snapshot.ErrTruncated) {
			t.Fatalf("cut to %d of %d bytes: %v", n, len(b), err)
		}
	}
	// A flipped byte in the middle of the records is damage.
	d := bytes.Clone(b)
	d[len(d)/2] ^= 1
	if _, _, err := read(d); !errors.Is(err, snapshot.ErrDamaged) {
		t.Fatalf("a byte flipped in the middle: %v", err)
	}
}

// TestOtherVersionRefused: a snapshot of another format version, or
// written by a build whose events have another layout, is refused.
func TestOtherVersionRefused(t *testing.T) {
	g := hostileEngine(t, 300)
	for _, h := range []snapshot.Header{{Version: snapshot.Version + 1}, {Layout: "0123456789abcdef"}} {
		if _, _, err := read(write(t, g, h)); !errors.Is(err, snapshot.ErrVersion) {
			t.Errorf("%+v: %v", h, err)
		}
	}
}

func BenchmarkSnapshot(b *testing.B) {
	g := hostileEngine(b, 20000)
	buf := write(b, g, snapshot.Header{})
	n := g.StoredLen()
	b.Run("write", func(b *testing.B) {
		for b.Loop() {
			write(b, g, snapshot.Header{})
		}
		b.ReportMetric(float64(len(buf))/float64(n), "bytes/record")
	})
	b.Run("load", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := read(buf); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})
}
