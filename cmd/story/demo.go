package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"time"

	"storyline/events"
	"storyline/projections"
	"storyline/query"
	"storyline/replay"
)

func (m *Main) runDemo(ctx context.Context, args []string) error {
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
		dir, err := os.MkdirTemp("", "storyline-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		g.dataDir = dir
	}
	ins, errs := m.loadFiles(nil)
	if len(errs) > 0 {
		return fmt.Errorf("demo: bundled story: %s", joinLines(errs))
	}
	a, err := m.open(ctx, &g)
	if err != nil {
		return err
	}
	evs, errs := settleInputs(ctx, a, ins, false)
	if len(errs) > 0 {
		a.Close()
		return fmt.Errorf("demo: bundled story: %s", joinLines(errs))
	}
	if evs, err = filed(bundledStory(), evs); err != nil {
		a.Close()
		return fmt.Errorf("demo: %w", err)
	}
	res, err := a.Append(ctx, evs, m.progress("import"))
	if err != nil {
		a.Close()
		return fmt.Errorf("demo: import: %w", err)
	}
	fmt.Fprintf(m.Stdout, "Imported the bundled story into an embedded NATS JetStream archive: %d events stored, %d already present.\n", res.Stored, res.Present)
	eng, err := fold(ctx, a)
	a.Close()
	if err != nil {
		return err
	}
	x := eng.Index()
	steps := replay.Replay(x, replay.Options{})
	var times []time.Time
	for _, s := range steps {
		times = append(times, s.Event.OccurredAt)
	}
	p := replay.Pacer{MaxWait: 1500 * time.Millisecond}
	if *seconds > 0 {
		p.Speed = replay.SpeedFor(times, time.Duration(*seconds*float64(time.Second)), p.MaxWait)
	}
	fmt.Fprintf(m.Stdout, "Replaying %d events in the order they happened (story time, not storage time).\n\n", len(steps))
	q := &queryFlags{}
	q.zone.orZoneOf(m.localZone())
	for i, s := range steps {
		if i > 0 {
			if err := p.Wait(ctx, times[i-1], times[i]); err != nil {
				return nil
			}
		}
		if s.Event.Type == events.EntityDescribed {
			continue
		}
		b, _ := json.Marshal(query.StepJSON{Item: projections.TimelineItem{Seq: s.Seq, Event: s.Event, Summary: s.Summary, OutletName: x.OutletName(s.Event)}, Changes: s.Changes})
		var sj stepJSON
		json.Unmarshal(b, &sj)
		m.printStep(q, sj)
	}
	// End on the most-changed board and the most-mentioned person, now.
	org, person := busiest(x)
	now := time.Now()
	fmt.Fprintln(m.Stdout)
	for _, r := range []query.Request{{View: "board", Org: org, At: now, KnownAt: now}, {View: "status", Person: person, At: now, KnownAt: now}} {
		v, err := eng.Answer(r)
		if err != nil {
			return err
		}
		raw, _ := json.Marshal(v)
		if r.View == "board" {
			printBoard(m, q, raw)
		} else {
			fmt.Fprintln(m.Stdout)
			printStatus(m, q, raw)
		}
	}
	fmt.Fprintln(m.Stdout, "\nTry: story board --org <org> --at \"<time>\" --known-at \"<time>\" (after `story import`), story replay, story serve.")
	return nil
}

// busiest returns the org with the most board events and the person named
// by the most events.
func busiest(x *projections.Index) (org, person string) {
	seat := map[string]int{}
	people := map[string]int{}
	for _, en := range x.All() {
		switch d := en.Event.Data.(type) {
		case *events.SeatTaken:
			seat[d.Org]++
		case *events.SeatLeft:
			seat[d.Org]++
		}
		for _, id := range en.Event.Entities() {
			if e, ok := x.Names().Entity(id); ok && e.Kind == events.Person {
				people[id]++
			}
		}
	}
	return top(seat), top(people)
}

func top(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	if len(keys) == 0 {
		return ""
	}
	return keys[0]
}
