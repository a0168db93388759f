package main

import (
	"encoding/csv"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"storyline/formats"
	"storyline/projections"
)

// TestExportTimelineJS: the TimelineJS JSON has what its loader reads —
// events, each with a start_date whose year (and, as precise as the event,
// month, day, hour, minute) are numbers, a text with a headline, a group,
// and media with a url when there is one — one slide per event of the
// timeline; the sheet has the template's columns and one row per slide.
func TestExportTimelineJS(t *testing.T) {
	for _, file := range []string{"../../projections/testdata/halvorsen.jsonl", ""} {
		t.Run(file, func(t *testing.T) { checkTimelineJS(t, file) })
	}
}

// checkTimelineJS checks the TimelineJS export of a story file ("" the
// bundled story).
func checkTimelineJS(t *testing.T, file string) {
	dir := t.TempDir()
	mustStory(t, dir, append([]string{"import"}, nonEmpty(file)...)...)
	var doc struct {
		Events []map[string]any `json:"events"`
	}
	if err := json.Unmarshal([]byte(mustStory(t, dir, "export", "--format", "timelinejs", "--tz", "Europe/Oslo")), &doc); err != nil {
		t.Fatal(err)
	}
	var timeline []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(mustStory(t, dir, "timeline", "--json")), "\n") {
		var ev map[string]any
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		if ev["type"] != "entity.described" {
			timeline = append(timeline, ev)
		}
	}
	if len(doc.Events) != len(timeline) || len(doc.Events) < 10 {
		t.Fatalf("%d slides for %d events", len(doc.Events), len(timeline))
	}
	number := regexp.MustCompile(`^\d+$`)
	for i, s := range doc.Events {
		start, _ := s["start_date"].(map[string]any)
		text, _ := s["text"].(map[string]any)
		if start == nil || !number.MatchString(toS(start["year"])) || text == nil || toS(text["headline"]) == "" || toS(s["group"]) == "" {
			t.Fatalf("slide %d lacks what TimelineJS reads: %v", i, s)
		}
		for _, k := range []string{"month", "day", "hour", "minute"} {
			if v, ok := start[k]; ok && !number.MatchString(toS(v)) {
				t.Errorf("slide %d: start_date.%s %v is not a number", i, k, v)
			}
		}
		if m, ok := s["media"].(map[string]any); ok && !strings.HasPrefix(toS(m["url"]), "http") {
			t.Errorf("slide %d: media without a url: %v", i, m)
		}
		if toS(s["unique_id"]) != toS(timeline[i]["id"]) {
			t.Errorf("slide %d is event %v, want %v (the timeline's order)", i, s["unique_id"], timeline[i]["id"])
		}
	}
	rows, err := csv.NewReader(strings.NewReader(mustStory(t, dir, "export", "--format", "timelinejs-csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != strings.Join(formats.SheetColumns, ",") || len(rows)-1 != len(doc.Events) {
		t.Errorf("sheet: header %v, %d rows for %d slides", rows[0], len(rows)-1, len(doc.Events))
	}
}

func toS(v any) string {
	s, _ := v.(string)
	return s
}

// TestExportClaimReview: one ClaimReview per settled claim, with the
// properties schema.org and the fact-check markup require, on the
// documented scale.
func TestExportClaimReview(t *testing.T) {
	for _, file := range []string{"../../projections/testdata/claims-story.jsonl", ""} {
		t.Run(file, func(t *testing.T) { checkClaimReview(t, file) })
	}
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// checkClaimReview checks the ClaimReview export of a story file ("" the
// bundled story).
func checkClaimReview(t *testing.T, file string) {
	dir := t.TempDir()
	mustStory(t, dir, append([]string{"import"}, nonEmpty(file)...)...)
	var claims projections.Claims
	if err := json.Unmarshal([]byte(mustStory(t, dir, "claims", "--json")), &claims); err != nil {
		t.Fatal(err)
	}
	settled := map[string]string{}
	for _, c := range claims.Claims {
		if _, ok := formats.Ratings[c.Outcome]; ok {
			settled[c.Text] = c.Outcome
		}
	}
	lines := strings.Split(strings.TrimSpace(mustStory(t, dir, "export", "--format", "claimreview", "--reviewer-url", "https://archive.example/")), "\n")
	if len(lines) != len(settled) || len(settled) < 3 {
		t.Fatalf("%d reviews for %d settled claims", len(lines), len(settled))
	}
	for _, l := range lines {
		var r formats.ClaimReview
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		want := formats.Ratings[settled[r.ClaimReviewed]]
		switch {
		case r.Context != "https://schema.org" || r.Type != "ClaimReview" || r.ItemReviewed.Type != "Claim":
			t.Errorf("not a ClaimReview of a Claim: %s", l)
		case r.ReviewRating.RatingValue != want.Value || r.ReviewRating.BestRating != 5 || r.ReviewRating.WorstRating != 1 ||
			!strings.HasPrefix(r.ReviewRating.AlternateName, want.Name):
			t.Errorf("%q (%s): rating %+v", r.ClaimReviewed, settled[r.ClaimReviewed], r.ReviewRating)
		case r.ItemReviewed.Author.Name == "" || r.ItemReviewed.DatePublished == "" || r.Author.Name == "" || r.URL == "" || r.DatePublished == "":
			t.Errorf("a required property is missing: %s", l)
		}
		for _, a := range r.ItemReviewed.Appearance {
			if a.Author == nil || a.DatePublished == "" {
				t.Errorf("an appearance without its author or date: %s", l)
			}
		}
	}
}

// TestExportFtM: every entity has its schema's required properties, every
// id a Directorship or Occupancy names is an entity of the right schema,
// and there is one Directorship per seat taken along the replay.
func TestExportFtM(t *testing.T) {
	for _, file := range []string{"../../projections/testdata/halvorsen.jsonl", ""} {
		t.Run(file, func(t *testing.T) { checkFtM(t, file) })
	}
}

// checkFtM checks the FollowTheMoney export of a story file ("" the
// bundled story).
func checkFtM(t *testing.T, file string) {
	dir := t.TempDir()
	mustStory(t, dir, append([]string{"import"}, nonEmpty(file)...)...)
	byID := map[string]formats.Entity{}
	var ents []formats.Entity
	for _, l := range strings.Split(strings.TrimSpace(mustStory(t, dir, "export", "--format", "ftm")), "\n") {
		var e formats.Entity
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatal(err)
		}
		ents = append(ents, e)
		byID[e.ID] = e
	}
	seats := 0
	for _, l := range strings.Split(strings.TrimSpace(mustStory(t, dir, "replay", "--json")), "\n") {
		var st struct {
			Changes []struct{ View, After string }
		}
		if err := json.Unmarshal([]byte(l), &st); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		for _, c := range st.Changes {
			if c.View == "board" && c.After != "" {
				seats++
			}
		}
	}
	refs := map[string]map[string]string{
		"Directorship": {"director": "Person", "organization": "Organization"},
		"Occupancy":    {"holder": "Person", "post": "Position"},
		"Position":     {"organization": "Organization"},
	}
	directorships := 0
	for _, e := range ents {
		if strings.Contains(e.ID, ",") {
			t.Errorf("an id of several people: %s", e.ID) // a shared role's holders, one Occupancy each
		}
		for _, p := range formats.FtMRequired[e.Schema] {
			if len(e.Properties[p]) == 0 {
				t.Errorf("%s %s lacks %s", e.Schema, e.ID, p)
			}
		}
		for prop, schema := range refs[e.Schema] {
			for _, id := range e.Properties[prop] {
				if byID[id].Schema != schema && !(prop == "director" && byID[id].Schema == "Organization") {
					t.Errorf("%s %s: %s %s is a %q, want a %s", e.Schema, e.ID, prop, id, byID[id].Schema, schema)
				}
			}
		}
		if e.Schema == "Directorship" {
			directorships++
		}
	}
	if directorships != seats || seats < 5 {
		t.Errorf("%d Directorships for %d seats taken", directorships, seats)
	}
}
