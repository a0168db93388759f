package replay_test

import (
	gobuild "go/build"
	"strings"
	"testing"
)

// TestImportsOnlyStdlibEventsProjections keeps replay pure: the standard
// library, the events and the projections, nothing on the network.
func TestImportsOnlyStdlibEventsProjections(t *testing.T) {
	pkg, err := gobuild.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		switch {
		case imp == "storyline/events" || imp == "storyline/projections":
		case strings.Contains(strings.SplitN(imp, "/", 2)[0], "."), strings.HasPrefix(imp, "storyline/"), imp == "net/http", imp == "net":
			t.Errorf("replay imports %s", imp)
		}
	}
}
