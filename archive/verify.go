package archive

import (
	"context"
	"errors"
	"fmt"
	"os"

	"storyline/quarantine"
)

// VerifyReport is what [Archive.Verify] found.
type VerifyReport struct {
	Records  uint64 // records read
	LastSeq  uint64 // the stream's last sequence
	Chain    string // chain value at the last record
	Foreign  uint64 // records without a chain header (not written by Storyline)
	HeadSeq  uint64 // the head this machine recorded (0: none)
	FirstBad uint64 // first bad sequence; 0 when the archive is sound
	Problem  string // what is wrong at FirstBad
	// Problems lists everything found wrong, in stream order (at most
	// MaxProblems; Truncated counts the rest).
	Problems  []Problem
	Truncated int
	// Quarantined counts the records the views leave out (see package
	// quarantine), by class. Junk another client published is not damage:
	// the archive still holds exactly what was written to it.
	Quarantined uint64
	ByClass     map[quarantine.Class]uint64
}

// OK reports whether nothing was found wrong.
func (r VerifyReport) OK() bool { return r.FirstBad == 0 }

// Problem is one thing found wrong with a stored archive.
type Problem struct {
	Seq  uint64 `json:"seq"`            // the (first) sequence concerned
	Last uint64 `json:"last,omitempty"` // the last, for a run of missing records
	What string `json:"problem"`
}

func (p Problem) String() string { return fmt.Sprintf("seq %d: %s", p.Seq, p.What) }

// MaxProblems bounds the problems a report lists: a badly damaged archive
// is described by its first problems and a count of the rest.
const MaxProblems = 1000

// checker follows records in stream order and notes what is wrong with
// them: a sequence missing, a broken hash chain, a record Storyline wrote
// (it has a Story-Chain header) that no longer decodes or sits on another
// subject, a record that differs from the head this machine recorded.
// Verify and Export both read through it, so they find the same damage.
type checker struct {
	saved     chainHead // the head this machine recorded
	prev      uint64    // last sequence seen
	chain     string    // chain value of the last chained record
	gap       bool      // records are missing since that chained record
	records   uint64
	foreign   uint64
	problems  []Problem
	truncated int
}

func (a *Archive) newChecker() (*checker, error) {
	saved, err := a.loadHead()
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	return &checker{saved: saved}, nil
}

func (c *checker) bad(p Problem) {
	if len(c.problems) >= MaxProblems {
		c.truncated++
		return
	}
	c.problems = append(c.problems, p)
}

// check looks at r, the record after the last one checked, and returns
// what it found wrong with it (or with the sequences before it).
func (c *checker) check(r Record) []Problem {
	before := len(c.problems) + c.truncated
	c.records++
	if r.Seq != c.prev+1 {
		c.bad(Problem{Seq: c.prev + 1, Last: r.Seq - 1, What: fmt.Sprintf("records %d to %d are missing (the stream jumps from %d to %d)", c.prev+1, r.Seq-1, c.prev, r.Seq)})
		c.gap = true
	}
	c.prev = r.Seq
	switch {
	case r.Chain == "":
		c.foreign++
	case !c.gap && r.Chain != Chain(c.chain, r.Data):
		c.bad(Problem{Seq: r.Seq, What: "hash chain broken: the record does not match its Story-Chain header"})
	}
	if r.Chain != "" {
		// After a gap the link cannot be checked (the record before it
		// is gone); the chain goes on from this record's own value.
		c.chain, c.gap = r.Chain, false
	}
	if r.Chain != "" && r.Err != nil {
		c.bad(Problem{Seq: r.Seq, What: fmt.Sprintf("payload does not decode: %v", r.Err)})
	} else if r.Chain != "" && Subject(&r.Event) != r.Subject {
		c.bad(Problem{Seq: r.Seq, What: fmt.Sprintf("stored on %s, but the event belongs on %s", r.Subject, Subject(&r.Event))})
	}
	if r.Seq == c.saved.Seq && c.saved.Chain != "" && r.Chain != c.saved.Chain {
		c.bad(Problem{Seq: r.Seq, What: "chain value differs from the one recorded when it was written"})
	}
	if n := len(c.problems); n > before && n <= MaxProblems {
		return c.problems[before:]
	}
	return nil
}

