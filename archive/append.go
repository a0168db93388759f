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

// An append goes in three steps: plan (give each event its id and
// payload, drop repeats, look up what the archive holds), send (each batch
// at once, on top of the stream's head, retried by appendRetry) and record
// (the head file, Acked, the counts and progress).

// pendingEvent is an event of an append on its way to the stream.
type pendingEvent struct {
	id      string
	subject string
	payload []byte
	// sent are the chain values it was sent with, one per attempt: found
	// stored with one of them, it was stored by this append.
	sent []string
}

// AppendWith is [Archive.Append] with options. The caller's events are
// not changed: an event without an id is stored under its derived id.
func (a *Archive) AppendWith(ctx context.Context, evs []events.Event, opts AppendOptions) (Result, error) {
	pending, present, err := a.plan(ctx, evs)
	if err != nil {
		return Result{}, err
	}
	rec := recorder{a: a, opts: opts, total: len(evs), res: Result{Present: present}}
	rec.progress()
	head, err := a.head(ctx)
	if err != nil {
		return rec.res, err
	}
	for batch := range slices.Chunk(pending, a.cfg.BatchSize) {
		if err := ctx.Err(); err != nil {
			return rec.res, fmt.Errorf("append stopped after %d stored: %w", rec.res.Stored, err)
		}
		sent, err := a.send(ctx, &head, batch)
		if err := rec.record(head, sent, err); err != nil {
			return rec.res, err
		}
	}
	return rec.res, nil
}

// plan is an append's first step: the events of evs still to send, and
// how many are present already (repeated within evs, or stored
// identical). An id used with other content, within evs or in the archive,
// stops the append before anything is sent.
func (a *Archive) plan(ctx context.Context, evs []events.Event) ([]pendingEvent, int, error) {
	items, repeats, err := prepareAppend(evs)
	if err != nil {
		return nil, 0, err
	}
	pending, stored, err := a.notStored(ctx, items)
	if err != nil {
		return nil, 0, err
	}
	return pending, repeats + stored, nil
}

// prepareAppend gives every event its id and payload (on a copy), counts
// repeats within evs as present, and refuses an id used twice with
// different content.
func prepareAppend(evs []events.Event) ([]pendingEvent, int, error) {
	items := make([]pendingEvent, 0, len(evs))
	seen := make(map[string]int, len(evs))
	var problems []error
	present := 0
	for i, e := range evs {
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
		items = append(items, pendingEvent{id: e.ID, subject: Subject(&e), payload: p})
	}
	if len(problems) > 0 {
		return nil, 0, fmt.Errorf("%w: %w", ErrInvalid, errors.Join(problems...))
	}
	return items, present, nil
}

// notStored returns the items the archive does not hold yet and counts
// those it holds, identical; an id it holds with other content is refused.
func (a *Archive) notStored(ctx context.Context, items []pendingEvent) ([]pendingEvent, int, error) {
	stored, err := a.lastFor(ctx, subjectsOf(items))
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
			problems = append(problems, fmt.Errorf("id %s: %w (stored at seq %d)", it.id, ErrIDReused, m.Sequence))
		}
	}
	if len(problems) > 0 {
		return nil, 0, fmt.Errorf("%w: %w", ErrInvalid, errors.Join(problems...))
	}
	return pending, present, nil
}

func subjectsOf(items []pendingEvent) []string {
	subjects := make([]string, len(items))
	for i, it := range items {
		subjects[i] = it.subject
	}
	return subjects
}

// retryPolicy is how often, and after what pause, a write is tried again
// after a failure that goes away on its own.
type retryPolicy struct {
	retries int           // tries after the first
	step    time.Duration // the n-th retry waits n×step
}

// appendRetry is the policy of appends and optimistic publishes: another
// writer moved the stream's head (a conflict), a cluster elects a leader,
// an answer was lost.
var appendRetry = retryPolicy{retries: 30, step: 5 * time.Millisecond}

// again reports whether attempt (0: the first), which failed with err, is
// to be tried again.
func (p retryPolicy) again(attempt int, err error) bool {
	return attempt < p.retries && (isConflict(err) || isRetryable(err))
}

// wait pauses before the retry of attempt, unless ctx ends first.
func (p retryPolicy) wait(ctx context.Context, attempt int) error {
	pause := time.NewTimer(time.Duration(attempt+1) * p.step)
	defer pause.Stop()
	select {
	case <-ctx.Done():
		return fmt.Errorf("retry %d: %w", attempt+1, ctx.Err())
	case <-pause.C:
		return nil
	}
}

// batchResult is what sending one batch did.
type batchResult struct {
	stored  []string // ids this append stored
	present int      // found stored by another writer meanwhile
	lastSeq uint64
}

