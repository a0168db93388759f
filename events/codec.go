package events

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// MaxLineBytes is the longest event line accepted: the stream's default
// maximum payload, so anything decoded here can also be stored.
const MaxLineBytes = 1 << 20

// Namespace is the UUIDv5 namespace of derived event ids. Changing it would
// change every derived id, so it is fixed forever.
var Namespace = uuid.MustParse("3a1f5e2c-8d4b-5c6e-9f70-1b2c3d4e5f60")

const timeLayout = time.RFC3339Nano

// wire is the JSON shape of an event. Data stays raw until the type is known.
type wire struct {
	ID         string          `json:"id,omitempty"`
	Key        string          `json:"key,omitempty"`
	Type       Type            `json:"type"`
	OccurredAt string          `json:"occurred_at"`
	Precision  Precision       `json:"occurred_precision,omitempty"`
	ReportedAt string          `json:"reported_at"`
	Scheduled  bool            `json:"scheduled,omitempty"`
	Source     json.RawMessage `json:"source"`
	Data       json.RawMessage `json:"data"`
	Quote      string          `json:"quote,omitempty"`
	Supersedes *string         `json:"supersedes,omitempty"`
	Erratum    *string         `json:"erratum,omitempty"`
	Stories    []string        `json:"stories,omitempty"`

	// source and data are what the fast pass (fastWire) decoded typed;
	// nil after the exact pass, which leaves them raw above.
	source *Source
	data   Data
}

// Decode parses one event from JSON strictly, validates it and, when it has
// no id, derives one. Errors are *FieldError values (joined when several).
func Decode(b []byte) (Event, error) { return decode(b, false) }

// DecodeInput is [Decode] for a line of an import file, whose references
// may also be keys or id prefixes: an event with such a reference has no
// id yet (unless it gives one) until [Resolver.Resolve] settles them.
func DecodeInput(b []byte) (Event, error) { return decode(b, true) }

func decode(b []byte, input bool) (Event, error) {
	if err := checkLine(b); err != nil {
		return Event{}, err
	}
	var w wire
	var errs []error
	if err := unmarshalWire(b, &w); err != nil {
		if errors.Is(err, ErrBadJSON) {
			return Event{}, err
		}
		errs = append(errs, err)
	}
	e, errs := w.event(input, errs)
	if len(errs) > 0 {
		return Event{}, withValidation(&e, errs)
	}
	if err := e.Validate(); err != nil {
		return Event{}, err
	}
	return e, e.settle()
}