// finish checks the end of the read against the stream's state and the
// head this machine recorded.
func (c *checker) finish(info Info) {
	if c.prev < info.LastSeq {
		c.bad(Problem{Seq: c.prev + 1, Last: info.LastSeq, What: fmt.Sprintf("records %d to %d could not be read", c.prev+1, info.LastSeq)})
	}
	if c.saved.Seq > info.LastSeq {
		c.bad(Problem{Seq: info.LastSeq + 1, Last: c.saved.Seq, What: fmt.Sprintf(
			"the stream ends at seq %d, but this machine stored events up to seq %d: %d records lost (truncated tail or damaged block file)",
			info.LastSeq, c.saved.Seq, c.saved.Seq-info.LastSeq)})
	}
	if info.FirstSeq > 1 && c.records > 0 {
		c.bad(Problem{Seq: 1, Last: info.FirstSeq - 1, What: fmt.Sprintf("the stream starts at seq %d: earlier records are gone", info.FirstSeq)})
	}
}

// err is the ErrCorrupt error naming the first problem, or nil.
func (c *checker) err() error {
	if len(c.problems) == 0 {
		return nil
	}
	p := c.problems[0]
	return fmt.Errorf("%w: first bad sequence %d: %s", ErrCorrupt, p.Seq, p.What)
}

// Verify reads every record and checks that each one Storyline wrote (it
// has a Story-Chain header) decodes, sits on the subject its event belongs
// on and links to the previous one through the hash chain, and that no
// sequence is missing in the middle or at the end (against the head this
// machine last recorded). It returns an ErrCorrupt error naming the first
// bad sequence. Records written by other clients are screened as the views
// screen them; those the views quarantine are counted, not reported as
// damage.
func (a *Archive) Verify(ctx context.Context, progress Progress) (VerifyReport, error) {
	var rep VerifyReport
	info, err := a.Info(ctx)
	if err != nil {
		return rep, err
	}
	rep.LastSeq = info.LastSeq
	c, err := a.newChecker()
	if err != nil {
		return rep, err
	}
	rep.HeadSeq = c.saved.Seq
	screen := quarantine.New()
	rep.ByClass = map[quarantine.Class]uint64{}
	err = a.Records(ctx, 1, func(r Record) error {
		if q := screen.Check(r.forCheck()); q != nil {
			rep.Quarantined++
			rep.ByClass[q.Class]++
		}
		c.check(r)
		if progress != nil && c.records%10000 == 0 {
			progress(int(c.records), int(info.LastSeq))
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	c.finish(info)
	rep.Records, rep.Foreign, rep.Chain = c.records, c.foreign, c.chain
	rep.Problems, rep.Truncated = c.problems, c.truncated
	if len(c.problems) > 0 {
		rep.FirstBad, rep.Problem = c.problems[0].Seq, c.problems[0].What
	}
	return rep, c.err()
}

// forCheck is r as a screen that keeps no pointer into it takes it.
func (r *Record) forCheck() quarantine.Record {
	sr := quarantine.Record{Seq: r.Seq, Subject: r.Subject, Data: r.Data, Err: r.Err}
	if r.Err == nil {
		sr.Event = &r.Event
	}
	return sr
}

// ForScreen is r as the quarantine screen takes it. The event is a copy,
// so that whoever keeps it (a projection index keeps it for good) does not
// keep the record, payload and all, alive with it.
func (r *Record) ForScreen() quarantine.Record {
	q := quarantine.Record{Seq: r.Seq, Subject: r.Subject, Data: r.Data, Err: r.Err, Recorded: r.Recorded}
	if r.Err == nil {
		ev := r.Event
		q.Event = &ev
	}
	return q
}
