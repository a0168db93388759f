// Package server runs Storyline as a long-lived process: it owns the
// archive, keeps every view current as events arrive, writes the "now" of
// each view to a JetStream KV bucket, answers view queries as a NATS micro
// service named "story", and serves the HTTP API, the live event feed and the
// web page.
//
// Only serve answers: other clients of its embedded server may not listen
// on the service's subjects nor create or change streams (see Permissions
// and LocalPermissions), and every answer is signed with a key only serve
// holds, which [Client] checks. The live feed's clients share the
// projector's read of the stream rather than hold a consumer each (see
// follow). Commands find serve through the address it records in the data
// dir, and wait for it while it starts ([Await]).
//
// # Daemon, client, identity
//
// The package holds three things, each in its own files. The daemon is
// [Server] (server.go, the HTTP API, the feed, the page). The client of a
// running serve is client.go ([Find], [Client], [Await], [OpenArchive])
// with addr.go, the [Address] serve records and its methods. The identity
// files are auth.go (the auth file and the permissions of its roles) and
// sign.go (serve's signing key, and the check of a signed answer). The
// client makes no connection itself: package archive does ([archive.Dial],
// [archive.Open]), and [archive.IsAuthError] is what tells a refusal.
//
// # The views: snapshots and lag
//
// The daemon's views are a query.Engine fed by package projector: at start
// restored from the newest snapshot that matches the stream (the data
// dir's, or with --nats-url the STORY_SNAPSHOTS bucket's) and caught up,
// then following the stream. Its fold (Server.fold) is Projector.Apply
// under the views' lock, plus what serve adds per batch: the feed, the
// waiters, the "now" views in KV. snapshots.go writes snapshots in the
// background (Config.SnapshotEvents, SnapshotEvery, and on a clean stop),
// holding the views' read lock while the engine is written out. Lag (the
// stream's last sequence minus the views') is the data of every endpoint
// in the micro service's stats, which Client.Lag and `story info` read.
//
// # More than one serve
//
// Serves of one cluster (--nats-url) answer the micro service as one
// queue group. A serve started on another machine starts from the
// snapshot another put in the bucket ([Server.Restored] says which) and
// catches up. A clean stop loses no question: Close stops the micro
// service first, so new requests go to the other serves, and waits until
// those it had received are answered, with the projector still running
// (an answer may wait for its min_seq); only then does it stop the
// projector and write its last snapshot. `story` commands take answers
// signed with the key in serve.pub, so the serves of one archive must
// share one serve.key.
//
// A micro request whose min_seq the views do not include yet waits beside
// the endpoint's handler, so that it holds up no other question of its
// view; at most 16 wait at once, and one more is refused at once with
// ErrBusy (micro code 429). Close waits for those answers too.
//
// # The page
//
// The web page (web/, embedded; page.go serves it) is native ES modules
// with no build step and no dependencies, one per concern, app.js first
// (its comment lists them). It asks the server rather than re-implement
// what Go already does: event summaries come with the timeline and with
// the live feed (/events sends each event as the timeline view gives it),
// the board lanes are the board changes /api/diff answers, and the order
// of the events on either clock is the timeline's, so that by report it is
// `story timeline --by reported`. The page tests (page_test.go, headless
// Chromium) hold it to that: the order and the lanes against Go's answers
// for the bundled story. No module is over 500 lines.
//
// # Derived from the view table
//
// The micro service's endpoints (one per view, storyline.views.NAME, with
// the view's summary and fields as metadata), the HTTP API's routes
// (/api/NAME, a path parameter as a segment, format and tz for a view with
// a CSV table), the parameters each route takes (onlyDocumented refuses the
// rest) and the OpenAPI document all come from the views' table
// (query.Views, through Engine.Catalog). The event feed is the one route of
// its own (feedRoute).
//
// # Errors
//
// Classify is the one error map: the HTTP status, the micro error code and
// the CLI's exit code of an error. The HTTP API, the micro service, a
// client's QueryError (back to the sentinel its code stands for) and
// cmd/story's exit codes all use it.
package server
