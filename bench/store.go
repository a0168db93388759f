package bench

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/synadia-io/orbit.go/jetstreamext"

	"storyline/archive"
	"storyline/events"
)

// rawBatch is the batch size of the plain atomic-batch baseline: the
// archive's default, and nats bench's.
const rawBatch = 500

// rawStream creates a plain scratch stream on the archive's own server:
// file storage, one subject, none of the archive's settings or headers.
func rawStream(ctx context.Context, js jetstream.JetStream, name, subject string) error {
	_, err := js.CreateStream(ctx, jetstream.StreamConfig{
		Name: name, Subjects: []string{subject}, Storage: jetstream.FileStorage,
		AllowAtomicPublish: true,
	})
	if err != nil {
		return fmt.Errorf("bench: scratch stream %s: %w", name, err)
	}
	return nil
}

// dropRaw checks the scratch stream holds every message, then deletes it
// so that the disk and the served server carry only the archive.
func dropRaw(ctx context.Context, js jetstream.JetStream, name string, n int) error {
	s, err := js.Stream(ctx, name)
	if err != nil {
		return fmt.Errorf("bench: scratch stream %s: %w", name, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		return fmt.Errorf("bench: scratch stream %s: %w", name, err)
	}
	if info.State.Msgs != uint64(n) {
		return fmt.Errorf("bench: scratch stream %s holds %d messages, want %d", name, info.State.Msgs, n)
	}
	if err := js.DeleteStream(ctx, name); err != nil {
		return fmt.Errorf("bench: delete scratch stream %s: %w", name, err)
	}
	return nil
}

// The archives' configurations. The lazy one has its own stream name so
// that its server-side work is told apart from the durable archive's in a
// CPU profile (nats-server labels a stream's goroutines with its name).
func (r *run) durableConfig() archive.Config { return archive.Config{DataDir: r.durable} }

func (r *run) lazyConfig() archive.Config {
	return archive.Config{DataDir: r.lazy, LazySync: true, Stream: "STORY_LAZY"}
}

// withArchive opens the archive of cfg, runs fn on it and closes it.
func withArchive(ctx context.Context, cfg archive.Config, fn func(a *archive.Archive) error) error {
	a, err := archive.Open(ctx, cfg)
	if err != nil {
		return fmt.Errorf("bench: open archive %s: %w", cfg.DataDir, err)
	}
	err = fn(a)
	if cerr := a.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("bench: close archive %s: %w", cfg.DataDir, cerr)
	}
	return err
}

// The baselines run before the story is decoded: a plain client holds the
// payloads (one pointer-free buffer the collector need not scan), not a
// million decoded events, so its figure carries none of their GC cost.

// rawDurable times the payloads published in plain atomic batches of 500
// to a scratch stream on the durable archive's server, fsync on every
// write as the archive's own.
func (r *run) rawDurable(ctx context.Context) error {
	return withArchive(ctx, r.durableConfig(), func(a *archive.Archive) error {
		n := r.cfg.Events
		nc, js, err := rawConn(ctx, a)
		if err != nil {
			return err
		}
		defer nc.Close()
		const name, subject = "BENCH_RAW_SYNC", "bench.raw.sync"
		if err := rawStream(ctx, js, name, subject); err != nil {
			return err
		}
		r.progress(PhaseRawBatch, 0, n)
		t0 := time.Now()
		for start := 0; start < n; start += rawBatch {
			end := min(start+rawBatch, n)
			msgs := make([]*nats.Msg, 0, end-start)
			for _, p := range r.payloads[start:end] {
				m := nats.NewMsg(subject)
				m.Data = p
				msgs = append(msgs, m)
			}
			if _, err := jetstreamext.PublishMsgBatch(ctx, js, msgs); err != nil {
				return fmt.Errorf("bench: raw batch at %d: %w", start, err)
			}
			if end%(20*rawBatch) == 0 || end == n {
				r.progress(PhaseRawBatch, end, n)
			}
		}
		r.rawBatchTime = time.Since(t0)
		return dropRaw(ctx, js, name, n)
	})
}

// rawLazy times the payloads published asynchronously (nats.go's default
// window of unacknowledged messages) to a scratch stream on the lazy
// archive's server, until every ack is in.
func (r *run) rawLazy(ctx context.Context) error {
	return withArchive(ctx, r.lazyConfig(), func(a *archive.Archive) error {
		n := r.cfg.Events
		var mu sync.Mutex
		var pubErr error
		nc, js, err := rawConn(ctx, a, jetstream.WithPublishAsyncErrHandler(func(_ jetstream.JetStream, _ *nats.Msg, err error) {
			mu.Lock()
			defer mu.Unlock()
			if pubErr == nil {
				pubErr = err
			}
		}))
		if err != nil {
			return err
		}
		defer nc.Close()
		const name, subject = "BENCH_RAW_LAZY", "bench.raw.lazy"
		if err := rawStream(ctx, js, name, subject); err != nil {
			return err
		}
		r.progress(PhaseRawAsync, 0, n)
		t0 := time.Now()
		for i, p := range r.payloads {
			if _, err := js.PublishMsgAsync(&nats.Msg{Subject: subject, Data: p}); err != nil {
				return fmt.Errorf("bench: raw async publish %d: %w", i, err)
			}
			if (i+1)%10_000 == 0 {
				r.progress(PhaseRawAsync, i+1, n)
			}
		}
		select {
		case <-js.PublishAsyncComplete():
		case <-time.After(2 * time.Minute):
			return fmt.Errorf("bench: raw async publish: %d acks still pending after 2 minutes", js.PublishAsyncPending())
		case <-ctx.Done():
			return fmt.Errorf("bench: raw async publish: %w", ctx.Err())
		}
		r.rawAsyncTime = time.Since(t0)
		r.progress(PhaseRawAsync, n, n)
		mu.Lock()
		err = pubErr
		mu.Unlock()
		if err != nil {
			return fmt.Errorf("bench: raw async publish: %w", err)
		}
		return dropRaw(ctx, js, name, n)
	})
}

