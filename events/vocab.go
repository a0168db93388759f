package events

import (
	"regexp"
	"strings"
)

// Type names an event type, such as "board.seat_taken". New types are
// appended; existing names never change meaning.
type Type string

// The v1 event types (DESIGN.md "Types").
const (
	EntityDescribed      Type = "entity.described"
	BoardSeatTaken       Type = "board.seat_taken"
	BoardSeatLeft        Type = "board.seat_left"
	RoleStarted          Type = "role.started"
	RoleEnded            Type = "role.ended"
	AffiliationAnnounced Type = "affiliation.announced"
	StatementMade        Type = "statement.made"
	ClaimReported        Type = "claim.reported"
	ClaimResolved        Type = "claim.resolved"
	PetitionUpdated      Type = "petition.updated"
	StakeDisclosed       Type = "stake.disclosed"
	ReportPublished      Type = "report.published"
	// RecordWithdrawn is an erratum that takes a stored record out of
	// every view: the archive's own mistake, not a source's.
	RecordWithdrawn Type = "record.withdrawn"
	// StoryFiled files events under a story: one archive may hold many.
	StoryFiled Type = "story.filed"
)

// Types lists every known type in a stable order.
var Types = []Type{
	EntityDescribed, BoardSeatTaken, BoardSeatLeft, RoleStarted, RoleEnded,
	AffiliationAnnounced, StatementMade, ClaimReported, ClaimResolved,
	PetitionUpdated, StakeDisclosed, ReportPublished, RecordWithdrawn, StoryFiled,
}

// Archival reports whether t is about the archive rather than the story
// (errata, filing): timelines and outlet tallies leave such events out.
func (t Type) Archival() bool { return t == RecordWithdrawn || t == StoryFiled }

// Valid reports whether t is a known type.
func (t Type) Valid() bool {
	for _, k := range Types {
		if k == t {
			return true
		}
	}
	return false
}

// Precision says how precisely a source dates OccurredAt. The coarser values
// month and year extend DESIGN.md's minute|hour|day for background facts that
// sources date only to a month or a year.
type Precision string

// Precisions, finest first.
const (
	PrecisionMinute Precision = "minute"
	PrecisionHour   Precision = "hour"
	PrecisionDay    Precision = "day"
	PrecisionMonth  Precision = "month"
	PrecisionYear   Precision = "year"
)

var precisions = []Precision{PrecisionMinute, PrecisionHour, PrecisionDay, PrecisionMonth, PrecisionYear}

// Valid reports whether p is a known precision.
func (p Precision) Valid() bool { return oneOf(p, precisions) }

// Attribution classifies how a source knows what it reports.
type Attribution string

// Attributions.
const (
	Official  Attribution = "official"
	OnRecord  Attribution = "on_record"
	Anonymous Attribution = "anonymous"
	Archive   Attribution = "archive"
)

var attributions = []Attribution{Official, OnRecord, Anonymous, Archive}

// Valid reports whether a is a known attribution.
func (a Attribution) Valid() bool { return oneOf(a, attributions) }

// Seat is a seat on a board.
type Seat string

// Seats. Director and chair are voting seats; observer is not.
const (
	Director Seat = "director"
	Chair    Seat = "chair"
	Observer Seat = "observer"
)

var seats = []Seat{Director, Chair, Observer}

// Valid reports whether s is a known seat.
func (s Seat) Valid() bool { return oneOf(s, seats) }

// Voting reports whether the seat carries a vote.
func (s Seat) Voting() bool { return s == Director || s == Chair }

// Kind is what an entity is.
type Kind string

// Kinds of entity. An outlet is who publishes reports: a newspaper, a
// wire, a blog, a social network; sources name one.
const (
	Person Kind = "person"
	Org    Kind = "org"
	Outlet Kind = "outlet"
)

var kinds = []Kind{Person, Org, Outlet}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return oneOf(k, kinds) }

// How a seat was left or a role ended.
const (
	HowRemoved      = "removed"
	HowResigned     = "resigned"
	HowTermEnded    = "term_ended"
	HowFired        = "fired"
	HowReplaced     = "replaced"
	HowInterimEnded = "interim_ended"
)

var (
	seatLeftHows = []string{HowRemoved, HowResigned, HowTermEnded}
	roleEndHows  = []string{HowFired, HowResigned, HowReplaced, HowInterimEnded}
)

// Claim outcomes, as a claim.resolved states them (of a whole claim or of
// one of its parts). Unresolved: it will never be settled. A claim's
// outcome in the views is also "open" (not settled yet), "partly" (its
// parts settled differently) or "relayed" (it repeats another report).
const (
	Confirmed  = "confirmed"
	Refuted    = "refuted"
	Unresolved = "unresolved"
)

var outcomes = []string{Confirmed, Refuted, Unresolved}

// Role is a position in an organisation, a lowercase word such as "ceo".
type Role string

// knownRoles is the role vocabulary. Prefixed families (chief_, head_of_,
// vp_) are accepted as well, so that another story's "chief_revenue_officer"
// needs no code change while a typo such as "ceo " or "CEO" is still caught.
var knownRoles = []Role{
	"ceo", "president", "cto", "coo", "cfo", "cio", "cmo", "cpo", "ciso",
	"chief_scientist", "director_of_research", "researcher", "engineer",
	"lead", "general_counsel", "deputy_general_counsel", "vice_president",
	"founder", "cofounder", "employee", "partner", "secretary", "treasurer",
}

var rolePrefixes = []string{"chief_", "head_of_", "vp_"}

// Text is the role as people write it: "CEO", "chief scientist".
func (r Role) Text() string {
	if s := string(r); len(s) <= 4 && strings.HasPrefix(s, "c") { // ceo, cto, cfo, ciso …
		return strings.ToUpper(s)
	}
	return strings.ReplaceAll(string(r), "_", " ")
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	if !joinedWords(string(r), '_', isLower) {
		return false
	}
	if oneOf(r, knownRoles) {
		return true
	}
	for _, p := range rolePrefixes {
		if strings.HasPrefix(string(r), p) && len(r) > len(p) {
			return true
		}
	}
	return false
}

// ValidSlug reports whether s is an entity id: lowercase ASCII words joined
// by "-" (slugPattern; a loop, as every event checks several).
func ValidSlug(s string) bool {
	return len(s) <= 128 && joinedWords(s, '-', func(c byte) bool { return isLower(c) || '0' <= c && c <= '9' })
}

// joinedWords reports whether s is one or more words of bytes in joined
// by sep: no sep first, last or twice in a row.
func joinedWords(s string, sep byte, in func(byte) bool) bool {
	word := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == sep && word:
			word = false
		case c != sep && in(c):
			word = true
		default:
			return false
		}
	}
	return word
}

func isLower(c byte) bool { return 'a' <= c && c <= 'z' }

var langRE = regexp.MustCompile(`^[a-zA-Z]{2,3}(-[A-Za-z0-9]{2,8})*$`)

func validLang(s string) bool { return langRE.MatchString(s) }

func oneOf[T comparable](v T, set []T) bool {
	for _, s := range set {
		if s == v {
			return true
		}
	}
	return false
}
