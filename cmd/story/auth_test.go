package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"storyline/poll"
	"storyline/server"
	"storyline/server/servertest"
)

func readAuth(t *testing.T, path string) (server.AuthFile, os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := server.LoadAuthFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return f, fi.Mode().Perm()
}

// TestAuthInit: the file is created private with three identities and
// distinct passwords, is not overwritten by accident, and --force renews
// every password.
func TestAuthInit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.json")
	var first server.AuthFile
	steps := []struct {
		name      string
		args      []string
		code      int
		stderr    string
		renewed   bool // passwords differ from the first file's
		unchanged bool // passwords equal the first file's
	}{
		{name: "create", args: []string{"auth", "init", path}},
		{name: "again without --force", args: []string{"auth", "init", path}, code: 1, stderr: "already exists (pass --force", unchanged: true},
		{name: "again with --force", args: []string{"auth", "init", path, "--force"}, renewed: true},
		{name: "no file", args: []string{"auth", "init"}, code: 1, stderr: "want one FILE"},
		{name: "no subcommand", args: []string{"auth"}, code: 1, stderr: "want a subcommand"},
	}
	for i, st := range steps {
		out, errOut, code := story(t, "", "", st.args...)
		if code != st.code || !strings.Contains(errOut, st.stderr) {
			t.Fatalf("%s: exit %d, stderr %q; want exit %d and %q", st.name, code, errOut, st.code, st.stderr)
		}
		if code != 0 && !st.unchanged {
			continue
		}
		f, mode := readAuth(t, path)
		if mode != 0o600 {
			t.Errorf("%s: mode %04o; want 0600", st.name, mode)
		}
		seen := map[string]bool{}
		for _, role := range []string{"writer", "reader", "internal"} {
			pw := f.Users[role].Password
			if len(pw) < 20 || seen[pw] {
				t.Errorf("%s: %s password %q: want a long one of its own", st.name, role, pw)
			}
			seen[pw] = true
		}
		if len(f.Users) != 3 {
			t.Errorf("%s: %d identities; want 3", st.name, len(f.Users))
		}
		if i == 0 {
			first = f
			if !strings.Contains(out, "serve --auth") || !strings.Contains(out, "--as reader") {
				t.Errorf("create: output does not say how to use the file:\n%s", out)
			}
		}
		for role, u := range f.Users {
			same := u.Password == first.Users[role].Password
			if st.unchanged && !same || st.renewed && same {
				t.Errorf("%s: %s password renewed %v; want %v", st.name, role, !same, st.renewed)
			}
		}
	}
}

// TestServeAuthCLI runs `story serve --auth` in process and the other
// commands against it: the reader reads (views, quarantine), is refused a
// write with the reason (not a hang) and stores nothing; the writer writes;
// a command without credentials is told what to pass.
func TestServeAuthCLI(t *testing.T) {
	dir := t.TempDir()
	mustStory(t, dir, "import", "../../projections/testdata/halvorsen.jsonl")
	auth := filepath.Join(t.TempDir(), "auth.json")
	mustStory(t, "", "auth", "init", auth)

	serveInProcess(t, dir, "--auth", auth)

	count := func() uint64 {
		t.Helper()
		var info struct {
			Messages uint64 `json:"messages"`
		}
		out := mustStory(t, dir, "info", "--json", "--auth", auth)
		if err := json.Unmarshal([]byte(out), &info); err != nil || info.Messages == 0 {
			t.Fatalf("info: %v: %s", err, out)
		}
		return info.Messages
	}
	before := count()
	publish := []string{"publish", "--type", "statement.made", "--occurred-at", "2024-03-01 12:00 CET",
		"--outlet", "Test", "--attribution", "on_record", "--data", `{"by":"halvorsen-robotics","text":"auth test","lang":"en"}`}

	wrong := filepath.Join(t.TempDir(), "wrong.json")
	f, _ := readAuth(t, auth)
	f.Users["reader"] = server.AuthUser{Password: f.Users["writer"].Password}
	if err := f.Write(wrong, false); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"board as reader", []string{"board", "--org", "halvorsen", "--json", "--auth", auth, "--as", "reader"}, 0, `"members"`, ""},
		{"board without credentials", []string{"board", "--org", "halvorsen"}, 1, "", "requires authentication: pass --auth FILE --as reader"},
		{"board with a wrong password", []string{"board", "--org", "halvorsen", "--auth", wrong}, 1, "", `refused NATS user "reader"`},
		{"watch without credentials", []string{"watch"}, 1, "", "requires authentication"},
		{"quarantine as reader", []string{"quarantine", "--auth", auth, "--as", "reader"}, 0, "no records quarantined", ""},
		{"quarantine without credentials", []string{"quarantine"}, 1, "", "requires authentication"},
		{"publish as reader", append(publish, "--auth", auth, "--as", "reader"), 1, "", `not permitted for NATS user "reader"`},
		{"import as reader", []string{"import", "testdata/other-story.jsonl", "--auth", auth}, 1, "", `not permitted for NATS user "reader"`},
	}
	for _, c := range cases {
		out, errOut, code := story(t, dir, "", c.args...)
		if code != c.code || !strings.Contains(out, c.stdout) || !strings.Contains(errOut, c.stderr) {
			t.Errorf("%s: exit %d\nstdout %q\nstderr %q\nwant exit %d, %q on stdout, %q on stderr", c.name, code, out, errOut, c.code, c.stdout, c.stderr)
		}
	}
	if n := count(); n != before {
		t.Errorf("the stream went from %d to %d messages while only the reader wrote", before, n)
	}
	mustStory(t, dir, append(publish, "--auth", auth, "--as", "writer")...)
	if n := count(); n != before+1 {
		t.Errorf("after the writer's publish the stream holds %d messages; want %d", n, before+1)
	}
}

