package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/micro"

	"storyline/archive"
	"storyline/poll"
	"storyline/query"
	"storyline/query/querytest"
	"storyline/server"
)

// TestAddedViewIsServed adds a view to the table in the test and serves
// it: with nothing else written for it, it is a micro endpoint with its
// metadata, a route of the HTTP API that refuses what it does not take, and
// a path of the OpenAPI document, and all of them give the engine's answer.
func TestAddedViewIsServed(t *testing.T) {
	ctx := context.Background()
	views, err := query.Views().With(querytest.Headcount())
	if err != nil {
		t.Fatal(err)
	}
	s, err := server.Open(ctx, server.Config{Archive: archive.Config{DataDir: t.TempDir(), Listen: "127.0.0.1:-1"}, HTTP: "127.0.0.1:0"}, query.NewEngineFor(views))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { checked(t, s.Close) })
	evs := story(t)
	if _, err := client(t, s).Append(ctx, evs, nil); err != nil {
		t.Fatal(err)
	}
	poll.Until(t, "views caught up", func() bool { _, seq := s.Applied(); return seq == uint64(len(evs)) })

	// The OpenAPI document has its path, its parameters in order and its
	// summary.
	var doc struct {
		Paths map[string]struct {
			Get struct {
				Summary    string
				Parameters []struct {
					Name, In string
					Required bool
				}
			}
		}
	}
	getJSON(t, "http://"+s.HTTPAddr()+"/openapi.json", &doc)
	op := doc.Paths["/api/headcount"].Get
	var names []string
	for _, p := range op.Parameters {
		names = append(names, fmt.Sprintf("%s %s %v", p.Name, p.In, p.Required))
	}
	if op.Summary != querytest.HeadcountSummary || !slices.Equal(names, []string{"org query true", "at query false", "known_at query false"}) {
		t.Errorf("OpenAPI /api/headcount: %q %v", op.Summary, names)
	}

	// The micro service lists its endpoint, with its metadata.
	nc, err := nats.Connect(s.NATSURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	msg, err := nc.Request("$SRV.INFO.story", nil, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var info micro.Info
	if err := json.Unmarshal(msg.Data, &info); err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(info.Endpoints, func(e micro.EndpointInfo) bool { return e.Name == "headcount" })
	if i < 0 || len(info.Endpoints) != len(query.Views().All())+1 {
		t.Fatalf("micro endpoints %+v; want the table's and headcount", info.Endpoints)
	}
	if e := info.Endpoints[i]; e.Subject != server.ServiceSubject+".headcount" || e.Metadata["summary"] != querytest.HeadcountSummary ||
		!strings.Contains(e.Metadata["request"], `"org" (string, required)`) || !strings.Contains(info.Description, "headcount") {
		t.Errorf("headcount endpoint %+v in %q", e, info.Description)
	}

	// Micro, HTTP and the engine in process answer alike.
	at := time.Date(2024, 2, 16, 12, 0, 0, 0, time.UTC)
	local := query.NewEngineFor(views)
	for i := range evs {
		local.Apply(uint64(i+1), &evs[i])
	}
	want, err := local.Answer(query.Request{View: "headcount", Org: "halvorsen", At: at, KnownAt: at})
	if err != nil {
		t.Fatal(err)
	}
	wb, _ := json.Marshal(want)
	remote, err := server.Query(ctx, nc, query.Request{View: "headcount", Org: "halvorsen", At: at, KnownAt: at})
	if err != nil || string(remote) != string(wb) || want.(querytest.HeadcountAnswer).Members == 0 {
		t.Errorf("micro headcount %s (%v); in process %s", remote, err, wb)
	}
	code, body := get(t, fmt.Sprintf("http://%s/api/headcount?org=halvorsen&at=%s&known_at=%[2]s", s.HTTPAddr(), at.Format(time.RFC3339)))
	if code != 200 || strings.TrimSpace(body) != string(wb) {
		t.Errorf("HTTP headcount %d %s; in process %s", code, body, wb)
	}
	if code, body := get(t, "http://"+s.HTTPAddr()+"/api/headcount?org=halvorsen&type=role.started"); code != 400 || !strings.Contains(body, `"param":"type"`) {
		t.Errorf("headcount with a parameter it does not take: %d %s", code, body)
	}
	if _, err := server.Query(ctx, nc, query.Request{View: "headcount"}); !errors.Is(err, query.ErrBadParam) || !strings.Contains(err.Error(), "org: required") {
		t.Errorf("micro headcount without org: %v", err)
	}
}

// get is the status and body of a GET of url.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	r, b := fetch(t, url)
	return r.StatusCode, string(b)
}

// fetch GETs url and returns the response, its body read and closed, and
// the body.
func fetch(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	r, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer checked(t, r.Body.Close)
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return r, b
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	if code, body := get(t, url); code != 200 || json.Unmarshal([]byte(body), v) != nil {
		t.Fatalf("GET %s: %d %.200s", url, code, body)
	}
}

// TestErrorMap: each error is answered with its class everywhere, and a
// client's error from a remote answer is of the class the server's error
// was.
func TestErrorMap(t *testing.T) {
	bad := fmt.Errorf("board: %w", &query.ParamError{Param: "org", Err: query.ErrBadParam, Msg: "required"})
	tests := []struct {
		err   error
		http  int
		micro string
		exit  int
	}{
		{bad, 400, "400", 1},
		{fmt.Errorf("key: %w", query.ErrNotFound), 404, "404", 1},
		{fmt.Errorf("nats://x: %w", archive.ErrUnreachable), 503, "503", 2},
		{fmt.Errorf("%w: 127.0.0.1:4222", server.ErrPortTaken), 503, "503", 2},
		{errors.New("views are at seq 3, not yet at 9"), 503, "500", 1},
	}
	for _, tt := range tests {
		c := server.Classify(tt.err)
		if c.HTTP != tt.http || c.Micro != tt.micro || c.Exit != tt.exit {
			t.Errorf("%v: %+v; want HTTP %d, micro %s, exit %d", tt.err, c, tt.http, tt.micro, tt.exit)
		}
		remote := server.Classify(&server.QueryError{Code: c.Micro, Message: tt.err.Error()})
		if remote.HTTP != c.HTTP || remote.Exit != c.Exit || remote.Asked() != c.Asked() {
			t.Errorf("%v answered as code %s: %+v here, %+v there", tt.err, c.Micro, remote, c)
		}
	}
	if !server.Classify(bad).Asked() || server.Classify(errors.New("disk full")).Asked() {
		t.Error("a bad parameter is the asker's to fix; a full disk is not")
	}
}
