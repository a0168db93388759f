package events

import (
	"time"
)

// Event is one immutable fact about the story, as stored on the stream and
// written in .jsonl files.
type Event struct {
	ID         string    // UUID
	Key        string    // a slug unique in the archive, for readable references
	Type       Type      // one of [Types]
	OccurredAt time.Time // valid time; keeps the offset it was written with
	Precision  Precision // how precisely the source dates OccurredAt
	ReportedAt time.Time // knowledge time
	// Scheduled marks an announcement of a future event, the one case where
	// ReportedAt may precede OccurredAt.
	Scheduled  bool
	Source     Source
	Data       Data
	Quote      string
	Supersedes string // id of an earlier event this one corrects
	// Erratum is the id of a stored record this one replaces as if it had
	// been written so: the archive's own mistake, fixed at every knowledge
	// time (the public never knew the wrong version).
	Erratum string
	// Stories are the stories the event belongs to (slugs); a story.filed
	// event can file it later too.
	Stories []string

	// input marks an event read from an import file: its references may
	// still be keys or id prefixes, resolved before it is stored.
	input bool
	// idGiven: the line gave the id (it was not derived).
	idGiven bool
}

// Ref is one reference of an event to another: its field's JSON path and
// the value, which a resolver may replace.
type Ref struct {
	Field string
	Value *string
}

// Refs returns the event's references to other events, set or not.
func (e *Event) Refs() []Ref {
	refs := []Ref{{"supersedes", &e.Supersedes}, {"erratum", &e.Erratum}, {"source.report", &e.Source.Report}}
	switch d := e.Data.(type) {
	case *Claim:
		refs = append(refs, Ref{"data.repeats", &d.Repeats})
	case *Resolution:
		refs = append(refs, Ref{"data.claim", &d.Claim}, Ref{"data.by_event", &d.ByEvent})
	case *Withdrawal:
		refs = append(refs, Ref{"data.event", &d.Event})
	}
	return refs
}

// Unresolved returns the references still written as a key or an id
// prefix (only an event read with [DecodeInput] has any).
func (e *Event) Unresolved() []Ref {
	var out []Ref
	for _, r := range e.Refs() {
		if *r.Value != "" && !isUUID(*r.Value) {
			out = append(out, r)
		}
	}
	return out
}

// Source says who reported an event and how they knew.
type Source struct {
	// Outlet is the outlet that originated the report: an outlet entity's
	// id, alias or exact name (free text for an outlet never described).
	Outlet      string      `json:"outlet"`
	URL         string      `json:"url,omitempty"`
	Attribution Attribution `json:"attribution"`
	Report      string      `json:"report,omitempty"` // id of a report.published event
	// Title is the report's own title, when it has one worth keeping.
	Title string `json:"title,omitempty"`
	// Via lists the outlets the report reached the archive through
	// (syndicated copies, outlets quoting or citing it), nearest the
	// original first. They relay it; the credit is the Outlet's.
	Via []string `json:"via,omitempty"`
}

// Data is an event's type-specific payload: one of the pointer types below.
type Data interface {
	// Type is the event type this payload belongs to.
	Type() Type
	validate() error
}

// EntityDescription gives an entity's display name, kind and aliases.
type EntityDescription struct {
	ID      string   `json:"id"`
	Kind    Kind     `json:"kind"`
	Name    string   `json:"name"`
	Aliases []string `json:"aliases"`
	// Home is an outlet's home page.
	Home string `json:"home,omitempty"`
}

// SeatTaken: Person takes Seat on Org's board, or changes to it if already on
// the board.
type SeatTaken struct {
	Org    string `json:"org"`
	Person string `json:"person"`
	Seat   Seat   `json:"seat"`
}

// SeatLeft: Person leaves Seat on Org's board.
type SeatLeft struct {
	Org    string `json:"org"`
	Person string `json:"person"`
	Seat   Seat   `json:"seat"`
	How    string `json:"how"`
}

// RoleStart: Person starts Role at Org. A role held by someone else ends
// theirs unless both are Shared.
type RoleStart struct {
	Person  string `json:"person"`
	Org     string `json:"org"`
	Role    Role   `json:"role"`
	Interim bool   `json:"interim"`
	Shared  bool   `json:"shared,omitempty"`
}

// RoleEnd: Person's Role at Org ends.
type RoleEnd struct {
	Person string `json:"person"`
	Org    string `json:"org"`
	Role   Role   `json:"role"`
	How    string `json:"how"`
}

// Affiliation: Person is announced to take Role at Org (not yet started).
type Affiliation struct {
	Person string `json:"person"`
	Org    string `json:"org"`
	Role   Role   `json:"role"`
	Note   string `json:"note,omitempty"`
}

// Statement is something an entity said publicly.
type Statement struct {
	By   string `json:"by"`
	Text string `json:"text"`
	Lang string `json:"lang"`
}

// Claim is a report of something not (yet) official.
type Claim struct {
	About []string `json:"about"`
	Text  string   `json:"text"`
	Lang  string   `json:"lang"`
	// Expects optionally names the event type the claim predicts.
	Expects Type `json:"expects,omitempty"`
	// Repeats is the id of the report this claim repeats: another claim
	// (this one is a relay of it and shares its outcome) or an event on
	// the record (it restates what was already public).
	Repeats string `json:"repeats,omitempty"`
	// Parts splits a compound claim into what can be settled apart;
	// resolutions name a part by its number, from 1.
	Parts []string `json:"parts,omitempty"`
}

