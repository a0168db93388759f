package projector_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"storyline/archive"
	"storyline/archive/archivetest"
	"storyline/corpus"
	"storyline/events"
	"storyline/gen"
	"storyline/projector"
	"storyline/quarantine/quarantinetest"
	"storyline/query"
)

// now is the clock of every engine compared, so that defaults agree.
var now = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// readFile reads a .jsonl story of records.
func readFile(t *testing.T, name string, b []byte) []events.Event {
	t.Helper()
	evs, errs := events.ReadAll(bytes.NewReader(b), name)
	if len(errs) > 0 {
		t.Fatalf("%s: %v", name, errors.Join(errs...))
	}
	return evs
}

// bundled is the story `story import` imports with no file.
func bundled(t *testing.T) []events.Event {
	t.Helper()
	return readFile(t, "bundled", corpus.Bytes())
}

// invented is the invented story of the projection tests.
func invented(t *testing.T) []events.Event {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "projections", "testdata", "halvorsen.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	return readFile(t, "halvorsen.jsonl", b)
}

// stream stores story in a new archive as `story import` does (hash
// chain and all), with a plain client's messages — junk mixed with valid
// events of another story — published in between at even intervals.
func stream(t *testing.T, story []events.Event, junk int) *archive.Archive {
	t.Helper()
	a := archivetest.New(t, func(c *archive.Config) { c.LazySync = true })
	others := quarantinetest.Mix(gen.Generate(gen.Config{Events: junk, Seed: 3}), junk, 17)
	ctx := context.Background()
	done := 0
	for i, m := range others {
		upTo := (i + 1) * len(story) / (len(others) + 1)
		if upTo > done {
			if _, err := a.Append(ctx, story[done:upTo], nil); err != nil {
				t.Fatal(err)
			}
			done = upTo
		}
		// A plain publish: no chain header, no expected sequence.
		if _, err := a.JetStream().Publish(ctx, m.Subject, m.Data); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Append(ctx, story[done:], nil); err != nil {
		t.Fatal(err)
	}
	return a
}

// earlyCorrections stores every fifth correction before the event it
// corrects (a news report of a change stored before the official word,
// as in the bundled story): the generator writes none so.
func earlyCorrections(evs []events.Event) []events.Event {
	at := map[string]int{}
	k := 0
	for i := range evs {
		at[evs[i].ID] = i
		if j, ok := at[evs[i].Supersedes]; ok {
			if k%5 == 0 {
				evs[i], evs[j] = evs[j], evs[i]
				at[evs[i].ID], at[evs[j].ID] = i, j
			}
			k++
		}
	}
	return evs
}

// rebuild folds the whole stream with no snapshot.
func rebuild(t *testing.T, a *archive.Archive) *query.Engine {
	t.Helper()
	p := projector.New(a, query.NewEngine(), projector.Config{NoSnapshots: true, Gapless: true})
	if err := p.CatchUp(context.Background(), 0, nil); err != nil {
		t.Fatal(err)
	}
	p.Engine().Now = func() time.Time { return now }
	return p.Engine()
}

// corrections counts, for a snapshot at cut, the corrections stored after
// it whose event lies before it, and those stored before it whose event
// comes after it.
func corrections(g *query.Engine, cut uint64) (targetBefore, targetAfter int) {
	seqOf := map[string]uint64{}
	for s := range g.Stored() {
		if s.Event != nil {
			seqOf[s.Event.ID] = s.Seq
		}
	}
	for s := range g.Stored() {
		if s.Event == nil || s.Event.Supersedes == "" {
			continue
		}
		target, ok := seqOf[s.Event.Supersedes]
		switch {
		case !ok:
		case target <= cut && s.Seq > cut:
			targetBefore++
		case s.Seq <= cut && target > cut:
			targetAfter++
		}
	}
	return targetBefore, targetAfter
}

// cuts are the snapshot points tried: the middle, and where a correction
// after the point corrects an event before it, and the other way round.
func cuts(g *query.Engine) []uint64 {
	out := []uint64{g.LastSeq() / 2}
	seqOf := map[string]uint64{}
	for s := range g.Stored() {
		if s.Event != nil {
			seqOf[s.Event.ID] = s.Seq
		}
	}
	var before, after bool
	for s := range g.Stored() {
		if s.Event == nil || s.Event.Supersedes == "" {
			continue
		}
		switch target, ok := seqOf[s.Event.Supersedes]; {
		case ok && target < s.Seq && !before:
			before = true
			out = append(out, (target+s.Seq)/2)
		case ok && target > s.Seq && !after:
			after = true
			out = append(out, (target+s.Seq)/2)
		}
	}
	return out
}

// requests asks every view of the view table (query.Views): the moments
// of quarantinetest.Requests, the views it leaves out, and the archive as
// recorded at three moments around cut.
func requests(t *testing.T, g *query.Engine, story []events.Event, cut uint64) []query.Request {
	t.Helper()
	reqs := quarantinetest.Requests(story)
	far := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	reqs = append(reqs, query.Request{View: "replay", KnownAt: far}, query.Request{View: "quarantine"}, query.Request{View: "stories"})
	for s := range g.Stored() {
		if s.Seq+1 < cut || s.Seq > cut+1 || s.Recorded == 0 {
			continue
		}
		at := time.Unix(0, s.Recorded)
		reqs = append(reqs, query.Request{View: "timeline", AsRecorded: at}, query.Request{View: "quarantine", AsRecorded: at},
			query.Request{View: "board", Org: reqs[0].Org, At: far, KnownAt: far, AsRecorded: at})
	}
	asked := map[string]bool{}
	for _, r := range reqs {
		asked[r.View] = true
	}
	for _, v := range query.Views().Names() {
		if !asked[v] {
			t.Fatalf("no request of the view %s", v)
		}
	}
	return reqs
}

// answer is g's answer to r as JSON, or its error.
func answer(g *query.Engine, r query.Request) string {
	v, err := g.Answer(r)
	if err != nil {
		return "error: " + err.Error()
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "marshal: " + err.Error()
	}
	return string(b)
}

// TestSnapshotAndTailEqualRebuild is the property snapshots rest on:
// views restored from a snapshot and caught up with the records after it
// answer every question as views rebuilt from the whole stream do — for
// the bundled story, the invented one and a rough generated one, with
// junk quarantined on both sides of the snapshot and corrections whose
// event lies before the snapshot and after it.
func TestSnapshotAndTailEqualRebuild(t *testing.T) {
	n := 50_000
	if testing.Short() {
		n = 5000
	}
	for _, c := range []struct {
		name  string
		story func(*testing.T) []events.Event
		junk  int
	}{
		{"bundled", bundled, 60},
		{"invented", invented, 30},
		{"generated", func(*testing.T) []events.Event {
			return earlyCorrections(gen.Generate(gen.Config{Events: n, Seed: 21, Rough: true}))
		}, 300},
	} {
		t.Run(c.name, func(t *testing.T) {
			story := c.story(t)
			t0 := time.Now()
			a := stream(t, story, c.junk)
			t.Logf("stored in %v", time.Since(t0))
			whole := rebuild(t, a)
			rebuilt := map[string]string{} // the rebuilt views' answers, by request
			if len(whole.Quarantined()) == 0 {
				t.Fatal("nothing quarantined: the junk is missing")
			}
			var before, after int
			for _, cut := range cuts(whole) {
				b, af := corrections(whole, cut)
				before, after = before+b, after+af
				checkSnapshotAt(t, a, whole, rebuilt, story, cut)
			}
			if c.name == "generated" && (before == 0 || after == 0) {
				t.Fatalf("corrections across the snapshots: %d with their event before, %d after; want some of each", before, after)
			}
			t.Logf("%d records, %d quarantined; corrections across a snapshot: %d of an event before it, %d of one after it",
				whole.LastSeq(), len(whole.Quarantined()), before, after)
		})
	}
}

// checkSnapshotAt writes a snapshot of the views up to cut, restores new
// views from it and the records after it, and compares them with whole.
func checkSnapshotAt(t *testing.T, a *archive.Archive, whole *query.Engine, rebuilt map[string]string, story []events.Event, cut uint64) {
	t.Helper()
	ctx := context.Background()
	p := projector.New(a, query.NewEngine(), projector.Config{})
	if err := p.CatchUp(ctx, cut, nil); err != nil {
		t.Fatal(err)
	}
	if err := p.Save(ctx, nil); err != nil {
		t.Fatal(err)
	}
	var warned []string
	q := projector.New(a, query.NewEngine(), projector.Config{Warn: func(m string) { warned = append(warned, m) }})
	if err := q.Load(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if q.Saved() != cut || len(warned) > 0 {
		t.Fatalf("restored to seq %d, want %d; warned %q", q.Saved(), cut, warned)
	}
	if err := q.CatchUp(ctx, 0, nil); err != nil {
		t.Fatal(err)
	}
	g := q.Engine()
	g.Now = func() time.Time { return now }
	if g.LastSeq() != whole.LastSeq() || !slices.Equal(g.Quarantined(), whole.Quarantined()) {
		t.Fatalf("from seq %d: at seq %d with %d quarantined; rebuilt: seq %d, %d quarantined", cut, g.LastSeq(), len(g.Quarantined()), whole.LastSeq(), len(whole.Quarantined()))
	}
	reqs := requests(t, whole, story, cut)
	for _, r := range reqs {
		key, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		want, ok := rebuilt[string(key)]
		if !ok {
			want = answer(whole, r)
			rebuilt[string(key)] = want
		}
		if got := answer(g, r); got != want {
			t.Fatalf("snapshot at seq %d, %+v:\nfrom the snapshot %.400s\nrebuilt           %.400s", cut, r, got, want)
		}
	}
	t.Logf("snapshot at seq %d of %d: %d answers equal", cut, whole.LastSeq(), len(reqs))
}

// TestSnapshotSharedThroughTheBucket: on a server of one's own, a snapshot
// is also put in the STORY_SNAPSHOTS bucket, and a projector with another
// data dir (another machine) starts from it.
func TestSnapshotSharedThroughTheBucket(t *testing.T) {
	ctx := context.Background()
	url := archivetest.OpenServer(t)
	first := archivetest.Open(t, archive.Config{DataDir: t.TempDir(), NATSURL: url})
	story := invented(t)
	if _, err := first.Append(ctx, story, nil); err != nil {
		t.Fatal(err)
	}
	p, err := projector.Build(ctx, first, projector.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Save(ctx, nil); err != nil {
		t.Fatal(err)
	}
	second := archivetest.Open(t, archive.Config{DataDir: t.TempDir(), NATSURL: url})
	var warned []string
	q := projector.New(second, query.NewEngine(), projector.Config{Warn: func(m string) { warned = append(warned, m) }})
	if err := q.Load(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if q.Saved() != uint64(len(story)) || len(warned) > 0 {
		t.Fatalf("the second projector restored seq %d of %d from the bucket; warned %q", q.Saved(), len(story), warned)
	}
	g, whole := q.Engine(), rebuild(t, second)
	g.Now = whole.Now
	for _, r := range quarantinetest.Requests(story) {
		if got, want := answer(g, r), answer(whole, r); got != want {
			t.Fatalf("%+v: from the bucket's snapshot\n%.300s\nrebuilt\n%.300s", r, got, want)
		}
	}
}
