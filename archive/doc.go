// Package archive keeps Storyline's events on a NATS JetStream stream: it
// runs the embedded server (or connects to an existing one), creates and
// checks the immutable stream, appends events exactly once, reads and
// watches them, and verifies the hash chain. Everything that touches NATS
// lives here or in package server.
//
// # Connections
//
// Every NATS connection is made here (conn.go), and only here: the
// archive's own ([Open]) and that of a client of a running serve
// ([Dial], used by package server). [Config] holds what they need in plain
// fields — the URL, a creds file or a user and password, a CA file for
// TLS — and the NATS options are built from it in one place; no caller
// passes NATS options of its own, and cmd/story imports no NATS package (a
// test there says so). A refusal reads the same everywhere: [IsAuthError]
// is the one test of a server refusing the credentials, and a permissions
// violation wraps [ErrPermission] together with the server's words. A
// connect that fails otherwise wraps [ErrUnreachable]. [Archive.Close]
// returns what went wrong closing (the connection's last flush, the data
// dir's lock) rather than nil.
//
// # The stream
//
// One stream (default "STORY", file storage) holds every event on the
// subject story.<primary-entity>.<type>.<id>, so plain NATS clients can
// filter with wildcards (story.acme.>, story.*.role.started.*). The stream
// denies deletes and purges, allows no rollups, TTLs or schedules and has no
// age or size limits; [Open] reads its configuration back from the server
// and refuses a stream that is not so ([CheckImmutable] checks what the
// server reports, not what was asked for: some server options turn
// rollups on silently).
//
// # Stored once
//
// Every event is published with Nats-Expected-Last-Subject-Sequence: 0 on
// its own subject, so the server refuses a second copy however much later it
// is sent, across restarts and after any duplicate window. Imports are
// validated whole, then sent in atomic batches; each batch also carries
// Nats-Expected-Last-Sequence, so a writer that lost a race learns it
// (errors 10071, or 10164 on replicated streams) and retries on the new head
// instead of forking the hash chain.
//
// The archive sends no Nats-Msg-Id, so the stream's duplicate window does
// nothing for it; it is one second ([DefaultDuplicateWindow]) because a
// server reopening the stream reads back every message inside it.
//
// [Archive.AppendWith] goes in three steps: plan (give each event its id
// and payload, drop repeats, look up what is stored: an id stored with
// other content stops it before anything is sent), send (each batch at
// once, retried after conflicts, leader elections and lost answers by one
// policy, appendRetry, whose limit is written once) and record (the head
// file, the Acked ledger, counts and progress). It works on copies: the
// caller's events are never changed, an event without an id is stored
// under its derived one.
//
// # Integrity
//
// Each record carries a Story-Chain header: SHA-256 over the previous
// record's chain value and this record's canonical payload. The last head
// this machine wrote is kept in the data dir, so [Archive.Verify] notices a
// stream that came back shorter after a crash or a damaged block file,
// which JetStream alone would serve silently. [Archive.Export] makes the
// same checks as it reads, so that a backup is never silently shorter.
//
// # Reading
//
// [Archive.Records] and [Archive.Watch] deliver records decoded, one
// goroutine doing it; [Archive.ReadRaw] delivers them undecoded (with how
// many are pending) for package projector, which decodes them on every
// core ([Record.Decode]) and folds them in order. [Archive.ObjectStore]
// reaches an Object Store bucket beside the stream (the views' snapshots
// on a server of one's own, [Archive.Shared]), with the stream's replicas.
//
// # Consumers
//
// A stream has room for a bounded number of consumers (the server allows
// 1,000), shared by every client. Each read deletes its ordered consumer
// when it ends (and asks the server to drop it 30 s after a killed process
// stopped reading); the stream caps every consumer's inactivity at
// [ConsumerInactiveLimit], durable ones included; and [Archive.ReadBatch]
// reads without a consumer at all.
package archive
