// Package quarantinetest makes hostile input for tests: the junk a plain
// NATS client with write access could put on story.>, mixed with valid
// events, each message labelled with the class the screen must give it.
package quarantinetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"storyline/events"
	"storyline/quarantine"
	"storyline/query"
)

// Message is one publish: a subject and a payload, and the class the
// screen must quarantine it with ("" for a valid event, which it must
// admit).
type Message struct {
	Subject string
	Data    []byte
	Class   quarantine.Class
	Kind    string // what sort of junk, for failure messages and counts
}

// Mix returns valid, each on its own subject and in its order, with junk
// junk messages interleaved at random positions; the same seed gives the
// same messages. Junk that refers to a valid event (duplicates, forged
// corrections) comes after it, since a correction stored before the event
// it names cannot be judged (see package quarantine). valid must not
// itself hold anything the screen quarantines.
func Mix(valid []events.Event, junk int, seed uint64) []Message {
	r := rand.New(rand.NewPCG(seed, seed^0x5eed))
	slots := make([]bool, len(valid)+junk) // true: a junk message
	for i := range junk {
		slots[i] = true
	}
	r.Shuffle(len(slots), func(i, j int) { slots[i], slots[j] = slots[j], slots[i] })
	g := &gen{r: r, valid: valid}
	out := make([]Message, 0, len(slots))
	k := 0 // valid events published so far
	for _, isJunk := range slots {
		if !isJunk {
			e := &valid[k]
			out = append(out, Message{Subject: events.Subject(e), Data: e.Canonical(), Kind: "valid"})
			k++
			continue
		}
		out = append(out, g.junk(k))
	}
	return out
}

type gen struct {
	r     *rand.Rand
	valid []events.Event
	n     int
}

// kinds of junk, each with the class it must get and how it is made.
// Those that need a published valid event to refer to say so; make may
// decline (false) when the event it drew does not suit it.
var kinds = []struct {
	name   string
	class  quarantine.Class
	target bool
	make   func(g *gen, k int) (Message, bool)
}{
	{"bad JSON", quarantine.Undecodable, false, (*gen).badJSON},
	{"truncated event", quarantine.Undecodable, false, (*gen).truncated},
	{"empty", quarantine.Undecodable, false, func(g *gen, _ int) (Message, bool) { return Message{Subject: g.someSubject()}, true }},
	{"64 KiB binary", quarantine.Undecodable, false, (*gen).binary},
	{"unknown type", quarantine.Undecodable, false, func(g *gen, _ int) (Message, bool) {
		return g.edited(func(m map[string]any) { m["type"] = "board.exploded" })
	}},
	{"unknown field", quarantine.Undecodable, false, func(g *gen, _ int) (Message, bool) {
		return g.edited(func(m map[string]any) { m["admin"] = true })
	}},
	{"missing field", quarantine.Undecodable, false, func(g *gen, _ int) (Message, bool) {
		return g.edited(func(m map[string]any) { delete(m, []string{"source", "reported_at", "data", "type"}[g.r.IntN(4)]) })
	}},
	{"not UTF-8 inside JSON", quarantine.Undecodable, false, (*gen).notUTF8},
	{"event on another's subject", quarantine.WrongSubject, false, (*gen).onAnothersSubject},
	{"event on a junk subject", quarantine.WrongSubject, false, func(g *gen, _ int) (Message, bool) {
		e := g.fresh(g.any())
		return Message{Subject: fmt.Sprintf("story.junk.%d", g.n), Data: e.Canonical()}, true
	}},
	{"duplicate, same content", quarantine.Duplicate, true, func(g *gen, k int) (Message, bool) {
		e := g.published(k)
		return Message{Subject: events.Subject(e), Data: e.Canonical()}, true
	}},
	{"duplicate id, other content", quarantine.Duplicate, true, func(g *gen, k int) (Message, bool) {
		c := *g.published(k)
		c.Quote = fmt.Sprintf("forged %d", g.n)
		return Message{Subject: events.Subject(&c), Data: c.Canonical()}, true
	}},
	{"supersedes itself", quarantine.ForgedSupersedes, false, func(g *gen, _ int) (Message, bool) {
		return g.edited(func(m map[string]any) { m["supersedes"] = m["id"] })
	}},
	{"correction of another type", quarantine.ForgedSupersedes, true, func(g *gen, k int) (Message, bool) { return g.forgedCorrection(k, false) }},
	{"correction about another entity", quarantine.ForgedSupersedes, true, func(g *gen, k int) (Message, bool) { return g.forgedCorrection(k, true) }},
}

