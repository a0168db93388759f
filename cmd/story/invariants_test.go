package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"storyline/events"
)

// TestNoStoryInCode checks that no Go source outside tests names an entity
// of the bundled story: everything story-specific arrives as data.
func TestNoStoryInCode(t *testing.T) {
	evs, errs := NewMain().loadFiles(nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var names []string
	for _, e := range evs {
		// Outlets (newspapers, wires, "TIME", "X") are the media every
		// story shares, not this story's cast.
		if d, ok := e.Data.(*events.EntityDescription); ok && d.Kind != events.Outlet {
			names = append(names, d.ID, d.Name)
		}
	}
	if len(names) == 0 {
		t.Fatal("the bundled story describes no entities")
	}
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		src := strings.ToLower(string(b))
		for _, n := range names {
			if len(n) >= 4 && strings.Contains(src, strings.ToLower(n)) {
				t.Errorf("%s names %q from the bundled story", path, n)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
