package server

import (
	"errors"
	"net/http"

	"storyline/archive"
	"storyline/query"
)

// Class is how an error is answered, wherever it is answered: the HTTP
// API's status, the micro service's error code (and, for a client, the
// sentinel that code stands for again) and the CLI's exit code. The exit
// codes are DESIGN.md's: 0 success, 1 bad input or any other failure, 2
// server unreachable or, for serve, its address taken.
type Class struct {
	// Err is the sentinel an error of the class is (errors.Is); nil for
	// any other failure.
	Err   error
	HTTP  int
	Micro string
	Exit  int
}

// classes is the one error map: the first class whose sentinel the error
// is. It lives here, not in query, because the exit code 2 belongs to
// archive's and serve's errors, which the fold packages cannot name.
var classes = []Class{
	{Err: query.ErrBadParam, HTTP: http.StatusBadRequest, Micro: "400", Exit: 1},
	{Err: query.ErrNotFound, HTTP: http.StatusNotFound, Micro: "404", Exit: 1},
	{Err: archive.ErrUnreachable, HTTP: http.StatusServiceUnavailable, Micro: "503", Exit: 2},
	{Err: ErrPortTaken, HTTP: http.StatusServiceUnavailable, Micro: "503", Exit: 2},
	// Busy is no fault of the question: HTTP says 503 (try again), the
	// micro service 429 (too many at once), which no other class uses.
	{Err: ErrBusy, HTTP: http.StatusServiceUnavailable, Micro: "429", Exit: 1},
}

// failure is the class of every other error: the views could not answer
// (not ready, or still catching up).
var failure = Class{HTTP: http.StatusServiceUnavailable, Micro: "500", Exit: 1}

// Classify is the class of err.
func Classify(err error) Class {
	for _, c := range classes {
		if errors.Is(err, c.Err) {
			return c
		}
	}
	return failure
}

// classOfCode is the class the micro service answers with code.
func classOfCode(code string) Class {
	for _, c := range classes {
		if c.Micro == code {
			return c
		}
	}
	return failure
}

// Asked reports whether the class is the question's fault (a 4xx): the
// asker can fix it, and the CLI says so as bad input.
func (c Class) Asked() bool { return c.HTTP >= 400 && c.HTTP < 500 }
