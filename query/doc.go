// Package query answers questions about the views — the board of an org at
// (T, K), a person's status, the timeline, claims, sources, stakes and the
// diff between two moments — from an in-memory index of the archive's
// events. It is pure: the CLI, the NATS micro service and the HTTP API all
// call it, which is what makes their answers identical.
package query
