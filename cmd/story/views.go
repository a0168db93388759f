package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"storyline/table"
	"time"

	"storyline/archive"
	"storyline/events"
	"storyline/quarantine"
	"storyline/query"
	"storyline/server"
)

// viewCommands are the query commands over the views.
var viewCommands = map[string]command{
	"board":    {viewCmd("board", "board --org ORG", printBoard), "the board of an org at (--at, --known-at)"},
	"roles":    {viewCmd("roles", "roles --org ORG", printRoles), "who holds each role of an org"},
	"status":   {viewCmd("status", "status PERSON", printStatus), "a person's positions, announcements and recent events"},
	"timeline": {viewCmd("timeline", "timeline [--entity E] [--type T] [--by occurred|reported]", printTimeline), "the events in order by either clock"},
	"claims":   {viewCmd("claims", "claims [--entity E] [--outlet O]", printClaims), "claims, their outcome and lead time"},
	"sources":  {viewCmd("sources", "sources", printSources), "per outlet: reports, claims confirmed/refuted, median lead time"},
	"stakes":   {viewCmd("stakes", "stakes --org ORG", printStakes), "who holds what in an org"},
	"diff":     {viewCmd("diff", "diff --from T1 --to T2", printDiff), "what changed in every view between two moments"},
	"stories":  {viewCmd("stories", "stories", printStories), "the stories of the archive, with their counts and time spans"},
}

// queryFlags are the flags of every query command.
type queryFlags struct {
	at, knownAt, from, until, to, asRecorded timeFlag
	org, entity, typ, by, outlet, story      string
	zone                                     zoneFlag
	limit                                    int
	asJSON, asCSV                            bool
}

func registerQuery(fs *flag.FlagSet, q *queryFlags, view string) {
	fs.Var(&q.at, "at", "valid time T: the world at this moment (default now)")
	fs.Var(&q.knownAt, "known-at", "knowledge time K: only what was reported by then (default now)")
	if view != "stories" {
		fs.StringVar(&q.story, "story", "", "only this story's events (see story stories); entities are shared")
	}
	fs.Var(&q.asRecorded, "as-recorded", "audit: the archive as it stood at this moment (records stored by then; later errata not applied)")
	fs.BoolVar(&q.asJSON, "json", false, "print JSON")
	if _, ok := table.Views[view]; ok {
		fs.BoolVar(&q.asCSV, "csv", false, "print CSV: a header row, one row per row of the table, times in the display zone")
	}
	fs.Var(&q.zone, "tz", "show times in this zone: PT, HKT, +08:00, Asia/Shanghai (default: the zone of --at, else of --known-at, else $STORY_TZ, $TZ, the system's)")
	switch view {
	case "board", "roles", "stakes":
		fs.StringVar(&q.org, "org", "", "organisation: id, alias or unambiguous prefix (required)")
	case "sources":
		fs.StringVar(&q.outlet, "outlet", "", "only this outlet: id, name, alias, any word of one, or a prefix")
	case "timeline", "claims":
		fs.StringVar(&q.entity, "entity", "", "only events naming this entity")
		fs.StringVar(&q.outlet, "outlet", "", "only this outlet: id, name, alias, any word of one, or a prefix")
		if view == "timeline" {
			fs.StringVar(&q.typ, "type", "", "only events of this type")
			fs.StringVar(&q.by, "by", "occurred", "order by occurred or reported")
			fs.Var(&q.from, "from", "from this moment on")
			fs.Var(&q.until, "until", "up to this moment")
			fs.IntVar(&q.limit, "limit", 0, "at most this many events")
		}
	case "diff":
		fs.Var(&q.from, "from", "first moment (required)")
		fs.Var(&q.to, "to", "second moment (required)")
		fs.StringVar(&q.by, "by", "occurred", "the clock --from and --to are on: occurred (the world) or reported (what the public knew)")
	}
}

