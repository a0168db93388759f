package archivetest

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Plain NATS clients, for tests that play someone next to Storyline: a
// foreign writer, a stranger answering in serve's place, an onlooker
// counting consumers. Tests outside archive and server use these rather
// than NATS packages of their own (cmd/story imports none).

// Message is a message as any NATS client may publish it: no Storyline
// headers, no expected-sequence checks.
type Message struct {
	Subject string
	Data    []byte
}

// plainConn connects to url as an anonymous client, closed when the test
// ends.
func plainConn(tb testing.TB, url string) *nats.Conn {
	tb.Helper()
	nc, err := nats.Connect(url, nats.Name("archivetest"))
	if err != nil {
		tb.Fatalf("connect %s: %v", url, err)
	}
	tb.Cleanup(nc.Close)
	return nc
}

// PublishPlain publishes msgs in order to the stream at url and returns
// the sequence each was stored at.
func PublishPlain(tb testing.TB, url string, msgs []Message) []uint64 {
	tb.Helper()
	js, err := jetstream.New(plainConn(tb, url))
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	seqs := make([]uint64, len(msgs))
	for i, m := range msgs {
		ack, err := js.Publish(ctx, m.Subject, m.Data)
		if err != nil {
			tb.Fatalf("publish %d on %s: %v", i+1, m.Subject, err)
		}
		seqs[i] = ack.Sequence
	}
	return seqs
}

// Consumers returns how many consumers stream has on the server at url.
func Consumers(tb testing.TB, url, stream string) int {
	tb.Helper()
	js, err := jetstream.New(plainConn(tb, url))
	if err != nil {
		tb.Fatal(err)
	}
	st, err := js.Stream(context.Background(), stream)
	if err != nil {
		tb.Fatalf("stream %s: %v", stream, err)
	}
	return st.CachedInfo().State.Consumers
}

// Impostor answers every request on subjects at url with reply until the
// test ends, as anyone allowed to subscribe there could.
func Impostor(tb testing.TB, url string, subjects []string, reply []byte) {
	tb.Helper()
	nc := plainConn(tb, url)
	for _, subject := range subjects {
		if _, err := nc.Subscribe(subject, func(m *nats.Msg) {
			// An answer that does not go out is no concern of the test,
			// which checks what the client believes; and the test may
			// have ended by the time it fails.
			_ = m.Respond(reply)
		}); err != nil {
			tb.Fatalf("subscribe %s: %v", subject, err)
		}
	}
	if err := nc.Flush(); err != nil {
		tb.Fatal(err)
	}
}
