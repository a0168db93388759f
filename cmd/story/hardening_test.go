package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"storyline/archive"
	"storyline/archive/archivetest"
	"storyline/events"
	"storyline/poll"
	"storyline/query"
	"storyline/server"
)

const halvorsen = "../../projections/testdata/halvorsen.jsonl"

// runStory runs a command in process in the background; its result comes
// on the channel, its output in the buffers.
func runStory(ctx context.Context, stdout, stderr io.Writer, args ...string) <-chan error {
	done := make(chan error, 1)
	go func() {
		m := &Main{Stdin: strings.NewReader(""), Stdout: stdout, Stderr: stderr, Getenv: func(string) string { return "" }}
		err := m.Run(ctx, args)
		reportErr(stderr, err)
		done <- err
	}()
	return done
}

// TestShortFeedClientsLeaveTheArchiveReadable is the first attack of issue
// 16: 1,500 short /events connections used to leave a consumer each, so
// that verify, export, watch and new feed clients failed with "maximum
// consumers limit reached" for minutes. The feed's clients now share
// serve's read; afterwards every command works and the stream has no more
// consumers than before.
func TestShortFeedClientsLeaveTheArchiveReadable(t *testing.T) {
	dir := t.TempDir()
	mustStory(t, dir, "import")
	serveInProcess(t, dir, "--http", "127.0.0.1:0")
	addr, err := server.ReadAddress(dir)
	if err != nil {
		t.Fatal(err)
	}
	consumers := streamConsumers(t, addr.NATSURL)
	var ok atomic.Int32
	var wg sync.WaitGroup
	slots := make(chan struct{}, 50)
	hc := &http.Client{Timeout: 30 * time.Second}
	for range 1500 {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			resp, err := hc.Get("http://" + addr.HTTP + "/events")
			if err != nil {
				return
			}
			defer checked(t, resp.Body.Close)
			line, _ := bufio.NewReader(resp.Body).ReadString('\n')
			if resp.StatusCode == http.StatusOK && line == "id: 1\n" {
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 1500 {
		t.Fatalf("%d of 1500 feed clients got the first event", ok.Load())
	}
	if n := streamConsumers(t, addr.NATSURL); n != consumers {
		t.Errorf("%d consumers on the stream after 1500 feed clients; %d before", n, consumers)
	}

	if out := mustStory(t, dir, "verify"); !strings.HasPrefix(out, "ok:") {
		t.Errorf("verify: %s", out)
	}
	backup := filepath.Join(t.TempDir(), "backup.jsonl")
	mustStory(t, dir, "export", "--out", backup)
	b, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	stored := strings.Count(string(b), "\n")
	var watched lockedBuffer
	wctx, stop := context.WithCancel(context.Background())
	done := runStory(wctx, &watched, io.Discard, "watch", "--data-dir", dir, "--from-seq", "1", "--json")
	poll.Until(t, "watch to print every event", func() bool { return strings.Count(watched.String(), "\n") == stored })
	stop()
	if err := <-done; err != nil {
		t.Errorf("watch: %v", err)
	}
	resp, err := hc.Get("http://" + addr.HTTP + "/events?from_seq=" + fmt.Sprint(stored))
	if err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(resp.Body).ReadString('\n')
	checked(t, resp.Body.Close)
	if line != fmt.Sprintf("id: %d\n", stored) {
		t.Errorf("a new feed client got %q", line)
	}
	t.Logf("1500 feed clients, then verify, export (%d events), watch and a new feed client: all served", stored)
}

func streamConsumers(t *testing.T, url string) int {
	t.Helper()
	return archivetest.Consumers(t, url, "STORY")
}

// TestExportRefusesDamage: an export of a damaged archive is not a backup:
// it exits 1 naming the first bad sequence, and --out leaves no file.
// With --salvage it writes every event that can be read and says on
// stderr what is missing.
func TestExportRefusesDamage(t *testing.T) {
	firstBad := regexp.MustCompile(`first bad sequence (\d+)`)
	for _, damage := range []string{"bit flip", "truncated tail"} {
		t.Run(damage, func(t *testing.T) {
			dir := damagedDir(t, damage)
			_, verr, _ := story(t, dir, "", "verify")
			want := firstBad.FindString(verr)
			backup := filepath.Join(t.TempDir(), "backup.jsonl")
			out, errOut, code := story(t, dir, "", "export", "--out", backup)
			if code != 1 || want == "" || !strings.Contains(errOut, want+":") || !strings.Contains(errOut, "not a complete backup") {
				t.Errorf("export --out: exit %d\n%s%s\nwant exit 1 naming %q as verify does", code, out, errOut, want)
			}
			if left, _ := filepath.Glob(filepath.Join(filepath.Dir(backup), "*")); len(left) != 0 {
				t.Errorf("export of a damaged archive left %v", left)
			}
			if _, errOut, code := story(t, dir, "", "export"); code != 1 || !strings.Contains(errOut, want+":") {
				t.Errorf("export to stdout: exit %d, %q; want exit 1 naming %q", code, errOut, want)
			}

			_, errOut, code = story(t, dir, "", "export", "--out", backup, "--salvage")
			b, err := os.ReadFile(backup)
			if code != 0 || err != nil || !strings.Contains(errOut, "--salvage: seq ") {
				t.Fatalf("export --salvage: exit %d, %v\n%s", code, err, errOut)
			}
			var rep struct{ Records int }
			if out := mustStoryJSON(t, dir, "verify", "--json"); json.Unmarshal([]byte(out), &rep) != nil {
				t.Fatalf("verify --json: %s", out)
			}
			if n := strings.Count(string(b), "\n"); n != rep.Records || n == 0 {
				t.Errorf("salvaged %d events; verify read %d records", n, rep.Records)
			}
			t.Logf("%s: refused with %q; salvaged %d events: %s", damage, want, rep.Records, strings.TrimSpace(errOut))
		})
	}
}

// mustStoryJSON runs a command that may exit 1 and returns its stdout.
func mustStoryJSON(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, _, _ := story(t, dir, "", args...)
	return out
}

// TestPublishSaysWhenQuarantined: an event stored but quarantined by the
// screen — here a correction of an event of another type — is reported as
// quarantined, with the reason, and exit 1, in process and through serve.
func TestPublishSaysWhenQuarantined(t *testing.T) {
	dir := t.TempDir()
	mustStory(t, dir, "import", halvorsen)
	target := firstOfType(t, halvorsen, events.BoardSeatTaken)
	publish := func(text string, extra ...string) (string, string, int) {
		args := append([]string{"publish", "--type", "statement.made", "--occurred-at", "2025-06-01 12:00 CET",
			"--outlet", "Test", "--attribution", "on_record", "--data", `{"by":"halvorsen-robotics","text":"` + text + `","lang":"en"}`}, extra...)
		return story(t, dir, "", args...)
	}
	for _, via := range []string{"in process", "through serve"} {
		if via == "through serve" {
			serveInProcess(t, dir)
		}
		out, errOut, code := publish("a forged correction, "+via, "--supersedes", target)
		if code != 1 || !strings.HasPrefix(out, "quarantined ") || !strings.Contains(errOut, "forged_supersedes") || !strings.Contains(errOut, "left out of every view") {
			t.Errorf("%s: a forged correction: exit %d\n%s%s\nwant exit 1, quarantined, and why", via, code, out, errOut)
		}
		if out, errOut, code := publish("an ordinary statement, " + via); code != 0 || !strings.HasPrefix(out, "stored ") {
			t.Errorf("%s: an ordinary event: exit %d\n%s%s", via, code, out, errOut)
		}
	}
}

func firstOfType(t *testing.T, path string, typ events.Type) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer checked(t, f.Close)
	evs, _ := events.ReadAll(f, path)
	for _, e := range evs {
		if e.Type == typ {
			return e.ID
		}
	}
	t.Fatalf("no %s in %s", typ, path)
	return ""
}

// TestCommandWaitsForServeToStart: a command issued while serve starts —
// it holds the data dir and has not recorded that it answers — says so and
// waits, then answers through serve once it is up, rather than fail with
// "data dir in use" or "no responders"; with nothing coming it gives up
// after --wait.
func TestCommandWaitsForServeToStart(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		block func(t *testing.T, dir string) (release func())
	}{
		{"data dir held before serve records anything", func(t *testing.T, dir string) func() {
			a, err := archive.Open(ctx, archive.Config{DataDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			return func() { archivetest.Close(t, a) }
		}},
		{"serve recorded as starting", func(t *testing.T, dir string) func() {
			if err := server.WriteAddress(dir, server.Address{PID: os.Getpid(), Starting: true}); err != nil {
				t.Fatal(err)
			}
			return func() {}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			mustStory(t, dir, "import", halvorsen)
			release := tt.block(t, dir)
			var out, errOut lockedBuffer
			done := runStory(ctx, &out, &errOut, "board", "--org", "halvorsen", "--json", "--data-dir", dir)
			poll.Until(t, "the command to say it waits", func() bool { return strings.Contains(errOut.String(), "waiting up to 30s") })
			release()
			serveInProcess(t, dir)
			if err := <-done; err != nil || !strings.Contains(out.String(), `"members"`) {
				t.Fatalf("board issued during serve's start: %v\n%s%s", err, out.String(), errOut.String())
			}
			t.Logf("said: %s", strings.TrimSpace(errOut.String()))
		})
	}
	dir := t.TempDir()
	mustStory(t, dir, "import", halvorsen)
	a, err := archive.Open(ctx, archive.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer archivetest.Close(t, a)
	_, errOut, code := story(t, dir, "", "board", "--org", "halvorsen", "--wait", "300ms")
	if code != 1 || !strings.Contains(errOut, "waited 300ms") || !strings.Contains(errOut, "pid") {
		t.Errorf("with the data dir held throughout: exit %d, %q; want exit 1 saying how long it waited and who holds it", code, errOut)
	}
}

// TestStoryTakesOnlyServesAnswers: on a server anyone may use (--nats-url),
// a stranger answering on the service subjects in serve's place is not
// believed: `story board` prints serve's board, and without serve's key in
// its data dir it reads the archive itself, saying why.
func TestStoryTakesOnlyServesAnswers(t *testing.T) {
	ctx := context.Background()
	url := archivetest.OpenServer(t)
	dir := t.TempDir()
	mustStory(t, dir, "import", halvorsen, "--nats-url", url)
	s, err := server.Open(ctx, server.Config{Archive: archive.Config{DataDir: dir, NATSURL: url}}, query.NewEngine())
	if err != nil {
		t.Fatal(err)
	}
	defer checked(t, s.Close)
	archivetest.Impostor(t, url, []string{server.ServiceSubject + ".>", "$SRV.PING.story"},
		[]byte(`{"org":"halvorsen-robotics","members":[{"person":"mallory","seat":"chair"}],"observers":[]}`))
	board := []string{"board", "--org", "halvorsen", "--at", "2025-07-01", "--known-at", "2025-07-01", "--json", "--nats-url", url}
	want := mustStory(t, dir, board...)
	if strings.Contains(want, "mallory") || !strings.Contains(want, "anna-berg") {
		t.Fatalf("story board with a stranger answering too: %s", want)
	}
	out, errOut, code := story(t, t.TempDir(), "", board...)
	if code != 0 || out != want || !strings.Contains(errOut, "serve.pub") {
		t.Errorf("without serve's key: exit %d\n%s%s\nwant the board read from the archive and a note", code, out, errOut)
	}
}
