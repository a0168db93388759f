package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"storyline/archive"
	"storyline/projector"
)

var update = flag.Bool("update", false, "rewrite golden files")

// story runs the command in process against dataDir and returns its output
// and exit code, as a user would see them.
func story(t *testing.T, dataDir string, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv: func(string) string { return "" }}
	if dataDir != "" {
		args = append(args, "--data-dir", dataDir)
	}
	err := m.Run(context.Background(), args)
	reportErr(&errb, err)
	return out.String(), errb.String(), exitCode(err)
}

func mustStory(t *testing.T, dataDir string, args ...string) string {
	t.Helper()
	out, errOut, code := story(t, dataDir, "", args...)
	if code != 0 {
		t.Fatalf("story %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// checked calls f, a Close, and fails the test if it returns an error,
// without stopping it: called directly, deferred or in a Cleanup.
func checked(t testing.TB, f func() error) {
	t.Helper()
	if err := f(); err != nil {
		t.Error(err)
	}
}

func TestImportBundledTwice(t *testing.T) {
	dir := t.TempDir()
	first := mustStory(t, dir, "import", "--json")
	var r1, r2 importResult
	if err := json.Unmarshal([]byte(first), &r1); err != nil {
		t.Fatalf("%v: %s", err, first)
	}
	if r1.Stored < 100 || r1.Rejected != 0 {
		t.Fatalf("first import: %+v; want at least 100 stored", r1)
	}
	second := mustStory(t, dir, "import", "--json")
	if err := json.Unmarshal([]byte(second), &r2); err != nil {
		t.Fatal(err)
	}
	if r2.Stored != 0 || r2.Present != r1.Stored+r1.Present {
		t.Fatalf("second import: %+v; want 0 stored, %d present", r2, r1.Stored)
	}
	info := mustStory(t, dir, "info", "--json")
	var st archive.Info
	if err := json.Unmarshal([]byte(info), &st); err != nil {
		t.Fatal(err)
	}
	if st.Messages != uint64(r1.Stored) {
		t.Fatalf("archive holds %d messages, want %d", st.Messages, r1.Stored)
	}
	if out := mustStory(t, dir, "verify"); !strings.HasPrefix(out, "ok:") {
		t.Fatalf("verify: %s", out)
	}
}

func TestImportAnotherStoryTwice(t *testing.T) {
	dir := t.TempDir()
	out := mustStory(t, dir, "import", "testdata/other-story.jsonl")
	if out != "stored 5, already present 0, rejected 0\n" {
		t.Fatalf("first import: %q", out)
	}
	// Flags after the file work as well as before it.
	out, _, code := story(t, "", "", "import", "--data-dir", dir, "testdata/other-story.jsonl")
	if code != 0 || out != "stored 0, already present 5, rejected 0\n" {
		t.Fatalf("second import: exit %d %q", code, out)
	}
}

func TestImportBadFileStoresNothing(t *testing.T) {
	dir := t.TempDir()
	out, errOut, code := story(t, dir, "", "import", "testdata/other-story.jsonl", "testdata/bad-story.jsonl")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"bad-story.jsonl line 2: data.seat: unknown seat \"throne\"",
		"bad-story.jsonl line 3: occurred_at: bad time",
		"bad-story.jsonl line 5: colour: unknown field",
		"bad-story.jsonl line 6: data.how: unknown how \"retired",
		"4 bad line(s); nothing stored",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "line 1:") || strings.Contains(errOut, "line 4:") || strings.Contains(errOut, "other-story") {
		t.Errorf("stderr names a good line:\n%s", errOut)
	}
	if out != "stored 0, already present 0, rejected 4\n" {
		t.Errorf("stdout %q", out)
	}
	var st archive.Info
	if err := json.Unmarshal([]byte(mustStory(t, dir, "info", "--json")), &st); err != nil {
		t.Fatal(err)
	}
	if st.Messages != 0 {
		t.Fatalf("archive holds %d messages after a bad import, want 0", st.Messages)
	}
}

func TestIngestSeedReport(t *testing.T) {
	seed := filepath.Join("..", "..", "article", "testdata", "seed.raw.txt")
	if _, err := os.Stat(seed); err != nil {
		t.Fatalf("seed article fixture: %v", err)
	}
	var fx struct {
		Outlet, URL, Published string
		Keeps                  []string
	}
	b, err := os.ReadFile(filepath.Join("testdata", "seed-ingest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &fx); err != nil || len(fx.Keeps) == 0 {
		t.Fatalf("testdata/seed-ingest.json: %v", err)
	}
	args := []string{"ingest-report", seed, "--outlet", fx.Outlet, "--url", fx.URL, "--published", fx.Published, "--precision", "day"}
	dir := t.TempDir()
	out := mustStory(t, dir, append(args, "--json")...)
	var ev struct {
		Type string
		Data struct{ Body, Lang string }
	}
	if err := json.Unmarshal([]byte(out), &ev); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	body := ev.Data.Body
	pinyin := regexp.MustCompile(`\p{Han}\([a-zü\p{M}āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]+\)`)
	qInName := regexp.MustCompile(`\p{Han}\?\p{Han}`)
	switch {
	case ev.Type != "report.published":
		t.Fatalf("type %q", ev.Type)
	case pinyin.MatchString(body):
		t.Errorf("pinyin reading left: %q", pinyin.FindString(body))
	case qInName.MatchString(body):
		t.Errorf("? left in a name: %q", qInName.FindString(body))
	case strings.Contains(body, ",,") || strings.Contains(body, ",。"):
		t.Error("doubled punctuation left")
	}
	for _, keep := range fx.Keeps {
		if !strings.Contains(body, keep) {
			t.Errorf("repaired body lacks %q", keep)
		}
	}
	if ev.Data.Lang != "zh" {
		t.Errorf("lang %q, want zh", ev.Data.Lang)
	}
	// The same article again stores nothing.
	out = mustStory(t, dir, args...)
	if !strings.HasPrefix(out, "already present") {
		t.Fatalf("second ingest: %q", out)
	}
}

func TestPublishFromFlagsAndStdin(t *testing.T) {
	dir := t.TempDir()
	mustStory(t, dir, "import", "testdata/other-story.jsonl")
	out := mustStory(t, dir, "publish", "--type", "role.started", "--occurred-at", "2024-02-06 10:00 CET",
		"--outlet", "Dagens Test", "--attribution", "official",
		"--data", `{"person":"ingrid-haugen","org":"nordlys-energi","role":"ceo","interim":false}`)
	if !strings.HasPrefix(out, "stored ") || !strings.Contains(out, "story.nordlys-energi.role.started.") {
		t.Fatalf("publish: %q", out)
	}
	line := `{"type":"statement.made","occurred_at":"2024-02-06T11:00:00+01:00","reported_at":"2024-02-06T11:00:00+01:00","source":{"outlet":"Dagens Test","attribution":"on_record"},"data":{"by":"ingrid-haugen","text":"Glad to be back.","lang":"en"}}`
	out, errOut, code := story(t, dir, line, "publish")
	if code != 0 || !strings.HasPrefix(out, "stored ") {
		t.Fatalf("publish from stdin: exit %d %q %q", code, out, errOut)
	}
	out, _, _ = story(t, dir, line, "publish")
	if !strings.HasPrefix(out, "already present") {
		t.Fatalf("publish again: %q", out)
	}
	// An optimistic write on a stale view of the entity is refused.
	_, errOut, code = story(t, dir, "", "publish", "--type", "role.ended", "--occurred-at", "2024-03-01 10:00 CET",
		"--outlet", "Dagens Test", "--attribution", "official", "--expect-entity-seq", "3",
		"--data", `{"person":"ingrid-haugen","org":"nordlys-energi","role":"ceo","how":"resigned"}`)
	if code != 1 || !strings.Contains(errOut, "conflict") {
		t.Fatalf("stale write: exit %d %q", code, errOut)
	}
}

func TestBadInputExitCodes(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown command", []string{"frobnicate"}, 1, `unknown command "frobnicate"`},
		{"unknown flag", []string{"import", "--frob"}, 1, "flag provided but not defined: -frob"},
		{"missing file", []string{"import", "testdata/nope.jsonl"}, 1, "nope.jsonl"},
		{"publish without outlet", []string{"publish", "--type", "statement.made", "--occurred-at", "2024-01-01", "--attribution", "official", "--data", `{"by":"x","text":"t","lang":"en"}`}, 1, "source.outlet: required field missing"},
		{"publish bad time", []string{"publish", "--type", "statement.made", "--occurred-at", "yesterday"}, 1, "bad time"},
		{"ingest without outlet", []string{"ingest-report", "testdata/other-story.jsonl", "--published", "2024-01-01"}, 1, "--outlet is required"},
		{"export bad format", []string{"export", "--format", "xml"}, 1, `--format "xml"`},
		{"bad --at", []string{"board", "--org", "x", "--at", "2023-13-45"}, 1, `invalid value "2023-13-45" for flag -at`},
		{"an offset of a whole day", []string{"board", "--org", "x", "--at", "2023-11-20T12:00:00-24:00"}, 1, "flag -at"},
		{"bad --tz", []string{"board", "--org", "x", "--tz", "Mars/Base"}, 1, `unknown zone "Mars/Base"`},
		{"board without --org", []string{"board"}, 1, "org: required"},
		{"replay --speed 0", []string{"replay", "--speed", "0"}, 1, "--speed 0"},
		{"replay negative speed", []string{"replay", "--speed", "-5"}, 1, "--speed -5"},
		{"replay negative max gap", []string{"replay", "--max-gap", "-1s"}, 1, "--max-gap"},
		{"replay speed and step", []string{"replay", "--speed", "60", "--step"}, 1, "--speed and --step"},
		{"replay from after until", []string{"replay", "--from", "2023-11-20", "--until", "2023-11-10"}, 1, "from: 2023-11-20T00:00:00Z is after until"},
		{"replay with an argument", []string{"replay", "extra"}, 1, "want no arguments"},
		{"diff from after to", []string{"diff", "--from", "2023-11-30", "--to", "2023-11-16"}, 1, "is after to"},
		{"demo negative seconds", []string{"demo", "--seconds", "-1"}, 1, "--seconds -1"},
		{"watch with an argument", []string{"watch", "extra"}, 1, "want no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := story(t, dir, "", tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d and %q", code, errOut, tt.code, tt.want)
			}
		})
	}
	t.Run("help", func(t *testing.T) {
		for _, cmd := range []string{"replay", "board", "serve", "import"} {
			out, errOut, code := story(t, "", "", cmd, "-h")
			if code != 0 || strings.Count(out, "usage: story "+cmd) != 1 || errOut != "" {
				t.Errorf("%s -h: exit %d, stdout %q, stderr %q; want the usage once on stdout, exit 0", cmd, code, out, errOut)
			}
		}
		_, errOut, _ := story(t, "", "", "replay", "--until", "soon")
		if strings.Contains(errOut, "usage:") || strings.Count(errOut, "\n") != 1 {
			t.Errorf("a bad flag prints more than its one line: %q", errOut)
		}
	})
	t.Run("unreachable server", func(t *testing.T) {
		_, errOut, code := story(t, "", "", "info", "--nats-url", "nats://127.0.0.1:1", "--data-dir", dir)
		if code != 2 || !strings.Contains(errOut, "unreachable") {
			t.Fatalf("exit %d, stderr %q; want 2", code, errOut)
		}
	})
}