func viewCmd(view, usage string, print func(m *Main, q *queryFlags, raw json.RawMessage) error) func(*Main, context.Context, []string) error {
	return func(m *Main, ctx context.Context, args []string) error {
		var g globalFlags
		var q queryFlags
		fs := m.newFlagSet(view, usage+" [--at T] [--known-at K] [--json]")
		m.registerGlobal(fs, &g)
		registerQuery(fs, &q, view)
		loc := m.localZone()
		inZone(loc, &q.at, &q.knownAt, &q.from, &q.until, &q.to, &q.asRecorded)
		pos, err := parse(fs, args)
		if err != nil {
			return err
		}
		req := query.Request{View: view, Org: q.org, Entity: q.entity, Type: q.typ, By: q.by, Outlet: q.outlet, Story: q.story, Limit: q.limit}
		if view == "status" {
			if err := argCount(view, pos, 1, 1, "one PERSON"); err != nil {
				return err
			}
			req.Person = pos[0]
		} else if err := argCount(view, pos, 0, 0, "no arguments"); err != nil {
			return err
		}
		now := time.Now()
		req.At, req.KnownAt = now, now
		if q.at.set {
			req.At = q.at.t
		}
		if q.knownAt.set {
			req.KnownAt = q.knownAt.t
		}
		req.From, req.Until, req.To, req.AsRecorded = q.from.t, q.until.t, q.to.t, q.asRecorded.t
		raw, err := m.ask(ctx, &g, req)
		if err != nil {
			return m.queryErr(view, err)
		}
		if q.asJSON {
			if view == "timeline" {
				return writeLines(m.Stdout, raw)
			}
			_, err := m.Stdout.Write(append(raw, '\n'))
			return err
		}
		q.zone.orZoneOf(loc, &q.at, &q.knownAt, &q.from, &q.to)
		if q.asCSV {
			return table.WriteCSV(m.Stdout, view, raw, q.zone.loc)
		}
		return print(m, &q, raw)
	}
}

func isBadQuery(err error) bool {
	var pe *query.ParamError
	return errors.As(err, &pe) || errors.Is(err, query.ErrBadParam) || errors.Is(err, query.ErrNotFound)
}

// ask answers req from a running `story serve` when there is one for this
// archive, else from the archive opened in process. Both run the same
// query code, so the answers are identical.
func (m *Main) ask(ctx context.Context, g *globalFlags, req query.Request) (json.RawMessage, error) {
	var raw json.RawMessage
	err := m.fromViews(ctx, g, func(c *server.Client) (err error) {
		raw, err = c.Query(ctx, req)
		return err
	}, func(eng *query.Engine) error {
		v, err := eng.Answer(req)
		if err == nil {
			raw, err = json.Marshal(v)
		}
		return err
	})
	return raw, err
}

// fromViews runs served with a client of the running `story serve` of the
// archive, or, when none runs, local with the archive folded in process.
// While serve starts it waits for it (--wait).
func (m *Main) fromViews(ctx context.Context, g *globalFlags, served func(*server.Client) error, local func(*query.Engine) error) error {
	cfg, err := g.connConfig()
	if err != nil {
		return err
	}
	noted := false
	return m.await(ctx, g, func() error {
		c, err := server.Find(ctx, cfg)
		if err == nil {
			defer c.Close()
			return served(c)
		}
		if !errors.Is(err, server.ErrNoServer) {
			return err
		}
		if err != server.ErrNoServer && !noted {
			fmt.Fprintln(m.Stderr, "story:", err) // why a service that answers is not asked
			noted = true
		}
		a, err := server.OpenArchive(ctx, cfg)
		if err != nil {
			return err
		}
		defer a.Close()
		eng, err := fold(ctx, a)
		if err != nil {
			return err
		}
		return local(eng)
	})
}

// fold checks an archive opened in process and folds all of it into a
// query engine.
func fold(ctx context.Context, a *archive.Archive) (*query.Engine, error) {
	if err := checkLocal(ctx, a); err != nil {
		return nil, err
	}
	eng := query.NewEngine()
	// The stream denies deletes, so a sequence missing from the read is a
	// damaged block that the store's count does not show.
	next := uint64(1)
	err := a.Records(ctx, 1, func(r archive.Record) error {
		if r.Seq != next {
			return fmt.Errorf("%w: records %d to %d could not be read\n`story verify` names the first bad sequence; `story export --salvage` writes out what can still be read",
				archive.ErrCorrupt, next, r.Seq-1)
		}
		next = r.Seq + 1
		eng.ApplyRecord(r.ForScreen())
		return nil
	})
	if err != nil {
		return nil, err
	}
	return eng, nil
}

// resolveEntity turns an alias or prefix into an entity id, using the
// archive's entity descriptions.
func (m *Main) resolveEntity(ctx context.Context, a *archive.Archive, input string) (string, error) {
	// Every record is screened, so that a forged description does not
	// name anyone; only descriptions are indexed.
	eng := query.NewEngine()
	screen := quarantine.New()
	err := a.Records(ctx, 1, func(r archive.Record) error {
		if sr := r.ForScreen(); screen.Check(sr) == nil && sr.Event.Type == events.EntityDescribed {
			eng.Index().Add(r.Seq, sr.Event)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	id, err := eng.Resolve(input)
	if err != nil {
		return "", usageErr(err.Error())
	}
	return id, nil
}

// writeLines writes a JSON array one element per line, as DESIGN.md has
// timeline, replay and watch print events: a stream a reader can consume
// line by line (jq -c, grep) however long the story.
func writeLines(w io.Writer, raw json.RawMessage) error {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	for _, it := range items {
		bw.Write(it)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}
