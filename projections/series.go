package projections

import (
	"slices"
	"sort"
	"sync"
)

// series is one entity's events of one kind in fold order: the sorted
// entries, plus those added since the last fix, which [series.fix] merges
// in. hmax[i] is the latest time at which anything about entries 0..i
// became known (its report or its correction's): a question whose
// knowledge time is past hmax[i] sees entries 0..i exactly as a question
// that knows everything does.
type series struct {
	es    []*Entry
	tail  []*Entry // added since the last fix, any order
	occ   []int64  // occ[i] = es[i].occ, kept inline for binary searches
	hmax  []int64
	sched []int32 // positions of entries reported before they occurred
	// stale marks a correction that changed an entry already sorted: its
	// derived data must be recomputed from staleAt on.
	stale   bool
	staleAt *Entry
	queued  bool // a chain's: entries or corrections arrived since its last fix
}

func (s *series) add(en *Entry) { s.tail = append(s.tail, en) }

// markStale records that en's correction status changed.
func (s *series) markStale(en *Entry) {
	if !s.stale || foldCmp(en, s.staleAt) < 0 {
		s.staleAt = en
	}
	s.stale = true
}

// fix merges the tail and recomputes hmax and sched; it returns the first
// position whose derived data changed (len(es) if none did).
func (s *series) fix() int {
	from := len(s.es)
	if len(s.tail) > 0 {
		slices.SortFunc(s.tail, foldCmp)
		from = sort.Search(len(s.es), func(i int) bool { return foldCmp(s.es[i], s.tail[0]) > 0 })
		s.es, s.tail = absorb(s.es, s.tail, foldCmp)
	}
	if s.stale {
		at := sort.Search(len(s.es), func(i int) bool { return foldCmp(s.es[i], s.staleAt) >= 0 })
		from = min(from, at)
		s.stale, s.staleAt = false, nil
	}
	s.hmax = s.hmax[:min(from, len(s.hmax))]
	s.occ = s.occ[:min(from, len(s.occ))]
	n := sort.Search(len(s.sched), func(i int) bool { return int(s.sched[i]) >= from })
	s.sched = s.sched[:n]
	h := int64(-1 << 63)
	if from > 0 {
		h = s.hmax[from-1]
	}
	for i := from; i < len(s.es); i++ {
		en := s.es[i]
		h = max(h, en.rep)
		if en.fixedBy != nil {
			h = max(h, en.fixedBy.rep)
		}
		s.hmax = append(s.hmax, h)
		s.occ = append(s.occ, en.occ)
		if en.rep < en.occ {
			s.sched = append(s.sched, int32(i))
		}
	}
	return from
}

// window places a question on the series: entries before p occurred by T;
// of those at or after pk only the scheduled ones can be known; entries
// before safe are seen by q exactly as by a question that knows
// everything.
func (s *series) window(q question) (p, pk, safe int) {
	occ := s.occ
	p = sort.Search(len(occ), func(i int) bool { return occ[i] > q.t.t })
	if q.t.exact {
		// Entries at the cut's instant are told apart by the rest of the key.
		lo := sort.Search(p, func(i int) bool { return occ[i] >= q.t.t })
		p = lo + sort.Search(p-lo, func(i int) bool { return !q.inT(s.es[lo+i]) })
	}
	pk = p
	if q.k.t < q.t.t {
		pk = sort.Search(p, func(i int) bool { return occ[i] > q.k.t })
	}
	safe = sort.Search(len(s.hmax), func(i int) bool { return !q.k.covers(s.hmax[i]) })
	return p, pk, safe
}

// each calls fn on the entries from position from on that occurred by T
// and count at K, in fold order, until fn returns false.
func (s *series) each(q question, from int, fn func(i int, en *Entry) bool) {
	p, pk, _ := s.window(q)
	for i := from; i < pk; i++ {
		if en := s.es[i]; q.counts(en) && !fn(i, en) {
			return
		}
	}
	s.eachSched(q, max(from, pk), p, fn)
}

