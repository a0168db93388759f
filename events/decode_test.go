package events_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"storyline/events"
)

func TestSamplesCoverEveryType(t *testing.T) {
	if len(samples) != len(events.Types) {
		t.Fatalf("%d samples for %d types", len(samples), len(events.Types))
	}
	for i, typ := range events.Types {
		if samples[i].name != string(typ) {
			t.Errorf("samples[%d] is %s, want %s", i, samples[i].name, typ)
		}
	}
}

func TestDecodeValid(t *testing.T) {
	for _, tc := range samples {
		t.Run(tc.name, func(t *testing.T) {
			ev := decode(t, []byte(tc.line))
			if string(ev.Type) != tc.name {
				t.Errorf("Type = %q, want %q", ev.Type, tc.name)
			}
			if ev.Data == nil || ev.Data.Type() != ev.Type {
				t.Fatalf("Data = %#v, want a payload of %s", ev.Data, ev.Type)
			}
			if err := ev.Validate(); err != nil {
				t.Errorf("Validate of a decoded event: %v", err)
			}
			if _, err := uuid.Parse(ev.ID); err != nil || ev.ID != strings.ToLower(ev.ID) {
				t.Errorf("ID = %q, want a lowercase UUID", ev.ID)
			}
			if ev.OccurredAt.IsZero() || ev.ReportedAt.IsZero() {
				t.Errorf("times not set: %v %v", ev.OccurredAt, ev.ReportedAt)
			}

			// Round trip: Decode(Canonical()) gives identical bytes.
			c1 := ev.Canonical()
			ev2 := decode(t, c1)
			if c2 := ev2.Canonical(); !bytes.Equal(c1, c2) {
				t.Errorf("canonical bytes changed on round trip:\n%s\n%s", c1, c2)
			}
			if ev2.ID != ev.ID {
				t.Errorf("ID changed on round trip: %s -> %s", ev.ID, ev2.ID)
			}
			if bytes.ContainsAny(c1, "\n\r") {
				t.Errorf("canonical form is not one line: %q", c1)
			}

			// Without an id, the id is derived, and it is the one DeriveID gives.
			noID := mutate(t, tc.line, del("id"))
			ev3 := decode(t, noID)
			u, err := uuid.Parse(ev3.ID)
			if err != nil {
				t.Fatalf("derived ID %q: %v", ev3.ID, err)
			}
			if u.Version() != 5 {
				t.Errorf("derived ID %s is version %d, want 5", ev3.ID, u.Version())
			}
			if got := ev3.DeriveID(); got != ev3.ID {
				t.Errorf("DeriveID() = %s, Decode gave %s", got, ev3.ID)
			}
			if got := ev.DeriveID(); got != ev3.ID {
				t.Errorf("DeriveID ignores the id: with id %s, without %s", got, ev3.ID)
			}
			if ev4 := decode(t, noID); ev4.ID != ev3.ID {
				t.Errorf("derived id not deterministic: %s, %s", ev3.ID, ev4.ID)
			}
		})
	}
}

func TestDecodeFields(t *testing.T) {
	ev := decode(t, []byte(sampleNamed(t, "role.ended").line))
	if ev.ID != uuidA {
		t.Errorf("ID = %s", ev.ID)
	}
	if got, want := ev.OccurredAt.Format(time.RFC3339), "2023-11-17T12:00:00-08:00"; got != want {
		t.Errorf("OccurredAt = %s, want %s (offset as written)", got, want)
	}
	if got, want := ev.ReportedAt.UTC().Format(time.RFC3339), "2023-11-17T20:28:00Z"; got != want {
		t.Errorf("ReportedAt = %s, want %s", got, want)
	}
	if ev.Precision != events.PrecisionMinute || ev.Scheduled || ev.Supersedes != "" {
		t.Errorf("envelope = %+v", ev)
	}
	if !reflect.DeepEqual(ev.Source, events.Source{Outlet: "Acme", URL: "https://acme.example/blog/acme-announces-leadership-transition", Attribution: events.Official}) {
		t.Errorf("Source = %+v", ev.Source)
	}
	d, ok := ev.Data.(*events.RoleEnd)
	if !ok {
		t.Fatalf("Data is %T", ev.Data)
	}
	if *d != (events.RoleEnd{Person: "ann-okafor", Org: "acme", Role: "ceo", How: events.HowFired}) {
		t.Errorf("Data = %+v", d)
	}
	if !strings.HasPrefix(ev.Quote, "Ms. Okafor's departure") {
		t.Errorf("Quote = %q", ev.Quote)
	}
}

