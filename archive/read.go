package archive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/synadia-io/orbit.go/jetstreamext"

	"storyline/events"
)

// Record is one stored message: the event it holds, or why it does not hold
// a valid one.
type Record struct {
	Seq      uint64
	Subject  string
	Recorded time.Time // the stream's timestamp: when the archive stored it
	Chain    string    // the Story-Chain header; empty on foreign records
	Data     []byte    // the payload as stored
	Event    events.Event
	Err      error // non-nil: the payload is not a valid event (quarantined)
	// Pending is how many records the stream held after this one when a
	// read delivered it (0 from a get).
	Pending uint64
}

// Decode decodes the payload into Event, or says in Err why it does not
// hold a valid event. The records of [Archive.ReadRaw] are not decoded
// yet: their reader decodes them, on as many cores as it likes.
func (r *Record) Decode() {
	r.Event, r.Err = events.Decode(r.Data)
}

// Info is the stream's state.
type Info struct {
	Stream   string
	Messages uint64
	FirstSeq uint64
	LastSeq  uint64
	Deleted  int
	Bytes    uint64
}

// Info returns the stream's state as the server reports it.
func (a *Archive) Info(ctx context.Context) (Info, error) {
	rctx, cancel := a.request(ctx)
	defer cancel()
	si, err := a.stream.Info(rctx)
	if err != nil {
		return Info{}, fmt.Errorf("stream info: %w", err)
	}
	return Info{Stream: a.cfg.Stream, Messages: si.State.Msgs, FirstSeq: si.State.FirstSeq,
		LastSeq: si.State.LastSeq, Deleted: si.State.NumDeleted, Bytes: si.State.Bytes}, nil
}

// undecoded is the record a consumer delivered in m, its payload not yet
// decoded. Without its metadata a message has no sequence (it would look
// like a record before the first), so that is an error.
func undecoded(m jetstream.Msg) (Record, error) {
	md, err := m.Metadata()
	if err != nil {
		return Record{}, fmt.Errorf("a message on %s: %w", m.Subject(), err)
	}
	return Record{Seq: md.Sequence.Stream, Recorded: md.Timestamp, Subject: m.Subject(), Data: m.Data(),
		Chain: m.Headers().Get(ChainHeader), Pending: md.NumPending}, nil
}

// rawRecord is the record a get (not a consumer) read, decoded.
func rawRecord(m *jetstream.RawStreamMsg) Record {
	r := Record{Seq: m.Sequence, Subject: m.Subject, Recorded: m.Time, Data: m.Data, Chain: m.Header.Get(ChainHeader)}
	r.Event, r.Err = events.Decode(r.Data)
	return r
}

// Records calls fn for every record from sequence from (1 if 0) to the
// stream's last sequence at the time of the call, in stream order. An error
// from fn stops the read and is returned.
func (a *Archive) Records(ctx context.Context, from uint64, fn func(Record) error) error {
	return a.records(ctx, from, true, fn)
}

// ReadRaw is [Archive.Records] (follow false) or [Archive.Watch] (follow
// true) with the records' payloads not decoded: the caller decodes them
// ([Record.Decode]), in parallel if it likes. Package projector reads so.
func (a *Archive) ReadRaw(ctx context.Context, from uint64, follow bool, fn func(Record) error) error {
	if follow {
		return a.watch(ctx, from, false, fn)
	}
	return a.records(ctx, from, false, fn)
}

func (a *Archive) records(ctx context.Context, from uint64, decode bool, fn func(Record) error) error {
	info, err := a.Info(ctx)
	if err != nil {
		return err
	}
	if from == 0 {
		from = 1
	}
	if info.LastSeq < from {
		return nil
	}
	return a.consume(ctx, from, true, decode, func(r Record, pending uint64) (bool, error) {
		if err := fn(r); err != nil {
			return false, err
		}
		// Pending, not the last sequence, says when to stop: a damaged
		// stream may report a last sequence it can no longer deliver.
		return pending > 0 && r.Seq < info.LastSeq, nil
	})
}

