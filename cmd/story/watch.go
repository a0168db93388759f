package main

import (
	"context"
	"encoding/json"
	"fmt"

	"storyline/archive"
	"storyline/events"
	"storyline/projector"
	"storyline/quarantine"
	"storyline/query"
	"storyline/replay"
)

func (m *Main) runWatch(ctx context.Context, args []string) (err error) {
	var g globalFlags
	fs := m.newFlagSet("watch", "watch [--entity E] [--type T] [--from-seq N] [--json]")
	m.registerGlobal(fs, &g)
	entity := fs.String("entity", "", "only events naming this entity (id, alias or prefix) anywhere")
	typ := fs.String("type", "", "only events of this type")
	story := fs.String("story", "", "only events of this story (filed before them, as import --story does)")
	fromSeq := fs.Uint64("from-seq", 0, "start at this stream sequence (default: only new events)")
	asJSON := fs.Bool("json", false, "one event per line as JSON, with its seq")
	var q queryFlags
	fs.Var(&q.zone, "tz", "show times in this zone: PT, HKT, +08:00, Asia/Shanghai (default $STORY_TZ, $TZ, the system's)")
	pos, err := parse(fs, args)
	q.zone.orZoneOf(m.localZone())
	if err != nil {
		return err
	}
	if err := argCount("watch", pos, 0, 0, "no arguments"); err != nil {
		return err
	}
	if *typ != "" && !events.Type(*typ).Valid() {
		return usageErr(fmt.Sprintf("watch: --type %q is not an event type", *typ))
	}
	a, err := m.openChecked(ctx, &g)
	if err != nil {
		return err
	}
	defer closing(a, &err)
	p, start, err := m.watchViews(ctx, a, *fromSeq)
	if err != nil {
		return err
	}
	f := query.WatchFilter{Type: events.Type(*typ), Story: *story}
	if *entity != "" {
		if f.Entity, err = m.resolveEntity(ctx, a, p, *entity); err != nil {
			return err
		}
	}
	pr := replay.Printer{W: m.Stdout, Zone: q.zone.loc}
	return m.follow(ctx, a, p, start, query.WatchOver(p.Engine(), f), !*asJSON, func(s query.StepJSON) error {
		if !*asJSON {
			return pr.Live(s.Line())
		}
		// The same line as replay --json: the event, its summary and the
		// view changes it caused.
		b, err := json.Marshal(s)
		if err != nil {
			return fmt.Errorf("watch: seq %d: %w", s.Item.Seq, err)
		}
		_, err = m.Stdout.Write(append(b, '\n'))
		return err
	})
}

// watchViews returns the views as they stood before the watch starts —
// the records stored before from (default: every one stored so far) —
// and the sequence it starts at.
func (m *Main) watchViews(ctx context.Context, a *archive.Archive, from uint64) (*projector.Projector, uint64, error) {
	info, err := a.Info(ctx)
	if err != nil {
		return nil, 0, err
	}
	start := from
	if start == 0 {
		start = info.LastSeq + 1
	}
	p := projector.New(a, query.NewEngine(), m.projectorConfig())
	if start == 1 {
		return p, start, nil
	}
	if err := p.Build(ctx, start-1); err != nil {
		return nil, 0, err
	}
	return p, start, nil
}

// resolveEntity turns an alias or prefix into an entity id, as the
// archive's views (p's, or all of them when p's end before the archive's)
// name entities.
func (m *Main) resolveEntity(ctx context.Context, a *archive.Archive, p *projector.Projector, input string) (string, error) {
	info, err := a.Info(ctx)
	if err != nil {
		return "", err
	}
	eng := p.Engine()
	if eng.LastSeq() < info.LastSeq {
		whole, err := projector.Build(ctx, a, m.projectorConfig())
		if err != nil {
			return "", err
		}
		eng = whole.Engine()
	}
	id, err := eng.Resolve(input)
	if err != nil {
		return "", usageErr(err.Error())
	}
	return id, nil
}

// follow feeds w each record stored from start on, as it is stored, and
// shows what w shows of them, saying on stderr what it leaves out. With
// notice, it says first where it starts. w's views hold p's, the records
// before start.
//
// Every new record must continue the hash chain of the records before it:
// a reconnect can land on another archive's server that took over the
// address, and its records do not.
func (m *Main) follow(ctx context.Context, a *archive.Archive, p *projector.Projector, start uint64, w *query.Watch, notice bool, show func(query.StepJSON) error) error {
	if notice {
		info, err := a.Info(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stderr, "watching from seq %d (Ctrl-C to stop)\n", start)
		if start > info.LastSeq+1 {
			fmt.Fprintf(m.Stderr, "the archive ends at seq %d: nothing is shown until seq %d is stored\n", info.LastSeq, start)
		}
	}
	chain := p.Chain() // of the newest record read
	shown := start - 1
	return projector.Read{From: start, Follow: true}.Run(ctx, a, func(ds []projector.Decoded) error {
		for _, d := range ds {
			if d.Chain != "" {
				if archive.Chain(chain, d.Data) != d.Chain {
					return fmt.Errorf("watch: %w: seq %d does not continue the hash chain of the records before it: the server now answering is serving another archive (or the record is forged); stopped after seq %d",
						archive.ErrOtherArchive, d.Seq, shown)
				}
				chain = d.Chain
			}
			shown = d.Seq
			if err := m.show(w, d.Record, show); err != nil {
				return err
			}
		}
		return nil
	})
}

// show folds r into w and shows what w shows of it.
func (m *Main) show(w *query.Watch, r quarantine.Record, show func(query.StepJSON) error) error {
	steps, q := w.Next(r)
	if q != nil {
		fmt.Fprintf(m.Stderr, "seq %d: quarantined (%s): %s\n", r.Seq, q.Class, q.Reason)
	}
	for _, s := range steps {
		if err := show(s); err != nil {
			return err
		}
	}
	return nil
}
