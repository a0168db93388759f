package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"storyline/archive"
	"storyline/archive/archivetest"
	"storyline/poll"
	"storyline/query"
	"storyline/server"
)

// TestClientTakesOnlyServesAnswers: on a server anyone may use (--nats-url),
// permissions cannot keep a stranger off the service subjects, but its
// answers are not signed with serve's key: a client takes serve's answer
// and drops the stranger's, refuses the stranger's when serve is gone, and
// without serve's key does not ask the service at all.
func TestClientTakesOnlyServesAnswers(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, url, dir := serveOwnServer(ctx, t)
	evs := story(t)
	writer := archivetest.Open(t, archive.Config{DataDir: t.TempDir(), NATSURL: url})
	if _, err := writer.Append(ctx, evs, nil); err != nil {
		t.Fatal(err)
	}
	poll.Until(t, "views caught up", func() bool { _, seq := s.Applied(); return seq == uint64(len(evs)) })

	// A stranger answers on the service's subjects too.
	const forged = `{"org":"halvorsen-robotics","members":[{"person":"mallory","seat":"chair"}]}`
	archivetest.Impostor(t, url, []string{server.ServiceSubject + ".>", "$SRV.PING.story"}, []byte(forged))

	at := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	req := query.Request{View: "board", Org: "halvorsen", At: at, KnownAt: at}
	want, err := s.Answer(req)
	if err != nil {
		t.Fatal(err)
	}
	wantJSON, _ := json.Marshal(want)
	cfg := archive.Config{DataDir: dir, NATSURL: url}
	c, err := server.Find(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := range 5 {
		got, err := c.Query(ctx, req)
		if err != nil || string(got) != string(wantJSON) {
			t.Fatalf("question %d with a stranger answering too: %s, %v; want serve's %s", i, got, err, wantJSON)
		}
	}

	checked(t, s.Close)
	qctx, qcancel := context.WithTimeout(ctx, 2*time.Second)
	defer qcancel()
	if got, err := c.Query(qctx, req); !errors.Is(err, server.ErrForged) {
		t.Errorf("with serve gone and the stranger answering: %s, %v; want server.ErrForged", got, err)
	}
	if _, err := server.Find(ctx, archive.Config{DataDir: t.TempDir(), NATSURL: url}); !errors.Is(err, server.ErrNoServer) || !strings.Contains(err.Error(), "serve.pub") {
		t.Errorf("a client without serve's key: %v; want ErrNoServer saying it lacks serve.pub", err)
	}
}
