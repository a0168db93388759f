package events

import (
	"errors"
	"io"
)

// ReadAll reads every event of a JSON Lines stream. It does not stop at a
// bad line: it returns the good events and one *LineError per bad line, so
// a caller can report every problem of a file at once and store nothing.
func ReadAll(r io.Reader, file string) ([]Event, []error) {
	ins, errs := read(r, file, false)
	evs := make([]Event, len(ins))
	for i, in := range ins {
		evs[i] = in.Event
	}
	return evs, errs
}

// read reads every line, decoding as an import file's (input) or as a
// stored record's, and keeps each event's line.
func read(r io.Reader, file string, input bool) ([]Input, []error) {
	rd := NewReader(r, file)
	rd.input = input
	var out []Input
	var errs []error
	for {
		e, line, err := rd.Next()
		if err == io.EOF {
			return out, errs
		}
		var le *LineError
		switch {
		case err != nil && !errors.As(err, &le):
			// A read error, not a bad line: nothing after it can be trusted.
			return out, append(errs, err)
		case err != nil:
			errs = append(errs, err)
		default:
			out = append(out, Input{Event: e, File: file, Line: line})
		}
	}
}
