package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"storyline/archive"
	"storyline/projector"
	"storyline/query"
	"storyline/server"
	"storyline/table"
)

// cliView is how the CLI shows a view: a command with a printer of its
// own, or (own) a command of its own or none, and why.
type cliView struct {
	print printer
	// lines: --json writes the answer's elements one per line (DESIGN.md).
	lines bool
	own   string
}

type printer func(m *Main, q *queryFlags, raw json.RawMessage) error

// cliViews are the views of the view table (query.Views) as the CLI shows
// them; a test checks that each view has its entry here. A view with none
// still has a command, which prints its JSON.
var cliViews = map[string]cliView{
	"board":      {print: printBoard},
	"roles":      {print: printRoles},
	"status":     {print: printStatus},
	"timeline":   {print: printTimeline, lines: true},
	"claims":     {print: printClaims},
	"sources":    {print: printSources},
	"stakes":     {print: printStakes},
	"diff":       {print: printDiff},
	"stories":    {print: printStories},
	"replay":     {own: "story replay paces the steps and ends on the boards and roles they touched (replay.go)"},
	"quarantine": {own: "story quarantine pages through serve's answers (quarantine.go)"},
	"entities":   {own: "the names the page and story export --format ftm look up; no table to print"},
}

// viewCommands are the query commands over the views: one per view of the
// view table without a command of its own.
var viewCommands = commandsFor(query.Views())

