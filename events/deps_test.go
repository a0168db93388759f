package events_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDomainPackagesImportNoNetwork keeps the packages that hold the story
// and its folds free of the network: nothing they depend on reaches NATS,
// HTTP or TLS, and no package of ours among them imports a network
// package (google/uuid imports net for node ids; it opens nothing). They
// take and return events; the archive, the server and the commands do
// the I/O. This is the one import guard.
func TestDomainPackagesImportNoNetwork(t *testing.T) {
	pure := []string{"events", "projections", "replay", "query", "quarantine", "gen", "article", "table", "formats", "snapshot", "ordered"}
	for _, name := range pure {
		pkg := "storyline/" + name
		out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", pkg, err, out)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) < 5 {
			t.Fatalf("go list -deps %s listed %d packages", pkg, len(lines))
		}
		for _, line := range lines {
			f := strings.Fields(line)
			dep, imports := f[0], f[1:]
			if strings.HasPrefix(dep, "github.com/nats-io/") || dep == "net/http" || dep == "crypto/tls" {
				t.Errorf("%s depends on %s", pkg, dep)
			}
			if !strings.HasPrefix(dep, "storyline/") {
				continue
			}
			for _, imp := range imports {
				if imp == "net" || strings.HasPrefix(imp, "net/") && imp != "net/url" {
					t.Errorf("%s imports %s", dep, imp)
				}
			}
		}
	}
}
