package bench_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"storyline/bench"
)

// TestRun runs every phase on a small story and checks that each figure is
// filled in and consistent. It asserts no speed: the machine is shared.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	phases := map[string]bool{}
	rep, err := bench.Run(context.Background(), bench.Config{
		Events: 2000, DataDir: dir, Queries: 300, ServeQueries: 20, WatchEvents: 30,
		Progress: func(phase string, done, total int) {
			if done < 0 || done > total {
				t.Errorf("progress %s: %d of %d", phase, done, total)
			}
			phases[phase] = true
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Events != 2000 {
		t.Errorf("events = %d", rep.Events)
	}
	for name, p := range map[string]bench.Pair{"import": rep.Import, "import_lazy": rep.ImportLazy, "rebuild": rep.Rebuild} {
		if p.StoryEPS <= 0 || p.RawEPS <= 0 {
			t.Errorf("%s: %+v", name, p)
		}
		if math.Abs(p.Ratio-p.StoryEPS/p.RawEPS) > 1e-9 {
			t.Errorf("%s: ratio %v, want story/raw = %v", name, p.Ratio, p.StoryEPS/p.RawEPS)
		}
	}
	// 2,000 events is below every standard size class: only its own.
	if len(rep.AsOf) != 2 {
		t.Fatalf("asof: %+v", rep.AsOf)
	}
	views := map[string]bool{}
	for _, a := range rep.AsOf {
		views[a.View] = true
		if a.Events != 2000 || a.Queries != 300 || a.P50us <= 0 || a.P50us > a.P99us {
			t.Errorf("asof: %+v", a)
		}
	}
	if !views["board"] || !views["status"] {
		t.Errorf("asof views: %v", views)
	}
	if rep.IndexBytesPerEvent <= 0 || rep.ViewsBytesPerEvent <= rep.IndexBytesPerEvent {
		t.Errorf("index %v bytes/event, views %v bytes/event", rep.IndexBytesPerEvent, rep.ViewsBytesPerEvent)
	}
	if rep.ServeQueryMS <= 0 || rep.ServeQueryMS > rep.ServeQueryP99MS {
		t.Errorf("serve query: median %v, p99 %v", rep.ServeQueryMS, rep.ServeQueryP99MS)
	}
	if rep.WatchP50MS <= 0 || rep.WatchP50MS > rep.WatchP99MS {
		t.Errorf("watch: p50 %v, p99 %v", rep.WatchP50MS, rep.WatchP99MS)
	}
	if rep.ParseEPS <= 0 || rep.ServeStartS <= 0 || rep.ServeBytesPerEvent <= 0 || rep.PayloadBytes < 100 || rep.Machine.CPUs < 1 || rep.Go == "" || rep.NATSServer == "" {
		t.Errorf("extras: %+v", rep)
	}
	checkSnapshot(t, rep)
	// No story executable: the process phases are not run, and say so.
	if rep.ColdQueryMS != 0 || rep.ColdQueryTailMS != 0 || rep.ServeReadyS != 0 || rep.ServeRSSBytesPerEvent != 0 || rep.TailEvents != 0 {
		t.Errorf("process figures without a story executable: %+v", rep)
	}
	if len(rep.Notes) != 1 || !strings.Contains(rep.Notes[0], "cold_query_ms") {
		t.Errorf("notes: %q", rep.Notes)
	}
	for _, p := range []string{bench.PhaseParse, bench.PhaseImport, bench.PhaseRawBatch, bench.PhaseImportLazy, bench.PhaseRawAsync,
		bench.PhaseRawRead, bench.PhaseRebuild, bench.PhaseAsOf, bench.PhaseServeStart, bench.PhaseServe, bench.PhaseWatch, bench.PhaseSnapshot} {
		if !phases[p] {
			t.Errorf("no progress for phase %q", p)
		}
	}
	// The scratch archives are gone; nothing else was put in DataDir.
	if left, err := os.ReadDir(dir); err != nil || len(left) != 0 {
		t.Errorf("data dir after the run: %v %v", left, err)
	}

	// The JSON keys are the ones DESIGN.md promises.
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s", b)
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"events", "import", "import_lazy", "rebuild", "asof", "index_bytes_per_event", "serve_query_ms", "watch_p50_ms", "watch_p99_ms"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, b)
		}
	}
	if !strings.Contains(string(m["import"]), `"story_eps"`) || !strings.Contains(string(m["asof"]), `"p99_us"`) {
		t.Errorf("JSON shape: %s", b)
	}

	rows := rep.Rows()
	targets := 0
	for _, r := range rows {
		if r.Target != "" {
			targets++
			if r.Met != "yes" && r.Met != "no" {
				t.Errorf("row %+v: met?", r)
			}
		}
	}
	// import ×2, rebuild, as-of p99 ×2, index, serve, watch; no growth
	// rows with a single size, none for the figures not measured.
	if targets != 8 {
		t.Errorf("%d rows with targets: %+v", targets, rows)
	}
}

