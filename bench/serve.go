package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/metrics"
	"time"

	"storyline/archive"
	"storyline/events"
	"storyline/gen"
	"storyline/query"
	"storyline/server"
)

// serve runs `story serve` on the durable archive, listening on a
// loopback port, and measures its start (it rebuilds every view itself, as
// a server without a snapshot does), the heap it then holds, a query
// command and publish → watch against it.
func (r *run) serve(ctx context.Context) error {
	n := r.cfg.Events
	s := newSampler(r.eng.Index(), r.cfg.Seed+7)
	r.org, r.after = s.org(), s.lastK
	r.eng = nil // measured; the server builds its own
	r.progress(PhaseServeStart, 0, n)
	before := heapAlloc()
	t0 := time.Now()
	srv, err := server.Open(ctx, server.Config{
		Archive:    archive.Config{DataDir: r.durable, Listen: "127.0.0.1:-1"},
		NoSnapshot: true, // a snapshot of the whole story is not what is measured
	}, query.NewEngine())
	if err != nil {
		return fmt.Errorf("bench: story serve: %w", err)
	}
	// The figures are taken by the time it closes; a failed close
	// changes none of them.
	defer func() { _ = srv.Close() }()
	r.rep.ServeStartS = time.Since(t0).Seconds()
	r.rep.ServeBytesPerEvent = float64(int64(heapAlloc())-int64(before)) / float64(n)
	r.progress(PhaseServeStart, n, n)

	if err := labeled(ctx, PhaseServe, func(ctx context.Context) error { return r.serveQueries(ctx, s) }); err != nil {
		return err
	}
	return labeled(ctx, PhaseWatch, func(ctx context.Context) error { return r.watch(ctx, srv, s.lastK) })
}

// serveQueries times what `story board` / `story status` do against a
// running server, less starting the process: find the server recorded in
// the data dir, connect, ask (the client first reads the stream's last
// sequence so the answer includes every stored event), decode the JSON.
func (r *run) serveQueries(ctx context.Context, s *sampler) error {
	n := r.cfg.ServeQueries
	r.progress(PhaseServe, 0, n)
	ds := make([]time.Duration, n)
	for i := range ds {
		view := []string{"board", "status"}[i%2]
		req := s.request(view)
		t0 := time.Now()
		c, err := server.Find(ctx, archive.Config{DataDir: r.durable})
		if err != nil {
			return fmt.Errorf("bench: find story serve: %w", err)
		}
		b, err := c.Query(ctx, req)
		c.Close()
		if err != nil {
			return fmt.Errorf("bench: query %s through story serve: %w", view, err)
		}
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			return fmt.Errorf("bench: answer of story serve: %w", err)
		}
		ds[i] = time.Since(t0)
		if len(v) == 0 {
			return fmt.Errorf("bench: empty answer to %s from story serve", view)
		}
		if (i+1)%20 == 0 {
			r.progress(PhaseServe, i+1, n)
		}
	}
	r.rep.ServeQueryMS = millis(percentile(ds, 50))
	r.rep.ServeQueryP99MS = millis(percentile(ds, 99))
	return nil
}

type delivery struct {
	id string
	at time.Time
}

// watch publishes fresh events one at a time, as `story publish` does
// through a running server, and times each from the start of the publish
// to its delivery to a watcher connected as `story watch` is. The next
// event is published only once the previous one arrived, so no latency
// includes another's queueing.
func (r *run) watch(ctx context.Context, srv *server.Server, after time.Time) error {
	n := r.cfg.WatchEvents
	r.progress(PhaseWatch, 0, n)
	// Through the server's NATS port over loopback, like another process.
	cfg := archive.Config{NATSURL: srv.NATSURL(), ServerID: srv.Archive().Server().ID(), DataDir: r.durable}
	watcher, err := archive.Open(ctx, cfg)
	if err != nil {
		return fmt.Errorf("bench: watcher: %w", err)
	}
	defer func() { _ = watcher.Close() }() // a reader: nothing of its own to lose
	pub, err := archive.Open(ctx, cfg)
	if err != nil {
		return fmt.Errorf("bench: publisher: %w", err)
	}
	defer func() { _ = pub.Close() }() // what it published was acknowledged, or the run failed
	info, err := watcher.Info(ctx)
	if err != nil {
		return fmt.Errorf("bench: watcher: %w", err)
	}

	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	delivered := make(chan delivery, 1)
	watchErr := make(chan error, 1)
	go func() {
		watchErr <- watcher.Watch(wctx, info.LastSeq+1, func(rec archive.Record) error {
			select {
			case delivered <- delivery{id: rec.Event.ID, at: time.Now()}:
				return nil
			case <-wctx.Done():
				return wctx.Err()
			}
		})
	}()

	// The first one warms up the watcher.
	fresh := r.fresh(n+1, r.cfg.Seed+1, after)
	ds := make([]time.Duration, 0, n)
	calls := make([]time.Duration, 0, n)
	gc0 := gcCycles()
	for i := range fresh {
		e := fresh[i]
		t0 := time.Now()
		res, err := pub.Publish(ctx, e, archive.PublishOptions{})
		call := time.Since(t0)
		if err != nil {
			return fmt.Errorf("bench: publish %d: %w", i, err)
		}
		if res.Stored != 1 {
			return fmt.Errorf("bench: publish %d: event %s was already stored", i, e.ID)
		}
		at, err := awaitDelivery(ctx, delivered, watchErr, e.ID)
		if err != nil {
			return fmt.Errorf("bench: watch of event %d: %w", i, err)
		}
		if i > 0 {
			ds = append(ds, at.Sub(t0))
			calls = append(calls, call)
		}
		if i%50 == 0 {
			r.progress(PhaseWatch, len(ds), n)
		}
	}
	r.progress(PhaseWatch, n, n)
	r.rep.WatchP50MS = millis(percentile(ds, 50))
	r.rep.WatchP99MS = millis(percentile(ds, 99))
	r.rep.PublishP50MS = millis(percentile(calls, 50))
	r.rep.PublishP99MS = millis(percentile(calls, 99))
	r.rep.WatchGCCycles = int(gcCycles() - gc0)
	cancel()
	if err := <-watchErr; err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("bench: watcher: %w", err)
	}
	return nil
}

// fresh generates n new events with another seed, starting a day after
// after, so that none is already stored, and keeps r.after later than
// every one of them.
func (r *run) fresh(n int, seed uint64, after time.Time) []events.Event {
	evs := gen.Generate(gen.Config{Events: n, Seed: seed, Start: after.Add(24 * time.Hour)})[:n]
	for i := range evs {
		r.after = latest(r.after, evs[i].OccurredAt, evs[i].ReportedAt)
	}
	return evs
}

// latest is the latest of ts.
func latest(ts ...time.Time) time.Time {
	var l time.Time
	for _, t := range ts {
		if t.After(l) {
			l = t
		}
	}
	return l
}

// awaitDelivery waits until the watcher delivers the event id.
func awaitDelivery(ctx context.Context, delivered <-chan delivery, watchErr <-chan error, id string) (time.Time, error) {
	timeout := time.NewTimer(30 * time.Second)
	defer timeout.Stop()
	for {
		select {
		case d := <-delivered:
			if d.id == id {
				return d.at, nil
			}
		case err := <-watchErr:
			return time.Time{}, fmt.Errorf("watcher stopped: %w", err)
		case <-timeout.C:
			return time.Time{}, errors.New("not delivered within 30 s")
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		}
	}
}

// gcCycles is the number of garbage collections completed so far.
func gcCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
