package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nats.go/micro"

	"storyline/archive"
	"storyline/archive/archivetest"
	"storyline/events"
	"storyline/gen"
	"storyline/poll"
	"storyline/projector"
	"storyline/query"
	"storyline/server"
	"storyline/snapshot"
)

// TestSharedSnapshotOnCluster: two `story serve` on one three-node cluster
// (--nats-url, --replicas 3). Serve A writes a snapshot of its views to
// the STORY_SNAPSHOTS bucket; more events are stored after it; serve B, on
// another machine (a fresh data dir), starts from A's snapshot rather than
// from seq 1, catches up the tail and answers as a fold of every event
// does. Then, with A and B both answering the micro service, A stops while
// queries go on: every query, the product's client's and a plain NATS
// client's, gets the right answer.
func TestSharedSnapshotOnCluster(t *testing.T) {
	began := time.Now()
	_, url := archivetest.Cluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	generated, invented := gen.Generate(gen.Config{Events: 6000, Seed: 11}), story(t)
	head := slices.Concat(generated[:5000], invented[:20])
	tail := slices.Concat(generated[5000:], invented[20:])
	all := slices.Concat(head, tail)
	writer := archivetest.Open(t, archive.Config{DataDir: t.TempDir(), NATSURL: url, Replicas: 3})

	// 1. Serve A writes a snapshot of the head to the bucket (its cadence
	// set to the head's size).
	dirA := t.TempDir()
	var logA lockedBuffer
	a := openShared(ctx, t, archive.Config{DataDir: dirA, NATSURL: url, Replicas: 3}, &logA, len(head))
	aOpen := true
	t.Cleanup(func() {
		if aOpen {
			checked(t, a.Close)
		}
	})
	if _, err := writer.Append(ctx, head, nil); err != nil {
		t.Fatal(err)
	}
	obs := snapshotBucket(ctx, t, url, &logA)
	poll.UntilErr(t, "serve A's snapshot in the bucket", func() error { return snapshotAt(ctx, obs, len(head)) })
	if st, err := obs.Status(ctx); err != nil || st.Replicas() != 3 {
		t.Fatalf("bucket %s: %v replicas (%v), want 3 as the stream", projector.SnapshotBucket, replicas(st), err)
	}

	// 2. More events after the snapshot.
	if _, err := writer.Append(ctx, tail, nil); err != nil {
		t.Fatal(err)
	}
	poll.Until(t, "serve A caught up", func() bool { _, seq := a.Applied(); return seq == uint64(len(all)) })
	if err := snapshotAt(ctx, obs, len(head)); err != nil {
		t.Fatalf("before serve B starts: %v", err)
	}

	// 3. Serve B, on another machine, starts from the bucket's snapshot and
	// catches up the tail before it answers. The serves of one archive
	// sign with one key: B's machine is given A's serve.key, so that
	// `story` commands (which check answers against serve.pub) take B's
	// answers as well; it holds nothing else.
	dirB := t.TempDir()
	copyKey(t, dirA, dirB)
	var logB lockedBuffer
	startB := time.Now()
	b := openShared(ctx, t, archive.Config{DataDir: dirB, NATSURL: url, Replicas: 3}, &logB, 0)
	t.Cleanup(func() { checked(t, b.Close) })
	readyB := time.Since(startB)
	seq, from := b.Restored()
	if seq != uint64(len(head)) || from != "bucket "+projector.SnapshotBucket {
		t.Fatalf("serve B restored seq %d from %q, want seq %d from the bucket; log:\n%s", seq, from, len(head), logB.String())
	}
	if l := logB.String(); !strings.Contains(l, fmt.Sprintf("views restored from snapshot\" seq=%d from=\"bucket %s\"", len(head), projector.SnapshotBucket)) ||
		strings.Contains(l, "refused") || strings.Contains(l, "rebuilding") {
		t.Fatalf("serve B's log does not say it started from the bucket's snapshot alone:\n%s", l)
	}
	if _, applied := b.Applied(); applied != uint64(len(all)) {
		t.Fatalf("serve B answers at seq %d, want %d", applied, len(all))
	}
	reqs, want := sharedQuestions(t, all, head)
	for i, r := range reqs {
		if got := answerOf(t, b, r); got != want[i] {
			t.Errorf("serve B, %+v:\n%.300s\nfolded from every event:\n%.300s", r, got, want[i])
		}
	}
	t.Logf("serve B: restored seq %d from %s, caught up %d events, ready in %v", seq, from, len(tail), readyB.Round(time.Millisecond))

	// 4. A stops while A and B answer queries.
	stats := askWhileStopping(ctx, t, url, dirA, a, reqs, want)
	aOpen = false
	n := answeredBy(ctx, t, url)
	if n == 0 || n >= stats.total {
		t.Fatalf("serve B answered %d of %d queries: both serves should have answered some", n, stats.total)
	}
	t.Logf("%d queries answered, %d by A, %d by B; %d were asked while A stopped (%v); A's log:\n%s",
		stats.total, stats.total-n, n, stats.during, stats.stop.Round(time.Millisecond), logA.String())
	t.Logf("took %v", time.Since(began).Round(time.Millisecond))
}

