package snapshot

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"time"

	"storyline/events"
	"storyline/query"
)

// Version is the format written. A snapshot of another version is
// refused (ErrVersion) and the views are rebuilt from the stream.
const Version = 1

// Why a snapshot is refused. The caller rebuilds the views from the
// stream in every case.
var (
	// ErrDamaged: a checksum does not match (a flipped byte), or the file
	// is not a snapshot at all.
	ErrDamaged = errors.New("snapshot damaged")
	// ErrTruncated: the file ends before its end.
	ErrTruncated = errors.New("snapshot cut short")
	// ErrVersion: written in another format version, or by a build whose
	// events have another layout (events.BinaryLayout).
	ErrVersion = errors.New("snapshot of another version")
)

const magic = "STORYSNP"

// Chunks hold this many records at most, and are cut after this many
// bytes: small enough to decode many at once, large enough that each
// costs one checksum and one hand-over.
const (
	chunkRecords = 2048
	chunkBytes   = 1 << 20
	// maxHead bounds the header a reader accepts.
	maxHead = 1 << 16
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Stamp says which stream, and how much of it, a snapshot covers.
type Stamp struct {
	Stream string // the stream's name
	Seq    uint64 // the last sequence it covers
	// ChainSeq and Chain are the newest record at or before Seq that
	// carries a chain value (Story-Chain), and that value: the stream
	// must hold the same record there, or the snapshot is of another
	// archive. 0 and "": no record up to Seq carries one.
	ChainSeq uint64
	Chain    string
}

// Header is what a snapshot says of itself before its records.
type Header struct {
	Stamp
	Version int    // format version; 0 when writing: Version
	Layout  string // events.BinaryLayout when written
	Records int    // how many records (events and quarantined) it holds
	Written time.Time
}

// Write writes a snapshot of g stamped h.Stamp to w, and returns the
// header written. Version, Layout, Records and Written are filled in
// when zero (tests write other versions to see them refused). g must not
// change while it writes; g.LastSeq() must be h.Seq.
func Write(w io.Writer, h Header, g *query.Engine) (Header, error) {
	if h.Seq != g.LastSeq() {
		return h, fmt.Errorf("snapshot: stamped seq %d, but the views are at seq %d", h.Seq, g.LastSeq())
	}
	if h.Version == 0 {
		h.Version = Version
	}
	if h.Layout == "" {
		h.Layout = events.BinaryLayout
	}
	if h.Records == 0 {
		h.Records = g.StoredLen()
	}
	if h.Written.IsZero() {
		h.Written = time.Now()
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	sum := crc32.New(castagnoli)
	out := io.MultiWriter(bw, sum)
	if _, err := io.WriteString(out, magic); err != nil {
		return h, fmt.Errorf("snapshot: %w", err)
	}
	if err := writeFrame(out, h.encode(), nil); err != nil {
		return h, err
	}
	c := chunker{out: out}
	for s := range g.Stored() {
		if err := c.add(s); err != nil {
			return h, err
		}
	}
	if err := c.flush(); err != nil {
		return h, err
	}
	// The end: a chunk of no bytes, then the checksum of the whole file.
	if _, err := out.Write([]byte{0}); err != nil {
		return h, fmt.Errorf("snapshot: %w", err)
	}
	if _, err := bw.Write(binary.LittleEndian.AppendUint32(nil, sum.Sum32())); err != nil {
		return h, fmt.Errorf("snapshot: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return h, fmt.Errorf("snapshot: %w", err)
	}
	return h, nil
}

// encode is the header's bytes.
func (h Header) encode() []byte {
	var w events.BinaryWriter
	b := binary.AppendUvarint(nil, uint64(h.Version))
	b = w.AppendString(b, h.Layout)
	b = w.AppendString(b, h.Stream)
	b = binary.AppendUvarint(b, h.Seq)
	b = binary.AppendUvarint(b, h.ChainSeq)
	b = w.AppendString(b, h.Chain)
	b = binary.AppendUvarint(b, uint64(h.Records))
	return binary.AppendVarint(b, h.Written.UnixNano())
}

// writeFrame writes head followed by body as one frame: its length,
// the bytes, their checksum.
func writeFrame(w io.Writer, head, body []byte) error {
	pre := binary.AppendUvarint(nil, uint64(len(head)+len(body)))
	sum := crc32.Update(crc32.Checksum(head, castagnoli), castagnoli, body)
	for _, b := range [][]byte{pre, head, body, binary.LittleEndian.AppendUint32(nil, sum)} {
		if _, err := w.Write(b); err != nil {
			return fmt.Errorf("snapshot: %w", err)
		}
	}
	return nil
}

// chunker cuts the records into chunks, each one run of the binary form
// that can be read without the others: the sequence and recorded time
// before its first record, how many it holds, the records.
type chunker struct {
	out              io.Writer
	w                events.BinaryWriter
	buf              []byte
	n                int
	prevSeq, baseSeq uint64
	prevRec, baseRec int64
}

// add appends one record: the gap to the previous sequence (times two,
// plus one when quarantined), the recorded time as a difference from
// the previous one, then the event or the entry.
func (c *chunker) add(s query.Stored) error {
	if c.n == 0 {
		c.baseSeq, c.baseRec = c.prevSeq, c.prevRec
		c.w.Reset()
		c.buf = c.buf[:0]
	}
	gap := (s.Seq - c.prevSeq) << 1
	if s.Quarantined != nil {
		gap |= 1
	}
	c.buf = binary.AppendUvarint(c.buf, gap)
	c.buf = binary.AppendVarint(c.buf, s.Recorded-c.prevRec)
	c.prevSeq, c.prevRec = s.Seq, s.Recorded
	if q := s.Quarantined; q != nil {
		c.buf = c.w.AppendString(c.buf, q.Subject)
		c.buf = c.w.AppendString(c.buf, string(q.Class))
		c.buf = c.w.AppendString(c.buf, q.Reason)
		c.buf = binary.AppendUvarint(c.buf, uint64(q.Size))
		c.buf = c.w.AppendString(c.buf, q.Preview)
	} else {
		c.buf = c.w.AppendEvent(c.buf, s.Event)
	}
	c.n++
	if c.n == chunkRecords || len(c.buf) >= chunkBytes {
		return c.flush()
	}
	return nil
}

// flush writes the chunk, framed.
func (c *chunker) flush() error {
	if c.n == 0 {
		return nil
	}
	head := binary.AppendUvarint(nil, c.baseSeq)
	head = binary.AppendVarint(head, c.baseRec)
	head = binary.AppendUvarint(head, uint64(c.n))
	c.n = 0
	return writeFrame(c.out, head, c.buf)
}
