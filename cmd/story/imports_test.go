package main

import (
	"fmt"
	"go/build"
	"go/token"
	"slices"
	"strings"
	"testing"
)

// TestNoNATSImports: the commands reach NATS only through package archive,
// which makes every connection (options, TLS, credentials, the permission
// and auth errors), and package server. No file of cmd/story, tests
// included, imports a NATS package.
func TestNoNATSImports(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkg.ImportPos) == 0 || len(pkg.TestImportPos) == 0 {
		t.Fatalf("read no imports of %s", pkg.Dir)
	}
	for _, pos := range []map[string][]token.Position{pkg.ImportPos, pkg.TestImportPos, pkg.XTestImportPos} {
		for _, found := range natsImports(pos) {
			t.Errorf("%s: cmd/story imports NATS; go through package archive instead", found)
		}
	}
}

// TestNATSImportsFound: the check above finds a NATS import where there is
// one.
func TestNATSImportsFound(t *testing.T) {
	pos := map[string][]token.Position{
		"storyline/archive":                    {{Filename: "flags.go", Line: 3}},
		"github.com/nats-io/nats.go":           {{Filename: "flags.go", Line: 4}},
		"github.com/nats-io/nats.go/jetstream": {{Filename: "x_test.go", Line: 9}},
	}
	got := natsImports(pos)
	want := []string{"flags.go:4: github.com/nats-io/nats.go", "x_test.go:9: github.com/nats-io/nats.go/jetstream"}
	if !slices.Equal(got, want) {
		t.Errorf("found %q; want %q", got, want)
	}
}

// natsImports lists the imports of a NATS package in pos, each as
// "file:line: path", sorted.
func natsImports(pos map[string][]token.Position) []string {
	var out []string
	for path, at := range pos {
		if !strings.HasPrefix(path, "github.com/nats-io/") {
			continue
		}
		for _, p := range at {
			out = append(out, fmt.Sprintf("%s:%d: %s", p.Filename, p.Line, path))
		}
	}
	slices.Sort(out)
	return out
}
