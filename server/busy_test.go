package server_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"storyline/events"
	"storyline/poll"
	"storyline/query"
	"storyline/server"
)

// TestWaitingHoldsNoOneUp: questions waiting for a min_seq the views have
// not reached hold up no other question of the same view; past the bound
// of waiting questions a new one is refused at once as busy (micro code
// 429, ErrBusy for a client), and the waiting ones are answered
// once the views reach their sequence. With one request answered at a
// time per view, the waiting questions could not all wait at once.
func TestWaitingHoldsNoOneUp(t *testing.T) {
	ctx := context.Background()
	s, evs := serveStory(t)
	writer := client(t, s)
	nc := writer.Conn()
	next := uint64(len(evs)) + 1
	const waiters = 16 // server's maxWaiting
	answered := make(chan error, waiters)
	for range waiters {
		go func() {
			_, err := server.Query(ctx, nc, query.Request{View: "board", Org: "halvorsen-robotics", MinSeq: next})
			answered <- err
		}()
	}
	poll.Until(t, fmt.Sprintf("%d questions waiting at once", waiters), func() bool { return s.Waiting() == waiters })

	if _, err := server.Query(ctx, nc, query.Request{View: "board", Org: "halvorsen-robotics"}); err != nil {
		t.Fatalf("a question with nothing to wait for, while %d wait: %v", waiters, err)
	}
	if n := s.Waiting(); n != waiters {
		t.Fatalf("%d questions wait after the plain one was answered; want all %d still waiting", n, waiters)
	}
	_, err := server.Query(ctx, nc, query.Request{View: "board", Org: "halvorsen-robotics", MinSeq: next})
	if !errors.Is(err, server.ErrBusy) {
		t.Fatalf("one more waiting question: %v; want ErrBusy", err)
	}
	// One more record: the first event again with another quote.
	more := evs[0]
	more.ID, more.Quote = "", "one more record, for the waiting questions"
	more.ID = more.DeriveID()
	if _, err := writer.Append(ctx, []events.Event{more}, nil); err != nil {
		t.Fatal(err)
	}
	for range waiters {
		if err := <-answered; err != nil {
			t.Errorf("a waiting question, once the views reached seq %d: %v", next, err)
		}
	}
}
