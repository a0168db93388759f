package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
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
	// Stored counts the events this call stored: acknowledged by the
	// server, or found stored with the chain value this call sent them
	// with after an attempt whose answer was lost (a timeout, a dropped
	// connection, a full disk's slow answer).
	Stored int
	// Present counts the events already stored, identical, by an earlier
	// run or by another writer meanwhile: nothing to do.
	Present int
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
	// soon as the server has acknowledged it (or, after a lost answer, as
	// soon as they are read back): a crash test's ledger of what must
	// survive. Events found already stored are not repeated.
	Acked func(ids []string)
}

// pendingEvent is an event of an append on its way to the stream.
type pendingEvent struct {
	ev      *events.Event
	subject string
	payload []byte
	// sent are the chain values it was sent with, one per attempt: found
	// stored with one of them, it was stored by this append.
	sent []string
}

// AppendWith is [Archive.Append] with options.
func (a *Archive) AppendWith(ctx context.Context, evs []events.Event, opts AppendOptions) (Result, error) {
	items, present, err := prepareAppend(evs)
	if err != nil {
		return Result{}, err
	}
	pending, stored, err := a.notStored(ctx, items)
	if err != nil {
		return Result{}, err
	}
	res := Result{Present: present + stored}
	total, done := len(evs), res.Present
	if opts.Progress != nil {
		opts.Progress(done, total)
	}
	head, err := a.head(ctx)
	if err != nil {
		return res, err
	}
	for len(pending) > 0 {
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("append stopped after %d stored: %w", res.Stored, err)
		}
		n := min(a.cfg.BatchSize, len(pending))
		br, err := a.appendBatch(ctx, &head, pending[:n])
		res.Stored += len(br.stored)
		res.Present += br.present
		done += len(br.stored) + br.present
		if len(br.stored) > 0 {
			res.LastSeq = br.lastSeq
			if opts.Acked != nil {
				opts.Acked(br.stored)
			}
			if serr := a.saveHead(head); serr != nil && err == nil {
				err = serr
			}
		}
		if err != nil {
			return res, err
		}
		pending = pending[n:]
		if opts.Progress != nil {
			opts.Progress(done, total)
		}
	}
	return res, nil
}

// prepareAppend gives every event its id and payload, counts repeats
// within evs as present, and refuses an id used twice with different
// content.
func prepareAppend(evs []events.Event) ([]pendingEvent, int, error) {
	items := make([]pendingEvent, 0, len(evs))
	seen := make(map[string]int, len(evs))
	var problems []error
	present := 0
	for i := range evs {
		e := &evs[i]
		if e.ID == "" {
			e.ID = e.DeriveID()
		}
		p := e.Canonical()
		if j, ok := seen[e.ID]; ok {
			if bytes.Equal(items[j].payload, p) {
				present++
				continue
			}
			problems = append(problems, fmt.Errorf("event %d: id %s: %w (event %d has the same id)", i+1, e.ID, ErrIDReused, j+1))
			continue
		}
		seen[e.ID] = len(items)
		items = append(items, pendingEvent{ev: e, subject: Subject(e), payload: p})
	}
	if len(problems) > 0 {
		return nil, 0, fmt.Errorf("%w: %w", ErrInvalid, errors.Join(problems...))
	}
	return items, present, nil
}

// notStored returns the items the archive does not hold yet and counts
// those it holds, identical; an id it holds with other content is refused.
func (a *Archive) notStored(ctx context.Context, items []pendingEvent) ([]pendingEvent, int, error) {
	subjects := make([]string, len(items))
	for i, it := range items {
		subjects[i] = it.subject
	}
	stored, err := a.lastFor(ctx, subjects)
	if err != nil {
		return nil, 0, err
	}
	var pending []pendingEvent
	var problems []error
	present := 0
	for _, it := range items {
		m, ok := stored[it.subject]
		switch {
		case !ok:
			pending = append(pending, it)
		case bytes.Equal(m.Data, it.payload):
			present++
		default:
			problems = append(problems, fmt.Errorf("id %s: %w (stored at seq %d)", it.ev.ID, ErrIDReused, m.Sequence))
		}
	}
	if len(problems) > 0 {
		return nil, 0, fmt.Errorf("%w: %w", ErrInvalid, errors.Join(problems...))
	}
	return pending, present, nil
}

// batchResult is what one batch of an append did.
type batchResult struct {
	stored  []string // ids this append stored
	present int      // found stored by another writer meanwhile
	lastSeq uint64
}

