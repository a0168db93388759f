package events_test

import (
	gobuild "go/build"
	"strings"
	"testing"
)

// TestImportsNoNetwork keeps the events pure: the standard library without
// the network, and google/uuid for the ids. With the same tests in
// projections and replay (which may import only the packages below them),
// no NATS and no net/http can reach the domain packages, even indirectly.
func TestImportsNoNetwork(t *testing.T) {
	pkg, err := gobuild.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		switch {
		case imp == "github.com/google/uuid", imp == "net/url": // url parses source links; it opens nothing
		case strings.Contains(strings.SplitN(imp, "/", 2)[0], "."), strings.HasPrefix(imp, "storyline/"),
			imp == "net", strings.HasPrefix(imp, "net/"), imp == "crypto/tls":
			t.Errorf("events imports %s", imp)
		}
	}
}
