package events_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"storyline/events"
)

// result is what one call of Reader.Next should give: an event of a type, or
// a *LineError wrapping a sentinel, on a line.
type result struct {
	line int
	typ  events.Type // when the line is good
	err  error       // sentinel when the line is bad
}

// readAll calls Next until io.EOF (or a non-line error) and compares.
func readAll(t *testing.T, r *events.Reader, file string, want []result) {
	t.Helper()
	for i := 0; ; i++ {
		ev, line, err := r.Next()
		if err == io.EOF {
			if i != len(want) {
				t.Errorf("io.EOF after %d results, want %d", i, len(want))
			}
			return
		}
		if i >= len(want) {
			t.Fatalf("result %d beyond the %d expected: line %d, %v, %v", i, len(want), line, ev.Type, err)
		}
		w := want[i]
		if line != w.line {
			t.Errorf("result %d: line %d, want %d", i, line, w.line)
		}
		if w.err == nil {
			if err != nil {
				t.Errorf("line %d: unexpected error %v", w.line, err)
				continue
			}
			if ev.Type != w.typ {
				t.Errorf("line %d: type %s, want %s", w.line, ev.Type, w.typ)
			}
			continue
		}
		var le *events.LineError
		if !errors.As(err, &le) {
			t.Fatalf("line %d: error %v (%T), want a *events.LineError", w.line, err, err)
		}
		if le.Line != w.line || le.File != file {
			t.Errorf("LineError at %s:%d, want %s:%d", le.File, le.Line, file, w.line)
		}
		if !errors.Is(err, w.err) {
			t.Errorf("line %d: %v does not wrap %q", w.line, err, w.err)
		}
		wantPrefix := "line " + itoa(w.line) + ": "
		if file != "" {
			wantPrefix = file + " " + wantPrefix
		}
		if !strings.HasPrefix(err.Error(), wantPrefix) {
			t.Errorf("message %.100q does not start with %q", err.Error(), wantPrefix)
		}
		if ev.Type != "" {
			t.Errorf("line %d: event %v returned with an error", w.line, ev.Type)
		}
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func TestReader(t *testing.T) {
	line := func(name string) string { return sampleNamed(t, name).line }
	huge := `{"type":"role.ended","quote":"` + strings.Repeat("x", events.MaxLineBytes+10) + `"}`
	longest := string(padded(t, line("statement.made"), events.MaxLineBytes))

	tests := []struct {
		name  string
		input string
		want  []result
	}{
		{
			name:  "empty file",
			input: "",
		},
		{
			name:  "only blank lines",
			input: "\n\r\n  \n\t\n",
		},
		{
			name:  "one line without newline",
			input: line("role.ended"),
			want:  []result{{line: 1, typ: events.RoleEnded}},
		},
		{
			name: "blank lines, CRLF, a bad line in the middle",
			input: line("entity.described") + "\n" +
				"\n" +
				line("board.seat_taken") + "\r\n" +
				"   \r\n" +
				`{"type":"board.seat_taken","surprise":1}` + "\r\n" +
				line("role.started") + "\r\n" +
				"\r\n" +
				line("stake.disclosed") + "\n",
			want: []result{
				{line: 1, typ: events.EntityDescribed},
				{line: 3, typ: events.BoardSeatTaken},
				{line: 5, err: events.ErrUnknownField},
				{line: 6, typ: events.RoleStarted},
				{line: 8, typ: events.StakeDisclosed},
			},
		},
		{
			name: "several bad lines in a row",
			input: "not json\n" +
				line("role.ended") + "\n" +
				`{"type":"role.fired"}` + "\n" +
				"\xff\xfe\n" +
				strings.Replace(line("role.ended"), `"ceo"`, `"CEO"`, 1) + "\n" +
				line("claim.resolved"),
			want: []result{
				{line: 1, err: events.ErrBadJSON},
				{line: 2, typ: events.RoleEnded},
				{line: 3, err: events.ErrUnknownType},
				{line: 4, err: events.ErrNotUTF8},
				{line: 5, err: events.ErrUnknownRole},
				{line: 6, typ: events.ClaimResolved},
			},
		},
		{
			name:  "line over 1 MiB then a good line",
			input: line("petition.updated") + "\n" + huge + "\n" + line("report.published") + "\n",
			want: []result{
				{line: 1, typ: events.PetitionUpdated},
				{line: 2, err: events.ErrTooLong},
				{line: 3, typ: events.ReportPublished},
			},
		},
		{
			name:  "line over 1 MiB with CRLF, then a good line",
			input: huge + "\r\n" + line("report.published") + "\r\n",
			want: []result{
				{line: 1, err: events.ErrTooLong},
				{line: 2, typ: events.ReportPublished},
			},
		},
		{
			name:  "line over 1 MiB at the end without newline",
			input: line("petition.updated") + "\n" + huge,
			want: []result{
				{line: 1, typ: events.PetitionUpdated},
				{line: 2, err: events.ErrTooLong},
			},
		},
		{
			name:  "longest line with CRLF",
			input: longest + "\r\n" + longest + "\n" + longest,
			want: []result{
				{line: 1, typ: events.StatementMade},
				{line: 2, typ: events.StatementMade},
				{line: 3, typ: events.StatementMade},
			},
		},
		{
			name:  "one byte over the limit",
			input: longest + "x\n" + line("role.ended") + "\n",
			want: []result{
				{line: 1, err: events.ErrTooLong},
				{line: 2, typ: events.RoleEnded},
			},
		},
	}
	readers := []struct {
		name string
		wrap func(io.Reader) io.Reader
	}{
		{"plain", func(r io.Reader) io.Reader { return r }},
		{"one byte at a time", iotest.OneByteReader},
		{"half at a time", iotest.HalfReader},
		{"EOF with the last data", iotest.DataErrReader},
	}
	for _, tc := range tests {
		for _, rd := range readers {
			if rd.name == "one byte at a time" && len(tc.input) > 64<<10 {
				continue // slow; the half reader covers short reads of long lines
			}
			t.Run(tc.name+"/"+rd.name, func(t *testing.T) {
				const file = "story/events.jsonl"
				r := events.NewReader(rd.wrap(strings.NewReader(tc.input)), file)
				readAll(t, r, file, tc.want)
				// EOF is sticky.
				if _, _, err := r.Next(); err != io.EOF {
					t.Errorf("Next after EOF: %v", err)
				}
			})
		}
	}
}

func TestReaderNoFileName(t *testing.T) {
	r := events.NewReader(strings.NewReader("{}\n"), "")
	readAll(t, r, "", []result{{line: 1, err: events.ErrMissing}})
}

// TestReaderEventsIndependent: events returned earlier are not overwritten by
// later reads (the reader reuses its line buffer).
func TestReaderEventsIndependent(t *testing.T) {
	var in bytes.Buffer
	for _, s := range samples {
		in.WriteString(s.line + "\n")
	}
	r := events.NewReader(&in, "all.jsonl")
	var got []events.Event
	for {
		ev, _, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ev)
	}
	if len(got) != len(samples) {
		t.Fatalf("read %d events, want %d", len(got), len(samples))
	}
	for i, s := range samples {
		want := decode(t, []byte(s.line))
		if !bytes.Equal(got[i].Canonical(), want.Canonical()) {
			t.Errorf("event %d changed after later reads:\n%s\n%s", i, got[i].Canonical(), want.Canonical())
		}
	}
}

func TestReaderReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	in := io.MultiReader(strings.NewReader(sampleNamed(t, "role.ended").line+"\n"), iotest.ErrReader(boom))
	r := events.NewReader(in, "f.jsonl")
	if _, line, err := r.Next(); err != nil || line != 1 {
		t.Fatalf("first line: %d, %v", line, err)
	}
	_, _, err := r.Next()
	if !errors.Is(err, boom) {
		t.Fatalf("got %v, want the read error", err)
	}
	var le *events.LineError
	if errors.As(err, &le) {
		t.Errorf("a read error is not a line error: %v", err)
	}
}
