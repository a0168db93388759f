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
// stored once. The derivation is pinned by id_test.go (the namespace, and
// golden files of canonical lines with their derived ids): a change that
// would give stored events other ids fails there, and it must — keep it.
//
// # Files people write
//
// [DecodeInput] and [ReadInput] read an import file, which may say more
// loosely what a stored record says exactly: times as people write them
// with a zone (stored as RFC 3339 with the zone's offset then; a date alone
// is day-precise; a time the clocks skipped or showed twice is refused),
// and references to other events by key or by an id prefix, which
// [Resolve] settles against the file and the archive before anything is
// stored. A stored record always names events by full id. [CheckDescribed]
// refuses events naming entities nothing describes. A line that gives its
// id is a record (a backup) and is taken as it was stored.
//
// # Decoding: a fast pass and an exact one
//
// Every line is read strictly (unknown names, wrong JSON types, malformed
// JSON refused), and the errors name each problem (strict.go). A line is
// read first by a fast pass, JSON v2 (github.com/go-json-experiment/json,
// the code of encoding/json/v2; under GOEXPERIMENT=jsonv2 it is the
// standard library's), in one pass that decodes the payload straight into
// its type when the type comes first. The fast pass accepts only what the
// exact pass accepts and fills the same values; anything it refuses — a
// name in another case, escaped or given twice, a null payload, any error
// — is read again, from zero, by the exact pass (encoding/json), whose
// errors are the messages users see. So errors never depend on the fast
// pass: FuzzFastPass and TestFastPassAgrees hold the two passes equal, and
// TestFastPassKnowsEveryField keeps every decoded field named by a tag. A
// new envelope field goes in wire and in wireMembers.
//
// # Binary form
//
// binary.go writes a decoded event back in a compact binary form and reads
// it without validation, for snapshots of the views (package snapshot):
// only Storyline writes it, from events a strict Decode accepted, and a
// snapshot records [BinaryLayout] so a build with other event structs
// refuses it. Strings repeat as back-references within a run, ids are 16
// bytes, times keep their offset. The canonical JSON stays the one
// exchange format.
//
// # Types
//
// Type names are an append-only vocabulary. An old shape is never rewritten:
// an upcaster maps it to the current one while decoding.
package events
