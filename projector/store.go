package projector

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"storyline/archive"
	"storyline/snapshot"
)

// SnapshotBucket is the Object Store bucket that holds the snapshots of an
// archive on a server of one's own (--nats-url), one object per stream, so
// that a serve started on another machine starts from it.
const SnapshotBucket = "STORY_SNAPSHOTS"

// ErrAhead: a snapshot covers sequences the stream does not hold (a
// stream restored from an older backup, or another archive's snapshot).
var ErrAhead = errors.New("ahead of the stream")

// Dir is where the snapshots of the archive in dataDir live.
func Dir(dataDir string) string { return filepath.Join(dataDir, "snapshots") }

// Path is the snapshot file of stream in dataDir.
func Path(dataDir, stream string) string { return filepath.Join(Dir(dataDir), stream+".snap") }

// source is a place a snapshot may be read from.
type source struct {
	where string
	open  func(ctx context.Context) (io.ReadCloser, error) // os.ErrNotExist: none there
}

// sources are where the projector looks for snapshots: the data dir, and
// the Object Store bucket on a server of one's own.
func (p *Projector) sources() []source {
	path := Path(p.a.DataDir(), p.a.StreamName())
	out := []source{{where: path, open: func(context.Context) (io.ReadCloser, error) { return os.Open(path) }}}
	if p.a.Shared() {
		out = append(out, source{where: "bucket " + SnapshotBucket, open: p.openObject})
	}
	return out
}

func (p *Projector) openObject(ctx context.Context) (io.ReadCloser, error) {
	obs, err := p.a.ObjectStore(ctx, SnapshotBucket, "", false)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		return nil, os.ErrNotExist
	}
	if err != nil {
		return nil, err
	}
	obj, err := obs.Get(ctx, p.a.StreamName())
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return nil, os.ErrNotExist
	}
	return obj, err
}

// candidate is a snapshot whose header matched the stream.
type candidate struct {
	where string
	rc    io.ReadCloser
	rd    *snapshot.Reader
}

// Load restores the engine, which must be empty, from the newest snapshot
// that matches the stream and covers no more than until (0: any). Each
// one it refuses — of another archive, damaged, cut short, ahead of the
// stream, of another version — is told to Warn in one line naming why;
// the views are then rebuilt from the stream (CatchUp), never answered
// from a wrong snapshot. It fails only when the stream cannot be read.
func (p *Projector) Load(ctx context.Context, until uint64) error {
	if p.cfg.NoSnapshots {
		return nil
	}
	info, err := p.a.Info(ctx)
	if err != nil {
		return err
	}
	var cands []candidate
	var refused []string
	for _, src := range p.sources() {
		c, err := p.candidate(ctx, src, info)
		switch {
		case errors.Is(err, os.ErrNotExist):
		case err != nil:
			refused = append(refused, fmt.Sprintf("snapshot %s refused: %v", src.where, err))
		case until > 0 && c.rd.Header().Seq > until:
			closeRead(c.rc)
		default:
			cands = append(cands, c)
		}
	}
	slices.SortStableFunc(cands, func(a, b candidate) int { return cmp.Compare(b.rd.Header().Seq, a.rd.Header().Seq) })
	loaded := ""
	for _, c := range cands {
		if loaded == "" {
			if err := p.restore(ctx, c.rd); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				refused = append(refused, fmt.Sprintf("snapshot %s refused: %v", c.where, err))
				p.eng.Reset()
			} else {
				loaded = c.where
				p.restored, p.from = c.rd.Header().Seq, c.where
			}
		}
		closeRead(c.rc)
	}
	then := "the views are rebuilt from the stream"
	if loaded != "" {
		then = "restored from " + loaded + " instead"
	}
	for _, r := range refused {
		p.cfg.Warn(r + "; " + then)
	}
	p.refused = len(refused) > 0
	return nil
}

// closeRead closes a snapshot read from: nothing read is lost.
func closeRead(rc io.Closer) { _ = rc.Close() } // read only: nothing is lost

// candidate opens a snapshot and checks its header against the stream.
func (p *Projector) candidate(ctx context.Context, src source, info archive.Info) (candidate, error) {
	rc, err := src.open(ctx)
	if err != nil {
		return candidate{}, err
	}
	rd, err := snapshot.NewReader(rc)
	if err == nil {
		err = p.check(ctx, rd.Header(), info)
	}
	if err != nil {
		closeRead(rc)
		return candidate{}, err
	}
	return candidate{where: src.where, rc: rc, rd: rd}, nil
}

