package query

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"

	"storyline/events"
	"storyline/projections"
)

// Save writes every event the engine holds, with its sequence, as JSON
// Lines: a checkpoint from which Load restores the same views without
// reading the stream again.
func (g *Engine) Save(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	fmt.Fprintf(bw, `{"last_seq":%d}`+"\n", g.x.LastSeq())
	for _, en := range g.x.All() {
		b, _ := projections.TimelineItem{Seq: en.Seq, Event: en.Event}.MarshalJSON()
		bw.Write(b)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// Load fills an empty engine from a checkpoint written by Save. Every line
// is decoded strictly, as an import is.
func (g *Engine) Load(r io.Reader) error {
	if g.x.Len() > 0 {
		return fmt.Errorf("load checkpoint: engine not empty")
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), events.MaxLineBytes+64)
	var head struct {
		LastSeq uint64 `json:"last_seq"`
	}
	if !sc.Scan() {
		return fmt.Errorf("load checkpoint: empty")
	}
	if err := json.Unmarshal(sc.Bytes(), &head); err != nil {
		return fmt.Errorf("load checkpoint header: %w", err)
	}
	line := 1
	for sc.Scan() {
		line++
		var seq struct {
			Seq uint64 `json:"seq"`
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
		raw, _ := json.Marshal(m)
		e, err := events.Decode(raw)
		if err != nil {
			return fmt.Errorf("load checkpoint line %d: %w", line, err)
		}
		g.x.Add(seq.Seq, &e)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("load checkpoint: %w", err)
	}
	g.x.Add(head.LastSeq, nil)
	return nil
}

// Reset empties the engine.
func (g *Engine) Reset() { g.x = projections.NewIndex() }
