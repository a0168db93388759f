// Package projections folds events into Storyline's views — board, roles,
// status, timeline, claims, sources, stakes — as pure functions of the
// events, with no I/O and no clock. Every view answers at (T, K): the world
// at valid time T ([AsOf].At), from the events reported by knowledge time K
// ([AsOf].KnownAt). A zero time is no bound.
//
// # What the tests hold us to
//
// The answers do not depend on the order events arrive in: property_test.go
// folds the invented story and a rough generated one (package gen) in many
// random orders and with gaps in the sequences, and asks every view the
// same questions of each. Keep that test: it is what lets the archive
// accept late reports, backfills and errata in any order.
//
// # Clocks and order
//
// An event is part of the answer at (T, K) when it occurred by T, was
// reported by K, and no correction of it was reported by K. Folds run in
// the order occurred_at, then reported_at, then stream sequence (then id),
// which is total: the answer never depends on the order events arrived in.
// Sequences decide only between events equal on both clocks.
//
// # Corrections
//
// An event with supersedes: X replaces X from its own reported_at on; with
// K before that, X stands. What counts after is the correction's content,
// its occurred_at included. Corrections chain (a correction of a
// correction replaces both); of two corrections of the same event, the
// later reported replaces the earlier from then on. A correction of an
// event the archive does not hold counts as an event of its own and is
// shown as an anomaly of the views it touches.
//
// # Errata: the archive's own mistakes
//
// A correction (supersedes) is a source correcting itself: it counts from
// its own reported_at, and before that the public knew the old version.
// An erratum is the archive correcting its record: an event with
// erratum: X replaces X as if X had been written so, at every knowledge
// time, because the public never knew the archive's mistake. Whatever
// names X — a correction, a resolution, its evidence, a relay — names the
// erratum; a correction of X corrects the erratum. Of several errata of X
// the last stored stands. A record.withdrawn naming X takes X (and its
// errata) out of every view, the timeline included; withdrawing a
// withdrawal or an erratum restores what it took out or replaced. An
// erratum keeps the type and entity of the record it fixes (the quarantine
// screen refuses one that does not). Errata need not come after what they
// fix: the index applies them whenever both are held.
//
// The third clock is the recorded one: when the archive stored a record
// (the stream's timestamp). Views do not use it, except to show when an
// erratum was made; a question "as recorded at R" (query.Request.AsRecorded)
// is answered by an index of only the records stored by R.
//
// # Claims
//
// A claim.reported is a report of something not (yet) on the record. Its
// outcome as known at K comes from what happened: a claim.resolved whose
// by_event is an event that is not a claim (a role, a seat, a statement on
// record, an official announcement), counted only when both the resolution
// and its evidence had been reported by K, the resolution occurred by T
// and the evidence occurred or was announced (scheduled) by T. A
// resolution settled by another claim is an anomaly and settles nothing.
// Of several resolutions of a claim (or of one part), the one that became
// public last wins.
//
// Outcomes: confirmed, refuted, unresolved (it will never be settled; no
// evidence needed), open (nothing settles it yet), partly, relayed. A
// compound claim lists its parts; resolutions name a part (from 1), and a
// resolution of a compound claim as a whole is an anomaly; the claim is
// open while any part is, else the common outcome of its parts, else
// partly.
//
// A claim with repeats: X is a relay: it shares the outcome of the first
// report (X, or what X repeats, …), is shown as relayed with that original,
// is never confirmed and earns no lead; resolving a relay is an anomaly.
// Each first report lists its relays, at any depth of relaying, in the
// order they may first have appeared (see precision below). X may be a
// fact on the record: the relay then restates what was already public. A
// relay is not listed at a knowledge time before its first report was
// public, whatever time is written for it; one dated before it, one that
// repeats itself through a chain, and one repeating a record the archive
// does not hold are anomalies (a chain that loops has no original).
//
// The lead of a confirmed claim (or of a compound claim with a confirmed
// part) is the time from its first version's report to its evidence's
// report. A time known only to the hour, day, month or year stands for the
// calendar hour, day … it falls in, in its own offset; a lead takes the latest instant
// the claim's precision allows and the earliest the evidence's, so an
// imprecise report never takes credit it may not have earned; the view
// gives the most it can be beside it and flags the lead uncertain when
// the two differ. A precision describes reported_at too when it equals
// occurred_at (the report was the event); a reported_at that differs is
// taken as written. Refuted, partly-refuted parts and relays have no lead.
//
// # Outlets
//
// source.outlet names the outlet that originated a report: an outlet
// entity (entity.described, kind outlet) by id, name or alias, or free
// text for one never described. source.via lists the outlets it reached
// the archive through; they carry it, the credit is the outlet's. The
// sources view groups by outlet: the claims an outlet originated and
// their outcomes, its relays (claims repeating others), what it carried.
//
// # Names
//
// An entity is found by its id, name or alias exactly, then the same
// without case, accents, punctuation or spacing ("obrien" finds
// O'Brien), then any word of a name or alias, then a prefix; the first
// step that finds one entity answers, one that finds several lists them.
//
// # Anomalies
//
// An event that does not fit the state it applies to (leaving a seat one
// does not hold, ending a role one does not hold) is kept: it is listed in
// the view's anomalies, never dropped and never a panic. Leaving a seat
// other than the one held is an anomaly and still takes the person off the
// board; the other anomalies change nothing.
//
// # Rules of the board and the roles
//
// A person holds at most one seat per board: board.seat_taken for a member
// changes their seat (since = the change), and repeating the seat they
// hold changes nothing. role.started ends the tenure of everyone else
// holding the role at that instant unless both are shared; for a role one
// already holds it is a repeated report (no change), a new tenure if it
// changes interim, or an update of shared. An announcement stays open
// until the person starts a role (the announced one or any other: either
// settles it).
//
// # The index and its cost
//
// [Index] keeps, per org, the seat events, the role events and the stake
// events, and, per entity, every event naming it, each in fold order with
// an inline array of occurred times and a running maximum of "last moment
// anything about this prefix became known" (reports and corrections).
// Each list has snapshots of its fold as known today, every 16 events for
// org lists and 32 for entity lists, or every |state| events when the
// state is larger than that.
//
// A question at (T, K) binary-searches the list for T, and for the last
// position before which K sees the prefix exactly as today does; it
// starts from the latest snapshot before that position and folds what
// follows up to T, skipping events not counted at K (events occurring
// after K are skipped by a third binary search, except those announced
// ahead, which are kept in a separate short list). So a board or roles
// question costs O(log m + s + w), for an org with m events, s the snapshot
// spacing (plus the state's size, copied) and w the org's events between
// the first one K does not yet fully know (a late report, a later
// correction) and T. For K at or after T, w is the org's events inside the
// reporting lag before T; w grows large only when K is long before T or an
// old event of the org was corrected or reported much later — then the
// question folds back to that event. A status question costs one such
// fold on the person's own list, one per org the person held a role at,
// and, for each role no longer held, a scan of the org's role events over
// the person's last tenure to find what ended it. Views also list their
// anomalies, O(number of anomalies).
//
// Claims, sources and the timeline read the claims, resolutions or all
// events: O(n) in what they list. Names use each entity's latest
// description known at K (descriptions are timeless: T does not apply).
//
// Index overhead is about 250–300 bytes per event (measured on 200,000
// synthetic events), apart from the events themselves, which the caller
// keeps. Adding is O(1) amortized; the lists and snapshots an Add touches
// are brought up to date by the next question that reads them, from the
// first position that changed: a board question after a restore of a
// million events folds that org's chain, not every chain of the archive
// (Index.FoldAll does all at once). Questions may run at once, each chain
// and listing bringing itself up to date under its own lock; Add runs
// alone.
package projections
