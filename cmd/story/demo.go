package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"storyline/events"
	"storyline/query"
	"storyline/replay"
)

func (m *Main) runDemo(ctx context.Context, args []string) (err error) {
	var g globalFlags
	fs := m.newFlagSet("demo", "demo [--seconds N] [--data-dir DIR]")
	m.registerGlobal(fs, &g)
	seconds := fs.Float64("seconds", 60, "how long the replay takes (0: no pauses)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := argCount("demo", pos, 0, 0, "no arguments"); err != nil {
		return err
	}
	if *seconds < 0 {
		return usageErr(fmt.Sprintf("demo: --seconds %v: want 0 (no pauses) or more", *seconds))
	}
	if g.dataDir == "" && g.natsURL == "" {
		// A scratch archive: the demo must work even while another story
		// process holds the default one, and must leave nothing behind.
		dir, terr := os.MkdirTemp("", "storyline-demo-")
		if terr != nil {
			return terr
		}
		defer func() {
			if rerr := os.RemoveAll(dir); rerr != nil && err == nil {
				err = fmt.Errorf("demo: removing the scratch archive: %w", rerr)
			}
		}()
		g.dataDir = dir
	}
	eng, err := m.importBundled(ctx, &g)
	if err != nil {
		return err
	}
	return m.tour(ctx, eng, time.Duration(*seconds*float64(time.Second)))
}

// importBundled imports the bundled story into the archive and folds it.
func (m *Main) importBundled(ctx context.Context, g *globalFlags) (_ *query.Engine, err error) {
	ins, errs := m.loadFiles(nil)
	if len(errs) > 0 {
		return nil, fmt.Errorf("demo: bundled story: %s", joinLines(errs))
	}
	a, err := m.open(ctx, g)
	if err != nil {
		return nil, err
	}
	defer closing(a, &err)
	evs, errs := settleInputs(ctx, a, ins, false)
	if len(errs) > 0 {
		return nil, fmt.Errorf("demo: bundled story: %s", joinLines(errs))
	}
	if evs, err = filed(bundledStory(), evs); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	res, err := a.Append(ctx, evs, m.progress("import"))
	if err != nil {
		return nil, fmt.Errorf("demo: import: %w", err)
	}
	fmt.Fprintf(m.Stdout, "Imported the bundled story into an embedded NATS JetStream archive: %d events stored, %d already present.\n", res.Stored, res.Present)
	return m.fold(ctx, a)
}

// tour replays the whole story in the order it happened, in about budget
// (0: at once), and ends on its highlights as they stand now.
func (m *Main) tour(ctx context.Context, eng *query.Engine, budget time.Duration) error {
	x := eng.Index()
	steps := replay.Replay(x, replay.Options{})
	lines := make([]replay.Line, len(steps))
	times := make([]time.Time, len(steps))
	for i, s := range steps {
		lines[i], times[i] = replay.LineOf(s, x.OutletName(s.Event)), s.Event.OccurredAt
	}
	p := replay.Pacer{MaxWait: 1500 * time.Millisecond}
	if budget > 0 {
		p.Speed = replay.SpeedFor(times, budget, p.MaxWait)
	}
	fmt.Fprintf(m.Stdout, "Replaying %d events in the order they happened (story time, not storage time).\n\n", len(steps))
	q := &queryFlags{}
	q.zone.orZoneOf(m.localZone())
	pr := replay.Printer{W: m.Stdout, Zone: q.zone.loc}
	err := p.Play(ctx, replay.ByOccurred, time.Time{}, time.Time{}, lines, func(i int) error {
		if steps[i].Event.Type == events.EntityDescribed {
			return nil
		}
		return pr.Step(lines[i])
	})
	if ctx.Err() != nil {
		return nil // Ctrl-C ends the demo where it is
	}
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintln(m.Stdout)
	for _, r := range eng.Highlights(time.Now()) {
		v, err := eng.Answer(r)
		if err != nil {
			return fmt.Errorf("demo: %s: %w", r.View, err)
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("demo: %s: %w", r.View, err)
		}
		printer := printBoard
		if r.View == "status" {
			fmt.Fprintln(m.Stdout)
			printer = printStatus
		}
		if err := printer(m, q, raw); err != nil {
			return fmt.Errorf("demo: %s: %w", r.View, err)
		}
	}
	fmt.Fprintln(m.Stdout, "\nTry: story board --org <org> --at \"<time>\" --known-at \"<time>\" (after `story import`), story replay, story serve.")
	return nil
}
