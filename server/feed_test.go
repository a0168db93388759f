package server_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"storyline/archive"
	"storyline/archive/archivetest"
	"storyline/events"
	"storyline/gen"
	"storyline/poll"
	"storyline/server"
)

// sseIDs reads the ids of the first n events of /events from the server at
// addr, resuming after lastID when it is set.
func sseIDs(t *testing.T, addr, query, lastID string, n int) []string {
	t.Helper()
	req, err := http.NewRequest("GET", "http://"+addr+"/events"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer checked(t, resp.Body.Close)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /events%s: %s", query, resp.Status)
	}
	var ids []string
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 4<<20)
	for len(ids) < n && sc.Scan() {
		if id, ok := strings.CutPrefix(sc.Text(), "id: "); ok {
			ids = append(ids, id)
		}
	}
	return ids
}

// consecutive fails unless ids are from, from+1, …
func consecutive(t *testing.T, ids []string, from int) {
	t.Helper()
	for i, id := range ids {
		if id != fmt.Sprint(from+i) {
			t.Fatalf("id %d is %s, want %d: a gap or a repeat in %v", i, id, from+i, ids)
		}
	}
}

func streamConsumers(t *testing.T, s *server.Server) int {
	t.Helper()
	st, err := s.Archive().JetStream().Stream(context.Background(), s.Archive().StreamName())
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(context.Background(), jetstream.WithDeletedDetails(false))
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Consumers
}

// TestFeedIdleClientsMemory: 500 clients that take the first event of
// /events and then read nothing more cost serve less than 64 KiB each
// (before, each had a consumer of its own and its buffer: 500 took serve
// from 26 MB to 1.67 GB), and no consumer at all.
func TestFeedIdleClientsMemory(t *testing.T) {
	s := start(t, t.TempDir(), "127.0.0.1:-1")
	t.Cleanup(func() { checked(t, s.Close) })
	// About the bundled story's size (221 events, 117 kB), which the issue
	// measured: all of it fits in the sockets' buffers.
	evs := gen.Generate(gen.Config{Events: 300, Seed: 2})
	res, err := client(t, s).Append(context.Background(), evs, nil)
	if err != nil {
		t.Fatal(err)
	}
	poll.Until(t, "views caught up", func() bool { _, seq := s.Applied(); return seq == res.LastSeq })
	consumers := streamConsumers(t, s)
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapInuse + ms.StackInuse
	}
	before := heap()
	const clients = 500
	conns := make([]net.Conn, clients)
	for i := range conns {
		c, err := net.Dial("tcp", s.HTTPAddr())
		if err != nil {
			t.Fatal(err)
		}
		defer checked(t, c.Close)
		if _, err := fmt.Fprintf(c, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		readUntil(t, c, "\nid: 1\n")
		conns[i] = c
	}
	poll.Until(t, "every client following the feed", func() bool { return s.FeedClients() == clients })
	per := (int64(heap()) - int64(before)) / clients
	t.Logf("%d idle feed clients: %d bytes each (heap and stacks, both ends of each connection)", clients, per)
	if per > 64<<10 {
		t.Errorf("an idle feed client costs %d bytes; want at most 64 KiB", per)
	}
	if n := streamConsumers(t, s); n != consumers {
		t.Errorf("the stream has %d consumers with %d feed clients, %d without: the clients should share one read", n, clients, consumers)
	}
}

