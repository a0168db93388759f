package server_test

import (
	"context"
	"testing"

	"storyline/archive"
	"storyline/poll"
	"storyline/server"
)

// TestLagInStats: serve's lag — the stream's last sequence minus the last
// one its views applied — is what its micro service's stats say and what
// a client (story info) reads, and 0 once the views caught up.
func TestLagInStats(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := start(t, dir, "127.0.0.1:-1")
	t.Cleanup(func() { checked(t, s.Close) })
	evs := story(t)
	if _, err := client(t, s).Append(ctx, evs, nil); err != nil {
		t.Fatal(err)
	}
	n := uint64(len(evs))
	poll.Until(t, "views caught up", func() bool { _, seq := s.Applied(); return seq == n })
	lag, err := s.Lag(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (server.Lag{StreamLastSeq: n, AppliedSeq: n}); lag != want {
		t.Fatalf("lag %+v, want %+v", lag, want)
	}
	c, err := server.Find(ctx, archive.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got, err := c.Lag(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got != lag {
		t.Fatalf("the micro service's stats say %+v, serve %+v", got, lag)
	}
}