// junk makes one junk message; k valid events are published before it.
func (g *gen) junk(k int) Message {
	g.n++
	for {
		kd := kinds[g.r.IntN(len(kinds))]
		if kd.target && k == 0 {
			continue
		}
		if m, ok := kd.make(g, k); ok {
			m.Class, m.Kind = kd.class, kd.name
			return m
		}
	}
}

func (g *gen) any() *events.Event { return &g.valid[g.r.IntN(len(g.valid))] }

func (g *gen) published(k int) *events.Event { return &g.valid[g.r.IntN(k)] }

func (g *gen) id() string {
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", g.r.Uint32(), g.r.IntN(1<<16), g.r.IntN(1<<12), g.r.IntN(1<<12), g.r.Uint64()&(1<<48-1))
}

// someSubject is a story subject junk may land on: a made-up one, or the
// subject of a valid event (junk there must not hide the event).
func (g *gen) someSubject() string {
	if g.r.IntN(2) == 0 {
		return events.Subject(g.any())
	}
	return fmt.Sprintf("story.junk.%d", g.n)
}

func (g *gen) fields(e *events.Event) map[string]any {
	var m map[string]any
	if err := json.Unmarshal(e.Canonical(), &m); err != nil {
		panic(err)
	}
	return m
}

func marshal(m map[string]any) []byte {
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

// fresh is a new valid event like e, with its own id.
func (g *gen) fresh(e *events.Event) events.Event {
	c := *e
	c.Supersedes = ""
	c.Quote = fmt.Sprintf("junk %d", g.n)
	c.ID = g.id()
	return c
}

func (g *gen) badJSON(int) (Message, bool) {
	bad := []string{`{`, `{"type":}`, `not json at all`, `{"id":"x",,}`, `[1,2,3`, `{"a":1}{"b":2}`, `"just a string`, `nul`}
	return Message{Subject: g.someSubject(), Data: []byte(bad[g.r.IntN(len(bad))])}, true
}

func (g *gen) truncated(int) (Message, bool) {
	b := g.any().Canonical()
	return Message{Subject: g.someSubject(), Data: b[:1+g.r.IntN(len(b)-1)]}, true
}

func (g *gen) binary(int) (Message, bool) {
	b := make([]byte, 64<<10)
	for i := range b {
		b[i] = byte(g.r.Uint32())
	}
	b[0] = 0xff // never UTF-8, whatever the rest
	return Message{Subject: g.someSubject(), Data: b}, true
}

func (g *gen) notUTF8(int) (Message, bool) {
	b := g.any().Canonical()
	i := len(b) / 2
	return Message{Subject: g.someSubject(), Data: append(append(append([]byte{}, b[:i]...), 0xc3, 0x28), b[i:]...)}, true
}

// edited is a valid event's fields changed by edit.
func (g *gen) edited(edit func(map[string]any)) (Message, bool) {
	m := g.fields(g.any())
	edit(m)
	return Message{Subject: g.someSubject(), Data: marshal(m)}, true
}

// onAnothersSubject is a valid new event filed under another entity, as if
// it were about it; it must not reach that entity's views.
func (g *gen) onAnothersSubject(int) (Message, bool) {
	e := g.fresh(g.any())
	other := g.fresh(g.any())
	if other.PrimaryEntity() == e.PrimaryEntity() {
		return Message{}, false
	}
	return Message{Subject: "story." + other.PrimaryEntity() + "." + string(e.Type) + "." + e.ID, Data: e.Canonical()}, true
}

// forgedCorrection corrects a published event with a statement: of
// another type about the same entity or, when otherEntity, of the same
// type (a statement) by another entity.
func (g *gen) forgedCorrection(k int, otherEntity bool) (Message, bool) {
	t := g.published(k)
	_, isStatement := t.Data.(*events.Statement)
	by := t.PrimaryEntity()
	if otherEntity {
		if !isStatement {
			return Message{}, false
		}
		by = "forger"
	} else if isStatement || len(t.Entities()) == 0 {
		return Message{}, false
	}
	c := events.Event{
		Type: events.StatementMade, OccurredAt: t.OccurredAt, Precision: events.PrecisionMinute,
		ReportedAt: t.ReportedAt.Add(time.Hour), Source: events.Source{Outlet: "Forger", Attribution: events.OnRecord},
		Data:       &events.Statement{By: by, Text: fmt.Sprintf("forged correction %d", g.n), Lang: "en"},
		Supersedes: t.ID,
	}
	c.ID = c.DeriveID()
	if err := c.Validate(); err != nil {
		panic(fmt.Sprintf("forged correction does not validate: %v", err))
	}
	return Message{Subject: events.Subject(&c), Data: c.Canonical()}, true
}

// Requests are questions to every view about evs: board, roles and stakes
// of each org, the status of each person, the timeline on both clocks,
// claims, sources, entities and a diff — at a moment after everything
// ("now", fixed so that two engines asked at different times agree) and
// at a few moments T of the story, with K = T and K = now.
func Requests(evs []events.Event) []query.Request {
	orgs, people := map[string]bool{}, map[string]bool{}
	for i := range evs {
		switch d := evs[i].Data.(type) {
		case *events.EntityDescription:
			if d.Kind == events.Person {
				people[d.ID] = true
			} else {
				orgs[d.ID] = true
			}
		case *events.SeatTaken:
			orgs[d.Org] = true
		case *events.RoleStart:
			orgs[d.Org], people[d.Person] = true, true
		}
	}
	far := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	moments := []time.Time{far}
	for _, i := range []int{len(evs) / 4, len(evs) / 2, len(evs) * 3 / 4} {
		moments = append(moments, evs[i].OccurredAt)
	}
	var reqs []query.Request
	for _, at := range moments {
		for _, known := range []time.Time{at, far} {
			for _, o := range slices.Sorted(maps.Keys(orgs)) {
				for _, v := range []string{"board", "roles", "stakes"} {
					reqs = append(reqs, query.Request{View: v, Org: o, At: at, KnownAt: known})
				}
			}
			for _, p := range slices.Sorted(maps.Keys(people)) {
				reqs = append(reqs, query.Request{View: "status", Person: p, At: at, KnownAt: known})
			}
			reqs = append(reqs, query.Request{View: "claims", At: at, KnownAt: known},
				query.Request{View: "sources", At: at, KnownAt: known})
		}
		reqs = append(reqs, query.Request{View: "timeline", KnownAt: at},
			query.Request{View: "timeline", By: "reported", KnownAt: at},
			query.Request{View: "entities", KnownAt: at})
	}
	reqs = append(reqs, query.Request{View: "diff", From: moments[1], To: moments[3], KnownAt: far})
	return reqs
}

// Renumber rewrites every "seq" in a view's JSON through seqs (a stream
// sequence in one archive to the same event's in another), so that views
// of two archives holding the same events at different sequences compare
// equal. Sequences not in seqs are left alone. Objects come out with
// sorted keys.
func Renumber(view []byte, seqs map[uint64]uint64) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(view))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("renumber: %w", err)
	}
	var walk func(v any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if n, ok := e.(json.Number); ok && k == "seq" {
					if s, err := strconv.ParseUint(string(n), 10, 64); err == nil {
						if to, ok := seqs[s]; ok {
							x[k] = json.Number(strconv.FormatUint(to, 10))
						}
					}
					continue
				}
				x[k] = walk(e)
			}
		case []any:
			for i, e := range x {
				x[i] = walk(e)
			}
		}
		return v
	}
	return json.Marshal(walk(v))
}
