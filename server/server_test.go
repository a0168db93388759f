package server_test

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"storyline/archive"
	"storyline/archive/archivetest"
	"storyline/events"
	"storyline/poll"
	"storyline/query"
	"storyline/server"
)

func story(t testing.TB) []events.Event {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "projections", "testdata", "halvorsen.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer checked(t, f.Close)
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
	defer checked(t, l.Close)
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

// serveStory starts a server on a fresh data dir, stores the invented
// story through it and waits until the views include all of it.
func serveStory(t testing.TB) (*server.Server, []events.Event) {
	t.Helper()
	s := start(t, t.TempDir(), "127.0.0.1:-1")
	t.Cleanup(func() { checked(t, s.Close) })
	evs := story(t)
	if _, err := client(t, s).Append(context.Background(), evs, nil); err != nil {
		t.Fatal(err)
	}
	poll.Until(t, "views caught up", func() bool { _, seq := s.Applied(); return seq == uint64(len(evs)) })
	return s, evs
}

// client opens the archive through the server, as a second terminal would.
func client(t testing.TB, s *server.Server) *archive.Archive {
	t.Helper()
	a, err := archive.Open(context.Background(), archive.Config{DataDir: t.TempDir(), NATSURL: s.NATSURL()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { archivetest.Close(t, a) })
	return a
}

// checked calls f, a Close or Stop, and fails the test if it returns an
// error, without stopping it: called directly, deferred or in a Cleanup.
func checked(t testing.TB, f func() error) {
	t.Helper()
	if err := f(); err != nil {
		t.Error(err)
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
	t.Cleanup(func() { checked(t, s.Close) })
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
	defer checked(t, w.Stop)

	// A third client watches new events.
	got := make(chan archive.Record, 100)
	wctx, stop := context.WithCancel(ctx)
	watcher := client(t, s)
	watched := make(chan error, 1)
	go func() { watched <- watcher.Watch(wctx, 1, func(r archive.Record) error { got <- r; return nil }) }()
	defer checked(t, func() error { stop(); return <-watched })

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
	poll.Until(t, "views caught up", func() bool { _, seq := s.Applied(); return seq == uint64(len(evs)) })
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
		params := url.Values{"at": {at.Format(time.RFC3339)}, "known_at": {k.Format(time.RFC3339)}}
		for name, v := range map[string]string{"org": req.Org, "entity": req.Entity} {
			if v != "" {
				params.Set(name, v)
			}
		}
		u := fmt.Sprintf("http://%s/api/%s?%s", s.HTTPAddr(), req.View, params.Encode())
		if req.View == "status" {
			u = fmt.Sprintf("http://%s/api/status/lee-wei?at=%s&known_at=%s", s.HTTPAddr(), at.Format(time.RFC3339), k.Format(time.RFC3339))
		}
		if req.View == "diff" {
			u = fmt.Sprintf("http://%s/api/diff?from=%s&to=%s&known_at=%s", s.HTTPAddr(), req.From.Format(time.RFC3339), at.Format(time.RFC3339), k.Format(time.RFC3339))
		}
		if req.View == "timeline" {
			u = fmt.Sprintf("http://%s/api/timeline?entity=tom-becker&known_at=%s", s.HTTPAddr(), k.Format(time.RFC3339))
		}
		resp, body := fetch(t, u)
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
	t.Cleanup(func() { checked(t, s.Close) })
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
		{"misspelt known_at", "GET", "/api/roles?org=halvorsen&knownAt=2024-02-16", 400, "knownAt"},
		{"a parameter of another route", "GET", "/api/claims?org=halvorsen", 400, "org"},
		{"a person where an org goes", "GET", "/api/board?org=lee-wei", 400, "org"},
		{"the zero time", "GET", "/api/board?org=halvorsen&at=0001-01-01", 400, "at"},
		{"from after to", "GET", "/api/diff?from=2024-03-01&to=2024-01-01", 400, "from"},
		{"feed of an unknown entity", "GET", "/events?entity=zzz", 400, "entity"},
		{"last event id at the end of uint64", "GET", "/events?last_event_id=18446744073709551615", 400, "Last-Event-ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, base+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer checked(t, resp.Body.Close)
			var body struct{ Error, Param string }
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatalf("%d, an answer that is not a JSON error: %v", resp.StatusCode, err)
			}
			if resp.StatusCode != tt.code || body.Param != tt.param || body.Error == "" {
				t.Fatalf("got %d %+v, want %d naming %q", resp.StatusCode, body, tt.code, tt.param)
			}
		})
	}
}

