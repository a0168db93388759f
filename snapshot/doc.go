// Package snapshot writes the views' state to a file and reads it back:
// every applied record of a query.Engine — the admitted events with their
// sequence and recorded time, the quarantined records' entries — in a
// compact binary form, so that a command or a serve starting later folds
// only what the stream holds beyond it. Package projector decides where
// snapshots live, checks them against the stream and writes them
// atomically; this package is the format alone, and imports no network
// package (events/deps_test.go guards it).
//
// # Format (version 1)
//
//	"STORYSNP"
//	frame: the header — version, events.BinaryLayout, stream, last
//	       sequence, chain sequence and value, record count, written
//	frame: a chunk of up to 2,048 records ...
//	0      the end of the chunks
//	CRC-32C of every byte before it (little endian)
//
// A frame is its length (uvarint), its bytes, and their CRC-32C. A chunk
// is one run of the events' binary form (events.BinaryWriter): the
// sequence and recorded time before its first record, the count, then
// per record the gap to the previous sequence (doubled, plus one for a
// quarantined record), the recorded time's difference, and the event or
// the quarantine entry. Chunks read independently, so a reader decodes
// them on every core while the engine takes them in order.
//
// # Rules
//
// A snapshot is a cache: deleting it is always safe, and one that is
// damaged (a checksum), cut short, of another version or written by a
// build with another event layout is refused with an error naming why
// (ErrDamaged, ErrTruncated, ErrVersion), never half-believed. The stamp
// (stream, sequence, chain value) lets the caller refuse one of another
// archive or one ahead of the stream. A reader bounds every length by
// what is left, so a damaged file costs no more memory than a whole one.
package snapshot