// openShared starts a serve of a server of one's own (cfg.NATSURL) with
// its own data dir and log; snapshotEvents, when not 0, is its snapshot
// cadence.
func openShared(ctx context.Context, t *testing.T, cfg archive.Config, log *lockedBuffer, snapshotEvents int) *server.Server {
	t.Helper()
	s, err := server.Open(ctx, server.Config{Archive: cfg, Log: slog.New(slog.NewTextHandler(log, nil)), SnapshotEvents: snapshotEvents}, query.NewEngine())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// snapshotBucket is the STORY_SNAPSHOTS bucket, once a serve (whose log is
// log) made it.
func snapshotBucket(ctx context.Context, t *testing.T, url string, log *lockedBuffer) jetstream.ObjectStore {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	var obs jetstream.ObjectStore
	poll.UntilErr(t, "the snapshot bucket", func() error {
		tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if obs, err = js.ObjectStore(tctx, projector.SnapshotBucket); err != nil {
			return fmt.Errorf("%w; the serve's log:\n%s", err, log.String())
		}
		return nil
	})
	return obs
}

// snapshotAt says whether the bucket's snapshot of STORY covers seq.
func snapshotAt(ctx context.Context, obs jetstream.ObjectStore, seq int) error {
	info, err := obs.GetInfo(ctx, "STORY")
	if err != nil {
		return err
	}
	if got := info.Metadata["seq"]; got != fmt.Sprint(seq) {
		return fmt.Errorf("the bucket's snapshot covers seq %s, want %d", got, seq)
	}
	return nil
}

func replicas(st jetstream.ObjectStoreStatus) int {
	if st == nil {
		return 0
	}
	return st.Replicas()
}

// copyKey gives the serve with data dir to the signing key of the one in
// from.
func copyKey(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(server.KeyFile(from))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(server.KeyFile(to), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// sharedQuestions are views of the invented and the generated story at
// several (at, known_at), with their answers from an engine folded from
// all; a good part of them differ without the tail.
func sharedQuestions(t *testing.T, all, head []events.Event) ([]query.Request, []string) {
	t.Helper()
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	clocks := [][2]time.Time{
		{day("2020-03-01"), day("2020-03-01")},
		{day("2020-06-20"), day("2020-06-20")}, // the generated tail
		{day("2020-07-10"), day("2020-06-01")}, // known before the tail
		{day("2024-02-16"), day("2024-02-16")}, // the invented head
		{day("2024-03-05"), day("2025-12-31")}, // the invented tail
		{day("2025-12-31"), day("2025-12-31")},
	}
	whole, before := engineOf(all), engineOf(head)
	var reqs []query.Request
	var want []string
	changed := 0
	for _, c := range clocks {
		for _, r := range []query.Request{
			{View: "board", Org: "org-1"}, {View: "board", Org: "halvorsen"},
			{View: "roles", Org: "org-2"}, {View: "roles", Org: "halvorsen-robotics"},
			{View: "status", Person: "person-7"}, {View: "status", Person: "李伟"},
			{View: "stakes", Org: "org-3"}, {View: "claims"}, {View: "sources"},
			{View: "timeline", Entity: "halvorsen-robotics"},
		} {
			r.At, r.KnownAt = c[0], c[1]
			w, err := whole.Answer(r)
			if err != nil {
				continue // not known then
			}
			reqs, want = append(reqs, r), append(want, marshal(t, w))
			if b, err := before.Answer(r); err != nil || marshal(t, b) != want[len(want)-1] {
				changed++
			}
		}
	}
	if len(reqs) < 40 || changed < 10 {
		t.Fatalf("%d questions, %d of them changed by the tail: want more", len(reqs), changed)
	}
	return reqs, want
}

func marshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func answerOf(t *testing.T, s *server.Server, r query.Request) string {
	t.Helper()
	v, err := s.Answer(r)
	if err != nil {
		return "error: " + err.Error()
	}
	return marshal(t, v)
}

// stopStats is what askWhileStopping saw: queries answered, how many were
// under way while A stopped, and how long its Close took.
type stopStats struct {
	total, during int
	stop          time.Duration
}

// asked is one query: when it was asked and answered, and what went wrong.
type asked struct {
	t0, t1 time.Time
	fail   string
}

// askWhileStopping asks reqs through the micro service from 16 goroutines,
// alternately as `story` does (a Client, signed answers only) and as any
// NATS client does (server.Query): 100 queries, then a's Close while they
// go on, then 100 more. Every answer must be want's; no query is retried
// (neither client does).
func askWhileStopping(ctx context.Context, t *testing.T, url, dirA string, a *server.Server, reqs []query.Request, want []string) stopStats {
	t.Helper()
	c, err := server.Find(ctx, archive.Config{NATSURL: url, DataDir: dirA})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	const maxQueries = 5000
	var (
		next, answered atomic.Int64
		stoppedAt      atomic.Int64 // queries answered when A's Close returned
		hundred        = make(chan struct{})
		stopped        = make(chan struct{})
		once           sync.Once
		log            = make([]asked, maxQueries)
		stopStart      time.Time
		stopTook       time.Duration
	)
	go func() {
		<-hundred
		stopStart = time.Now()
		checked(t, a.Close)
		stopTook = time.Since(stopStart)
		stoppedAt.Store(answered.Load())
		close(stopped)
	}()
	ask := func(i int) asked {
		r := reqs[i%len(reqs)]
		q := asked{t0: time.Now()}
		qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		var got json.RawMessage
		var err error
		if i%2 == 0 {
			got, err = c.Query(qctx, r)
		} else {
			got, err = server.Query(qctx, nc, r)
		}
		q.t1 = time.Now()
		switch {
		case err != nil:
			q.fail = fmt.Sprintf("query %d (%s, after %v): %v", i, r.View, q.t1.Sub(q.t0).Round(time.Millisecond), err)
		case string(got) != want[i%len(want)]:
			q.fail = fmt.Sprintf("query %d (%+v): wrong answer %.200s", i, r, got)
		}
		return q
	}
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for {
				select {
				case <-stopped:
					if answered.Load() >= stoppedAt.Load()+100 {
						return
					}
				default:
				}
				i := int(next.Add(1) - 1)
				if i >= maxQueries {
					return
				}
				log[i] = ask(i)
				if answered.Add(1) == 100 {
					once.Do(func() { close(hundred) })
				}
			}
		})
	}
	wg.Wait()
	<-stopped
	n := min(int(next.Load()), maxQueries)
	var failures []string
	during := 0
	stopEnd := stopStart.Add(stopTook)
	for _, q := range log[:n] {
		if q.fail != "" {
			failures = append(failures, q.fail)
		}
		if q.t0.Before(stopEnd) && q.t1.After(stopStart) {
			during++
		}
	}
	if len(failures) > 0 {
		t.Fatalf("%d of %d queries failed while serve A stopped:\n%s", len(failures), n, strings.Join(failures[:min(len(failures), 20)], "\n"))
	}
	if n >= maxQueries {
		t.Fatalf("serve A took over %d queries to stop", maxQueries)
	}
	return stopStats{total: n, during: during, stop: stopTook}
}

