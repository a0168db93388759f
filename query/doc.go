// Package query answers questions about the views — the board of an org at
// (T, K), a person's status, the timeline, claims, sources, stakes, the
// diff between two moments, the stories — from an in-memory index of the
// archive's events. It is pure: the CLI, the NATS micro service and the
// HTTP API all call it, which is what makes their answers identical.
//
// # Scopes
//
// A question may be asked of a part of the archive: as it stood at a
// recorded moment (Request.AsRecorded: only the records stored by then,
// so errata stored later are not applied), or of one story
// (Request.Story: the events filed under it, with the descriptions of the
// entities they name, which all stories share). Both answer from an engine
// built from that part of the index, kept until new events arrive: O(n)
// to build, then as cheap as any question. Engine.scoped is the one place
// that chooses it.
//
// # Records in
//
// Engine.ApplyRecord is the one place records enter the views: each is
// screened (package quarantine), folded into the index, filed under the
// stories it names or a story.filed files it under, and its stream
// timestamp kept for the recorded clock.
//
// # What the commands ask
//
// The commands decide nothing about the views themselves: what a replay
// asks ([ReplayRequest]: its default knowledge time) and the tables it
// ends on ([ReplayEnd]), the views the demo ends on
// ([Engine.Highlights]), and what a live watch shows of each record as it
// arrives ([Watch]: screened and folded as an Engine folds it, with the
// changes it makes now, filtered, and held until filed under a story) are
// here. A Watch is fed records by its caller; it reads no stream.
package query
