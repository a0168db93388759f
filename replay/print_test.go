package replay_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"storyline/events"
	"storyline/replay"
)

func TestWhen(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	at := time.Date(2024, 2, 16, 23, 30, 0, 0, cet)
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skip(err)
	}
	tests := []struct {
		precision events.Precision
		zone      *time.Location
		want      string
	}{
		{"", nil, "2024-02-16 22:30 UTC"},
		{events.PrecisionMinute, shanghai, "2024-02-17 06:30 CST"},
		{events.PrecisionHour, nil, "2024-02-16 22:30 UTC (±hour)"},
		// A date stays on the calendar it was reported on, whatever the zone.
		{events.PrecisionDay, shanghai, "2024-02-16 (day)"},
		{events.PrecisionMonth, nil, "2024-02 (month)"},
		{events.PrecisionYear, nil, "2024 (year)"},
	}
	for _, tt := range tests {
		if got := replay.When(at, tt.precision, tt.zone); got != tt.want {
			t.Errorf("When(%s, %q, %v) = %q, want %q", at, tt.precision, tt.zone, got, tt.want)
		}
	}
}

// TestLineFromJSONAndStep: a step read from the engine's JSON and the same
// step in process print the same lines.
func TestLineFromJSONAndStep(t *testing.T) {
	cet := time.FixedZone("", 3600)
	e := &events.Event{ID: "e1", Type: events.RoleStarted, OccurredAt: time.Date(2024, 2, 16, 9, 0, 0, 0, cet),
		Precision: events.PrecisionHour, ReportedAt: time.Date(2024, 2, 17, 10, 5, 0, 0, cet),
		Source: events.Source{Outlet: "dagens", Attribution: events.Anonymous}}
	changes := []replay.Change{{View: "roles", Key: "acme", Text: "roles Acme: ceo (vacant) → Kari"}}
	step := replay.Step{Seq: 7, Event: e, Summary: "Kari becomes CEO of Acme", Changes: changes}
	raw := `{"seq":7,"summary":"Kari becomes CEO of Acme","id":"e1","type":"role.started","occurred_at":"2024-02-16T09:00:00+01:00",` +
		`"occurred_precision":"hour","reported_at":"2024-02-17T10:05:00+01:00","source":{"outlet":"dagens","attribution":"anonymous"},` +
		`"outlet_name":"Dagens Næringsliv","changes":[{"view":"roles","key":"acme","item":"","before":"","after":"","text":"roles Acme: ceo (vacant) → Kari"}]}`
	var fromJSON replay.Line
	if err := json.Unmarshal([]byte(raw), &fromJSON); err != nil {
		t.Fatal(err)
	}
	printed := func(l replay.Line, by replay.Clock, live bool) string {
		var b strings.Builder
		p := replay.Printer{W: &b, By: by}
		write := p.Step
		if live {
			write = p.Live
		}
		if err := write(l); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	tests := []struct {
		by   replay.Clock
		live bool
		want string
	}{
		{replay.ByOccurred, false, "2024-02-16 08:00 UTC (±hour) Kari becomes CEO of Acme  [Dagens Næringsliv, anonymous]\n" +
			"                             ↳ roles Acme: ceo (vacant) → Kari\n"},
		{replay.ByReported, false, "2024-02-17 09:05 UTC       Kari becomes CEO of Acme  [Dagens Næringsliv, anonymous]\n" +
			"                             ↳ roles Acme: ceo (vacant) → Kari\n"},
		{replay.ByOccurred, true, "     7  2024-02-16 08:00 UTC (±hour)  Kari becomes CEO of Acme  [Dagens Næringsliv]\n" +
			"        ↳ roles Acme: ceo (vacant) → Kari\n"},
	}
	for _, tt := range tests {
		if got := printed(fromJSON, tt.by, tt.live); got != tt.want {
			t.Errorf("by %s (live %v), from JSON:\n%s\nwant:\n%s", tt.by, tt.live, got, tt.want)
		}
		if got := printed(replay.LineOf(step, "Dagens Næringsliv"), tt.by, tt.live); got != tt.want {
			t.Errorf("by %s (live %v), from the step:\n%s\nwant:\n%s", tt.by, tt.live, got, tt.want)
		}
	}
	if err := (replay.Printer{W: failing{}}).Step(fromJSON); err == nil {
		t.Error("a failed write was not reported")
	}
	if l := replay.LineOf(step, ""); l.Outlet != "dagens" {
		t.Errorf("an outlet without a name shows as %q, want the source's", l.Outlet)
	}
	if err := json.Unmarshal([]byte(`{"occurred_at":"yesterday"}`), &fromJSON); err == nil {
		t.Error("a step with a bad time decoded")
	}
}

type failing struct{}

func (failing) Write([]byte) (int, error) { return 0, errors.New("disk full") }
