package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"time"

	"storyline/gen"
	"storyline/projections"
	"storyline/query"
)

// heapAlloc is the live heap after a full collection.
func heapAlloc() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC() // a second cycle frees what the first one's finalizers released
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// indexMemory measures the heap the view index adds over the events it
// indexes (the events are the caller's: an import already holds them).
func (r *run) indexMemory(ctx context.Context) error {
	n := r.cfg.Events
	r.progress(PhaseIndex, 0, n)
	before := heapAlloc()
	x := projections.NewIndex()
	for i := range r.evs {
		x.Add(uint64(i+1), &r.evs[i])
	}
	x.FoldAll() // the index's lazy structures are part of it
	after := heapAlloc()
	if x.Len() != n {
		return fmt.Errorf("bench: index holds %d events, want %d", x.Len(), n)
	}
	runtime.KeepAlive(x)
	r.rep.IndexBytesPerEvent = float64(int64(after)-int64(before)) / float64(n)
	r.progress(PhaseIndex, n, n)
	// Nothing after this needs the input: a server rebuilding its views
	// holds those only, and so should the heap the rebuild runs in.
	r.evs, r.jsonl, r.payloads = nil, nil, nil
	return ctx.Err()
}

// asOfSizes are the story sizes the as-of questions are asked at: the
// standard classes below the story's size, and the story itself.
func asOfSizes(n int) []int {
	var out []int
	for _, s := range []int{10_000, 100_000, 1_000_000} {
		if s < n {
			out = append(out, s)
		}
	}
	return append(out, n)
}

// asOf times board and status questions at random (T, K). The story's own
// size uses the engine rebuilt from the archive; smaller sizes are
// generated with the same seed and indexed in memory.
func (r *run) asOf(ctx context.Context) error {
	sizes := asOfSizes(r.cfg.Events)
	for i, size := range sizes {
		r.progress(PhaseAsOf, i, len(sizes))
		eng := r.eng
		if size != r.cfg.Events {
			eng = query.NewEngine()
			evs := gen.Generate(gen.Config{Events: size, Seed: r.cfg.Seed})[:size]
			for j := range evs {
				eng.Apply(uint64(j+1), &evs[j])
			}
		}
		s := newSampler(eng.Index(), r.cfg.Seed^uint64(size))
		for _, view := range []string{"board", "status"} {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("bench: %w", err)
			}
			a, err := timeAsOf(eng, s, view, r.cfg.Queries)
			if err != nil {
				return fmt.Errorf("bench: as-of %s at %d events: %w", view, size, err)
			}
			a.Events = size
			r.rep.AsOf = append(r.rep.AsOf, a)
		}
	}
	r.progress(PhaseAsOf, len(sizes), len(sizes))
	return nil
}

// sampler draws random questions about a story: an org or a person of it,
// a moment T within its span and a moment K from T to its last report, so
// that late reports and corrections are sometimes known and sometimes not.
type sampler struct {
	rng           *rand.Rand
	orgs, people  []string
	lo, hi, lastK time.Time
}

func newSampler(x *projections.Index, seed uint64) *sampler {
	s := &sampler{rng: rand.New(rand.NewPCG(seed, 0x5eed)), orgs: x.Orgs(), people: x.People()}
	all, byRep := x.All(), x.ByReported()
	s.lo, s.hi = all[0].OccurredAt(), all[len(all)-1].OccurredAt()
	s.lastK = byRep[len(byRep)-1].ReportedAt()
	return s
}

func (s *sampler) org() string    { return s.orgs[s.rng.IntN(len(s.orgs))] }
func (s *sampler) person() string { return s.people[s.rng.IntN(len(s.people))] }

func (s *sampler) question() (t, k time.Time) {
	t = s.lo.Add(s.span(s.hi.Sub(s.lo)))
	k = t.Add(s.span(s.lastK.Sub(t)))
	return t, k
}

func (s *sampler) span(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return time.Duration(s.rng.Int64N(int64(d) + 1))
}

func (s *sampler) request(view string) query.Request {
	t, k := s.question()
	req := query.Request{View: view, At: t, KnownAt: k}
	if view == "board" {
		req.Org = s.org()
	} else {
		req.Person = s.person()
	}
	return req
}

// timeAsOf asks n questions of one view, each timed on its own, through
// the query engine as the server asks them (name resolution included,
// JSON encoding not).
func timeAsOf(eng *query.Engine, s *sampler, view string, n int) (AsOf, error) {
	if len(s.orgs) == 0 || len(s.people) == 0 {
		return AsOf{}, fmt.Errorf("the story has %d orgs and %d people to ask about", len(s.orgs), len(s.people))
	}
	for range 200 { // warm caches, as a serving engine's are
		if _, err := eng.Answer(s.request(view)); err != nil {
			return AsOf{}, err
		}
	}
	// The garbage of building the index is not the questions' cost.
	runtime.GC()
	ds, warm := make([]time.Duration, n), make([]time.Duration, n)
	for i := range ds {
		req := s.request(view)
		t0 := time.Now()
		v, err := eng.Answer(req)
		ds[i] = time.Since(t0)
		if err != nil {
			return AsOf{}, err
		}
		if v == nil {
			return AsOf{}, fmt.Errorf("no answer to %+v", req)
		}
		// The same question again at once finds what it reads in the CPU
		// caches: the difference to the first is the cost of memory.
		t0 = time.Now()
		if _, err := eng.Answer(req); err != nil {
			return AsOf{}, err
		}
		warm[i] = time.Since(t0)
	}
	return AsOf{View: view, Queries: n, P50us: micros(percentile(ds, 50)), P99us: micros(percentile(ds, 99)),
		WarmP50us: micros(percentile(warm, 50))}, nil
}

// percentile is the nearest-rank p-th percentile of ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s))*p/100+0.999999) - 1
	return s[max(0, min(i, len(s)-1))]
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
