package main

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"
	"testing"
	"time"

	"storyline/bench"
)

func (m *Main) runBench(ctx context.Context, args []string) (err error) {
	fs := m.newFlagSet("bench", "bench [--events N] [--seed S] [--json] [--data-dir DIR] [--cpuprofile FILE] [--steady]")
	n := fs.Int("events", 100_000, "size of the synthetic story")
	seed := fs.Uint64("seed", 1, "the same seed gives the same story")
	asJSON := fs.Bool("json", false, "print the figures as one JSON object")
	dir := fs.String("data-dir", "", "make the scratch archives under DIR (default: the temp dir); they are removed afterwards")
	steady := fs.Bool("steady", false, "also read the resident memory of a serve once it has handed back everything its start left (waits over two minutes more)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to FILE; samples carry the label phase=NAME (go tool pprof -tagfocus phase=rebuild)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErr(fmt.Sprintf("bench: unexpected argument %q", pos[0]))
	}
	if *n < 1000 || *n > 50_000_000 {
		return usageErr(fmt.Sprintf("bench: --events %d (want 1000 to 50000000)", *n))
	}
	if *cpuProfile != "" {
		f, cerr := os.Create(*cpuProfile)
		if cerr != nil {
			return usageErr(fmt.Sprintf("bench: --cpuprofile: %v", cerr))
		}
		defer closing(f, &err)
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("bench: --cpuprofile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	rep, err := bench.Run(ctx, bench.Config{Events: *n, Seed: *seed, DataDir: *dir, Story: m.benchStory(), Steady: *steady, Progress: m.benchProgress()})
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if *asJSON {
		m.printJSON(rep)
		return nil
	}
	mc := rep.Machine
	fmt.Fprintf(m.Stdout, "%d events (mean payload %.0f bytes), seed %d; %d × %s, %s, nats-server %s; load %.2f → %.2f; %.0f s\n\n",
		rep.Events, rep.PayloadBytes, *seed, mc.CPUs, mc.CPU, rep.Go, rep.NATSServer, mc.LoadStart, mc.LoadEnd, rep.Seconds)
	w := m.table()
	fmt.Fprintln(w, "FIGURE\tSTORY\tRAW\tRATIO\tTARGET\tMET?")
	for _, r := range rep.Rows() {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Figure, r.Story, r.Raw, r.Ratio, r.Target, r.Met)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	for _, note := range rep.Notes {
		fmt.Fprintln(m.Stdout, "note:", note)
	}
	return nil
}

// benchStory is the story executable the bench runs as one-shot commands
// and as serve: this one. In a test binary (cmd/story's tests run the
// command in process) there is none, and the bench says so in its notes:
// the test binary run as a process would run the tests.
func (m *Main) benchStory() string {
	if testing.Testing() {
		return ""
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(m.Stderr, "story: bench: the story executable cannot be found (%v); the process phases are not run\n", err)
		return ""
	}
	return exe
}

// benchProgress shows each phase on stderr: a line rewritten in place on a
// terminal, else one line as each phase starts (a log stays readable).
func (m *Main) benchProgress() func(phase string, done, total int) {
	var cur string
	var last time.Time
	start := time.Now()
	return func(phase string, done, total int) {
		if !m.StderrIsTerminal {
			if phase != cur {
				cur = phase
				fmt.Fprintf(m.Stderr, "bench: %s (%d)\n", phase, total)
			}
			return
		}
		if phase == cur && done < total && time.Since(last) < 200*time.Millisecond {
			return
		}
		cur, last = phase, time.Now()
		fmt.Fprintf(m.Stderr, "\r\033[Kbench %4.0fs  %s %d/%d", time.Since(start).Seconds(), phase, done, total)
		if done >= total {
			fmt.Fprintln(m.Stderr)
		}
	}
}
