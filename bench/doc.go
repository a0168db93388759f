// Package bench is `story bench`: it measures, in one run on the same
// embedded NATS server and machine, what Storyline's import, rebuild,
// as-of queries, memory, served queries and watch cost, each next to the
// plain-JetStream baseline that bounds it. It drives real archives in a
// scratch directory (removed afterwards), so it imports NATS directly for
// the baselines that bypass the archive. The rebuild it times is the
// product's (package projector, screen included), with no snapshot.
package bench