// rawConn connects to the archive's embedded server in process, as the
// archive itself is connected, on a connection of the baseline's own.
func rawConn(ctx context.Context, a *archive.Archive, opts ...jetstream.JetStreamOpt) (*nats.Conn, jetstream.JetStream, error) {
	nc, err := a.PlainConn("storyline-bench-raw")
	if err != nil {
		return nil, nil, fmt.Errorf("bench: raw connection: %w", err)
	}
	js, err := jetstream.New(nc, opts...)
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("bench: raw connection: %w", err)
	}
	return nc, js, ctx.Err()
}

// importDurable appends the story to the archive that fsyncs every write,
// as `story import` does once it has read its file.
func (r *run) importDurable(ctx context.Context) error {
	return withArchive(ctx, r.durableConfig(), func(a *archive.Archive) error {
		story, err := r.append(ctx, a, PhaseImport, r.evs)
		if err != nil {
			return err
		}
		r.rep.Import = pair(r.cfg.Events, story, r.rawBatchTime)
		return nil
	})
}

// importLazy does the same on the lazy archive, then removes it: it has
// been measured, and its disk space is not needed.
func (r *run) importLazy(ctx context.Context) error {
	err := withArchive(ctx, r.lazyConfig(), func(a *archive.Archive) error {
		story, err := r.append(ctx, a, PhaseImportLazy, r.evs)
		if err != nil {
			return err
		}
		r.rep.ImportLazy = pair(r.cfg.Events, story, r.rawAsyncTime)
		return nil
	})
	if err != nil {
		return err
	}
	if err := os.RemoveAll(r.lazy); err != nil {
		return fmt.Errorf("bench: remove lazy archive: %w", err)
	}
	return nil
}

// append times Archive.Append of evs into a, which holds none of them.
func (r *run) append(ctx context.Context, a *archive.Archive, phase string, evs []events.Event) (time.Duration, error) {
	n := len(evs)
	r.progress(phase, 0, n)
	t0 := time.Now()
	res, err := a.Append(ctx, evs, func(done, total int) { r.progress(phase, done, total) })
	d := time.Since(t0)
	if err != nil {
		return 0, fmt.Errorf("bench: %s: %w", phase, err)
	}
	if res.Stored != n {
		return 0, fmt.Errorf("bench: %s stored %d of %d events (%d already present)", phase, res.Stored, n, res.Present)
	}
	return d, nil
}

// rebuild reads the durable archive twice: as a plain ordered consumer
// that only counts messages, and as the views' rebuild (read, decode,
// fold into every view). The rebuilt engine is kept for the query phases.
func (r *run) rebuild(ctx context.Context) error {
	return withArchive(ctx, r.durableConfig(), func(a *archive.Archive) error { return r.rebuildOn(ctx, a) })
}

func (r *run) rebuildOn(ctx context.Context, a *archive.Archive) error {
	n := r.cfg.Events
	var raw time.Duration
	err := labeled(ctx, PhaseRawRead, func(ctx context.Context) error {
		var err error
		raw, err = r.rawRead(ctx, a)
		return err
	})
	if err != nil {
		return err
	}

	// The heap before and after the rebuild tells what the views hold:
	// nothing of the rebuild but the engine is alive afterwards.
	before := heapAlloc()
	r.progress(PhaseRebuild, 0, n)
	t0 := time.Now()
	eng, err := r.rebuildEngine(ctx, a)
	story := time.Since(t0)
	if err != nil {
		return err
	}
	r.progress(PhaseRebuild, n, n)
	r.rep.ViewsBytesPerEvent = float64(int64(heapAlloc())-int64(before)) / float64(n)
	r.eng = eng
	r.rep.Rebuild = pair(n, story, raw)
	return nil
}

// rawRead times reading the archive's stream with an ordered consumer,
// the same pull size as the archive's reader, touching each message's
// data and nothing else.
func (r *run) rawRead(ctx context.Context, a *archive.Archive) (time.Duration, error) {
	n := r.cfg.Events
	nc, js, err := rawConn(ctx, a)
	if err != nil {
		return 0, err
	}
	defer nc.Close()
	r.progress(PhaseRawRead, 0, n)
	t0 := time.Now()
	s, err := js.Stream(ctx, a.StreamName())
	if err != nil {
		return 0, fmt.Errorf("bench: raw read: %w", err)
	}
	cons, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy})
	if err != nil {
		return 0, fmt.Errorf("bench: raw read: %w", err)
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(1000))
	if err != nil {
		return 0, fmt.Errorf("bench: raw read: %w", err)
	}
	defer it.Stop()
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	var size int
	for got := 0; got < n; {
		m, err := it.Next()
		if err != nil {
			return 0, fmt.Errorf("bench: raw read after %d messages: %w", got, err)
		}
		size += len(m.Data())
		got++
		if got%10_000 == 0 {
			r.progress(PhaseRawRead, got, n)
		}
	}
	d := time.Since(t0)
	r.progress(PhaseRawRead, n, n)
	if size == 0 {
		return 0, fmt.Errorf("bench: raw read: %d empty messages", n)
	}
	return d, nil
}