// appendBatch stores batch as one atomic batch on top of *head, which it
// moves on. A batch in flight is finished even when ctx is cancelled
// (SIGTERM): it is atomic, and abandoning its ack would leave it stored but
// unrecorded in the head file. When another writer got there first, or
// the batch's fate is unknown, it learns the new head, sets aside what is
// stored by now, and tries the rest again on top of it.
func (a *Archive) appendBatch(ctx context.Context, head *chainHead, batch []pendingEvent) (batchResult, error) {
	var res batchResult
	pubCtx := context.WithoutCancel(ctx)
	for attempt := 0; ; attempt++ {
		msgs, chain := batchMsgs(*head, batch)
		pctx, cancel := context.WithTimeout(pubCtx, 3*a.cfg.RequestTimeout)
		ack, err := a.publish(pctx, msgs)
		cancel()
		if err == nil {
			*head = chainHead{Seq: ack, Chain: chain}
			res.lastSeq = ack
			for _, it := range batch {
				res.stored = append(res.stored, it.ev.ID)
			}
			return res, nil
		}
		if !isConflict(err) && !isRetryable(err) || attempt >= 30 {
			return res, fmt.Errorf("append batch of %d at seq %d: %w", len(batch), head.Seq+1, wrapConflict(err))
		}
		if err := sleepCtx(ctx, time.Duration(attempt+1)*5*time.Millisecond); err != nil {
			return res, err
		}
		// While a cluster elects a leader these lookups fail too; they
		// are retried like the publish.
		now, err := a.storedNow(ctx, head, batch)
		if err != nil {
			if isRetryable(err) && ctx.Err() == nil && attempt < 30 {
				continue
			}
			return res, err
		}
		var mine settled
		if batch, mine, err = settle(batch, now); err != nil {
			return res, err
		}
		res.stored = append(res.stored, mine.ids...)
		res.present += mine.theirs
		res.lastSeq = max(res.lastSeq, mine.lastSeq)
		if len(batch) == 0 {
			return res, nil
		}
	}
}

// batchMsgs builds the messages of batch on top of head, noting on each
// event the chain value it is sent with, and returns the last chain value.
func batchMsgs(head chainHead, batch []pendingEvent) ([]*nats.Msg, string) {
	msgs := make([]*nats.Msg, len(batch))
	chain := head.Chain
	for i := range batch {
		it := &batch[i]
		chain = Chain(chain, it.payload)
		it.sent = append(it.sent, chain)
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
	return msgs, chain
}

// storedNow learns the stream's head (into *head) and which of batch's
// events it holds by now.
func (a *Archive) storedNow(ctx context.Context, head *chainHead, batch []pendingEvent) (map[string]*jetstream.RawStreamMsg, error) {
	h, err := a.head(ctx)
	if err != nil {
		return nil, err
	}
	*head = h
	subs := make([]string, len(batch))
	for i, it := range batch {
		subs[i] = it.subject
	}
	return a.lastFor(ctx, subs)
}

// settled is what settle found stored of a batch.
type settled struct {
	ids     []string // stored by this append: with a chain value it sent
	theirs  int      // stored by someone else, identical
	lastSeq uint64   // the highest sequence of ids
}

// settle splits batch, after an attempt whose fate is unknown, into what
// is still to store and what the stream holds by now (now: its stored
// message per subject). A record with a chain value this append sent was
// stored by it — the answer was lost, not the write — and counts as
// stored; one with another chain value was stored by another writer, and
// counts as present. An id stored meanwhile with other content is
// ErrIDReused.
func settle(batch []pendingEvent, now map[string]*jetstream.RawStreamMsg) ([]pendingEvent, settled, error) {
	var s settled
	kept := batch[:0:0]
	for _, it := range batch {
		m, ok := now[it.subject]
		switch {
		case !ok:
			kept = append(kept, it)
		case !bytes.Equal(m.Data, it.payload):
			return nil, s, fmt.Errorf("id %s: %w (stored at seq %d meanwhile)", it.ev.ID, ErrIDReused, m.Sequence)
		case slices.Contains(it.sent, m.Header.Get(ChainHeader)):
			s.ids = append(s.ids, it.ev.ID)
			s.lastSeq = max(s.lastSeq, m.Sequence)
		default:
			s.theirs++
		}
	}
	return kept, s, nil
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
