package events

import (
	"errors"
	"io"
)

// ReadAll reads every event of a JSON Lines stream. It does not stop at a
// bad line: it returns the good events and one *LineError per bad line, so
// a caller can report every problem of a file at once and store nothing.
func ReadAll(r io.Reader, file string) ([]Event, []error) {
	rd := NewReader(r, file)
	var evs []Event
	var errs []error
	for {
		e, _, err := rd.Next()
		if err == io.EOF {
			return evs, errs
		}
		var le *LineError
		if err != nil && !errors.As(err, &le) {
			// A read error, not a bad line: nothing after it can be trusted.
			return evs, append(errs, err)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		evs = append(evs, e)
	}
}