// seed stores evs in a fresh archive in dir, before serve runs (its
// projector then folds them in batches, not one by one as they arrive),
// and returns the last sequence.
func seed(t *testing.T, dir string, evs []events.Event) uint64 {
	t.Helper()
	a, err := archive.Open(context.Background(), archive.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer archivetest.Close(t, a)
	res, err := a.Append(context.Background(), evs, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res.LastSeq
}

// readUntil reads c until what it read holds marker.
func readUntil(t *testing.T, c net.Conn, marker string) {
	t.Helper()
	if err := c.SetReadDeadline(time.Now().Add(30 * time.Second)); err != nil {
		t.Fatal(err)
	}
	defer checked(t, func() error { return c.SetReadDeadline(time.Time{}) })
	var got []byte
	buf := make([]byte, 512)
	for !bytes.Contains(got, []byte(marker)) {
		n, err := c.Read(buf)
		if err != nil {
			t.Fatalf("read until %q: %v after %q", marker, err, got)
		}
		got = append(got, buf[:n]...)
	}
}

// TestFeedTurnsAwayAndCutsOff: the feed takes FeedClients at once and
// answers the next 503; a client that stops reading a long feed is cut off
// at the write deadline, while one that keeps up and waits for news stays.
func TestFeedTurnsAwayAndCutsOff(t *testing.T) {
	dir := t.TempDir()
	last := seed(t, dir, gen.Generate(gen.Config{Events: 20000, Seed: 5}))
	s := start(t, dir, "127.0.0.1:-1", func(c *server.Config) { c.HTTPTimeout = time.Second; c.FeedClients = 2 })
	t.Cleanup(func() { checked(t, s.Close) })
	follow := func(from uint64) net.Conn {
		t.Helper()
		c, err := net.Dial("tcp", s.HTTPAddr())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			// The test closes one itself, a client leaving: a second
			// close of it has nothing to report.
			if err := c.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
				t.Error(err)
			}
		})
		if _, err := fmt.Fprintf(c, "GET /events?from_seq=%d HTTP/1.1\r\nHost: x\r\n\r\n", from); err != nil {
			t.Fatal(err)
		}
		readUntil(t, c, fmt.Sprintf("id: %d\n", from))
		return c
	}
	// Up to date, waiting for the next event: they are never cut off.
	idle, other := follow(last), follow(last)
	resp, err := http.Get("http://" + s.HTTPAddr() + "/events")
	if err != nil {
		t.Fatal(err)
	}
	checked(t, resp.Body.Close)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("a third client: %s, Retry-After %q; want 503 with Retry-After", resp.Status, resp.Header.Get("Retry-After"))
	}
	checked(t, other.Close)
	poll.Until(t, "the second client to leave", func() bool { return s.FeedClients() == 1 })

	// Far more than the sockets' buffers hold, read no further than the
	// first event.
	stalled := follow(1)
	poll.Until(t, "the stalled client to be cut off", func() bool { return s.FeedClients() == 1 })
	if err := stalled.SetReadDeadline(time.Now().Add(30 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(stalled); isTimeout(err) {
		t.Fatal("the stalled client's connection is still open")
	}
	// The one that kept up is still served.
	if _, err := client(t, s).Append(context.Background(), gen.Generate(gen.Config{Events: 20001, Seed: 5}), nil); err != nil {
		t.Fatal(err)
	}
	readUntil(t, idle, fmt.Sprintf("id: %d\n", last+1))
}

// TestSSEResumesFromTheStream: records older than the feed keeps — here
// all of them, the views having been restored from a snapshot — are read
// from the stream without a consumer, in rounds, leaving out what the views
// leave out; Last-Event-ID resumes without a gap or a repeat.
func TestSSEResumesFromTheStream(t *testing.T) {
	dir := t.TempDir()
	evs := gen.Generate(gen.Config{Events: 1001, Seed: 9})
	last := seed(t, dir, evs[:len(evs)-1])
	a, err := archive.Open(context.Background(), archive.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for _, junk := range []string{`{"type":`, `not json`} {
		if _, err := a.JetStream().Publish(context.Background(), "story.nobody.junk", []byte(junk)); err != nil {
			t.Fatal(err)
		}
	}
	archivetest.Close(t, a)
	final := seed(t, dir, evs[len(evs)-1:])
	s := start(t, dir, "127.0.0.1:-1")
	checked(t, s.Close) // leaves a snapshot of every record
	s = start(t, dir, "127.0.0.1:-1")
	t.Cleanup(func() { checked(t, s.Close) })
	if _, seq := s.Applied(); seq != final {
		t.Fatalf("views at %d after a restart; want %d from the snapshot", seq, final)
	}
	want := int(last) + 1
	ids := sseIDs(t, s.HTTPAddr(), "", "", want)
	consecutive(t, ids[:last], 1)
	if ids[last] != fmt.Sprint(final) {
		t.Errorf("after seq %d comes %s; want %d (the junk at %d-%d left out)", last, ids[last], final, last+1, final-1)
	}
	rest := sseIDs(t, s.HTTPAddr(), "", "600", want-600)
	consecutive(t, rest[:last-600], 601)
	if got := rest[len(rest)-1]; got != fmt.Sprint(final) {
		t.Errorf("resumed after 600, the feed ends with %s; want %d", got, final)
	}
}
