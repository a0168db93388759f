package projections_test

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"storyline/events"
	"storyline/projections"
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x5deece66d)) }

// randomQuestions returns (T, K) pairs over the index's span: K before T,
// K after T, either unbounded.
func randomQuestions(x *projections.Index, r *rand.Rand, n int) []projections.AsOf {
	all := x.All()
	lo, hi := all[0].Event.OccurredAt, all[len(all)-1].Event.ReportedAt
	if last := x.ByReported(); len(last) > 0 && last[len(last)-1].Event.ReportedAt.After(hi) {
		hi = last[len(last)-1].Event.ReportedAt
	}
	rnd := func() time.Time {
		if r.IntN(12) == 0 {
			return time.Time{}
		}
		// Half the questions near the end of the story, where it is busy.
		from := lo
		if r.IntN(2) == 0 {
			from = hi.Add(-hi.Sub(lo) / 10)
		}
		return from.Add(time.Duration(r.Int64N(int64(hi.Sub(from)) + 1)))
	}
	qs := make([]projections.AsOf, n)
	for i := range qs {
		qs[i] = projections.AsOf{At: rnd(), KnownAt: rnd()}
	}
	return qs
}

// answers renders every view of the index at q, sequences blanked.
func answers(tb testing.TB, x *projections.Index, q projections.AsOf, orgs, people []string) string {
	var b strings.Builder
	for _, o := range orgs {
		b.WriteString(canonical(tb, x.BoardAt(o, q)))
		b.WriteString(canonical(tb, x.RolesAt(o, q)))
		b.WriteString(canonical(tb, x.StakesAt(o, q)))
	}
	for _, p := range people {
		b.WriteString(canonical(tb, x.StatusAt(p, q)))
	}
	b.WriteString(canonical(tb, x.ClaimsAt(q, projections.ClaimFilter{})))
	b.WriteString(canonical(tb, x.SourcesAt(q)))
	return b.String()
}

// TestArrivalOrderDoesNotMatter: any order of arrival, with any sequence
// numbers, gives the same answer (as JSON) to every question.
func TestArrivalOrderDoesNotMatter(t *testing.T) {
	tests := []struct {
		name   string
		evs    []events.Event
		perms  int
		qs     int
		orgs   []string
		people []string
	}{
		{name: "invented story", evs: mustLoad(t, story), perms: 25, qs: 60},
		{name: "synthetic story", evs: projections.Synthetic(2500, 3), perms: 4, qs: 40,
			orgs: []string{"org-0", "org-7", "org-19"}, people: []string{"person-1", "person-42", "person-250", "person-499"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRand(42)
			ref := build(tt.evs, inOrder(len(tt.evs)), nil)
			orgs, people := tt.orgs, tt.people
			if orgs == nil {
				orgs, people = ref.Orgs(), ref.People()
			}
			qs := randomQuestions(ref, r, tt.qs)
			want := make([]string, len(qs))
			for i, q := range qs {
				want[i] = answers(t, ref, q, orgs, people)
			}
			for p := 0; p < tt.perms; p++ {
				seqs := make([]uint64, len(tt.evs))
				for i, s := range r.Perm(len(tt.evs)) {
					seqs[i] = uint64(s*3 + 1)
				}
				x := build(tt.evs, r.Perm(len(tt.evs)), seqs)
				for i, q := range qs {
					if got := answers(t, x, q, orgs, people); got != want[i] {
						at := 0
						for at < len(got) && at < len(want[i]) && got[at] == want[i][at] {
							at++
						}
						from := max(0, at-300)
						t.Fatalf("permutation %d, question %d (T %v, K %v): answers differ at byte %d\n got …%.600s\nwant …%.600s",
							p, i, q.At, q.KnownAt, at, got[from:], want[i][from:])
					}
				}
			}
		})
	}
}

// TestClaimAtMatchesClaimsAt: the one-claim answer replay uses is the
// claims view's answer for that claim.
func TestClaimAtMatchesClaimsAt(t *testing.T) {
	evs := projections.Synthetic(4000, 8)
	x := build(evs, newRand(3).Perm(len(evs)), nil)
	for _, q := range randomQuestions(x, newRand(4), 40) {
		for _, c := range x.ClaimsAt(q, projections.ClaimFilter{}).Claims {
			one, ok := x.ClaimAt(c.ID, q)
			if !ok || canonical(t, one) != canonical(t, c) {
				t.Fatalf("at %+v: ClaimAt %v %s, ClaimsAt %s", q, ok, canonical(t, one), canonical(t, c))
			}
		}
	}
}
