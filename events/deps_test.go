package events_test

import (
	gobuild "go/build"
	"slices"
	"strings"
	"testing"
)

// TestDomainPackagesImportNoNetwork keeps the domain pure: events,
// projections and replay import the standard library without the network,
// the domain packages below them, and (events) google/uuid for ids. Each
// checks its direct imports; together they rule out NATS and net/http
// reaching any of them indirectly.
func TestDomainPackagesImportNoNetwork(t *testing.T) {
	tests := []struct {
		dir     string
		allowed []string // imports outside the standard library
	}{
		{".", []string{"github.com/google/uuid"}},
		// norm folds accents out of names people type; it opens nothing.
		{"../projections", []string{"storyline/events", "golang.org/x/text/unicode/norm"}},
		{"../replay", []string{"storyline/events", "storyline/projections"}},
	}
	for _, tt := range tests {
		pkg, err := gobuild.ImportDir(tt.dir, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range pkg.Imports {
			switch {
			case slices.Contains(tt.allowed, imp), imp == "net/url": // url parses source links; it opens nothing
			case strings.Contains(strings.SplitN(imp, "/", 2)[0], "."), strings.HasPrefix(imp, "storyline/"),
				imp == "net", strings.HasPrefix(imp, "net/"), imp == "crypto/tls":
				t.Errorf("%s imports %s", pkg.Name, imp)
			}
		}
	}
}
