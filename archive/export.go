package archive

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"storyline/quarantine"
)

// Export formats.
const (
	FormatJSONL       = "jsonl"       // the import format: one event per line
	FormatCloudEvents = "cloudevents" // CloudEvents 1.0 JSON, one per line
)

// ErrBadFormat: an export format other than FormatJSONL or FormatCloudEvents.
var ErrBadFormat = errors.New("archive: unknown export format")

// ExportOptions adjust [Archive.Export].
type ExportOptions struct {
	// Format is FormatJSONL (the default) or FormatCloudEvents.
	Format string
	// Salvage writes every record that can still be read from a damaged
	// archive instead of stopping at the first damage; the report lists
	// what is missing or broken.
	Salvage bool
	// Skipped, when set, is told of each quarantined record left out.
	Skipped func(quarantine.Entry)
}

// ExportReport is what [Archive.Export] wrote and found.
type ExportReport struct {
	Written     uint64 // events written
	Quarantined uint64 // records left out because the views leave them out
	// Problems lists the damage found, in stream order (at most
	// MaxProblems; Truncated counts the rest). Without Salvage the export
	// stopped at the first.
	Problems  []Problem
	Truncated int
}

// errStop ends a read early.
var errStop = errors.New("stop reading")

// Export writes the archive to w in stream order, one event per line: the
// backup that `story import` restores. It holds what the views hold (what
// they quarantine is left out, so that it imports cleanly), and it checks
// the archive as [Archive.Verify] does while it reads: a missing sequence,
// a broken hash chain or a shortened stream is an ErrCorrupt error naming
// the first bad sequence, after which nothing more is written — a backup
// must not be silently shorter than the archive. With opts.Salvage it
// writes whatever is readable and reports the damage instead; the error is
// then nil.
func (a *Archive) Export(ctx context.Context, w io.Writer, opts ExportOptions) (ExportReport, error) {
	var rep ExportReport
	format := opts.Format
	if format == "" {
		format = FormatJSONL
	}
	if format != FormatJSONL && format != FormatCloudEvents {
		return rep, fmt.Errorf("%w: %q (want %s or %s)", ErrBadFormat, format, FormatJSONL, FormatCloudEvents)
	}
	info, err := a.Info(ctx)
	if err != nil {
		return rep, err
	}
	c, err := a.newChecker()
	if err != nil {
		return rep, err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	screen := quarantine.New()
	err = a.Records(ctx, 1, func(r Record) error {
		if found := c.check(r); len(found) > 0 && !opts.Salvage {
			return errStop
		}
		if q := screen.Check(r.forCheck()); q != nil {
			rep.Quarantined++
			if opts.Skipped != nil {
				opts.Skipped(*q)
			}
			return nil
		}
		rep.Written++
		return writeEvent(bw, format, &r)
	})
	if err != nil && !errors.Is(err, errStop) {
		return rep, fmt.Errorf("export: %w", err)
	}
	if err == nil {
		c.finish(info)
	}
	rep.Problems, rep.Truncated = c.problems, c.truncated
	if ferr := bw.Flush(); ferr != nil {
		return rep, fmt.Errorf("export: %w", ferr)
	}
	if opts.Salvage {
		return rep, nil
	}
	return rep, c.err()
}

func writeEvent(w *bufio.Writer, format string, r *Record) error {
	var b []byte
	if format == FormatCloudEvents {
		var err error
		if b, err = json.Marshal(r.Event.CloudEvent()); err != nil {
			return fmt.Errorf("seq %d as a CloudEvent: %w", r.Seq, err)
		}
	} else {
		b = r.Event.Canonical()
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("seq %d: %w", r.Seq, err)
	}
	return nil
}

// Quarantined screens the records up to seq as the views do and returns the
// quarantine entry of the record at seq, or nil when the views admit it.
func (a *Archive) Quarantined(ctx context.Context, seq uint64) (*quarantine.Entry, error) {
	screen := quarantine.New()
	var found *quarantine.Entry
	err := a.Records(ctx, 1, func(r Record) error {
		q := screen.Check(r.forCheck())
		if r.Seq < seq {
			return nil
		}
		if r.Seq == seq {
			found = q
		}
		return errStop
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, fmt.Errorf("screen seq %d: %w", seq, err)
	}
	return found, nil
}

// QuarantinedSince screens every record and returns the quarantine
// entries of those stored at seq from or later: what the views will leave
// out of a write that ended at the stream's end. It reads the whole
// stream (the screen needs what came before).
func (a *Archive) QuarantinedSince(ctx context.Context, from uint64) ([]quarantine.Entry, error) {
	screen := quarantine.New()
	var out []quarantine.Entry
	err := a.Records(ctx, 1, func(r Record) error {
		if q := screen.Check(r.forCheck()); q != nil && r.Seq >= from {
			out = append(out, *q)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("screen from seq %d: %w", from, err)
	}
	return out, nil
}