// check refuses a snapshot of another stream, one ahead of the stream,
// and one whose chain value differs from the stream's at its sequence.
func (p *Projector) check(ctx context.Context, h snapshot.Header, info archive.Info) error {
	if h.Stream != p.a.StreamName() {
		return fmt.Errorf("%w: it is of stream %s, not %s", archive.ErrOtherArchive, h.Stream, p.a.StreamName())
	}
	if h.Seq > info.LastSeq {
		return fmt.Errorf("%w: it covers seq %d, the stream ends at seq %d", ErrAhead, h.Seq, info.LastSeq)
	}
	if h.ChainSeq == 0 {
		return nil
	}
	rec, err := p.a.Get(ctx, h.ChainSeq)
	if err != nil {
		return fmt.Errorf("its record at seq %d cannot be read: %w", h.ChainSeq, err)
	}
	if rec.Chain != h.Chain {
		return fmt.Errorf("%w: the stream's record at seq %d has another chain value: the snapshot is of another archive", archive.ErrOtherArchive, h.ChainSeq)
	}
	return nil
}

// restore reads a checked snapshot into the engine.
func (p *Projector) restore(ctx context.Context, rd *snapshot.Reader) error {
	h := rd.Header()
	m := p.meter(PhaseSnapshot)
	err := rd.Restore(ctx, p.eng, p.cfg.Workers, func(done int) { m.tell(done, h.Records) })
	m.end()
	if err != nil {
		return err
	}
	p.chain, p.chainSeq, p.saved = h.Chain, h.ChainSeq, h.Seq
	return nil
}

// Save writes a snapshot of the engine, unless the newest one written or
// loaded already covers as much: atomically to the data dir, then, on a
// server of one's own, to the Object Store bucket. lock, if set, is held
// while the engine is written out (serve's read lock: answers go on,
// folding waits); the upload happens after.
func (p *Projector) Save(ctx context.Context, lock sync.Locker) error {
	if p.cfg.NoSnapshots {
		return nil
	}
	path := Path(p.a.DataDir(), p.a.StreamName())
	if lock != nil {
		lock.Lock()
	}
	h := snapshot.Header{Stamp: snapshot.Stamp{Stream: p.a.StreamName(), Seq: p.eng.LastSeq(), ChainSeq: p.chainSeq, Chain: p.chain}}
	fresh := h.Seq > 0 && h.Seq != p.saved
	var err error
	if fresh {
		err = writeFile(path, func(w io.Writer) error {
			_, err := snapshot.Write(w, h, p.eng)
			return err
		})
	}
	if lock != nil {
		lock.Unlock()
	}
	if !fresh || err != nil {
		return err
	}
	p.saved = h.Seq
	if p.a.Shared() {
		return p.upload(ctx, path, h)
	}
	return nil
}

// upload puts the snapshot file at path into the bucket.
func (p *Projector) upload(ctx context.Context, path string, h snapshot.Header) error {
	obs, err := p.a.ObjectStore(ctx, SnapshotBucket, "Storyline views' snapshots (a cache; the stream is the truth)", true)
	if err != nil {
		return fmt.Errorf("snapshot not shared: %w", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("snapshot not shared: %w", err)
	}
	defer closeRead(f)
	meta := jetstream.ObjectMeta{Name: p.a.StreamName(), Description: "views up to seq " + strconv.FormatUint(h.Seq, 10),
		Metadata: map[string]string{"seq": strconv.FormatUint(h.Seq, 10), "chain": h.Chain}}
	if _, err := obs.Put(ctx, meta, f); err != nil {
		return fmt.Errorf("snapshot not shared: %w", err)
	}
	return nil
}

// writeFile writes path atomically: a temporary file beside it, synced,
// renamed over it, the directory synced. A process killed while writing
// leaves the previous file whole (and a temporary file, removed by a
// later write once it is an hour old).
func writeFile(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	f, err := os.CreateTemp(dir, filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	err = write(f)
	err = errors.Join(err, f.Sync(), f.Close())
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		_ = os.Remove(f.Name()) // a leftover temporary file; the error below is what matters
		return fmt.Errorf("snapshot %s: %w", path, err)
	}
	removeStale(dir)
	return syncDir(dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	return errors.Join(d.Sync(), d.Close())
}

// removeStale removes the temporary files of writers killed an hour ago
// or more.
func removeStale(dir string) {
	tmps, _ := filepath.Glob(filepath.Join(dir, "*.tmp")) // only a bad pattern fails
	for _, t := range tmps {
		if fi, err := os.Stat(t); err == nil && time.Since(fi.ModTime()) > time.Hour {
			_ = os.Remove(t) // another process may have removed it first
		}
	}
}
