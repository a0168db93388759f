package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/synadia-io/orbit.go/jetstreamext"

	"storyline/events"
)

// Headers Storyline sets on every record.
const (
	ChainHeader  = "Story-Chain"
	SchemaHeader = "Story-Schema"
	schema       = "1"
)

// Subject returns the subject an event is stored on:
// story.<primary-entity>.<type>.<id>.
func Subject(e *events.Event) string {
	return events.Subject(e)
}

// Chain returns the chain value of a record: SHA-256 over the previous
// record's chain value and this record's payload, hex-encoded.
func Chain(prev string, payload []byte) string {
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write([]byte{'\n'})
	h.Write(payload)
	return hex.EncodeToString(h.Sum(nil))
}

// Result counts what an append did.
type Result struct {
	Stored  int    // newly stored
	Present int    // already stored, identical: nothing to do
	LastSeq uint64 // stream sequence of the last event stored (0 if none)
}

// Progress is told how many of total events have been dealt with.
type Progress func(done, total int)

// Append stores evs, each exactly once. Events already in the archive with
// identical content count as present. Before anything is stored it checks
// every event against the archive: if an id is stored with different
// content (or used twice in evs with different content), nothing is stored
// and the error lists each one. Events then go in atomic batches, so an
// interrupted append leaves whole batches, and running it again completes it.
func (a *Archive) Append(ctx context.Context, evs []events.Event, progress Progress) (Result, error) {
	return a.AppendWith(ctx, evs, AppendOptions{Progress: progress})
}

// AppendOptions adjust [Archive.AppendWith].
type AppendOptions struct {
	Progress Progress
	// Acked, when set, is told the ids of each batch this call stored, as
	// soon as the server has acknowledged it: a crash test's ledger of what
	// must survive. Events found already stored are not repeated.
	Acked func(ids []string)
}