// checkLine refuses a line too long or not UTF-8, naming where it breaks.
func checkLine(b []byte) error {
	if len(b) > MaxLineBytes {
		return &FieldError{Field: "(line)", Err: ErrTooLong, Value: fmt.Sprintf("(%d bytes > %d)", len(b), MaxLineBytes)}
	}
	if utf8.Valid(b) {
		return nil
	}
	off := 0
	for off < len(b) {
		r, n := utf8.DecodeRune(b[off:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		off += n
	}
	return &FieldError{Field: "(line)", Err: ErrNotUTF8, Value: fmt.Sprintf("(at byte %d)", off)}
}

// event builds the event w describes, adding to errs what is wrong.
func (w wire) event(input bool, errs []error) (Event, []error) {
	if w.Data == nil || string(w.Data) == "null" {
		w.Data = nil
	}
	// A time decoding rejected (not a string) is not reported again as missing.
	top := namedFields(errs)
	e := Event{ID: normUUID(w.ID), Key: w.Key, Quote: w.Quote, Scheduled: w.Scheduled, Precision: w.Precision, input: input, idGiven: w.ID != ""}
	if e.Precision == "" {
		e.Precision = PrecisionMinute
	}
	if w.Supersedes != nil {
		e.Supersedes = normUUID(*w.Supersedes)
	}
	if w.Erratum != nil {
		e.Erratum = normUUID(*w.Erratum)
	}
	e.Stories = w.Stories
	switch {
	case w.source != nil:
		e.Source = *w.source
	case w.Source != nil && string(w.Source) != "null":
		if err := strictUnmarshal(w.Source, &e.Source, "source."); err != nil {
			errs = append(errs, err)
		}
	}
	e.Source.Report = normUUID(e.Source.Report)
	occDate, errs := decodeTimes(&e, w, top, errs)
	if occDate {
		errs = dayFromDate(&e, w.Precision, errs)
	}
	t, raw, err := upcast(w.Type, w.Data)
	if err != nil {
		errs = append(errs, err)
	}
	e.Type = t
	d := w.data
	if d == nil && raw != nil {
		if d = newData(t); d != nil {
			if err := strictUnmarshal(raw, d, "data."); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if d != nil {
		normalise(d)
		e.Data = d
	}
	return e, errs
}

// dayFromDate makes an event whose occurred_at is a date alone day-precise;
// a finer precision given with it is an error.
func dayFromDate(e *Event, given Precision, errs []error) []error {
	switch e.Precision {
	case PrecisionMinute, PrecisionHour:
		if given != "" {
			errs = append(errs, &FieldError{Field: "occurred_precision", Err: ErrBadValue,
				Value: fmt.Sprintf("%q (occurred_at gives only a date: day, month or year)", given)})
		}
		e.Precision = PrecisionDay
	}
	return errs
}

// withValidation joins errs with what validation finds, except for fields
// decoding already named, so one pass over a file lists every problem.
func withValidation(e *Event, errs []error) error {
	named := namedFields(errs)
	if err := e.Validate(); err != nil {
		for _, v := range flatten(err) {
			var fe *FieldError
			if errors.As(v, &fe) && named[fe.Field] {
				continue
			}
			errs = append(errs, v)
		}
	}
	return errors.Join(flattenAll(errs)...)
}

// settle derives the id of an event whose references are all ids, and
// marks it ready to store.
func (e *Event) settle() error {
	if len(e.Unresolved()) > 0 {
		return nil
	}
	e.input = false
	if e.ID == "" {
		e.ID = e.DeriveID()
	} else {
		e.ID = strings.ToLower(e.ID)
	}
	return nil
}

// decodeTimes parses the envelope's two times into e; occDate reports an
// occurred_at written as a date alone.
func decodeTimes(e *Event, w wire, top map[string]bool, errs []error) (occDate bool, _ []error) {
	var err error
	if e.OccurredAt, occDate, err = parseEventTime("occurred_at", w.OccurredAt); err != nil && !top["occurred_at"] {
		errs = append(errs, err)
	}
	if e.ReportedAt, _, err = parseEventTime("reported_at", w.ReportedAt); err != nil && !top["reported_at"] {
		errs = append(errs, err)
	}
	return occDate, errs
}

// namedFields returns the fields that errs name.
func namedFields(errs []error) map[string]bool {
	named := map[string]bool{}
	for _, v := range flattenAll(errs) {
		var fe *FieldError
		if errors.As(v, &fe) {
			named[fe.Field] = true
		}
	}
	return named
}

// normUUID writes a UUID in its standard form (lowercase, hyphenated, no
// braces or urn:uuid: prefix), so that ids compare equal as strings wherever
// they are referred to. Anything else is left for validation to reject.
func normUUID(s string) string {
	if u, err := uuid.Parse(s); err == nil {
		return u.String()
	}
	return s
}

func flattenAll(errs []error) []error {
	var out []error
	for _, err := range errs {
		out = append(out, flatten(err)...)
	}
	return out
}

func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return flattenAll(j.Unwrap())
	}
	return []error{err}
}

// normalise gives optional lists one canonical form, so that an event with
// "aliases": [] and one without the field encode alike, and writes the
// UUIDs a payload refers to in their standard form.
func normalise(d Data) {
	switch d := d.(type) {
	case *EntityDescription:
		if d.Aliases == nil {
			d.Aliases = []string{}
		}
	case *Claim:
		if d.About == nil {
			d.About = []string{}
		}
		d.Repeats = normUUID(d.Repeats)
	case *Resolution:
		d.Claim, d.ByEvent = normUUID(d.Claim), normUUID(d.ByEvent)
	case *Withdrawal:
		d.Event = normUUID(d.Event)
	case *Filing:
		for i, id := range d.Events {
			d.Events[i] = normUUID(id)
		}
	}
}

// parseEventTime reads an event's time: RFC 3339 with an offset, or the
// forms people write followed by a zone ("2024-05-10 14:00 Europe/Oslo",
// "2024-05-10 PT"), which become the offset the zone's rules give then.
// dateOnly reports a date without a time of day. A time without an offset
// or a zone is refused: a file's times must not depend on where it is
// imported. An offset written beside a zone must be the zone's.
func parseEventTime(field, s string) (t time.Time, dateOnly bool, err error) {
	if s == "" {
		return time.Time{}, false, fieldErr(field, ErrMissing, nil)
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, false, nil
	}
	bad := func(why string) (time.Time, bool, error) {
		return time.Time{}, false, &FieldError{Field: field, Err: ErrBadTime, Value: fmt.Sprintf("%q (%s)", s, why)}
	}
	i := strings.LastIndexByte(s, ' ')
	loc, ok := (*time.Location)(nil), false
	if i > 0 {
		loc, ok = zone(s[i+1:])
	}
	if !ok && i > 0 && strings.IndexFunc(s[i+1:], unicode.IsLetter) >= 0 {
		return bad(fmt.Sprintf("unknown zone %q; try PT, UTC, +02:00 or an IANA name such as Europe/Oslo (case matters)", s[i+1:]))
	}
	if !ok {
		return bad("no UTC offset or zone; write e.g. 2024-05-10T14:00:00+02:00 or \"2024-05-10 14:00 Europe/Oslo\"")
	}
	body := strings.TrimSpace(s[:i])
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04Z07:00"} {
		if written, err := time.Parse(layout, body); err == nil {
			_, off := written.Zone()
			if _, want := written.In(loc).Zone(); off != want {
				return bad(fmt.Sprintf("the offset contradicts %s, which is %s then", s[i+1:], written.In(loc).Format("-07:00")))
			}
			return written, false, nil
		}
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, body, loc); err == nil {
			if t, err = inRange(t, s); err != nil {
				return bad(err.Error())
			}
			wall, _ := time.Parse(layout, body) // the clock as written, read in UTC
			if why := wallClockProblem(wall, t, loc); why != "" {
				return bad(why)
			}
			return t, layout == "2006-01-02", nil
		}
	}
	return bad("want RFC 3339 with an offset, e.g. 2023-11-17T12:00:00-08:00, or a date and time and a zone, e.g. \"2023-11-17 12:00 PT\"")
}