// Watch calls fn for every record from sequence from on (0: only records
// stored after the call), and keeps waiting for new ones until ctx ends or
// fn returns an error. The ordered consumer behind it recreates itself after
// a reconnect, starting after the last sequence delivered, so a server
// restart neither skips nor repeats a record.
func (a *Archive) Watch(ctx context.Context, from uint64, fn func(Record) error) error {
	return a.watch(ctx, from, true, fn)
}

func (a *Archive) watch(ctx context.Context, from uint64, decode bool, fn func(Record) error) error {
	if from == 0 {
		info, err := a.Info(ctx)
		if err != nil {
			return err
		}
		from = info.LastSeq + 1
	}
	err := a.consume(ctx, from, false, decode, func(r Record, _ uint64) (bool, error) { return true, fn(r) })
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// ReaderInactiveThreshold is how long the server keeps a consumer of this
// archive's readers after they stopped asking for records: a reader
// deletes its consumer when it is done, so this only matters for one that
// was killed.
const ReaderInactiveThreshold = 30 * time.Second

// consume reads records in order from seq from, decoded if decode. With
// untilCaughtUp it returns at once when nothing is pending. Its consumer is deleted when it
// returns: the server would otherwise keep it for its inactivity
// threshold, and a stream has room for a bounded number of consumers.
func (a *Archive) consume(ctx context.Context, from uint64, untilCaughtUp, decode bool, fn func(r Record, pending uint64) (more bool, err error)) error {
	cfg := jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy, InactiveThreshold: ReaderInactiveThreshold}
	if from > 1 {
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, from
	}
	cons, err := a.stream.OrderedConsumer(ctx, cfg)
	if err != nil {
		return fmt.Errorf("read from seq %d: %w", from, a.consumersFull(err))
	}
	defer a.deleteConsumer(cons)
	if untilCaughtUp && cons.CachedInfo().NumPending == 0 {
		return nil
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(1000))
	if err != nil {
		return fmt.Errorf("read from seq %d: %w", from, err)
	}
	defer it.Stop()
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	var last uint64
	for {
		m, err := it.Next()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				return fmt.Errorf("read stopped after seq %d: %w", last, err)
			}
			return fmt.Errorf("read after seq %d: %w", last, err)
		}
		r, err := undecoded(m)
		if err != nil {
			return fmt.Errorf("read after seq %d: %w", last, err)
		}
		if decode {
			r.Decode()
		}
		last = r.Seq
		more, err := fn(r, r.Pending)
		if err != nil {
			return err
		}
		if !more {
			return nil
		}
	}
}

// deleteConsumer removes the consumer of a read that ended, whatever ended
// it (a cancelled context included). Failing to is harmless: the server
// removes it after ReaderInactiveThreshold.
func (a *Archive) deleteConsumer(cons jetstream.Consumer) {
	info := cons.CachedInfo()
	if info == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = a.stream.DeleteConsumer(ctx, info.Name) // harmless if it fails: see above
}

// consumersFull explains JetStream's "maximum consumers limit reached".
func (a *Archive) consumersFull(err error) error {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeMaximumConsumersLimit {
		return fmt.Errorf("stream %s has as many consumers as the server allows, each held by a reader (`nats consumer ls %s` lists them; abandoned ones go after %v): %w",
			a.cfg.Stream, a.cfg.Stream, ConsumerInactiveLimit, err)
	}
	return err
}

// Get returns the record at seq.
func (a *Archive) Get(ctx context.Context, seq uint64) (Record, error) {
	m, err := a.stream.GetMsg(ctx, seq)
	if err != nil {
		return Record{}, fmt.Errorf("get seq %d: %w", seq, err)
	}
	return rawRecord(m), nil
}

