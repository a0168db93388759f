package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

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

// childEnv makes the test binary act as the story command, so crash tests
// can kill a real process without building one.
const childEnv = "STORY_TEST_AS_COMMAND"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// storyProcess starts `story args...` as a separate process.
func storyProcess(t *testing.T, stderr *bytes.Buffer, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.Stdout = new(bytes.Buffer)
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// genFile writes n generated events as a .jsonl file and returns its path
// and the events.
func genFile(t *testing.T, n int, seed uint64) (string, []events.Event) {
	t.Helper()
	evs := gen.Generate(gen.Config{Events: n, Seed: seed})
	path := filepath.Join(t.TempDir(), "story.jsonl")
	var b bytes.Buffer
	for i := range evs {
		b.Write(evs[i].Canonical())
		b.WriteByte('\n')
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, evs
}

// ackedIDs reads an --ack-log; a line cut short by the kill is ignored.
func ackedIDs(t *testing.T, path string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		if len(line) == 36 {
			ids[line] = true
		}
	}
	return ids
}

// countLines counts whole lines in a file that another process appends to.
func countLines(path string) int {
	b, _ := os.ReadFile(path)
	return bytes.Count(b, []byte{'\n'})
}

// storedIDs reads the whole archive and returns how often each id is stored.
func storedIDs(t *testing.T, dir string) map[string]int {
	t.Helper()
	a, err := archive.Open(context.Background(), archive.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer archivetest.Close(t, a)
	ids := map[string]int{}
	err = a.Records(context.Background(), 1, func(r archive.Record) error {
		if r.Err != nil {
			return fmt.Errorf("seq %d: %w", r.Seq, r.Err)
		}
		ids[r.Event.ID]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Verify(context.Background(), nil); err != nil {
		t.Fatalf("verify: %v", err)
	}
	return ids
}

// crashEvents is the size of the import killed in the test command. The
// long run (100,000 events, recorded in RELIABILITY.md) sets
// STORY_CRASH_EVENTS=100000.
func crashEvents(t *testing.T) int {
	if v := os.Getenv("STORY_CRASH_EVENTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1000 {
			t.Fatalf("STORY_CRASH_EVENTS=%q: want a number ≥ 1000", v)
		}
		return n
	}
	return 20000
}

// TestKill9DuringImport kills `story import` with SIGKILL at random points,
// ten times, re-running the same import after each kill; then lets it
// finish. Every event the killed processes had been told was stored must be
// there, every event exactly once, and nothing else.
func TestKill9DuringImport(t *testing.T) {
	if testing.Short() {
		t.Skip("kills real processes")
	}
	n := crashEvents(t)
	seed := uint64(time.Now().UnixNano())
	t.Logf("%d events, seed %d", n, seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	file, evs := genFile(t, n, 11)
	dir := t.TempDir()
	ackLog := filepath.Join(t.TempDir(), "acks")
	kills := 0
	for kills < 10 {
		before := countLines(ackLog)
		if before >= n {
			t.Fatalf("import finished before kill %d; too few events to kill it ten times", kills+1)
		}
		// Kill once the import has got a random way further, then a
		// random moment later, so kills land in validation, between
		// batches and while a batch is in flight.
		target := before + 1 + rng.IntN(max(1, (n-before)/6))
		var stderr bytes.Buffer
		cmd := storyProcess(t, &stderr, "import", file, "--data-dir", dir, "--ack-log", ackLog)
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		poll.UntilErr(t, fmt.Sprintf("the import to acknowledge %d events", target), func() error {
			select {
			case err := <-exited:
				t.Fatalf("import ended before kill %d (at %d of %d acknowledged): %v\n%s", kills+1, countLines(ackLog), n, err, stderr.String())
			default:
			}
			if got := countLines(ackLog); got < target {
				return fmt.Errorf("%d acknowledged", got)
			}
			return nil
		})
		// Jitter, not synchronisation: the kill lands a random moment
		// later, in validation, between batches or mid-batch.
		time.Sleep(time.Duration(rng.IntN(20)) * time.Millisecond)
		killed := cmd.Process.Signal(syscall.SIGKILL) == nil
		if err := <-exited; err != nil && cmd.ProcessState.Exited() {
			// It ended by itself, not by the kill: a finished import is
			// caught on the next round, a failed one here.
			t.Fatalf("import failed before kill %d: %v\n%s", kills+1, err, stderr.String())
		}
		if killed {
			kills++
			t.Logf("kill %d at %d acknowledged (target %d)", kills, countLines(ackLog), target)
		}
	}
	acked := ackedIDs(t, ackLog)
	stored := storedIDs(t, dir)
	for id := range acked {
		if stored[id] != 1 {
			t.Fatalf("acknowledged event %s stored %d times after the kills", id, stored[id])
		}
	}
	t.Logf("after %d kills: %d acknowledged, %d stored", kills, len(acked), len(stored))

	var stderr bytes.Buffer
	cmd := storyProcess(t, &stderr, "import", file, "--data-dir", dir, "--ack-log", ackLog)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("final import: %v\n%s", err, stderr.String())
	}
	stored = storedIDs(t, dir)
	if len(stored) != n {
		t.Fatalf("%d distinct events stored, want %d", len(stored), n)
	}
	for i := range evs {
		if c := stored[evs[i].ID]; c != 1 {
			t.Fatalf("event %s stored %d times", evs[i].ID, c)
		}
	}
	t.Logf("kill -9 ×%d during a %d-event import: %d stored, 0 lost, 0 duplicated", kills, n, len(stored))
}

// TestSIGTERMDuringImportStopsCleanly interrupts an import politely: it
// finishes the batch in flight, says how far it got, and exits; what is
// stored is exactly what was acknowledged, and the same import completes it.
func TestSIGTERMDuringImportStopsCleanly(t *testing.T) {
	if testing.Short() {
		t.Skip("signals real processes")
	}
	const n = 20000
	file, _ := genFile(t, n, 12)
	dir := t.TempDir()
	ackLog := filepath.Join(t.TempDir(), "acks")
	var stderr bytes.Buffer
	cmd := storyProcess(t, &stderr, "import", file, "--data-dir", dir, "--ack-log", ackLog)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	poll.UntilErr(t, "the import to acknowledge 2000 events", func() error {
		select {
		case err := <-exited:
			t.Fatalf("import ended before SIGTERM: %v\n%s", err, stderr.String())
		default:
		}
		if got := countLines(ackLog); got < 2000 {
			return fmt.Errorf("%d acknowledged", got)
		}
		return nil
	})
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := <-exited
	if cmd.ProcessState.ExitCode() != 1 || !strings.Contains(stderr.String(), "run the same import again") {
		t.Fatalf("after SIGTERM: %v, exit %d, stderr %q", err, cmd.ProcessState.ExitCode(), stderr.String())
	}
	acked := ackedIDs(t, ackLog)
	stored := storedIDs(t, dir)
	if len(acked) == n {
		t.Fatal("import finished before SIGTERM")
	}
	if len(stored) != len(acked) {
		t.Fatalf("%d stored, %d acknowledged: a clean stop stores exactly what it acknowledged", len(stored), len(acked))
	}
	for id := range acked {
		if stored[id] != 1 {
			t.Fatalf("acknowledged event %s stored %d times", id, stored[id])
		}
	}
	t.Logf("SIGTERM at %d of %d: %s", len(acked), n, strings.TrimSpace(stderr.String()))
	out := mustStory(t, dir, "import", file, "--json")
	var res importResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.Stored != n-len(acked) || res.Present != len(acked) {
		t.Fatalf("import after SIGTERM: %+v; want %d stored, %d present", res, n-len(acked), len(acked))
	}
}

// TestProjectorKilledDuringRebuildResumes kills `story serve` with SIGKILL
// while it rebuilds its views, after it wrote a snapshot; the next start
// resumes from the snapshot, and its views hash the same as a clean
// rebuild's.
func TestProjectorKilledDuringRebuildResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("kills real processes")
	}
	const n = 60000
	dir := t.TempDir()
	evs := gen.Generate(gen.Config{Events: n, Seed: 13})
	a, err := archive.Open(context.Background(), archive.Config{DataDir: dir, LazySync: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Append(context.Background(), evs, nil); err != nil {
		t.Fatal(err)
	}
	archivetest.Close(t, a)

	snap := projector.Path(dir, "STORY")
	tStart := time.Now()
	var stderr bytes.Buffer
	cmd := storyProcess(t, &stderr, "serve", "--data-dir", dir, "--listen", "127.0.0.1:-1", "--http", "",
		"--snapshot-events", "5000", "--skip-verify")
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	poll.Until(t, "serve's first snapshot", func() bool {
		select {
		case err := <-exited:
			t.Fatalf("serve ended: %v\n%s", err, stderr.String())
		default:
		}
		_, err := os.Stat(snap)
		return err == nil
	})
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := <-exited; cmd.ProcessState.Exited() {
		t.Fatalf("serve ended by itself before the kill: %v\n%s", err, stderr.String())
	}
	at := snapshotSeq(t, snap)
	if at == 0 || at >= n {
		t.Fatalf("snapshot at seq %d of %d: not killed during the rebuild", at, n)
	}
	// The killed serve's record of its address, which it wrote on starting.
	if err := os.Remove(filepath.Join(dir, "serve.json")); err != nil {
		t.Fatal(err)
	}

	t.Logf("killed after %v", time.Since(tStart))
	var log lockedBuffer
	tOpen := time.Now()
	s, err := server.Open(context.Background(), server.Config{
		Archive: archive.Config{DataDir: dir, Listen: "127.0.0.1:-1"},
		Log:     slog.New(slog.NewTextHandler(&log, nil)),
	}, query.NewEngine())
	if err != nil {
		t.Fatal(err)
	}
	defer checked(t, s.Close)
	t.Logf("open took %v", time.Since(tOpen))
	if want := fmt.Sprintf("msg=\"views restored from snapshot\" seq=%d", at); !strings.Contains(log.String(), want) {
		t.Fatalf("serve did not resume from the snapshot (%q):\n%s\nchild:\n%s", want, log.String(), stderr.String())
	}
	if _, seq := s.Applied(); seq != n {
		t.Fatalf("views at seq %d after start, want %d", seq, n)
	}
	clean := query.NewEngine()
	for i := range evs {
		clean.Apply(uint64(i+1), &evs[i])
	}
	t0 := time.Now()
	resumed, rebuilt := viewsHash(t, evs, s.Answer), viewsHash(t, evs, clean.Answer)
	t.Logf("hash took %v", time.Since(t0))
	if resumed != rebuilt {
		t.Fatalf("views after resuming at seq %d hash %s, a clean rebuild %s", at, resumed, rebuilt)
	}
	t.Logf("killed during rebuild at snapshot seq %d of %d; resumed views hash %s = clean rebuild", at, n, resumed)
}

// snapshotSeq is the last sequence the snapshot at path covers.
func snapshotSeq(t *testing.T, path string) uint64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer checked(t, f.Close)
	rd, err := snapshot.NewReader(f)
	if err != nil {
		t.Fatalf("snapshot %s: %v", path, err)
	}
	return rd.Header().Seq
}

// viewsHash hashes the answers of every view about every organisation and
// person of evs, now and at a few moments on both clocks.
func viewsHash(t *testing.T, evs []events.Event, answer func(query.Request) (any, error)) string {
	t.Helper()
	var orgs, people []string
	for i := range evs {
		if en, ok := evs[i].Data.(*events.EntityDescription); ok {
			if en.Kind == events.Person {
				people = append(people, en.ID)
			} else {
				orgs = append(orgs, en.ID)
			}
		}
	}
	slices.Sort(orgs)
	slices.Sort(people)
	far := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	moments := []time.Time{far}
	for _, i := range []int{len(evs) / 4, len(evs) / 2, len(evs) * 3 / 4} {
		moments = append(moments, evs[i].OccurredAt)
	}
	var reqs []query.Request
	for _, at := range moments {
		for _, known := range []time.Time{at, far} {
			for _, o := range orgs {
				reqs = append(reqs, query.Request{View: "board", Org: o, At: at, KnownAt: known},
					query.Request{View: "roles", Org: o, At: at, KnownAt: known},
					query.Request{View: "stakes", Org: o, At: at, KnownAt: known})
			}
			for _, p := range people {
				reqs = append(reqs, query.Request{View: "status", Person: p, At: at, KnownAt: known})
			}
			reqs = append(reqs, query.Request{View: "claims", At: at, KnownAt: known},
				query.Request{View: "sources", At: at, KnownAt: known})
		}
	}
	h := sha256.New()
	for _, r := range reqs {
		key, _ := json.Marshal(r)
		v, err := answer(r)
		b, _ := json.Marshal(v)
		fmt.Fprintf(h, "%s\n%v\n%s\n", key, err, b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