// TestOpenAPIMatchesHandlers checks the document from the outside: every
// documented route answers 200 with a valid value for each of its
// parameters, the answer fits the documented schema, and a parameter it
// does not document is refused by name.
func TestOpenAPIMatchesHandlers(t *testing.T) {
	s, evs := serveStory(t)
	// File the story, so that story= has one to name.
	filings, err := query.FilingFor("halvorsen-2024", evs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client(t, s).Append(context.Background(), filings, nil); err != nil {
		t.Fatal(err)
	}
	poll.Until(t, "views caught up", func() bool { _, seq := s.Applied(); return seq == uint64(len(evs)+len(filings)) })
	resp, err := http.Get("http://" + s.HTTPAddr() + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	type parameter struct {
		Name, In string
		Required bool
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
		Paths   map[string]struct {
			Get struct {
				Parameters []parameter `json:"parameters"`
				Responses  map[string]struct {
					Content map[string]struct {
						Schema map[string]any `json:"schema"`
					} `json:"content"`
				} `json:"responses"`
			} `json:"get"`
		} `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	checked(t, resp.Body.Close)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	for _, want := range []string{"/api/board", "/api/roles", "/api/status/{person}", "/api/timeline", "/api/claims", "/api/sources", "/api/stakes", "/api/diff", "/api/entities", "/api/quarantine", "/api/stories", "/events"} {
		if _, ok := doc.Paths[want]; !ok {
			t.Errorf("openapi lacks %s", want)
		}
	}
	// A valid value for each parameter name the API uses.
	valid := map[string]string{"org": "halvorsen", "at": "2024-02-21", "known_at": "2025-01-01", "as_recorded": "2100-01-01", "from": "2024-02-01", "to": "2024-03-05",
		"until": "2024-12-31", "entity": "lee-wei", "type": "role.started", "by": "reported", "outlet": "Straits Tech Daily", "limit": "3", "story": "halvorsen-2024", "format": "json", "tz": "Europe/Oslo",
		"from_seq": "1", "last_event_id": "0"}
	get := func(path string, params url.Values) (int, []byte) {
		t.Helper()
		r, b := fetch(t, "http://"+s.HTTPAddr()+path+"?"+params.Encode())
		return r.StatusCode, b
	}
	for path, item := range doc.Paths {
		if path == "/events" {
			continue // a stream that does not end; TestSSEResumesWithLastEventID and the page tests read it
		}
		p := strings.Replace(path, "{person}", "lee-wei", 1)
		all := url.Values{}
		for _, prm := range item.Get.Parameters {
			if prm.In != "query" {
				continue
			}
			v, ok := valid[prm.Name]
			if !ok {
				t.Errorf("%s: no valid value known for parameter %q", path, prm.Name)
				continue
			}
			all.Set(prm.Name, v)
		}
		code, body := get(p, all)
		if code != http.StatusOK {
			t.Errorf("%s with every documented parameter: %d %s", path, code, body)
			continue
		}
		var answer any
		if err := json.Unmarshal(body, &answer); err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		schema := item.Get.Responses["200"].Content["application/json"].Schema
		items := 0
		if err := fits(answer, schema, "$", &items); err != nil {
			t.Errorf("%s: the answer does not fit the documented schema: %v", path, err)
		}
		if items == 0 && path != "/api/quarantine" {
			t.Errorf("%s: an answer without items checks little: %s", path, body)
		}
		all.Set("knownAt", "2025-01-01")
		if code, body := get(p, all); code != http.StatusBadRequest || !strings.Contains(string(body), `"param":"knownAt"`) {
			t.Errorf("%s with an undocumented parameter: %d %s; want 400 naming it", path, code, body)
		}
	}
	if code, _ := get("/api/undocumented", nil); code != 404 {
		t.Errorf("undocumented path answered %d", code)
	}
}

// fits checks v against the parts of a JSON schema the document uses:
// type, required properties, properties and items.
func fits(v any, schema map[string]any, at string, items *int) error {
	typ, _ := schema["type"].(string)
	switch typ {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: %T, want an object", at, v)
		}
		required, _ := schema["required"].([]any)
		for _, r := range required {
			if _, ok := m[r.(string)]; !ok {
				return fmt.Errorf("%s: no field %q", at, r)
			}
		}
		props, _ := schema["properties"].(map[string]any)
		for k, sub := range props {
			if fv, ok := m[k]; ok {
				if err := fits(fv, sub.(map[string]any), at+"."+k, items); err != nil {
					return err
				}
			}
		}
	case "array":
		a, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s: %T, want an array", at, v)
		}
		*items += len(a)
		for i, x := range a {
			if err := fits(x, schema["items"].(map[string]any), fmt.Sprintf("%s[%d]", at, i), items); err != nil {
				return err
			}
		}
	case "string":
		if _, ok := v.(string); !ok {
			return fmt.Errorf("%s: %T, want a string", at, v)
		}
	case "number", "integer":
		if _, ok := v.(float64); !ok {
			return fmt.Errorf("%s: %T, want a number", at, v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("%s: %T, want a boolean", at, v)
		}
	default:
		return fmt.Errorf("%s: schema without a type", at)
	}
	return nil
}

func TestSSEResumesWithLastEventID(t *testing.T) {
	s := start(t, t.TempDir(), "127.0.0.1:-1")
	t.Cleanup(func() { checked(t, s.Close) })
	evs := story(t)
	if _, err := client(t, s).Append(context.Background(), evs, nil); err != nil {
		t.Fatal(err)
	}
	first := sseIDs(t, s.HTTPAddr(), "", "", 10)
	rest := sseIDs(t, s.HTTPAddr(), "", first[len(first)-1], len(evs)-10)
	all := append(first, rest...)
	if len(all) != len(evs) {
		t.Fatalf("%d ids", len(all))
	}
	consecutive(t, all, 1)
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
	defer archivetest.Close(t, watcher)
	got := make(chan uint64, 1000)
	wctx, stop := context.WithCancel(ctx)
	watched := make(chan error, 1)
	go func() { watched <- watcher.Watch(wctx, 1, func(r archive.Record) error { got <- r.Seq; return nil }) }()
	defer checked(t, func() error { stop(); return <-watched })

	w1, err := archive.Open(ctx, archive.Config{DataDir: t.TempDir(), NATSURL: s.NATSURL()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w1.Append(ctx, evs[:12], nil); err != nil {
		t.Fatal(err)
	}
	archivetest.Close(t, w1)
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
	checked(t, s.Close) // serve stops mid-watch...
	s = start(t, dir, addr)
	t.Cleanup(func() { checked(t, s.Close) })
	w2, err := archive.Open(ctx, archive.Config{DataDir: t.TempDir(), NATSURL: s.NATSURL()})
	if err != nil {
		t.Fatal(err)
	}
	defer archivetest.Close(t, w2)
	if _, err := w2.Append(ctx, evs, nil); err != nil {
		t.Fatal(err)
	}
	// A sentinel written after the story: a duplicate of an earlier
	// record would reach the watch before it.
	sentinel := evs[0]
	sentinel.ID, sentinel.Quote = "", "sentinel"
	sentinel.ID = sentinel.DeriveID()
	if _, err := w2.Append(ctx, []events.Event{sentinel}, nil); err != nil {
		t.Fatal(err)
	}
	for len(seqs) == 0 || seqs[len(seqs)-1] != uint64(len(evs)+1) {
		collect(len(seqs) + 1)
	}
	seqs = seqs[:len(seqs)-1]
	if len(seqs) != len(evs) {
		t.Fatalf("watch saw %d records before the sentinel, want %d: %v", len(seqs), len(evs), seqs)
	}
	for i, q := range seqs {
		if q != uint64(i+1) {
			t.Fatalf("record %d has seq %d: %v", i, q, seqs)
		}
	}
}

func TestSnapshotResumeEqualsRebuild(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := start(t, dir, "127.0.0.1:-1")
	evs := story(t)
	c := client(t, s)
	if _, err := c.Append(ctx, evs[:15], nil); err != nil {
		t.Fatal(err)
	}
	poll.Until(t, "views caught up", func() bool { _, seq := s.Applied(); return seq == 15 })
	archivetest.Close(t, c) // before serve stops: a client left open would lose its server
	checked(t, s.Close)
	if _, err := os.Stat(filepath.Join(dir, "snapshots", "STORY.snap")); err != nil {
		t.Fatalf("no snapshot written: %v", err)
	}
	// More events while the server is down.
	a, err := archive.Open(ctx, archive.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Append(ctx, evs, nil); err != nil {
		t.Fatal(err)
	}
	archivetest.Close(t, a)

	resumed := start(t, dir, "127.0.0.1:-1")
	q := query.Request{View: "diff", From: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), KnownAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	r1, err := resumed.Answer(q)
	if err != nil {
		t.Fatal(err)
	}
	checked(t, resumed.Close)
	rebuilt := start(t, dir, "127.0.0.1:-1", func(c *server.Config) { c.NoSnapshot = true })
	r2, err := rebuilt.Answer(q)
	if err != nil {
		t.Fatal(err)
	}
	checked(t, rebuilt.Close)
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
	defer checked(t, l.Close)
	_, err = server.Open(context.Background(), server.Config{Archive: archive.Config{DataDir: t.TempDir(), Listen: l.Addr().String()}}, query.NewEngine())
	if !errors.Is(err, server.ErrPortTaken) || !strings.Contains(err.Error(), "pid") {
		t.Fatalf("got %v, want ErrPortTaken naming the holder", err)
	}
}

// TestFeedAndEntitiesNameAsTheViewsDo: the event feed's entity filter takes
// the aliases and prefixes the views take, and the entity list is the one
// known at known_at.
func TestFeedAndEntitiesNameAsTheViewsDo(t *testing.T) {
	s, _ := serveStory(t)
	base := "http://" + s.HTTPAddr()
	resp, err := http.Get(base + "/events?from_seq=1&entity=" + url.QueryEscape("李伟"))
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 4<<20)
	n := 0
	for n < 3 && sc.Scan() {
		if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			n++
			if !strings.Contains(data, `"lee-wei"`) {
				t.Errorf("the feed for 李伟 sent %.200s", data)
			}
			// Live rows name their outlet as the views do.
			var ev struct {
				OutletName string `json:"outlet_name"`
				Source     struct{ Outlet string }
			}
			if err := json.Unmarshal([]byte(data), &ev); err != nil || ev.OutletName == "" {
				t.Errorf("feed event without outlet_name (%v): %.200s", err, data)
			}
		}
	}
	checked(t, resp.Body.Close)
	if n != 3 {
		t.Fatalf("the feed for an alias sent %d events", n)
	}
	count := func(knownAt string) int {
		r, err := http.Get(base + "/api/entities?known_at=" + knownAt)
		if err != nil {
			t.Fatal(err)
		}
		defer checked(t, r.Body.Close)
		var list []struct{ ID string }
		if err := json.NewDecoder(r.Body).Decode(&list); err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	early, late := count("2019-01-01"), count("2030-01-01")
	if early >= late || late == 0 {
		t.Errorf("entities known in 2019: %d, in 2030: %d; want fewer before they were described", early, late)
	}
}

// TestHTTPAnswersCSV: format=csv gives the same rows as the CLI's --csv,
// times in tz; a bad format or zone is a 400 naming it.
func TestHTTPAnswersCSV(t *testing.T) {
	s, _ := serveStory(t)
	get := func(q string) (int, string, string) {
		t.Helper()
		r, b := fetch(t, "http://"+s.HTTPAddr()+"/api/board?org=halvorsen&at=2024-02-21&known_at=2025-01-01"+q)
		return r.StatusCode, r.Header.Get("Content-Type"), string(b)
	}
	code, ctype, body := get("&format=csv&tz=Asia/Singapore")
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if code != 200 || !strings.HasPrefix(ctype, "text/csv") || err != nil || len(rows) < 3 || strings.Join(rows[0], ",") != "part,seat,person,name,since,since_precision,event" {
		t.Fatalf("board as CSV: %d %s %v\n%s", code, ctype, err, body)
	}
	for _, row := range rows[1:] {
		if row[5] == "minute" && !strings.HasSuffix(row[4], "+08:00") {
			t.Errorf("a time not in the zone asked for: %v", row)
		}
	}
	for _, q := range []string{"&format=xml", "&format=csv&tz=Moon/Base"} {
		if code, _, body := get(q); code != 400 {
			t.Errorf("%s: %d %s", q, code, body)
		}
	}
}
