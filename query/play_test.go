package query_test

import (
	"reflect"
	"testing"
	"time"

	"storyline/query"
	"storyline/replay"
)

func TestReplayRequestKnowledgeTime(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	until := time.Date(2024, 2, 17, 0, 0, 0, 0, time.UTC)
	given := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		req  query.Request
		want time.Time
	}{
		{"by default, now", query.Request{By: "occurred", Until: until}, now},
		{"on the reported clock, what the public knew at the end", query.Request{By: "reported", Until: until}, until},
		{"on the reported clock without an end, now", query.Request{By: "reported"}, now},
		{"as given", query.Request{By: "reported", Until: until, KnownAt: given}, given},
	}
	for _, tt := range tests {
		got := query.ReplayRequest(tt.req, now)
		if got.View != "replay" || !got.KnownAt.Equal(tt.want) {
			t.Errorf("%s: view %q known at %v, want replay known at %v", tt.name, got.View, got.KnownAt, tt.want)
		}
	}
}

func TestReplayEndsOnTheOrgsItChanged(t *testing.T) {
	t0 := time.Date(2024, 2, 10, 0, 0, 0, 0, time.UTC)
	known := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	lines := []replay.Line{
		{OccurredAt: t0, ReportedAt: t0.Add(time.Hour), Changes: []replay.Change{{View: "roles", Key: "zeta"}, {View: "status", Key: "kari"}}},
		{OccurredAt: t0.Add(24 * time.Hour), ReportedAt: t0.Add(48 * time.Hour), Changes: []replay.Change{{View: "board", Key: "acme"}, {View: "claims", Key: "c1"}}},
	}
	tables := func(at time.Time) []query.Request {
		var out []query.Request
		for _, org := range []string{"acme", "zeta"} {
			for _, view := range []string{"board", "roles"} {
				out = append(out, query.Request{View: view, Org: org, At: at, KnownAt: known})
			}
		}
		return out
	}
	tests := []struct {
		name string
		req  query.Request
		want []query.Request
	}{
		{"at the last step, occurred", query.Request{By: "occurred", KnownAt: known}, tables(t0.Add(24 * time.Hour))},
		{"at the last step, reported", query.Request{By: "reported", KnownAt: known}, tables(t0.Add(48 * time.Hour))},
		{"at the window's end", query.Request{By: "occurred", Until: t0.Add(72 * time.Hour), KnownAt: known}, tables(t0.Add(72 * time.Hour))},
	}
	for _, tt := range tests {
		if got := query.ReplayEnd(tt.req, lines); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
	if got := query.ReplayEnd(query.Request{}, nil); got != nil {
		t.Errorf("an empty replay ends on %+v", got)
	}
}

func TestHighlights(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	got := engine(t).Highlights(now)
	want := []query.Request{
		{View: "board", Org: "halvorsen-robotics", At: now, KnownAt: now},
		{View: "status", Person: "kari-nordmann", At: now, KnownAt: now},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("highlights %+v, want %+v", got, want)
	}
	if got := query.NewEngine().Highlights(now); got[0].Org != "" || got[1].Person != "" {
		t.Errorf("an empty archive's highlights name %+v", got)
	}
}
