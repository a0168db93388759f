package server_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"storyline/archive"
	"storyline/archive/archivetest"
	"storyline/poll"
	"storyline/query"
	"storyline/server"
)

// TestServeOnCluster runs `story serve` against a three-node cluster with
// the stream and the views bucket replicated three times: a writer imports
// through the cluster, a watcher sees every event, and the micro service
// answers what the engine answers in process.
func TestServeOnCluster(t *testing.T) {
	_, url := archivetest.Cluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	s, err := server.Open(ctx, server.Config{Archive: archive.Config{DataDir: t.TempDir(), NATSURL: url, Replicas: 3}}, query.NewEngine())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { checked(t, s.Close) })

	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"STORY", "KV_STORY_VIEWS"} {
		st, err := js.Stream(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if r := st.CachedInfo().Config.Replicas; r != 3 {
			t.Fatalf("%s has %d replicas, want 3", name, r)
		}
	}

	writer := archivetest.Open(t, archive.Config{DataDir: t.TempDir(), NATSURL: url, Replicas: 3})
	watcher := archivetest.Open(t, archive.Config{DataDir: t.TempDir(), NATSURL: url, Replicas: 3})
	got := make(chan uint64, 100)
	wctx, stop := context.WithCancel(ctx)
	watched := make(chan error, 1)
	go func() { watched <- watcher.Watch(wctx, 1, func(r archive.Record) error { got <- r.Seq; return nil }) }()
	defer checked(t, func() error { stop(); return <-watched })

	evs := story(t)
	if _, err := writer.Append(ctx, evs, nil); err != nil {
		t.Fatal(err)
	}
	for i := range evs {
		select {
		case seq := <-got:
			if seq != uint64(i+1) {
				t.Fatalf("watch delivered seq %d, want %d", seq, i+1)
			}
		case <-ctx.Done():
			t.Fatalf("watch delivered %d of %d events", i, len(evs))
		}
	}
	poll.Until(t, "views caught up", func() bool { _, seq := s.Applied(); return seq == uint64(len(evs)) })
	local := engineOf(evs)
	at := time.Date(2024, 2, 16, 12, 0, 0, 0, time.UTC)
	for _, req := range []query.Request{
		{View: "board", Org: "halvorsen", At: at, KnownAt: at},
		{View: "roles", Org: "halvorsen-robotics", At: at, KnownAt: at},
		{View: "status", Person: "李伟", At: at, KnownAt: at},
		{View: "claims", At: at, KnownAt: at},
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
			t.Errorf("%s: cluster service and in-process answers differ:\n%s\n%s", req.View, remote, wb)
		}
	}
}
