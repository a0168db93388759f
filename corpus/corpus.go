// Package corpus holds the bundled story: events in the import format
// (JSON Lines), embedded in the binary so `story import` with no file and
// `story demo` work anywhere. It is data, not code: nothing here knows what
// the story is about.
package corpus

import (
	"embed"
	"io/fs"
	"sort"
)

//go:embed *.jsonl
var files embed.FS

// FS is the bundled story's files.
var FS fs.FS = files

// Files returns the names of the bundled .jsonl files, sorted.
func Files() []string {
	entries, _ := fs.ReadDir(files, ".")
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}
