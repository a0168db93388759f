package main

import (
	"bytes"
	"context"
	"fmt"

	"storyline/archive"
	"storyline/server"
	"storyline/site"
)

// runSite writes a static copy of the page: the archive's events, the page
// and the views compiled to WebAssembly.
func (m *Main) runSite(ctx context.Context, args []string) error {
	var g globalFlags
	fs := m.newFlagSet("site", "site --out DIR")
	m.registerGlobal(fs, &g)
	out := fs.String("out", "", "the folder to write (required); put it on any web host")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := argCount("site", pos, 0, 0, "no arguments"); err != nil {
		return err
	}
	if *out == "" {
		return usageErr("site: --out DIR is required")
	}
	a, err := m.open(ctx, &g)
	if err != nil {
		return err
	}
	var events bytes.Buffer
	rep, err := a.Export(ctx, &events, archive.ExportOptions{Format: archive.FormatJSONL})
	if cerr := a.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("site: %w", err)
	}
	if err := site.Build(ctx, site.Options{Out: *out, Events: events.Bytes(), Page: server.PageFiles()}); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "wrote a static copy of %d events to %s: serve the folder from any web host and open index.html\n", rep.Written, *out)
	return nil
}
