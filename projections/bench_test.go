package projections_test

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"storyline/events"
	"storyline/projections"
)

// benchIndex builds (once per size) an index of a synthetic story of n
// events: 20 orgs and 500 people, so an org's and a person's events grow
// with n and a query that folded them all would grow linearly too.
var benchIndex = sync.OnceValue(func() func(n int) (*projections.Index, []events.Event) {
	var mu sync.Mutex
	type built struct {
		x   *projections.Index
		evs []events.Event
	}
	cache := map[int]built{}
	return func(n int) (*projections.Index, []events.Event) {
		mu.Lock()
		defer mu.Unlock()
		if b, ok := cache[n]; ok {
			return b.x, b.evs
		}
		clear(cache) // keep one size in memory at a time
		evs := projections.Synthetic(n, 1)
		x := build(evs, inOrder(len(evs)), nil)
		x.All() // bring the index up to date outside the timer
		cache[n] = built{x, evs}
		return x, evs
	}
})

var benchSizes = []int{10_000, 100_000, 1_000_000}

// The as-of benchmarks ask one question of a built index: the board (or
// a person's status) at a random T, as known at T, the public's view then.
// Growth from 10k to 1M events should be logarithmic, not linear.
//
//	go test -run '^$' -bench AsOf -benchtime 200x ./projections
func BenchmarkBoardAsOf(b *testing.B) { benchAsOf(b, "board") }

func BenchmarkStatusAsOf(b *testing.B) { benchAsOf(b, "status") }

func benchAsOf(b *testing.B, view string) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n/1000, "k"), func(b *testing.B) {
			x, _ := benchIndex()(n)
			all := x.All()
			lo, hi := all[0].Event.OccurredAt, all[len(all)-1].Event.OccurredAt
			r := newRand(9)
			runtime.GC() // the build's garbage is not the query's cost
			b.ResetTimer()
			for b.Loop() {
				t := lo.Add(time.Duration(r.Int64N(int64(hi.Sub(lo)))))
				q := projections.AsOf{At: t, KnownAt: t}
				if view == "board" {
					x.BoardAt(fmt.Sprint("org-", r.IntN(20)), q)
				} else {
					x.StatusAt(fmt.Sprint("person-", r.IntN(500)), q)
				}
			}
		})
	}
}

// BenchmarkBuild measures indexing n events.
func BenchmarkBuild(b *testing.B) {
	for _, n := range benchSizes[:2] {
		b.Run(fmt.Sprint(n/1000, "k"), func(b *testing.B) {
			evs := projections.Synthetic(n, 1)
			b.ResetTimer()
			for b.Loop() {
				build(evs, inOrder(len(evs)), nil).FoldAll()
			}
		})
	}
}

// TestIndexMemory checks the index's overhead per event (the events
// themselves belong to the caller) against the 400-byte budget.
func TestIndexMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 200k-event index")
	}
	evs := projections.Synthetic(200_000, 2)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	x := build(evs, inOrder(len(evs)), nil)
	x.FoldAll()
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := float64(after.HeapAlloc-before.HeapAlloc) / float64(len(evs))
	t.Logf("index overhead: %.0f bytes per event", per)
	if per > 400 {
		t.Errorf("index overhead %.0f bytes per event, want at most 400", per)
	}
	runtime.KeepAlive(x)
}
