package server_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"storyline/archive"
	"storyline/archive/archivetest"
	"storyline/gen"
	"storyline/poll"
	"storyline/query"
	"storyline/server"
)

// damagedDir stores 400 events in a fresh data dir and then damages its last
// block file on disk, as a failing disk would.
func damagedDir(t *testing.T, damage func(b []byte) []byte) string {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	a, err := archive.Open(ctx, archive.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Append(ctx, gen.Generate(gen.Config{Events: 400, Seed: 3}), nil); err != nil {
		t.Fatal(err)
	}
	archivetest.Close(t, a)
	blks, _ := filepath.Glob(filepath.Join(dir, "jetstream", "*", "streams", "STORY", "msgs", "*.blk"))
	if len(blks) == 0 {
		t.Fatal("no block file")
	}
	blk := blks[len(blks)-1]
	b, err := os.ReadFile(blk)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(blk, damage(b), 0o640); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestServeRefusesDamagedArchive(t *testing.T) {
	tests := []struct {
		name   string
		damage func(b []byte) []byte
		// atStart: the cheap start-up check sees it; otherwise the
		// background verification stops the server soon after.
		atStart bool
	}{
		{"truncated tail", func(b []byte) []byte { return b[:len(b)-1000] }, true},
		{"bit flip in a block file", func(b []byte) []byte { b[len(b)/2] ^= 0x10; return b }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := damagedDir(t, tt.damage)
			cfg := server.Config{Archive: archive.Config{DataDir: dir, Listen: "127.0.0.1:-1"}, Verify: true}
			s, err := server.Open(context.Background(), cfg, query.NewEngine())
			if tt.atStart {
				if err == nil {
					checked(t, s.Close)
					t.Fatal("served a damaged archive")
				}
			} else {
				if err != nil {
					t.Fatalf("open: %v", err)
				}
				t.Cleanup(func() { checked(t, s.Close) })
				select {
				case <-s.Done():
					err = s.Err()
				case <-time.After(30 * time.Second):
					t.Fatal("still serving a damaged archive after a full read")
				}
			}
			if !errors.Is(err, archive.ErrCorrupt) || !strings.Contains(err.Error(), "story verify") {
				t.Fatalf("error %v; want ErrCorrupt pointing to story verify", err)
			}
			t.Logf("%s: %v", tt.name, err)
		})
	}
}

func TestServeVerifiesSoundArchiveQuietly(t *testing.T) {
	dir := t.TempDir()
	s := start(t, dir, "127.0.0.1:-1")
	a := client(t, s)
	if _, err := a.Append(context.Background(), story(t), nil); err != nil {
		t.Fatal(err)
	}
	archivetest.Close(t, a)
	checked(t, s.Close)
	var log lockedBuffer
	s = start(t, dir, "127.0.0.1:-1", func(c *server.Config) {
		c.Verify = true
		c.Log = slog.New(slog.NewTextHandler(&log, nil))
	})
	t.Cleanup(func() { checked(t, s.Close) })
	poll.Until(t, "the background verification", func() bool { return strings.Contains(log.String(), "archive verified") })
	select {
	case <-s.Done():
		t.Fatalf("stopped a sound archive: %v", s.Err())
	default:
	}
	if !strings.Contains(log.String(), fmt.Sprintf("records=%d", len(story(t)))) {
		t.Fatalf("verification read the wrong number of records: %s", log.String())
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
