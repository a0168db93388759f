package server

import (
	"context"
	"errors"
	"sort"
	"sync"

	"storyline/events"
)

// Bounds of the event feed (/events). Its clients share the projector's one
// read of the stream: none has a consumer of its own, so no number of them
// can use up the stream's consumers, and none is buffered for on its own.
const (
	// DefaultFeedClients is how many clients may follow the feed at once.
	DefaultFeedClients = 1000
	// feedKept is how many of the newest records the feed keeps for
	// clients that follow the head: a sequence and a pointer to the event
	// the views hold anyway.
	feedKept = 8192
	// feedRound is how many records a client is sent per write (and
	// flush); a client that does not take a round within the write
	// deadline is cut off.
	feedRound = 256
	// feedRoundBytes bounds a catch-up read's records in bytes.
	feedRoundBytes = 1 << 20
	// feedCatchUps is how many clients may read older records from the
	// stream at once; the others wait their turn.
	feedCatchUps = 4
)

// ErrFeedFull: the event feed has as many clients as it takes.
var ErrFeedFull = errors.New("server: too many event-feed clients")

// feedRecord is one record as the feed hands it out.
type feedRecord struct {
	seq uint64
	ev  *events.Event // nil: not in the views (quarantined, not an event)
}

// feed holds the newest records the projector applied, in stream order,
// for the clients of /events.
type feed struct {
	mu       sync.Mutex
	recs     []feedRecord // the newest, ascending (with gaps where records are missing)
	clients  int
	max      int
	catchUps chan struct{} // a slot per catch-up read in progress
}

func newFeed(maxClients int) *feed {
	if maxClients <= 0 {
		maxClients = DefaultFeedClients
	}
	return &feed{max: maxClients, catchUps: make(chan struct{}, feedCatchUps)}
}

// add appends the record the views applied at seq; ev is nil when they
// left it out. Records come in stream order.
func (f *feed) add(seq uint64, ev *events.Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.recs = append(f.recs, feedRecord{seq: seq, ev: ev})
	if len(f.recs) >= 2*feedKept {
		f.recs = append(make([]feedRecord, 0, 2*feedKept), f.recs[len(f.recs)-feedKept:]...)
	}
}

// since returns up to n records from seq on, copied. ok is false when seq
// is older than the oldest record kept: the client must read those from
// the stream. next is the sequence after the last record returned.
func (f *feed) since(seq uint64, n int) (recs []feedRecord, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.recs) == 0 || seq < f.recs[0].seq {
		return nil, false
	}
	i := sort.Search(len(f.recs), func(i int) bool { return f.recs[i].seq >= seq })
	end := min(i+n, len(f.recs))
	return append([]feedRecord(nil), f.recs[i:end]...), true
}

// join admits a client, unless the feed is full; leave lets it go.
func (f *feed) join() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.clients >= f.max {
		return ErrFeedFull
	}
	f.clients++
	return nil
}

func (f *feed) leave() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clients--
}

// FeedClients is how many clients follow the event feed now.
func (s *Server) FeedClients() int {
	s.feed.mu.Lock()
	defer s.feed.mu.Unlock()
	return s.feed.clients
}

// follow hands fn the records from seq from on, in stream order and a
// round at a time, as the views apply them, until ctx ends, the server
// stops or fn fails. Records newer than the views are waited for; those
// the feed no longer keeps are read from the stream with direct gets.
func (s *Server) follow(ctx context.Context, from uint64, fn func([]feedRecord) error) error {
	next := max(from, 1)
	for {
		ch, applied := s.Applied()
		if next > applied {
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return ctx.Err()
			case <-s.quit:
				return errStopped
			}
		}
		recs, ok := s.feed.since(next, feedRound)
		if !ok {
			var err error
			if recs, err = s.readOlder(ctx, next, applied); err != nil {
				return err
			}
		}
		if len(recs) == 0 {
			// Nothing readable up to what the views applied: those
			// sequences are missing from the stream, as for the views.
			next = applied + 1
			continue
		}
		if err := fn(recs); err != nil {
			return err
		}
		next = recs[len(recs)-1].seq + 1
	}
}

var errStopped = errors.New("server: stopped")

// readOlder reads a round of records from seq from up to applied from the
// stream, a bounded number of clients at a time, and marks those the views
// left out.
func (s *Server) readOlder(ctx context.Context, from, applied uint64) ([]feedRecord, error) {
	select {
	case s.feed.catchUps <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-s.quit:
		return nil, errStopped
	}
	defer func() { <-s.feed.catchUps }()
	n := int(min(applied-from+1, feedRound))
	got, err := s.a.ReadBatch(ctx, from, n, feedRoundBytes)
	if err != nil {
		return nil, err
	}
	recs := make([]feedRecord, 0, len(got))
	s.mu.RLock()
	defer s.mu.RUnlock()
	for i := range got {
		r := &got[i]
		if r.Seq > applied {
			break
		}
		fr := feedRecord{seq: r.Seq}
		if r.Err == nil && !s.views.IsQuarantined(r.Seq) {
			fr.ev = &r.Event
		}
		recs = append(recs, fr)
	}
	return recs, nil
}
