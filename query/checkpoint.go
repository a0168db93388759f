package query

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"storyline/events"
	"storyline/projections"
	"storyline/quarantine"
)

// checkpointVersion changes whenever what a checkpoint holds changes, so
// that an older one is rebuilt from the stream rather than trusted.
// Version 2 added the quarantine list (version 1 had no version field),
// version 3 each event's recorded time.
const checkpointVersion = 3

type checkpointHeader struct {
	Version     int    `json:"version"`
	LastSeq     uint64 `json:"last_seq"`
	Quarantined int    `json:"quarantined"`
}

// Save writes everything the engine holds as JSON Lines — a header, the
// quarantined records, then every event with its sequence: a checkpoint
// from which Load restores the same views without reading the stream
// again.
func (g *Engine) Save(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	h, err := json.Marshal(checkpointHeader{Version: checkpointVersion, LastSeq: g.x.LastSeq(), Quarantined: len(g.quarantined)})
	if err != nil {
		return fmt.Errorf("save checkpoint header: %w", err)
	}
	if err := writeLine(bw, h); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	for _, q := range g.quarantined {
		b, err := jsonMarshal(q)
		if err == nil {
			err = writeLine(bw, b)
		}
		if err != nil {
			return fmt.Errorf("save checkpoint: quarantined seq %d: %w", q.Seq, err)
		}
	}
	for _, en := range g.x.All() {
		b, err := projections.TimelineItem{Seq: en.Seq, Event: en.Event}.MarshalJSON()
		if err != nil {
			return fmt.Errorf("save checkpoint: seq %d: %w", en.Seq, err)
		}
		if rec := en.Recorded(); !rec.IsZero() {
			b = append(b[:len(b)-1], fmt.Sprintf(`,"recorded":%d}`, rec.UnixNano())...)
		}
		if err := writeLine(bw, b); err != nil {
			return fmt.Errorf("save checkpoint: seq %d: %w", en.Seq, err)
		}
	}
	return bw.Flush()
}

// writeLine writes b and a newline.
func writeLine(w *bufio.Writer, b []byte) error {
	if _, err := w.Write(b); err != nil {
		return err
	}
	return w.WriteByte('\n')
}

// Load fills an empty engine from a checkpoint written by Save. Every line
// is decoded strictly, as an import is. A checkpoint of another version is
// refused, and the caller rebuilds from the stream.
func (g *Engine) Load(r io.Reader) error {
	if g.x.Len() > 0 || len(g.quarantined) > 0 {
		return fmt.Errorf("load checkpoint: engine not empty")
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), events.MaxLineBytes+64)
	var head checkpointHeader
	if !sc.Scan() {
		return fmt.Errorf("load checkpoint: empty")
	}
	if err := json.Unmarshal(sc.Bytes(), &head); err != nil {
		return fmt.Errorf("load checkpoint header: %w", err)
	}
	if head.Version != checkpointVersion {
		return fmt.Errorf("load checkpoint: version %d, want %d", head.Version, checkpointVersion)
	}
	line := 1
	for range head.Quarantined {
		line++
		if !sc.Scan() {
			return fmt.Errorf("load checkpoint line %d: %d quarantined records announced, %d found", line, head.Quarantined, len(g.quarantined))
		}
		var q quarantine.Entry
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			return fmt.Errorf("load checkpoint line %d: %w", line, err)
		}
		g.quarantined = append(g.quarantined, q)
	}
	slices.SortFunc(g.quarantined, func(a, b quarantine.Entry) int { return cmp.Compare(a.Seq, b.Seq) })
	var evs []loaded
	for sc.Scan() {
		line++
		l, err := loadEvent(sc.Bytes())
		if err != nil {
			return fmt.Errorf("load checkpoint line %d: %w", line, err)
		}
		g.x.AddRecorded(l.seq, l.e, l.rec)
		g.file(l.e)
		evs = append(evs, l)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("load checkpoint: %w", err)
	}
	// The screen looks admitted events up in the index, so it can pick up
	// the corrections of events not stored only once all are in.
	for _, l := range evs {
		g.screen.Restore(l.seq, l.e)
	}
	// The recorded clock is in stream order, the events above in fold order.
	slices.SortFunc(evs, func(a, b loaded) int { return cmp.Compare(a.seq, b.seq) })
	for _, l := range evs {
		g.noteRecorded(l.seq, l.rec)
	}
	g.x.Add(head.LastSeq, nil)
	return nil
}

// loaded is an event of a checkpoint, with its sequence and recorded time.
type loaded struct {
	seq uint64
	e   *events.Event
	rec time.Time
}

// loadEvent reads one event line of a checkpoint: the event format plus
// seq, summary and recorded, which are stripped (and nothing else) to
// decode the event strictly.
func loadEvent(b []byte) (loaded, error) {
	var extra struct {
		Seq      uint64 `json:"seq"`
		Recorded int64  `json:"recorded"`
	}
	if err := json.Unmarshal(b, &extra); err != nil {
		return loaded{}, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return loaded{}, err
	}
	delete(m, "seq")
	delete(m, "summary")
	delete(m, "recorded")
	raw, err := json.Marshal(m)
	if err != nil {
		return loaded{}, err
	}
	e, err := events.Decode(raw)
	if err != nil {
		return loaded{}, err
	}
	l := loaded{seq: extra.Seq, e: &e}
	if extra.Recorded != 0 {
		l.rec = time.Unix(0, extra.Recorded)
	}
	return l, nil
}
