package main

import (
	"bufio"
	"context"
	"fmt"
	"os"

	"storyline/gen"
)

func (m *Main) runGen(ctx context.Context, args []string) (err error) {
	fs := m.newFlagSet("gen", "gen --events N [--seed S] [--out FILE]")
	n := fs.Int("events", 10000, "how many events")
	seed := fs.Uint64("seed", 1, "the same seed gives the same story")
	outPath := fs.String("out", "", "write to FILE instead of stdout")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *n < 1 || *n > 50_000_000 {
		return usageErr(fmt.Sprintf("gen: --events %d (want 1 to 50000000)", *n))
	}
	w := bufio.NewWriterSize(m.Stdout, 1<<20)
	if *outPath != "" {
		f, cerr := os.Create(*outPath)
		if cerr != nil {
			return usageErr(fmt.Sprintf("gen: %v", cerr))
		}
		defer closing(f, &err)
		w = bufio.NewWriterSize(f, 1<<20)
	}
	evs := gen.Generate(gen.Config{Events: *n, Seed: *seed})
	for i := range evs {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		w.Write(evs[i].Canonical())
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	if *outPath != "" {
		fmt.Fprintf(m.Stderr, "wrote %d events to %s\n", len(evs), *outPath)
	}
	return nil
}