// answeredBy is how many queries the serves answering the micro service at
// url answered, by their stats; asked when only one answers.
func answeredBy(ctx context.Context, t *testing.T, url string) int {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	msg, err := nc.RequestWithContext(ctx, "$SRV.STATS.story", nil)
	if err != nil {
		t.Fatal(err)
	}
	var st micro.Stats
	if err := json.Unmarshal(msg.Data, &st); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range st.Endpoints {
		if e.NumErrors > 0 {
			t.Errorf("endpoint %s: %d errors (%s)", e.Name, e.NumErrors, e.LastError)
		}
		n += e.NumRequests
	}
	return n
}

// TestRefusedSharedSnapshot: a serve on a fresh data dir whose only
// snapshot is the bucket's refuses it when it is damaged, cut short or of
// another stream, says so in one log line, rebuilds the views from the
// stream and answers right; on its clean stop a good snapshot replaces the
// refused one, from which the next serve starts.
func TestRefusedSharedSnapshot(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	url := archivetest.OpenServer(t)
	evs := story(t)
	writer := archivetest.Open(t, archive.Config{DataDir: t.TempDir(), NATSURL: url})
	if _, err := writer.Append(ctx, evs, nil); err != nil {
		t.Fatal(err)
	}
	serve := func(log *lockedBuffer) *server.Server {
		s := openShared(ctx, t, archive.Config{DataDir: t.TempDir(), NATSURL: url}, log, 0)
		if _, seq := s.Applied(); seq != uint64(len(evs)) {
			t.Fatalf("serve answers at seq %d, want %d", seq, len(evs))
		}
		return s
	}
	var first lockedBuffer
	checked(t, serve(&first).Close) // a clean stop writes the good snapshot
	obs := snapshotBucket(ctx, t, url, &first)
	if err := snapshotAt(ctx, obs, len(evs)); err != nil {
		t.Fatal(err)
	}
	good, err := obs.GetBytes(ctx, "STORY")
	if err != nil {
		t.Fatal(err)
	}
	flipped := slices.Clone(good)
	flipped[len(flipped)/2] ^= 0x20
	whole := engineOf(evs)
	at := time.Date(2025, 3, 5, 12, 0, 0, 0, time.UTC)
	reqs := []query.Request{
		{View: "board", Org: "halvorsen", At: at, KnownAt: at}, {View: "claims", At: at, KnownAt: at},
		{View: "timeline", Entity: "halvorsen-robotics", At: at, KnownAt: at},
	}
	for _, c := range []struct {
		name string
		file []byte
		why  string
	}{
		{"a flipped byte", flipped, "snapshot damaged: checksum mismatch"},
		{"truncated", good[:len(good)/2], "snapshot cut short"},
		{"another stream's", otherStream(t, evs, "ELSEWHERE"), "it is of stream ELSEWHERE, not STORY"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := obs.PutBytes(ctx, "STORY", c.file); err != nil {
				t.Fatal(err)
			}
			var log lockedBuffer
			s := serve(&log)
			defer checked(t, s.Close)
			if seq, from := s.Restored(); seq != 0 || from != "" {
				t.Fatalf("restored seq %d from %q, want a rebuild", seq, from)
			}
			var refused []string
			for l := range strings.Lines(log.String()) {
				if strings.Contains(l, "refused") {
					refused = append(refused, l)
				}
			}
			if len(refused) != 1 || !strings.Contains(refused[0], "level=WARN") ||
				!strings.Contains(refused[0], "snapshot bucket "+projector.SnapshotBucket+" refused: ") ||
				!strings.Contains(refused[0], c.why) || !strings.Contains(refused[0], "; the views are rebuilt from the stream") {
				t.Fatalf("want one log line naming %q; log:\n%s", c.why, log.String())
			}
			for _, r := range reqs {
				want, err := whole.Answer(r)
				if err != nil {
					t.Fatal(err)
				}
				if got := answerOf(t, s, r); got != marshal(t, want) {
					t.Errorf("%+v after the refusal:\n%.300s\nwant\n%.300s", r, got, marshal(t, want))
				}
			}
		})
	}
	// The last serve's clean stop put a good snapshot in the bucket.
	var last lockedBuffer
	s := serve(&last)
	defer checked(t, s.Close)
	if seq, from := s.Restored(); seq != uint64(len(evs)) || from != "bucket "+projector.SnapshotBucket {
		t.Fatalf("after the refusals: restored seq %d from %q, want %d from the bucket; log:\n%s", seq, from, len(evs), last.String())
	}
}

// otherStream is a snapshot of the views of evs, stamped as one of stream.
func otherStream(t *testing.T, evs []events.Event, stream string) []byte {
	t.Helper()
	var out bytes.Buffer
	stamp := snapshot.Stamp{Stream: stream, Seq: uint64(len(evs))}
	if _, err := snapshot.Write(&out, snapshot.Header{Stamp: stamp}, engineOf(evs)); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
