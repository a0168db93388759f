package events

// CloudEvent is an event in the CloudEvents 1.0 JSON format, for export to
// tools that speak it. The Storyline event travels whole in Data, so nothing
// is lost.
type CloudEvent struct {
	SpecVersion     string `json:"specversion"`
	ID              string `json:"id"`
	Source          string `json:"source"`
	Type            string `json:"type"`
	Subject         string `json:"subject,omitempty"`
	Time            string `json:"time"`
	DataContentType string `json:"datacontenttype"`
	Data            Event  `json:"data"`
}

// CloudEvent returns e as a CloudEvent. Its time is the knowledge time
// (reported_at), when the fact became public.
func (e *Event) CloudEvent() CloudEvent {
	src := "storyline:" + Slugify(e.Source.Outlet)
	if e.Source.URL != "" {
		src = e.Source.URL
	}
	return CloudEvent{
		SpecVersion: "1.0", ID: e.ID, Source: src, Type: "storyline." + string(e.Type),
		Subject: e.PrimaryEntity(), Time: e.ReportedAt.Format(timeLayout),
		DataContentType: "application/json", Data: *e,
	}
}
