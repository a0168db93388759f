//go:build !js

package site

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

//go:embed boot.js
var bootJS []byte

// Options say what a static copy holds.
type Options struct {
	Out    string // the folder to write
	Events []byte // the archive's export, JSON Lines
	Page   fs.FS  // the page's files (server.PageFiles)
	// Wasm is a ready story.wasm; nil builds it with the Go toolchain
	// (GOOS=js GOARCH=wasm), from the module the command runs in.
	Wasm []byte
}

// Build writes the static copy: the page with its boot script, the
// WebAssembly views and Go's loader for them, and the events.
func Build(ctx context.Context, o Options) error {
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return fmt.Errorf("site: %w", err)
	}
	if err := copyPage(o.Page, o.Out); err != nil {
		return err
	}
	wasm, loader, err := o.Wasm, []byte(nil), error(nil)
	if wasm == nil {
		if wasm, err = compile(ctx); err != nil {
			return err
		}
	}
	if loader, err = wasmLoader(ctx); err != nil {
		return err
	}
	for name, b := range map[string][]byte{"story.wasm": wasm, "wasm_exec.js": loader, "boot.js": bootJS, "events.jsonl": o.Events} {
		if err := os.WriteFile(filepath.Join(o.Out, name), b, 0o644); err != nil {
			return fmt.Errorf("site: %w", err)
		}
	}
	return nil
}

// copyPage copies the page, its index.html loading the boot script (and
// Go's loader) before app.js.
func copyPage(page fs.FS, out string) error {
	return fs.WalkDir(page, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(page, p)
		if err != nil {
			return err
		}
		if p == "index.html" {
			const tag = `<script type="module" src="app.js"></script>`
			if !bytes.Contains(b, []byte(tag)) {
				return fmt.Errorf("site: index.html has no %s", tag)
			}
			b = bytes.Replace(b, []byte(tag), []byte(`<script src="wasm_exec.js"></script><script src="boot.js"></script>`+tag), 1)
		}
		if err := os.MkdirAll(filepath.Join(out, filepath.Dir(p)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(out, p), b, 0o644)
	})
}

func compile(ctx context.Context) ([]byte, error) {
	tmp, err := os.CreateTemp("", "story-*.wasm")
	if err != nil {
		return nil, fmt.Errorf("site: %w", err)
	}
	// Only a name for go build's output: the empty file is not used.
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("site: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // a temporary file; a leftover is harmless
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", tmp.Name(), "storyline/cmd/storywasm")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("site: compile the views to WebAssembly (needs the Go toolchain and this source tree): %w\n%s", err, out)
	}
	return os.ReadFile(tmp.Name())
}

// wasmLoader is Go's wasm_exec.js, from the toolchain that compiled the
// module.
func wasmLoader(ctx context.Context) ([]byte, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOROOT").Output()
	if err != nil {
		return nil, fmt.Errorf("site: go env GOROOT: %w", err)
	}
	root := strings.TrimSpace(string(out))
	for _, p := range []string{"lib/wasm/wasm_exec.js", "misc/wasm/wasm_exec.js"} {
		if b, err := os.ReadFile(filepath.Join(root, p)); err == nil {
			return b, nil
		}
	}
	return nil, fmt.Errorf("site: no wasm_exec.js under %s", root)
}
