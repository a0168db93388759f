package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"

	"storyline/formats"
	"storyline/query"
)

// viewFormats are the export formats made from the views, not the records.
var viewFormats = map[string]bool{"timelinejs": true, "timelinejs-csv": true, "claimreview": true, "ftm": true}

// viewExportFlags are the as-of filters of an export made from the views.
type viewExportFlags struct {
	at, knownAt         timeFlag
	by, story, title    string
	reviewer, reviewURL string
	zone                zoneFlag
}

func (f *viewExportFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.at, "at", "timelinejs, claimreview: the world at this moment (default now)")
	fs.Var(&f.knownAt, "known-at", "timelinejs, claimreview: only what was reported by then (default now)")
	stringFlags(fs, []stringFlag{
		{&f.by, "by", "occurred", "timelinejs: the clock the slides are dated on: occurred or reported"},
		{&f.story, "story", "", "timelinejs, claimreview: only this story"},
		{&f.title, "title", "", "timelinejs: the title slide's headline"},
		{&f.reviewer, "reviewer", "Storyline", "claimreview: who publishes the reviews"},
		{&f.reviewURL, "reviewer-url", "", "claimreview: the reviewer's page"},
	})
	fs.Var(&f.zone, "tz", "timelinejs: the zone slides are dated in (default $STORY_TZ, $TZ, the system's)")
}

// exportViews writes the timeline or the claims, as the views answer them
// at (--at, --known-at), in one of the newsroom formats.
func (m *Main) exportViews(ctx context.Context, g *globalFlags, format, outPath string, f *viewExportFlags) error {
	now := time.Now()
	req := query.Request{View: "timeline", By: f.by, Story: f.story, At: now, KnownAt: now}
	if f.at.set {
		req.At = f.at.t
	}
	if f.knownAt.set {
		req.KnownAt = f.knownAt.t
	}
	switch format {
	case "claimreview":
		req.View, req.By = "claims", ""
	case "ftm":
		// Seats and roles as they changed up to --at, as known at --known-at.
		req.View, req.By, req.Until, req.At = "replay", "occurred", req.At, time.Time{}
	}
	raw, err := m.ask(ctx, g, req)
	if err != nil {
		return m.queryErr("export", err)
	}
	var names []byte // ftm: who the seats and roles name
	if format == "ftm" {
		if names, err = m.ask(ctx, g, query.Request{View: "entities", Story: f.story, KnownAt: req.KnownAt}); err != nil {
			return m.queryErr("export", err)
		}
	}
	out, err := newOutput(m.Stdout, outPath)
	if err != nil {
		return usageErr(fmt.Sprintf("export: %v", err))
	}
	defer out.discard()
	f.zone.orZoneOf(m.localZone(), &f.at, &f.knownAt)
	if err := writeViewExport(out, format, raw, names, f); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return out.commit()
}

func writeViewExport(out *output, format string, raw, names []byte, f *viewExportFlags) error {
	switch format {
	case "ftm":
		ents, err := formats.FtM(raw, names)
		if err != nil {
			return err
		}
		return writeJSONLines(out, ents)
	case "claimreview":
		reviews, err := formats.ClaimReviews(raw, formats.Reviewer{Name: f.reviewer, URL: f.reviewURL})
		if err != nil {
			return err
		}
		return writeJSONLines(out, reviews)
	}
	doc, err := formats.Timeline(raw, f.by, f.zone.loc, f.title)
	if err != nil {
		return err
	}
	if format == "timelinejs-csv" {
		return formats.WriteSheet(out, doc)
	}
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	return enc.Encode(doc)
}

// writeJSONLines writes one JSON value per line.
func writeJSONLines[T any](out io.Writer, vs []T) error {
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for _, v := range vs {
		if err := enc.Encode(v); err != nil {
			return err
		}
	}
	return nil
}
