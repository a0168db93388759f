package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"storyline/archive"
	"storyline/events"
	"storyline/query"
	"storyline/server"
)

func story(t testing.TB) []events.Event {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "projections", "testdata", "halvorsen.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	evs, errs := events.ReadAll(f, "halvorsen.jsonl")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return evs
}

func freePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func start(t testing.TB, dir, listen string, opts ...func(*server.Config)) *server.Server {
	t.Helper()
	cfg := server.Config{Archive: archive.Config{DataDir: dir, Listen: listen}, HTTP: "127.0.0.1:0"}
	for _, o := range opts {
		o(&cfg)
	}
	s, err := server.Open(context.Background(), cfg, query.NewEngine())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// client opens the archive through the server, as a second terminal would.
func client(t testing.TB, s *server.Server) *archive.Archive {
	t.Helper()
	a, err := archive.Open(context.Background(), archive.Config{DataDir: t.TempDir(), NATSURL: s.NATSURL()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func engineOf(evs []events.Event) *query.Engine {
	g := query.NewEngine()
	for i := range evs {
		g.Apply(uint64(i+1), &evs[i])
	}
	return g
}

func TestServeAnswersWatchesAndPublishesViews(t *testing.T) {
	ctx := context.Background()
	s := start(t, t.TempDir(), "127.0.0.1:-1")
	defer s.Close()
	evs := story(t)
	writer := client(t, s)

	// A plain NATS client watches the KV bucket of "now" views.
	nc, err := nats.Connect(s.NATSURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	kv, err := js.KeyValue(ctx, "STORY_VIEWS")
	if err != nil {
		t.Fatal(err)
	}
	w, err := kv.Watch(ctx, "board.halvorsen-robotics", jetstream.UpdatesOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	// A third client watches new events.
	got := make(chan archive.Record, 100)
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	watcher := client(t, s)
	go watcher.Watch(wctx, 1, func(r archive.Record) error { got <- r; return nil })

	if _, err := writer.Append(ctx, evs, nil); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(evs); i++ {
		select {
		case r := <-got:
			if r.Seq != uint64(i+1) {
				t.Fatalf("watch delivered seq %d, want %d", r.Seq, i+1)
			}
		case <-time.After(15 * time.Second):
			t.Fatalf("watch delivered %d of %d events", i, len(evs))
		}
	}
	select {
	case e := <-w.Updates():
		var b struct{ Members []struct{ Person string } }
		if e == nil || json.Unmarshal(e.Value(), &b) != nil || len(b.Members) == 0 {
			t.Fatalf("KV update %v", e)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no KV update for the board")
	}

	// The micro service answers what the engine answers in process.
	waitFor(t, "views caught up", func() bool { _, seq := s.Applied(); return seq == uint64(len(evs)) })
	local := engineOf(evs)
	at := time.Date(2024, 2, 16, 12, 0, 0, 0, time.UTC)
	k := time.Date(2024, 2, 16, 8, 0, 0, 0, time.UTC)
	for _, req := range []query.Request{
		{View: "board", Org: "halvorsen", At: at, KnownAt: k},
		{View: "roles", Org: "halvorsen-robotics", At: at, KnownAt: k},
		{View: "status", Person: "李伟", At: at, KnownAt: k},
		{View: "claims", At: at, KnownAt: k},
		{View: "timeline", Entity: "tom-becker", KnownAt: k},
		{View: "diff", From: at.AddDate(0, -1, 0), To: at, KnownAt: k},
	} {
		remote, err := server.Query(ctx, nc, req)
		if err != nil {
			t.Fatalf("%s: %v", req.View, err)
		}
		want, err := local.Answer(req)
		if err != nil {
			t.Fatal(err)
		}
		wb, _ := json.Marshal(want)
		if string(remote) != string(wb) {
			t.Errorf("%s: micro service and in-process answers differ:\n%s\n%s", req.View, remote, wb)
		}
		// The HTTP API gives the same JSON.
		u := fmt.Sprintf("http://%s/api/%s?at=%s&known_at=%s&org=%s&entity=%s", s.HTTPAddr(), req.View, at.Format(time.RFC3339), k.Format(time.RFC3339), req.Org, req.Entity)
		if req.View == "status" {
			u = fmt.Sprintf("http://%s/api/status/lee-wei?at=%s&known_at=%s", s.HTTPAddr(), at.Format(time.RFC3339), k.Format(time.RFC3339))
		}
		if req.View == "diff" {
			u = fmt.Sprintf("http://%s/api/diff?from=%s&to=%s&known_at=%s", s.HTTPAddr(), req.From.Format(time.RFC3339), at.Format(time.RFC3339), k.Format(time.RFC3339))
		}
		if req.View == "timeline" {
			u = fmt.Sprintf("http://%s/api/timeline?entity=tom-becker&known_at=%s", s.HTTPAddr(), k.Format(time.RFC3339))
		}
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != string(wb) {
			t.Errorf("%s over HTTP: %d\n%s\nwant\n%s", req.View, resp.StatusCode, body, wb)
		}
	}
	// Unknown entity: a 4xx naming the parameter, over both.
	if _, err := server.Query(ctx, nc, query.Request{View: "board", Org: "nobody-here"}); !errors.Is(err, query.ErrBadParam) {
		t.Errorf("unknown org over micro: %v", err)
	}
}

func TestHTTPRejectsBadRequests(t *testing.T) {
	s := start(t, t.TempDir(), "127.0.0.1:-1")
	defer s.Close()
	if _, err := client(t, s).Append(context.Background(), story(t), nil); err != nil {
		t.Fatal(err)
	}
	base := "http://" + s.HTTPAddr()
	tests := []struct {
		name, method, path string
		code               int
		param              string
	}{
		{"bad time", "GET", "/api/board?org=halvorsen&at=yesterday", 400, "at"},
		{"missing org", "GET", "/api/board", 400, "org"},
		{"unknown org", "GET", "/api/roles?org=zzz", 400, "org"},
		{"bad by", "GET", "/api/timeline?by=sideways", 400, "by"},
		{"bad type", "GET", "/api/timeline?type=nope", 400, "type"},
		{"bad limit", "GET", "/api/timeline?limit=-3", 400, "limit"},
		{"diff without to", "GET", "/api/diff?from=2024-01-01", 400, "to"},
		{"bad last event id", "GET", "/events?from_seq=x", 400, "from_seq"},
		{"write attempt", "POST", "/api/board?org=halvorsen", 405, ""},
		{"delete attempt", "DELETE", "/api/board", 405, ""},
		{"huge query", "GET", "/api/board?org=" + strings.Repeat("a", 20000), 414, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, base+tt.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct{ Error, Param string }
			json.NewDecoder(resp.Body).Decode(&body)
			if resp.StatusCode != tt.code || body.Param != tt.param || body.Error == "" {
				t.Fatalf("got %d %+v, want %d naming %q", resp.StatusCode, body, tt.code, tt.param)
			}
		})
	}
}

func TestOpenAPIMatchesHandlers(t *testing.T) {
	s := start(t, t.TempDir(), "127.0.0.1:-1")
	defer s.Close()
	resp, err := http.Get("http://" + s.HTTPAddr() + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	json.NewDecoder(resp.Body).Decode(&doc)
	resp.Body.Close()
	if !strings.HasPrefix(doc.OpenAPI, "3.") || len(doc.Paths) < 10 {
		t.Fatalf("openapi %q with %d paths", doc.OpenAPI, len(doc.Paths))
	}
	for _, want := range []string{"/api/board", "/api/roles", "/api/status/{person}", "/api/timeline", "/api/claims", "/api/sources", "/api/diff", "/events"} {
		if _, ok := doc.Paths[want]; !ok {
			t.Errorf("openapi lacks %s", want)
		}
	}
	// Every documented path is served (not 404) and nothing undocumented is.
	for path := range doc.Paths {
		if path == "/events" {
			continue
		}
		p := strings.Replace(path, "{person}", "x", 1)
		r, err := http.Get("http://" + s.HTTPAddr() + p)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode == 404 && !strings.Contains(path, "{") {
			t.Errorf("%s: documented but 404", path)
		}
		if r.StatusCode >= 500 {
			t.Errorf("%s: %d", path, r.StatusCode)
		}
	}
	r, _ := http.Get("http://" + s.HTTPAddr() + "/api/undocumented")
	if r.StatusCode != 404 {
		t.Errorf("undocumented path answered %d", r.StatusCode)
	}
	r.Body.Close()
}

func TestSSEResumesWithLastEventID(t *testing.T) {
	s := start(t, t.TempDir(), "127.0.0.1:-1")
	defer s.Close()
	evs := story(t)
	if _, err := client(t, s).Append(context.Background(), evs, nil); err != nil {
		t.Fatal(err)
	}
	read := func(lastID string, n int) []string {
		req, _ := http.NewRequest("GET", "http://"+s.HTTPAddr()+"/events", nil)
		if lastID != "" {
			req.Header.Set("Last-Event-ID", lastID)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
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
	first := read("", 10)
	rest := read(first[len(first)-1], len(evs)-10)
	all := append(first, rest...)
	if len(all) != len(evs) {
		t.Fatalf("%d ids", len(all))
	}
	for i, id := range all {
		if id != fmt.Sprint(i+1) {
			t.Fatalf("id %d is %s: gap or duplicate in %v", i, id, all)
		}
	}
}

func TestRestartDuringWatchLosesAndRepeatsNothing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	addr := freePort(t)
	s := start(t, dir, addr)
	evs := story(t)
	watcher, err := archive.Open(ctx, archive.Config{DataDir: t.TempDir(), NATSURL: "nats://" + addr})
	if err != nil {
		t.Fatal(err)
	}
	defer watcher.Close()
	got := make(chan uint64, 1000)
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	go watcher.Watch(wctx, 1, func(r archive.Record) error { got <- r.Seq; return nil })

	w1, _ := archive.Open(ctx, archive.Config{DataDir: t.TempDir(), NATSURL: s.NATSURL()})
	if _, err := w1.Append(ctx, evs[:12], nil); err != nil {
		t.Fatal(err)
	}
	w1.Close()
	var seqs []uint64
	collect := func(n int) {
		for len(seqs) < n {
			select {
			case q := <-got:
				seqs = append(seqs, q)
			case <-time.After(30 * time.Second):
				t.Fatalf("watch stalled at %v", seqs)
			}
		}
	}
	collect(12)
	s.Close() // serve stops mid-watch...
	s = start(t, dir, addr)
	defer s.Close()
	w2, _ := archive.Open(ctx, archive.Config{DataDir: t.TempDir(), NATSURL: s.NATSURL()})
	defer w2.Close()
	if _, err := w2.Append(ctx, evs, nil); err != nil {
		t.Fatal(err)
	}
	collect(len(evs))
	time.Sleep(300 * time.Millisecond) // room for a duplicate to show up
	select {
	case q := <-got:
		seqs = append(seqs, q)
	default:
	}
	if len(seqs) != len(evs) {
		t.Fatalf("watch saw %d records, want %d: %v", len(seqs), len(evs), seqs)
	}
	for i, q := range seqs {
		if q != uint64(i+1) {
			t.Fatalf("record %d has seq %d: %v", i, q, seqs)
		}
	}
}

func TestCheckpointResumeEqualsRebuild(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := start(t, dir, "127.0.0.1:-1")
	evs := story(t)
	if _, err := client(t, s).Append(ctx, evs[:15], nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "views caught up", func() bool { _, seq := s.Applied(); return seq == 15 })
	s.Close()
	if _, err := os.Stat(filepath.Join(dir, "views-STORY.ckpt")); err != nil {
		t.Fatalf("no checkpoint written: %v", err)
	}
	// More events while the server is down.
	a, err := archive.Open(ctx, archive.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Append(ctx, evs, nil); err != nil {
		t.Fatal(err)
	}
	a.Close()

	resumed := start(t, dir, "127.0.0.1:-1")
	q := query.Request{View: "diff", From: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), KnownAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	r1, err := resumed.Answer(q)
	if err != nil {
		t.Fatal(err)
	}
	resumed.Close()
	rebuilt := start(t, dir, "127.0.0.1:-1", func(c *server.Config) { c.NoCheckpoint = true })
	r2, _ := rebuilt.Answer(q)
	rebuilt.Close()
	b1, _ := json.Marshal(r1)
	b2, _ := json.Marshal(r2)
	if string(b1) != string(b2) || len(b1) < 100 {
		t.Fatalf("resumed and rebuilt views differ:\n%s\n%s", b1, b2)
	}
}

func TestPortTakenIsReported(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, err = server.Open(context.Background(), server.Config{Archive: archive.Config{DataDir: t.TempDir(), Listen: l.Addr().String()}}, query.NewEngine())
	if !errors.Is(err, server.ErrPortTaken) || !strings.Contains(err.Error(), "pid") {
		t.Fatalf("got %v, want ErrPortTaken naming the holder", err)
	}
}
