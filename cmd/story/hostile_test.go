package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"storyline/archive"
	"storyline/archive/archivetest"
	"storyline/gen"
	"storyline/quarantine"
	"storyline/quarantine/quarantinetest"
	"storyline/query"
	"storyline/server"
)

// TestHostileInputIsQuarantined: while `story serve` runs, a plain NATS
// client publishes 1,000 junk payloads onto story subjects — bad JSON,
// empty, 64 KiB binary, JSON of unknown types, valid events on the wrong
// subject, duplicates, forged corrections — mixed at random with 1,000
// valid events. Nothing crashes; `story quarantine` lists exactly the junk
// with the class expected of each; `story verify` calls the archive sound
// and counts the junk; and every view, through serve, in process and from
// serve's snapshot, equals the view of the valid events alone imported
// into another archive. Their exports are identical too.
func TestHostileInputIsQuarantined(t *testing.T) {
	ctx := context.Background()
	valid := gen.Generate(gen.Config{Events: 1000, Seed: 11})[:1000]
	msgs := quarantinetest.Mix(valid, 1000, 42)

	// The valid events alone, through a clean `story import`.
	cleanDir := t.TempDir()
	var file bytes.Buffer
	for i := range valid {
		file.Write(valid[i].Canonical())
		file.WriteByte('\n')
	}
	path := filepath.Join(t.TempDir(), "valid.jsonl")
	if err := os.WriteFile(path, file.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	mustStory(t, cleanDir, "import", path)
	clean := foldDir(t, cleanDir)

	// The mix, published by a plain client while serve runs.
	dir := t.TempDir()
	s, err := server.Open(ctx, server.Config{Archive: archive.Config{DataDir: dir, Listen: "127.0.0.1:-1", LazySync: true}}, query.NewEngine())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { checked(t, s.Close) }() // the last s: serve is reopened below
	publishPlain(t, s.NATSURL(), msgs)
	deadline := time.Now().Add(30 * time.Second)
	for {
		ch, seq := s.Applied()
		if seq == uint64(len(msgs)) {
			break
		}
		select {
		case <-ch:
		case <-time.After(time.Until(deadline)):
			t.Fatalf("serve's views at seq %d of %d", seq, len(msgs))
		}
	}

	seqs := map[uint64]uint64{} // the mix's seq -> the clean archive's
	want := map[quarantine.Class]int{}
	for i, m := range msgs {
		if m.Class == "" {
			seqs[uint64(i+1)] = uint64(len(seqs) + 1)
		} else {
			want[m.Class]++
		}
	}
	checkList := func(how, out string) {
		t.Helper()
		var v query.QuarantineView
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("%s: %v\n%.300s", how, err, out)
		}
		got := map[quarantine.Class]int{}
		for _, q := range v.Records {
			got[q.Class]++
			m := msgs[q.Seq-1]
			if q.Class != m.Class || q.Reason == "" || q.Size != len(m.Data) || q.Subject != m.Subject && len(m.Subject) < 100 {
				t.Errorf("%s: seq %d (%s on %s, %d bytes): %+v", how, q.Seq, m.Kind, m.Subject, len(m.Data), q)
			}
		}
		byClass := map[quarantine.Class]int{}
		for c, n := range v.ByClass {
			if n > 0 {
				byClass[c] = n
			}
		}
		if v.Count != 1000 || len(v.Records) != 1000 || !maps.Equal(got, want) || !maps.Equal(byClass, want) {
			t.Fatalf("%s: count %d, %d records, by class %v (listed %v), want 1000 %v", how, v.Count, len(v.Records), v.ByClass, got, want)
		}
	}
	viaServe := mustStory(t, dir, "quarantine", "--json")
	checkList("through serve", viaServe)
	t.Logf("quarantined by class: %v", want)
	human := mustStory(t, dir, "quarantine")
	if !strings.Contains(human, "1000 records quarantined") || strings.Count(human, "\n") < 2000 {
		t.Errorf("story quarantine: %.500s", human)
	}
	if out := mustStory(t, dir, "verify"); !strings.HasPrefix(out, "ok:") || !strings.Contains(out, "1000 records quarantined") || !strings.Contains(out, "story quarantine") {
		t.Errorf("story verify: %s", out)
	}

	c, err := server.Find(ctx, archive.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	reqs := quarantinetest.Requests(valid)
	// answers asks every request, sequences renumbered through m.
	answers := func(m map[uint64]uint64, answer func(query.Request) ([]byte, error)) []string {
		out := make([]string, len(reqs))
		for i, r := range reqs {
			b, err := answer(r)
			if err == nil {
				b, err = quarantinetest.Renumber(b, m)
			}
			if err != nil {
				b = []byte("error: " + err.Error())
			}
			out[i] = string(b)
		}
		return out
	}
	fromEngine := func(g interface {
		Answer(query.Request) (any, error)
	}) func(query.Request) ([]byte, error) {
		return func(r query.Request) ([]byte, error) {
			v, err := g.Answer(r)
			if err != nil {
				return nil, err
			}
			return json.Marshal(v)
		}
	}
	wantViews := answers(nil, fromEngine(clean))
	same := func(how string, got []string) {
		t.Helper()
		for i := range got {
			if got[i] != wantViews[i] {
				t.Fatalf("%s: %+v:\n%.600s\nthe valid events alone:\n%.600s", how, reqs[i], got[i], wantViews[i])
			}
		}
		t.Logf("%s: %d view answers equal to the valid events' alone", how, len(got))
	}
	same("through serve", answers(seqs, func(r query.Request) ([]byte, error) { return c.Query(ctx, r) }))
	c.Close()
	exportMixed := exportOf(t, dir)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// In process, the views rebuilt from the stream.
	same("in process", answers(seqs, fromEngine(foldDir(t, dir))))
	if inProcess := mustStory(t, dir, "quarantine", "--json"); inProcess != viaServe {
		t.Errorf("story quarantine in process differs from through serve")
	}

	// Serve again, from its snapshot.
	var log lockedBuffer
	s, err = server.Open(ctx, server.Config{Archive: archive.Config{DataDir: dir, Listen: "127.0.0.1:-1"},
		Log: slog.New(slog.NewTextHandler(&log, nil))}, query.NewEngine())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "views restored from snapshot") {
		t.Errorf("serve did not restore its snapshot:\n%s", log.String())
	}
	same("from the snapshot", answers(seqs, fromEngine(s)))
	checkList("from the snapshot", mustStory(t, dir, "quarantine", "--json"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// The export holds the valid events only: byte for byte the clean one.
	if exportClean := exportOf(t, cleanDir); exportMixed != exportClean {
		t.Errorf("exports differ: %d bytes from the mix, %d from the valid events alone", len(exportMixed), len(exportClean))
	}
}

// publishPlain publishes msgs in order as any NATS client could: no
// Storyline headers, no expected-sequence checks. Each must be stored, at
// the next sequence.
// foldDir folds the archive in dir in process, as a query command does.
func foldDir(t *testing.T, dir string) *query.Engine {
	t.Helper()
	a, err := archive.Open(context.Background(), archive.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer archivetest.Close(t, a)
	var stderr bytes.Buffer
	eng, err := (&Main{Stderr: &stderr}).fold(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

func publishPlain(t *testing.T, url string, msgs []quarantinetest.Message) {
	t.Helper()
	plain := make([]archivetest.Message, len(msgs))
	for i, m := range msgs {
		plain[i] = archivetest.Message{Subject: m.Subject, Data: m.Data}
	}
	for i, seq := range archivetest.PublishPlain(t, url, plain) {
		if seq != uint64(i+1) {
			t.Fatalf("publish %d (%s) stored at seq %d", i+1, msgs[i].Kind, seq)
		}
	}
}

func exportOf(t *testing.T, dir string) string {
	t.Helper()
	out, errOut, code := story(t, dir, "", "export")
	if code != 0 {
		t.Fatalf("story export: exit %d: %s", code, errOut)
	}
	return out
}
