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
// system once it has caught up, and again once its background verification
// of every record has ended. Either alone would leave the count at one.
func TestServeReleasesWhatItsStartLeft(t *testing.T) {
	var released atomic.Int32
	prev := releaseMemory
	releaseMemory = func() { released.Add(1) }
	t.Cleanup(func() { releaseMemory = prev })
	s, err := Open(context.Background(), Config{Archive: archive.Config{DataDir: t.TempDir(), Listen: "127.0.0.1:-1"}, Verify: true}, query.NewEngine())
	if err != nil {
		t.Fatal(err)
	}
	// One once serve has caught up, one when its verification ends.
	poll.Until(t, "two releases", func() bool { return released.Load() >= 2 })
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}
