package quarantine

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"storyline/events"
)

// Class is the kind of reason a record is quarantined for.
type Class string

// The classes, in the order the screen checks them.
const (
	Undecodable      Class = "undecodable"
	WrongSubject     Class = "wrong_subject"
	Duplicate        Class = "duplicate"
	ForgedSupersedes Class = "forged_supersedes"
)

// Classes lists every class, in checking order.
var Classes = []Class{Undecodable, WrongSubject, Duplicate, ForgedSupersedes}

// Bounds on what an entry keeps of a hostile record, so that a flood of
// junk costs memory in proportion to its count, not its size.
const (
	PreviewChars = 80  // the preview, escape sequences included
	subjectChars = 200 // the subject as shown
	reasonChars  = 300 // the reason
)

// Record is one stored record as the screen sees it.
type Record struct {
	Seq uint64
	// Subject is the subject it is stored on; empty when the caller has
	// none (events from a file), and then not checked.
	Subject string
	Data    []byte        // the payload as stored; nil: Event's canonical form
	Event   *events.Event // the decoded event; nil when Err is set
	// Recorded is the stream's timestamp (zero from a file).
	Recorded time.Time
	Err      error // why the payload does not decode
}

// Entry is a quarantined record.
type Entry struct {
	Seq     uint64 `json:"seq"`
	Subject string `json:"subject"` // escaped and shortened like the preview
	Class   Class  `json:"class"`
	Reason  string `json:"reason"`
	Size    int    `json:"size"`    // payload bytes
	Preview string `json:"preview"` // the payload's start, escaped, at most PreviewChars
}

// Ref is what the screen needs to know of an admitted event.
type Ref struct {
	Seq   uint64
	Type  events.Type
	About string // the primary entity: the first entity it names; "" if none
}

// RefOf describes e, stored at seq.
func RefOf(seq uint64, e *events.Event) Ref {
	r := Ref{Seq: seq, Type: e.Type}
	if ents := e.Entities(); len(ents) > 0 {
		r.About = ents[0]
	}
	return r
}

func (r Ref) sameKind(o Ref) bool { return r.Type == o.Type && r.About == o.About }

func (r Ref) String() string {
	if r.About == "" {
		return "a " + string(r.Type)
	}
	return "a " + string(r.Type) + " about " + r.About
}

// Screen screens records in stream order. It is not safe for concurrent
// use.
type Screen struct {
	lookup func(id string) (Ref, bool)
	own    *table // nil when the caller keeps the admitted events
	// forward maps an id that corrections name but no admitted event has
	// (yet) to the first of those corrections.
	forward map[string]Ref
}

// New returns a screen that keeps its own compact table of admitted ids.
func New() *Screen {
	t := newTable()
	return &Screen{lookup: t.get, own: t, forward: map[string]Ref{}}
}

// Over returns a screen that looks admitted events up with lookup — a
// projection index the caller keeps anyway, so the screen adds nothing per
// event. The caller must add every record Check admits to that index
// before it checks the next one.
func Over(lookup func(id string) (Ref, bool)) *Screen {
	return &Screen{lookup: lookup, forward: map[string]Ref{}}
}