// TestServeAuthFileOpenToOthers: serve refuses an auth file others may read.
func TestServeAuthFileOpenToOthers(t *testing.T) {
	auth := filepath.Join(t.TempDir(), "auth.json")
	mustStory(t, "", "auth", "init", auth)
	if err := os.Chmod(auth, 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := story(t, t.TempDir(), "", "serve", "--auth", auth, "--listen", "127.0.0.1:-1", "--http", "")
	if code != 1 || !strings.Contains(errOut, "chmod 600") {
		t.Errorf("serve with a 0644 auth file: exit %d, %q; want exit 1 saying chmod 600", code, errOut)
	}
}

// serveInProcess runs `story serve` on dir with args until the test ends,
// once it has recorded that it answers.
func serveInProcess(t *testing.T, dir string, args ...string) {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	var serveErr bytes.Buffer
	go func() {
		m := &Main{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &serveErr, Getenv: func(string) string { return "" }}
		served <- m.Run(ctx, append([]string{"serve", "--data-dir", dir, "--listen", "127.0.0.1:-1", "--http", "", "--skip-verify"}, args...))
	}()
	t.Cleanup(func() {
		stop()
		select {
		case err := <-served:
			if err != nil {
				t.Errorf("serve: %v\n%s", err, serveErr.String())
			}
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop")
		}
	})
	poll.UntilErr(t, "serve to record its address", func() error {
		select {
		case err := <-served:
			served <- err
			t.Fatalf("serve stopped: %v", err)
		default:
		}
		addr, err := server.ReadAddress(dir)
		if err == nil && addr.Starting {
			err = errors.New("still starting")
		}
		return err
	})
}

// TestServeTLSCLI: with --tls-cert, commands that trust the certificate
// (--tls-ca) get answers, and those that do not are told to pass it.
func TestServeTLSCLI(t *testing.T) {
	dir := t.TempDir()
	mustStory(t, dir, "import", "../../projections/testdata/halvorsen.jsonl")
	auth := filepath.Join(t.TempDir(), "auth.json")
	mustStory(t, "", "auth", "init", auth)
	cert, key, _ := servertest.SelfSigned(t)
	serveInProcess(t, dir, "--auth", auth, "--tls-cert", cert, "--tls-key", key)
	if addr, err := server.ReadAddress(dir); err != nil || !addr.TLS || !strings.HasPrefix(addr.NATSURL, "tls://127.0.0.1:") {
		t.Fatalf("serve.json: %+v, %v; want TLS on loopback", addr, err)
	}
	cases := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"board trusting the certificate", []string{"board", "--org", "halvorsen", "--auth", auth, "--tls-ca", cert}, 0, ""},
		{"info trusting the certificate", []string{"info", "--auth", auth, "--tls-ca", cert}, 0, ""},
		{"board without the CA", []string{"board", "--org", "halvorsen", "--auth", auth}, 1, "pass --tls-ca FILE"},
		{"info without the CA", []string{"info", "--auth", auth}, 1, "pass --tls-ca FILE"},
	}
	for _, c := range cases {
		out, errOut, code := story(t, dir, "", c.args...)
		if code != c.code || !strings.Contains(errOut, c.stderr) {
			t.Errorf("%s: exit %d\nstdout %q\nstderr %q\nwant exit %d and %q", c.name, code, out, errOut, c.code, c.stderr)
		}
	}
}
