package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"storyline/archive"
	"storyline/events"
	"storyline/poll"
	"storyline/query"
	"storyline/server"
)

// TestServeQuarantinesForeignRecords: records a plain client publishes
// onto story subjects while serve runs — junk, a duplicate, an event on
// the wrong subject — are listed by the quarantine view through the micro
// service and the HTTP API, change no view, and leave `verify` content.
func TestServeQuarantinesForeignRecords(t *testing.T) {
	ctx := context.Background()
	s := start(t, t.TempDir(), "127.0.0.1:-1")
	t.Cleanup(func() { checked(t, s.Close) })
	evs := story(t)
	if _, err := client(t, s).Append(ctx, evs, nil); err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(s.NATSURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	first := &evs[0]
	junk := []struct{ subject, data, class string }{
		{"story.halvorsen-robotics.junk", `{"type":`, "undecodable"},
		{archive.Subject(first), string(first.Canonical()), "duplicate"},
		{"story.elsewhere." + string(first.Type) + "." + first.ID, string(first.Canonical()), "wrong_subject"},
	}
	for _, j := range junk {
		if _, err := js.Publish(ctx, j.subject, []byte(j.data)); err != nil {
			t.Fatal(err)
		}
	}
	total := uint64(len(evs) + len(junk))
	poll.Until(t, "views caught up", func() bool { _, seq := s.Applied(); return seq == total })

	check := func(how string, raw []byte, n int) {
		t.Helper()
		var v query.QuarantineView
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatalf("%s: %v: %s", how, err, raw)
		}
		if v.Count != len(junk) || len(v.Records) != n {
			t.Fatalf("%s: count %d, %d records; want %d, %d: %s", how, v.Count, len(v.Records), len(junk), n, raw)
		}
		for i, q := range v.Records {
			if want := uint64(len(evs) + i + 1); q.Seq != want || string(q.Class) != junk[i].class || q.Subject != junk[i].subject {
				t.Errorf("%s: record %d: %+v; want seq %d, %s on %s", how, i, q, want, junk[i].class, junk[i].subject)
			}
		}
	}
	raw, err := server.Query(ctx, nc, query.Request{View: "quarantine"})
	if err != nil {
		t.Fatal(err)
	}
	check("micro", raw, len(junk))
	hc := http.Client{Timeout: 5 * time.Second}
	for _, tt := range []struct {
		query string
		n     int
	}{{"", len(junk)}, {"?limit=1", 1}} {
		resp, err := hc.Get("http://" + s.HTTPAddr() + "/api/quarantine" + tt.query)
		if err != nil {
			t.Fatal(err)
		}
		var body json.RawMessage
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatalf("GET /api/quarantine%s: %d, %v", tt.query, resp.StatusCode, err)
		}
		checked(t, resp.Body.Close)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /api/quarantine%s: %d %s", tt.query, resp.StatusCode, body)
		}
		check("HTTP"+tt.query, body, tt.n)
	}

	// The views are those of the valid events alone.
	far := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	clean := engineOf(evs)
	for _, req := range []query.Request{
		{View: "board", Org: "halvorsen-robotics", At: far, KnownAt: far},
		{View: "roles", Org: "halvorsen-robotics", At: far, KnownAt: far},
		{View: "timeline", KnownAt: far},
	} {
		got, err := server.Query(ctx, nc, req)
		if err != nil {
			t.Fatal(err)
		}
		v, err := clean.Answer(req)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(v)
		if string(got) != string(want) {
			t.Errorf("%s: with the junk\n%.400s\nwithout\n%.400s", req.View, got, want)
		}
	}

	// The SSE feed leaves the junk out too: a valid event stored after it
	// arrives right after the last valid one before it.
	late := evs[len(evs)-1]
	late.ID = "8d0b3f52-3c36-4f45-9d0e-3f1a2b4c5d6e"
	if _, err := client(t, s).Append(ctx, []events.Event{late}, nil); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + s.HTTPAddr() + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer checked(t, resp.Body.Close)
	var seqs []string
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 4<<20)
	for len(seqs) < len(evs)+1 && sc.Scan() {
		if id, ok := strings.CutPrefix(sc.Text(), "id: "); ok {
			seqs = append(seqs, id)
		}
	}
	if want := fmt.Sprint(total + 1); len(seqs) != len(evs)+1 || seqs[len(evs)-1] != fmt.Sprint(len(evs)) || seqs[len(evs)] != want {
		t.Errorf("SSE ids end %v; want ..., %d, %s (the junk's %d-%d left out)", seqs[max(0, len(seqs)-3):], len(evs), want, len(evs)+1, total)
	}

	rep, err := s.Archive().Verify(ctx, nil)
	if err != nil || rep.Quarantined != uint64(len(junk)) || rep.Foreign != uint64(len(junk)) {
		t.Fatalf("verify: %v; %d quarantined, %d foreign, want %d", err, rep.Quarantined, rep.Foreign, len(junk))
	}
}
