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
	h, _ := json.Marshal(checkpointHeader{Version: checkpointVersion, LastSeq: g.x.LastSeq(), Quarantined: len(g.quarantined)})
	bw.Write(h)
	bw.WriteByte('\n')
	for _, q := range g.quarantined {
		b, err := jsonMarshal(q)
		if err != nil {
			return fmt.Errorf("save checkpoint: quarantined seq %d: %w", q.Seq, err)
		}
		bw.Write(b)
		bw.WriteByte('\n')
	}
	for _, en := range g.x.All() {
		b, err := projections.TimelineItem{Seq: en.Seq, Event: en.Event}.MarshalJSON()
		if err != nil {
			return fmt.Errorf("save checkpoint: seq %d: %w", en.Seq, err)
		}
		if rec := en.Recorded(); !rec.IsZero() {
			b = append(b[:len(b)-1], fmt.Sprintf(`,"recorded":%d}`, rec.UnixNano())...)
		}
		bw.Write(b)
		bw.WriteByte('\n')
	}
	return bw.Flush()
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
	type loaded struct {
		seq uint64
		e   *events.Event
		rec time.Time
	}
	var evs []loaded
	for sc.Scan() {
		line++
		var seq struct {
			Seq      uint64 `json:"seq"`
			Recorded int64  `json:"recorded"`
		}
		b := sc.Bytes()
		if err := json.Unmarshal(b, &seq); err != nil {
			return fmt.Errorf("load checkpoint line %d: %w", line, err)
		}
		// Strip seq (and nothing else) to get the event back.
		var m map[string]json.RawMessage
		json.Unmarshal(b, &m)
		delete(m, "seq")
		delete(m, "summary")
		delete(m, "recorded")
		raw, _ := json.Marshal(m)
		e, err := events.Decode(raw)
		if err != nil {
			return fmt.Errorf("load checkpoint line %d: %w", line, err)
		}
		var rec time.Time
		if seq.Recorded != 0 {
			rec = time.Unix(0, seq.Recorded)
		}
		g.x.AddRecorded(seq.Seq, &e, rec)
		g.file(&e)
		evs = append(evs, loaded{seq.Seq, &e, rec})
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