// commandsFor are the query commands over the views of c.
func commandsFor(c query.Catalog) map[string]command {
	cmds := map[string]command{}
	for _, v := range c.All() {
		if cv := cliViews[v.Name]; cv.own == "" {
			cmds[v.Name] = command{viewCmd(v, cv), lowerFirst(v.Summary)}
		}
	}
	return cmds
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// queryFlags are the flags of the query commands that their printers and
// other commands (replay) read.
type queryFlags struct {
	knownAt, from, until timeFlag
	by, story            string
	zone                 zoneFlag
	asJSON               bool
}

// zoneFrom are the time parameters whose zone, typed, is the display zone
// (unless --tz): the first one set.
var zoneFrom = []string{"at", "known_at", "from", "to"}

// bindParams registers a flag for each parameter of v that is not a path
// segment, bound to req's field. Time flags, read in loc when typed
// without a zone, are returned by parameter name: parse them, then
// setTimes.
func bindParams(fs *flag.FlagSet, req *query.Request, v query.View, loc *time.Location) map[string]*timeFlag {
	times := map[string]*timeFlag{}
	for _, p := range v.Params {
		if p.Path {
			continue // an argument (setPath)
		}
		desc := p.Desc
		if p.Required {
			desc += " (required)"
		}
		switch f := req.Field(p.Name).(type) {
		case *string:
			fs.StringVar(f, p.Flag(), "", desc)
		case *int:
			fs.IntVar(f, p.Flag(), 0, desc)
		case *uint64:
			fs.Uint64Var(f, p.Flag(), 0, desc)
		case *time.Time:
			times[p.Name] = &timeFlag{loc: loc}
			fs.Var(times[p.Name], p.Flag(), desc)
		}
	}
	return times
}

// setTimes puts the times given into req; at and known_at default to now.
func setTimes(req *query.Request, times map[string]*timeFlag) {
	now := time.Now()
	req.At, req.KnownAt = now, now
	for name, t := range times {
		if t.set {
			*req.Field(name).(*time.Time) = t.t
		}
	}
}

// usageOf is the usage line of v's command: its path parameters as
// arguments, its required flags, then the others.
func usageOf(v query.View, csv bool) string {
	var args, required, optional []string
	for _, p := range v.Params {
		hole := map[query.Kind]string{query.KindTime: "T", query.KindInt: "N", query.KindEnum: strings.Join(p.Values, "|")}[p.Kind()]
		switch {
		case p.Path:
			args = append(args, strings.ToUpper(p.Name))
		case p.Required:
			required = append(required, fmt.Sprintf("--%s %s", p.Flag(), cmp.Or(hole, strings.ToUpper(p.Name))))
		default:
			optional = append(optional, fmt.Sprintf("[--%s %s]", p.Flag(), cmp.Or(hole, strings.ToUpper(p.Name))))
		}
	}
	out := append(append(append([]string{v.Name}, args...), required...), optional...)
	if csv {
		return strings.Join(append(out, "[--json | --csv]", "[--tz ZONE]"), " ")
	}
	return strings.Join(append(out, "[--json]", "[--tz ZONE]"), " ")
}

// viewCmd is the command of v: its flags are v's parameters, its
// arguments v's path parameters; it prints the answer with cv's printer,
// as --json, or as --csv for a view with a table.
func viewCmd(v query.View, cv cliView) func(*Main, context.Context, []string) error {
	_, hasTable := table.Views[v.Name]
	return func(m *Main, ctx context.Context, args []string) error {
		var g globalFlags
		var q queryFlags
		var asCSV bool
		req := query.Request{View: v.Name}
		fs := m.newFlagSet(v.Name, usageOf(v, hasTable))
		m.registerGlobal(fs, &g)
		loc := m.localZone()
		times := bindParams(fs, &req, v, loc)
		fs.BoolVar(&q.asJSON, "json", false, "print JSON")
		if hasTable {
			fs.BoolVar(&asCSV, "csv", false, "print CSV: a header row, one row per row of the table, times in the display zone")
		}
		fs.Var(&q.zone, "tz", "show times in this zone: PT, HKT, +08:00, Asia/Shanghai (default: the zone of --at, else of --known-at, else $STORY_TZ, $TZ, the system's)")
		pos, err := parse(fs, args)
		if err != nil {
			return err
		}
		if err := setPath(&req, v, pos); err != nil {
			return err
		}
		setTimes(&req, times)
		raw, err := m.ask(ctx, &g, req)
		if err != nil {
			return m.queryErr(v.Name, err)
		}
		var set []*timeFlag
		for _, name := range zoneFrom {
			if t, ok := times[name]; ok {
				set = append(set, t)
			}
		}
		q.zone.orZoneOf(loc, set...)
		return m.printView(v.Name, cv, &q, asCSV, raw)
	}
}

// setPath sets v's path parameters from the command's arguments.
func setPath(req *query.Request, v query.View, pos []string) error {
	var names []string
	for _, p := range v.Params {
		if p.Path {
			names = append(names, p.Name)
		}
	}
	want := "no arguments"
	if len(names) > 0 {
		want = "one " + strings.ToUpper(strings.Join(names, " "))
	}
	if err := argCount(v.Name, pos, len(names), len(names), want); err != nil {
		return err
	}
	for i, name := range names {
		*req.Field(name).(*string) = pos[i]
	}
	return nil
}

// printView prints a view's answer: as JSON (--json, or a view without a
// printer), as CSV, or with its printer.
func (m *Main) printView(view string, cv cliView, q *queryFlags, asCSV bool, raw json.RawMessage) error {
	switch {
	case q.asJSON && cv.lines:
		return writeLines(m.Stdout, raw)
	case q.asJSON || cv.print == nil && !asCSV:
		_, err := m.Stdout.Write(append(raw, '\n'))
		return err
	case asCSV:
		return table.WriteCSV(m.Stdout, view, raw, q.zone.loc)
	}
	return cv.print(m, q, raw)
}

// isBadQuery reports whether err is the question's fault (see
// server.Classify): the command says so as bad input.
func isBadQuery(err error) bool { return server.Classify(err).Asked() }

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
func (m *Main) fromViews(ctx context.Context, g *globalFlags, served func(*server.Client) error, local func(*query.Engine) error) (err error) {
	cfg, err := g.connConfig()
	if err != nil {
		return err
	}
	noted := false
	return m.await(ctx, g, func() (err error) {
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
		defer closing(a, &err)
		eng, err := m.fold(ctx, a)
		if err != nil {
			return err
		}
		return local(eng)
	})
}

// fold checks an archive opened in process and returns its views: from
// the newest snapshot that matches the stream, and the records after it
// (package projector).
func (m *Main) fold(ctx context.Context, a *archive.Archive) (*query.Engine, error) {
	if err := checkLocal(ctx, a); err != nil {
		return nil, err
	}
	p, err := projector.Build(ctx, a, m.projectorConfig())
	if err != nil {
		return nil, err
	}
	return p.Engine(), nil
}

// projectorConfig is how a command's projector reports: a refused snapshot
// or one not written as one line on stderr, a long rebuild's progress on a
// terminal. A sequence missing from the stream is damage.
func (m *Main) projectorConfig() projector.Config {
	cfg := projector.Config{Gapless: true, Warn: func(msg string) { fmt.Fprintln(m.Stderr, "story:", msg) }}
	if m.StderrIsTerminal {
		cfg.Progress = func(p projector.Progress) {
			fmt.Fprintf(m.Stderr, "\r%s\033[K", p) // the line, then erase what a longer one left
			if p.Final {
				fmt.Fprintln(m.Stderr)
			}
		}
	}
	return cfg
}

// saveViews writes a snapshot of the views after an import on the archive
// opened in process or on a server of one's own, so that the next command
// starts from it. A running serve writes its own.
func (m *Main) saveViews(ctx context.Context, a *archive.Archive) {
	if a.Server() == nil && !a.Shared() {
		return
	}
	p, err := projector.Build(ctx, a, m.projectorConfig())
	if err == nil {
		err = p.Save(ctx, nil)
	}
	if err != nil {
		fmt.Fprintln(m.Stderr, "story: no snapshot of the views written:", err)
	}
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