// eachSched calls fn on the scheduled entries in positions [lo, hi) that
// count at q.
func (s *series) eachSched(q question, lo, hi int, fn func(i int, en *Entry) bool) {
	j := sort.Search(len(s.sched), func(i int) bool { return int(s.sched[i]) >= lo })
	for ; j < len(s.sched) && int(s.sched[j]) < hi; j++ {
		i := int(s.sched[j])
		if en := s.es[i]; q.counts(en) && !fn(i, en) {
			return
		}
	}
}

// find returns the position of en in the series, or -1.
func (s *series) find(en *Entry) int {
	i := sort.Search(len(s.es), func(i int) bool { return foldCmp(s.es[i], en) >= 0 })
	if i < len(s.es) && s.es[i] == en {
		return i
	}
	return -1
}

// fold is how a chain's state S evolves. States are pointers: apply may
// change s in place and returns it.
type fold[S any] struct {
	// every is the least number of events between two snapshots. A chain
	// whose state is larger spaces its snapshots by the state's size
	// instead, so a snapshot never costs more than the events it saves.
	every int
	empty func() S
	clone func(S) S
	apply func(x *Index, s S, key string, en *Entry) S
	size  func(S) int
}

// chain is a series with snapshots of its fold: snaps[j] is the state
// after es[:at[j]] for a question that knows everything.
type chain[S any] struct {
	series
	mu    sync.Mutex // guards the lazy fix in ready
	key   string
	f     *fold[S]
	at    []int32
	snaps []S
}

func newChain[S any](key string, f *fold[S]) *chain[S] { return &chain[S]{key: key, f: f} }

func (c *chain[S]) base() *series { return &c.series }

// fix brings the series and its snapshots up to date.
func (c *chain[S]) fix(x *Index) {
	from := c.series.fix()
	n := sort.Search(len(c.at), func(j int) bool { return int(c.at[j]) > from })
	c.at, c.snaps = c.at[:n], c.snaps[:n]
	s, i := c.f.empty(), 0
	if n > 0 {
		s, i = c.f.clone(c.snaps[n-1]), int(c.at[n-1])
	}
	last := i
	for ; i < len(c.es); i++ {
		if en := c.es[i]; en.fixedBy == nil && !en.withdrawn {
			s = c.f.apply(x, s, c.key, en)
		}
		if i+1-last >= max(c.f.every, c.f.size(s)) {
			c.at = append(c.at, int32(i+1))
			c.snaps = append(c.snaps, c.f.clone(s))
			last = i + 1
		}
	}
}

// ready brings c up to date with what Add recorded, the first time a
// question reads it since. Questions may run at once; Add runs alone.
func ready[S any](x *Index, c *chain[S]) *chain[S] {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.queued {
		c.fix(x)
		c.queued = false
	}
	return c
}

// chainOf is the chain of key in m, brought up to date; false if key has
// none.
func chainOf[S any](x *Index, m map[string]*chain[S], key string) (*chain[S], bool) {
	c, ok := m[key]
	if !ok {
		return nil, false
	}
	return ready(x, c), true
}

// state answers q: the fold of the entries that occurred by T and count at
// K. It starts from the latest snapshot that K does not affect and folds
// what follows it up to T.
func (c *chain[S]) state(x *Index, q question) S {
	p, pk, safe := c.window(q)
	start := min(safe, pk)
	j := sort.Search(len(c.at), func(j int) bool { return int(c.at[j]) > start }) - 1
	s, i := c.f.empty(), 0
	if j >= 0 {
		s, i = c.f.clone(c.snaps[j]), int(c.at[j])
	}
	for ; i < pk; i++ {
		if en := c.es[i]; q.counts(en) {
			s = c.f.apply(x, s, c.key, en)
		}
	}
	c.eachSched(q, pk, p, func(_ int, en *Entry) bool {
		s = c.f.apply(x, s, c.key, en)
		return true
	})
	return s
}

// fixer is a chain of any state type.
type fixer interface {
	base() *series
	fix(x *Index)
}
