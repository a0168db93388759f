// Package events defines Storyline's event: the envelope, one payload type
// per event type, strict validation, the canonical JSON encoding and the
// deterministic ids derived from it. It is the domain root: every other
// package imports it, and it imports no network code.
//
// # Clocks
//
// An event carries two times. OccurredAt is when it happened in the world
// (valid time); ReportedAt is when the public first learned it from this
// source (knowledge time). The stream's own timestamp is a third, "recorded"
// clock that this package never sees.
//
// # Ids
//
// An event's id is a UUID. A line without one gets a UUIDv5 derived from its
// canonical encoding, so the same event imported twice has the same id and is
// stored once.
//
// # Types
//
// Type names are an append-only vocabulary. An old shape is never rewritten:
// an upcaster maps it to the current one while decoding.
package events
