package server

import (
	"context"
	"sync/atomic"
	"testing"

	"storyline/archive"
	"storyline/poll"
	"storyline/query"
)

// TestServeReleasesWhatItsStartLeft: serve hands freed memory back to the
// system once it has caught up, again once its background verification
// of every record has ended, and once more when the embedded server has
// dropped what that read made it build. Any one missing would leave the
// count below three.
func TestServeReleasesWhatItsStartLeft(t *testing.T) {
	var released atomic.Int32
	prev, prevExpiry := releaseMemory, readStateExpiry
	releaseMemory = func() { released.Add(1) }
	readStateExpiry = 0
	t.Cleanup(func() { releaseMemory, readStateExpiry = prev, prevExpiry })
	s, err := Open(context.Background(), Config{Archive: archive.Config{DataDir: t.TempDir(), Listen: "127.0.0.1:-1"}, Verify: true}, query.NewEngine())
	if err != nil {
		t.Fatal(err)
	}
	// One once serve has caught up, one when its verification ends, one
	// when the read state has expired.
	poll.Until(t, "three releases", func() bool { return released.Load() >= 3 })
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}
