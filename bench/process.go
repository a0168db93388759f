package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"

	"storyline/archive"
	"storyline/projector"
	"storyline/query"
	"storyline/server"
	"storyline/snapshot"
)

// processDeadline bounds one story process of the bench: a failure, not a
// figure (a serve restarting from no snapshot at 1M events takes ~35 s).
const processDeadline = 10 * time.Minute

// snapPath is the durable archive's snapshot file (its stream's name is
// known once the snapshot phase opened it).
func (r *run) snapPath() string { return projector.Path(r.durable, r.stream) }

// snapshot writes a snapshot of every view of the durable archive as
// `story import` does when it ends (package projector: the fold, then
// Save; the archive has none yet, the rebuild and the in-process serve
// ran without), checks that it covers the whole stream and measures it.
func (r *run) snapshot(ctx context.Context) error {
	r.progress(PhaseSnapshot, 0, 1)
	err := withArchive(ctx, r.durableConfig(), func(a *archive.Archive) error {
		r.stream = a.StreamName()
		p := projector.New(a, query.NewEngine(), projector.Config{Gapless: true})
		if err := p.Load(ctx, 0); err != nil {
			return fmt.Errorf("bench: snapshot: %w", err)
		}
		if err := p.CatchUp(ctx, 0, nil); err != nil {
			return fmt.Errorf("bench: snapshot: %w", err)
		}
		t0 := time.Now()
		if err := p.Save(ctx, nil); err != nil {
			return fmt.Errorf("bench: snapshot: %w", err)
		}
		r.rep.SnapshotWriteS = time.Since(t0).Seconds()
		info, err := a.Info(ctx)
		if err != nil {
			return fmt.Errorf("bench: snapshot: %w", err)
		}
		return r.checkSnapshot(info.LastSeq)
	})
	r.progress(PhaseSnapshot, 1, 1)
	return err
}

// checkSnapshot checks that the snapshot file covers the stream up to
// last, and measures it.
func (r *run) checkSnapshot(last uint64) error {
	f, err := os.Open(r.snapPath())
	if err != nil {
		return fmt.Errorf("bench: snapshot: %w", err)
	}
	defer closeRead(f)
	rd, err := snapshot.NewReader(f)
	if err != nil {
		return fmt.Errorf("bench: snapshot %s: %w", r.snapPath(), err)
	}
	if seq := rd.Header().Seq; seq != last {
		return fmt.Errorf("bench: snapshot %s covers seq %d, the stream ends at %d", r.snapPath(), seq, last)
	}
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("bench: snapshot: %w", err)
	}
	r.rep.SnapshotEvents = int(last)
	r.rep.SnapshotBytesPerEvent = float64(fi.Size()) / float64(last)
	return nil
}

func closeRead(f *os.File) { _ = f.Close() } // read only: nothing is lost

// coldQuery times one-shot `story board` processes on the archive with
// its current snapshot.
func (r *run) coldQuery(ctx context.Context) error {
	before, err := os.Stat(r.snapPath())
	if err != nil {
		return fmt.Errorf("bench: cold query: %w", err)
	}
	ds, err := r.boards(ctx, PhaseColdQuery, nil)
	if err != nil {
		return err
	}
	r.rep.ColdQueryMS = millis(percentile(ds, 50))
	if after, err := os.Stat(r.snapPath()); err != nil || !os.SameFile(before, after) {
		r.note("cold_query_ms: a one-shot story board wrote another snapshot over the current one (refused it, or its fold took over a second)")
	}
	return nil
}

// coldTail appends new events after the snapshot and times one-shot
// `story board` processes, each starting from the snapshot as it was
// before the append: a hard link keeps that file, which the product
// never writes into (a new snapshot is a new file renamed over it).
func (r *run) coldTail(ctx context.Context) error {
	if err := os.Link(r.snapPath(), r.held); err != nil {
		return fmt.Errorf("bench: keep the snapshot: %w", err)
	}
	if err := r.appendTail(ctx); err != nil {
		return err
	}
	rewrote := false
	restore := func() error {
		now, err := os.Stat(r.snapPath())
		if err != nil {
			return fmt.Errorf("bench: snapshot: %w", err)
		}
		held, err := os.Stat(r.held)
		if err != nil {
			return fmt.Errorf("bench: snapshot: %w", err)
		}
		if os.SameFile(now, held) {
			return nil
		}
		rewrote = true
		tmp := r.snapPath() + ".bench"
		if err := os.Link(r.held, tmp); err != nil {
			return fmt.Errorf("bench: restore the snapshot: %w", err)
		}
		if err := os.Rename(tmp, r.snapPath()); err != nil {
			return fmt.Errorf("bench: restore the snapshot: %w", err)
		}
		return nil
	}
	ds, err := r.boards(ctx, PhaseColdTail, restore)
	if err != nil {
		return err
	}
	if err := restore(); err != nil { // also tells whether the last run wrote one
		return err
	}
	r.rep.ColdQueryTailMS = millis(percentile(ds, 50))
	if rewrote {
		r.note(fmt.Sprintf("cold_query_tail_ms: the one-shot story board wrote a snapshot after folding the %d new events (its fold took over a second); it was put back to the one before them ahead of each run", r.cfg.TailEvents))
	}
	return nil
}

