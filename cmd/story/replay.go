package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"sort"
	"time"

	"storyline/query"
	"storyline/replay"
)

// stepJSON is a replay step as the query engine encodes it.
type stepJSON struct {
	eventLine
	Changes []replay.Change `json:"changes"`
}

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
	req := query.Request{View: "replay", By: q.by, Story: q.story, From: q.from.t, Until: q.until.t, KnownAt: q.knownAt.t}
	if req.KnownAt.IsZero() {
		req.KnownAt = time.Now()
		// Replayed on the reported clock up to T, the story is what the
		// public knew at T; the closing tables must say the same.
		if q.by == "reported" && q.until.set {
			req.KnownAt = q.until.t
		}
	}
	raw, err := m.ask(ctx, &g, req)
	if err != nil {
		return m.queryErr("replay", err)
	}
	var steps []stepJSON
	if err := json.Unmarshal(raw, &steps); err != nil {
		return err
	}
	var raws []json.RawMessage
	json.Unmarshal(raw, &raws)
	q.zone.orZoneOf(loc, &q.until, &q.from, &q.knownAt)
	p := replay.Pacer{Speed: *speed, MaxWait: *maxGap}
	if *step {
		in := bufio.NewReader(m.Stdin)
		p.Step = func(ctx context.Context) error {
			fmt.Fprint(m.Stderr, "[Enter] ")
			_, err := in.ReadString('\n')
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
	orgs := map[string]bool{}
	moments := make([]time.Time, len(steps))
	for i, s := range steps {
		moments[i] = clockTime(s.eventLine, q.by)
	}
	err = p.Run(ctx, q.from.t, q.until.t, moments, func(i int) error {
		s := steps[i]
		for _, c := range s.Changes {
			if c.View == "board" || c.View == "roles" {
				orgs[c.Key] = true
			}
		}
		if q.asJSON {
			_, err := m.Stdout.Write(append(raws[i], '\n'))
			return err
		}
		m.printStep(&q, s)
		return nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil // Ctrl-C ends a replay where it is
		}
		return err
	}
	if q.asJSON || len(steps) == 0 {
		return nil
	}
	// End on where things stand: the boards and roles the replay touched,
	// at its last moment, as known then.
	end := clockTime(steps[len(steps)-1].eventLine, q.by)
	if q.until.set {
		end = q.until.t
	}
	keys := make([]string, 0, len(orgs))
	for o := range orgs {
		keys = append(keys, o)
	}
	sort.Strings(keys)
	for _, org := range keys {
		for _, view := range []string{"board", "roles"} {
			raw, err := m.ask(ctx, &g, query.Request{View: view, Org: org, At: end, KnownAt: req.KnownAt})
			if err != nil {
				return m.queryErr(view, err)
			}
			fmt.Fprintln(m.Stdout)
			if view == "board" {
				printBoard(m, &q, raw)
			} else {
				printRoles(m, &q, raw)
			}
		}
	}
	return nil
}

func clockTime(e eventLine, by string) time.Time {
	s := e.OccurredAt
	if by == "reported" {
		s = e.ReportedAt
	}
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

func (m *Main) printStep(q *queryFlags, s stepJSON) {
	ts, prec := s.OccurredAt, s.Precision
	if q.by == "reported" {
		ts, prec = s.ReportedAt, ""
	}
	fmt.Fprintf(m.Stdout, "%-26s %s  [%s, %s]\n", when(q, ts, prec), s.Summary, s.outlet(), s.Source.Attribution)
	for _, c := range s.Changes {
		fmt.Fprintf(m.Stdout, "%-26s   ↳ %s\n", "", c.Text)
	}
}

func (m *Main) queryErr(view string, err error) error {
	if isBadQuery(err) {
		return usageErr(fmt.Sprintf("%s: %v", view, err))
	}
	return fmt.Errorf("%s: %w", view, err)
}
