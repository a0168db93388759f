package query_test

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"testing"

	"storyline/events"
	"storyline/gen"
	"storyline/quarantine"
	"storyline/quarantine/quarantinetest"
	"storyline/query"
)

// hostile returns 1,000 valid events and the same mixed at random with
// 1,000 junk messages, as a plain NATS client could store them.
func hostile(t *testing.T) ([]events.Event, []quarantinetest.Message) {
	t.Helper()
	valid := gen.Generate(gen.Config{Events: 1000, Seed: 11})[:1000]
	return valid, quarantinetest.Mix(valid, 1000, 42)
}

// record is m as the archive reads it back at seq.
func record(seq uint64, m quarantinetest.Message) quarantine.Record {
	r := quarantine.Record{Seq: seq, Subject: m.Subject, Data: m.Data}
	if e, err := events.Decode(m.Data); err != nil {
		r.Err = err
	} else {
		r.Event = &e
	}
	return r
}

// TestEngineQuarantinesJunk folds the mix into an engine: it must list
// exactly the junk, each with the class expected, and answer every view as
// an engine fed only the valid events does.
func TestEngineQuarantinesJunk(t *testing.T) {
	valid, msgs := hostile(t)
	g := query.NewEngine()
	seqs := map[uint64]uint64{} // mixed archive's seq -> clean archive's
	want := map[quarantine.Class]int{}
	for i, m := range msgs {
		seq := uint64(i + 1)
		g.ApplyRecord(record(seq, m))
		if m.Class == "" {
			seqs[seq] = uint64(len(seqs) + 1)
		} else {
			want[m.Class]++
		}
	}
	clean := query.NewEngine()
	for i := range valid {
		clean.Apply(uint64(i+1), &valid[i])
	}
	if n := len(clean.Quarantined()); n != 0 {
		t.Fatalf("the valid events alone: %d quarantined: %+v", n, clean.Quarantined()[0])
	}
	q := g.Quarantined()
	if len(q) != 1000 {
		t.Fatalf("%d quarantined, want 1000", len(q))
	}
	got := map[quarantine.Class]int{}
	for _, e := range q {
		m := msgs[e.Seq-1]
		got[e.Class]++
		if e.Class != m.Class {
			t.Errorf("seq %d (%s): %s: %s, want %s", e.Seq, m.Kind, e.Class, e.Reason, m.Class)
		}
		if e.Reason == "" || e.Size != len(m.Data) || len([]rune(e.Preview)) > quarantine.PreviewChars {
			t.Errorf("seq %d: entry %+v", e.Seq, e)
		}
		if !g.IsQuarantined(e.Seq) {
			t.Errorf("seq %d listed but not IsQuarantined", e.Seq)
		}
	}
	if !maps.Equal(got, want) {
		t.Errorf("by class %v, want %v", got, want)
	}
	t.Logf("quarantined by class: %v", got)
	compareViews(t, valid, seqs, g, clean)

	// The quarantine view pages in stream order, with the counts of all.
	v, err := g.Answer(query.Request{View: "quarantine", AfterSeq: q[99].Seq, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	page := v.(query.QuarantineView)
	if page.Count != 1000 || len(page.Records) != 50 || page.Records[0].Seq != q[100].Seq || page.ByClass[quarantine.Duplicate] != want[quarantine.Duplicate] {
		t.Fatalf("page after seq %d: count %d, %d records from seq %d, by class %v", q[99].Seq, page.Count, len(page.Records), page.Records[0].Seq, page.ByClass)
	}
}

// compareViews fails unless engines g and clean answer every request about
// valid alike, g's sequences mapped through seqs.
func compareViews(t *testing.T, valid []events.Event, seqs map[uint64]uint64, g, clean *query.Engine) {
	t.Helper()
	reqs := quarantinetest.Requests(valid)
	for _, req := range reqs {
		a, errA := g.Answer(req)
		b, errB := clean.Answer(req)
		if (errA == nil) != (errB == nil) {
			t.Fatalf("%+v: errors %v and %v", req, errA, errB)
		}
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		ra, err := quarantinetest.Renumber(ja, seqs)
		if err != nil {
			t.Fatal(err)
		}
		rb, _ := quarantinetest.Renumber(jb, nil)
		if !bytes.Equal(ra, rb) {
			t.Fatalf("%+v: the mixed archive answers\n%.600s\nthe valid events alone\n%.600s", req, ra, rb)
		}
	}
	t.Logf("%d view answers equal", len(reqs))
}

// TestRestoreKeepsQuarantine restores an engine that quarantined junk
// from what a snapshot keeps of it: the same list, the same answers, and
// records applied after the restore screened as before it.
func TestRestoreKeepsQuarantine(t *testing.T) {
	valid, msgs := hostile(t)
	whole := query.NewEngine()
	for i, m := range msgs {
		whole.ApplyRecord(record(uint64(i+1), m))
	}
	cut := len(msgs) / 2
	first := query.NewEngine()
	for i, m := range msgs[:cut] {
		first.ApplyRecord(record(uint64(i+1), m))
	}
	restored := restore(t, first)
	if !slices.Equal(restored.Quarantined(), first.Quarantined()) || restored.LastSeq() != first.LastSeq() {
		t.Fatalf("restored %d quarantined to seq %d, saved %d to seq %d", len(restored.Quarantined()), restored.LastSeq(), len(first.Quarantined()), first.LastSeq())
	}
	for i, m := range msgs[cut:] {
		restored.ApplyRecord(record(uint64(cut+i+1), m))
	}
	if !slices.Equal(restored.Quarantined(), whole.Quarantined()) {
		t.Fatalf("after the restore, %d quarantined; read whole, %d", len(restored.Quarantined()), len(whole.Quarantined()))
	}
	ident := map[uint64]uint64{}
	compareViews(t, valid, ident, restored, whole)
}

// restore is a new engine restored from what g holds.
func restore(t *testing.T, g *query.Engine) *query.Engine {
	t.Helper()
	h := query.NewEngine()
	recs := func(yield func(query.Stored, error) bool) {
		for s := range g.Stored() {
			if !yield(s, nil) {
				return
			}
		}
	}
	if err := h.Restore(recs, g.LastSeq()); err != nil {
		t.Fatal(err)
	}
	return h
}
