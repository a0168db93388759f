package projector

import (
	"context"
	"fmt"
	"time"

	"storyline/archive"
	"storyline/events"
	"storyline/query"
)

// Config says how a projector reads, where it keeps snapshots and whom it
// tells what. The zero value of each field means its default.
type Config struct {
	// Workers decode records and snapshot chunks at once (0: one per
	// core).
	Workers int
	// NoSnapshots neither loads nor writes snapshots.
	NoSnapshots bool
	// SaveAfter: Build writes a snapshot when its fold took longer than
	// this. Default one second.
	SaveAfter time.Duration
	// Warn is told in one line why a snapshot was refused or could not be
	// written. Default: nobody.
	Warn func(msg string)
	// Progress, if set, is told how a long load or fold goes: first after
	// two seconds, then every ProgressEvery (default 250 ms), and once at
	// its end.
	Progress      func(Progress)
	ProgressEvery time.Duration
	// Gapless: a sequence missing from a catch-up is archive.ErrCorrupt
	// (one-shot commands; serve starts only on an archive that passed its
	// check).
	Gapless bool
}

// Projector folds an archive's records into a query engine, in stream
// order: the one path from records to views. It is not safe for
// concurrent use; serve calls it from its projector goroutine and guards
// the engine with its own lock (see Apply and Save).
type Projector struct {
	a        *archive.Archive
	cfg      Config
	eng      *query.Engine
	chain    string // the newest chain value applied,
	chainSeq uint64 // and its record's sequence
	saved    uint64 // the sequence of the newest snapshot written or loaded
	refused  bool   // Load refused a snapshot
	// restored and from: the sequence of the snapshot Load restored, and
	// where it was read (a file's path, or "bucket STORY_SNAPSHOTS").
	restored uint64
	from     string
}

// New returns a projector folding a's records into eng, which must be
// empty.
func New(a *archive.Archive, eng *query.Engine, cfg Config) *Projector {
	if cfg.SaveAfter <= 0 {
		cfg.SaveAfter = time.Second
	}
	if cfg.ProgressEvery <= 0 {
		cfg.ProgressEvery = 250 * time.Millisecond
	}
	if cfg.Warn == nil {
		cfg.Warn = func(string) {}
	}
	return &Projector{a: a, cfg: cfg, eng: eng}
}

// Engine is the engine the projector folds into.
func (p *Projector) Engine() *query.Engine { return p.eng }

// Chain is the chain value of the newest record applied that carries one
// ("" if none does).
func (p *Projector) Chain() string { return p.chain }

// Saved is the last sequence of the newest snapshot the projector wrote
// or loaded (0: none).
func (p *Projector) Saved() uint64 { return p.saved }

// Restored is the last sequence of the snapshot Load restored the views
// from and where it read it: a file's path or "bucket STORY_SNAPSHOTS"
// (0 and "": none, the views were folded from the stream's start).
func (p *Projector) Restored() (seq uint64, from string) { return p.restored, p.from }

// Step is one record as Apply folded it.
type Step struct {
	Seq   uint64
	Event *events.Event // the event the views admitted; nil: quarantined
}

// Batch is what one Apply folded in: a step per record, and the keys of
// the "now" views they may have changed (see query.Engine.ApplyRecord),
// each once.
type Batch struct {
	Steps []Step
	Keys  []string
}

// Apply folds ds into the engine, in order, screening each record, and
// says what it did. A record at or below the engine's last sequence was
// applied already (a redelivery) and is skipped. Whoever answers from the
// engine meanwhile must hold a lock around Apply.
func (p *Projector) Apply(ds []Decoded) Batch {
	var b Batch
	if len(ds) > 0 && ds[0].Seq == 1 && p.eng.LastSeq() == 0 {
		// A rebuild from empty: room for the stream's records at once.
		p.eng.Grow(1 + ds[0].Pending)
	}
	seen := map[string]bool{}
	for i := range ds {
		d := &ds[i]
		if d.Seq <= p.eng.LastSeq() {
			continue
		}
		for _, k := range p.eng.ApplyRecord(d.Record) {
			if !seen[k] {
				seen[k] = true
				b.Keys = append(b.Keys, k)
			}
		}
		st := Step{Seq: d.Seq, Event: d.Event}
		if st.Event != nil && p.eng.IsQuarantined(d.Seq) {
			st.Event = nil
		}
		b.Steps = append(b.Steps, st)
		if d.Chain != "" {
			p.chain, p.chainSeq = d.Chain, d.Seq
		}
	}
	return b
}

// applyAll is the fold of a projector no one else reads while it folds.
func (p *Projector) applyAll(ds []Decoded) error {
	p.Apply(ds)
	return nil
}

// CatchUp folds every record after the engine's last sequence up to the
// stream's end as it stands (or up to until, when not 0) through fold,
// which must call Apply (nil: Apply alone). It reports its progress.
func (p *Projector) CatchUp(ctx context.Context, until uint64, fold func([]Decoded) error) error {
	if fold == nil {
		fold = p.applyAll
	}
	from := p.eng.LastSeq() + 1
	m := p.meter(PhaseStream)
	err := Read{From: from, Until: until, Gapless: p.cfg.Gapless, Workers: p.cfg.Workers}.Run(ctx, p.a, func(ds []Decoded) error {
		if err := fold(ds); err != nil {
			return err
		}
		last := ds[len(ds)-1]
		m.tell(int(last.Seq-from+1), int(last.Seq+last.Pending-from+1))
		return nil
	})
	m.end()
	return err
}

// Follow folds records through fold as they are stored, from the one
// after the engine's last sequence, until ctx ends or fold fails.
func (p *Projector) Follow(ctx context.Context, fold func([]Decoded) error) error {
	if fold == nil {
		fold = p.applyAll
	}
	return Read{From: p.eng.LastSeq() + 1, Follow: true, Workers: p.cfg.Workers}.Run(ctx, p.a, fold)
}

// Build returns a projector holding the views of all of a (see
// Projector.Build).
func Build(ctx context.Context, a *archive.Archive, cfg Config) (*Projector, error) {
	p := New(a, query.NewEngine(), cfg)
	if err := p.Build(ctx, 0); err != nil {
		return nil, err
	}
	return p, nil
}

// Build brings the engine, which must be empty, up to until (0: the
// stream's end): restored from the newest snapshot that matches the
// stream, with the records after it folded in. When that fold took longer
// than cfg.SaveAfter, or a snapshot was refused, it writes a snapshot, so
// the next command starts from there.
func (p *Projector) Build(ctx context.Context, until uint64) error {
	if err := p.Load(ctx, until); err != nil {
		return err
	}
	t0 := time.Now()
	if err := p.CatchUp(ctx, until, nil); err != nil {
		return err
	}
	if time.Since(t0) > p.cfg.SaveAfter || p.refused {
		if err := p.Save(ctx, nil); err != nil {
			p.cfg.Warn(fmt.Sprintf("no snapshot written: %v", err))
		}
	}
	return nil
}
