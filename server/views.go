package server

import (
	"storyline/query"
)

// Request is a view query; see [query.Request].
type Request = query.Request

// ServiceSubject prefixes the micro service's endpoint subjects. It lies
// outside story.>, so queries are never captured by the event stream.
const ServiceSubject = "storyline.views"

// QueryError is an error answered by a remote server.
type QueryError struct {
	Code    string
	Message string
}

func (e *QueryError) Error() string { return e.Message }

// Unwrap maps the remote code back to its sentinel in the error map
// (Classify), so callers branch the same way on a remote answer as on a
// local one.
func (e *QueryError) Unwrap() error { return classOfCode(e.Code).Err }
