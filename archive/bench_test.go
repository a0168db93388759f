package archive_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/synadia-io/orbit.go/jetstreamext"

	"storyline/archive"
	"storyline/archive/archivetest"
	"storyline/gen"
)

// BenchmarkImport measures Archive.Append (validation done beforehand,
// stored-once look-ups, hash chain, atomic batches of 500) against a plain
// atomic-batch publish of the same payloads to a scratch stream, both with
// fsync on every write and with the lazy default.
//
//	go test -run '^$' -bench Import -benchtime 3x ./archive
func BenchmarkImport(b *testing.B) {
	const n = 20000
	evs := gen.Generate(gen.Config{Events: n, Seed: 1})[:n]
	var bytes int64
	for i := range evs {
		bytes += int64(len(evs[i].Canonical()))
	}
	for _, lazy := range []bool{false, true} {
		mode := "fsync"
		if lazy {
			mode = "lazy"
		}
		b.Run("story/"+mode, func(b *testing.B) {
			b.SetBytes(bytes)
			for b.Loop() {
				b.StopTimer()
				a := archivetest.New(b, func(c *archive.Config) { c.LazySync = lazy })
				b.StartTimer()
				res, err := a.Append(context.Background(), evs, nil)
				if err != nil || res.Stored != n {
					b.Fatalf("%+v %v", res, err)
				}
				b.StopTimer()
				archivetest.Close(b, a)
				b.StartTimer()
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
		})
		b.Run("raw-batch/"+mode, func(b *testing.B) {
			b.SetBytes(bytes)
			for b.Loop() {
				b.StopTimer()
				a := archivetest.New(b, func(c *archive.Config) { c.LazySync = lazy })
				js := a.JetStream()
				ctx := context.Background()
				if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "RAW", Subjects: []string{"raw.>"}, Storage: jetstream.FileStorage, AllowAtomicPublish: true}); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				for start := 0; start < n; start += 500 {
					msgs := make([]*nats.Msg, 0, 500)
					for i := start; i < min(start+500, n); i++ {
						m := nats.NewMsg(fmt.Sprintf("raw.%d", i))
						m.Data = evs[i].Canonical()
						msgs = append(msgs, m)
					}
					if _, err := jetstreamext.PublishMsgBatch(ctx, js, msgs); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				archivetest.Close(b, a)
				b.StartTimer()
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkRead measures reading the whole archive back with decoding
// (what a rebuild of the views starts with).
//
//	go test -run '^$' -bench Read -benchtime 3x ./archive
func BenchmarkRead(b *testing.B) {
	const n = 20000
	a := archivetest.New(b, func(c *archive.Config) { c.LazySync = true })
	if _, err := a.Append(context.Background(), gen.Generate(gen.Config{Events: n, Seed: 1})[:n], nil); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		got := 0
		if err := a.Records(context.Background(), 1, func(r archive.Record) error {
			if r.Err != nil {
				return r.Err
			}
			got++
			return nil
		}); err != nil || got != n {
			b.Fatalf("%d %v", got, err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
}
