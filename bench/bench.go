package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"

	"storyline/archive"
	"storyline/events"
	"storyline/gen"
	"storyline/projector"
	"storyline/query"
)

// Config says what to measure. The zero value of each field means its
// default.
type Config struct {
	// Events is the size of the synthetic story. Default 100,000; at
	// least 1,000 (smaller stories have too few orgs and people to ask
	// random questions of).
	Events int
	// Seed of the synthetic story (see package gen). Default 1.
	Seed uint64
	// DataDir is where the scratch directory holding the archives is made
	// (default: the system's temp dir), e.g. to measure another disk.
	// Only the scratch directory is created and removed afterwards;
	// nothing else in DataDir is touched.
	DataDir string
	// Queries is the number of as-of questions timed per view and size.
	// Default 5,000.
	Queries int
	// ServeQueries is the number of queries timed against the running
	// server. Default 200.
	ServeQueries int
	// WatchEvents is the number of events published one at a time for the
	// publish → watch latency. Default 500.
	WatchEvents int
	// Story is the story executable the process phases run: one-shot
	// `story board` commands and restarts of `story serve` on the bench's
	// archive (`story bench` passes its own). Empty: those phases are not
	// run, their figures stay 0 and Report.Notes says so.
	Story string
	// ColdRuns is how many times each one-shot `story board` is timed,
	// after one run that is not. Default 5.
	ColdRuns int
	// ServeRuns is how many times `story serve` is restarted and timed.
	// Default 3.
	ServeRuns int
	// Steady: the last restart of `story serve` also waits until serve has
	// handed back what the embedded server kept for its verification's
	// read, about two and a quarter minutes after it (server.Settled,
	// "read state"), and reads its resident memory then.
	Steady bool
	// TailEvents is how many events are appended after the snapshot for
	// the cold query with a tail. Default 10,000.
	TailEvents int
	// Progress, if set, is told how far a phase got (done of total), at
	// its start and end and every so often in between.
	Progress func(phase string, done, total int)
}

// The phases, as Progress names them and as the pprof label "phase" of a
// CPU profile of the run names them.
const (
	PhaseGenerate   = "generate"
	PhaseDisk       = "disk-fsync"
	PhaseParse      = "parse"
	PhaseIndex      = "index-memory"
	PhaseImport     = "import-fsync"
	PhaseRawBatch   = "raw-batch-fsync"
	PhaseImportLazy = "import-lazy"
	PhaseRawAsync   = "raw-async-lazy"
	PhaseRawRead    = "raw-read"
	PhaseRebuild    = "rebuild"
	PhaseAsOf       = "asof"
	PhaseServeStart = "serve-start"
	PhaseServe      = "serve-query"
	PhaseWatch      = "watch"
	PhaseSnapshot   = "snapshot-write"
	PhaseColdQuery  = "cold-query"
	PhaseServeReady = "serve-ready"
	PhaseTail       = "tail-append"
	PhaseColdTail   = "cold-query-tail"
)