// TestExportRoundTrip: an export is the backup; importing it into an empty
// data dir restores the same archive — same records in the same order,
// hence the same chain head, and an export of the restored archive is
// byte for byte the first one.
func TestExportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	var first, second importResult
	for i, args := range [][]string{{"import", "--json"}, {"import", "testdata/other-story.jsonl", "--json"}} {
		if err := json.Unmarshal([]byte(mustStory(t, dir, args...)), []*importResult{&first, &second}[i]); err != nil {
			t.Fatal(err)
		}
	}
	want := first.Stored + second.Stored
	exported := filepath.Join(t.TempDir(), "backup.jsonl")
	mustStory(t, dir, "export", "--out", exported)
	restored := t.TempDir()
	var res importResult
	if err := json.Unmarshal([]byte(mustStory(t, restored, "import", exported, "--json")), &res); err != nil {
		t.Fatal(err)
	}
	if want < 200 || res.Stored != want || res.Present != 0 || res.Rejected != 0 {
		t.Fatalf("import of the export: %+v; want the %d stored before", res, want)
	}
	a := mustStory(t, dir, "verify", "--json")
	b := mustStory(t, restored, "verify", "--json")
	var va, vb map[string]any
	if err := json.Unmarshal([]byte(a), &va); err != nil {
		t.Fatalf("%v: %s", err, a)
	}
	if err := json.Unmarshal([]byte(b), &vb); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	if va["chain"] == nil || va["chain"] != vb["chain"] || va["records"] != vb["records"] {
		t.Fatalf("verify differs:\n%s\n%s", a, b)
	}
	again := filepath.Join(t.TempDir(), "again.jsonl")
	mustStory(t, restored, "export", "--out", again)
	x, _ := os.ReadFile(exported)
	y, _ := os.ReadFile(again)
	if sx, sy := sha256.Sum256(x), sha256.Sum256(y); sx != sy || len(x) == 0 {
		t.Fatalf("export of the restored archive differs: sha256 %x vs %x", sx, sy)
	}
	t.Logf("%d events: chain head %v, export sha256 %x on both", want, va["chain"], sha256.Sum256(x))
	ce := mustStory(t, dir, "export", "--format", "cloudevents")
	if n := strings.Count(ce, `"specversion":"1.0"`); n != want {
		t.Fatalf("cloudevents export has %d events, want %d", n, want)
	}
}