// send stores batch as one atomic batch on top of *head, which it moves
// on. A batch in flight is finished even when ctx is cancelled (SIGTERM):
// it is atomic, and abandoning its ack would leave it stored but
// unrecorded in the head file. When another writer got there first, or
// the batch's fate is unknown, it learns the new head, sets aside what is
// stored by now, and tries the rest again on top of it (appendRetry).
func (a *Archive) send(ctx context.Context, head *chainHead, batch []pendingEvent) (batchResult, error) {
	var res batchResult
	for attempt := 0; ; attempt++ {
		seq, chain, err := a.sendOnce(ctx, *head, batch)
		if err == nil {
			*head = chainHead{Seq: seq, Chain: chain}
			res.lastSeq = seq
			for _, it := range batch {
				res.stored = append(res.stored, it.id)
			}
			return res, nil
		}
		if !appendRetry.again(attempt, err) {
			return res, fmt.Errorf("append batch of %d at seq %d: %w", len(batch), head.Seq+1, wrapConflict(err))
		}
		if err := appendRetry.wait(ctx, attempt); err != nil {
			return res, err
		}
		// While a cluster elects a leader these lookups fail too; they
		// are retried like the send.
		now, err := a.storedNow(ctx, head, batch)
		if err != nil {
			if appendRetry.again(attempt, err) && ctx.Err() == nil {
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

// sendOnce publishes batch on top of head, whatever ctx says (see send),
// within three request timeouts, and returns the sequence and chain value
// of its last record.
func (a *Archive) sendOnce(ctx context.Context, head chainHead, batch []pendingEvent) (uint64, string, error) {
	msgs, chain := batchMsgs(head, batch)
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 3*a.cfg.RequestTimeout)
	defer cancel()
	seq, err := a.publish(pctx, msgs)
	return seq, chain, err
}

// recorder is an append's last step: it counts what each batch did,
// tells Acked, saves the head and reports progress.
type recorder struct {
	a     *Archive
	opts  AppendOptions
	total int
	res   Result
}

func (r *recorder) progress() {
	if r.opts.Progress != nil {
		r.opts.Progress(r.res.Stored+r.res.Present, r.total)
	}
}

// record notes what sending a batch did (sendErr: how it failed), with
// head the stream's head it left. What was stored is recorded even when
// the send failed; progress is reported only when all went well.
func (r *recorder) record(head chainHead, b batchResult, sendErr error) error {
	r.res.Stored += len(b.stored)
	r.res.Present += b.present
	err := sendErr
	if len(b.stored) > 0 {
		r.res.LastSeq = b.lastSeq
		if r.opts.Acked != nil {
			r.opts.Acked(b.stored)
		}
		err = errors.Join(err, r.a.saveHead(head))
	}
	if err != nil {
		return err
	}
	r.progress()
	return nil
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
		msgs[i] = recordMsg(it.subject, it.payload, chain)
		if i == 0 {
			msgs[i].Header.Set(jetstream.ExpectedLastSeqHeader, strconv.FormatUint(head.Seq, 10))
		}
	}
	return msgs, chain
}

// recordMsg is the message that stores payload on subject, once, with its
// chain value.
func recordMsg(subject string, payload []byte, chain string) *nats.Msg {
	m := nats.NewMsg(subject)
	m.Data = payload
	m.Header.Set(jetstream.ExpectedLastSubjSeqHeader, "0")
	m.Header.Set(ChainHeader, chain)
	m.Header.Set(SchemaHeader, schema)
	return m
}

// storedNow learns the stream's head (into *head) and which of batch's
// events it holds by now.
func (a *Archive) storedNow(ctx context.Context, head *chainHead, batch []pendingEvent) (map[string]*jetstream.RawStreamMsg, error) {
	h, err := a.head(ctx)
	if err != nil {
		return nil, err
	}
	*head = h
	return a.lastFor(ctx, subjectsOf(batch))
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
			return nil, s, fmt.Errorf("id %s: %w (stored at seq %d meanwhile)", it.id, ErrIDReused, m.Sequence)
		case slices.Contains(it.sent, m.Header.Get(ChainHeader)):
			s.ids = append(s.ids, it.id)
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
	it := pendingEvent{id: e.ID, subject: Subject(&e), payload: e.Canonical()}
	for attempt := 0; ; attempt++ {
		head, res, err := a.pinned(ctx, it, e.PrimaryEntity(), *opts.ExpectEntitySeq)
		if err != nil || res.Present > 0 {
			return res, err
		}
		if head == nil {
			continue // written between the two reads; look again
		}
		chain := Chain(head.Chain, it.payload)
		m := recordMsg(it.subject, it.payload, chain)
		m.Header.Set(jetstream.ExpectedLastSeqHeader, strconv.FormatUint(head.Seq, 10))
		seq, err := a.publish(ctx, []*nats.Msg{m})
		if err == nil {
			return Result{Stored: 1, LastSeq: seq}, a.saveHead(chainHead{Seq: seq, Chain: chain})
		}
		if !appendRetry.again(attempt, err) {
			return Result{}, fmt.Errorf("publish %s: %w", e.ID, wrapConflict(err))
		}
		// The stream moved on; the entity check is redone on the new head.
	}
}

// pinned reads the stream's head and checks, at it, that it is not stored
// yet (else Result says present) and that entity was last written at
// expect. A nil head means the entity changed between the two reads.
func (a *Archive) pinned(ctx context.Context, it pendingEvent, entity string, expect uint64) (*chainHead, Result, error) {
	head, err := a.head(ctx)
	if err != nil {
		return nil, Result{}, err
	}
	if m, err := a.stream.GetLastMsgForSubject(ctx, it.subject); err == nil {
		if bytes.Equal(m.Data, it.payload) {
			return nil, Result{Present: 1}, nil
		}
		return nil, Result{}, fmt.Errorf("id %s: %w (stored at seq %d)", it.id, ErrIDReused, m.Sequence)
	} else if !errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil, Result{}, fmt.Errorf("look up %s: %w", it.subject, err)
	}
	entitySeq, err := a.EntitySeq(ctx, entity)
	switch {
	case err != nil:
		return nil, Result{}, err
	case entitySeq > head.Seq:
		return nil, Result{}, nil
	case entitySeq != expect:
		return nil, Result{}, fmt.Errorf("%w: %s was last written at seq %d, not %d", ErrConflict, entity, entitySeq, expect)
	}
	return &head, Result{}, nil
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
