package snapshot

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"sync"
	"time"

	"storyline/events"
	"storyline/ordered"
	"storyline/quarantine"
	"storyline/query"
)

// maxChunk bounds a chunk a reader accepts: chunkBytes and one record
// more, which a stored record's size bounds.
const maxChunk = chunkBytes + 4*events.MaxLineBytes

// Reader reads a snapshot: its header first, so that the caller can check
// it against the stream before reading the rest.
type Reader struct {
	br  *bufio.Reader
	sum hash.Hash32 // of every byte read so far
	h   Header
}

// NewReader reads and checks the header of the snapshot r holds.
func NewReader(r io.Reader) (*Reader, error) {
	rd := &Reader{br: bufio.NewReaderSize(r, 1<<20), sum: crc32.New(castagnoli)}
	m, err := rd.read(len(magic))
	if err != nil {
		return nil, err
	}
	if string(m) != magic {
		return nil, fmt.Errorf("%w: not a snapshot (it starts %q)", ErrDamaged, m)
	}
	b, err := rd.frame(maxHead)
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	var br events.BinaryReader
	br.Reset(b)
	h := Header{Version: int(br.Uvarint())}
	if h.Version != Version {
		return nil, fmt.Errorf("%w: version %d, this build reads version %d", ErrVersion, h.Version, Version)
	}
	h.Layout, h.Stream = br.String(), br.String()
	h.Seq, h.ChainSeq, h.Chain = br.Uvarint(), br.Uvarint(), br.String()
	h.Records = int(br.Uvarint())
	h.Written = time.Unix(0, br.Varint())
	if err := br.Err(); err != nil {
		return nil, fmt.Errorf("%w: header: %w", ErrDamaged, err)
	}
	if h.Layout != events.BinaryLayout {
		return nil, fmt.Errorf("%w: written by a build whose events have another layout", ErrVersion)
	}
	rd.h = h
	return rd, nil
}

// Header is the snapshot's header.
func (rd *Reader) Header() Header { return rd.h }

// read reads n bytes, counted in the file's checksum.
func (rd *Reader) read(n int) ([]byte, error) {
	return rd.readInto(make([]byte, n))
}

// readInto reads len(b) bytes into b, counted in the file's checksum.
func (rd *Reader) readInto(b []byte) ([]byte, error) {
	if _, err := io.ReadFull(rd.br, b); err != nil {
		return nil, cut(err)
	}
	rd.sum.Write(b) // a hash's Write never fails
	return b, nil
}

// cut says what a failed read means: the file ends too soon, or it could
// not be read.
func cut(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return ErrTruncated
	}
	return fmt.Errorf("snapshot: %w", err)
}

// uvarint reads a varint, counted in the file's checksum.
func (rd *Reader) uvarint() (uint64, error) {
	var b []byte
	for {
		c, err := rd.br.ReadByte()
		if err != nil {
			return 0, cut(err)
		}
		b = append(b, c)
		if c < 0x80 || len(b) == binary.MaxVarintLen64 {
			break
		}
	}
	rd.sum.Write(b) // a hash's Write never fails
	v, n := binary.Uvarint(b)
	if n <= 0 {
		return 0, fmt.Errorf("%w: bad length", ErrDamaged)
	}
	return v, nil
}

// frame reads a frame of at most max bytes and checks its checksum; nil
// for the empty frame that ends the chunks.
func (rd *Reader) frame(max int) ([]byte, error) {
	n, err := rd.uvarint()
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, nil
	}
	if n > uint64(max) {
		return nil, fmt.Errorf("%w: a frame of %d bytes", ErrDamaged, n)
	}
	b, err := rd.readInto(buffers.get(int(n) + 4))
	if err != nil {
		return nil, err
	}
	body, sum := b[:n], binary.LittleEndian.Uint32(b[n:])
	if crc32.Checksum(body, castagnoli) != sum {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrDamaged)
	}
	return body, nil
}

