package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"storyline/projections"
)

// asOfCase is one as-of question of testdata/*-asof.jsonl. The questions
// live in data files, so no Go code names the story's people.
type asOfCase struct {
	Name    string `json:"name"`
	View    string `json:"view"`
	Org     string `json:"org"`
	Person  string `json:"person"`
	At      string `json:"at"`
	KnownAt string `json:"known_at"`
	// board
	Members   []string `json:"members"`
	Chair     *string  `json:"chair"`
	Observers []string `json:"observers"`
	// roles
	Role    string `json:"role"`
	Holder  string `json:"holder"`
	Interim *bool  `json:"interim"`
	// status
	Positions   []string `json:"positions"`
	NoPositions []string `json:"no_positions"`
	Announced   string   `json:"announced"`
	Summary     string   `json:"summary"`
	// claims: the claim whose id ends so (the version standing at K),
	// its outcome, the id its original ends with, its parts' outcomes,
	// and whether its lead is uncertain; Absent: not listed at all.
	Claim         string   `json:"claim"`
	Outcome       string   `json:"outcome"`
	Original      string   `json:"original"`
	Parts         []string `json:"parts"`
	LeadUncertain *bool    `json:"lead_uncertain"`
	Absent        bool     `json:"absent"`
	AsRecorded    string   `json:"as_recorded"`
	// sources: an outlet (as typed) and its counts "claims/confirmed/relayed/carried".
	Outlet string `json:"outlet"`
	Counts string `json:"counts"`
}

func loadCases(t *testing.T, path string) []asOfCase {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer checked(t, f.Close)
	var out []asOfCase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var c asOfCase
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			t.Fatalf("%s: %v: %s", path, err, sc.Text())
		}
		out = append(out, c)
	}
	return out
}

// runAsOf answers every case through the CLI with --json on dir and checks
// the answer field by field.
func runAsOf(t *testing.T, dir string, cases []asOfCase) {
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			args := []string{c.View, "--json", "--at", c.At}
			if c.KnownAt != "" {
				args = append(args, "--known-at", c.KnownAt)
			}
			if c.Org != "" {
				args = append(args, "--org", c.Org)
			}
			if c.Person != "" {
				args = append(args, c.Person)
			}
			if c.AsRecorded != "" {
				args = append(args, "--as-recorded", c.AsRecorded)
			}
			out := mustStory(t, dir, args...)
			switch c.View {
			case "board":
				checkBoard(t, c, out)
			case "roles":
				checkRoles(t, c, out)
			case "status":
				checkStatus(t, c, out)
			case "claims":
				checkClaim(t, c, out)
			case "sources":
				checkSources(t, dir, c, out)
			default:
				t.Fatalf("unknown view %q in the table", c.View)
			}
		})
	}
}

func checkBoard(t *testing.T, c asOfCase, out string) {
	var b boardJSON
	if err := json.Unmarshal([]byte(out), &b); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	var got []string
	chair := ""
	for _, m := range b.Members {
		got = append(got, m.Person)
		if m.Seat == "chair" {
			chair = m.Person
		}
		if m.Seat != "director" && m.Seat != "chair" {
			t.Errorf("member %s has seat %q", m.Person, m.Seat)
		}
	}
	sort.Strings(got)
	if c.Members != nil && !slices.Equal(got, c.Members) {
		t.Errorf("members %v, want %v", got, c.Members)
	}
	if c.Chair != nil && chair != *c.Chair {
		t.Errorf("chair %q, want %q", chair, *c.Chair)
	}
	if c.Observers != nil {
		var obs []string
		for _, o := range b.Observers {
			obs = append(obs, o.Person)
		}
		if len(obs) != len(c.Observers) || (len(obs) > 0 && !slices.Equal(obs, c.Observers)) {
			t.Errorf("observers %v, want %v", obs, c.Observers)
		}
	}
}

func checkRoles(t *testing.T, c asOfCase, out string) {
	var r rolesJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	var holders []roleJSON
	for _, x := range r.Roles {
		if x.Role == c.Role {
			holders = append(holders, x)
		}
	}
	if c.Holder == "" {
		if len(holders) != 0 {
			t.Errorf("%s held by %+v, want vacant", c.Role, holders)
		}
		return
	}
	if len(holders) != 1 || holders[0].Person != c.Holder {
		t.Fatalf("%s held by %+v, want %s", c.Role, holders, c.Holder)
	}
	if c.Interim != nil && holders[0].Interim != *c.Interim {
		t.Errorf("interim %v, want %v", holders[0].Interim, *c.Interim)
	}
	if holders[0].Since == "" {
		t.Errorf("no since for %s", c.Holder)
	}
}

func checkStatus(t *testing.T, c asOfCase, out string) {
	var s statusJSON
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	held := map[string]bool{}
	for _, p := range s.Positions {
		held[p.Org+":"+p.Role] = true
	}
	for _, p := range c.Positions {
		if !held[p] {
			t.Errorf("position %s missing: %+v", p, s.Positions)
		}
	}
	for _, p := range c.NoPositions {
		if held[p] {
			t.Errorf("position %s still held: %+v", p, s.Positions)
		}
	}
	if c.Announced != "" {
		found := false
		for _, a := range s.Announced {
			found = found || a.Org == c.Announced
		}
		if !found {
			t.Errorf("not announced to join %s: %s", c.Announced, s.Announced)
		}
	}
	if c.Summary != "" && !strings.Contains(s.Summary, c.Summary) {
		t.Errorf("summary %q lacks %q", s.Summary, c.Summary)
	}
}

func TestBundledStoryAsOf(t *testing.T) {
	dir := t.TempDir()
	mustStory(t, dir, "import")
	cases := loadCases(t, "testdata/bundled-asof.jsonl")
	if len(cases) < 30 {
		t.Fatalf("%d questions, want at least 30", len(cases))
	}
	runAsOf(t, dir, cases)
}