func TestDecodeAccepts(t *testing.T) {
	roleEnded := sampleNamed(t, "role.ended").line
	entity := sampleNamed(t, "entity.described").line
	tests := []struct {
		name  string
		in    []byte
		check func(t *testing.T, ev events.Event)
	}{
		{
			name: "a time and a zone word, as flags take them",
			in:   mutate(t, roleEnded, set("occurred_at", "2023-11-17T12:00:00 PST"), set("reported_at", "2023-11-17 12:28 PT")),
			check: func(t *testing.T, ev events.Event) {
				if got := ev.OccurredAt.Format(time.RFC3339); got != "2023-11-17T12:00:00-08:00" {
					t.Errorf("OccurredAt = %s", got)
				}
				if !bytes.Contains(ev.Canonical(), []byte(`"reported_at":"2023-11-17T12:28:00-08:00"`)) {
					t.Errorf("canonical keeps the human form: %s", ev.Canonical())
				}
			},
		},
		{
			name: "an IANA zone gives the offset of its rules then",
			in:   mutate(t, roleEnded, set("occurred_at", "2024-05-10 14:00 Europe/Oslo"), set("reported_at", "2024-05-10T14:00+02:00 Europe/Oslo")),
			check: func(t *testing.T, ev events.Event) {
				if got := ev.OccurredAt.Format(time.RFC3339); got != "2024-05-10T14:00:00+02:00" {
					t.Errorf("OccurredAt = %s (Oslo is on summer time in May)", got)
				}
			},
		},
		{
			name: "a date alone is day-precise",
			in:   mutate(t, roleEnded, set("occurred_at", "2024-05-10 Europe/Oslo"), set("reported_at", "2024-05-11 Europe/Oslo"), del("occurred_precision")),
			check: func(t *testing.T, ev events.Event) {
				if ev.Precision != events.PrecisionDay || ev.OccurredAt.Format(time.RFC3339) != "2024-05-10T00:00:00+02:00" {
					t.Errorf("%s %s", ev.Precision, ev.OccurredAt.Format(time.RFC3339))
				}
			},
		},
		{
			name: "supersedes null",
			in:   mutate(t, roleEnded, set("supersedes", nil)),
			check: func(t *testing.T, ev events.Event) {
				if ev.Supersedes != "" {
					t.Errorf("Supersedes = %q", ev.Supersedes)
				}
				if bytes.Contains(ev.Canonical(), []byte("supersedes")) {
					t.Errorf("canonical names an absent supersedes: %s", ev.Canonical())
				}
			},
		},
		{
			name: "supersedes an earlier event",
			in:   mutate(t, roleEnded, set("supersedes", uuidB)),
			check: func(t *testing.T, ev events.Event) {
				if ev.Supersedes != uuidB {
					t.Errorf("Supersedes = %q", ev.Supersedes)
				}
			},
		},
		{
			name: "uppercase UUIDs are lowercased",
			in: mutate(t, roleEnded, set("id", strings.ToUpper(uuidA)), set("supersedes", strings.ToUpper(uuidB)),
				set("source.report", strings.ToUpper(uuidB))),
			check: func(t *testing.T, ev events.Event) {
				if ev.ID != uuidA || ev.Supersedes != uuidB || ev.Source.Report != uuidB {
					t.Errorf("ID, Supersedes, Source.Report = %q, %q, %q; want lowercase", ev.ID, ev.Supersedes, ev.Source.Report)
				}
			},
		},
		{
			name: "UUID in braces is written in its standard form",
			in:   mutate(t, roleEnded, set("id", "{"+strings.ToUpper(uuidA)+"}"), set("supersedes", "urn:uuid:"+uuidB)),
			check: func(t *testing.T, ev events.Event) {
				if ev.ID != uuidA || ev.Supersedes != uuidB {
					t.Errorf("ID, Supersedes = %q, %q; want %s, %s", ev.ID, ev.Supersedes, uuidA, uuidB)
				}
			},
		},
		{
			name: "claim ids in a resolution are written in standard form",
			in:   mutate(t, sampleNamed(t, "claim.resolved").line, set("data.claim", strings.ToUpper(uuidA)), set("data.by_event", "{"+uuidB+"}")),
			check: func(t *testing.T, ev events.Event) {
				d := ev.Data.(*events.Resolution)
				if d.Claim != uuidA || d.ByEvent != uuidB {
					t.Errorf("Claim, ByEvent = %q, %q; want %s, %s", d.Claim, d.ByEvent, uuidA, uuidB)
				}
			},
		},
		{
			name: "reported before occurred when scheduled",
			in:   mutate(t, roleEnded, set("reported_at", "2023-11-16T09:00:00-08:00"), set("scheduled", true)),
			check: func(t *testing.T, ev events.Event) {
				if !ev.Scheduled || !ev.ReportedAt.Before(ev.OccurredAt) {
					t.Errorf("Scheduled = %v, reported %v, occurred %v", ev.Scheduled, ev.ReportedAt, ev.OccurredAt)
				}
				if !bytes.Contains(ev.Canonical(), []byte(`"scheduled":true`)) {
					t.Errorf("canonical lost scheduled: %s", ev.Canonical())
				}
			},
		},
		{
			name: "reported at the instant it occurred, other offset",
			in:   mutate(t, roleEnded, set("reported_at", "2023-11-17T20:00:00Z")),
		},
		{
			name: "precision defaults to minute",
			in:   mutate(t, roleEnded, del("occurred_precision")),
			check: func(t *testing.T, ev events.Event) {
				if ev.Precision != events.PrecisionMinute {
					t.Errorf("Precision = %q", ev.Precision)
				}
			},
		},
		{
			name: "precision day",
			in:   mutate(t, roleEnded, set("occurred_precision", "day")),
			check: func(t *testing.T, ev events.Event) {
				if ev.Precision != events.PrecisionDay {
					t.Errorf("Precision = %q", ev.Precision)
				}
			},
		},
		{
			name: "fractional seconds and Z",
			in:   mutate(t, roleEnded, set("occurred_at", "2023-11-17T20:00:00.5Z"), set("reported_at", "2023-11-17T20:28:00.123456789Z")),
			check: func(t *testing.T, ev events.Event) {
				if ev.OccurredAt.Nanosecond() != 5e8 || ev.ReportedAt.Nanosecond() != 123456789 {
					t.Errorf("fractions lost: %v %v", ev.OccurredAt, ev.ReportedAt)
				}
			},
		},
		{
			name: "entity without aliases",
			in:   mutate(t, entity, del("data.aliases")),
			check: func(t *testing.T, ev events.Event) {
				if d := ev.Data.(*events.EntityDescription); d.Aliases == nil || len(d.Aliases) != 0 {
					t.Errorf("Aliases = %#v, want empty non-nil", d.Aliases)
				}
			},
		},
		{
			name: "org entity",
			in:   mutate(t, entity, set("data.id", "birch-capital"), set("data.kind", "org"), set("data.name", "Birch Capital"), set("data.aliases", []string{})),
		},
		{
			name: "role in a prefixed family",
			in:   mutate(t, roleEnded, set("data.role", "chief_revenue_officer")),
		},
		{
			name: "surrounding whitespace",
			in:   []byte(" \t" + roleEnded + "\r\n"),
		},
		{
			name: "keys in another order, pretty-printed",
			in: []byte(`{
  "data": {"how": "fired", "role": "ceo", "org": "acme", "person": "ann-okafor"},
  "source": {"attribution": "official", "outlet": "Acme"},
  "reported_at": "2023-11-17T12:28:00-08:00",
  "occurred_at": "2023-11-17T12:00:00-08:00",
  "type": "role.ended"
}`),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := decode(t, tc.in)
			if tc.check != nil {
				tc.check(t, ev)
			}
			c := ev.Canonical()
			if got := decode(t, c); !bytes.Equal(got.Canonical(), c) {
				t.Errorf("round trip:\n%s\n%s", c, got.Canonical())
			}
		})
	}
}

