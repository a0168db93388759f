package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"storyline/query"
	"storyline/replay"
)

func (m *Main) runReplay(ctx context.Context, args []string) error {
	var g globalFlags
	var q queryFlags
	fs := m.newFlagSet("replay", "replay [--from T0] [--until T1] [--by occurred|reported] [--known-at K] [--speed X | --step] [--json]")
	m.registerGlobal(fs, &g)
	fs.Var(&q.from, "from", "start at this moment (on the --by clock)")
	fs.Var(&q.until, "until", "stop at this moment")
	fs.Var(&q.knownAt, "known-at", "only what was reported by then (default now)")
	fs.StringVar(&q.by, "by", "occurred", "occurred: the world's order; reported: the order the public learned it")
	fs.StringVar(&q.story, "story", "", "only this story's events (see story stories)")
	fs.Var(&q.zone, "tz", "show times in this zone: PT, HKT, +08:00, Asia/Shanghai (default: the zone of --until, --from or --known-at, else $STORY_TZ, $TZ, the system's)")
	fs.BoolVar(&q.asJSON, "json", false, "one event per line as JSON (the event format plus seq and changes)")
	speed := fs.Float64("speed", 0, "pace by the story's clock: X story-seconds per second (3600 tells a day in 24 s)")
	maxGap := fs.Duration("max-gap", 0, "with --speed, never wait longer than this between two events, e.g. 2s to skip quiet stretches (default: no cap)")
	step := fs.Bool("step", false, "wait for Enter before each event")
	loc := m.localZone()
	inZone(loc, &q.from, &q.until, &q.knownAt)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := argCount("replay", pos, 0, 0, "no arguments"); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case set["speed"] && !(*speed > 0):
		return usageErr(fmt.Sprintf("replay: --speed %v: want story-seconds per second above 0 (3600 tells a day in 24 s)", *speed))
	case *maxGap < 0:
		return usageErr(fmt.Sprintf("replay: --max-gap %v: want 0 (no cap) or more", *maxGap))
	case set["speed"] && *step:
		return usageErr("replay: --speed and --step: choose one (pace by the story's clock, or by Enter)")
	}
	p := &replay.Pacer{Speed: *speed, MaxWait: *maxGap}
	if *step {
		p.Step = m.enter()
	}
	q.zone.orZoneOf(loc, &q.until, &q.from, &q.knownAt)
	req := query.ReplayRequest(query.Request{By: q.by, Story: q.story, From: q.from.t, Until: q.until.t, KnownAt: q.knownAt.t}, time.Now())
	return m.replay(ctx, &g, &q, req, p)
}

// replay asks for req's replay, shows it paced by p, and ends, in text,
// on the tables of the orgs it changed.
func (m *Main) replay(ctx context.Context, g *globalFlags, q *queryFlags, req query.Request, p *replay.Pacer) error {
	raw, err := m.ask(ctx, g, req)
	if err != nil {
		return m.queryErr("replay", err)
	}
	var steps []json.RawMessage
	var lines []replay.Line
	if err := errors.Join(json.Unmarshal(raw, &steps), json.Unmarshal(raw, &lines)); err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	pr := replay.Printer{W: m.Stdout, By: replay.Clock(req.By), Zone: q.zone.loc}
	err = p.Play(ctx, pr.By, req.From, req.Until, lines, func(i int) error {
		if q.asJSON {
			_, err := m.Stdout.Write(append(steps[i], '\n'))
			return err
		}
		return pr.Step(lines[i])
	})
	if ctx.Err() != nil {
		return nil // Ctrl-C ends a replay where it is
	}
	if err != nil || q.asJSON {
		return err
	}
	// End on where things stand: the boards and roles the replay touched.
	for _, r := range query.ReplayEnd(req, lines) {
		raw, err := m.ask(ctx, g, r)
		if err != nil {
			return m.queryErr(r.View, err)
		}
		fmt.Fprintln(m.Stdout)
		printer := printBoard
		if r.View == "roles" {
			printer = printRoles
		}
		if err := printer(m, q, raw); err != nil {
			return fmt.Errorf("replay: %s: %w", r.View, err)
		}
	}
	return nil
}

// enter paces a replay by the user: it waits for Enter (or the end of
// stdin).
func (m *Main) enter() func(context.Context) error {
	in := bufio.NewReader(m.Stdin)
	return func(context.Context) error {
		fmt.Fprint(m.Stderr, "[Enter] ")
		_, err := in.ReadString('\n')
		if err == io.EOF {
			return nil
		}
		return err
	}
}

func (m *Main) queryErr(view string, err error) error {
	if isBadQuery(err) {
		return usageErr(fmt.Sprintf("%s: %v", view, err))
	}
	return fmt.Errorf("%s: %w", view, err)
}
