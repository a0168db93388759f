package projections

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"storyline/events"
)

// Sentinel errors of entity resolution.
var (
	ErrUnknownEntity   = errors.New("unknown entity")
	ErrAmbiguousEntity = errors.New("ambiguous entity")
	// ErrWrongKind: the name is of a person where an org is wanted, or
	// the other way round. It wraps ErrUnknownEntity too.
	ErrWrongKind = fmt.Errorf("%w of the kind asked for", ErrUnknownEntity)
)

// Entity is an entity's latest description.
type Entity struct {
	ID      string      `json:"id"`
	Kind    events.Kind `json:"kind"`
	Name    string      `json:"name"`
	Aliases []string    `json:"aliases"`
	Home    string      `json:"home,omitempty"`
}

// Names resolves what people type to entity ids: an id, a name or an alias
// in any language, or an unambiguous prefix of one.
type Names struct {
	byID    map[string]*Entity
	outlets map[string]string // folded spelling -> outlet id; nil: not built
}

func newNames() *Names { return &Names{byID: map[string]*Entity{}} }

// set makes id's entry the latest of its descriptions, in fold order, that
// no correction replaces.
func (n *Names) set(id string, descs []*Entry) {
	n.outlets = nil
	var best *Entry
	for _, en := range descs {
		if en.fixedBy == nil && !en.withdrawn && (best == nil || foldCmp(en, best) > 0) {
			best = en
		}
	}
	if best == nil {
		delete(n.byID, id)
		return
	}
	d := best.Event.Data.(*events.EntityDescription)
	n.byID[id] = &Entity{ID: d.ID, Kind: d.Kind, Name: d.Name, Aliases: d.Aliases, Home: d.Home}
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
	return n.resolve(input, "")
}

// ResolveKind is Resolve among the entities of one kind: "--org" wants an
// org, a status a person. A name of the other kind is an ErrWrongKind
// error that says what it names.
func (n *Names) ResolveKind(input string, kind events.Kind) (string, error) {
	id, err := n.resolve(input, kind)
	if errors.Is(err, ErrUnknownEntity) {
		if other, err2 := n.resolve(input, ""); err2 == nil {
			e := n.byID[other]
			return "", &ResolveError{Input: strings.TrimSpace(input), Err: ErrWrongKind,
				Msg: fmt.Sprintf("%q is %s (%s), not %s", strings.TrimSpace(input), article(e.Kind), e.Name, article(kind))}
		}
	}
	return id, err
}

func article(k events.Kind) string {
	if k == events.Org || k == events.Outlet {
		return "an " + string(k)
	}
	return "a " + string(k)
}

// resolve tries, in turn: the exact id; an exact id, name or alias (case
// aside); the same without accents, punctuation or spacing; any word of
// a name or alias; a prefix of one of those. The first step with one
// entity answers; a step with several lists them.
func (n *Names) resolve(input string, kind events.Kind) (string, error) {
	in := strings.TrimSpace(input)
	if in == "" {
		return "", fmt.Errorf("%w: empty name", ErrUnknownEntity)
	}
	if e, ok := n.byID[in]; ok && (kind == "" || e.Kind == kind) {
		return in, nil
	}
	low, key := strings.ToLower(in), foldName(in)
	steps := []func(s string) bool{
		func(s string) bool { return strings.ToLower(s) == low },
		func(s string) bool { return key != "" && foldName(s) == key },
		func(s string) bool { return key != "" && slices.Contains(nameWords(s), key) },
		func(s string) bool { return strings.HasPrefix(strings.ToLower(s), low) },
		func(s string) bool {
			return key != "" && (strings.HasPrefix(foldName(s), key) || slices.ContainsFunc(nameWords(s), func(w string) bool { return strings.HasPrefix(w, key) }))
		},
	}
	for _, match := range steps {
		set := map[string]bool{}
		for _, e := range n.byID {
			if kind != "" && e.Kind != kind {
				continue
			}
			if slices.ContainsFunc(e.spellings(), match) {
				set[e.ID] = true
			}
		}
		switch {
		case len(set) == 1:
			for id := range set {
				return id, nil
			}
		case len(set) > 1:
			c, more := n.candidates(set)
			return "", &ResolveError{Input: in, Err: ErrAmbiguousEntity, Candidates: c, More: more}
		}
	}
	c, more := n.suggest(low, kind)
	return "", &ResolveError{Input: in, Err: ErrUnknownEntity, Candidates: c, More: more}
}