func TestVerifyNamesTheFirstBadSequence(t *testing.T) {
	for _, damage := range []string{"bit flip", "truncated tail"} {
		t.Run(damage, func(t *testing.T) {
			dir := damagedDir(t, damage)
			out, errOut, code := story(t, dir, "", "verify")
			if code != 1 || !regexp.MustCompile(`first bad sequence \d+`).MatchString(errOut) {
				t.Fatalf("verify after a %s: exit %d\n%s%s", damage, code, out, errOut)
			}
			// The views must not answer from a damaged archive as if it
			// were whole, nor may new events extend its chain.
			for _, args := range [][]string{{"timeline"}, {"claims"}, {"import"}} {
				out, errOut, code := story(t, dir, "", args...)
				if code != 1 || !strings.Contains(errOut, "archive damaged") || !strings.Contains(errOut, "story verify") {
					t.Errorf("%s after a %s: exit %d, want 1 and a pointer to story verify\n%s%s", args[0], damage, code, out, errOut)
				}
			}
		})
	}
}

// damagedDir imports the bundled story into a fresh data dir, checks that
// verify finds it sound, then damages its block file on disk: a "bit flip"
// or a "truncated tail".
func damagedDir(t *testing.T, damage string) string {
	t.Helper()
	dir := t.TempDir()
	mustStory(t, dir, "import")
	if out := mustStory(t, dir, "verify"); !strings.HasPrefix(out, "ok:") {
		t.Fatalf("verify of a sound archive: %q", out)
	}
	blks, _ := filepath.Glob(filepath.Join(dir, "jetstream", "*", "streams", "STORY", "msgs", "*.blk"))
	if len(blks) == 0 {
		t.Fatal("no block file")
	}
	b, err := os.ReadFile(blks[0])
	if err != nil {
		t.Fatal(err)
	}
	if damage == "bit flip" {
		b[len(b)/2] ^= 0x04
	} else {
		b = b[:len(b)-700]
	}
	if err := os.WriteFile(blks[0], b, 0o640); err != nil {
		t.Fatal(err)
	}
	// The import left a snapshot of the views, which covers the damaged
	// records: commands would answer from it (the views as they were when
	// whole) and only verify reads every record. Without it, the views
	// are rebuilt from the stream and meet the damage.
	if err := os.RemoveAll(projector.Dir(dir)); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestGlobalFlagsBeforeTheCommand(t *testing.T) {
	dir := t.TempDir()
	mustStory(t, "", "--data-dir", dir, "import", "../../projections/testdata/halvorsen.jsonl")
	at := []string{"--at", "2024-02-20", "--known-at", "2025-01-01"}
	after := mustStory(t, dir, append([]string{"board", "--org", "halvorsen", "--json"}, at...)...)
	if !strings.Contains(after, `"members":[{`) {
		t.Fatalf("no board to compare: %s", after)
	}
	for _, args := range [][]string{
		{"--data-dir", dir, "board", "--org", "halvorsen", "--json"},
		{"--data-dir=" + dir, "board", "--json", "--org", "halvorsen"},
		{"--lazy-sync", "--data-dir", dir, "board", "--org", "halvorsen", "--json"},
	} {
		args = append(args, at...)
		if got := mustStory(t, "", args...); got != after {
			t.Errorf("story %s answered differently from the flags after the command", strings.Join(args, " "))
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--bogus", "board"}, "--bogus: not a global flag"},
		{[]string{"--data-dir"}, "--data-dir: flag needs a value"},
		{[]string{"--data-dir", dir}, "no command given"},
	} {
		_, errOut, code := story(t, "", "", tc.args...)
		if code != 1 || !strings.Contains(errOut, tc.want) {
			t.Errorf("story %s: exit %d, stderr %q; want 1 and %q", strings.Join(tc.args, " "), code, errOut, tc.want)
		}
	}
}

// TestTimelineJSONIsOneEventPerLine: DESIGN.md prints timeline, replay and
// watch as one event per line, each the event format plus seq.
func TestTimelineJSONIsOneEventPerLine(t *testing.T) {
	dir := t.TempDir()
	mustStory(t, dir, "import", "../../projections/testdata/halvorsen.jsonl")
	lines := strings.Split(strings.TrimSuffix(mustStory(t, dir, "timeline", "--json"), "\n"), "\n")
	if len(lines) < 10 {
		t.Fatalf("%d lines", len(lines))
	}
	seen := map[uint64]bool{}
	for i, l := range lines {
		var ev struct {
			Seq  uint64 `json:"seq"`
			ID   string `json:"id"`
			Type string `json:"type"`
		}
		if err := json.Unmarshal([]byte(l), &ev); err != nil || ev.Seq == 0 || ev.ID == "" || ev.Type == "" || seen[ev.Seq] {
			t.Fatalf("line %d is not one event with its seq: %v: %s", i+1, err, l)
		}
		seen[ev.Seq] = true
	}
}

// TestDisplayZoneFromEnvironment: $STORY_TZ (else $TZ) is the zone times
// are shown in and typed times without a zone are read in.
func TestDisplayZoneFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	mustStory(t, dir, "import", "../../projections/testdata/halvorsen.jsonl")
	for _, tc := range []struct {
		env        map[string]string
		wantOffset string
	}{
		{map[string]string{"STORY_TZ": "Asia/Singapore", "TZ": "Europe/Oslo"}, "+08:00"},
		{map[string]string{"TZ": "Europe/Oslo"}, "+01:00"},
		{map[string]string{"STORY_TZ": "Nowhere/Else"}, "Z"},
		{nil, "Z"},
	} {
		var out, errb bytes.Buffer
		m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return tc.env[k] }}
		if err := m.Run(context.Background(), []string{"board", "--org", "halvorsen-robotics", "--at", "2024-02-12 12:00", "--json", "--data-dir", dir}); err != nil {
			t.Fatalf("%v: %v %s", tc.env, err, errb.String())
		}
		var b struct {
			At string `json:"at"`
		}
		if err := json.Unmarshal(out.Bytes(), &b); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(b.At, "2024-02-12T12:00:00") || !strings.HasSuffix(b.At, tc.wantOffset) {
			t.Errorf("%v: --at read as %s, want 12:00 at %s", tc.env, b.At, tc.wantOffset)
		}
	}
}

