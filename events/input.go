package events

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"sort"
	"strings"
)

// Input is an event read from an import file, with where it was read.
type Input struct {
	Event
	File string
	Line int
}

// ReadInput reads an import file as [ReadAll] does, decoding each line
// with [DecodeInput] (references may be keys or id prefixes), and keeps
// each event's line for later errors.
func ReadInput(r io.Reader, file string) ([]Input, []error) { return read(r, file, true) }

// Known is what a resolver knows of the events already stored.
type Known interface {
	// KeyID is the id of the stored event with that key.
	KeyID(key string) (string, bool)
	// IDsWithPrefix lists stored ids that start with prefix (up to a few).
	IDsWithPrefix(prefix string) []string
}

// IDs is a Known over a list of stored ids and keys.
type IDs struct {
	ids  []string // sorted
	keys map[string]string
}

// Add records a stored event.
func (k *IDs) Add(e *Event) {
	k.ids = append(k.ids, e.ID)
	if e.Key != "" {
		if k.keys == nil {
			k.keys = map[string]string{}
		}
		k.keys[e.Key] = e.ID
	}
}

// KeyID implements Known.
func (k *IDs) KeyID(key string) (string, bool) { id, ok := k.keys[key]; return id, ok }

// IDsWithPrefix implements Known.
func (k *IDs) IDsWithPrefix(p string) []string {
	if !sort.StringsAreSorted(k.ids) {
		sort.Strings(k.ids)
	}
	i := sort.SearchStrings(k.ids, p)
	var out []string
	for ; i < len(k.ids) && strings.HasPrefix(k.ids[i], p) && len(out) < 9; i++ {
		out = append(out, k.ids[i])
	}
	return out
}

// Resolve settles the references of ins that are keys or id prefixes —
// against the keys and ids of the file itself and of the stored events —
// and derives the ids of events that had none, so that what is stored
// names every event by its full id. It returns one *LineError per event
// it cannot settle: an unknown or ambiguous reference, a key used twice,
// references that wait on each other. Lines that give their id are
// records (a backup) and keep what the archive held: a key two of them
// share, or the archive gives another, is not refused.
func Resolve(ins []Input, known Known) []error {
	r := resolver{ins: ins, known: known, keys: map[string]int{}}
	var errs []error
	for i := range ins {
		if k := ins[i].Key; k != "" {
			// Records restored from an export keep what the archive held,
			// even a key two events came to share.
			if j, dup := r.keys[k]; dup && !(ins[i].idGiven && ins[j].idGiven) {
				errs = append(errs, ins[i].err(fieldErr("key", ErrDuplicateKey, k), fmt.Sprintf("also the key of line %d", ins[j].Line)))
				continue
			}
			r.keys[k] = i
		}
	}
	errs = append(errs, r.settleAll()...)
	return append(errs, r.checkKeys()...)
}

// ErrDuplicateKey and ErrUnresolved are the sentinels of resolution.
var (
	ErrDuplicateKey = errors.New("key already used")
	ErrUnresolved   = errors.New("unresolved reference")
)

type resolver struct {
	ins   []Input
	known Known
	keys  map[string]int // key -> index in ins
}

// settleAll settles every event it can. An event that names by key an
// event of the file not settled yet waits for it, and is tried again when
// that one settles: each event is settled once, whatever the order.
func (r *resolver) settleAll() []error {
	var errs []error
	waiters := map[int][]int{} // index -> the events waiting for it
	queue := make([]int, 0, len(r.ins))
	for i := range r.ins {
		queue = append(queue, i)
	}
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		in := &r.ins[i]
		if len(in.Unresolved()) == 0 {
			continue
		}
		on, err := r.settle(in)
		switch {
		case err != nil:
			errs = append(errs, err)
		case on >= 0:
			waiters[on] = append(waiters[on], i)
		default:
			queue = append(queue, waiters[i]...)
			delete(waiters, i)
		}
	}
	for i := range r.ins {
		if in := &r.ins[i]; len(in.Unresolved()) > 0 && slicesHasWaiter(waiters, i) {
			refs := make([]string, 0, 2)
			for _, u := range in.Unresolved() {
				refs = append(refs, u.Field+" "+*u.Value)
			}
			errs = append(errs, in.err(&FieldError{Field: in.Unresolved()[0].Field, Err: ErrUnresolved, Value: strings.Join(refs, ", ")},
				"it names events of the file that name it back, or wait on such events"))
		}
	}
	return errs
}

// slicesHasWaiter reports whether i waits on some event.
func slicesHasWaiter(waiters map[int][]int, i int) bool {
	for _, ws := range waiters {
		if slices.Contains(ws, i) {
			return true
		}
	}
	return false
}