// decodeErrorCase is a line the decoder refuses, and the errors it must
// name.
type decodeErrorCase struct {
	name string
	in   []byte
	want []want
}

// decodeErrorCases are the refused lines of TestDecodeErrors; the schema
// test checks the JSON Schema refuses them too.
func decodeErrorCases(t *testing.T) []decodeErrorCase {
	roleEnded := sampleNamed(t, "role.ended").line
	noID := string(mutate(t, roleEnded, del("id")))
	seatTaken := sampleNamed(t, "board.seat_taken").line
	entity := sampleNamed(t, "entity.described").line
	resolved := sampleNamed(t, "claim.resolved").line
	petition := sampleNamed(t, "petition.updated").line
	claim := sampleNamed(t, "claim.reported").line
	stake := sampleNamed(t, "stake.disclosed").line
	report := sampleNamed(t, "report.published").line

	return []decodeErrorCase{
		// Unknown fields.
		{"unknown top-level field", mutate(t, roleEnded, set("confidence", "high")), []want{{"confidence", events.ErrUnknownField}}},
		{"top-level field in wrong case", mutate(t, roleEnded, set("Quote", "x")), []want{{"Quote", events.ErrUnknownField}}},
		{"unknown source field", mutate(t, roleEnded, set("source.author", "x")), []want{{"source.author", events.ErrUnknownField}}},
		{"unknown data field", mutate(t, roleEnded, set("data.reason", "not consistently candid")), []want{{"data.reason", events.ErrUnknownField}}},
		{"several unknown fields all listed", mutate(t, roleEnded, set("data.reason", "x"), set("data.board", "y"), set("extra", 1), set("more", 2)),
			[]want{{"data.reason", events.ErrUnknownField}, {"data.board", events.ErrUnknownField}, {"extra", events.ErrUnknownField}, {"more", events.ErrUnknownField}}},
		{"empty key is named quoted", []byte(`{"":{}}`), []want{{`""`, events.ErrUnknownField}}},
		{"empty data key", mutate(t, roleEnded, set("data.", 1)), []want{{`data.""`, events.ErrUnknownField}}},
		{"key with a newline is named quoted", mutate(t, roleEnded, set("a\nb", 1)), []want{{`"a\nb"`, events.ErrUnknownField}}},
		{"field of another type's payload", mutate(t, seatTaken, set("data.how", "removed")), []want{{"data.how", events.ErrUnknownField}}},

		// Types.
		{"unknown type", mutate(t, roleEnded, set("type", "role.fired")), []want{{"type", events.ErrUnknownType}}},
		{"type in wrong case", mutate(t, roleEnded, set("type", "Role.Ended")), []want{{"type", events.ErrUnknownType}}},
		{"unknown expected type", mutate(t, claim, set("data.expects", "ceo.returns")), []want{{"data.expects", events.ErrUnknownType}}},

		// Missing fields.
		{"missing type", mutate(t, roleEnded, del("type")), []want{{"type", events.ErrMissing}}},
		{"empty type", mutate(t, roleEnded, set("type", "")), []want{{"type", events.ErrMissing}}},
		{"missing occurred_at", mutate(t, roleEnded, del("occurred_at")), []want{{"occurred_at", events.ErrMissing}}},
		{"missing reported_at", mutate(t, roleEnded, del("reported_at")), []want{{"reported_at", events.ErrMissing}}},
		{"missing source", mutate(t, roleEnded, del("source")), []want{{"source.outlet", events.ErrMissing}, {"source.attribution", events.ErrMissing}}},
		{"null source", mutate(t, roleEnded, set("source", nil)), []want{{"source.outlet", events.ErrMissing}, {"source.attribution", events.ErrMissing}}},
		{"missing source.outlet", mutate(t, roleEnded, del("source.outlet")), []want{{"source.outlet", events.ErrMissing}}},
		{"blank source.outlet", mutate(t, roleEnded, set("source.outlet", "  ")), []want{{"source.outlet", events.ErrMissing}}},
		{"missing source.attribution", mutate(t, roleEnded, del("source.attribution")), []want{{"source.attribution", events.ErrMissing}}},
		{"missing data", mutate(t, roleEnded, del("data")), []want{{"data", events.ErrMissing}}},
		{"null data", mutate(t, roleEnded, set("data", nil)), []want{{"data", events.ErrMissing}}},
		{"empty data", mutate(t, roleEnded, set("data", raw(`{}`))),
			[]want{{"data.person", events.ErrMissing}, {"data.org", events.ErrMissing}, {"data.role", events.ErrMissing}, {"data.how", events.ErrMissing}}},
		{"empty claim about", mutate(t, claim, set("data.about", []string{})), []want{{"data.about", events.ErrMissing}}},
		{"blank alias", mutate(t, entity, set("data.aliases", []string{"Sam", " "})), []want{{"data.aliases[1]", events.ErrMissing}}},
		{"blank cite", mutate(t, report, set("data.cites", []string{""})), []want{{"data.cites[0]", events.ErrMissing}}},

		// Times.
		{"bad occurred_at", mutate(t, roleEnded, set("occurred_at", "Friday noon")), []want{{"occurred_at", events.ErrBadTime}}},
		{"offset-less occurred_at", mutate(t, roleEnded, set("occurred_at", "2023-11-17T12:00:00")), []want{{"occurred_at", events.ErrBadTime}}},
		{"offset-less reported_at with a space", mutate(t, roleEnded, set("reported_at", "2023-11-17 12:28")), []want{{"reported_at", events.ErrBadTime}}},
		{"date-only reported_at", mutate(t, roleEnded, set("reported_at", "2023-11-17")), []want{{"reported_at", events.ErrBadTime}}},
		{"impossible date", mutate(t, roleEnded, set("occurred_at", "2023-02-30T12:00:00Z")), []want{{"occurred_at", events.ErrBadTime}}},
		{"a time with neither offset nor zone", mutate(t, roleEnded, set("occurred_at", "2023-11-17 12:00")), []want{{"occurred_at", events.ErrBadTime}}},
		{"an unknown zone word", mutate(t, roleEnded, set("occurred_at", "2023-11-17 12:00 Moon/Base")), []want{{"occurred_at", events.ErrBadTime}}},
		{"a time the clocks skipped", mutate(t, roleEnded, set("occurred_at", "2024-03-31 02:30 Europe/Oslo"), set("reported_at", "2024-04-01T00:00:00Z")), []want{{"occurred_at", events.ErrBadTime}}},
		{"a time the clocks showed twice", mutate(t, roleEnded, set("occurred_at", "2024-10-27 02:30 Europe/Oslo"), set("reported_at", "2024-10-28T00:00:00Z")), []want{{"occurred_at", events.ErrBadTime}}},
		{"an offset that contradicts the zone", mutate(t, roleEnded, set("occurred_at", "2024-05-10T14:00+01:00 Europe/Oslo"), set("reported_at", "2024-05-11T00:00:00Z")), []want{{"occurred_at", events.ErrBadTime}}},
		{"a date alone with minute precision", mutate(t, roleEnded, set("occurred_at", "2023-11-17 PT"), set("occurred_precision", "minute")), []want{{"occurred_precision", events.ErrBadValue}}},
		{"reported before occurred", mutate(t, roleEnded, set("reported_at", "2023-11-17T11:59:00-08:00")), []want{{"reported_at", events.ErrReportedEarly}}},
		{"reported before occurred, scheduled false", mutate(t, roleEnded, set("reported_at", "2023-11-17T19:00:00Z"), set("scheduled", false)), []want{{"reported_at", events.ErrReportedEarly}}},

		// Vocabularies.
		{"unknown seat", mutate(t, seatTaken, set("data.seat", "member")), []want{{"data.seat", events.ErrUnknownSeat}}},
		{"unknown role", mutate(t, roleEnded, set("data.role", "chief executive")), []want{{"data.role", events.ErrUnknownRole}}},
		{"role in capitals", mutate(t, roleEnded, set("data.role", "CEO")), []want{{"data.role", events.ErrUnknownRole}}},
		{"role with a trailing space", mutate(t, roleEnded, set("data.role", "ceo ")), []want{{"data.role", events.ErrUnknownRole}}},
		{"unknown how (role)", mutate(t, roleEnded, set("data.how", "removed")), []want{{"data.how", events.ErrUnknownHow}}},
		{"unknown how (seat)", mutate(t, sampleNamed(t, "board.seat_left").line, set("data.how", "fired")), []want{{"data.how", events.ErrUnknownHow}}},
		{"unknown attribution", mutate(t, roleEnded, set("source.attribution", "rumour")), []want{{"source.attribution", events.ErrUnknownAttrib}}},
		{"unknown precision", mutate(t, roleEnded, set("occurred_precision", "second")), []want{{"occurred_precision", events.ErrUnknownPrec}}},
		{"unknown kind", mutate(t, entity, set("data.kind", "company")), []want{{"data.kind", events.ErrUnknownKind}}},
		{"unknown outcome", mutate(t, resolved, set("data.outcome", "partly")), []want{{"data.outcome", events.ErrUnknownOutcome}}},
		{"bad slug", mutate(t, roleEnded, set("data.person", "Ann Okafor")), []want{{"data.person", events.ErrBadSlug}}},
		{"bad slug in a list", mutate(t, claim, set("data.about", []string{"acme", "Ann_Okafor"})), []want{{"data.about[1]", events.ErrBadSlug}}},
		{"duplicate alias", mutate(t, entity, set("data.aliases", []string{"Ann", "Ann"})), []want{{"data.aliases[1]", events.ErrDuplicateAlias}}},
		{"bad lang", mutate(t, claim, set("data.lang", "english!")), []want{{"data.lang", events.ErrBadValue}}},
		{"bad url", mutate(t, roleEnded, set("source.url", "acme.example/blog")), []want{{"source.url", events.ErrBadValue}}},
		{"bad currency", mutate(t, stake, set("data.currency", "usd")), []want{{"data.currency", events.ErrBadValue}}},
		{"negative amount", mutate(t, stake, set("data.amount", -1)), []want{{"data.amount", events.ErrBadValue}}},
		{"signatures over total", mutate(t, petition, set("data.signatures", 771)), []want{{"data.signatures", events.ErrSignaturesTotal}}},
		{"zero total", mutate(t, petition, set("data.of_total", 0)), []want{{"data.of_total", events.ErrBadValue}}},

		// Wrong JSON types.
		{"string where number", mutate(t, petition, set("data.signatures", "505")), []want{{"data.signatures", events.ErrWrongJSONType}}},
		{"fraction where integer", mutate(t, petition, set("data.signatures", 505.5)), []want{{"data.signatures", events.ErrWrongJSONType}}},
		{"number where string", mutate(t, roleEnded, set("data.person", 42)), []want{{"data.person", events.ErrWrongJSONType}}},
		{"object where array", mutate(t, claim, set("data.about", raw(`{"ann-okafor":true}`))), []want{{"data.about", events.ErrWrongJSONType}}},
		{"string where bool", mutate(t, roleEnded, set("scheduled", "yes")), []want{{"scheduled", events.ErrWrongJSONType}}},
		{"number where type string", mutate(t, roleEnded, set("type", 7)), []want{{"type", events.ErrWrongJSONType}}},
		{"number where time", mutate(t, roleEnded, set("occurred_at", 1700251200)), []want{{"occurred_at", events.ErrWrongJSONType}}},
		{"string where source object", mutate(t, roleEnded, set("source", "Acme")), []want{{"source", events.ErrWrongJSONType}}},
		{"array where data object", mutate(t, roleEnded, set("data", []string{"ann-okafor"})), []want{{"data", events.ErrWrongJSONType}}},
		{"number where outlet", mutate(t, roleEnded, set("source.outlet", 1)), []want{{"source.outlet", events.ErrWrongJSONType}}},
		{"JSON array instead of object", []byte(`[` + roleEnded + `]`), []want{{"(line)", events.ErrWrongJSONType}}},
		{"JSON string instead of object", []byte(`"role.ended"`), []want{{"(line)", events.ErrWrongJSONType}}},

		// Ids.
		{"bad id", mutate(t, roleEnded, set("id", "event-1")), []want{{"id", events.ErrBadID}}},
		{"truncated id", mutate(t, roleEnded, set("id", uuidA[:35])), []want{{"id", events.ErrBadID}}},
		{"bad supersedes", mutate(t, roleEnded, set("supersedes", "the-earlier-one")), []want{{"supersedes", events.ErrBadID}}},
		{"bad source.report", mutate(t, roleEnded, set("source.report", "12345")), []want{{"source.report", events.ErrBadID}}},
		{"bad data.claim", mutate(t, resolved, set("data.claim", "claim-1")), []want{{"data.claim", events.ErrBadID}}},
		{"missing data.by_event", mutate(t, resolved, del("data.by_event")), []want{{"data.by_event", events.ErrMissing}}},
		{"supersedes itself", mutate(t, roleEnded, set("supersedes", uuidA)), []want{{"supersedes", events.ErrSelfSupersedes}}},
		{"supersedes itself, other case", mutate(t, roleEnded, set("supersedes", strings.ToUpper(uuidA))), []want{{"supersedes", events.ErrSelfSupersedes}}},

		// Bytes and syntax.
		{"non-UTF-8 bytes", []byte(strings.Replace(roleEnded, "board…", "board\xff\xfe", 1)), []want{{"(line)", events.ErrNotUTF8}}},
		{"line over MaxLineBytes", padded(t, noID, events.MaxLineBytes+1), []want{{"(line)", events.ErrTooLong}}},
		{"trailing garbage", []byte(roleEnded + ` x`), []want{{"(line)", events.ErrBadJSON}}},
		{"two objects on a line", []byte(roleEnded + roleEnded), []want{{"(line)", events.ErrBadJSON}}},
		{"truncated object", []byte(roleEnded[:len(roleEnded)-10]), []want{{"(line)", events.ErrBadJSON}}},
		{"empty input", []byte(""), []want{{"(line)", events.ErrBadJSON}}},
		{"blank input", []byte(" \n"), []want{{"(line)", events.ErrBadJSON}}},
		{"trailing comma", []byte(strings.TrimSuffix(roleEnded, "}") + ",}"), []want{{"(line)", events.ErrBadJSON}}},
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := decodeErrorCases(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := events.Decode(tc.in)
			checkErr(t, err, tc.want...)
			if ev.ID != "" || ev.Type != "" || ev.Data != nil {
				t.Errorf("Decode returned a partial event with its error: %+v", ev)
			}
		})
	}
}

