// Package projections folds events into Storyline's views — board, roles,
// status, timeline, claims, sources, stakes — as pure functions of the
// events, with no I/O and no clock. Every view answers at (T, K): the world
// at valid time T, from the events reported by knowledge time K.
//
// # Ordering
//
// Folds run in the order occurred_at, reported_at, stream sequence, which
// is total: the answer never depends on the order events arrived in. A
// correction (supersedes) replaces the event it names from the
// correction's own reported_at on; before that, the old version stands.
//
// # Cost
//
// The [Index] keeps a list per entity in fold order. A question about an
// org or a person binary-searches that list for T and folds only the
// entity's events up to T, never the whole archive: O(log n + m) for an
// entity with m events.
package projections
