package events_test

import (
	"errors"
	"strings"
	"testing"

	"storyline/events"
)

// story is a small import file whose references are keys and prefixes.
const keyedStory = `{"key":"acme","type":"entity.described","occurred_at":"2024-01-01 Europe/Oslo","reported_at":"2024-01-01 Europe/Oslo","source":{"outlet":"Editors","attribution":"archive"},"data":{"id":"acme","kind":"org","name":"Acme"}}
{"key":"rumour","type":"claim.reported","occurred_at":"2024-05-02 09:00 Europe/Oslo","reported_at":"2024-05-02 09:00 Europe/Oslo","source":{"outlet":"Wire","attribution":"anonymous"},"data":{"about":["acme"],"text":"Acme will sell","lang":"en"}}
{"key":"sale","type":"statement.made","occurred_at":"2024-05-10 14:00 Europe/Oslo","reported_at":"2024-05-10 14:00 Europe/Oslo","source":{"outlet":"Acme","attribution":"official"},"data":{"by":"acme","text":"We sold.","lang":"en"}}
{"type":"claim.resolved","occurred_at":"2024-05-10 14:00 Europe/Oslo","reported_at":"2024-05-10 14:00 Europe/Oslo","source":{"outlet":"Editors","attribution":"archive"},"data":{"claim":"rumour","outcome":"confirmed","by_event":"sale"}}
{"type":"claim.reported","occurred_at":"2024-05-02 09:00 Europe/Oslo","reported_at":"2024-05-03 09:00 Europe/Oslo","supersedes":"rumour","source":{"outlet":"Wire","attribution":"anonymous"},"data":{"about":["acme"],"text":"Acme will sell its plant","lang":"en"}}
`

func readInput(t *testing.T, s string) []events.Input {
	t.Helper()
	ins, errs := events.ReadInput(strings.NewReader(s), "story.jsonl")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return ins
}

func TestResolveKeys(t *testing.T) {
	ins := readInput(t, keyedStory)
	if errs := events.Resolve(ins, &events.IDs{}); len(errs) > 0 {
		t.Fatal(errs)
	}
	byKey := map[string]events.Event{}
	for _, in := range ins {
		if len(in.Unresolved()) > 0 || in.ID == "" {
			t.Fatalf("line %d unsettled: %+v", in.Line, in.Event)
		}
		if err := in.Validate(); err != nil {
			t.Fatalf("line %d: %v", in.Line, err)
		}
		byKey[in.Key] = in.Event
	}
	res := ins[3].Data.(*events.Resolution)
	if res.Claim != byKey["rumour"].ID || res.ByEvent != byKey["sale"].ID || ins[4].Supersedes != byKey["rumour"].ID {
		t.Errorf("references not resolved to ids: %+v, supersedes %s", res, ins[4].Supersedes)
	}
	again := readInput(t, keyedStory)
	events.Resolve(again, &events.IDs{})
	for i := range ins {
		if again[i].ID != ins[i].ID {
			t.Errorf("line %d: id %s, then %s: a re-import would store it twice", i+1, ins[i].ID, again[i].ID)
		}
	}
	// A stored event is found by key or by a prefix of its id.
	var known events.IDs
	for i := range ins {
		known.Add(&ins[i].Event)
	}
	later := readInput(t, `{"type":"claim.resolved","occurred_at":"2024-06-01T00:00:00Z","reported_at":"2024-06-01T00:00:00Z","source":{"outlet":"Editors","attribution":"archive"},"data":{"claim":"`+byKey["rumour"].ID[:8]+`","outcome":"confirmed","by_event":"sale"}}`)
	if errs := events.Resolve(later, &known); len(errs) > 0 {
		t.Fatal(errs)
	}
	if got := later[0].Data.(*events.Resolution); got.Claim != byKey["rumour"].ID || got.ByEvent != byKey["sale"].ID {
		t.Errorf("resolved against the archive to %+v", got)
	}
}

func TestResolveRefuses(t *testing.T) {
	var known events.IDs
	for _, id := range []string{"1b9d6bcd-bbfd-5b2d-9b5d-ab8dfbbd4bed", "1b9d6bcd-0000-5b2d-9b5d-ab8dfbbd4bed"} {
		known.Add(&events.Event{ID: id})
	}
	known.Add(&events.Event{ID: "2c9d6bcd-bbfd-5b2d-9b5d-ab8dfbbd4bed", Key: "taken"})
	resolved := func(claim, by string) string {
		return `{"type":"claim.resolved","occurred_at":"2024-06-01T00:00:00Z","reported_at":"2024-06-01T00:00:00Z","source":{"outlet":"E","attribution":"archive"},"data":{"claim":"` + claim + `","outcome":"confirmed","by_event":"` + by + `"}}`
	}
	claim := func(key, repeats string) string {
		return `{"key":"` + key + `","type":"claim.reported","occurred_at":"2024-06-01T00:00:00Z","reported_at":"2024-06-01T00:00:00Z","source":{"outlet":"E","attribution":"anonymous"},"data":{"about":["acme"],"text":"x` + key + `","lang":"en","repeats":"` + repeats + `"}}`
	}
	tests := []struct {
		name, file, want string
		err              error
	}{
		{"unknown key", resolved("nosuch", "taken"), `data.claim: unresolved reference "nosuch" (no event of the file or the archive has this key)`, events.ErrUnresolved},
		{"ambiguous prefix", resolved("1b9d6bcd", "taken"), "ambiguous: it starts 1b9d6bcd-0000-5b2d-9b5d-ab8dfbbd4bed, 1b9d6bcd-bbfd", events.ErrUnresolved},
		{"unknown prefix", resolved("ffffffff", "taken"), "no key or event id starts so", events.ErrUnresolved},
		{"key used twice", claim("a", "taken") + "\n" + claim("a", "taken"), "key: key already used \"a\" (also the key of line 1)", events.ErrDuplicateKey},
		{"key the archive gives another event", claim("taken", "1b9d6bcd-bbfd-5b2d-9b5d-ab8dfbbd4bed"), "the archive gives it to event 2c9d6bcd", events.ErrDuplicateKey},
		{"references that wait on each other", claim("a", "b") + "\n" + claim("b", "a"), "name it back", events.ErrUnresolved},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := events.Resolve(readInput(t, tt.file), &known)
			if len(errs) == 0 {
				t.Fatal("no error")
			}
			if !errors.Is(errs[0], tt.err) || !strings.Contains(errs[0].Error(), tt.want) {
				t.Errorf("error %v, want %v naming %q", errs[0], tt.err, tt.want)
			}
		})
	}
	if _, err := events.Decode([]byte(resolved("rumour", "sale"))); !errors.Is(err, events.ErrBadID) {
		t.Errorf("a stored record with a key for a reference: %v, want ErrBadID", err)
	}
}
