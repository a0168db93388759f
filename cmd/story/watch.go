package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"storyline/archive"
	"storyline/events"
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
	f := query.WatchFilter{Type: events.Type(*typ), Story: *story}
	if *entity != "" {
		if f.Entity, err = m.resolveEntity(ctx, a, *entity); err != nil {
			return err
		}
	}
	pr := replay.Printer{W: m.Stdout, Zone: q.zone.loc}
	return m.follow(ctx, a, *fromSeq, query.NewWatch(f), !*asJSON, func(s query.StepJSON) error {
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

// follow feeds w the archive's records — those stored before from (default:
// every one stored so far) to catch up, then each new one as it is stored —
// and shows what w shows of them, saying on stderr what it leaves out. With
// notice, it says first where it starts.
//
// Every new record must continue the hash chain of the records before it:
// a reconnect can land on another archive's server that took over the
// address, and its records do not.
func (m *Main) follow(ctx context.Context, a *archive.Archive, from uint64, w *query.Watch, notice bool, show func(query.StepJSON) error) error {
	info, err := a.Info(ctx)
	if err != nil {
		return err
	}
	start := from
	if start == 0 {
		start = info.LastSeq + 1
	}
	var chain string // of the newest record read
	if err := a.Records(ctx, 1, func(r archive.Record) error {
		if r.Seq >= start {
			return errStopRead
		}
		chain = cmp.Or(r.Chain, chain)
		w.Before(r.ForScreen())
		return nil
	}); err != nil && !errors.Is(err, errStopRead) {
		return err
	}
	if notice {
		fmt.Fprintf(m.Stderr, "watching from seq %d (Ctrl-C to stop)\n", start)
		if start > info.LastSeq+1 {
			fmt.Fprintf(m.Stderr, "the archive ends at seq %d: nothing is shown until seq %d is stored\n", info.LastSeq, start)
		}
	}
	shown := start - 1
	return a.Watch(ctx, start, func(r archive.Record) error {
		if r.Chain != "" {
			if archive.Chain(chain, r.Data) != r.Chain {
				return fmt.Errorf("watch: %w: seq %d does not continue the hash chain of the records before it: the server now answering is serving another archive (or the record is forged); stopped after seq %d",
					archive.ErrOtherArchive, r.Seq, shown)
			}
			chain = r.Chain
		}
		shown = r.Seq
		steps, q := w.Next(r.ForScreen())
		if q != nil {
			fmt.Fprintf(m.Stderr, "seq %d: quarantined (%s): %s\n", r.Seq, q.Class, q.Reason)
		}
		for _, s := range steps {
			if err := show(s); err != nil {
				return err
			}
		}
		return nil
	})
}

var errStopRead = errors.New("stop")
