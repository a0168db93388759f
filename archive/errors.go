package archive

import (
	"context"
	"errors"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Sentinel errors. Callers branch on them with errors.Is; each is wrapped
// with the detail of what happened.
var (
	// ErrUnreachable: the NATS server named by --nats-url could not be reached.
	ErrUnreachable = errors.New("archive: NATS server unreachable")
	// ErrLocked: another process holds the data dir.
	ErrLocked = errors.New("archive: data dir in use by another process")
	// ErrConflict: a writer lost a race (the stream or the entity changed
	// since it looked). Retrying on a fresh view is safe.
	ErrConflict = errors.New("archive: conflict: the archive changed since it was read")
	// ErrMutableStream: the stream exists but is not configured immutable.
	ErrMutableStream = errors.New("archive: stream is not immutable")
	// ErrIDReused: an id is already stored with different content.
	ErrIDReused = errors.New("archive: id already stored with different content")
	// ErrInvalid: a file to import has bad lines; nothing was stored.
	ErrInvalid = errors.New("archive: invalid events")
	// ErrCorrupt: verification found a damaged or incomplete archive.
	ErrCorrupt = errors.New("archive: archive damaged")
	// ErrOtherArchive: a reader that reconnected finds records that do not
	// continue the hash chain it was following: another archive's server
	// now answers at the address.
	ErrOtherArchive = errors.New("archive: not the archive being read")
	// ErrPermission: the server refused something this client's NATS user
	// may not do (a permissions violation, such as a reader's publish). It
	// is wrapped together with the server's nats.ErrPermissionViolation.
	ErrPermission = errors.New("archive: not permitted")
)

// isConflict reports whether err is JetStream's wrong-last-sequence error.
// Replicated streams report it as 10164 instead of 10071; both mean the same.
func isConflict(err error) bool {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
			apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant
	}
	return false
}

// isRetryable reports errors that go away on their own: 10163 ("expected
// last sequence per subject temporarily unavailable"), too many atomic
// batches in flight (10210), and no responders or a timeout while a
// cluster elects a new stream leader after losing a node.
func isRetryable(err error) bool {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode == 10163 || apiErr.ErrorCode == 10210 || apiErr.Code == 503
	}
	return errors.Is(err, jetstream.ErrNoStreamResponse) || errors.Is(err, nats.ErrNoResponders) ||
		errors.Is(err, nats.ErrTimeout) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, nats.ErrConnectionReconnecting)
}
