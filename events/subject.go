package events

// Subject returns the stream subject an event is stored on:
// story.<primary-entity>.<type>.<id>. It lives here, with the event, rather
// than in the archive, so that pure code (the quarantine screen) can check
// that a record sits where its event belongs without importing NATS.
func Subject(e *Event) string {
	return "story." + e.PrimaryEntity() + "." + string(e.Type) + "." + e.ID
}
