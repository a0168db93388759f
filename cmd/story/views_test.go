package main

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"storyline/archive"
	"storyline/query"
	"storyline/query/querytest"
	"storyline/server"
	"storyline/table"
)

// TestEveryViewIsShownByTheCLI: each view of the table has a printer, or
// says why it has a command of its own or none; nothing here names a view
// the table lacks, and every view with a CSV table is a view.
func TestEveryViewIsShownByTheCLI(t *testing.T) {
	names := query.Views().Names()
	for _, name := range names {
		cv, ok := cliViews[name]
		switch {
		case !ok:
			t.Errorf("view %s: no printer in cliViews, and no word on why it has none", name)
		case (cv.print == nil) == (cv.own == ""):
			t.Errorf("view %s: want a printer or a command of its own, one of them", name)
		case cv.print != nil && viewCommands[name].run == nil:
			t.Errorf("view %s has a printer but no command", name)
		}
	}
	for _, name := range slices.Concat(slices.Collect(maps.Keys(cliViews)), table.Names()) {
		if !slices.Contains(names, name) {
			t.Errorf("%s is no view of the table", name)
		}
	}
}

// TestAddedViewHasACommand adds a view to the table in the test: it is a
// command in the usage, with its parameters as flags, and asks a running
// serve of that table through its micro endpoint.
func TestAddedViewHasACommand(t *testing.T) {
	views, err := query.Views().With(querytest.Headcount())
	if err != nil {
		t.Fatal(err)
	}
	cmd, ok := commandsFor(views)["headcount"]
	if !ok || cmd.summary != "how many sit on an org's board at (at, known_at)" {
		t.Fatalf("no headcount command from the table (%+v)", cmd)
	}
	commands["headcount"] = cmd
	t.Cleanup(func() { delete(commands, "headcount") })
	usage, _, _ := story(t, "", "", "help")
	if !strings.Contains(usage, "  headcount      how many sit on an org's board") {
		t.Errorf("story help lacks headcount:\n%s", usage)
	}
	help, _, code := story(t, "", "", "headcount", "-h")
	for _, want := range []string{"usage: story headcount --org ORG [--at T] [--known-at T] [--json] [--tz ZONE]", "-org string", "organisation: id, alias or unambiguous prefix (required)", "-known-at value"} {
		if code != 0 || !strings.Contains(help, want) {
			t.Errorf("story headcount -h lacks %q (exit %d):\n%s", want, code, help)
		}
	}
	if strings.Contains(help, "-csv") || strings.Contains(help, "-story") {
		t.Errorf("headcount offers a flag it does not take:\n%s", help)
	}

	dir := t.TempDir()
	mustStory(t, dir, "import", "../../projections/testdata/halvorsen.jsonl")
	s, err := server.Open(context.Background(), server.Config{Archive: archive.Config{DataDir: dir, Listen: "127.0.0.1:-1"}}, query.NewEngineFor(views))
	if err != nil {
		t.Fatal(err)
	}
	defer checked(t, s.Close)
	var got querytest.HeadcountAnswer
	out := mustStory(t, dir, "headcount", "--org", "halvorsen", "--at", "2024-02-16 12:00 CET", "--known-at", "2025-01-01")
	if err := json.Unmarshal([]byte(out), &got); err != nil || got.Org != "halvorsen-robotics" || got.Members == 0 {
		t.Errorf("story headcount through serve: %v %q", err, out)
	}
	if _, errOut, code := story(t, dir, "", "headcount"); code != 1 || !strings.Contains(errOut, "headcount: org: required") {
		t.Errorf("headcount without --org: exit %d, %q", code, errOut)
	}
}