func TestInventedClaimsAsOf(t *testing.T) {
	dir := t.TempDir()
	mustStory(t, dir, "import", "../../projections/testdata/claims-story.jsonl")
	cases := loadCases(t, "testdata/claims-asof.jsonl")
	if len(cases) < 10 {
		t.Fatalf("%d questions, want at least 10", len(cases))
	}
	runAsOf(t, dir, cases)
}

func TestInventedStoryAsOf(t *testing.T) {
	dir := t.TempDir()
	story := "../../projections/testdata/halvorsen.jsonl"
	mustStory(t, dir, "import", story)
	if out := mustStory(t, dir, "import", story); !strings.HasPrefix(out, "stored 0,") {
		t.Fatalf("second import: %q", out)
	}
	cases := loadCases(t, "testdata/invented-asof.jsonl")
	if len(cases) < 20 {
		t.Fatalf("%d questions, want at least 20", len(cases))
	}
	runAsOf(t, dir, cases)
}

// TestBundledReplayAndDiff checks what issue 4 promises of the bundled
// story: a replay to Sunday evening, as the public knew it then, ends with
// the interim CEO of that moment; the diff over the crisis lists its board
// and role changes. Expectations live in testdata, by entity id.
func TestBundledReplayAndDiff(t *testing.T) {
	var want struct {
		Until           string   `json:"until"`
		KnownAt         string   `json:"known_at"`
		InterimCEO      string   `json:"interim_ceo"`
		DiffFrom        string   `json:"diff_from"`
		DiffTo          string   `json:"diff_to"`
		DiffMustMention []string `json:"diff_must_mention"`
	}
	b, err := os.ReadFile("testdata/bundled-replay.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	mustStory(t, dir, "import")
	out := mustStory(t, dir, "replay", "--until", want.Until, "--known-at", want.KnownAt)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var ceo string
	for _, l := range lines {
		if f := strings.Fields(l); len(f) > 0 && f[0] == "ceo" {
			ceo = l
		}
	}
	if !strings.Contains(ceo, want.InterimCEO) || !strings.Contains(ceo, "interim") {
		t.Errorf("replay ends with ceo row %q, want %s (interim)", ceo, want.InterimCEO)
	}
	raw := mustStory(t, dir, "diff", "--from", want.DiffFrom, "--to", want.DiffTo, "--json")
	var d struct {
		During []struct{ View, Key, Item, Before, After string } `json:"during"`
	}
	if err := json.Unmarshal([]byte(raw), &d); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range d.During {
		switch c.View {
		case "board":
			if c.Before == "" {
				got = append(got, fmt.Sprintf("board %s: + %s (%s)", c.Key, c.Item, c.After))
			} else if c.After == "" {
				got = append(got, fmt.Sprintf("board %s: − %s", c.Key, c.Item))
			}
		case "roles":
			or := func(s string) string {
				if s == "" {
					return "(vacant)"
				}
				return s
			}
			got = append(got, fmt.Sprintf("roles %s: %s %s → %s", c.Key, c.Item, or(c.Before), or(c.After)))
		}
	}
	for _, w := range want.DiffMustMention {
		found := false
		for _, g := range got {
			found = found || strings.HasPrefix(g, w)
		}
		if !found {
			t.Errorf("diff does not list %q; it lists %v", w, got)
		}
	}
}

func checkClaim(t *testing.T, c asOfCase, out string) {
	var v projections.Claims
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	i := slices.IndexFunc(v.Claims, func(x projections.ClaimItem) bool { return strings.HasSuffix(x.ID, c.Claim) })
	if c.Absent || i < 0 {
		if !c.Absent || i >= 0 {
			t.Fatalf("claim …%s listed %v, want %v", c.Claim, i >= 0, !c.Absent)
		}
		return
	}
	x := v.Claims[i]
	var parts []string
	for _, p := range x.Parts {
		parts = append(parts, p.Outcome)
	}
	orig := ""
	if x.Original != nil {
		orig = x.Original.ID
	}
	switch {
	case x.Outcome != c.Outcome:
		t.Errorf("outcome %s, want %s", x.Outcome, c.Outcome)
	case !strings.HasSuffix(orig, c.Original) || (c.Original == "") != (orig == ""):
		t.Errorf("original %q, want …%s", orig, c.Original)
	case c.Parts != nil && !slices.Equal(parts, c.Parts):
		t.Errorf("parts %v, want %v", parts, c.Parts)
	case c.LeadUncertain != nil && x.LeadUncertain != *c.LeadUncertain:
		t.Errorf("lead uncertain %v, want %v", x.LeadUncertain, *c.LeadUncertain)
	}
}

// checkSources finds the outlet as the CLI resolves it (--outlet on the
// claims view) and compares its counts.
func checkSources(t *testing.T, dir string, c asOfCase, out string) {
	var v projections.Sources
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	var claims projections.Claims
	raw := mustStory(t, dir, "claims", "--json", "--at", c.At, "--outlet", c.Outlet)
	if err := json.Unmarshal([]byte(raw), &claims); err != nil {
		t.Fatal(err)
	}
	for _, s := range v.Sources {
		if s.Name == c.Outlet || s.Outlet == c.Outlet || len(claims.Claims) > 0 && s.Outlet == claims.Claims[0].Outlet {
			if got := fmt.Sprintf("%d/%d/%d/%d", s.Claims, s.Confirmed, s.Relayed, s.Carried); got != c.Counts {
				t.Errorf("%s: claims/confirmed/relayed/carried %s, want %s", s.Outlet, got, c.Counts)
			}
			return
		}
	}
	t.Errorf("outlet %q not among the sources", c.Outlet)
}
