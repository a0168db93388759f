package poll_test

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"storyline/poll"
)

func TestUntilReturnsOnceTheConditionHolds(t *testing.T) {
	var n atomic.Int32
	go func() {
		for range 3 {
			n.Add(1)
		}
	}()
	poll.Until(t, "three increments", func() bool { return n.Load() == 3 })
	tries := 0
	poll.UntilErr(t, "the third try", func() error {
		if tries++; tries < 3 {
			return errors.New("not yet")
		}
		return nil
	})
	if tries != 3 {
		t.Fatalf("UntilErr tried %d times, want 3", tries)
	}
}

// recorder is a testing.TB that records a failure instead of stopping.
type recorder struct {
	testing.TB
	failed string
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = format
	panic(r)
}

func TestWithinFailsAtTheDeadline(t *testing.T) {
	r := &recorder{TB: t}
	tries := 0
	func() {
		defer func() {
			if v := recover(); v != r {
				panic(v)
			}
		}()
		poll.Within(r, 50*time.Millisecond, "never", func() error { tries++; return errors.New("no") })
	}()
	if r.failed == "" || tries < 2 {
		t.Fatalf("Within gave up after %d tries with %q", tries, r.failed)
	}
}