// AppendWith is [Archive.Append] with options.
func (a *Archive) AppendWith(ctx context.Context, evs []events.Event, opts AppendOptions) (Result, error) {
	progress := opts.Progress
	acked := func(ids []string) {
		if opts.Acked != nil && len(ids) > 0 {
			opts.Acked(ids)
		}
	}
	var res Result
	type item struct {
		ev      *events.Event
		subject string
		payload []byte
	}
	items := make([]item, 0, len(evs))
	seen := make(map[string]int, len(evs))
	var problems []error
	for i := range evs {
		e := &evs[i]
		if e.ID == "" {
			e.ID = e.DeriveID()
		}
		p := e.Canonical()
		if j, ok := seen[e.ID]; ok {
			if bytes.Equal(items[j].payload, p) {
				res.Present++
				continue
			}
			problems = append(problems, fmt.Errorf("event %d: id %s: %w (event %d has the same id)", i+1, e.ID, ErrIDReused, j+1))
			continue
		}
		seen[e.ID] = len(items)
		items = append(items, item{ev: e, subject: Subject(e), payload: p})
	}
	if len(problems) > 0 {
		return Result{}, fmt.Errorf("%w: %w", ErrInvalid, errors.Join(problems...))
	}

	subjects := make([]string, len(items))
	for i, it := range items {
		subjects[i] = it.subject
	}
	stored, err := a.lastFor(ctx, subjects)
	if err != nil {
		return Result{}, err
	}
	pending := items[:0:0]
	for _, it := range items {
		m, ok := stored[it.subject]
		switch {
		case !ok:
			pending = append(pending, it)
		case bytes.Equal(m.Data, it.payload):
			res.Present++
		default:
			problems = append(problems, fmt.Errorf("id %s: %w (stored at seq %d)", it.ev.ID, ErrIDReused, m.Sequence))
		}
	}
	if len(problems) > 0 {
		return Result{}, fmt.Errorf("%w: %w", ErrInvalid, errors.Join(problems...))
	}
	total := len(evs)
	done := res.Present
	if progress != nil {
		progress(done, total)
	}

	head, err := a.head(ctx)
	if err != nil {
		return res, err
	}
	// A batch in flight is finished even when ctx is cancelled (SIGTERM):
	// it is atomic, and abandoning its ack would leave it stored but
	// unrecorded in the head file. Cancellation stops between batches.
	pubCtx := context.WithoutCancel(ctx)
	for len(pending) > 0 {
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("append stopped after %d stored: %w", res.Stored, err)
		}
		n := min(a.cfg.BatchSize, len(pending))
		batch := pending[:n]
		var ack uint64
		var chain string
		for attempt := 0; ; attempt++ {
			msgs := make([]*nats.Msg, len(batch))
			chain = head.Chain
			for i, it := range batch {
				chain = Chain(chain, it.payload)
				m := nats.NewMsg(it.subject)
				m.Data = it.payload
				m.Header.Set(jetstream.ExpectedLastSubjSeqHeader, "0")
				m.Header.Set(ChainHeader, chain)
				m.Header.Set(SchemaHeader, schema)
				if i == 0 {
					m.Header.Set(jetstream.ExpectedLastSeqHeader, strconv.FormatUint(head.Seq, 10))
				}
				msgs[i] = m
			}
			pctx, cancel := context.WithTimeout(pubCtx, 3*a.cfg.RequestTimeout)
			ack, err = a.publish(pctx, msgs)
			cancel()
			if err == nil {
				break
			}
			if !isConflict(err) && !isRetryable(err) || attempt >= 30 {
				return res, fmt.Errorf("append batch of %d at seq %d: %w", len(batch), head.Seq+1, wrapConflict(err))
			}
			// Someone else wrote, or the batch's fate is unknown: learn the
			// new head, drop what is already stored of ours, and try again
			// on top of it. While a cluster elects a leader these lookups
			// fail too; they are retried like the publish.
			if err := sleepCtx(ctx, time.Duration(attempt+1)*5*time.Millisecond); err != nil {
				return res, err
			}
			newHead, err := a.head(ctx)
			if err != nil {
				if isRetryable(err) && ctx.Err() == nil && attempt < 30 {
					continue
				}
				return res, err
			}
			head = newHead
			subs := make([]string, len(batch))
			for i, it := range batch {
				subs[i] = it.subject
			}
			now, err := a.lastFor(ctx, subs)
			if err != nil {
				if isRetryable(err) && ctx.Err() == nil && attempt < 30 {
					continue
				}
				return res, err
			}
			kept := batch[:0:0]
			for _, it := range batch {
				if m, ok := now[it.subject]; ok {
					if !bytes.Equal(m.Data, it.payload) {
						return res, fmt.Errorf("id %s: %w (stored at seq %d meanwhile)", it.ev.ID, ErrIDReused, m.Sequence)
					}
					res.Present++
					done++
					continue
				}
				kept = append(kept, it)
			}
			batch = kept
			if len(batch) == 0 {
				break
			}
		}
		if len(batch) > 0 {
			head = chainHead{Seq: ack, Chain: chain}
			res.Stored += len(batch)
			res.LastSeq = ack
			done += len(batch)
			ids := make([]string, len(batch))
			for i, it := range batch {
				ids[i] = it.ev.ID
			}
			acked(ids)
			if err := a.saveHead(head); err != nil {
				return res, err
			}
		}
		pending = pending[n:]
		if progress != nil {
			progress(done, total)
		}
	}
	return res, nil
}

func wrapConflict(err error) error {
	if isConflict(err) {
		return fmt.Errorf("%w: %w", ErrConflict, err)
	}
	return err
}

// publish sends msgs as one atomic batch and returns the sequence of the
// last one.
func (a *Archive) publish(ctx context.Context, msgs []*nats.Msg) (uint64, error) {
	if len(msgs) == 1 {
		// A batch of one is an ordinary publish; the server answers it
		// with a plain ack, which the batch client does not accept.
		ack, err := a.js.PublishMsg(ctx, msgs[0])
		if err != nil {
			return 0, a.refused(err)
		}
		return ack.Sequence, nil
	}
	ack, err := jetstreamext.PublishMsgBatch(ctx, a.js, msgs)
	if err != nil {
		return 0, a.refused(err)
	}
	return ack.Sequence, nil
}