// TestBackupRestoresWhatTheArchiveHeld: what an archive accepted (an
// undescribed entity, with --allow-undescribed) its export restores
// without the writer's flags.
func TestBackupRestoresWhatTheArchiveHeld(t *testing.T) {
	dir, restored := t.TempDir(), t.TempDir()
	file := filepath.Join(t.TempDir(), "loose.jsonl")
	line := `{"key":"loose","type":"statement.made","occurred_at":"2024-05-10 14:00 Europe/Oslo","reported_at":"2024-05-10 14:00 Europe/Oslo","source":{"outlet":"Wire","attribution":"on_record"},"data":{"by":"nobody-described","text":"Hello.","lang":"en"}}` + "\n"
	if err := os.WriteFile(file, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := story(t, dir, "", "import", file); code == 0 || !strings.Contains(errOut, "undescribed entity") {
		t.Fatalf("import of an undescribed entity: exit %d, %q", code, errOut)
	}
	mustStory(t, dir, "import", file, "--allow-undescribed")
	backup := filepath.Join(t.TempDir(), "backup.jsonl")
	mustStory(t, dir, "export", "--out", backup)
	if out := mustStory(t, restored, "import", backup); !strings.HasPrefix(out, "stored 1,") {
		t.Errorf("restore: %q", out)
	}
}

// TestImportSaysWhatIsQuarantined: an import that stores a forged erratum
// (of another type than the record it names) says so and exits 1; the
// rest is stored.
func TestImportSaysWhatIsQuarantined(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(t.TempDir(), "forged.jsonl")
	lines := `{"type":"entity.described","occurred_at":"2024-01-01 UTC","reported_at":"2024-01-01 UTC","source":{"outlet":"E","attribution":"archive"},"data":{"id":"acme","kind":"org","name":"Acme"}}
{"key":"said","type":"statement.made","occurred_at":"2024-05-10 14:00 UTC","reported_at":"2024-05-10 14:00 UTC","source":{"outlet":"Wire","attribution":"on_record"},"data":{"by":"acme","text":"Hello.","lang":"en"}}
{"type":"claim.reported","erratum":"said","occurred_at":"2024-05-10 14:00 UTC","reported_at":"2024-05-10 14:00 UTC","source":{"outlet":"Wire","attribution":"anonymous"},"data":{"about":["acme"],"text":"Not what was said.","lang":"en"}}
`
	if err := os.WriteFile(file, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := story(t, dir, "", "import", file, "--json")
	var res importResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if code != 1 || res.Stored != 3 || len(res.Quarantined) != 1 || !strings.Contains(errOut, "an erratum keeps the type") {
		t.Errorf("import of a forged erratum: exit %d, %+v\n%s", code, res, errOut)
	}
	if q := mustStory(t, dir, "quarantine"); !strings.Contains(q, "forged_supersedes") {
		t.Errorf("story quarantine: %s", q)
	}
}
