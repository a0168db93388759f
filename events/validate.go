package events

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/google/uuid"
)

// Sentinel errors callers branch on with errors.Is. A [FieldError] wraps one
// of them and names the field.
var (
	ErrUnknownField    = errors.New("unknown field")
	ErrUnknownType     = errors.New("unknown event type")
	ErrMissing         = errors.New("required field missing")
	ErrBadTime         = errors.New("bad time")
	ErrBadValue        = errors.New("bad value")
	ErrWrongJSONType   = errors.New("wrong JSON type")
	ErrBadJSON         = errors.New("malformed JSON")
	ErrNotUTF8         = errors.New("not valid UTF-8")
	ErrTooLong         = errors.New("line too long")
	ErrReportedEarly   = errors.New("reported before it occurred")
	ErrUnknownRole     = errors.New("unknown role")
	ErrUnknownSeat     = errors.New("unknown seat")
	ErrUnknownHow      = errors.New("unknown how")
	ErrUnknownAttrib   = errors.New("unknown attribution")
	ErrUnknownPrec     = errors.New("unknown precision")
	ErrBadSlug         = errors.New("bad entity id (lowercase ASCII words joined by -)")
	ErrBadKey          = errors.New("bad key (lowercase ASCII words joined by -, not an id or 8+ hex digits)")
	ErrBadID           = errors.New("bad id (not a UUID)")
	ErrSelfSupersedes  = errors.New("event supersedes itself")
	ErrSelfErratum     = errors.New("erratum names the event itself")
	ErrIDMismatch      = errors.New("id does not match content")
	ErrUnknownOutcome  = errors.New("unknown outcome")
	ErrUnknownKind     = errors.New("unknown kind")
	ErrDuplicateAlias  = errors.New("duplicate alias")
	ErrSignaturesTotal = errors.New("signatures exceed of_total")
)

// FieldError names the field of an event that is wrong, and why.
type FieldError struct {
	Field string // JSON path, e.g. "data.seat"
	Value string // the offending value, shortened; empty if missing
	Err   error  // a sentinel above
	Want  string // what would be accepted, e.g. "director|chair|observer"; may be empty
}

func (e *FieldError) Error() string {
	msg := fmt.Sprintf("%s: %v", e.Field, e.Err)
	if e.Value != "" {
		msg += " " + e.Value
	}
	if e.Want != "" {
		msg += " (want " + e.Want + ")"
	}
	return msg
}

func (e *FieldError) Unwrap() error { return e.Err }

func fieldErr(field string, err error, value any) *FieldError {
	v := ""
	if value != nil {
		s := fmt.Sprint(value)
		if len(s) > 60 {
			s = s[:57] + "..."
		}
		v = fmt.Sprintf("%q", s)
	}
	return &FieldError{Field: field, Value: v, Err: err}
}

// wantOne is fieldErr for a value outside a fixed vocabulary: the message
// lists the vocabulary.
func wantOne[T ~string](field string, err error, value T, allowed []T) *FieldError {
	fe := fieldErr(field, err, value)
	words := make([]string, len(allowed))
	for i, a := range allowed {
		words[i] = string(a)
	}
	fe.Want = strings.Join(words, "|")
	return fe
}

// Validate checks the envelope and the payload against DESIGN.md's rules. It
// returns every problem it finds, joined, each a *FieldError.
func (e *Event) Validate() error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	if e.ID != "" {
		if _, err := uuid.Parse(e.ID); err != nil {
			add(fieldErr("id", ErrBadID, e.ID))
		}
	}
	if e.Type == "" {
		add(fieldErr("type", ErrMissing, nil))
	} else if !e.Type.Valid() {
		add(fieldErr("type", ErrUnknownType, e.Type))
	}
	if e.OccurredAt.IsZero() {
		add(fieldErr("occurred_at", ErrMissing, nil))
	}
	if e.ReportedAt.IsZero() {
		add(fieldErr("reported_at", ErrMissing, nil))
	}
	if !e.Precision.Valid() {
		add(wantOne("occurred_precision", ErrUnknownPrec, e.Precision, precisions))
	}
	if !e.OccurredAt.IsZero() && !e.ReportedAt.IsZero() && e.ReportedAt.Before(e.OccurredAt) && !e.Scheduled {
		add(&FieldError{Field: "reported_at", Err: ErrReportedEarly,
			Value: fmt.Sprintf("(%s < occurred_at %s; set \"scheduled\": true for an announcement of a future event)",
				e.ReportedAt.Format(timeLayout), e.OccurredAt.Format(timeLayout))})
	}
	if strings.TrimSpace(e.Source.Outlet) == "" {
		add(fieldErr("source.outlet", ErrMissing, nil))
	}
	if e.Source.Attribution == "" {
		add(fieldErr("source.attribution", ErrMissing, nil))
	} else if !e.Source.Attribution.Valid() {
		add(wantOne("source.attribution", ErrUnknownAttrib, e.Source.Attribution, attributions))
	}
	if e.Source.URL != "" && !validURL(e.Source.URL) {
		add(fieldErr("source.url", ErrBadValue, e.Source.URL))
	}
	errs = append(errs, e.validateNames()...)
	if e.Supersedes != "" && e.Supersedes == e.ID {
		add(fieldErr("supersedes", ErrSelfSupersedes, e.Supersedes))
	}
	if e.Erratum != "" && e.Erratum == e.ID {
		add(fieldErr("erratum", ErrSelfErratum, e.Erratum))
	}
	for i, v := range e.Source.Via {
		if strings.TrimSpace(v) == "" {
			add(fieldErr(fmt.Sprintf("source.via[%d]", i), ErrMissing, nil))
		}
	}
	if e.Data == nil {
		if e.Type.Valid() {
			add(fieldErr("data", ErrMissing, nil))
		}
	} else {
		if e.Data.Type() != e.Type && e.Type.Valid() {
			add(fieldErr("data", ErrBadValue, fmt.Sprintf("payload of %s for type %s", e.Data.Type(), e.Type)))
		}
		add(e.Data.validate())
	}
	return errors.Join(errs...)
}

