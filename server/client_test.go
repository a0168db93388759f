package server_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"storyline/archive"
	"storyline/archive/archivetest"
	"storyline/query"
	"storyline/server"
)

// TestQueryNeedsTheStreamsEnd: a query's answer includes every event
// stored before it because the client reads the stream's end first; a
// client that cannot read it fails, rather than answer from views that may
// be behind.
func TestQueryNeedsTheStreamsEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, url, dir := serveOwnServer(ctx, t)
	req := query.Request{View: "quarantine"}
	for _, c := range []struct {
		stream string
		want   error
	}{{"", nil}, {"ELSEWHERE", jetstream.ErrStreamNotFound}} {
		client, err := server.Find(ctx, archive.Config{DataDir: dir, NATSURL: url, Stream: c.stream})
		if err != nil {
			t.Fatal(err)
		}
		_, err = client.Query(ctx, req)
		client.Close()
		if !errors.Is(err, c.want) {
			t.Errorf("stream %q: query: %v; want %v", c.stream, err, c.want)
		}
	}
}

// serveOwnServer runs serve, until the test ends, on a NATS server of its
// own (--nats-url), which it returns the URL of, and a fresh data dir.
func serveOwnServer(ctx context.Context, t *testing.T) (*server.Server, string, string) {
	t.Helper()
	url := archivetest.OpenServer(t)
	dir := t.TempDir()
	s, err := server.Open(ctx, server.Config{Archive: archive.Config{DataDir: dir, NATSURL: url}}, query.NewEngine())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close serve: %v", err)
		}
	})
	return s, url, dir
}
