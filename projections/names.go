package projections

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"storyline/events"
)

// Sentinel errors of entity resolution.
var (
	ErrUnknownEntity   = errors.New("unknown entity")
	ErrAmbiguousEntity = errors.New("ambiguous entity")
)

// Entity is an entity's latest description.
type Entity struct {
	ID      string      `json:"id"`
	Kind    events.Kind `json:"kind"`
	Name    string      `json:"name"`
	Aliases []string    `json:"aliases"`
	seq     uint64
	order   *Entry
}

// Names resolves what people type to entity ids: an id, a name or an alias
// in any language, or an unambiguous prefix of one.
type Names struct {
	byID map[string]*Entity
}

func newNames() *Names { return &Names{byID: map[string]*Entity{}} }

func (n *Names) add(en *Entry, d *events.EntityDescription) {
	if cur, ok := n.byID[d.ID]; ok && before(en, cur.order) {
		return // a later description wins
	}
	n.byID[d.ID] = &Entity{ID: d.ID, Kind: d.Kind, Name: d.Name, Aliases: d.Aliases, seq: en.Seq, order: en}
}

// Name is the display name of id, or "" if it was never described.
func (n *Names) Name(id string) string {
	if e, ok := n.byID[id]; ok {
		return e.Name
	}
	return ""
}

// Entity returns the description of id.
func (n *Names) Entity(id string) (Entity, bool) {
	e, ok := n.byID[id]
	if !ok {
		return Entity{}, false
	}
	return *e, true
}

// All returns every described entity, sorted by id.
func (n *Names) All() []Entity {
	out := make([]Entity, 0, len(n.byID))
	for _, e := range n.byID {
		out = append(out, *e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Resolve returns the id input names. An exact id, name or alias wins;
// otherwise input must be the prefix of exactly one entity's id, name or
// alias. The error of an unknown or ambiguous input lists candidates.
func (n *Names) Resolve(input string) (string, error) {
	in := strings.TrimSpace(input)
	if in == "" {
		return "", fmt.Errorf("%w: empty name", ErrUnknownEntity)
	}
	if _, ok := n.byID[in]; ok {
		return in, nil
	}
	low := strings.ToLower(in)
	exact := map[string]bool{}
	prefix := map[string]bool{}
	for _, e := range n.byID {
		for _, s := range append([]string{e.ID, e.Name}, e.Aliases...) {
			ls := strings.ToLower(s)
			switch {
			case ls == low:
				exact[e.ID] = true
			case strings.HasPrefix(ls, low):
				prefix[e.ID] = true
			}
		}
	}
	pick := func(set map[string]bool) (string, error, bool) {
		if len(set) == 1 {
			for id := range set {
				return id, nil, true
			}
		}
		if len(set) > 1 {
			return "", fmt.Errorf("%w: %q could be %s", ErrAmbiguousEntity, in, n.candidates(set)), true
		}
		return "", nil, false
	}
	if id, err, ok := pick(exact); ok {
		return id, err
	}
	if id, err, ok := pick(prefix); ok {
		return id, err
	}
	return "", fmt.Errorf("%w: %q%s", ErrUnknownEntity, in, n.suggest(low))
}

func (n *Names) candidates(set map[string]bool) string {
	ids := make([]string, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	more := ""
	if len(ids) > 8 {
		more = fmt.Sprintf(" and %d more", len(ids)-8)
		ids = ids[:8]
	}
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprintf("%s (%s)", id, n.byID[id].Name)
	}
	return strings.Join(parts, ", ") + more
}

// suggest lists entities that share the input's first letters.
func (n *Names) suggest(low string) string {
	set := map[string]bool{}
	for len(low) > 0 && len(set) == 0 {
		r := []rune(low)
		low = string(r[:len(r)/2])
		if low == "" {
			break
		}
		for _, e := range n.byID {
			for _, s := range append([]string{e.ID, e.Name}, e.Aliases...) {
				if strings.HasPrefix(strings.ToLower(s), low) {
					set[e.ID] = true
				}
			}
		}
	}
	if len(set) == 0 {
		return ""
	}
	return "; did you mean " + n.candidates(set)
}
