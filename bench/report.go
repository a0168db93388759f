package bench

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
)

func machine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), OS: runtime.GOOS, Arch: runtime.GOARCH, LoadStart: loadAvg(), LoadEnd: -1}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		defer func() { _ = f.Close() }() // read only: nothing is lost
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}

// loadAvg is the one-minute load average, -1 where /proc has none.
func loadAvg() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return -1
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return -1
	}
	return v
}

// Row is one line of the table `story bench` prints: a figure, Storyline's
// value, the plain-JetStream baseline, their ratio, the target (issues 7, 11)
// and whether it is met ("yes", "no", or "" where there is no target).
type Row struct {
	Figure, Story, Raw, Ratio, Target, Met string
}

// Rows lays the report out as a table, each target checked.
func (r Report) Rows() []Row {
	var rows []Row
	add := func(row Row) { rows = append(rows, row) }
	pairRow := func(figure string, p Pair, target float64) {
		row := Row{Figure: figure, Story: rate(p.StoryEPS), Raw: rate(p.RawEPS), Ratio: fmt.Sprintf("%.2f", p.Ratio)}
		if target > 0 {
			row.Target = fmt.Sprintf("≥ %.1f", target)
			row.Met = met(p.Ratio >= target)
		}
		add(row)
	}
	pairRow("import, fsync every write (vs atomic batches of 500)", r.Import, 0.8)
	// The second import target compares the durable import with
	// the fastest plain publish there is, lazy and asynchronous.
	vsLazy := Pair{StoryEPS: r.Import.StoryEPS, RawEPS: r.ImportLazy.RawEPS}
	if vsLazy.RawEPS > 0 {
		vsLazy.Ratio = vsLazy.StoryEPS / vsLazy.RawEPS
	}
	pairRow("import, fsync every write (vs async publish, lazy)", vsLazy, 0.5)
	pairRow("import, lazy (vs async publish, lazy)", r.ImportLazy, 0)
	add(Row{Figure: "read .jsonl: decode and validate (not in import)", Story: rate(r.ParseEPS)})
	pairRow("rebuild all views (vs ordered-consumer read)", r.Rebuild, 0.7)

	largest := 0
	for _, a := range r.AsOf {
		largest = max(largest, a.Events)
	}
	for _, a := range r.AsOf {
		row := Row{Figure: fmt.Sprintf("as-of %s at %s events, p50 / p99", a.View, count(a.Events)),
			Story: fmt.Sprintf("%s / %s µs (warm p50 %s)", num(a.P50us), num(a.P99us), num(a.WarmP50us))}
		if a.Events == largest {
			row.Target = "p99 ≤ 1,000 µs"
			row.Met = met(a.P99us <= 1000)
		}
		add(row)
	}
	for _, view := range []string{"board", "status"} {
		small, large, ok := r.asOfSpread(view)
		if !ok {
			continue
		}
		add(Row{Figure: fmt.Sprintf("as-of %s p50 growth, %s → %s events", view, count(small.Events), count(large.Events)),
			Ratio: fmt.Sprintf("%.2f", large.P50us/small.P50us), Target: "≤ 3", Met: met(large.P50us <= 3*small.P50us)})
	}
	add(Row{Figure: "view index, bytes per event", Story: num(r.IndexBytesPerEvent), Target: "≤ 400", Met: met(r.IndexBytesPerEvent <= 400)})
	add(Row{Figure: "decoded events + index, bytes per event", Story: num(r.ViewsBytesPerEvent)})
	add(Row{Figure: "story serve: heap held, bytes per event", Story: num(r.ServeBytesPerEvent)})
	add(Row{Figure: "story serve: start, rebuilding every view", Story: fmt.Sprintf("%.1f s", r.ServeStartS)})
	add(Row{Figure: "snapshot of every view, bytes per event", Story: fmt.Sprintf("%s (written in %.2f s)", num(r.SnapshotBytesPerEvent), r.SnapshotWriteS)})
	for _, row := range r.startRows() {
		add(row)
	}
	add(Row{Figure: "query via story serve, median / p99", Story: fmt.Sprintf("%.2f / %.2f ms", r.ServeQueryMS, r.ServeQueryP99MS),
		Target: "≤ 20 ms", Met: met(r.ServeQueryMS <= 20)})
	add(Row{Figure: "publish → watch, p50 / p99", Story: fmt.Sprintf("%.2f / %.2f ms", r.WatchP50MS, r.WatchP99MS),
		Target: "p99 ≤ 10 ms", Met: met(r.WatchP99MS <= 10)})
	add(Row{Figure: "  the publish call alone, p50 / p99", Story: fmt.Sprintf("%.2f / %.2f ms", r.PublishP50MS, r.PublishP99MS)})
	add(Row{Figure: "  garbage collections meanwhile", Story: strconv.Itoa(r.WatchGCCycles)})
	add(Row{Figure: "disk: 4 KiB write + fsync, p50 / p99", Story: fmt.Sprintf("%s / %s µs", num(r.FsyncP50us), num(r.FsyncP99us))})
	return rows
}

// startRows are the figures of a start from a snapshot, each with its
// target; a figure not measured says so, with no target.
func (r Report) startRows() []Row {
	var rows []Row
	for _, f := range []struct {
		figure, story, target string
		value                 float64
		met                   bool
	}{
		{"one-shot story board process, snapshot current", num(r.ColdQueryMS) + " ms", "≤ 1,000 ms", r.ColdQueryMS, r.ColdQueryMS <= 1000},
		{fmt.Sprintf("  … %s events after the snapshot", count(r.TailEvents)), num(r.ColdQueryTailMS) + " ms", "≤ 1,500 ms", r.ColdQueryTailMS, r.ColdQueryTailMS <= 1500},
		{"story serve: restart from its snapshot to first answer", fmt.Sprintf("%.2f s", r.ServeReadyS), "≤ 3 s", r.ServeReadyS, r.ServeReadyS <= 3},
		{"story serve: resident memory then, bytes per event", num(r.ServeRSSBytesPerEvent), "≤ 1,000", r.ServeRSSBytesPerEvent, r.ServeRSSBytesPerEvent <= 1000},
		{"  … once it has verified the archive and settled", num(r.ServeRSSSettledBytesPerEvent), "≤ 1,000", r.ServeRSSSettledBytesPerEvent, r.ServeRSSSettledBytesPerEvent <= 1000},
		{"  … steady: the verification's read state handed back too", num(r.ServeRSSSteadyBytesPerEvent), "≤ 1,000", r.ServeRSSSteadyBytesPerEvent, r.ServeRSSSteadyBytesPerEvent <= 1000},
	} {
		if f.value <= 0 {
			rows = append(rows, Row{Figure: f.figure, Story: "not measured (see notes)"})
			continue
		}
		rows = append(rows, Row{Figure: f.figure, Story: f.story, Target: f.target, Met: met(f.met)})
	}
	return rows
}

// asOfSpread returns the view's figures at the smallest and largest sizes
// measured, when they differ.
func (r Report) asOfSpread(view string) (small, large AsOf, ok bool) {
	for _, a := range r.AsOf {
		if a.View != view {
			continue
		}
		if small.Events == 0 || a.Events < small.Events {
			small = a
		}
		if a.Events > large.Events {
			large = a
		}
	}
	return small, large, small.Events > 0 && large.Events > small.Events && small.P50us > 0
}

func met(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}

func rate(eps float64) string { return count(int(eps+0.5)) + "/s" }

func num(v float64) string {
	if v >= 100 {
		return count(int(v + 0.5))
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// count writes n with thousands separators.
func count(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + count(-n)
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
