package archive_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"storyline/archive"
	"storyline/archive/archivetest"
)

// ackCutter is a TCP proxy in front of a NATS server that, once, cuts the
// connection instead of passing on the server's acknowledgement of an
// atomic batch: the batch is stored, but its writer never hears so, as
// when a full disk or an overloaded server answers too late.
type ackCutter struct {
	target string
	cut    atomic.Bool
}

func startAckCutter(t *testing.T, target string) (string, *ackCutter) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := ln.Close(); err != nil {
			t.Error(err)
		}
	})
	p := &ackCutter{target: target}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
	return "nats://" + ln.Addr().String(), p
}

func (p *ackCutter) serve(c net.Conn) {
	// The proxy's errors are not the test's: it cuts connections on
	// purpose, and it may run on after the test ended. What the test
	// checks is what the client saw.
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		_ = c.Close() // the client then sees the server unreachable, which is all it can learn
		return
	}
	go func() {
		_, _ = io.Copy(s, c) // it ends in an error whenever either side closes, as the cut does
		_ = s.Close()        // ends the other direction; the server side may be closed already
	}()
	defer func() {
		_ = c.Close() // the client may have closed it already
		_ = s.Close() // the copy above may have closed it already
	}()
	buf := make([]byte, 64<<10)
	var tail []byte // the end of the last chunk: an ack may straddle two
	for {
		n, err := s.Read(buf)
		if err != nil {
			return
		}
		seen := append(tail, buf[:n]...)
		if bytes.Contains(seen, []byte(`"count":`)) && p.cut.CompareAndSwap(false, true) {
			return // the batch ack (it alone has a count) never arrives
		}
		if _, err := c.Write(buf[:n]); err != nil {
			return
		}
		tail = append(tail[:0], seen[max(0, len(seen)-32):]...)
	}
}

// TestAppendCountsWhatALostAckStored: when the answer to a batch is lost
// though the batch was stored, the append finds its events stored with the
// chain values it sent and counts them as stored by this run — before, the
// retry counted them "already present", so an import that stored every
// event reported fewer — and its ledger of acknowledged ids has them all.
func TestAppendCountsWhatALostAckStored(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	host := archivetest.New(t, func(c *archive.Config) { c.Listen = "127.0.0.1:-1" })
	url, cutter := startAckCutter(t, strings.TrimPrefix(host.Server().ClientURL(), "nats://"))
	remote := archivetest.Open(t, archive.Config{DataDir: t.TempDir(), NATSURL: url, BatchSize: 50, RequestTimeout: 500 * time.Millisecond})
	evs := makeEvents(t, "acme", 120)
	acked := map[string]bool{}
	res, err := remote.AppendWith(ctx, evs, archive.AppendOptions{Acked: func(ids []string) {
		for _, id := range ids {
			acked[id] = true
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !cutter.cut.Load() {
		t.Fatal("no batch acknowledgement was cut off: the test did not test anything")
	}
	if res.Stored != 120 || res.Present != 0 || len(acked) != 120 {
		t.Fatalf("append: %+v, %d ids acknowledged; want 120 stored, 0 present, 120 acknowledged", res, len(acked))
	}
	if n := count(t, host); n != 120 {
		t.Fatalf("stream holds %d; want 120", n)
	}
	res, err = remote.Append(ctx, evs, nil)
	if err != nil || res.Stored != 0 || res.Present != 120 {
		t.Fatalf("second append: %+v, %v; want 120 present", res, err)
	}
}