// Restore reads the records into g, an empty engine, decoding chunks on
// up to workers goroutines (0: one per core). progress, if set, is told
// how many records are in after each chunk. On an error g holds part of
// the snapshot and must be thrown away.
func (rd *Reader) Restore(ctx context.Context, g *query.Engine, workers int, progress func(done int)) error {
	done := 0
	recs := func(yield func(query.Stored, error) bool) {
		stopped := false
		err := ordered.Map(ctx, workers, rd.chunks, decodeChunk, func(c chunk) error {
			if c.err != nil {
				return c.err
			}
			for _, s := range c.recs {
				if !yield(s, nil) {
					stopped = true
					return errStopped
				}
			}
			done += len(c.recs)
			storeds.put(c.recs)
			if progress != nil {
				progress(done)
			}
			return nil
		})
		if err != nil && !stopped {
			yield(query.Stored{}, err)
		}
	}
	return g.Restore(recs, rd.h.Seq)
}

var errStopped = errors.New("stopped")

// chunks sends each chunk's bytes, then checks the end: as many records
// as the header announced, and the file's checksum.
func (rd *Reader) chunks(_ context.Context, send func([]byte) bool) error {
	n := 0
	for {
		b, err := rd.frame(maxChunk)
		if err != nil {
			return fmt.Errorf("%w at record %d", err, n)
		}
		if b == nil {
			break
		}
		var br events.BinaryReader
		br.Reset(b)
		br.Uvarint()
		br.Varint()
		n += int(br.Uvarint())
		if !send(b) {
			return nil
		}
	}
	want := rd.sum.Sum32()
	b, err := rd.read(4)
	if err != nil {
		return fmt.Errorf("the file's checksum: %w", err)
	}
	if binary.LittleEndian.Uint32(b) != want {
		return fmt.Errorf("%w: the file's checksum does not match", ErrDamaged)
	}
	if n != rd.h.Records {
		return fmt.Errorf("%w: %d records, the header says %d", ErrDamaged, n, rd.h.Records)
	}
	return nil
}

// chunk is a decoded chunk.
type chunk struct {
	recs []query.Stored
	err  error
}

// decodeChunk decodes a chunk's records (see chunker.add).
func decodeChunk(b []byte) chunk {
	r := binaryReaders.Get().(*events.BinaryReader)
	defer func() {
		// Nothing decoded points into b or the reader (strings are
		// copies): both serve the next chunk.
		r.Reset(nil)
		binaryReaders.Put(r)
		buffers.put(b)
	}()
	r.Reset(b)
	seq, rec, n := r.Uvarint(), r.Varint(), r.Uvarint()
	if n > uint64(len(b)) {
		return chunk{err: fmt.Errorf("%w: a chunk of %d records in %d bytes", ErrDamaged, n, len(b))}
	}
	recs := storeds.get(int(n))
	for i := range recs {
		gap := r.Uvarint()
		seq += gap >> 1
		rec += r.Varint()
		s := query.Stored{Seq: seq, Recorded: rec}
		if gap&1 == 1 {
			s.Quarantined = &quarantine.Entry{Seq: seq, Subject: r.String(), Class: quarantine.Class(r.String()),
				Reason: r.String(), Size: int(r.Uvarint()), Preview: r.String()}
		} else {
			s.Event = r.Event()
		}
		recs[i] = s
	}
	if err := r.Err(); err != nil {
		return chunk{err: fmt.Errorf("%w: %w", ErrDamaged, err)}
	}
	if r.Len() != 0 {
		return chunk{err: fmt.Errorf("%w: %d bytes after a chunk's records", ErrDamaged, r.Len())}
	}
	return chunk{recs: recs}
}

// A restore reads a chunk's bytes, decodes them with a binary reader (whose
// dictionary grows to the chunk's strings) into a slice of records, and is
// done with all three once the records are in the engine: they are reused
// rather than left to the collector, which would otherwise mark the
// growing views again and again to free them (a third of a 1M restore's
// time).
var (
	buffers       pool[byte]
	storeds       pool[query.Stored]
	binaryReaders = sync.Pool{New: func() any { return new(events.BinaryReader) }}
)

// pool keeps slices of T for reuse.
type pool[T any] struct{ p sync.Pool }

// get returns a slice of n elements, reused when one large enough is kept.
func (p *pool[T]) get(n int) []T {
	if s, ok := p.p.Get().(*[]T); ok && cap(*s) >= n {
		return (*s)[:n]
	}
	return make([]T, n)
}

// put keeps s for reuse; its contents are cleared first.
func (p *pool[T]) put(s []T) {
	s = s[:cap(s)]
	clear(s)
	p.p.Put(&s)
}
