package poll

import (
	"testing"
	"time"
)

// Deadline is how long Until waits before failing the test.
const Deadline = 30 * time.Second

// interval is the pause between two checks.
const interval = 10 * time.Millisecond

// Until checks cond until it holds, failing t with what after Deadline.
func Until(t testing.TB, what string, cond func() bool) {
	t.Helper()
	UntilErr(t, what, func() error {
		if cond() {
			return nil
		}
		return errNotYet
	})
}

// UntilErr calls try until it returns nil, failing t with what and try's
// last error after Deadline.
func UntilErr(t testing.TB, what string, try func() error) {
	t.Helper()
	Within(t, Deadline, what, try)
}

// Within is UntilErr with another deadline.
func Within(t testing.TB, d time.Duration, what string, try func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		err := try()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s: %v", d, what, err)
		}
		time.Sleep(interval)
	}
}

type notYet struct{}

func (notYet) Error() string { return "condition not met" }

var errNotYet error = notYet{}