// checkSnapshot checks the snapshot figures: the story and the watch
// phase's events, each a few hundred bytes.
func checkSnapshot(t *testing.T, rep bench.Report) {
	t.Helper()
	if rep.SnapshotEvents <= rep.Events || rep.SnapshotWriteS <= 0 || rep.SnapshotBytesPerEvent < 50 || rep.SnapshotBytesPerEvent > 2000 {
		t.Errorf("snapshot: %d events, %v bytes per event, written in %v s", rep.SnapshotEvents, rep.SnapshotBytesPerEvent, rep.SnapshotWriteS)
	}
}

// TestRunProcesses runs the phases that start story processes (one-shot
// boards, serve restarts) with a story executable built for the test, on
// a small story, and checks each figure is filled in and sane. It asserts
// no speed.
func TestRunProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the story command")
	}
	story := buildStory(t)
	dir := t.TempDir()
	phases := map[string]bool{}
	rep, err := bench.Run(context.Background(), bench.Config{
		Events: 3000, DataDir: dir, Queries: 100, ServeQueries: 10, WatchEvents: 10,
		Story: story, ColdRuns: 2, ServeRuns: 2, TailEvents: 1000,
		Progress: func(phase string, done, total int) { phases[phase] = true },
	})
	if err != nil {
		t.Fatal(err)
	}
	checkSnapshot(t, rep)
	if rep.ColdQueryMS <= 0 || rep.ColdQueryTailMS <= 0 || rep.TailEvents != 1000 {
		t.Errorf("cold query %v ms, with a tail of %d events %v ms", rep.ColdQueryMS, rep.TailEvents, rep.ColdQueryTailMS)
	}
	// A serve holds at least its views of the events, and a Go process
	// and a NATS server hold megabytes of their own.
	if rep.ServeReadyS <= 0 || rep.ServeRSSBytesPerEvent*float64(rep.SnapshotEvents) < 10<<20 || rep.ServeRSSSettledBytesPerEvent*float64(rep.SnapshotEvents) < 10<<20 {
		t.Errorf("serve ready in %v s, %v bytes per event resident, %v once settled", rep.ServeReadyS, rep.ServeRSSBytesPerEvent, rep.ServeRSSSettledBytesPerEvent)
	}
	for _, p := range []string{bench.PhaseSnapshot, bench.PhaseColdQuery, bench.PhaseServeReady, bench.PhaseTail, bench.PhaseColdTail} {
		if !phases[p] {
			t.Errorf("no progress for phase %q", p)
		}
	}
	targets := 0
	for _, r := range rep.Rows() {
		if r.Target != "" {
			targets++
		}
	}
	if targets != 13 {
		t.Errorf("%d rows with targets, want the 8 of TestRun and 5 of a start from a snapshot: %+v", targets, rep.Rows())
	}
	if left, err := os.ReadDir(dir); err != nil || len(left) != 0 {
		t.Errorf("data dir after the run: %v %v", left, err)
	}
	t.Logf("notes: %q", rep.Notes)
	if rep.ServeRSSSteadyBytesPerEvent != 0 || !slices.ContainsFunc(rep.Notes, func(n string) bool { return strings.Contains(n, "--steady") }) {
		t.Errorf("without Steady: steady figure %v, notes %q", rep.ServeRSSSteadyBytesPerEvent, rep.Notes)
	}
}

// buildStory builds the story command into a temporary directory: the
// bench runs it as a process, and this test binary is not it.
func buildStory(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to build story with: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "story")
	if out, err := exec.Command(goTool, "build", "-o", bin, "storyline/cmd/story").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func TestRunRejectsTinyStory(t *testing.T) {
	if _, err := bench.Run(context.Background(), bench.Config{Events: 10}); err == nil || !strings.Contains(err.Error(), "events") {
		t.Errorf("err = %v", err)
	}
}
