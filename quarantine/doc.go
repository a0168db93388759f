// Package quarantine decides, record by record in stream order, whether a
// stored record may enter the views or is set aside with a reason.
//
// Storyline's own writes are validated before they are stored, but any
// NATS client allowed to publish on story.> can put anything there: the
// stream cannot refuse it, and the archive never deletes. So the views do
// not believe what they read: every record passes this screen first. A
// quarantined record stays in the stream (nothing is ever removed) and its
// sequence is consumed; it is listed by `story quarantine` and counted by
// `story verify`, and it changes no view.
//
// # Rules
//
// A record is quarantined, with the first reason that applies, when:
//
//  1. undecodable: its payload is not a valid event — empty, not UTF-8,
//     not JSON, an unknown type, a missing or unknown field — with the
//     decoder's own error as the reason. An event that names itself in
//     supersedes is classed as forged_supersedes instead.
//  2. wrong_subject: it is stored on a subject other than its event's own,
//     story.<primary-entity>.<type>.<id>. The archive files every event
//     there; a record elsewhere was put there by hand.
//  3. duplicate: an event with its id was admitted earlier. Storyline
//     stores an id once (expected last subject sequence 0), but a plain
//     publish skips that check; the first one stored wins.
//  4. forged_supersedes: a correction must be of the same type and about
//     the same primary entity (the first entity it names; reports and
//     resolutions, which name none, match each other whatever their
//     outlet) as the event it corrects. When that event was admitted
//     earlier, the correction is checked against it. When it was not
//     (yet), the correction is admitted — the projections' rule for a
//     correction of an event the archive does not hold — but the screen
//     remembers what the first such correction says the event is: later
//     corrections of the same id must agree with it, and an event that
//     arrives later under that id must match it, else it is quarantined.
//     The first record stored wins, as for duplicates.
//
// Not forged: a correction of an event that another correction already
// superseded (two reports correcting one event; the later reported wins,
// see package projections), a correction of a correction, and a
// correction stored before the event it corrects. The bundled story
// relies on the last: a news report that a director was "removed" is
// stored before the official "resigned" statement it corrects. A
// correction naming an id the archive never holds is likewise kept, as a
// report of its own, and the views show it as an anomaly
// (projections/testdata has one).
//
// What the screen cannot catch is a well-formed, plausible event: telling
// it from a true one takes authority over who may write, not inspection.
//
// # Determinism and memory
//
// Decisions depend only on the records and their order, so every reader
// of the stream — the server's projector, a CLI command in process,
// `story verify` — quarantines the same records with the same reasons.
//
// The screen keeps no per-event state of its own when it screens for a
// projection index: [Over] looks ids up in the index the caller keeps
// anyway. [New] keeps a compact table (a 16-byte id, a sequence and two
// small numbers per event: 53 bytes with the map's overhead, measured) for
// callers without one. Beyond that it keeps one entry per correction whose
// event is not yet stored, dropped when the event arrives.
package quarantine
