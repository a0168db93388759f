package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"storyline/table"
)

// TestCSVParsesBackToTheJSON: every view with a table, on the invented
// stories, gives CSV whose rows are the JSON answer's rows, field by
// field (times as the same instants, numbers as the same numbers).
func TestCSVParsesBackToTheJSON(t *testing.T) {
	dir := t.TempDir()
	mustStory(t, dir, "import", "../../projections/testdata/halvorsen.jsonl", "--story", "halvorsen")
	mustStory(t, dir, "import", "../../projections/testdata/claims-story.jsonl", "--story", "nordlys")
	args := map[string][]string{
		"board": {"--org", "halvorsen"}, "roles": {"--org", "halvorsen"}, "stakes": {"--org", "nordlys"},
		"status": {"lee-wei"}, "diff": {"--from", "2024-01-01", "--to", "2025-07-02"},
	}
	rows := 0
	for _, view := range table.Names() {
		q := append([]string{view}, args[view]...)
		switch view {
		case "stories":
		case "diff": // its moments are --from and --to
			q = append(q, "--known-at", "2030-01-01")
		default:
			q = append(q, "--at", "2025-07-02", "--known-at", "2030-01-01")
		}
		raw := mustStory(t, dir, append(q, "--json")...)
		got, err := csv.NewReader(strings.NewReader(mustStory(t, dir, append(q, "--csv", "--tz", "Asia/Singapore")...))).ReadAll()
		if err != nil {
			t.Fatalf("%s: the CSV does not parse: %v", view, err)
		}
		rows += len(got) - 1
		checkRows(t, view, raw, got)
	}
	if rows < 40 {
		t.Errorf("only %d rows checked", rows)
	}
}

func checkRows(t *testing.T, view, raw string, got [][]string) {
	t.Helper()
	spec := table.Views[view]
	var values []any
	dec := json.NewDecoder(strings.NewReader(raw))
	for dec.More() {
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		values = append(values, v)
	}
	var want []map[string]any
	for _, part := range spec.Parts {
		src := values
		if part.Field != "" {
			src, _ = values[0].(map[string]any)[part.Field].([]any)
		} else if list, ok := values[0].([]any); ok && len(values) == 1 {
			src = list
		}
		for _, it := range src {
			want = append(want, it.(map[string]any))
		}
	}
	if len(got)-1 != len(want) {
		t.Fatalf("%s: %d CSV rows, %d in the JSON", view, len(got)-1, len(want))
	}
	off := 0
	if len(spec.Parts) > 1 {
		off = 1
	}
	for i, item := range want {
		for j, col := range spec.Columns {
			v, cell := table.Lookup(item, col.Path), got[i+1][j+off]
			if prec, _ := table.Lookup(item, col.Prec).(string); col.Prec != "" && (prec == "day" || prec == "month" || prec == "year") {
				// A coarse time is its date on its own calendar.
				if s, _ := v.(string); !strings.HasPrefix(s, cell) || len(cell) < 4 {
					t.Errorf("%s row %d %s: %q for %q known to the %s", view, i+1, col.Name, cell, s, prec)
				}
				continue
			}
			if msg := sameValue(v, cell, col.Time); msg != "" {
				t.Errorf("%s row %d %s: %s", view, i+1, col.Name, msg)
			}
		}
	}
}

// sameValue compares a JSON value with its CSV cell.
func sameValue(v any, cell string, isTime bool) string {
	switch x := v.(type) {
	case nil:
		if cell != "" {
			return fmt.Sprintf("%q for nothing", cell)
		}
	case string:
		if isTime {
			a, err1 := time.Parse(time.RFC3339Nano, x)
			b, err2 := time.Parse(time.RFC3339, cell)
			if err1 != nil || err2 != nil || !a.Equal(b) || !strings.HasSuffix(cell, "+08:00") {
				return fmt.Sprintf("%q for %q (want the same instant, in the display zone)", cell, x)
			}
		} else if cell != x {
			return fmt.Sprintf("%q for %q", cell, x)
		}
	case float64:
		if f, err := strconv.ParseFloat(cell, 64); err != nil || f != x {
			return fmt.Sprintf("%q for %v", cell, x)
		}
	case bool:
		if cell != strconv.FormatBool(x) {
			return fmt.Sprintf("%q for %v", cell, x)
		}
	}
	return ""
}
