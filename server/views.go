package server

import (
	"errors"

	"storyline/query"
)

// Request is a view query; see [query.Request].
type Request = query.Request

// ViewNames are the micro service's endpoints, one per view.
var ViewNames = query.Views

// ServiceSubject prefixes the micro service's endpoint subjects. It lies
// outside story.>, so queries are never captured by the event stream.
const ServiceSubject = "storyline.views"

// QueryError is an error answered by a remote server.
type QueryError struct {
	Code    string
	Message string
}

func (e *QueryError) Error() string { return e.Message }

// Unwrap maps the remote code back to the query sentinels, so callers
// branch the same way on a remote answer as on a local one.
func (e *QueryError) Unwrap() error {
	switch e.Code {
	case "400":
		return query.ErrBadParam
	case "404":
		return query.ErrNotFound
	}
	return nil
}

func errorCode(err error) string {
	switch {
	case errors.Is(err, query.ErrBadParam):
		return "400"
	case errors.Is(err, query.ErrNotFound):
		return "404"
	}
	return "500"
}