// TestDecodeMissingData removes, one at a time, every required payload field
// of every type.
func TestDecodeMissingData(t *testing.T) {
	for _, s := range samples {
		for _, key := range s.required {
			t.Run(s.name+"/"+key, func(t *testing.T) {
				_, err := events.Decode(mutate(t, s.line, del("data."+key)))
				checkErr(t, err, want{"data." + key, events.ErrMissing})
			})
		}
	}
}

// TestDecodeNoDuplicateReports: a field decoding already rejected is not
// reported a second time by validation, so each problem is listed once.
func TestDecodeNoDuplicateReports(t *testing.T) {
	roleEnded := sampleNamed(t, "role.ended").line
	tests := []struct {
		name string
		in   []byte
	}{
		{"wrong type of a time", mutate(t, roleEnded, set("occurred_at", 1700251200))},
		{"wrong type of a payload field", mutate(t, roleEnded, set("data.person", 42))},
		{"wrong type of the type", mutate(t, roleEnded, set("type", 7))},
		{"unknown fields and bad time", mutate(t, roleEnded, set("x", 1), set("occurred_at", "noon"))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := events.Decode(tc.in)
			fes, _ := fieldErrors(err)
			if len(fes) == 0 {
				t.Fatalf("no field errors: %v", err)
			}
			seen := map[string]bool{}
			for _, fe := range fes {
				if seen[fe.Field] {
					t.Errorf("field %s reported twice: %v", fe.Field, err)
				}
				seen[fe.Field] = true
			}
		})
	}
}