// ReadBatch returns up to n records from sequence from on (fewer if the
// stream ends, or if they add up to more than maxBytes), read with direct
// gets: it needs no consumer, so any number of readers can use it without
// crowding the stream's consumers out. Missing sequences are skipped.
func (a *Archive) ReadBatch(ctx context.Context, from uint64, n, maxBytes int) ([]Record, error) {
	rctx, cancel := a.request(ctx)
	defer cancel()
	it, err := jetstreamext.GetBatch(rctx, a.js, a.cfg.Stream, n, jetstreamext.GetBatchSeq(max(from, 1)), jetstreamext.GetBatchMaxBytes(maxBytes))
	if err != nil {
		return nil, fmt.Errorf("read %d records from seq %d: %w", n, from, err)
	}
	var out []Record
	for m, err := range it {
		if errors.Is(err, jetstreamext.ErrNoMessages) {
			break
		}
		if err != nil {
			return out, fmt.Errorf("read records from seq %d: %w", from, err)
		}
		out = append(out, rawRecord(m))
	}
	return out, nil
}

// chainHead is the newest record's sequence and the chain value to link
// the next record to.
type chainHead struct {
	Stream string `json:"stream"`
	Seq    uint64 `json:"seq"`
	Chain  string `json:"chain"`
}

// head reads the stream's last sequence and the chain value to continue.
// Records without a chain header (written by a foreign client) are skipped
// over: the chain links Storyline's own records.
func (a *Archive) head(ctx context.Context) (chainHead, error) {
	info, err := a.Info(ctx)
	if err != nil {
		return chainHead{}, err
	}
	h := chainHead{Stream: a.cfg.Stream, Seq: info.LastSeq}
	for seq := info.LastSeq; seq >= info.FirstSeq && seq > 0; seq-- {
		rctx, cancel := a.request(ctx)
		m, err := a.stream.GetMsg(rctx, seq)
		cancel()
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			return chainHead{}, fmt.Errorf("read chain head at seq %d: %w", seq, err)
		}
		if c := m.Header.Get(ChainHeader); c != "" {
			h.Chain = c
			break
		}
	}
	return h, nil
}

func (a *Archive) headPath() string {
	return filepath.Join(a.cfg.DataDir, "head-"+a.cfg.Stream+".json")
}

// saveHead records the newest head this machine wrote, so that a stream
// that later comes back shorter is noticed.
func (a *Archive) saveHead(h chainHead) error {
	// Appends that serve runs for several clients at once save heads
	// concurrently: the check and the rename must not interleave.
	headMu.Lock()
	defer headMu.Unlock()
	h.Stream = a.cfg.Stream
	if old, err := a.loadHead(); err == nil && old.Seq >= h.Seq {
		return nil
	}
	if err := os.MkdirAll(a.cfg.DataDir, 0o750); err != nil {
		return fmt.Errorf("save chain head: %w", err)
	}
	b, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("save chain head: %w", err)
	}
	f, err := os.CreateTemp(a.cfg.DataDir, "head-*.tmp")
	if err != nil {
		return fmt.Errorf("save chain head: %w", err)
	}
	_, err = f.Write(append(b, '\n'))
	err = errors.Join(err, f.Sync(), f.Close())
	if err == nil {
		err = os.Rename(f.Name(), a.headPath())
	}
	if err != nil {
		_ = os.Remove(f.Name()) // a leftover temporary file; the error below is what matters
		return fmt.Errorf("save chain head: %w", err)
	}
	return nil
}

// headMu serialises saveHead across the archives of a process.
var headMu sync.Mutex

func (a *Archive) loadHead() (chainHead, error) {
	b, err := os.ReadFile(a.headPath())
	if err != nil {
		return chainHead{}, err
	}
	var h chainHead
	if err := json.Unmarshal(b, &h); err != nil {
		return chainHead{}, fmt.Errorf("%s: %w", a.headPath(), err)
	}
	return h, nil
}