// appendTail appends TailEvents new events (another seed, later than
// every event stored) to the durable archive, as `story import` does,
// without writing a snapshot.
func (r *run) appendTail(ctx context.Context) error {
	n := r.cfg.TailEvents
	evs := r.fresh(n, r.cfg.Seed+2, r.after)
	return labeled(ctx, PhaseTail, func(ctx context.Context) error {
		return withArchive(ctx, r.durableConfig(), func(a *archive.Archive) error {
			_, err := r.append(ctx, a, PhaseTail, evs)
			r.rep.TailEvents = n
			return err
		})
	})
}

// boards runs `story board --org ORG` once untimed, then ColdRuns times
// timed, calling before (if set) ahead of each run.
func (r *run) boards(ctx context.Context, phase string, before func() error) ([]time.Duration, error) {
	n := r.cfg.ColdRuns
	ds := make([]time.Duration, 0, n)
	for i := range n + 1 {
		r.progress(phase, max(i-1, 0), n)
		if before != nil {
			if err := before(); err != nil {
				return nil, err
			}
		}
		d, err := r.board(ctx)
		if err != nil {
			return nil, fmt.Errorf("bench: %s: %w", phase, err)
		}
		if i > 0 {
			ds = append(ds, d)
		}
	}
	r.progress(phase, n, n)
	return ds, nil
}

// board runs one `story board --org ORG` process on the durable archive
// and times it, from before its start to its exit.
func (r *run) board(ctx context.Context) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, processDeadline)
	defer cancel()
	cmd := r.storyCmd(ctx, "board", "--org", r.org)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	t0 := time.Now()
	err := cmd.Run()
	d := time.Since(t0)
	if err != nil {
		return 0, fmt.Errorf("story board --org %s: %w%s", r.org, err, said(&stderr))
	}
	if out.Len() == 0 {
		return 0, fmt.Errorf("story board --org %s printed nothing", r.org)
	}
	if msg := strings.TrimSpace(stderr.String()); msg != "" {
		r.note("story board said on stderr: " + msg)
	}
	return d, nil
}

// storyCmd is `story args... --data-dir DURABLE`, bound to ctx: it is
// killed when ctx ends (serve is interrupted first, see restartServe).
func (r *run) storyCmd(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, r.cfg.Story, append(args, "--data-dir", r.durable)...)
	cmd.Env = storyEnv()
	cmd.WaitDelay = 30 * time.Second
	return cmd
}

// storyEnv is this process's environment less what would point a story
// command at another server or identity.
func storyEnv() []string {
	return slices.DeleteFunc(os.Environ(), func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		return slices.Contains([]string{"NATS_URL", "NATS_CREDS", "STORY_AUTH", "STORY_AS", "STORY_TLS_CA"}, k)
	})
}

// said is what a process wrote on stderr, for an error message.
func said(stderr *bytes.Buffer) string {
	if msg := strings.TrimSpace(stderr.String()); msg != "" {
		return ": " + msg
	}
	return ""
}

// errExited: a story process ended before it answered.
var errExited = errors.New("exited before it answered")

// serveReady restarts `story serve` on the archive and its current
// snapshot ServeRuns times, each timed to its first answer, its resident
// memory read then and again once it has settled.
func (r *run) serveReady(ctx context.Context) error {
	n := r.cfg.ServeRuns
	ready := make([]time.Duration, 0, n)
	rss, settled := make([]int64, 0, n), make([]int64, 0, n)
	for i := range n {
		r.progress(PhaseServeReady, i, n)
		m, err := r.restartServe(ctx, r.cfg.Steady && i == n-1)
		if err != nil {
			return fmt.Errorf("bench: %s: %w", PhaseServeReady, err)
		}
		ready, rss, settled = append(ready, m.ready), append(rss, m.rss), append(settled, m.settled)
		r.rep.ServeRSSSteadyBytesPerEvent = float64(m.steady) / float64(r.rep.SnapshotEvents)
	}
	r.progress(PhaseServeReady, n, n)
	r.rep.ServeReadyS = percentile(ready, 50).Seconds()
	r.rep.ServeRSSBytesPerEvent = float64(median(rss)) / float64(r.rep.SnapshotEvents)
	r.rep.ServeRSSSettledBytesPerEvent = float64(median(settled)) / float64(r.rep.SnapshotEvents)
	return nil
}

