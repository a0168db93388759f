package events

import (
	"fmt"
	"strings"
	"time"
)

// TypeInfo describes a type for people writing events: what it records
// and what it changes.
type TypeInfo struct {
	Type    Type
	Summary string // one line
	// example builds the payload of a template from what the writer gave.
	example func(f Fill) Data
}

// Fill is what a writer gives `story new`: the entities and texts to put
// in a template. What it does not give stays a placeholder the decoder
// refuses until it is filled in: an entity in CAPITALS, an empty text or
// outlet, a URL placeholder.
type Fill struct {
	Org, Person, By, Holder string
	Outlet                  string
	Kind                    Kind   // of an entity.described (default person)
	Claim, Event            string // ids or keys a resolution, relay or withdrawal names
	Text, Lang              string
}

func or(v, placeholder string) string {
	if v != "" {
		return v
	}
	return placeholder
}

// Catalog lists every type in the order of [Types], with its summary and
// template.
var Catalog = []TypeInfo{
	{EntityDescribed, "a person, org or outlet: its name and aliases (the views show names, look-ups take aliases)", func(f Fill) Data {
		kind := Person
		if f.Kind != "" {
			kind = f.Kind
		}
		return &EntityDescription{ID: or(f.Person, or(f.Org, "SLUG")), Kind: kind, Name: f.Text, Aliases: []string{}}
	}},
	{BoardSeatTaken, "someone takes a seat on a board, or changes seat (board, status)", func(f Fill) Data {
		return &SeatTaken{Org: or(f.Org, "ORG"), Person: or(f.Person, "PERSON"), Seat: Director}
	}},
	{BoardSeatLeft, "someone leaves a board seat (board, status)", func(f Fill) Data {
		return &SeatLeft{Org: or(f.Org, "ORG"), Person: or(f.Person, "PERSON"), Seat: Director, How: HowResigned}
	}},
	{RoleStarted, "someone starts a role; it ends whoever held it (roles, status)", func(f Fill) Data {
		return &RoleStart{Person: or(f.Person, "PERSON"), Org: or(f.Org, "ORG"), Role: "ceo"}
	}},
	{RoleEnded, "someone's role ends (roles, status)", func(f Fill) Data {
		return &RoleEnd{Person: or(f.Person, "PERSON"), Org: or(f.Org, "ORG"), Role: "ceo", How: HowResigned}
	}},
	{AffiliationAnnounced, "someone is announced to take a role, not yet started (status)", func(f Fill) Data {
		return &Affiliation{Person: or(f.Person, "PERSON"), Org: or(f.Org, "ORG"), Role: "ceo", Note: f.Text}
	}},
	{StatementMade, "something someone said on the record (timeline; evidence for claims)", func(f Fill) Data {
		return &Statement{By: or(f.By, or(f.Person, "PERSON")), Text: f.Text, Lang: or(f.Lang, "en")}
	}},
	{ClaimReported, "a report of something not (yet) on the record (claims, sources)", func(f Fill) Data {
		return &Claim{About: []string{or(f.Person, or(f.Org, "ENTITY"))}, Text: f.Text, Lang: or(f.Lang, "en")}
	}},
	{ClaimResolved, "what happened settles a claim: confirmed, refuted or unresolved (claims, sources)", func(f Fill) Data {
		return &Resolution{Claim: or(f.Claim, "CLAIM-ID-OR-KEY"), Outcome: Confirmed, ByEvent: or(f.Event, "EVIDENCE-ID-OR-KEY")}
	}},
	{PetitionUpdated, "a count of signatures on a petition (status, timeline)", func(f Fill) Data {
		return &Petition{Org: or(f.Org, "ORG"), Petition: "PETITION-SLUG", Signatures: 1, OfTotal: 2}
	}},
	{StakeDisclosed, "what a holder holds in an org (stakes)", func(f Fill) Data {
		return &Stake{Holder: or(f.Holder, "HOLDER"), Org: or(f.Org, "ORG"), Amount: 1, Currency: "USD"}
	}},
	{ReportPublished, "a published article, its text kept whole (sources, timeline)", func(f Fill) Data {
		return &Report{Title: f.Text, Lang: or(f.Lang, "en"), Body: ""}
	}},
	{RecordWithdrawn, "an erratum: takes a stored record out of every view (the archive's own mistake)", func(f Fill) Data {
		return &Withdrawal{Event: or(f.Event, "EVENT-ID-OR-KEY"), Reason: f.Text}
	}},
	{StoryFiled, "files events under a story (import --story writes one); views take --story", func(f Fill) Data {
		return &Filing{Story: "STORY-SLUG", Events: []string{or(f.Event, "EVENT-ID")}}
	}},
}

// Info returns the catalogue entry of t.
func Info(t Type) (TypeInfo, bool) {
	for _, c := range Catalog {
		if c.Type == t {
			return c, true
		}
	}
	return TypeInfo{}, false
}

// Template returns a template line of type t: an event in the import
// format with now (to the minute, in loc) as both times and f filled in,
// placeholders in capitals for the rest. It is not valid until they are
// replaced.
func Template(t Type, f Fill, now time.Time, loc *time.Location) (string, error) {
	info, ok := Info(t)
	if !ok {
		return "", fmt.Errorf("%w %q (want one of %s)", ErrUnknownType, t, typeList())
	}
	at := now.In(loc).Truncate(time.Minute)
	e := Event{Type: t, Precision: PrecisionMinute, OccurredAt: at, ReportedAt: at,
		Source: Source{Outlet: f.Outlet, URL: "URL OF THE PAGE READ", Attribution: OnRecord},
		Data:   info.example(f)}
	return string(e.Canonical()), nil
}

func typeList() string {
	words := make([]string, len(Types))
	for i, t := range Types {
		words[i] = string(t)
	}
	return strings.Join(words, ", ")
}
