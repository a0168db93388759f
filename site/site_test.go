package site_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"storyline/site"
)

func TestAsk(t *testing.T) {
	b, err := os.ReadFile("../projections/testdata/halvorsen.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	s, err := site.Load(b)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, query string
		status      int
		want        string // in the body or the error
	}{
		{"/api/board", "org=halvorsen&at=2024-02-21&known_at=2025-01-01", 200, `"person":"tom-becker"`},
		{"/api/status/lee-wei", "at=2025-07-02", 200, `"person":"lee-wei"`},
		{"/api/board", "org=halvorsen&format=csv&tz=Asia/Singapore", 200, `part,seat,person`},
		{"/api/board", "org=nosuch", 400, "org"},
		{"/api/board", "org=halvorsen&at=yesterday-ish", 400, "at"},
		{"/api/nosuch", "", 404, "no API path"},
		{"/api/board/extra", "org=halvorsen", 404, "no API path"},
	}
	for _, tt := range tests {
		r := s.Ask(tt.path, tt.query)
		text := string(r.Body) + r.Error + r.Param
		if tt.status == 200 && strings.HasPrefix(string(r.Body), `"`) {
			var csv string
			if err := json.Unmarshal(r.Body, &csv); err != nil {
				t.Errorf("%s?%s: %v", tt.path, tt.query, err)
			}
			text = csv
		}
		if r.Status != tt.status || !strings.Contains(text, tt.want) {
			t.Errorf("%s?%s: %d %.200s; want %d with %q", tt.path, tt.query, r.Status, text, tt.status, tt.want)
		}
	}
	if _, err := site.Load([]byte("{not json}\n")); err == nil {
		t.Error("a bad events file loaded")
	}
}
