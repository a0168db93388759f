package projector

import (
	"context"
	"errors"
	"fmt"

	"storyline/archive"
	"storyline/ordered"
	"storyline/quarantine"
)

// Decoded is a record read and decoded, ready for the screen.
type Decoded struct {
	quarantine.Record
	Chain string // the Story-Chain header; "" on a foreign record
	// Pending is how many records the stream held after it when read.
	Pending uint64
}

// batchSize is how many records one worker decodes at a time. A batch is
// also cut when the read has caught up, so a live record is not held
// back waiting for others.
const batchSize = 256

// Read is how a projector reads: records from From on, in stream order,
// decoded on every core, handed over in batches.
type Read struct {
	From uint64 // the first sequence (0: 1)
	// Follow keeps reading new records until the context ends; else the
	// read stops at the stream's end as it stood when it started.
	Follow bool
	// Until, when set, stops the read after that sequence.
	Until uint64
	// Gapless: a sequence missing from the read is archive.ErrCorrupt.
	// The stream denies deletes, so a gap is a damaged block that the
	// store's count does not show.
	Gapless bool
	// Workers decode at once (0: one per core).
	Workers int
}

// errUntil ends a read that reached Read.Until.
var errUntil = errors.New("projector: read reached its end")

// Run reads a's records and calls fold with each batch, in stream order,
// on the caller's goroutine. An error from fold stops the read and is
// returned.
func (rd Read) Run(ctx context.Context, a *archive.Archive, fold func([]Decoded) error) error {
	if rd.Until > 0 && rd.Until < max(rd.From, 1) {
		return nil
	}
	err := ordered.Map(ctx, rd.Workers, func(ctx context.Context, send func([]archive.Record) bool) error {
		return rd.produce(ctx, a, send)
	}, decode, fold)
	if errors.Is(err, errUntil) {
		return nil
	}
	return err
}

// produce reads the records and sends them in batches.
func (rd Read) produce(ctx context.Context, a *archive.Archive, send func([]archive.Record) bool) error {
	next := max(rd.From, 1)
	var batch []archive.Record
	flush := func() error {
		if len(batch) > 0 && !send(batch) {
			return context.Canceled // Map is stopping: fold failed, or ctx ended
		}
		batch = nil
		return nil
	}
	err := a.ReadRaw(ctx, next, rd.Follow, func(r archive.Record) error {
		if rd.Gapless && r.Seq != next {
			return fmt.Errorf("%w: records %d to %d could not be read\n`story verify` names the first bad sequence; `story export --salvage` writes out what can still be read",
				archive.ErrCorrupt, next, r.Seq-1)
		}
		next = r.Seq + 1
		batch = append(batch, r)
		last := rd.Until > 0 && r.Seq >= rd.Until
		if len(batch) == batchSize || r.Pending == 0 || last {
			if err := flush(); err != nil {
				return err
			}
		}
		if last {
			return errUntil
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// decode decodes a batch. The event is a copy (ForScreen), so that the
// index keeping it does not keep the batch's payloads alive with it.
func decode(batch []archive.Record) []Decoded {
	out := make([]Decoded, len(batch))
	for i := range batch {
		r := &batch[i]
		r.Decode()
		out[i] = Decoded{Record: r.ForScreen(), Chain: r.Chain, Pending: r.Pending}
	}
	return out
}