// spellings are the entity's id, name and aliases.
func (e *Entity) spellings() []string { return append([]string{e.ID, e.Name}, e.Aliases...) }

// foldName is a name as people type it without care: lower case, no
// accents, no punctuation or spaces ("O'Brien" -> "obrien", "Ólafsdóttir"
// -> "olafsdottir"); letters of other scripts are kept as they are.
func foldName(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// nameWords are the folded words of a name: split at spaces, hyphens and
// separators such as "·", with apostrophes and accents dropped inside a
// word ("Ann O'Brien" -> ann, obrien; "安娜·奧卡福" -> 安娜, 奧卡福).
func nameWords(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '-' || r == '·' || r == '・' || r == '/' || r == ',' || r == '(' || r == ')'
	}) {
		if f := foldName(w); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// outlet returns the outlet entity whose id, name or alias is name, case,
// accents and punctuation aside. It only reads (questions call it at
// once): Index.prepare builds the table after the names change.
func (n *Names) outlet(name string) (string, bool) {
	id, ok := n.outlets[foldName(name)]
	return id, ok
}

// indexOutlets builds the table outlet reads, unless it is up to date.
func (n *Names) indexOutlets() {
	if n.outlets != nil {
		return
	}
	n.outlets = map[string]string{}
	for _, e := range n.byID {
		if e.Kind != events.Outlet {
			continue
		}
		for _, s := range e.spellings() {
			if k := foldName(s); k != "" {
				n.outlets[k] = e.ID
			}
		}
	}
}

// ResolveError says why an input names no single entity. It wraps
// [ErrUnknownEntity] or [ErrAmbiguousEntity] and lists up to eight
// candidates ("id (Name)"): the matches of an ambiguous input, or entities
// sharing the first letters of an unknown one.
type ResolveError struct {
	Input      string
	Err        error
	Msg        string // what else to say, if anything
	Candidates []string
	More       int // candidates left out
}

func (e *ResolveError) Error() string {
	if e.Msg != "" {
		return e.Msg
	}
	s := fmt.Sprintf("%v: %q", e.Err, e.Input)
	if len(e.Candidates) == 0 {
		return s
	}
	more := ""
	if e.More > 0 {
		more = fmt.Sprintf(" and %d more", e.More)
	}
	if errors.Is(e.Err, ErrAmbiguousEntity) {
		return s + " could be " + strings.Join(e.Candidates, ", ") + more
	}
	return s + "; did you mean " + strings.Join(e.Candidates, ", ") + more
}

func (e *ResolveError) Unwrap() error { return e.Err }

func (n *Names) candidates(set map[string]bool) (list []string, more int) {
	ids := make([]string, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if len(ids) > 8 {
		ids, more = ids[:8], len(ids)-8
	}
	for _, id := range ids {
		list = append(list, fmt.Sprintf("%s (%s)", id, n.byID[id].Name))
	}
	return list, more
}

// suggest lists entities of the kind (any kind if "") that share the
// input's first letters; with none, every entity of the kind (up to the
// candidates' limit), so that the error still shows what there is.
func (n *Names) suggest(low string, kind events.Kind) ([]string, int) {
	set := map[string]bool{}
	for len(low) > 0 && len(set) == 0 {
		r := []rune(low)
		low = string(r[:len(r)/2])
		if low == "" {
			break
		}
		for _, e := range n.byID {
			if kind != "" && e.Kind != kind {
				continue
			}
			for _, s := range append([]string{e.ID, e.Name}, e.Aliases...) {
				if strings.HasPrefix(strings.ToLower(s), low) {
					set[e.ID] = true
				}
			}
		}
	}
	if len(set) == 0 && kind != "" {
		for _, e := range n.byID {
			if e.Kind == kind {
				set[e.ID] = true
			}
		}
	}
	return n.candidates(set)
}

// Resolve returns the entity id input names, as [Names.Resolve] does, and
// also accepts the exact id of an entity that has events but was never
// described.
func (x *Index) Resolve(input string) (string, error) {
	id, err := x.Names().Resolve(input)
	if errors.Is(err, ErrUnknownEntity) {
		in := strings.ToLower(strings.TrimSpace(input))
		if _, ok := x.entity[in]; ok {
			return in, nil
		}
	}
	return id, err
}
