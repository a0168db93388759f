// Package query answers questions about the views — the board of an org at
// (T, K), a person's status, the timeline, claims, sources, stakes, the
// diff between two moments, the stories — from an in-memory index of the
// archive's events. It is pure: the CLI, the NATS micro service and the
// HTTP API all call it, which is what makes their answers identical.
// Engine is the one answerer; cmd/story's TestQueriesUseRunningServe and
// server's TestServeAnswersWatchesAndPublishesViews check that the CLI (in
// process and through serve), the micro service and the HTTP API give the
// same JSON. Keep it so: no view is answered anywhere else.
//
// # The view table
//
// Views (views.go) lists every view once: its name, its parameters (each a
// field of Request, see Params: its kind, whether it is required or a path
// segment, its description), the Go type and JSON schema of its answer, a
// one-line summary, and the function that answers it. Everything else is
// derived from it: Engine.Answer (scope, defaults, the checks all views
// share, required parameters, then the entry's answer), DecodeRequest and
// FromParams, the micro service's endpoints and their metadata, the HTTP
// API's routes, the parameters each takes and the OpenAPI document
// (package server), and the CLI's view commands, their flags and usage
// (cmd/story). To add a view: one entry here, and a printer in cmd/story's
// cliViews (or a word there on why it has none). Catalog.With gives a
// table with one more view, so a test can add one (package querytest) and
// see it served; nothing registers views globally.
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
// timestamp kept for the recorded clock. Package projector reads the
// stream and calls it, in stream order; query reads no stream.
//
// # Snapshots
//
// Engine.Stored yields every applied record (its sequence, recorded time,
// and the admitted event or the quarantine entry), and Engine.Restore
// fills an empty engine from them: everything else the engine holds (the
// index, the screen's memory of corrections not yet matched, the stories)
// follows from those, so restored views answer as folded ones do. Package
// snapshot writes them to a file; package projector keeps the files.
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
