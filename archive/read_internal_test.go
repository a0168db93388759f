package archive

import (
	"errors"
	"testing"

	"github.com/nats-io/nats.go/jetstream"
)

// noMetadata is a delivered message whose metadata cannot be read.
type noMetadata struct{ jetstream.Msg }

var errNoMetadata = errors.New("no metadata")

func (noMetadata) Metadata() (*jetstream.MsgMetadata, error) { return nil, errNoMetadata }
func (noMetadata) Subject() string                           { return "story.acme.statement.made.x" }

// TestRecordWithoutMetadata: a message without metadata has no sequence;
// it is an error, not a record at seq 0 (which would look new).
func TestRecordWithoutMetadata(t *testing.T) {
	r, err := undecoded(noMetadata{})
	if !errors.Is(err, errNoMetadata) {
		t.Errorf("undecoded: %+v, %v; want the metadata's error", r, err)
	}
}
