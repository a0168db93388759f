package events

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"reflect"
	"sync"
	"time"
)

// The binary form of an event is what a snapshot of the views holds
// (package snapshot): the decoded event written back without a word of
// JSON, read back without validation, because only Storyline writes it and
// only from events a strict [Decode] accepted. It is not an exchange
// format: the canonical JSON is. A snapshot also records [BinaryLayout], so
// that one written by another build whose event structs differ is
// refused, never misread.
//
// Strings are written once per run of records (a [BinaryWriter] between
// two Resets): a string seen before is a back-reference, an id is 16
// bytes. Numbers are varints, times Unix seconds, nanoseconds and the UTC
// offset they were written with.

// ErrBinary: bytes that are not the binary form of an event (damaged, or
// cut short).
var ErrBinary = errors.New("events: not a binary event")

// String headers: the low two bits say what follows.
const (
	strLiteral = 0 // the length (header >> 2), then the bytes
	strUUID    = 1 // 16 bytes of a lowercase canonical UUID
	strRef     = 2 // an earlier string of the run, by number (header >> 2)

	// dictMaxLen bounds the strings remembered for back-references, and
	// dictMaxEntries how many are, so a run of odd data costs bounded
	// memory to write.
	dictMaxLen     = 64
	dictMaxEntries = 1 << 20
)

// fieldKind is how one field of a payload (or of Source) is written.
type fieldKind uint8

const (
	kString fieldKind = iota
	kStrings
	kBool
	kInt
	kFloat
)

// plan lists a struct's fields in declaration order with their kinds.
type plan []fieldKind

var (
	sourcePlan = planOf(reflect.TypeFor[Source]())
	dataPlans  = func() map[Type]plan {
		m := map[Type]plan{}
		for _, t := range Types {
			m[t] = planOf(reflect.TypeOf(newData(t)).Elem())
		}
		return m
	}()
)

// planOf is the plan of struct type t. A field of a kind the binary form
// cannot hold is a programming error, caught by any test.
func planOf(t reflect.Type) plan {
	var p plan
	for i := range t.NumField() {
		f := t.Field(i)
		switch {
		case f.Type.Kind() == reflect.String:
			p = append(p, kString)
		case f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.String:
			p = append(p, kStrings)
		case f.Type.Kind() == reflect.Bool:
			p = append(p, kBool)
		case f.Type.Kind() == reflect.Int || f.Type.Kind() == reflect.Int64:
			p = append(p, kInt)
		case f.Type.Kind() == reflect.Float64:
			p = append(p, kFloat)
		default:
			panic(fmt.Sprintf("events: binary form: %s.%s is a %s", t.Name(), f.Name, f.Type))
		}
	}
	return p
}

// BinaryLayout fingerprints the binary form: the envelope's version and
// every payload's fields, names and kinds. A build whose event structs
// differ has another layout.
var BinaryLayout = func() string {
	h := fnv.New64a()
	describe := func(name string, t reflect.Type) {
		fmt.Fprintf(h, "%s{", name)
		for i := range t.NumField() {
			fmt.Fprintf(h, "%s:%s;", t.Field(i).Name, t.Field(i).Type)
		}
		fmt.Fprint(h, "}")
	}
	fmt.Fprint(h, "envelope 1:")
	describe("source", reflect.TypeFor[Source]())
	for _, t := range Types {
		describe(string(t), reflect.TypeOf(newData(t)).Elem())
	}
	return hex.EncodeToString(h.Sum(nil))
}()

// BinaryWriter appends events (and the strings of a container around
// them) in the binary form. Readers must read a run from the writer's
// last Reset on.
type BinaryWriter struct {
	dict map[string]uint32
}

// Reset starts a new run: no back-reference reaches before it.
func (w *BinaryWriter) Reset() { clear(w.dict) }

// AppendString appends s.
func (w *BinaryWriter) AppendString(b []byte, s string) []byte {
	if i, ok := w.dict[s]; ok {
		return binary.AppendUvarint(b, uint64(i)<<2|strRef)
	}
	if s != "" && len(s) <= dictMaxLen && len(w.dict) < dictMaxEntries {
		if w.dict == nil {
			w.dict = map[string]uint32{}
		}
		w.dict[s] = uint32(len(w.dict))
	}
	if id, ok := uuidBytes(s); ok {
		return append(append(b, strUUID), id[:]...)
	}
	b = binary.AppendUvarint(b, uint64(len(s))<<2|strLiteral)
	return append(b, s...)
}

