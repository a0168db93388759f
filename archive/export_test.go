package archive_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"storyline/archive"
)

// TestExportFormats: an unknown format is refused before anything is read.
func TestExportFormats(t *testing.T) {
	ctx := context.Background()
	a := damagedArchive(t, func(*testing.T, string) {})
	for _, c := range []struct {
		format string
		err    error
		marker string
	}{
		{"", nil, `"occurred_at"`},
		{archive.FormatJSONL, nil, `"occurred_at"`},
		{archive.FormatCloudEvents, nil, `"specversion":"1.0"`},
		{"xml", archive.ErrBadFormat, ""},
	} {
		var out bytes.Buffer
		rep, err := a.Export(ctx, &out, archive.ExportOptions{Format: c.format})
		if !errors.Is(err, c.err) {
			t.Errorf("format %q: %v; want %v", c.format, err, c.err)
			continue
		}
		if c.err == nil && (rep.Written != 400 || strings.Count(out.String(), c.marker) != 400) {
			t.Errorf("format %q: %d written, %d lines with %s", c.format, rep.Written, strings.Count(out.String(), c.marker), c.marker)
		}
	}
}
