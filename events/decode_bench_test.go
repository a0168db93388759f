package events_test

import (
	"bytes"
	"testing"

	"storyline/corpus"
	"storyline/events"
	"storyline/gen"
)

// BenchmarkDecode measures decoding one event (one op is one event, so
// ns/op is ns/event and allocs/op allocations per event) over real lines:
//
//   - bundled-input: the bundled story's import lines, with DecodeInput,
//     as `story import` reads them;
//   - bundled-stored: the same events as the stream stores them
//     (canonical lines), with Decode, as every view reads them;
//   - gen-stored: 10,000 generated events (seed 1), canonical, with Decode.
//
// docs/BENCHMARKS.md ("Decoding") has the figures and the command.
func BenchmarkDecode(b *testing.B) {
	input, stored := bundledLines(b)
	var generated [][]byte
	for _, e := range gen.Generate(gen.Config{Events: 10000, Seed: 1}) {
		generated = append(generated, e.Canonical())
	}
	for _, c := range []struct {
		name   string
		lines  [][]byte
		decode func([]byte) (events.Event, error)
	}{
		{"bundled-input", input, events.DecodeInput},
		{"bundled-stored", stored, events.Decode},
		{"gen-stored", generated, events.Decode},
	} {
		b.Run(c.name, func(b *testing.B) { benchLines(b, c.lines, c.decode) })
	}
}

// benchLines decodes lines in turn, one per op.
func benchLines(b *testing.B, lines [][]byte, decode func([]byte) (events.Event, error)) {
	size := 0
	for _, l := range lines {
		size += len(l)
	}
	b.SetBytes(int64(size / len(lines)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := decode(lines[i]); err != nil {
			b.Fatalf("line %d: %v", i+1, err)
		}
		if i++; i == len(lines) {
			i = 0
		}
	}
}

// bundledLines returns the bundled story's import lines and the canonical
// lines of its events once resolved.
func bundledLines(b *testing.B) (input, stored [][]byte) {
	raw := corpus.Bytes()
	for _, l := range bytes.Split(raw, []byte("\n")) {
		if l = bytes.TrimSpace(l); len(l) > 0 {
			input = append(input, l)
		}
	}
	ins, errs := events.ReadInput(bytes.NewReader(raw), "bundled")
	if len(errs) > 0 {
		b.Fatal(errs)
	}
	if errs := events.Resolve(ins, &events.IDs{}); len(errs) > 0 {
		b.Fatal(errs)
	}
	for i := range ins {
		stored = append(stored, ins[i].Canonical())
	}
	return input, stored
}