// lastFor returns the stored message of every subject in subjects that has
// one, asking the server in batches of up to 1000 subjects.
func (a *Archive) lastFor(ctx context.Context, subjects []string) (map[string]*jetstream.RawStreamMsg, error) {
	out := make(map[string]*jetstream.RawStreamMsg)
	for start := 0; start < len(subjects); start += 1000 {
		chunk := subjects[start:min(start+1000, len(subjects))]
		if err := a.lastForChunk(ctx, chunk, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (a *Archive) lastForChunk(ctx context.Context, chunk []string, out map[string]*jetstream.RawStreamMsg) error {
	rctx, cancel := a.request(ctx)
	defer cancel()
	it, err := jetstreamext.GetLastMsgsFor(rctx, a.js, a.cfg.Stream, chunk)
	if err != nil {
		return fmt.Errorf("look up stored events: %w", err)
	}
	for m, err := range it {
		if errors.Is(err, jetstreamext.ErrNoMessages) {
			break
		}
		if err != nil {
			return fmt.Errorf("look up stored events: %w", err)
		}
		out[m.Subject] = m
	}
	return nil
}

// PublishOptions adjust [Archive.Publish].
type PublishOptions struct {
	// ExpectEntitySeq, when not nil, is the last stream sequence the writer
	// saw on the event's primary entity (0: none). If the entity has changed
	// since, Publish fails with ErrConflict and stores nothing.
	ExpectEntitySeq *uint64
}

// Publish stores one event. With opts.ExpectEntitySeq it is an optimistic
// write: the entity is checked at the stream head the write is pinned to, so
// two writers acting on one stale view cannot both succeed.
func (a *Archive) Publish(ctx context.Context, e events.Event, opts PublishOptions) (Result, error) {
	if opts.ExpectEntitySeq == nil {
		return a.Append(ctx, []events.Event{e}, nil)
	}
	if e.ID == "" {
		e.ID = e.DeriveID()
	}
	payload := e.Canonical()
	subject := Subject(&e)
	for attempt := 0; ; attempt++ {
		head, err := a.head(ctx)
		if err != nil {
			return Result{}, err
		}
		if m, err := a.stream.GetLastMsgForSubject(ctx, subject); err == nil {
			if bytes.Equal(m.Data, payload) {
				return Result{Present: 1}, nil
			}
			return Result{}, fmt.Errorf("id %s: %w (stored at seq %d)", e.ID, ErrIDReused, m.Sequence)
		} else if !errors.Is(err, jetstream.ErrMsgNotFound) {
			return Result{}, fmt.Errorf("look up %s: %w", subject, err)
		}
		entitySeq, err := a.EntitySeq(ctx, e.PrimaryEntity())
		if err != nil {
			return Result{}, err
		}
		if entitySeq > head.Seq {
			continue // written between the two reads; look again
		}
		if entitySeq != *opts.ExpectEntitySeq {
			return Result{}, fmt.Errorf("%w: %s was last written at seq %d, not %d", ErrConflict, e.PrimaryEntity(), entitySeq, *opts.ExpectEntitySeq)
		}
		chain := Chain(head.Chain, payload)
		m := nats.NewMsg(subject)
		m.Data = payload
		m.Header.Set(jetstream.ExpectedLastSubjSeqHeader, "0")
		m.Header.Set(jetstream.ExpectedLastSeqHeader, strconv.FormatUint(head.Seq, 10))
		m.Header.Set(ChainHeader, chain)
		m.Header.Set(SchemaHeader, schema)
		seq, err := a.publish(ctx, []*nats.Msg{m})
		if err == nil {
			return Result{Stored: 1, LastSeq: seq}, a.saveHead(chainHead{Seq: seq, Chain: chain})
		}
		if !isConflict(err) && !isRetryable(err) || attempt >= 30 {
			return Result{}, fmt.Errorf("publish %s: %w", e.ID, wrapConflict(err))
		}
		// The stream moved on; the entity check is redone on the new head.
	}
}

// EntitySeq returns the stream sequence of the last event filed under
// entity, or 0 if there is none.
func (a *Archive) EntitySeq(ctx context.Context, entity string) (uint64, error) {
	m, err := a.stream.GetLastMsgForSubject(ctx, "story."+entity+".>")
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("last event of %s: %w", entity, err)
	}
	return m.Sequence, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