// Resolution settles a claim, or one of its parts, with the event that
// shows what happened: a fact, never another claim.
type Resolution struct {
	Claim   string `json:"claim"`
	Outcome string `json:"outcome"`
	// ByEvent is the evidence; not needed for unresolved.
	ByEvent string `json:"by_event,omitempty"`
	// Part is the number of the part settled (from 1); 0 is the whole.
	Part int `json:"part,omitempty"`
}

// Filing files events under a story: membership that an archive holding
// them from before can gain without rewriting them.
type Filing struct {
	Story  string   `json:"story"`
	Events []string `json:"events"`
}

// Withdrawal takes a stored record out of every view (an erratum).
type Withdrawal struct {
	Event  string `json:"event"`
	Reason string `json:"reason"`
}

// Petition is a count of signatures on a petition at a moment.
type Petition struct {
	Org        string `json:"org"`
	Petition   string `json:"petition"`
	Signatures int64  `json:"signatures"`
	OfTotal    int64  `json:"of_total"`
}

// Stake discloses what Holder holds in Org.
type Stake struct {
	Holder   string  `json:"holder"`
	Org      string  `json:"org"`
	Amount   float64 `json:"amount"`
	Currency string  `json:"currency"`
	Note     string  `json:"note,omitempty"`
}

// Report is a published article, its body kept (repaired) in full.
type Report struct {
	Title string   `json:"title"`
	Lang  string   `json:"lang"`
	Body  string   `json:"body"`
	Cites []string `json:"cites,omitempty"`
}

func (*EntityDescription) Type() Type { return EntityDescribed }
func (*SeatTaken) Type() Type         { return BoardSeatTaken }
func (*SeatLeft) Type() Type          { return BoardSeatLeft }
func (*RoleStart) Type() Type         { return RoleStarted }
func (*RoleEnd) Type() Type           { return RoleEnded }
func (*Affiliation) Type() Type       { return AffiliationAnnounced }
func (*Statement) Type() Type         { return StatementMade }
func (*Claim) Type() Type             { return ClaimReported }
func (*Resolution) Type() Type        { return ClaimResolved }
func (*Petition) Type() Type          { return PetitionUpdated }
func (*Stake) Type() Type             { return StakeDisclosed }
func (*Report) Type() Type            { return ReportPublished }
func (*Withdrawal) Type() Type        { return RecordWithdrawn }
func (*Filing) Type() Type            { return StoryFiled }

// newData returns an empty payload for t, or nil for an unknown type.
func newData(t Type) Data {
	switch t {
	case EntityDescribed:
		return &EntityDescription{}
	case BoardSeatTaken:
		return &SeatTaken{}
	case BoardSeatLeft:
		return &SeatLeft{}
	case RoleStarted:
		return &RoleStart{}
	case RoleEnded:
		return &RoleEnd{}
	case AffiliationAnnounced:
		return &Affiliation{}
	case StatementMade:
		return &Statement{}
	case ClaimReported:
		return &Claim{}
	case ClaimResolved:
		return &Resolution{}
	case PetitionUpdated:
		return &Petition{}
	case StakeDisclosed:
		return &Stake{}
	case ReportPublished:
		return &Report{}
	case RecordWithdrawn:
		return &Withdrawal{}
	case StoryFiled:
		return &Filing{}
	}
	return nil
}

// Entities returns every entity the event names, primary entity first, each
// once. Watchers match --entity against it, so an event is found by any
// entity it involves, not only by its subject.
func (e *Event) Entities() []string { return e.AppendEntities(nil) }

// AppendEntities appends [Event.Entities] to out, for a caller that
// reuses its slice.
func (e *Event) AppendEntities(out []string) []string {
	n := len(out)
	add := func(ss ...string) {
		for _, s := range ss {
			if s != "" && !oneOf(s, out[n:]) {
				out = append(out, s)
			}
		}
	}
	switch d := e.Data.(type) {
	case *EntityDescription:
		add(d.ID)
	case *SeatTaken:
		add(d.Org, d.Person)
	case *SeatLeft:
		add(d.Org, d.Person)
	case *RoleStart:
		add(d.Org, d.Person)
	case *RoleEnd:
		add(d.Org, d.Person)
	case *Affiliation:
		add(d.Person, d.Org)
	case *Statement:
		add(d.By)
	case *Claim:
		add(d.About...)
	case *Petition:
		add(d.Org)
	case *Stake:
		add(d.Org, d.Holder)
	}
	return out
}

// PrimaryEntity is the entity an event is filed under: the first token of
// its subject. Events that name no entity (reports, resolutions) are filed
// under their outlet.
func (e *Event) PrimaryEntity() string {
	if ents := e.Entities(); len(ents) > 0 {
		return ents[0]
	}
	return Slugify(e.Source.Outlet)
}

// Slugify turns a display name into a slug: ASCII letters and digits,
// lowercased, other runs replaced by "-". A name with no ASCII letters or
// digits gives "unnamed".
func Slugify(name string) string {
	b := make([]byte, 0, len(name))
	dash := false
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b = append(b, byte(r))
			dash = false
		case r >= 'A' && r <= 'Z':
			b = append(b, byte(r-'A'+'a'))
			dash = false
		default:
			if len(b) > 0 && !dash {
				b = append(b, '-')
				dash = true
			}
		}
	}
	for len(b) > 0 && b[len(b)-1] == '-' {
		b = b[:len(b)-1]
	}
	if len(b) > 64 {
		b = b[:64]
		for len(b) > 0 && b[len(b)-1] == '-' {
			b = b[:len(b)-1]
		}
	}
	if len(b) == 0 {
		return "unnamed"
	}
	return string(b)
}