func (c *Config) setDefaults() error {
	if c.Events == 0 {
		c.Events = 100_000
	}
	if c.Events < 1000 {
		return fmt.Errorf("bench: events: %d (want at least 1000)", c.Events)
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	for _, d := range []struct {
		field *int
		def   int
	}{
		{&c.Queries, 5000}, {&c.ServeQueries, 200}, {&c.WatchEvents, 500},
		{&c.ColdRuns, 5}, {&c.ServeRuns, 3}, {&c.TailEvents, 10_000},
	} {
		if *d.field <= 0 {
			*d.field = d.def
		}
	}
	return nil
}

// Pair is one of Storyline's figures next to its plain-JetStream baseline,
// in events (messages) per second. Ratio is StoryEPS / RawEPS.
type Pair struct {
	StoryEPS float64 `json:"story_eps"`
	RawEPS   float64 `json:"raw_eps"`
	Ratio    float64 `json:"ratio"`
}

func pair(n int, story, raw time.Duration) Pair {
	p := Pair{StoryEPS: eps(n, story), RawEPS: eps(n, raw)}
	if p.RawEPS > 0 {
		p.Ratio = p.StoryEPS / p.RawEPS
	}
	return p
}

func eps(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// AsOf is the latency of one view's as-of questions on an index of Events
// events.
type AsOf struct {
	Events  int     `json:"events"`
	View    string  `json:"view"`
	P50us   float64 `json:"p50_us"`
	P99us   float64 `json:"p99_us"`
	Queries int     `json:"queries"`
	// WarmP50us is the p50 of each question asked a second time right
	// after the first, its data then in the CPU caches.
	WarmP50us float64 `json:"warm_p50_us"`
}

// Machine describes where the figures were measured.
type Machine struct {
	CPUs int    `json:"cpus"`
	CPU  string `json:"cpu"`
	OS   string `json:"os"`
	Arch string `json:"arch"`
	// Load averages over one minute from /proc/loadavg (-1 where there
	// is none), when the run started and when it ended: other work on the
	// machine shows in every figure.
	LoadStart float64 `json:"load_start"`
	LoadEnd   float64 `json:"load_end"`
}

// Report is what Run measured. The JSON field names are those of issue 7
// and DESIGN.md; fields may be added, never renamed.
type Report struct {
	Events int `json:"events"`
	// Import: Archive.Append with fsync on every write (stored-once
	// look-ups, hash chain, atomic batches) vs jetstreamext.PublishMsgBatch
	// of the same payloads in batches of 500 to a plain stream on the
	// archive's embedded server (same data dir and settings).
	Import Pair `json:"import"`
	// ImportLazy: Archive.Append with the lazy default vs a plain async
	// publish (nats.go's default window) to a plain lazy stream.
	ImportLazy Pair `json:"import_lazy"`
	// Rebuild: every view folded from the whole archive (read, decode,
	// index) vs a plain ordered-consumer read of the same stream.
	Rebuild Pair   `json:"rebuild"`
	AsOf    []AsOf `json:"asof"`
	// IndexBytesPerEvent is the heap the view index adds over the events
	// it indexes, per event.
	IndexBytesPerEvent float64 `json:"index_bytes_per_event"`
	// ServeQueryMS is the median of a query through a running `story
	// serve`: find the server, connect, ask its micro service, decode the
	// JSON answer.
	ServeQueryMS float64 `json:"serve_query_ms"`
	// WatchP50MS and WatchP99MS: from the start of Archive.Publish of one
	// event to its delivery to a watcher, both connected to the server
	// over loopback as `story publish` and `story watch` are.
	WatchP50MS float64 `json:"watch_p50_ms"`
	WatchP99MS float64 `json:"watch_p99_ms"`

	// Extras.

	// ParseEPS is reading the story as `story import` reads a .jsonl file:
	// strict decoding and validation of every line. Import does not
	// include it.
	ParseEPS float64 `json:"parse_eps"`
	// ViewsBytesPerEvent is the heap of the whole rebuilt view state per
	// event: the decoded events and the index.
	ViewsBytesPerEvent float64 `json:"views_bytes_per_event"`
	ServeQueryP99MS    float64 `json:"serve_query_p99_ms"`
	// PublishP50MS and PublishP99MS time the Archive.Publish calls of the
	// watch phase alone (look-ups, the write with its fsync, the chain
	// head file with its own fsync): most of what a watcher waits for.
	PublishP50MS float64 `json:"publish_p50_ms"`
	PublishP99MS float64 `json:"publish_p99_ms"`
	// WatchGCCycles is the number of garbage collections that completed
	// while publish → watch was measured. A collection marks the whole
	// heap, the server's views included, on the same two cores; the p99
	// shows whether one ran (BenchmarkWatchHeap measures it alone).
	WatchGCCycles int `json:"watch_gc_cycles"`
	// FsyncP50us and FsyncP99us: writing 4 KiB to a file in the scratch
	// dir and fsyncing it, what every durable write waits for at least.
	FsyncP50us float64 `json:"fsync_p50_us"`
	FsyncP99us float64 `json:"fsync_p99_us"`
	// ServeStartS is how long `story serve` takes to start on the archive
	// without a snapshot: its own rebuild of every view, then the "now"
	// views written to the KV bucket.
	ServeStartS float64 `json:"serve_start_s"`
	// ServeBytesPerEvent is the heap a started `story serve` holds, per
	// event: its views, its projector's records and the embedded NATS
	// server's state of the stream.
	ServeBytesPerEvent float64 `json:"serve_bytes_per_event"`
	PayloadBytes       float64 `json:"payload_bytes"`

	// The read side's start (issue 11), measured on the durable archive
	// once the phases above are done: the story plus the events the watch
	// phase published.

	// SnapshotBytesPerEvent is the size of the snapshot of every view
	// that the product writes as `story import` does when it ends
	// (package projector), per event it covers; SnapshotWriteS the time
	// that write took (the fold before it not included).
	SnapshotBytesPerEvent float64 `json:"snapshot_bytes_per_event"`
	SnapshotWriteS        float64 `json:"snapshot_write_s"`
	// SnapshotEvents is the number of events the snapshot covers: the
	// denominator of the per-event figures below.
	SnapshotEvents int `json:"snapshot_events"`
	// ColdQueryMS is the median wall time of a one-shot `story board
	// --org ORG` process, no serve running, on the archive with a current
	// snapshot: process start, snapshot load, answer, exit. The median of
	// Config.ColdRuns runs after one untimed run.
	ColdQueryMS float64 `json:"cold_query_ms"`
	// ColdQueryTailMS is the same with TailEvents new events (another
	// seed) appended after the snapshot. Before each run (the untimed one
	// included) the snapshot file is put back as it was before the
	// append, so every run folds the whole tail, even where a run wrote a
	// newer snapshot (a command does when its fold took over a second;
	// Notes says so when one did).
	ColdQueryTailMS float64 `json:"cold_query_tail_ms"`
	TailEvents      int     `json:"tail_events"`
	// ServeReadyS is the median wall time, over Config.ServeRuns restarts
	// of `story serve` on the archive and its current snapshot (no tail),
	// from the start of the process to its first answer over HTTP
	// (/api/board).
	ServeReadyS float64 `json:"serve_ready_s"`
	// ServeRSSBytesPerEvent is that serve's resident memory (VmRSS) right
	// after its first answer, the median over the restarts, per event of
	// SnapshotEvents: views, projector and the embedded NATS server.
	ServeRSSBytesPerEvent float64 `json:"serve_rss_bytes_per_event"`
	// ServeRSSSettledBytesPerEvent is the same serve's VmRSS once it has
	// verified the archive in the background and handed back what its
	// start and that verification left (server.Settled): what it holds
	// while it serves.
	ServeRSSSettledBytesPerEvent float64 `json:"serve_rss_settled_bytes_per_event"`
	// ServeRSSSteadyBytesPerEvent is the VmRSS of the last serve once the
	// embedded server has dropped what the verification's read made it
	// build and serve has handed that back (only with Config.Steady).
	ServeRSSSteadyBytesPerEvent float64 `json:"serve_rss_steady_bytes_per_event,omitempty"`
	// Notes are what the figures cannot say: a phase not run and why, a
	// snapshot rewritten or refused meanwhile.
	Notes []string `json:"notes,omitempty"`

	Machine    Machine `json:"machine"`
	Go         string  `json:"go"`
	NATSServer string  `json:"nats_server"`
	Seconds    float64 `json:"seconds"`
}

// run is the state carried from one phase to the next.
type run struct {
	cfg      Config
	rep      *Report
	durable  string // data dir of the fsync-every-write archive, later served
	lazy     string
	jsonl    []byte
	payloads [][]byte       // each event's canonical JSON, inside jsonl
	evs      []events.Event // decoded from jsonl, as an import has them
	eng      *query.Engine  // rebuilt from the durable archive
	org      string         // the org the one-shot boards ask about
	after    time.Time      // later than every event stored
	held     string         // a link to the snapshot before the tail
	stream   string         // the durable archive's stream

	rawBatchTime, rawAsyncTime time.Duration // the import baselines
}

// Run measures everything on a fresh scratch archive and returns the
// figures. It takes minutes at a million events and uses both cores.
func Run(ctx context.Context, cfg Config) (rep Report, err error) {
	if err := cfg.setDefaults(); err != nil {
		return Report{}, err
	}
	start := time.Now()
	rep = Report{Events: cfg.Events, Go: runtime.Version(), NATSServer: natsserver.VERSION, Machine: machine()}
	scratch, err := os.MkdirTemp(cfg.DataDir, "storyline-bench-")
	if err != nil {
		return rep, fmt.Errorf("bench: scratch dir: %w", err)
	}
	defer func() {
		if rmErr := os.RemoveAll(scratch); rmErr != nil && err == nil {
			err = fmt.Errorf("bench: remove scratch dir: %w", rmErr)
		}
	}()
	r := &run{cfg: cfg, rep: &rep, durable: filepath.Join(scratch, "durable"), lazy: filepath.Join(scratch, "lazy"),
		held: filepath.Join(scratch, "snapshot-before-tail")}
	for _, p := range r.phases() {
		if err := ctx.Err(); err != nil {
			return rep, fmt.Errorf("bench: %w", err)
		}
		if err := labeled(ctx, p.name, p.run); err != nil {
			return rep, err
		}
	}
	rep.Machine.LoadEnd = loadAvg()
	rep.Seconds = time.Since(start).Seconds()
	return rep, nil
}

type phase struct {
	name string
	run  func(context.Context) error
}

// phases are the run's phases in order: the process phases only with a
// story executable to run.
func (r *run) phases() []phase {
	ps := []phase{
		{PhaseGenerate, r.generate}, {PhaseDisk, r.disk},
		{PhaseRawBatch, r.rawDurable}, {PhaseRawAsync, r.rawLazy},
		{PhaseParse, r.parse}, {PhaseImport, r.importDurable}, {PhaseImportLazy, r.importLazy},
		{PhaseIndex, r.indexMemory}, {PhaseRebuild, r.rebuild},
		{PhaseAsOf, r.asOf}, {PhaseServeStart, r.serve}, {PhaseSnapshot, r.snapshot},
	}
	if r.cfg.Story == "" {
		r.note("cold_query_ms, cold_query_tail_ms, serve_ready_s and the serve_rss figures not measured (0): no story executable to run as a process (bench.Config.Story)")
		return ps
	}
	if !r.cfg.Steady {
		r.note("serve_rss_steady_bytes_per_event not measured: it waits over two minutes for serve's last hand-back of memory (story bench --steady)")
	}
	return append(ps, phase{PhaseColdQuery, r.coldQuery}, phase{PhaseServeReady, r.serveReady}, phase{PhaseColdTail, r.coldTail})
}

// note adds a line to the report's notes, once.
func (r *run) note(s string) {
	if !slices.Contains(r.rep.Notes, s) {
		r.rep.Notes = append(r.rep.Notes, s)
	}
}

// labeled runs fn with the pprof label phase=name, so that a CPU profile
// of a whole run (`story bench --cpuprofile`) can be split by phase with
// `go tool pprof -tagfocus phase=NAME`. Goroutines inherit the labels of
// the goroutine that starts them, so each baseline runs on a connection
// (and server-side goroutines) of its own, started under its own label.
func labeled(ctx context.Context, name string, fn func(context.Context) error) error {
	var err error
	pprof.Do(ctx, pprof.Labels("phase", name), func(ctx context.Context) { err = fn(ctx) })
	return err
}

func (r *run) progress(phase string, done, total int) {
	if r.cfg.Progress != nil {
		r.cfg.Progress(phase, done, total)
	}
}

// generate makes the story as the .jsonl file `story import` would read.
func (r *run) generate(ctx context.Context) error {
	n := r.cfg.Events
	r.progress(PhaseGenerate, 0, n)
	gevs := gen.Generate(gen.Config{Events: n, Seed: r.cfg.Seed})[:n]
	var buf bytes.Buffer
	buf.Grow(n * 600)
	offsets := make([]int, n+1)
	for i := range gevs {
		buf.Write(gevs[i].Canonical())
		buf.WriteByte('\n')
		offsets[i+1] = buf.Len()
	}
	r.jsonl = buf.Bytes()
	r.payloads = make([][]byte, n)
	for i := range r.payloads {
		end := offsets[i+1] - 1 // without the newline
		r.payloads[i] = r.jsonl[offsets[i]:end:end]
	}
	r.rep.PayloadBytes = float64(len(r.jsonl)-n) / float64(n)
	r.progress(PhaseGenerate, n, n)
	return ctx.Err()
}

// parse reads the story back as `story import` reads a file (strict
// decoding and validation of every line), so the imports start from what
// an import has in hand.
func (r *run) parse(ctx context.Context) error {
	n := r.cfg.Events
	r.progress(PhaseParse, 0, n)
	t0 := time.Now()
	evs, errs := events.ReadAll(bytes.NewReader(r.jsonl), "generated")
	d := time.Since(t0)
	if len(errs) > 0 {
		return fmt.Errorf("bench: generated story does not read back: %w", errors.Join(errs...))
	}
	if len(evs) != n {
		return fmt.Errorf("bench: generated %d events, read back %d", n, len(evs))
	}
	r.evs = evs
	r.rep.ParseEPS = eps(n, d)
	r.progress(PhaseParse, n, n)
	return ctx.Err()
}

// disk times fsyncs on the scratch dir's disk: the floor under every
// write with fsync, measured rather than assumed.
func (r *run) disk(ctx context.Context) error {
	const n = 200
	r.progress(PhaseDisk, 0, n)
	if err := os.MkdirAll(r.durable, 0o750); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	path := filepath.Join(r.durable, "fsync-probe")
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("bench: fsync probe: %w", err)
	}
	defer func() {
		// A probe of the disk: its data is junk, and a leftover file is
		// harmless (the next run truncates it).
		_ = f.Close()
		_ = os.Remove(path)
	}()
	block := bytes.Repeat([]byte{'x'}, 4096)
	ds := make([]time.Duration, n)
	for i := range ds {
		t0 := time.Now()
		if _, err := f.Write(block); err != nil {
			return fmt.Errorf("bench: fsync probe: %w", err)
		}
		if err := f.Sync(); err != nil {
			return fmt.Errorf("bench: fsync probe: %w", err)
		}
		ds[i] = time.Since(t0)
	}
	r.rep.FsyncP50us = micros(percentile(ds, 50))
	r.rep.FsyncP99us = micros(percentile(ds, 99))
	r.progress(PhaseDisk, n, n)
	return ctx.Err()
}

// rebuildEngine folds the whole durable archive into a fresh engine, as
// every command and serve do (package projector: records decoded on every
// core, screened, folded in stream order), with no snapshot.
func (r *run) rebuildEngine(ctx context.Context, a *archive.Archive) (*query.Engine, error) {
	n := r.cfg.Events
	p := projector.New(a, query.NewEngine(), projector.Config{NoSnapshots: true, Gapless: true})
	got := 0
	err := p.CatchUp(ctx, 0, func(ds []projector.Decoded) error {
		for i := range ds {
			if ds[i].Err != nil {
				return fmt.Errorf("seq %d does not hold a valid event: %w", ds[i].Seq, ds[i].Err)
			}
		}
		p.Apply(ds)
		if got/10_000 != (got+len(ds))/10_000 {
			r.progress(PhaseRebuild, got+len(ds), n)
		}
		got += len(ds)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bench: rebuild: %w", err)
	}
	eng := p.Engine()
	// The index finishes its work lazily, each chain on the first
	// question that reads it; the views are only rebuilt once all is done.
	eng.Index().FoldAll()
	if got != n || eng.Index().Len() != n {
		return nil, fmt.Errorf("bench: rebuild folded %d records into %d events, want %d", got, eng.Index().Len(), n)
	}
	return eng, nil
}
