package projections_test

import (
	gobuild "go/build"
	"strings"
	"testing"
)

// TestImportsOnlyStdlibAndEvents keeps the views pure: no network, no
// third-party code, nothing but the standard library and the events
// package.
func TestImportsOnlyStdlibAndEvents(t *testing.T) {
	pkg, err := gobuild.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if imp != "storyline/events" && strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") || strings.HasPrefix(imp, "storyline/") && imp != "storyline/events" || imp == "net/http" || imp == "net" {
			t.Errorf("projections imports %s", imp)
		}
	}
}
