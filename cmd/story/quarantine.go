package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"storyline/quarantine"
	"storyline/query"
	"storyline/server"
)

// quarantinePage is how many records one question to `story serve` asks
// for: each record's fields are bounded (a few KiB at worst, escapes
// included), so a page stays well inside a NATS message.
const quarantinePage = 200

func (m *Main) runQuarantine(ctx context.Context, args []string) error {
	var g globalFlags
	fs := m.newFlagSet("quarantine", "quarantine [--json]")
	m.registerGlobal(fs, &g)
	asJSON := fs.Bool("json", false, `print {"count","by_class","records":[{"seq","subject","class","reason","size","preview"}]}`)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := argCount("quarantine", pos, 0, 0, "no arguments"); err != nil {
		return err
	}
	v, err := m.quarantined(ctx, &g)
	if err != nil {
		return m.queryErr("quarantine", err)
	}
	if *asJSON {
		m.printJSON(v)
		return nil
	}
	if v.Count == 0 {
		fmt.Fprintln(m.Stdout, "no records quarantined: every stored record is in the views")
		return nil
	}
	// Three lines a record rather than a table: subjects, reasons and
	// previews vary too much in length to line up. Every field shown was
	// escaped by the screen, so junk cannot steer the terminal.
	w := bufio.NewWriter(m.Stdout)
	for _, q := range v.Records {
		fmt.Fprintf(w, "seq %d  %s  %s (%d bytes)\n    %s\n    %s\n", q.Seq, q.Class, q.Subject, q.Size, q.Reason, previewLine(q.Preview))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "%d records quarantined (%s): kept in the stream, left out of every view\n", v.Count, classCounts(v.ByClass))
	return nil
}

// quarantined returns the whole quarantine view: from a running `story
// serve` a page at a time (an answer is one NATS message, bounded in size),
// else from the archive folded once in process.
func (m *Main) quarantined(ctx context.Context, g *globalFlags) (query.QuarantineView, error) {
	var all query.QuarantineView
	err := m.fromViews(ctx, g, func(c *server.Client) error {
		all = query.QuarantineView{Records: []quarantine.Entry{}}
		var after uint64
		for {
			raw, err := c.Query(ctx, query.Request{View: "quarantine", AfterSeq: after, Limit: quarantinePage})
			if err != nil {
				return err
			}
			var page query.QuarantineView
			if err := json.Unmarshal(raw, &page); err != nil {
				return fmt.Errorf("quarantine view: %w", err)
			}
			// Counts come from the latest page: records stored meanwhile
			// are in both the counts and the pages still to come.
			all.Count, all.ByClass = page.Count, page.ByClass
			all.Records = append(all.Records, page.Records...)
			if len(page.Records) < quarantinePage {
				return nil
			}
			after = page.Records[len(page.Records)-1].Seq
		}
	}, func(eng *query.Engine) error {
		v, err := eng.Answer(query.Request{View: "quarantine"})
		if err == nil {
			all = v.(query.QuarantineView)
		}
		return err
	})
	return all, err
}

func previewLine(p string) string {
	if p == "" {
		return "(empty)"
	}
	return "> " + p
}

// classCounts says how many records of each class, in checking order,
// leaving out the classes with none.
func classCounts[N int | uint64](by map[quarantine.Class]N) string {
	var parts []string
	for _, c := range quarantine.Classes {
		if n := by[c]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, c))
		}
	}
	return strings.Join(parts, ", ")
}
