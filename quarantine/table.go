package quarantine

import (
	"strings"

	"github.com/google/uuid"

	"storyline/events"
)

// table is the compact record of admitted events a [New] screen keeps:
// ids as 16 bytes, types and entities as small numbers. Ids are UUIDs once
// decoded; anything else (only possible for events built in code) goes to
// a plain map.
type table struct {
	ids    map[[16]byte]slot
	other  map[string]slot
	types  intern
	abouts intern
}

type slot struct {
	seq   uint64
	about uint32
	typ   uint16
}

type intern struct {
	idx   map[string]uint32
	names []string
}

func (in *intern) id(s string) uint32 {
	if i, ok := in.idx[s]; ok {
		return i
	}
	i := uint32(len(in.names))
	in.idx[s] = i
	in.names = append(in.names, s)
	return i
}

func newTable() *table {
	return &table{ids: map[[16]byte]slot{}, other: map[string]slot{},
		types: intern{idx: map[string]uint32{}}, abouts: intern{idx: map[string]uint32{}}}
}

func (t *table) put(id string, r Ref) {
	s := slot{seq: r.Seq, about: t.abouts.id(r.About), typ: uint16(t.types.id(string(r.Type)))}
	if u, ok := key(id); ok {
		t.ids[u] = s
		return
	}
	t.other[id] = s
}

func (t *table) get(id string) (Ref, bool) {
	var s slot
	var ok bool
	if u, canon := key(id); canon {
		s, ok = t.ids[u]
	} else {
		s, ok = t.other[id]
	}
	if !ok {
		return Ref{}, false
	}
	return Ref{Seq: s.seq, Type: events.Type(t.types.names[s.typ]), About: t.abouts.names[s.about]}, true
}

// key is id as 16 bytes, when id is a UUID in the canonical form decoding
// gives (36 characters, lowercase): only then does the string stand for
// exactly those bytes, as the projection index, keyed by string, sees it.
func key(id string) ([16]byte, bool) {
	if len(id) != 36 || strings.ContainsAny(id, "ABCDEF") {
		return [16]byte{}, false
	}
	u, err := uuid.Parse(id)
	return u, err == nil
}
