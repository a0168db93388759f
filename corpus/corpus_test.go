package corpus_test

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"storyline/corpus"
	"storyline/events"
)

func load(t *testing.T) []events.Event {
	t.Helper()
	all, errs := events.ReadAll(bytes.NewReader(corpus.Bytes()), "bundled")
	for _, e := range errs {
		t.Error(e)
	}
	return all
}

// TestBundledStoryIsValid decodes every line strictly and checks the
// references between events.
func TestBundledStoryIsValid(t *testing.T) {
	evs := load(t)
	if len(evs) < 100 {
		t.Fatalf("%d events, want at least 100", len(evs))
	}
	ids := map[string]events.Event{}
	described := map[string]bool{}
	for _, e := range evs {
		if _, dup := ids[e.ID]; dup {
			t.Errorf("id %s used twice", e.ID)
		}
		ids[e.ID] = e
		if d, ok := e.Data.(*events.EntityDescription); ok {
			described[d.ID] = true
		}
	}
	for _, e := range evs {
		if e.Source.Outlet == "" || e.Source.Attribution == "" {
			t.Errorf("%s: no outlet or attribution", e.ID)
		}
		for _, ent := range e.Entities() {
			if !described[ent] {
				t.Errorf("%s (%s) names %q, which no entity.described event describes", e.ID, e.Type, ent)
			}
		}
		refs := []string{e.Supersedes, e.Source.Report, e.Erratum}
		switch d := e.Data.(type) {
		case *events.Claim:
			refs = append(refs, d.Repeats)
		case *events.Withdrawal:
			refs = append(refs, d.Event)
		}
		if r, ok := e.Data.(*events.Resolution); ok {
			refs = append(refs, r.Claim, r.ByEvent)
			if c, ok := ids[r.Claim]; ok && c.Type != events.ClaimReported {
				t.Errorf("%s resolves %s, which is a %s, not a claim", e.ID, r.Claim, c.Type)
			}
		}
		for _, ref := range refs {
			if _, ok := ids[ref]; ref != "" && !ok {
				t.Errorf("%s refers to unknown event %s", e.ID, ref)
			}
		}
	}
}

var rowRE = regexp.MustCompile(`^\|\s*([FS]\d+)\s*\|([^|]*)\|`)
var uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// TestEveryFactRowIsRepresented checks FACTS.md, which maps each row of the
// fact sheet (F..) and each claim of the seed article (S..) to events.
func TestEveryFactRowIsRepresented(t *testing.T) {
	ids := map[string]bool{}
	for _, e := range load(t) {
		ids[e.ID] = true
	}
	facts, err := os.ReadFile("FACTS.md")
	if err != nil {
		t.Fatal(err)
	}
	mapped := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(facts))
	for sc.Scan() {
		m := rowRE.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		refs := uuidRE.FindAllString(m[2], -1)
		if len(refs) == 0 {
			t.Errorf("FACTS.md row %s maps to no event", m[1])
		}
		for _, id := range refs {
			if !ids[id] {
				t.Errorf("FACTS.md row %s names %s, which is not in the corpus", m[1], id)
			}
		}
		mapped[m[1]] = true
	}
	// A copy of the fact sheet is committed so a clone anywhere can run this
	// test; where the shared folder sits beside the repository, the copy
	// must still be the sheet itself.
	sheet := filepath.Join("testdata", "saga-facts.md")
	b, err := os.ReadFile(sheet)
	if err != nil {
		t.Fatalf("fact sheet: %v", err)
	}
	if shared, err := os.ReadFile(filepath.Join("..", "..", "shared", "story", "saga-facts.md")); err == nil && !bytes.Equal(shared, b) {
		t.Fatalf("%s differs from the shared fact sheet: copy it again", sheet)
	}
	want := 0
	for _, line := range strings.Split(string(b), "\n") {
		if m := rowRE.FindStringSubmatch(line); m != nil {
			want++
			if !mapped[m[1]] {
				t.Errorf("row %s of the fact sheet is not in FACTS.md", m[1])
			}
		}
	}
	if want < 50 {
		t.Fatalf("found only %d rows in %s", want, sheet)
	}
}
