// Package archivetest opens real archives for tests: an embedded
// nats-server with JetStream in a temporary directory per test, closed when
// the test ends. Nothing is mocked.
package archivetest

import (
	"context"
	"testing"

	"storyline/archive"
)

// New opens an archive in tb.TempDir(); adjust, if given, changes the
// configuration first (a short duplicate window, a listening port).
func New(tb testing.TB, adjust ...func(*archive.Config)) *archive.Archive {
	tb.Helper()
	cfg := archive.Config{DataDir: tb.TempDir()}
	for _, f := range adjust {
		f(&cfg)
	}
	return Open(tb, cfg)
}

// Open opens an archive with cfg and closes it when the test ends.
func Open(tb testing.TB, cfg archive.Config) *archive.Archive {
	tb.Helper()
	a, err := archive.Open(context.Background(), cfg)
	if err != nil {
		tb.Fatalf("open archive in %s: %v", cfg.DataDir, err)
	}
	tb.Cleanup(func() { Close(tb, a) })
	return a
}

// Close closes a and fails the test if that reports an error, without
// stopping it: a test calls it where it closes an archive itself (to
// reopen its data dir, or one it opened with archive.Open), directly,
// deferred or in a Cleanup. A second Close of an archive reports nothing.
func Close(tb testing.TB, a *archive.Archive) {
	tb.Helper()
	if err := a.Close(); err != nil {
		tb.Errorf("close archive in %s: %v", a.DataDir(), err)
	}
}