func TestDecodeLineLimit(t *testing.T) {
	base := string(mutate(t, sampleNamed(t, "role.ended").line, del("id")))
	ev := decode(t, padded(t, base, events.MaxLineBytes))
	if len(ev.Quote) < events.MaxLineBytes/2 {
		t.Errorf("quote of the longest line is %d bytes", len(ev.Quote))
	}
	_, err := events.Decode(padded(t, base, events.MaxLineBytes+1))
	checkErr(t, err, want{"(line)", events.ErrTooLong})
}

// padded returns line with its quote set so that it is exactly n bytes long.
func padded(t testing.TB, line string, n int) []byte {
	t.Helper()
	short := mutate(t, line, set("quote", ""))
	// Adding "quote":"" (plus a comma) costs this much.
	overhead := len(mutate(t, line, set("quote", "a"))) - len(short) - 1
	fill := n - len(short) - overhead
	if fill < 1 {
		t.Fatalf("cannot pad to %d", n)
	}
	out := mutate(t, line, set("quote", strings.Repeat("a", fill)))
	if len(out) != n {
		t.Fatalf("padded to %d bytes, want %d", len(out), n)
	}
	return out
}

// TestDecodeErrorMessages pins the shape of a few messages people read.
func TestDecodeErrorMessages(t *testing.T) {
	roleEnded := sampleNamed(t, "role.ended").line
	tests := []struct {
		name string
		in   []byte
		want []string // substrings of the message
	}{
		{"unknown field", mutate(t, roleEnded, set("data.reason", "x")), []string{"data.reason: unknown field"}},
		{"unknown role names the value", mutate(t, roleEnded, set("data.role", "CEO")), []string{`data.role: unknown role "CEO"`}},
		{"how lists the allowed values", mutate(t, roleEnded, set("data.how", "quit")), []string{"fired|resigned|replaced|interim_ended"}},
		{"offset-less time says so", mutate(t, roleEnded, set("occurred_at", "2023-11-17T12:00:00")), []string{"occurred_at: bad time", "no UTC offset"}},
		{"reported early suggests scheduled", mutate(t, roleEnded, set("reported_at", "2023-11-16T12:00:00-08:00")), []string{"reported_at:", `"scheduled": true`}},
		{"wrong JSON type says what it wants", mutate(t, roleEnded, set("data.person", 42)), []string{"data.person: wrong JSON type (want a string, got number)"}},
		{"non-UTF-8 gives the offset", []byte("{\"type\":\"\xff\"}"), []string{"(line): not valid UTF-8 (at byte 9)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := events.Decode(tc.in)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestFieldError(t *testing.T) {
	fe := &events.FieldError{Field: "data.seat", Value: `"member"`, Err: events.ErrUnknownSeat}
	if got, want := fe.Error(), `data.seat: unknown seat "member"`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(fe, events.ErrUnknownSeat) || errors.Is(fe, events.ErrUnknownRole) {
		t.Error("errors.Is does not follow Err")
	}
	wrapped := fmt.Errorf("import: %w", errors.Join(fe, &events.FieldError{Field: "type", Err: events.ErrMissing}))
	var got *events.FieldError
	if !errors.As(wrapped, &got) || got != fe {
		t.Errorf("errors.As = %v", got)
	}
	if got, want := (&events.FieldError{Field: "type", Err: events.ErrMissing}).Error(), "type: required field missing"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// TestEncodingJSON: the Event type plugs into encoding/json strictly.
func TestEncodingJSON(t *testing.T) {
	for _, s := range samples {
		t.Run(s.name, func(t *testing.T) {
			ev := decode(t, []byte(s.line))
			b, err := json.Marshal(ev)
			if err != nil {
				t.Fatal(err)
			}
			var back events.Event
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatalf("Unmarshal(Marshal(ev)): %v", err)
			}
			if !bytes.Equal(back.Canonical(), ev.Canonical()) {
				t.Errorf("encoding/json round trip:\n%s\n%s", ev.Canonical(), back.Canonical())
			}
			// Inside another document too.
			var doc struct{ Events []events.Event }
			if err := json.Unmarshal([]byte(`{"Events":[`+s.line+`]}`), &doc); err != nil || len(doc.Events) != 1 {
				t.Fatalf("nested Unmarshal: %v", err)
			}
			if !bytes.Equal(doc.Events[0].Canonical(), ev.Canonical()) {
				t.Errorf("nested decode differs")
			}
		})
	}
	var ev events.Event
	err := json.Unmarshal(mutate(t, sampleNamed(t, "role.ended").line, set("data.extra", 1)), &ev)
	checkErr(t, err, want{"data.extra", events.ErrUnknownField})
}
