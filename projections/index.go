package projections

import (
	"slices"
	"sort"
	"sync"
	"time"

	"storyline/events"
)

// Index holds the archive's events with a temporal index per entity, so
// that a question at (T, K) about an org or a person binary-searches that
// entity's events and folds only a few of them, never the whole archive.
//
// Add must not run concurrently with anything else; the query methods may
// run concurrently with each other (the index brings itself up to date
// under its own lock before answering).
type Index struct {
	mu    sync.Mutex // guards the lazy maintenance in prepare
	dirty bool       // events or corrections arrived since the last prepare

	all     listing // every event, fold order
	byRep   listing // every event, reported order
	byID    map[string]*Entry
	slab    []Entry // entries are allocated in blocks
	lastSeq uint64
	// corrections maps an event id to the events that supersede it, in
	// reported order.
	corrections map[string][]*Entry
	// errata maps a record id to the errata replacing it, in stream
	// order (the last stands); withdrawals to the record.withdrawn events
	// naming it.
	errata      map[string][]*Entry
	withdrawals map[string][]*Entry
	depth       int // of rewithdraw's recursion

	board  map[string]*chain[*boardState]  // org -> seat events
	roles  map[string]*chain[*rolesState]  // org -> role events
	stakes map[string]*chain[*stakesState] // org -> stake events
	entity map[string]*chain[*personState] // entity -> every event naming it
	descs  map[string]*series              // entity -> its descriptions
	kinds  map[string]events.Kind          // kind as used in events, for undescribed ids

	claims      series              // claim.reported
	resolutions series              // claim.resolved
	byClaim     map[string][]*Entry // claim id -> resolutions naming it
	names       *Names
	namesDirty  map[string]bool // described ids whose names must be recomputed
	ents        []string        // Add's scratch list of an event's entities
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{
		all: listing{cmp: foldCmp}, byRep: listing{cmp: repCmp},
		byID: map[string]*Entry{}, corrections: map[string][]*Entry{},
		errata: map[string][]*Entry{}, withdrawals: map[string][]*Entry{},
		board: map[string]*chain[*boardState]{}, roles: map[string]*chain[*rolesState]{},
		stakes: map[string]*chain[*stakesState]{}, entity: map[string]*chain[*personState]{},
		descs: map[string]*series{}, kinds: map[string]events.Kind{}, names: newNames(), namesDirty: map[string]bool{}, byClaim: map[string][]*Entry{},
	}
}

// Grow makes room for n more events, so that a restore of a known size
// does not grow its tables again and again. Room left unused (n counted
// records the screen refused) is let go when the lists are first read;
// only the id table keeps it.
func (x *Index) Grow(n int) {
	if len(x.byID) == 0 {
		x.byID = make(map[string]*Entry, n)
	}
	x.all.tail = slices.Grow(x.all.tail, n)
	x.byRep.tail = slices.Grow(x.byRep.tail, n)
}

// Add indexes the event stored at seq. The index keeps e (it does not
// copy it); the caller must not change it afterwards. Adding an id twice
// keeps the first (the archive stores each id once; this guards replays).
// A nil e only advances LastSeq (a quarantined record).
func (x *Index) Add(seq uint64, e *events.Event) { x.AddRecorded(seq, e, time.Time{}) }

// AddRecorded is [Index.Add] for an event the archive stored at recorded
// (the stream's timestamp), which the views show on errata.
func (x *Index) AddRecorded(seq uint64, e *events.Event, recorded time.Time) {
	x.lastSeq = max(x.lastSeq, seq)
	if e == nil {
		return
	}
	if _, dup := x.byID[e.ID]; dup {
		return
	}
	if len(x.slab) == 0 {
		x.slab = make([]Entry, 1024)
	}
	en := &x.slab[0]
	x.slab = x.slab[1:]
	*en = Entry{Seq: seq, Event: e, occ: nanos(e.OccurredAt), rep: nanos(e.ReportedAt)}
	if !recorded.IsZero() {
		en.recorded = recorded.UnixNano()
	}
	x.byID[e.ID] = en
	x.dirty = true
	x.all.add(en)
	x.byRep.add(en)
	x.chains(en, func(c fixer) { c.base().add(en); c.base().queued = true })
	x.touchName(en)
	switch d := e.Data.(type) {
	case *events.EntityDescription:
		ds, ok := x.descs[d.ID]
		if !ok {
			ds = &series{}
			x.descs[d.ID] = ds
		}
		ds.add(en)
	case *events.Claim:
		x.claims.add(en)
	case *events.Resolution:
		x.resolutions.add(en)
		x.byClaim[d.Claim] = append(x.byClaim[d.Claim], en)
	default:
		org, person := partiesOf(d)
		x.kind(org, events.Org)
		x.kind(person, events.Person)
	}
	if sup := e.Supersedes; sup != "" {
		cs := x.corrections[sup]
		i := sort.Search(len(cs), func(i int) bool { return repCmp(cs[i], en) > 0 })
		x.corrections[sup] = slices.Insert(cs, i, en)
		x.relink(sup)
	}
	if _, ok := x.corrections[e.ID]; ok {
		// Corrections of this event arrived before it.
		x.relink(e.ID)
	}
	x.addErrata(en)
}