// wallClockProblem says why the clock time wall (as written, in UTC
// fields), which t is in loc, is not one instant there: the clocks skipped
// it (spring forward) or showed it twice (fall back). "" when it is one.
func wallClockProblem(wall, t time.Time, loc *time.Location) string {
	y, mo, d := wall.Date()
	h, mi, _ := wall.Clock()
	seen := map[int]bool{}
	matches := 0
	for _, probe := range []time.Time{t.Add(-12 * time.Hour), t, t.Add(12 * time.Hour)} {
		_, off := probe.In(loc).Zone()
		if seen[off] {
			continue
		}
		seen[off] = true
		inst := wall.Add(-time.Duration(off) * time.Second).In(loc)
		if iy, imo, id := inst.Date(); iy == y && imo == mo && id == d && inst.Hour() == h && inst.Minute() == mi {
			matches++
		}
	}
	switch {
	case matches == 0:
		return fmt.Sprintf("%s %02d:%02d does not exist in %s: the clocks skipped it", wall.Format("2006-01-02"), h, mi, loc)
	case matches > 1:
		return fmt.Sprintf("%s %02d:%02d happened twice in %s: write the offset, e.g. %s", wall.Format("2006-01-02"), h, mi, loc, t.Format("2006-01-02T15:04:05-07:00"))
	}
	return ""
}

// canonical is the encoding whose bytes are hashed for ids and the hash
// chain: fixed field order, optional fields omitted, times as written.
type canonical struct {
	ID         string    `json:"id,omitempty"`
	Key        string    `json:"key,omitempty"`
	Type       Type      `json:"type"`
	OccurredAt string    `json:"occurred_at"`
	Precision  Precision `json:"occurred_precision"`
	ReportedAt string    `json:"reported_at"`
	Scheduled  bool      `json:"scheduled,omitempty"`
	Source     Source    `json:"source"`
	Data       Data      `json:"data"`
	Quote      string    `json:"quote,omitempty"`
	Supersedes string    `json:"supersedes,omitempty"`
	Erratum    string    `json:"erratum,omitempty"`
	Stories    []string  `json:"stories,omitempty"`
}

