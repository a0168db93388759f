package archive

import (
	"errors"
	"slices"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// TestSettle: after an attempt whose answer was lost, what the stream holds
// with a chain value this append sent was stored by it; what it holds with
// another was stored by someone else.
func TestSettle(t *testing.T) {
	item := func(id string, sent ...string) pendingEvent {
		return pendingEvent{id: id, subject: "story.acme.statement.made." + id, payload: []byte("payload " + id), sent: sent}
	}
	stored := func(id, payload, chain string, seq uint64) *jetstream.RawStreamMsg {
		return &jetstream.RawStreamMsg{Subject: "story.acme.statement.made." + id, Sequence: seq, Data: []byte(payload),
			Header: nats.Header{ChainHeader: []string{chain}}}
	}
	tests := []struct {
		name      string
		batch     []pendingEvent
		now       []*jetstream.RawStreamMsg
		wantKept  []string
		wantMine  []string
		wantTheir int
		wantLast  uint64
		wantErr   error
	}{
		{"nothing stored yet", []pendingEvent{item("a", "c1"), item("b", "c2")}, nil, []string{"a", "b"}, nil, 0, 0, nil},
		{"stored by this append (its answer lost)", []pendingEvent{item("a", "c1"), item("b", "c2")},
			[]*jetstream.RawStreamMsg{stored("a", "payload a", "c1", 7), stored("b", "payload b", "c2", 8)}, nil, []string{"a", "b"}, 0, 8, nil},
		{"stored by an earlier attempt of this append", []pendingEvent{item("a", "c0", "c1")},
			[]*jetstream.RawStreamMsg{stored("a", "payload a", "c0", 5)}, nil, []string{"a"}, 0, 5, nil},
		{"stored by another writer", []pendingEvent{item("a", "c1"), item("b", "c2")},
			[]*jetstream.RawStreamMsg{stored("a", "payload a", "other", 9)}, []string{"b"}, nil, 1, 0, nil},
		{"another event under the id", []pendingEvent{item("a", "c1")},
			[]*jetstream.RawStreamMsg{stored("a", "something else", "c1", 9)}, nil, nil, 0, 0, ErrIDReused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := map[string]*jetstream.RawStreamMsg{}
			for _, m := range tt.now {
				now[m.Subject] = m
			}
			kept, s, err := settle(tt.batch, now)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v; want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			var keptIDs []string
			for _, it := range kept {
				keptIDs = append(keptIDs, it.id)
			}
			if !slices.Equal(keptIDs, tt.wantKept) || !slices.Equal(s.ids, tt.wantMine) || s.theirs != tt.wantTheir || s.lastSeq != tt.wantLast {
				t.Errorf("kept %v, mine %v, theirs %d, last %d; want %v, %v, %d, %d", keptIDs, s.ids, s.theirs, s.lastSeq, tt.wantKept, tt.wantMine, tt.wantTheir, tt.wantLast)
			}
		})
	}
}