// touchName marks the names of a description for recomputing.
func (x *Index) touchName(en *Entry) {
	if d, ok := en.Event.Data.(*events.EntityDescription); ok {
		x.namesDirty[d.ID] = true
	}
}

func (x *Index) kind(id string, k events.Kind) {
	if _, ok := x.kinds[id]; !ok && id != "" {
		x.kinds[id] = k
	}
}

// partiesOf is the org, and the person who holds a role in it, that an
// event of a board seat, a role, an affiliation or a stake names, so that
// their kinds are known before anything describes them ("" where it names
// none). Seats and stakes name only their org here.
func partiesOf(d events.Data) (org, person string) {
	switch d := d.(type) {
	case *events.SeatTaken:
		return d.Org, ""
	case *events.SeatLeft:
		return d.Org, ""
	case *events.RoleStart:
		return d.Org, d.Person
	case *events.RoleEnd:
		return d.Org, d.Person
	case *events.Affiliation:
		return d.Org, d.Person
	case *events.Stake:
		return d.Org, ""
	}
	return "", ""
}

// relink recomputes which correction replaces the event id and each of
// its corrections: the event is replaced by its earliest-reported
// correction, each correction by the next one (the latest known wins) or
// by its own correction, whichever was reported first. Withdrawn
// corrections are passed over; the corrections of a record also correct
// the erratum standing for it. Every entry touched is marked stale, since
// whether a correction names a known event can change its fold too.
func (x *Index) relink(id string) {
	var cs []*Entry
	for _, c := range x.corrections[id] {
		if !c.withdrawn {
			cs = append(cs, c)
		}
	}
	set := func(en, by *Entry) {
		if en == nil {
			return
		}
		en.fixedBy = by
		x.stale(en)
	}
	var first *Entry
	if len(cs) > 0 {
		first = cs[0]
	}
	set(x.byID[id], first)
	if st := x.standing(id); st != nil && st != x.byID[id] {
		set(st, first)
	}
	for i, c := range cs {
		var next *Entry
		if i+1 < len(cs) {
			next = cs[i+1]
		}
		if own := x.corrections[c.Event.ID]; len(own) > 0 && (next == nil || repCmp(own[0], next) < 0) {
			next = own[0]
		}
		set(c, next)
	}
}

// stale marks every list en belongs to for refolding from en on.
func (x *Index) stale(en *Entry) {
	x.chains(en, func(c fixer) { c.base().markStale(en); c.base().queued = true })
	x.touchName(en)
}

// chains calls fn on every chain en belongs to.
func (x *Index) chains(en *Entry, fn func(fixer)) {
	switch d := en.Event.Data.(type) {
	case *events.SeatTaken:
		fn(getChain(x.board, d.Org, boardFold))
	case *events.SeatLeft:
		fn(getChain(x.board, d.Org, boardFold))
	case *events.RoleStart:
		fn(getChain(x.roles, d.Org, rolesFold))
	case *events.RoleEnd:
		fn(getChain(x.roles, d.Org, rolesFold))
	case *events.Stake:
		fn(getChain(x.stakes, d.Org, stakesFold))
	}
	x.ents = en.Event.AppendEntities(x.ents[:0])
	for _, ent := range x.ents {
		fn(getChain(x.entity, ent, personFold))
	}
}

func getChain[S any](m map[string]*chain[S], key string, f *fold[S]) *chain[S] {
	c, ok := m[key]
	if !ok {
		c = newChain(key, f)
		m[key] = c
	}
	return c
}

// prepare brings the index-wide structures up to date with what Add
// recorded. Queries call it first; it is cheap when nothing changed. The
// chains are left to the first question that reads each (see ready): a
// one-shot question after a restore folds the chains it reads, not the
// archive's every one; the listings of every event are sorted when first
// read, too.
func (x *Index) prepare() {
	x.mu.Lock()
	defer x.mu.Unlock()
	if !x.dirty {
		return
	}
	x.claims.fix()
	x.resolutions.fix()
	for id := range x.namesDirty {
		if ds, ok := x.descs[id]; ok {
			ds.fix()
			x.names.set(id, ds.es)
		}
	}
	clear(x.namesDirty)
	x.names.indexOutlets()
	x.dirty = false
}