// validURL reports whether s is an absolute http or https URL.
func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

var prefixRE = regexp.MustCompile(`^[0-9a-f]{8}[0-9a-f-]*$`)

// validateNames checks what names events: the key, the references to
// other events, the stories.
func (e *Event) validateNames() []error {
	var errs []error
	if e.Key != "" && (!ValidSlug(e.Key) || prefixRE.MatchString(e.Key)) {
		// A key that reads as an id prefix would shadow the ids it starts.
		errs = append(errs, fieldErr("key", ErrBadKey, e.Key))
	}
	for _, r := range e.Refs() {
		if err := e.checkRef(r); err != nil {
			errs = append(errs, err)
		}
	}
	for i, st := range e.Stories {
		if !ValidSlug(st) {
			errs = append(errs, fieldErr(fmt.Sprintf("stories[%d]", i), ErrBadSlug, st))
		}
	}
	return errs
}

// isUUID reports whether s is a UUID.
func isUUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) >= 32
}

// checkRef checks a reference: a UUID; in an import file also a key or
// an id prefix of at least 8 hex digits, resolved before storing.
func (e *Event) checkRef(r Ref) error {
	v := *r.Value
	switch {
	case v == "", isUUID(v):
		return nil
	case e.input && (ValidSlug(v) || prefixRE.MatchString(strings.ToLower(v))):
		return nil
	case e.input:
		fe := fieldErr(r.Field, ErrBadID, v)
		fe.Want = "an event id, the key of an event, or an id prefix of 8 or more hex digits"
		return fe
	}
	return fieldErr(r.Field, ErrBadID, v)
}

// checks collects payload field errors under "data.".
type checks []error

func (c *checks) slug(field, v string) {
	switch {
	case v == "":
		*c = append(*c, fieldErr("data."+field, ErrMissing, nil))
	case !ValidSlug(v):
		*c = append(*c, fieldErr("data."+field, ErrBadSlug, v))
	}
}

func (c *checks) text(field, v string) {
	if strings.TrimSpace(v) == "" {
		*c = append(*c, fieldErr("data."+field, ErrMissing, nil))
	}
}

func (c *checks) lang(v string) {
	switch {
	case v == "":
		*c = append(*c, fieldErr("data.lang", ErrMissing, nil))
	case !validLang(v):
		*c = append(*c, fieldErr("data.lang", ErrBadValue, v))
	}
}

func (c *checks) seat(v Seat) {
	switch {
	case v == "":
		*c = append(*c, fieldErr("data.seat", ErrMissing, nil))
	case !v.Valid():
		*c = append(*c, wantOne("data.seat", ErrUnknownSeat, v, seats))
	}
}

func (c *checks) role(v Role) {
	switch {
	case v == "":
		*c = append(*c, fieldErr("data.role", ErrMissing, nil))
	case !v.Valid():
		fe := fieldErr("data.role", ErrUnknownRole, v)
		fe.Want = "a lowercase role such as ceo, president, chief_scientist, or chief_/head_of_/vp_ and words joined by _"
		*c = append(*c, fe)
	}
}

func (c *checks) how(v string, allowed []string) {
	switch {
	case v == "":
		*c = append(*c, fieldErr("data.how", ErrMissing, nil))
	case !oneOf(v, allowed):
		*c = append(*c, wantOne("data.how", ErrUnknownHow, v, allowed))
	}
}

// ref requires a reference field (Event.Validate checks its form).
func (c *checks) ref(field, v string) {
	if v == "" {
		*c = append(*c, fieldErr("data."+field, ErrMissing, nil))
	}
}

func (c checks) err() error { return errors.Join(c...) }

