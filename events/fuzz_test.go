package events_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"storyline/events"
)

// FuzzDecode: Decode never panics; what it accepts survives a round trip
// through its canonical form unchanged, id included; what it rejects it
// rejects with *FieldError values only. The committed corpus is in
// testdata/fuzz/FuzzDecode.
func FuzzDecode(f *testing.F) {
	for _, s := range samples {
		f.Add([]byte(s.line))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		ev, err := events.Decode(line)
		if err != nil {
			fes, others := fieldErrors(err)
			if len(others) > 0 || len(fes) == 0 {
				t.Fatalf("error leaves that are not *FieldError: %v (%#v)", others, err)
			}
			var fe *events.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("errors.As(*FieldError) fails on %v", err)
			}
			for _, fe := range fes {
				if fe.Field == "" || fe.Err == nil {
					t.Fatalf("field error without field or sentinel: %#v", fe)
				}
			}
			if ev.ID != "" || ev.Data != nil || ev.Type != "" {
				t.Fatalf("partial event returned with an error: %+v", ev)
			}
			return
		}
		if ev.ID == "" || ev.Data == nil {
			t.Fatalf("accepted event without id or data: %+v", ev)
		}
		if verr := ev.Validate(); verr != nil {
			t.Fatalf("accepted event does not validate: %v", verr)
		}
		c1 := ev.Canonical()
		ev2, err := events.Decode(c1)
		if err != nil {
			t.Fatalf("canonical form does not decode: %v\n%s", err, c1)
		}
		if c2 := ev2.Canonical(); !bytes.Equal(c1, c2) {
			t.Fatalf("canonical form changed:\n%s\n%s", c1, c2)
		}
		if ev2.ID != ev.ID {
			t.Fatalf("id changed: %s -> %s", ev.ID, ev2.ID)
		}
		if ev2.DeriveID() != ev.DeriveID() {
			t.Fatalf("derived id changed: %s -> %s", ev.DeriveID(), ev2.DeriveID())
		}
		if !ev2.OccurredAt.Equal(ev.OccurredAt) || !ev2.ReportedAt.Equal(ev.ReportedAt) {
			t.Fatalf("times changed: %v %v -> %v %v", ev.OccurredAt, ev.ReportedAt, ev2.OccurredAt, ev2.ReportedAt)
		}
		_ = ev.Entities()
		_ = ev.PrimaryEntity()
	})
}

// FuzzParseTime: ParseTime never panics, and its errors wrap ErrBadTime.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2023-11-17", "2023-11-17 12:00 PT", "now", "2023-11-17T20:00Z"} {
		f.Add(s)
	}
	now := time.Date(2023, 11, 21, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := events.ParseTime(s, now)
		if err != nil {
			if !errors.Is(err, events.ErrBadTime) {
				t.Fatalf("ParseTime(%q): %v does not wrap ErrBadTime", s, err)
			}
			if !got.IsZero() {
				t.Fatalf("ParseTime(%q) = %v with an error", s, got)
			}
			return
		}
		// What it gives can be written as RFC 3339 and read back (unless
		// the zone's offset has seconds, as old local mean times do, which
		// RFC 3339 cannot express).
		if _, off := got.Zone(); off%60 == 0 {
			back, err := events.ParseTime(got.Format(time.RFC3339Nano), now)
			if err != nil || !back.Equal(got) {
				t.Fatalf("ParseTime(%q) = %v; reading back %s gives %v, %v", s, got, got.Format(time.RFC3339Nano), back, err)
			}
		}
	})
}

// TestFuzzDecodeCorpus keeps the committed seed corpus meaningful: the
// files named valid-* decode, the bad-* ones do not.
func TestFuzzDecodeCorpus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzDecode", "*"))
	if err != nil || len(files) < 10 {
		t.Fatalf("seed corpus has %d files: %v", len(files), err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			head, lit, ok := strings.Cut(strings.TrimSuffix(string(b), "\n"), "\n")
			if !ok || head != "go test fuzz v1" || !strings.HasPrefix(lit, "[]byte(") || !strings.HasSuffix(lit, ")") {
				t.Fatalf("not a go test fuzz v1 file of one []byte: %q", b)
			}
			line, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lit, "[]byte("), ")"))
			if err != nil {
				t.Fatalf("literal %s: %v", lit, err)
			}
			_, err = events.Decode([]byte(line))
			switch {
			case strings.HasPrefix(name, "valid-") && err != nil:
				t.Errorf("valid seed does not decode: %v", err)
			case strings.HasPrefix(name, "bad-") && err == nil:
				t.Errorf("bad seed decodes")
			}
		})
	}
}