// appendStrings appends a list, telling nil from empty.
func (w *BinaryWriter) appendStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(ss))+1)
	for _, s := range ss {
		b = w.AppendString(b, s)
	}
	return b
}

// AppendEvent appends e.
func (w *BinaryWriter) AppendEvent(b []byte, e *Event) []byte {
	b = w.AppendString(b, e.ID)
	b = w.AppendString(b, e.Key)
	b = w.AppendString(b, string(e.Type))
	b = appendTime(b, e.OccurredAt)
	b = w.AppendString(b, string(e.Precision))
	b = appendTime(b, e.ReportedAt)
	var flags byte
	if e.Scheduled {
		flags |= 1
	}
	if e.idGiven {
		flags |= 2
	}
	if e.Data != nil {
		flags |= 4
	}
	b = append(b, flags)
	b = w.appendFields(b, reflect.ValueOf(&e.Source).Elem(), sourcePlan)
	if e.Data != nil {
		b = w.appendFields(b, reflect.ValueOf(e.Data).Elem(), dataPlans[e.Data.Type()])
	}
	b = w.AppendString(b, e.Quote)
	b = w.AppendString(b, e.Supersedes)
	b = w.AppendString(b, e.Erratum)
	return w.appendStrings(b, e.Stories)
}

func (w *BinaryWriter) appendFields(b []byte, v reflect.Value, p plan) []byte {
	for i, k := range p {
		f := v.Field(i)
		switch k {
		case kString:
			b = w.AppendString(b, f.String())
		case kStrings:
			b = w.appendStrings(b, *f.Addr().Interface().(*[]string))
		case kBool:
			b = append(b, boolByte(f.Bool()))
		case kInt:
			b = binary.AppendVarint(b, f.Int())
		case kFloat:
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(f.Float()))
		}
	}
	return b
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// appendTime appends t's instant and its zone: 0 for UTC, else the UTC
// offset in seconds (zigzag) plus one.
func appendTime(b []byte, t time.Time) []byte {
	b = binary.AppendVarint(b, t.Unix())
	b = binary.AppendUvarint(b, uint64(t.Nanosecond()))
	if t.Location() == time.UTC {
		return append(b, 0)
	}
	_, off := t.Zone()
	return binary.AppendUvarint(b, zigzag(int64(off))+1)
}

func zigzag(v int64) uint64 { return uint64(v<<1) ^ uint64(v>>63) }

// uuidBytes returns s's 16 bytes when s is a UUID written as Storyline
// stores ids: canonical, lowercase.
func uuidBytes(s string) (id [16]byte, ok bool) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return id, false
	}
	j := 0
	for i := 0; i < 36; i += 2 {
		if s[i] == '-' {
			i--
			continue
		}
		hi, lo := unhex(s[i]), unhex(s[i+1])
		if hi > 15 || lo > 15 {
			return id, false
		}
		id[j] = hi<<4 | lo
		j++
	}
	return id, true
}

// unhex is the value of a lowercase hex digit; 255 for anything else.
func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return 255
}

// BinaryReader reads what a BinaryWriter wrote. Its first error sticks:
// every read after it returns a zero value, and Err reports it.
type BinaryReader struct {
	b    []byte
	dict []string
	err  error
}

// Reset reads a new run from b.
func (r *BinaryReader) Reset(b []byte) {
	r.b, r.dict, r.err = b, r.dict[:0], nil
}

// Err is the first error met.
func (r *BinaryReader) Err() error { return r.err }

// Len is how many bytes are left.
func (r *BinaryReader) Len() int { return len(r.b) }

func (r *BinaryReader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s", ErrBinary, what)
	}
	r.b = nil
}