// FoldAll brings every chain and listing up to date now, which questions
// otherwise do for what they read, so that no later question pays for
// one. It must not run at once with Add.
func (x *Index) FoldAll() {
	x.prepare()
	x.all.get()
	x.byRep.get()
	foldEvery(x, x.board)
	foldEvery(x, x.roles)
	foldEvery(x, x.stakes)
	foldEvery(x, x.entity)
}

func foldEvery[S any](x *Index, m map[string]*chain[S]) {
	for _, c := range m {
		ready(x, c)
	}
}

// LastSeq is the highest sequence added.
func (x *Index) LastSeq() uint64 { return x.lastSeq }

// Len is the number of events indexed.
func (x *Index) Len() int { return len(x.byID) }

// Get returns the event with id, if indexed.
func (x *Index) Get(id string) (*Entry, bool) {
	en, ok := x.byID[id]
	return en, ok
}

// All returns every event in fold order. The slice is the index's own:
// do not change it.
func (x *Index) All() []*Entry {
	x.prepare()
	return x.all.get()
}

// ByReported returns every event in reported order (reported_at,
// occurred_at, sequence). The slice is the index's own.
func (x *Index) ByReported() []*Entry {
	x.prepare()
	return x.byRep.get()
}

// Names returns the entity names and aliases: each entity's latest
// description that no correction replaces.
func (x *Index) Names() *Names {
	x.prepare()
	return x.names
}

// Entities returns the ids of every entity that has events, sorted.
func (x *Index) Entities() []string { return sortedKeys(x.entity) }

// Orgs returns the ids of every org with board, role or stake events,
// sorted.
func (x *Index) Orgs() []string {
	set := map[string]bool{}
	for _, m := range []map[string]bool{keySet(x.board), keySet(x.roles), keySet(x.stakes)} {
		for k := range m {
			set[k] = true
		}
	}
	return sortedKeys(set)
}

// People returns the ids of every person: described as one, or holding or
// announced to a role. Sorted.
func (x *Index) People() []string {
	var out []string
	for id := range x.entity {
		if x.Kind(id) == events.Person {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// Kind is id's kind: as described, else as its events use it ("" if
// neither says).
func (x *Index) Kind(id string) events.Kind {
	if e, ok := x.Names().byID[id]; ok {
		return e.Kind
	}
	return x.kinds[id]
}

// KindSoFar is id's kind from the events added so far: as the newest
// description says, else as its events use it. Unlike Kind it does not
// prepare the index for queries, so a projector may ask it after every Add
// without turning a rebuild quadratic.
func (x *Index) KindSoFar(id string) events.Kind {
	if ds, ok := x.descs[id]; ok {
		var newest *Entry
		for _, list := range [2][]*Entry{ds.es, ds.tail} {
			for _, en := range list {
				if newest == nil || repCmp(en, newest) > 0 {
					newest = en
				}
			}
		}
		if newest != nil {
			return newest.Event.Data.(*events.EntityDescription).Kind
		}
	}
	return x.kinds[id]
}

// Known reports whether en counts at k: reported by then and not replaced
// by a correction reported by then. A zero k knows everything.
func (x *Index) Known(en *Entry, k time.Time) bool {
	return AsOf{KnownAt: k}.question().counts(en)
}

// Current returns the version of en that stands at q: en itself, or the
// correction (of a correction...) of it known by q.KnownAt.
func (x *Index) Current(en *Entry, q AsOf) *Entry {
	return current(en, q.question())
}

func current(en *Entry, q question) *Entry {
	for i := 0; i < 64 && en.fixedBy != nil && q.knows(en.fixedBy); i++ {
		en = en.fixedBy
	}
	return en
}

// nameAt is id's display name from the latest description known at q,
// else from the latest description at all, else "".
func (x *Index) nameAt(id string, q question) string {
	if ds, ok := x.descs[id]; ok {
		for i := len(ds.es) - 1; i >= 0; i-- {
			if en := ds.es[i]; q.counts(en) {
				return en.Event.Data.(*events.EntityDescription).Name
			}
		}
	}
	return x.names.Name(id)
}

// orphan reports whether en corrects an event the index does not hold.
func (x *Index) orphan(en *Entry) bool {
	if en.Event.Supersedes == "" {
		return false
	}
	_, ok := x.byID[en.Event.Supersedes]
	return !ok
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func keySet[V any](m map[string]V) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}
