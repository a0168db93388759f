package projector_test

import (
	"context"
	"os"
	"testing"
	"time"

	"storyline/archive"
	"storyline/archive/archivetest"
	"storyline/gen"
	"storyline/projector"
	"storyline/query"
)

// BenchmarkRebuild times the views of a generated story of 50,000 events
// rebuilt from the stream (the pipeline, and the same fold decoding on one
// core as commands did before it), loaded from a snapshot, and the
// snapshot written; and a plain read of the stream, which bounds them.
func BenchmarkRebuild(b *testing.B) {
	const n = 50_000
	ctx := context.Background()
	a := archivetest.New(b, func(c *archive.Config) { c.LazySync = true })
	if _, err := a.Append(ctx, gen.Generate(gen.Config{Events: n, Seed: 1})[:n], nil); err != nil {
		b.Fatal(err)
	}
	perSecond := func(b *testing.B) {
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	}
	b.Run("raw-read", func(b *testing.B) {
		for b.Loop() {
			if err := a.ReadRaw(ctx, 1, false, func(archive.Record) error { return nil }); err != nil {
				b.Fatal(err)
			}
		}
		perSecond(b)
	})
	b.Run("pipeline", func(b *testing.B) {
		for b.Loop() {
			p := projector.New(a, query.NewEngine(), projector.Config{NoSnapshots: true})
			if err := p.CatchUp(ctx, 0, nil); err != nil {
				b.Fatal(err)
			}
		}
		perSecond(b)
	})
	b.Run("one-core", func(b *testing.B) {
		for b.Loop() {
			g := query.NewEngine()
			if err := a.Records(ctx, 1, func(r archive.Record) error { g.ApplyRecord(r.ForScreen()); return nil }); err != nil {
				b.Fatal(err)
			}
		}
		perSecond(b)
	})
	p := projector.New(a, query.NewEngine(), projector.Config{})
	if err := p.CatchUp(ctx, 0, nil); err != nil {
		b.Fatal(err)
	}
	if err := p.Save(ctx, nil); err != nil {
		b.Fatal(err)
	}
	b.Run("snapshot-write", func(b *testing.B) {
		for b.Loop() {
			p := projector.New(a, p.Engine(), projector.Config{})
			if err := p.Save(ctx, nil); err != nil {
				b.Fatal(err)
			}
		}
		perSecond(b)
		if fi, err := os.Stat(projector.Path(a.DataDir(), a.StreamName())); err == nil {
			b.ReportMetric(float64(fi.Size())/n, "bytes/event")
		}
	})
	b.Run("snapshot-load", func(b *testing.B) {
		for b.Loop() {
			q := projector.New(a, query.NewEngine(), projector.Config{})
			if err := q.Load(ctx, 0); err != nil || q.Saved() != n {
				b.Fatalf("loaded to seq %d: %v", q.Saved(), err)
			}
		}
		perSecond(b)
		b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(time.Millisecond), "ms/load")
	})
}
