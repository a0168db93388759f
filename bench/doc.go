// Package bench is `story bench`: it measures, in one run on the same
// embedded NATS server and machine, what Storyline's import, rebuild,
// as-of queries, memory, served queries and watch cost, each next to the
// plain-JetStream baseline that bounds it, and how fast the read side
// starts from a snapshot. It drives real archives in a scratch directory
// (removed afterwards), so it imports NATS directly for the baselines that
// bypass the archive. The rebuild it times is the product's (package
// projector, screen included), with no snapshot.
//
// The start from a snapshot is measured on story processes, as a user
// meets it: the bench writes the snapshot as `story import` does, then
// runs the story executable it is given (Config.Story; `story bench`
// passes itself) as one-shot `story board` commands and as restarted
// `story serve`, each bound to the run's context and stopped on every way
// out. Without an executable those phases are not run, their figures stay
// 0 and Report.Notes says so; no figure is ever made up. Waiting for a
// process polls on a ticker with a deadline, never sleeps.
package bench
