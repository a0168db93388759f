package main

import (
	"context"
	"fmt"
	"os"
	"sort"

	"storyline/archive"
	"storyline/events"
)

func (m *Main) runDemo(ctx context.Context, args []string) error {
	var g globalFlags
	fs := m.newFlagSet("demo", "demo [--data-dir DIR]")
	m.registerGlobal(fs, &g)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if g.dataDir == "" && g.natsURL == "" {
		// A scratch archive: the demo must work even while another story
		// process holds the default one, and must leave nothing behind.
		dir, err := os.MkdirTemp("", "storyline-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		g.dataDir = dir
	}
	evs, errs := m.loadFiles(nil)
	if len(errs) > 0 {
		return fmt.Errorf("demo: bundled story: %s", joinLines(errs))
	}
	a, err := m.open(ctx, &g)
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := a.Append(ctx, evs, m.progress("import"))
	if err != nil {
		return fmt.Errorf("demo: import: %w", err)
	}
	fmt.Fprintf(m.Stdout, "Imported the bundled story: %d events stored, %d already present.\n\n", res.Stored, res.Present)
	var recs []archive.Record
	if err := a.Records(ctx, 1, func(r archive.Record) error {
		if r.Err == nil {
			recs = append(recs, r)
		}
		return nil
	}); err != nil {
		return err
	}
	sort.SliceStable(recs, func(i, j int) bool {
		a, b := &recs[i].Event, &recs[j].Event
		if !a.OccurredAt.Equal(b.OccurredAt) {
			return a.OccurredAt.Before(b.OccurredAt)
		}
		if !a.ReportedAt.Equal(b.ReportedAt) {
			return a.ReportedAt.Before(b.ReportedAt)
		}
		return recs[i].Seq < recs[j].Seq
	})
	for _, r := range recs {
		if r.Event.Type == events.EntityDescribed {
			continue
		}
		fmt.Fprintf(m.Stdout, "%s  %-8s %s  [%s, %s]\n", r.Event.OccurredAt.Format("2006-01-02 15:04 MST"), r.Event.Precision, r.Event.Summary(), r.Event.Source.Outlet, r.Event.Source.Attribution)
	}
	return nil
}