func median(xs []int64) int64 {
	slices.Sort(xs)
	return xs[(len(xs)-1)/2]
}

// served is what one restart of serve measured.
type served struct {
	ready time.Duration
	// VmRSS at the first answer, after the verification, and (if asked)
	// once the read state is handed back too.
	rss, settled, steady int64
}

// restartServe starts `story serve -v` (NATS and HTTP on free loopback
// ports), waits for its first answer and reads its VmRSS, then waits until
// it has verified the archive and handed back what that left
// (server.Settled) and reads it again, and stops it with an interrupt, as
// Ctrl-C does. On every way out the process is stopped and waited for:
// interrupted when ctx ends, killed 30 s later.
func (r *run) restartServe(ctx context.Context, steady bool) (served, error) {
	ctx, cancel := context.WithTimeout(ctx, processDeadline)
	cmd := r.storyCmd(ctx, "serve", "-v", "--listen", "127.0.0.1:-1", "--http", "127.0.0.1:0")
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	marks := []string{fmt.Sprintf("msg=%q after=verify", server.Settled)}
	if steady {
		marks = append(marks, fmt.Sprintf("msg=%q after=%q", server.Settled, "read state"))
	}
	stderr := newMarkWriter(marks...)
	cmd.Stderr = stderr
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		cancel()
		return served{}, fmt.Errorf("start story serve: %w", err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	defer func() {
		cancel()
		<-exited
	}()
	m, err := r.measureServe(ctx, cmd.Process.Pid, t0, stderr.seen, exited)
	if errors.Is(err, errExited) {
		<-exited
		err = fmt.Errorf("story serve %w (%v)%s", err, waitErr, stderr.said())
	}
	if err != nil {
		return served{}, err
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		return served{}, fmt.Errorf("stop story serve: %w", err)
	}
	select {
	case <-exited:
	case <-ctx.Done():
		return served{}, fmt.Errorf("stop story serve: %w", ctx.Err())
	}
	if waitErr != nil {
		return served{}, fmt.Errorf("story serve stopped with %w%s", waitErr, stderr.said())
	}
	return m, nil
}

// measureServe times serve pid to its first answer and reads its
// resident memory then and as each of settled is closed.
func (r *run) measureServe(ctx context.Context, pid int, t0 time.Time, settled []chan struct{}, exited <-chan struct{}) (served, error) {
	var m served
	if err := r.awaitAnswer(ctx, pid, exited); err != nil {
		return m, err
	}
	m.ready = time.Since(t0)
	var err error
	if m.rss, err = vmRSS(pid); err != nil {
		return m, err
	}
	for i, into := range []*int64{&m.settled, &m.steady}[:len(settled)] {
		select {
		case <-settled[i]:
		case <-exited:
			return m, errExited
		case <-ctx.Done():
			return m, fmt.Errorf("story serve did not settle: %w", ctx.Err())
		}
		if *into, err = vmRSS(pid); err != nil {
			return m, err
		}
	}
	return m, nil
}

// markWriter keeps what a process writes and closes seen[i] once a line
// holding marks[i] has been written.
type markWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	marks [][]byte
	seen  []chan struct{}
}

func newMarkWriter(marks ...string) *markWriter {
	w := &markWriter{}
	for _, m := range marks {
		w.marks = append(w.marks, []byte(m))
		w.seen = append(w.seen, make(chan struct{}))
	}
	return w
}

func (w *markWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p) // a bytes.Buffer's Write never fails
	for i, m := range w.marks {
		if !closed(w.seen[i]) && bytes.Contains(w.buf.Bytes(), m) {
			close(w.seen[i])
		}
	}
	return len(p), nil
}

func closed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// said is what was written, for an error message, less serve's own log
// lines.
func (w *markWriter) said() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var keep []string
	for line := range strings.Lines(w.buf.String()) {
		if !strings.HasPrefix(line, "time=") || strings.Contains(line, "level=ERROR") {
			keep = append(keep, line)
		}
	}
	return said(bytes.NewBufferString(strings.Join(keep, "")))
}