// Check screens r, the record after the last one checked. It returns nil
// when r may enter the views (the screen then counts it as admitted), or
// the quarantine entry saying why not.
func (s *Screen) Check(r Record) *Entry {
	e := r.Event
	if r.Err != nil || e == nil {
		c := Undecodable
		if errors.Is(r.Err, events.ErrSelfSupersedes) {
			c = ForgedSupersedes
		}
		return entry(r, c, decodeReason(r))
	}
	if r.Subject != "" {
		if want := events.Subject(e); want != r.Subject {
			return entry(r, WrongSubject, "the event belongs on "+want)
		}
	}
	if first, ok := s.lookup(e.ID); ok {
		return entry(r, Duplicate, fmt.Sprintf("id %s is already stored at seq %d", e.ID, first.Seq))
	}
	if fix := e.Erratum; fix != "" {
		// An erratum is the record as it should have been: the same type
		// and entity (record.withdrawn and a new event change more).
		if target, known := s.lookup(fix); known && !target.sameKind(RefOf(r.Seq, e)) {
			return entry(r, ForgedSupersedes, fmt.Sprintf(
				"is an erratum of %s (seq %d), %s, but is %s: an erratum keeps the type and entity of the record it fixes",
				fix, target.Seq, target, RefOf(r.Seq, e)))
		}
	}
	sup := e.Supersedes
	f, named := s.forward[e.ID]
	if sup == "" && !named && s.own == nil {
		// The common case, over an index: nothing more to check or keep.
		return nil
	}
	mine := RefOf(r.Seq, e)
	target, known := Ref{}, false
	if sup != "" {
		if target, known = s.lookup(sup); known && !target.sameKind(mine) {
			return entry(r, ForgedSupersedes, fmt.Sprintf(
				"supersedes %s (seq %d), %s, but is %s: a correction keeps the type and entity of the event it corrects",
				sup, target.Seq, target, mine))
		}
		if first, ok := s.forward[sup]; !known && ok && !first.sameKind(mine) {
			return entry(r, ForgedSupersedes, fmt.Sprintf(
				"supersedes %s, not stored, which the correction at seq %d names as %s, but is %s: corrections of one event agree on its type and entity",
				sup, first.Seq, first, mine))
		}
	}
	if named && !f.sameKind(mine) {
		return entry(r, ForgedSupersedes, fmt.Sprintf(
			"the correction at seq %d, stored earlier, names id %s as %s, but this is %s: the first stored wins",
			f.Seq, e.ID, f, mine))
	}
	s.admit(mine, e, known)
	return nil
}

// Restore counts e, stored at seq, as admitted without checking it: the
// events of a snapshot, which were checked when they were first read.
// Call it once every restored event is in the lookup's index (with [New],
// in any order).
func (s *Screen) Restore(seq uint64, e *events.Event) {
	mine := RefOf(seq, e)
	if s.own != nil {
		s.own.put(e.ID, mine)
	}
	if sup := e.Supersedes; sup != "" {
		if _, known := s.lookup(sup); !known {
			// Of several corrections of a missing event, the first
			// stored is the one the others were checked against.
			if f, ok := s.forward[sup]; !ok || seq < f.Seq {
				s.forward[sup] = mine
			}
		}
	}
}

func (s *Screen) admit(mine Ref, e *events.Event, targetKnown bool) {
	if sup := e.Supersedes; sup != "" && !targetKnown {
		if _, ok := s.forward[sup]; !ok {
			s.forward[sup] = mine
		}
	}
	// Once the event is admitted, corrections are checked against it.
	delete(s.forward, e.ID)
	if s.own != nil {
		s.own.put(e.ID, mine)
	}
}

func decodeReason(r Record) string {
	if r.Err == nil {
		return "not a valid event"
	}
	// A joined error lists one problem a line; the reason is one line.
	reason := "does not decode: " + strings.ReplaceAll(r.Err.Error(), "\n", "; ")
	if len(r.Data) == 0 && errors.Is(r.Err, events.ErrBadJSON) {
		reason = "empty payload: " + reason
	}
	return reason
}

func entry(r Record, c Class, reason string) *Entry {
	data := r.Data
	if data == nil && r.Event != nil {
		// An event handed over without its payload (from a file or built
		// in code) is shown as it would be stored; only quarantined ones
		// pay for encoding it.
		data = r.Event.Canonical()
	}
	return &Entry{
		Seq: r.Seq, Subject: Escape([]byte(r.Subject), subjectChars), Class: c,
		Reason: Escape([]byte(reason), reasonChars), Size: len(data),
		Preview: Escape(data, PreviewChars),
	}
}
