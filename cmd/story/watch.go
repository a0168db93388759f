package main

import (
	"context"
	"encoding/json"
	"fmt"

	"storyline/archive"
	"storyline/events"
)

// recordJSON is the event format plus the stream sequence, as replay,
// timeline and watch print it with --json.
func recordJSON(seq uint64, e *events.Event) []byte {
	b := e.Canonical()
	return append(append([]byte(fmt.Sprintf(`{"seq":%d,`, seq)), b[1:]...), '\n')
}

func (m *Main) runWatch(ctx context.Context, args []string) error {
	var g globalFlags
	fs := m.newFlagSet("watch", "watch [--entity E] [--type T] [--from-seq N] [--json]")
	m.registerGlobal(fs, &g)
	entity := fs.String("entity", "", "only events naming this entity (id, alias or prefix) anywhere")
	typ := fs.String("type", "", "only events of this type")
	fromSeq := fs.Uint64("from-seq", 0, "start at this stream sequence (default: only new events)")
	asJSON := fs.Bool("json", false, "one event per line as JSON, with its seq")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *typ != "" && !events.Type(*typ).Valid() {
		return usageErr(fmt.Sprintf("watch: --type %q is not an event type", *typ))
	}
	a, err := m.open(ctx, &g)
	if err != nil {
		return err
	}
	defer a.Close()
	want := *entity
	if want != "" {
		if want, err = m.resolveEntity(ctx, a, want); err != nil {
			return err
		}
	}
	if *fromSeq == 0 && !*asJSON {
		fmt.Fprintln(m.Stderr, "watching for new events (Ctrl-C to stop)")
	}
	return a.Watch(ctx, *fromSeq, func(r archive.Record) error {
		if r.Err != nil {
			fmt.Fprintf(m.Stderr, "seq %d: quarantined: %v\n", r.Seq, r.Err)
			return nil
		}
		e := &r.Event
		if *typ != "" && string(e.Type) != *typ {
			return nil
		}
		if want != "" && !names(e, want) {
			return nil
		}
		if *asJSON {
			_, err := m.Stdout.Write(recordJSON(r.Seq, e))
			return err
		}
		_, err := fmt.Fprintf(m.Stdout, "%6d  %s  %s  [%s]\n", r.Seq, e.OccurredAt.Format("2006-01-02 15:04 MST"), e.Summary(), e.Source.Outlet)
		return err
	})
}

func names(e *events.Event, entity string) bool {
	for _, x := range e.Entities() {
		if x == entity {
			return true
		}
	}
	return false
}

var _ = json.Valid
