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
package server
