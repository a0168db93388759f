package archive_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"storyline/archive"
	"storyline/archive/archivetest"
)

func consumers(t *testing.T, a *archive.Archive) int {
	t.Helper()
	st, err := a.JetStream().Stream(context.Background(), a.StreamName())
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Consumers
}

// TestReadersLeaveNoConsumers: every read deletes its consumer when it
// ends, however it ends, so more short reads than the server allows
// consumers on a stream (1,000) leave the stream as they found it — before,
// each left its consumer for five minutes, and the next reader got
// "maximum consumers limit reached".
func TestReadersLeaveNoConsumers(t *testing.T) {
	ctx := context.Background()
	a := archivetest.New(t)
	if _, err := a.Append(ctx, makeEvents(t, "acme", 5), nil); err != nil {
		t.Fatal(err)
	}
	const reads = 1100
	for i := range reads {
		n := 0
		if err := a.Records(ctx, 1, func(archive.Record) error { n++; return nil }); err != nil || n != 5 {
			t.Fatalf("read %d: %d records, %v", i, n, err)
		}
	}
	// A watch that ends because its context does.
	wctx, cancel := context.WithCancel(ctx)
	err := a.Watch(wctx, 1, func(archive.Record) error { cancel(); return nil })
	if err != nil {
		t.Fatalf("watch: %v", err)
	}
	if n := consumers(t, a); n != 0 {
		t.Fatalf("%d consumers left after %d reads and a watch; want 0", n, reads)
	}
}

// TestStreamBoundsAbandonedConsumers: a consumer a client makes itself and
// abandons — a durable one, which used to stay for good, across restarts —
// is removed after the stream's inactivity limit, and one asking to stay
// longer is refused.
func TestStreamBoundsAbandonedConsumers(t *testing.T) {
	ctx := context.Background()
	a := archivetest.New(t)
	st, err := a.JetStream().Stream(ctx, a.StreamName())
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		cfg      jetstream.ConsumerConfig
		want     time.Duration // the threshold the server gives it
		wantCode jetstream.ErrorCode
	}{
		{"durable without a threshold", jetstream.ConsumerConfig{Durable: "lingerer"}, archive.ConsumerInactiveLimit, 0},
		{"durable with a short threshold", jetstream.ConsumerConfig{Durable: "brief", InactiveThreshold: time.Minute}, time.Minute, 0},
		{"ephemeral without a threshold", jetstream.ConsumerConfig{}, archive.ConsumerInactiveLimit, 0},
		{"durable asking for an hour", jetstream.ConsumerConfig{Durable: "forever", InactiveThreshold: time.Hour}, 0, 10153},
	}
	for _, c := range cases {
		cons, err := st.CreateOrUpdateConsumer(ctx, c.cfg)
		var apiErr *jetstream.APIError
		switch {
		case c.wantCode != 0:
			if !errors.As(err, &apiErr) || apiErr.ErrorCode != c.wantCode {
				t.Errorf("%s: %v; want JetStream error %d", c.name, err, c.wantCode)
			}
		case err != nil:
			t.Errorf("%s: %v", c.name, err)
		case cons.CachedInfo().Config.InactiveThreshold != c.want:
			t.Errorf("%s: inactive threshold %v; want %v", c.name, cons.CachedInfo().Config.InactiveThreshold, c.want)
		}
	}
}

// TestOpenLimitsConsumersOfAnOlderStream: a stream made before the limit
// existed gets it when its owner opens it, and a durable it holds without
// a threshold gets one, so it no longer stays for good.
func TestOpenLimitsConsumersOfAnOlderStream(t *testing.T) {
	ctx := context.Background()
	cfg := archive.Config{DataDir: t.TempDir()}
	a, err := archive.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	old := a.StreamConfig()
	old.ConsumerLimits = jetstream.StreamConsumerLimits{}
	if _, err := a.JetStream().UpdateStream(ctx, old); err != nil {
		t.Fatal(err)
	}
	st, err := a.JetStream().Stream(ctx, a.StreamName())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{Durable: "old"}); err != nil {
		t.Fatal(err)
	}
	archivetest.Close(t, a)

	a = archivetest.Open(t, cfg)
	st, err = a.JetStream().Stream(ctx, a.StreamName())
	if err != nil {
		t.Fatal(err)
	}
	if got := st.CachedInfo().Config.ConsumerLimits.InactiveThreshold; got != archive.ConsumerInactiveLimit {
		t.Errorf("stream consumer limit %v; want %v", got, archive.ConsumerInactiveLimit)
	}
	c, err := st.Consumer(ctx, "old")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.CachedInfo().Config.InactiveThreshold; got != archive.ConsumerInactiveLimit {
		t.Errorf("the old durable's inactive threshold is %v; want %v", got, archive.ConsumerInactiveLimit)
	}
}

// TestOpenShortensAnOlderWindow: a stream made with nats-server's
// two-minute duplicate window gets the archive's short one when its owner
// opens it, alone or together with the consumer limit.
func TestOpenShortensAnOlderWindow(t *testing.T) {
	ctx := context.Background()
	for _, withLimits := range []bool{true, false} {
		cfg := archive.Config{DataDir: t.TempDir()}
		a, err := archive.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		old := a.StreamConfig()
		old.Duplicates = 2 * time.Minute
		if !withLimits {
			old.ConsumerLimits = jetstream.StreamConsumerLimits{}
		}
		if _, err := a.JetStream().UpdateStream(ctx, old); err != nil {
			t.Fatal(err)
		}
		archivetest.Close(t, a)

		a = archivetest.Open(t, cfg)
		st, err := a.JetStream().Stream(ctx, a.StreamName())
		if err != nil {
			t.Fatal(err)
		}
		got := st.CachedInfo().Config
		if got.Duplicates != archive.DefaultDuplicateWindow {
			t.Errorf("consumer limits set before: %v: duplicate window %v; want %v", withLimits, got.Duplicates, archive.DefaultDuplicateWindow)
		}
		if got.ConsumerLimits.InactiveThreshold != archive.ConsumerInactiveLimit {
			t.Errorf("consumer limits set before: %v: stream consumer limit %v", withLimits, got.ConsumerLimits.InactiveThreshold)
		}
	}
}
