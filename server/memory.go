package server

import (
	"context"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Serve's memory is mostly its views, which only grow with the archive.
// Left to the Go default (GOGC=100), the heap runs to twice what is live
// between collections, and a start or a verification leaves a peak the
// process keeps for minutes: at 100,000 events, 320 MB resident for 100 MB
// of views. So serve frees what its start left behind once it has caught
// up, and keeps a soft memory limit a little above what is live, moved as
// the views grow. An operator's GOMEMLIMIT wins.

const (
	// memoryHeadroom is the limit over the live heap: a half of it, and
	// at least memoryFloor more.
	memoryFloor = 64 << 20
	// memoryEvery is how often the limit follows the live heap.
	memoryEvery = 10 * time.Second
)

var liveHeap = []metrics.Sample{{Name: "/gc/heap/live:bytes"}}

// governMemory frees the start's garbage and then keeps the soft limit
// near the live heap until ctx ends.
func (s *Server) governMemory(ctx context.Context) {
	debug.FreeOSMemory()
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	setLimit := func() {
		metrics.Read(liveHeap)
		if liveHeap[0].Value.Kind() != metrics.KindUint64 {
			return // no such metric in this runtime: keep Go's default
		}
		live := int64(liveHeap[0].Value.Uint64())
		debug.SetMemoryLimit(live + max(live/2, memoryFloor))
	}
	prev := debug.SetMemoryLimit(-1) // -1 reads it
	setLimit()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(memoryEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				// The process may go on (a test, a command that
				// served): the limit was serve's, not its.
				debug.SetMemoryLimit(prev)
				return
			case <-t.C:
				setLimit()
			}
		}
	}()
}