// settle resolves what it can of in's references. It returns the index
// of a file event in waits for (-1 if none), or an error naming every bad
// reference.
func (r *resolver) settle(in *Input) (waitsFor int, err error) {
	waitsFor = -1
	var bad []error
	for _, ref := range in.Unresolved() {
		id, on, err := r.lookup(*ref.Value)
		switch {
		case err != nil:
			bad = append(bad, &FieldError{Field: ref.Field, Err: ErrUnresolved, Value: fmt.Sprintf("%q (%v)", *ref.Value, err)})
		case on >= 0:
			waitsFor = on
		default:
			*ref.Value = id
		}
	}
	if len(bad) > 0 {
		return -1, &LineError{File: in.File, Line: in.Line, Err: errors.Join(bad...)}
	}
	if waitsFor >= 0 {
		return waitsFor, nil
	}
	if err := in.Validate(); err != nil {
		return -1, &LineError{File: in.File, Line: in.Line, Err: err}
	}
	return -1, in.settle()
}

// lookup resolves one reference: a key of the file (waitsFor its index
// while that event is not settled), a stored key, else an id prefix
// matching one stored event or one event of the file that gives its id.
// (Derived ids of the file are known only once settled; prefixes never
// name them, so that the answer does not depend on the order of lines.)
func (r *resolver) lookup(v string) (id string, waitsFor int, err error) {
	if i, ok := r.keys[v]; ok {
		if e := r.ins[i].Event; len(e.Unresolved()) == 0 {
			return e.ID, -1, nil
		}
		return "", i, nil
	}
	if id, ok := r.known.KeyID(v); ok {
		return id, -1, nil
	}
	p := strings.ToLower(v)
	if !prefixRE.MatchString(p) {
		return "", -1, fmt.Errorf("no event of the file or the archive has this key")
	}
	cands := r.known.IDsWithPrefix(p)
	for _, in := range r.ins {
		if in.idGiven && strings.HasPrefix(in.ID, p) && !slices.Contains(cands, in.ID) {
			cands = append(cands, in.ID)
		}
	}
	switch len(cands) {
	case 0:
		return "", -1, fmt.Errorf("no key or event id starts so")
	case 1:
		return cands[0], -1, nil
	}
	return "", -1, fmt.Errorf("ambiguous: it starts %s; give more of the id", strings.Join(cands, ", "))
}

// checkKeys refuses a key the archive already gives another event.
func (r *resolver) checkKeys() []error {
	var errs []error
	for _, i := range r.keys {
		in := &r.ins[i]
		if id, ok := r.known.KeyID(in.Key); ok && in.ID != "" && id != in.ID && !in.idGiven {
			errs = append(errs, in.err(fieldErr("key", ErrDuplicateKey, in.Key), "the archive gives it to event "+id))
		}
	}
	sort.Slice(errs, func(a, b int) bool { return errs[a].Error() < errs[b].Error() })
	return errs
}

func (in *Input) err(fe *FieldError, why string) *LineError {
	if why != "" {
		fe.Want = ""
		fe.Value = strings.TrimSpace(fe.Value + " (" + why + ")")
	}
	return &LineError{File: in.File, Line: in.Line, Err: fe}
}

// ErrUndescribed: an event names an entity no entity.described describes.
var ErrUndescribed = errors.New("undescribed entity")

// CheckDescribed refuses events naming an entity that neither the file
// nor the archive describes (described reports the archive's), so that a
// typo does not make a new person. A line that gives its id is a record
// (a backup, another archive's export) and is taken as it was stored. suggest returns "did you mean" text for
// an id ("" if it has none).
func CheckDescribed(ins []Input, described func(id string) bool, suggest func(id string) string) []error {
	inFile := map[string]bool{}
	for _, in := range ins {
		if d, ok := in.Data.(*EntityDescription); ok {
			inFile[d.ID] = true
		}
	}
	var errs []error
	for i := range ins {
		in := &ins[i]
		if in.idGiven {
			continue // a record restored as the archive held it
		}
		for _, id := range in.Entities() {
			if inFile[id] || described(id) {
				continue
			}
			why := "describe it with an entity.described line, or import with --allow-undescribed"
			if s := suggest(id); s != "" {
				why = "did you mean " + s + "? Or " + why
			}
			errs = append(errs, in.err(fieldErr(in.fieldNaming(id), ErrUndescribed, id), why))
			break
		}
	}
	return errs
}

// fieldNaming is the payload field that names the entity id.
func (e *Event) fieldNaming(id string) string {
	rv := reflect.ValueOf(e.Data).Elem()
	rt := rv.Type()
	for i := range rt.NumField() {
		name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		switch v := rv.Field(i).Interface().(type) {
		case string:
			if v == id {
				return "data." + name
			}
		case []string:
			if j := slices.Index(v, id); j >= 0 {
				return fmt.Sprintf("data.%s[%d]", name, j)
			}
		}
	}
	return "data"
}
