// Package poll is how tests wait: for a condition, checked every few
// milliseconds, up to a deadline, never for a fixed time. A test that
// waits for something another goroutine or process does calls Until (or
// UntilErr when the last failure says why) instead of sleeping, so it is
// as fast as the thing it waits for and fails with what it waited for.
//
// Rules: only tests (and test-support packages such as archivetest)
// import poll; the deadline is generous (30 s by
// default: CI has two slow cores) because it bounds a failure, not the
// time a passing test takes.
package poll
