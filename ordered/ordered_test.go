package ordered_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"runtime"
	"testing"

	"storyline/ordered"
)

// TestMapKeepsOrder: outputs come in input order whatever order the
// workers finish in.
func TestMapKeepsOrder(t *testing.T) {
	const n = 5000
	var got []int
	err := ordered.Map(context.Background(), 4, func(_ context.Context, send func(int) bool) error {
		for i := range n {
			if !send(i) {
				return errors.New("stopped early")
			}
		}
		return nil
	}, func(i int) int {
		// Uneven work, so that workers overtake each other.
		for range rand.IntN(20) {
			runtime.Gosched()
		}
		return i * 2
	}, func(v int) error {
		got = append(got, v)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("%d outputs, want %d", len(got), n)
	}
	for i, v := range got {
		if v != i*2 {
			t.Fatalf("output %d is %d, want %d", i, v, i*2)
		}
	}
}

// TestMapStops: a consume error stops the producer, even one waiting for
// input that never comes, and is what Map returns.
func TestMapStops(t *testing.T) {
	boom := errors.New("boom")
	seen := 0
	err := ordered.Map(context.Background(), 2, func(ctx context.Context, send func(int) bool) error {
		for i := 0; ; i++ {
			if i == 10 {
				<-ctx.Done() // a live read waiting for more
				return ctx.Err()
			}
			if !send(i) {
				return nil
			}
		}
	}, func(i int) int { return i }, func(v int) error {
		seen++
		if v == 3 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || seen != 4 {
		t.Fatalf("Map returned %v after %d outputs; want boom after 4", err, seen)
	}
	perr := errors.New("producer failed")
	err = ordered.Map(context.Background(), 0, func(_ context.Context, send func(int) bool) error {
		send(1)
		return perr
	}, func(i int) int { return i }, func(int) error { return nil })
	if !errors.Is(err, perr) {
		t.Fatalf("Map returned %v, want the producer's error", err)
	}
}