func (d *EntityDescription) validate() error {
	var c checks
	c.slug("id", d.ID)
	switch {
	case d.Kind == "":
		c = append(c, fieldErr("data.kind", ErrMissing, nil))
	case !d.Kind.Valid():
		c = append(c, wantOne("data.kind", ErrUnknownKind, d.Kind, kinds))
	}
	if d.Home != "" && d.Kind != Outlet {
		c = append(c, fieldErr("data.home", ErrBadValue, d.Home+" (only an outlet has a home page)"))
	} else if d.Home != "" && !validURL(d.Home) {
		c = append(c, fieldErr("data.home", ErrBadValue, d.Home))
	}
	c.text("name", d.Name)
	seen := map[string]bool{}
	for i, a := range d.Aliases {
		f := fmt.Sprintf("aliases[%d]", i)
		c.text(f, a)
		if seen[a] {
			c = append(c, fieldErr("data."+f, ErrDuplicateAlias, a))
		}
		seen[a] = true
	}
	return c.err()
}

func (d *SeatTaken) validate() error {
	var c checks
	c.slug("org", d.Org)
	c.slug("person", d.Person)
	c.seat(d.Seat)
	return c.err()
}

func (d *SeatLeft) validate() error {
	var c checks
	c.slug("org", d.Org)
	c.slug("person", d.Person)
	c.seat(d.Seat)
	c.how(d.How, seatLeftHows)
	return c.err()
}

func (d *RoleStart) validate() error {
	var c checks
	c.slug("person", d.Person)
	c.slug("org", d.Org)
	c.role(d.Role)
	return c.err()
}

func (d *RoleEnd) validate() error {
	var c checks
	c.slug("person", d.Person)
	c.slug("org", d.Org)
	c.role(d.Role)
	c.how(d.How, roleEndHows)
	return c.err()
}

func (d *Affiliation) validate() error {
	var c checks
	c.slug("person", d.Person)
	c.slug("org", d.Org)
	c.role(d.Role)
	return c.err()
}

func (d *Statement) validate() error {
	var c checks
	c.slug("by", d.By)
	c.text("text", d.Text)
	c.lang(d.Lang)
	return c.err()
}

func (d *Claim) validate() error {
	var c checks
	if len(d.About) == 0 {
		c = append(c, fieldErr("data.about", ErrMissing, nil))
	}
	for i, a := range d.About {
		c.slug(fmt.Sprintf("about[%d]", i), a)
	}
	c.text("text", d.Text)
	c.lang(d.Lang)
	if d.Expects != "" && !d.Expects.Valid() {
		c = append(c, fieldErr("data.expects", ErrUnknownType, d.Expects))
	}
	for i, p := range d.Parts {
		c.text(fmt.Sprintf("parts[%d]", i), p)
	}
	if len(d.Parts) == 1 {
		c = append(c, fieldErr("data.parts", ErrBadValue, "(one part: a claim is split into two or more, or not at all)"))
	}
	return c.err()
}

func (d *Resolution) validate() error {
	var c checks
	c.ref("claim", d.Claim)
	switch {
	case d.Outcome == "":
		c = append(c, fieldErr("data.outcome", ErrMissing, nil))
	case !oneOf(d.Outcome, outcomes):
		c = append(c, wantOne("data.outcome", ErrUnknownOutcome, d.Outcome, outcomes))
	case d.Outcome != Unresolved || d.ByEvent != "":
		c.ref("by_event", d.ByEvent)
	}
	if d.Part < 0 {
		c = append(c, fieldErr("data.part", ErrBadValue, d.Part))
	}
	return c.err()
}

func (d *Filing) validate() error {
	var c checks
	c.slug("story", d.Story)
	if len(d.Events) == 0 {
		c = append(c, fieldErr("data.events", ErrMissing, nil))
	}
	for i, id := range d.Events {
		if !isUUID(id) {
			c = append(c, fieldErr(fmt.Sprintf("data.events[%d]", i), ErrBadID, id))
		}
	}
	return c.err()
}

func (d *Withdrawal) validate() error {
	var c checks
	c.ref("event", d.Event)
	c.text("reason", d.Reason)
	return c.err()
}

func (d *Petition) validate() error {
	var c checks
	c.slug("org", d.Org)
	c.slug("petition", d.Petition)
	if d.Signatures < 0 {
		c = append(c, fieldErr("data.signatures", ErrBadValue, d.Signatures))
	}
	if d.OfTotal <= 0 {
		c = append(c, fieldErr("data.of_total", ErrBadValue, d.OfTotal))
	} else if d.Signatures > d.OfTotal {
		c = append(c, fieldErr("data.signatures", ErrSignaturesTotal, d.Signatures))
	}
	return c.err()
}

var currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)

func (d *Stake) validate() error {
	var c checks
	c.slug("holder", d.Holder)
	c.slug("org", d.Org)
	if d.Amount < 0 {
		c = append(c, fieldErr("data.amount", ErrBadValue, d.Amount))
	}
	if !currencyRE.MatchString(d.Currency) {
		fe := fieldErr("data.currency", ErrBadValue, d.Currency)
		fe.Want = "an ISO 4217 code such as USD"
		c = append(c, fe)
	}
	return c.err()
}

func (d *Report) validate() error {
	var c checks
	c.text("title", d.Title)
	c.lang(d.Lang)
	c.text("body", d.Body)
	for i, s := range d.Cites {
		c.text(fmt.Sprintf("cites[%d]", i), s)
	}
	return c.err()
}
