package formats

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Item is a timeline answer's event, as the views give it.
type Item struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	OccurredAt string `json:"occurred_at"`
	Precision  string `json:"occurred_precision"`
	ReportedAt string `json:"reported_at"`
	Summary    string `json:"summary"`
	OutletName string `json:"outlet_name"`
	Quote      string `json:"quote"`
	Source     struct {
		Outlet      string `json:"outlet"`
		URL         string `json:"url"`
		Attribution string `json:"attribution"`
	} `json:"source"`
}

// TimelineJS is the document TimelineJS loads.
type TimelineJS struct {
	Title  *Slide  `json:"title,omitempty"`
	Events []Slide `json:"events"`
}

// Slide is one TimelineJS event.
type Slide struct {
	StartDate   Date   `json:"start_date"`
	Text        Text   `json:"text"`
	Media       *Media `json:"media,omitempty"`
	Group       string `json:"group,omitempty"`
	DisplayDate string `json:"display_date,omitempty"`
	UniqueID    string `json:"unique_id,omitempty"`
}

// Date is a TimelineJS date: the parts the precision gives, as strings.
type Date struct {
	Year   string `json:"year"`
	Month  string `json:"month,omitempty"`
	Day    string `json:"day,omitempty"`
	Hour   string `json:"hour,omitempty"`
	Minute string `json:"minute,omitempty"`
}

// Text is a slide's headline and body.
type Text struct {
	Headline string `json:"headline"`
	Text     string `json:"text,omitempty"`
}

// Media is a slide's source.
type Media struct {
	URL    string `json:"url"`
	Credit string `json:"credit,omitempty"`
}

// groups names the kinds of event TimelineJS groups slides by.
var groups = map[string]string{
	"board": "Board", "role": "Roles", "affiliation": "Roles", "statement": "Statements", "claim": "Claims",
	"petition": "Petitions", "stake": "Stakes", "report": "Reports",
}

// Timeline converts a timeline answer (one event per JSON line, or a JSON
// array) into TimelineJS slides, on the clock by ("occurred" or
// "reported"), in loc.
func Timeline(answer []byte, by string, loc *time.Location, title string) (TimelineJS, error) {
	items, err := decodeList[Item](answer, "timeline")
	if err != nil {
		return TimelineJS{}, err
	}
	doc := TimelineJS{Events: []Slide{}}
	if title != "" {
		doc.Title = &Slide{Text: Text{Headline: title}}
	}
	for _, it := range items {
		if it.Type == "entity.described" {
			continue // who is who is the page's business, not a slide
		}
		s, err := slide(it, by, loc)
		if err != nil {
			return TimelineJS{}, err
		}
		doc.Events = append(doc.Events, s)
	}
	return doc, nil
}

func slide(it Item, by string, loc *time.Location) (Slide, error) {
	when, prec := it.OccurredAt, it.Precision
	if by == "reported" {
		when, prec = it.ReportedAt, "minute"
	}
	t, err := time.Parse(time.RFC3339Nano, when)
	if err != nil {
		return Slide{}, fmt.Errorf("event %s: %w", it.ID, err)
	}
	text := fmt.Sprintf("%s · %s", cmpOr(it.OutletName, it.Source.Outlet), strings.ReplaceAll(it.Source.Attribution, "_", " "))
	if it.Quote != "" {
		text = fmt.Sprintf("“%s” — %s", it.Quote, text)
	}
	s := Slide{StartDate: date(t, prec, loc), Text: Text{Headline: it.Summary, Text: text},
		Group: groups[strings.SplitN(it.Type, ".", 2)[0]], UniqueID: it.ID}
	if it.Source.URL != "" {
		s.Media = &Media{URL: it.Source.URL, Credit: cmpOr(it.OutletName, it.Source.Outlet)}
	}
	return s, nil
}

// date is t in loc, to precision: a day-precise time has no hour.
func date(t time.Time, precision string, loc *time.Location) Date {
	if loc != nil && (precision == "minute" || precision == "hour") {
		t = t.In(loc)
	}
	d := Date{Year: strconv.Itoa(t.Year())}
	switch precision {
	case "year":
		return d
	case "month":
		d.Month = strconv.Itoa(int(t.Month()))
		return d
	}
	d.Month, d.Day = strconv.Itoa(int(t.Month())), strconv.Itoa(t.Day())
	if precision == "minute" || precision == "hour" {
		d.Hour, d.Minute = strconv.Itoa(t.Hour()), strconv.Itoa(t.Minute())
	}
	return d
}

// SheetColumns are the columns of the TimelineJS Google Sheet template.
var SheetColumns = []string{"Year", "Month", "Day", "Time", "End Year", "End Month", "End Day", "End Time",
	"Display Date", "Headline", "Text", "Media", "Media Credit", "Media Caption", "Media Thumbnail", "Type", "Group", "Background"}

// WriteSheet writes the slides as the TimelineJS sheet's CSV.
func WriteSheet(w io.Writer, doc TimelineJS) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(SheetColumns); err != nil {
		return err
	}
	for _, s := range doc.Events {
		row := make([]string, len(SheetColumns))
		row[0], row[1], row[2] = s.StartDate.Year, s.StartDate.Month, s.StartDate.Day
		if s.StartDate.Hour != "" {
			minute, err := strconv.Atoi(s.StartDate.Minute)
			if err != nil {
				return fmt.Errorf("slide %s: minute %q: %w", s.UniqueID, s.StartDate.Minute, err)
			}
			row[3] = fmt.Sprintf("%s:%02d", s.StartDate.Hour, minute)
		}
		row[8], row[9], row[10], row[16] = s.DisplayDate, s.Text.Headline, s.Text.Text, s.Group
		if s.Media != nil {
			row[11], row[12] = s.Media.URL, s.Media.Credit
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
