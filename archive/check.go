package archive

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/nats-io/nats.go/jetstream"
)

// checkScan bounds how far back Check looks for the newest chained records;
// past it (a long run of foreign records) the chain link is left to Verify.
const checkScan = 1000

// Check is the cheap test a server runs before it serves: a handful of
// requests, whatever the archive's size. It compares the stream's count with
// its sequence range (the stream denies deletes, so every sequence must be
// there), the stream's end with the head this machine last recorded, and the
// hash link of the newest record. A bit flip the store noticed on recovery
// and a truncated tail both show up here; anything subtler is left to
// [Archive.Verify], which reads every record. The error wraps ErrCorrupt.
func (a *Archive) Check(ctx context.Context) (Info, error) {
	info, err := a.Info(ctx)
	if err != nil {
		return info, err
	}
	damaged := func(format string, args ...any) (Info, error) {
		return info, fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
	}
	if info.LastSeq > 0 {
		if info.FirstSeq > 1 {
			return damaged("the stream starts at seq %d: records 1 to %d are gone", info.FirstSeq, info.FirstSeq-1)
		}
		if span := info.LastSeq - info.FirstSeq + 1; info.Messages != span || info.Deleted > 0 {
			return damaged("the stream holds %d records for sequences %d to %d (%d missing inside it)",
				info.Messages, info.FirstSeq, info.LastSeq, span-info.Messages)
		}
	}
	saved, err := a.loadHead()
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return info, err
	case saved.Seq > info.LastSeq:
		return damaged("the stream ends at seq %d, but this machine stored events up to seq %d: %d records lost (truncated tail or damaged block file)",
			info.LastSeq, saved.Seq, saved.Seq-info.LastSeq)
	case saved.Seq > 0 && saved.Chain != "":
		r, err := a.getRaw(ctx, saved.Seq)
		if err != nil {
			return damaged("seq %d, the last one this machine wrote, cannot be read: %v", saved.Seq, err)
		}
		if got := r.Header.Get(ChainHeader); got != saved.Chain {
			return damaged("seq %d: its chain value differs from the one recorded when it was written", saved.Seq)
		}
	}
	// The newest chained record must link to the one before it.
	var last, prev *jetstream.RawStreamMsg
	seq := info.LastSeq
	for ; seq >= max(info.FirstSeq, 1) && info.LastSeq-seq < checkScan; seq-- {
		m, err := a.getRaw(ctx, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return damaged("seq %d is missing", seq)
		}
		if err != nil {
			return info, fmt.Errorf("check seq %d: %w", seq, err)
		}
		if m.Header.Get(ChainHeader) == "" {
			continue
		}
		if last == nil {
			last = m
			continue
		}
		prev = m
		break
	}
	// With no earlier chained record, the newest links to the empty chain;
	// that is known only if the scan reached the stream's start.
	if last != nil && (prev != nil || seq < max(info.FirstSeq, 1)) {
		before := ""
		if prev != nil {
			before = prev.Header.Get(ChainHeader)
		}
		if Chain(before, last.Data) != last.Header.Get(ChainHeader) {
			return damaged("seq %d: hash chain broken (the record does not match its Story-Chain header)", last.Sequence)
		}
	}
	return info, nil
}

func (a *Archive) getRaw(ctx context.Context, seq uint64) (*jetstream.RawStreamMsg, error) {
	rctx, cancel := a.request(ctx)
	defer cancel()
	return a.stream.GetMsg(rctx, seq)
}
