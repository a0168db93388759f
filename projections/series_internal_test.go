package projections

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"storyline/gen"
)

// brute folds every entry of c that the question admits, from the empty
// state: the answer the snapshots and windows must reproduce.
func brute[S any](x *Index, c *chain[S], q question) S {
	s := c.f.empty()
	for _, en := range c.es {
		if q.inT(en) && q.counts(en) {
			s = c.f.apply(x, s, c.key, en)
		}
	}
	return s
}

func flat(s any) any {
	switch s := s.(type) {
	case *boardState:
		return []any{s.seats, s.anoms.list()}
	case *rolesState:
		return []any{s.held, s.anoms.list()}
	case *stakesState:
		return []any{s.held, s.anoms.list()}
	case *personState:
		return []any{s.seats, s.roles, s.ann, s.anoms.list()}
	}
	panic("unknown state")
}

// questions returns random questions over the story's span: plain (T, K)
// pairs, K before T among them, unbounded ones, and the event-exact cuts a
// replay uses.
func questions(x *Index, r *rand.Rand, n int) []question {
	all := x.All()
	lo, hi := all[0].Event.OccurredAt, all[len(all)-1].Event.ReportedAt
	rnd := func() time.Time { return lo.Add(time.Duration(r.Int64N(int64(hi.Sub(lo)) + 1))) }
	var qs []question
	for i := 0; i < n; i++ {
		switch i % 5 {
		case 0:
			qs = append(qs, AsOf{At: rnd()}.question())
		case 1:
			qs = append(qs, AsOf{KnownAt: rnd()}.question())
		case 2:
			b, a := x.Around(ByOccurred, all[r.IntN(len(all))], rnd())
			qs = append(qs, b.question(), a.question())
		case 3:
			b, a := x.Around(ByReported, all[r.IntN(len(all))], time.Time{})
			qs = append(qs, b.question(), a.question())
		default:
			qs = append(qs, AsOf{At: rnd(), KnownAt: rnd()}.question())
		}
	}
	return qs
}

func checkChains[S any](t *testing.T, x *Index, m map[string]*chain[S], qs []question, r *rand.Rand) {
	t.Helper()
	keys := sortedKeys(m)
	for i, q := range qs {
		c, _ := chainOf(x, m, keys[r.IntN(len(keys))])
		got, want := flat(c.state(x, q)), flat(brute(x, c, q))
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("question %d on %s: snapshot answer %+v, full fold %+v", i, c.key, got, want)
		}
	}
}

// TestSnapshotsMatchFullFold checks the temporal index against the plain
// fold it stands for, on a synthetic story added in random order, for
// every kind of chain.
func TestSnapshotsMatchFullFold(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		evs := gen.Generate(gen.Config{Events: 4000, Seed: seed, Orgs: 4, People: 40, Rough: true})
		r := rand.New(rand.NewPCG(seed, 7))
		x := NewIndex()
		for i, j := range r.Perm(len(evs)) {
			x.Add(uint64(i+1), &evs[j])
		}
		x.prepare()
		qs := questions(x, r, 300)
		checkChains(t, x, x.board, qs, r)
		checkChains(t, x, x.roles, qs, r)
		checkChains(t, x, x.stakes, qs, r)
		checkChains(t, x, x.entity, qs, r)
	}
}

// TestQuestionsFoldOnlyWhatTheyRead: after Add, a question folds the
// chains it reads and leaves the others to their own first question;
// FoldAll folds the rest, and the answers are the same either way.
func TestQuestionsFoldOnlyWhatTheyRead(t *testing.T) {
	evs := gen.Generate(gen.Config{Events: 3000, Seed: 5, Orgs: 3, People: 30, Rough: true})
	x, y := NewIndex(), NewIndex()
	for i := range evs {
		x.Add(uint64(i+1), &evs[i])
		y.Add(uint64(i+1), &evs[i])
	}
	orgs := sortedKeys(x.board)
	if len(orgs) < 2 {
		t.Fatalf("the story has %d orgs with board events; want 2", len(orgs))
	}
	asked := x.BoardAt(orgs[0], AsOf{})
	if x.board[orgs[0]].queued || !x.board[orgs[1]].queued || !x.roles[orgs[1]].queued {
		t.Fatalf("after a board question on %s: its chain queued %v, %s's board and roles %v, %v; want false, true, true",
			orgs[0], x.board[orgs[0]].queued, orgs[1], x.board[orgs[1]].queued, x.roles[orgs[1]].queued)
	}
	y.FoldAll()
	for k, c := range y.entity {
		if c.queued {
			t.Errorf("after FoldAll the chain of %s is still queued", k)
		}
	}
	if want := y.BoardAt(orgs[0], AsOf{}); !reflect.DeepEqual(asked, want) {
		t.Errorf("lazy answer %+v; after FoldAll %+v", asked, want)
	}
	for _, org := range orgs[1:] {
		if got, want := x.BoardAt(org, AsOf{}), y.BoardAt(org, AsOf{}); !reflect.DeepEqual(got, want) {
			t.Errorf("board of %s: lazy %+v; after FoldAll %+v", org, got, want)
		}
	}
}
