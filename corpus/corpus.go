// Package corpus holds the bundled story: events in the import format
// (JSON Lines), embedded in the binary so `story import` with no file and
// `story demo` work anywhere. It is data, not code: nothing here knows what
// the story is about.
package corpus

import (
	"bytes"
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
	entries, _ := fs.ReadDir(files, ".") // embedded at build time: reading its root cannot fail
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// Bytes returns the bundled story whole: every file's lines, in the order
// of Files, as one JSON Lines text.
func Bytes() []byte {
	var all bytes.Buffer
	for _, name := range Files() {
		b, err := fs.ReadFile(files, name)
		if err != nil {
			panic("corpus: an embedded file cannot be read: " + err.Error()) // embedded at build time
		}
		all.Write(b) // a bytes.Buffer's Write never fails
		if len(b) > 0 && b[len(b)-1] != '\n' {
			all.WriteByte('\n')
		}
	}
	return all.Bytes()
}
