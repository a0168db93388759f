package server_test

import (
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"testing"
)

// TestServeKeepsMemoryNearItsViews: once serve has caught up, a soft
// memory limit keeps its heap near what is live (not twice it, as Go's
// default would), and closing serve gives the process its limit back.
func TestServeKeepsMemoryNearItsViews(t *testing.T) {
	if os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("GOMEMLIMIT is set: serve leaves the operator's limit alone")
	}
	before := debug.SetMemoryLimit(-1)
	s := start(t, t.TempDir(), "127.0.0.1:-1")
	limit := debug.SetMemoryLimit(-1)
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(live)
	if limit == math.MaxInt64 || limit == before {
		t.Fatalf("no memory limit while serving (limit %d, before %d)", limit, before)
	}
	if l := int64(live[0].Value.Uint64()); limit < l || limit > 2*l+64<<20 {
		t.Fatalf("limit %d for a live heap of %d: want a little above it", limit, l)
	}
	checked(t, s.Close)
	if after := debug.SetMemoryLimit(-1); after != before {
		t.Fatalf("limit after serve stopped %d, want the process's own %d", after, before)
	}
}
