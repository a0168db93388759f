package projections

import (
	"slices"
	"sync"
)

// listing is every entry in one order (fold or reported), sorted when a
// question first reads it after Add: a one-shot question that reads no
// listing does not sort a million entries. Questions may read it at once;
// Add runs alone.
type listing struct {
	mu   sync.Mutex
	cmp  func(a, b *Entry) int
	es   []*Entry
	tail []*Entry // added since the last read, any order
}

func (l *listing) add(en *Entry) { l.tail = append(l.tail, en) }

// get returns the entries in order. The slice is the listing's own.
func (l *listing) get() []*Entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.tail) == 0 {
		return l.es
	}
	slices.SortFunc(l.tail, l.cmp)
	l.es, l.tail = absorb(l.es, l.tail, l.cmp)
	return l.es
}

// absorb merges the sorted tail into es and returns both, the tail
// emptied. The first tail becomes es itself, and a large tail is let go
// rather than kept for the next few entries: a restore's tail holds every
// entry, and keeping its array would hold the list twice.
func absorb(es, tail []*Entry, cmp func(a, b *Entry) int) ([]*Entry, []*Entry) {
	switch n := len(es); {
	case n == 0 && cap(tail)-len(tail) > len(tail)/4:
		return slices.Clone(tail), nil // not the room Grow made for more
	case n == 0:
		return tail, nil
	case cmp(es[n-1], tail[0]) < 0:
		es = append(es, tail...)
	default:
		es = merge(es, tail, cmp)
	}
	if cap(tail) > keptTail {
		return es, nil
	}
	return es, tail[:0]
}

// keptTail is the capacity of a tail kept for reuse after a merge.
const keptTail = 1024

// merge returns the sorted a and b merged in one new slice.
func merge(a, b []*Entry, cmp func(a, b *Entry) int) []*Entry {
	out := make([]*Entry, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if cmp(a[0], b[0]) <= 0 {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return append(append(out, a...), b...)
}
