package projections

import (
	"slices"

	"storyline/events"
)

// Errata are the archive's corrections of its own records, as opposed to
// a source correcting itself (supersedes). An event with erratum: X
// replaces the record X as if X had been written so: X counts at no
// knowledge time, the erratum counts by its own clocks, and whatever
// names X (a correction, a resolution, a relay) names the erratum. Of
// several errata of X the last stored stands and the others are withdrawn
// with X. A record.withdrawn naming X takes X, and every erratum of it,
// out of every view. Only the recorded clock (a question about the archive
// as it stood before the erratum was stored) still sees X.

// addErrata records what en withdraws or replaces, and applies the errata
// and withdrawals that arrived before en itself.
func (x *Index) addErrata(en *Entry) {
	e := en.Event
	if e.Erratum != "" {
		x.errata[e.Erratum] = insertBySeq(x.errata[e.Erratum], en)
		x.rewithdraw(e.Erratum)
	}
	if w, ok := e.Data.(*events.Withdrawal); ok {
		x.withdrawals[w.Event] = insertBySeq(x.withdrawals[w.Event], en)
		x.rewithdraw(w.Event)
	}
	if len(x.errata[e.ID]) > 0 || len(x.withdrawals[e.ID]) > 0 {
		x.rewithdraw(e.ID)
	}
}

func insertBySeq(list []*Entry, en *Entry) []*Entry {
	i, _ := slices.BinarySearchFunc(list, en, func(a, b *Entry) int { return foldSeqCmp(a, b) })
	return slices.Insert(list, i, en)
}

func foldSeqCmp(a, b *Entry) int {
	switch {
	case a.Seq < b.Seq:
		return -1
	case a.Seq > b.Seq:
		return 1
	}
	return foldCmp(a, b)
}

// rewithdraw recomputes whether the record id and its errata are
// withdrawn, and re-links the corrections that now stand for it. A change
// to a withdrawal or an erratum recomputes what it names in turn (a
// withdrawal of a withdrawal restores the record); depth bounds a cycle
// of withdrawals naming each other.
func (x *Index) rewithdraw(id string) {
	if x.depth > 64 {
		return
	}
	x.depth++
	defer func() { x.depth-- }()
	if en, ok := x.byID[id]; ok {
		x.setWithdrawn(en)
	}
	for _, er := range x.errata[id] {
		x.setWithdrawn(er)
	}
	x.relink(id)
}

// live reports whether any of list is not withdrawn.
func live(list []*Entry) bool {
	for _, en := range list {
		if !en.withdrawn {
			return true
		}
	}
	return false
}

// lastLive is the last of list that is not withdrawn, or nil.
func lastLive(list []*Entry) *Entry {
	for i := len(list) - 1; i >= 0; i-- {
		if !list[i].withdrawn {
			return list[i]
		}
	}
	return nil
}

// withdrawnNow reports whether en is withdrawn: by a record.withdrawn, by
// an erratum of its own, or as an erratum that a later one, or a
// withdrawal of what it replaces, overrides. Withdrawn withdrawals and
// errata count for nothing.
func (x *Index) withdrawnNow(en *Entry) bool {
	id := en.Event.ID
	if live(x.withdrawals[id]) || live(x.errata[id]) {
		return true
	}
	if of := en.Event.Erratum; of != "" {
		if live(x.withdrawals[of]) {
			return true
		}
		for _, later := range x.errata[of] {
			if later.Seq > en.Seq && !later.withdrawn {
				return true
			}
		}
	}
	return false
}

func (x *Index) setWithdrawn(en *Entry) {
	w := x.withdrawnNow(en)
	if w == en.withdrawn {
		return
	}
	en.withdrawn = w
	x.stale(en)
	if sup := en.Event.Supersedes; sup != "" {
		x.relink(sup)
	}
	if d, ok := en.Event.Data.(*events.Withdrawal); ok {
		x.rewithdraw(d.Event)
	}
	if of := en.Event.Erratum; of != "" {
		x.rewithdraw(of)
	}
}

// standing returns the record that stands for id: the event itself, or
// the erratum (of an erratum...) that replaces it; nil if neither is
// held. It may be withdrawn.
func (x *Index) standing(id string) *Entry {
	en := x.byID[id]
	for i := 0; i < 64; i++ {
		er := lastLive(x.errata[id])
		if er == nil {
			if en == nil && len(x.errata[id]) > 0 {
				en = x.errata[id][len(x.errata[id])-1]
			}
			break
		}
		en = er
		id = en.Event.ID
	}
	return en
}

// Standing is [Index.standing] for callers outside the package: the record
// that stands for id after every erratum, false if none is held.
func (x *Index) Standing(id string) (*Entry, bool) {
	en := x.standing(id)
	return en, en != nil
}
