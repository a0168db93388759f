package bench

import (
	"context"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"

	"storyline/gen"
	"storyline/projections"
)

// BenchmarkWatchHeap measures publish → watch on a small served archive
// alone, next to a million-event view index kept alive in the same process
// (the heap a server of a 1M-event archive holds), and with that heap but
// the garbage collector off: what a collection of a large heap does to
// the watch latency's tail, measured apart from everything else.
//
//	go test -run '^$' -bench WatchHeap -benchtime 1x ./bench
func BenchmarkWatchHeap(b *testing.B) {
	for _, c := range []struct {
		name    string
		ballast int
		gc      int
	}{{"heap=small", 0, 100}, {"heap=1M-index", 1_000_000, 100}, {"heap=1M-index/gc=off", 1_000_000, -1}} {
		b.Run(c.name, func(b *testing.B) {
			var x *projections.Index
			if c.ballast > 0 {
				evs := gen.Generate(gen.Config{Events: c.ballast, Seed: 3})[:c.ballast]
				x = projections.NewIndex()
				for i := range evs {
					x.Add(uint64(i+1), &evs[i])
				}
				x.FoldAll()
			}
			var p50, p99 float64
			gcs := 0
			for b.Loop() {
				dir := b.TempDir()
				r := &run{cfg: Config{Events: 10_000, Seed: 1, Queries: 10, ServeQueries: 10, WatchEvents: 2000},
					rep: &Report{}, durable: filepath.Join(dir, "durable"), lazy: filepath.Join(dir, "lazy")}
				ctx := context.Background()
				for _, phase := range []func(context.Context) error{r.generate, r.parse, r.importDurable, r.indexMemory, r.rebuild} {
					if err := phase(ctx); err != nil {
						b.Fatal(err)
					}
				}
				old := debug.SetGCPercent(c.gc)
				err := r.serve(ctx)
				debug.SetGCPercent(old)
				if err != nil {
					b.Fatal(err)
				}
				p50, p99 = max(p50, r.rep.WatchP50MS), max(p99, r.rep.WatchP99MS)
				gcs += r.rep.WatchGCCycles
			}
			b.ReportMetric(p50, "watch-p50-ms")
			b.ReportMetric(p99, "watch-p99-ms")
			b.ReportMetric(float64(gcs)/float64(b.N), "gc-cycles")
			runtime.KeepAlive(x)
		})
	}
}
