package replay

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"storyline/events"
)

// Line is what the text of a replay or a watch shows of one step.
type Line struct {
	Seq         uint64
	OccurredAt  time.Time
	Precision   events.Precision // of OccurredAt
	ReportedAt  time.Time
	Summary     string
	Outlet      string // the outlet's name, else the outlet as the source gives it
	Attribution events.Attribution
	Changes     []Change
}

// LineOf is the line of step s, whose outlet is named outlet.
func LineOf(s Step, outlet string) Line {
	e := s.Event
	return Line{
		Seq: s.Seq, OccurredAt: e.OccurredAt, Precision: e.Precision, ReportedAt: e.ReportedAt,
		Summary: s.Summary, Outlet: cmp.Or(outlet, e.Source.Outlet), Attribution: e.Source.Attribution, Changes: s.Changes,
	}
}

// UnmarshalJSON reads a step as the query engine writes it: the event
// format plus seq, summary, outlet_name and changes.
func (l *Line) UnmarshalJSON(b []byte) error {
	var w struct {
		Seq        uint64           `json:"seq"`
		OccurredAt time.Time        `json:"occurred_at"`
		Precision  events.Precision `json:"occurred_precision"`
		ReportedAt time.Time        `json:"reported_at"`
		Source     struct {
			Outlet      string             `json:"outlet"`
			Attribution events.Attribution `json:"attribution"`
		} `json:"source"`
		Summary    string   `json:"summary"`
		OutletName string   `json:"outlet_name"`
		Changes    []Change `json:"changes"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("replay step: %w", err)
	}
	*l = Line{
		Seq: w.Seq, OccurredAt: w.OccurredAt, Precision: w.Precision, ReportedAt: w.ReportedAt,
		Summary: w.Summary, Outlet: cmp.Or(w.OutletName, w.Source.Outlet), Attribution: w.Source.Attribution, Changes: w.Changes,
	}
	return nil
}

// At is the line's moment on the clock by.
func (l Line) At(by Clock) time.Time {
	if by == ByReported {
		return l.ReportedAt
	}
	return l.OccurredAt
}

// Printer writes replay and watch lines as text.
type Printer struct {
	W    io.Writer
	By   Clock          // the clock a replay's lines are dated on (default ByOccurred)
	Zone *time.Location // the zone times are shown in; nil: UTC
}

// Step writes a replay's line: its moment on p.By (an occurred time as
// precisely as it is known), the summary, the outlet and the attribution,
// then one line per change.
func (p Printer) Step(l Line) error {
	at := When(l.OccurredAt, l.Precision, p.Zone)
	if p.By == ByReported {
		at = When(l.ReportedAt, "", p.Zone)
	}
	if _, err := fmt.Fprintf(p.W, "%-26s %s  [%s, %s]\n", at, l.Summary, l.Outlet, l.Attribution); err != nil {
		return err
	}
	return p.changes(l.Changes, fmt.Sprintf("%-26s   ", ""))
}

// Live writes a watch's line: the stream sequence, when it occurred, the
// summary and the outlet, then one line per change.
func (p Printer) Live(l Line) error {
	if _, err := fmt.Fprintf(p.W, "%6d  %s  %s  [%s]\n", l.Seq, When(l.OccurredAt, l.Precision, p.Zone), l.Summary, l.Outlet); err != nil {
		return err
	}
	return p.changes(l.Changes, "        ")
}

func (p Printer) changes(cs []Change, indent string) error {
	for _, c := range cs {
		if _, err := fmt.Fprintf(p.W, "%s↳ %s\n", indent, c.Text); err != nil {
			return err
		}
	}
	return nil
}

// When is how the text shows a moment of the story: in zone (nil: UTC),
// as precisely as precision allows. A moment known only to the day or
// coarser stays on the calendar of the zone it was reported in:
// converting midnight in one zone to another would move it to the wrong
// day.
func When(t time.Time, precision events.Precision, zone *time.Location) string {
	switch precision {
	case events.PrecisionYear:
		return t.Format("2006") + " (year)"
	case events.PrecisionMonth:
		return t.Format("2006-01") + " (month)"
	case events.PrecisionDay:
		return t.Format("2006-01-02") + " (day)"
	}
	if zone == nil {
		zone = time.UTC
	}
	s := t.In(zone).Format("2006-01-02 15:04 MST")
	if precision == events.PrecisionHour {
		s += " (±hour)"
	}
	return s
}