// Byte reads one byte.
func (r *BinaryReader) Byte() byte {
	if len(r.b) == 0 {
		r.fail("cut short")
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// Uvarint reads an unsigned varint.
func (r *BinaryReader) Uvarint() uint64 { return readVarint(r, binary.Uvarint) }

// Varint reads a signed varint.
func (r *BinaryReader) Varint() int64 { return readVarint(r, binary.Varint) }

func readVarint[T uint64 | int64](r *BinaryReader, read func([]byte) (T, int)) T {
	v, n := read(r.b)
	if n <= 0 {
		r.fail("bad varint")
		return 0
	}
	r.b = r.b[n:]
	return v
}

// String reads a string.
func (r *BinaryReader) String() string {
	h := r.Uvarint()
	switch h & 3 {
	case strRef:
		if h>>2 >= uint64(len(r.dict)) {
			r.fail("a back-reference to no string")
			return ""
		}
		return r.dict[h>>2]
	case strUUID:
		if h != strUUID || len(r.b) < 16 {
			r.fail("bad id")
			return ""
		}
		s := uuidString(r.b[:16])
		r.b = r.b[16:]
		return r.remember(s)
	case strLiteral:
		if h>>2 > uint64(len(r.b)) {
			r.fail("a string longer than what is left")
			return ""
		}
		s := string(r.b[:h>>2])
		r.b = r.b[h>>2:]
		return r.remember(s)
	}
	r.fail("bad string header")
	return ""
}

// remember keeps s for back-references as the writer did.
func (r *BinaryReader) remember(s string) string {
	if s != "" && len(s) <= dictMaxLen && len(r.dict) < dictMaxEntries {
		r.dict = append(r.dict, s)
	}
	return s
}

func uuidString(b []byte) string {
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// strings reads a list, nil when it was written nil.
func (r *BinaryReader) strings() []string {
	n := r.Uvarint()
	if n == 0 {
		return nil
	}
	// Each string takes a byte at least: a count beyond what is left is
	// damage, not a reason to allocate.
	if n-1 > uint64(len(r.b)) {
		r.fail("a list longer than what is left")
		return nil
	}
	ss := make([]string, n-1)
	for i := range ss {
		ss[i] = r.String()
	}
	return ss
}

// Event reads an event.
func (r *BinaryReader) Event() *Event {
	e := &Event{ID: r.String(), Key: r.String(), Type: Type(r.String())}
	e.OccurredAt = r.time()
	e.Precision = Precision(r.String())
	e.ReportedAt = r.time()
	flags := r.Byte()
	e.Scheduled, e.idGiven = flags&1 != 0, flags&2 != 0
	r.fields(reflect.ValueOf(&e.Source).Elem(), sourcePlan)
	if flags&4 != 0 {
		p, known := dataPlans[e.Type]
		if !known {
			r.fail(fmt.Sprintf("unknown type %q", e.Type))
			return e
		}
		e.Data = newData(e.Type)
		r.fields(reflect.ValueOf(e.Data).Elem(), p)
	}
	e.Quote, e.Supersedes, e.Erratum = r.String(), r.String(), r.String()
	e.Stories = r.strings()
	return e
}

func (r *BinaryReader) fields(v reflect.Value, p plan) {
	for i, k := range p {
		f := v.Field(i)
		switch k {
		case kString:
			f.SetString(r.String())
		case kStrings:
			*f.Addr().Interface().(*[]string) = r.strings()
		case kBool:
			f.SetBool(r.Byte() != 0)
		case kInt:
			f.SetInt(r.Varint())
		case kFloat:
			if len(r.b) < 8 {
				r.fail("cut short")
				return
			}
			f.SetFloat(math.Float64frombits(binary.LittleEndian.Uint64(r.b)))
			r.b = r.b[8:]
		}
	}
}

// time reads a time as appendTime wrote it, in the zone a strict decode
// of its RFC 3339 text gives: UTC for "Z", the local zone when it has that
// offset then, else a zone of that fixed offset.
func (r *BinaryReader) time() time.Time {
	sec, nsec, z := r.Varint(), r.Uvarint(), r.Uvarint()
	if nsec >= 1e9 {
		r.fail("bad time")
		return time.Time{}
	}
	t := time.Unix(sec, int64(nsec))
	if z == 0 {
		return t.UTC()
	}
	off := int64((z-1)>>1) ^ -int64((z-1)&1)
	if _, local := t.Zone(); int64(local) == off {
		return t
	}
	return t.In(fixedZone(int(off)))
}

// zones holds one location per fixed offset met, shared by every time
// read with it.
var zones sync.Map // int -> *time.Location

func fixedZone(off int) *time.Location {
	if l, ok := zones.Load(off); ok {
		return l.(*time.Location)
	}
	l, _ := zones.LoadOrStore(off, time.FixedZone("", off))
	return l.(*time.Location)
}
