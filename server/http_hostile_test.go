package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"storyline/gen"
	"storyline/server"
)

// openAPIParams returns every documented GET path with its parameter names.
func openAPIParams(t *testing.T, base string) map[string][]string {
	t.Helper()
	resp, err := http.Get(base + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer checked(t, resp.Body.Close)
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name string `json:"name"`
				In   string `json:"in"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for path, ops := range doc.Paths {
		for _, p := range ops["get"].Parameters {
			out[path] = append(out[path], p.Name)
		}
		if _, ok := out[path]; !ok {
			out[path] = nil
		}
	}
	return out
}

// junk is what a careless or hostile client puts in a parameter.
func junk(rng *rand.Rand) string {
	pick := []func() string{
		func() string { return "" },
		func() string { return strings.Repeat("9", 1+rng.IntN(40)) },
		func() string { return "-" + strings.Repeat("1", 1+rng.IntN(25)) },
		func() string { return "2023-02-30T25:61:00Z" },
		func() string { return "9999-12-31T23:59:59Z" },
		func() string { return "0001-01-01" },
		func() string { return "../../etc/passwd" },
		func() string { return "奧卡福\u202e\u0000" },
		func() string { return "%zz%" },
		func() string { return "<script>alert(1)</script>" },
		func() string {
			b := make([]byte, 1+rng.IntN(200))
			for i := range b {
				b[i] = byte(rng.IntN(256))
			}
			return string(b)
		},
		func() string { return "2023-11-17 12:00 Mars/Olympus" },
		func() string { return strings.Repeat("ab", 3000) },
	}
	return pick[rng.IntN(len(pick))]()
}

// TestHTTPNeverFailsOnJunkParameters sends every documented path junk in
// every parameter, and some undocumented ones: the answer is a 2xx or a
// 4xx with a JSON error, never a 5xx.
func TestHTTPNeverFailsOnJunkParameters(t *testing.T) {
	s := start(t, t.TempDir(), "127.0.0.1:-1")
	t.Cleanup(func() { checked(t, s.Close) })
	if _, err := client(t, s).Append(context.Background(), story(t), nil); err != nil {
		t.Fatal(err)
	}
	base := "http://" + s.HTTPAddr()
	paths := openAPIParams(t, base)
	rng := rand.New(rand.NewPCG(7, 7))
	hc := &http.Client{Timeout: 20 * time.Second}
	n := 0
	for path, params := range paths {
		if path == "/events" {
			continue // a stream: tested on its own
		}
		for range 40 {
			q := url.Values{}
			for _, p := range append(params, "colour", "at") {
				if rng.IntN(3) > 0 {
					q.Set(p, junk(rng))
				}
			}
			u := base + strings.Replace(path, "{person}", url.PathEscape(junk(rng)), 1) + "?" + q.Encode()
			resp, err := hc.Get(u)
			if err != nil {
				t.Fatalf("%s: %v", u, err)
			}
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatalf("%s: %v", u, err)
			}
			checked(t, resp.Body.Close)
			n++
			if resp.StatusCode >= 500 {
				t.Fatalf("%s: %d %s", u, resp.StatusCode, body)
			}
			if resp.StatusCode >= 400 && !json.Valid(body) {
				t.Fatalf("%s: %d with a non-JSON error %q", u, resp.StatusCode, body)
			}
		}
	}
	t.Logf("%d junk requests, no 5xx", n)
}

// TestHTTPTurnsAwayOversizedRequests: bodies, headers and query strings far
// beyond what a read-only API needs get a 4xx, not a 5xx and not a hang.
func TestHTTPTurnsAwayOversizedRequests(t *testing.T) {
	s := start(t, t.TempDir(), "127.0.0.1:-1")
	t.Cleanup(func() { checked(t, s.Close) })
	base := "http://" + s.HTTPAddr()
	tests := []struct {
		name   string
		method string
		body   int // bytes
		header int // bytes in one extra header
		query  int // bytes of query string
	}{
		{"GET with a 4 MiB body", "GET", 4 << 20, 0, 0},
		{"POST with a 4 MiB body", "POST", 4 << 20, 0, 0},
		{"PUT with a small body", "PUT", 100, 0, 0},
		{"128 KiB header", "GET", 0, 128 << 10, 0},
		{"64 KiB query string", "GET", 0, 0, 64 << 10},
	}
	hc := &http.Client{Timeout: 20 * time.Second}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := base + "/api/claims"
			if tt.query > 0 {
				u += "?outlet=" + strings.Repeat("x", tt.query)
			}
			var body io.Reader
			if tt.body > 0 {
				body = bytes.NewReader(make([]byte, tt.body))
			}
			req, err := http.NewRequest(tt.method, u, body)
			if err != nil {
				t.Fatal(err)
			}
			if tt.header > 0 {
				req.Header.Set("X-Padding", strings.Repeat("p", tt.header))
			}
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatalf("no answer: %v", err)
			}
			checked(t, resp.Body.Close)
			if resp.StatusCode < 400 || resp.StatusCode >= 500 {
				t.Fatalf("status %d, want a 4xx", resp.StatusCode)
			}
			t.Logf("%s: %d", tt.name, resp.StatusCode)
		})
	}
}

// TestHTTPSlowClientsTimeOut: a client that sends half a request, or asks
// for a large answer and never reads it, loses its connection once the
// timeouts pass; meanwhile everyone else is answered.
func TestHTTPSlowClientsTimeOut(t *testing.T) {
	s := start(t, t.TempDir(), "127.0.0.1:-1", func(c *server.Config) { c.HTTPTimeout = time.Second })
	t.Cleanup(func() { checked(t, s.Close) })
	if _, err := client(t, s).Append(context.Background(), gen.Generate(gen.Config{Events: 20000, Seed: 5}), nil); err != nil {
		t.Fatal(err)
	}
	addr := s.HTTPAddr()
	// Half a request: the headers never end.
	half, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer checked(t, half.Close)
	if _, err := fmt.Fprintf(half, "GET /api/claims HTTP/1.1\r\nHost: x\r\nX-Slow: "); err != nil {
		t.Fatal(err)
	}

	// Whole requests for answers far larger than the socket buffers
	// (100 pipelined timelines), never read.
	stalled, err := net.DialTCP("tcp", nil, mustResolve(t, addr))
	if err != nil {
		t.Fatal(err)
	}
	defer checked(t, stalled.Close)
	if err := stalled.SetReadBuffer(4 << 10); err != nil {
		t.Fatal(err)
	}
	for range 100 {
		if _, err := fmt.Fprintf(stalled, "GET /api/timeline?limit=1000 HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
	}

	// Others are served meanwhile.
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := (&http.Client{Timeout: 20 * time.Second}).Get("http://" + addr + "/api/sources")
			if err != nil {
				errs <- err
				return
			}
			if err := resp.Body.Close(); err != nil {
				errs <- err
				return
			}
			if resp.StatusCode != 200 {
				errs <- fmt.Errorf("status %d", resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("a well-behaved client while two misbehave: %v", err)
	}

	// The half request is closed (with or without a 408) rather than kept.
	if err := half.SetReadDeadline(time.Now().Add(30 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(half); isTimeout(err) {
		t.Fatal("half-sent request still open after 30 s")
	}
	// The stalled reader's answer is cut off: after the write deadline the
	// server closes the connection, so reading now ends before a complete
	// answer arrives (or with a reset) instead of waiting forever.
	//
	// Not synchronisation: the stall is the input. The reader must read
	// nothing until the server's write deadline (1 s) has passed with its
	// answer blocked, since reading sooner lets the answers through. Its
	// end is not observable from here: serve counts feed clients but not
	// HTTP connections, and a close behind unread data reaches a reader
	// that does not read only as a reset, if at all. So it stalls for four
	// deadlines.
	time.Sleep(4 * time.Second)
	if err := stalled.SetReadDeadline(time.Now().Add(30 * time.Second)); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(stalled)
	answers := 0
	for {
		resp, err := http.ReadResponse(br, nil)
		if err == nil {
			_, err = io.Copy(io.Discard, resp.Body)
			if cerr := resp.Body.Close(); err == nil {
				err = cerr // the copy's error first: it says whether the read timed out
			}
		}
		if isTimeout(err) {
			t.Fatal("stalled reader's connection still open after the write deadline")
		}
		if err != nil {
			t.Logf("stalled reader cut off after %d of 100 answers: %v", answers, err)
			break
		}
		answers++
	}
	if answers == 100 {
		t.Fatal("the stalled reader got every answer: nothing was cut off")
	}
}

func mustResolve(t *testing.T, addr string) *net.TCPAddr {
	t.Helper()
	a, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}
