package server

import (
	"context"
	"runtime"
	"runtime/debug"
	"time"
)

// Serve's memory is mostly its views. Its start (decoded batches, a
// snapshot's chunks) and the background verification of every record
// leave garbage that the process would otherwise keep for minutes: at
// 100,000 events, 316 MB resident for about 100 MB of views. So serve hands
// it back to the system as each of them ends: 146 MB. Go's collector is
// otherwise left as it is. A soft memory limit near the live heap held the
// memory down too, but it made collections of a large heap so frequent that
// publish → watch p99 rose from a few to about 90 ms at 1M events
// (docs/BENCHMARKS.md).

// releaseMemory returns freed memory to the system (a variable so that a
// test can count the calls).
var releaseMemory = debug.FreeOSMemory

// Settled is the message serve logs each time it has handed memory back:
// after its start ("start"), after its background verification ("verify")
// and once the embedded server has dropped what that verification made it
// build ("read state"), with the heap it then holds. story bench reads the
// resident memory of a settled serve after the second.
const Settled = "memory returned to the system"

// release hands freed memory back and logs it (see Settled).
func (s *Server) release(after string) {
	releaseMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s.cfg.Log.Info(Settled, "after", after, "heap_inuse_bytes", ms.HeapInuse)
}

// readStateExpiry is how long after a read nats-server's file store keeps
// the per-block subject state the read made it build (its
// defaultFssExpiration, two minutes), and a little more. A read of every
// record, as the verification is, builds it for every block: 140 MB at a
// million events, one subject each. A variable so that a test can shorten
// it.
var readStateExpiry = 2*time.Minute + 15*time.Second

// releaseReadState hands back what the embedded server held for a read of
// every record once it has let it go, unless ctx ends first.
func (s *Server) releaseReadState(ctx context.Context) {
	if s.a.Shared() {
		return // another process's memory
	}
	t := time.NewTimer(readStateExpiry)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
		s.release("read state")
	}
}