// MarshalJSON returns the canonical encoding.
func (e Event) MarshalJSON() ([]byte, error) {
	return e.Canonical(), nil
}

// UnmarshalJSON decodes strictly, as [Decode] does.
func (e *Event) UnmarshalJSON(b []byte) error {
	ev, err := Decode(b)
	if err != nil {
		return err
	}
	*e = ev
	return nil
}

// Canonical returns the event's canonical JSON, without a trailing newline.
// Two events with the same content have the same bytes.
func (e *Event) Canonical() []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	c := canonical{
		ID: e.ID, Key: e.Key, Type: e.Type, Precision: e.Precision, Scheduled: e.Scheduled,
		OccurredAt: e.OccurredAt.Format(timeLayout), ReportedAt: e.ReportedAt.Format(timeLayout),
		Source: e.Source, Data: e.Data, Quote: e.Quote, Supersedes: e.Supersedes, Erratum: e.Erratum, Stories: e.Stories,
	}
	if c.Precision == "" {
		c.Precision = PrecisionMinute
	}
	if err := enc.Encode(c); err != nil {
		// Every field is a plain string, number, bool or slice of them;
		// encoding cannot fail.
		panic("events: canonical encoding: " + err.Error())
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// DeriveID returns the UUIDv5 of the event's canonical encoding without its
// id: the id an import line without "id" gets.
func (e *Event) DeriveID() string {
	c := *e
	c.ID = ""
	return uuid.NewSHA1(Namespace, c.Canonical()).String()
}

// LineError places an event error in a file.
type LineError struct {
	File string
	Line int
	Err  error
}

func (e *LineError) Error() string {
	var parts []string
	for _, err := range flatten(e.Err) {
		parts = append(parts, err.Error())
	}
	where := fmt.Sprintf("line %d", e.Line)
	if e.File != "" {
		where = e.File + " " + where
	}
	return where + ": " + strings.Join(parts, "; ")
}

func (e *LineError) Unwrap() error { return e.Err }

// Reader reads events from JSON Lines. Blank lines are skipped. A bad line
// gives a *LineError and reading goes on with the next line.
type Reader struct {
	File  string // named in errors
	input bool   // decode with DecodeInput
	r     *bufio.Reader
	line  int
	buf   []byte
}

// NewReader returns a Reader of r.
func NewReader(r io.Reader, file string) *Reader {
	return &Reader{File: file, r: bufio.NewReaderSize(r, 64<<10)}
}

// Next returns the next event, or io.EOF after the last one.
func (r *Reader) Next() (Event, int, error) {
	for {
		line, tooLong, err := r.readLine()
		if err == io.EOF && len(line) == 0 && !tooLong {
			return Event{}, r.line, io.EOF
		}
		if err != nil && err != io.EOF {
			return Event{}, r.line, fmt.Errorf("read %s line %d: %w", r.File, r.line, err)
		}
		if tooLong {
			return Event{}, r.line, &LineError{File: r.File, Line: r.line, Err: &FieldError{Field: "(line)", Err: ErrTooLong, Value: fmt.Sprintf("(over %d bytes)", MaxLineBytes)}}
		}
		if len(bytes.TrimSpace(line)) == 0 {
			if err == io.EOF {
				return Event{}, r.line, io.EOF
			}
			continue
		}
		ev, derr := decode(bytes.TrimSpace(line), r.input)
		if derr != nil {
			return Event{}, r.line, &LineError{File: r.File, Line: r.line, Err: derr}
		}
		return ev, r.line, nil
	}
}

// readLine returns the next line without its newline. A line longer than
// MaxLineBytes is consumed and reported as tooLong, so that one huge line
// neither exhausts memory nor stops the rest of the file from being read.
func (r *Reader) readLine() (line []byte, tooLong bool, err error) {
	r.line++
	r.buf = r.buf[:0]
	for {
		chunk, err := r.r.ReadSlice('\n')
		if !tooLong {
			r.buf = append(r.buf, chunk...)
			if len(r.buf) > MaxLineBytes+2 {
				tooLong = true
				r.buf = r.buf[:0]
			}
		}
		if err == nil {
			return bytes.TrimRight(r.buf, "\r\n"), tooLong, nil
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return bytes.TrimRight(r.buf, "\r\n"), tooLong, err
	}
}
