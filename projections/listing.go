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
	if n := len(l.es); n == 0 || l.cmp(l.es[n-1], l.tail[0]) < 0 {
		l.es = append(l.es, l.tail...)
	} else {
		l.es = merge(l.es, l.tail, l.cmp)
	}
	l.tail = l.tail[:0]
	return l.es
}

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
