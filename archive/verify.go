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
	// Quarantined counts the records the views leave out (see package
	// quarantine), by class. Junk another client published is not damage:
	// the archive still holds exactly what was written to it.
	Quarantined uint64
	ByClass     map[quarantine.Class]uint64
}

// OK reports whether nothing was found wrong.
func (r VerifyReport) OK() bool { return r.FirstBad == 0 }

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
	saved, herr := a.loadHead()
	if herr == nil {
		rep.HeadSeq = saved.Seq
	} else if !errors.Is(herr, os.ErrNotExist) {
		return rep, herr
	}
	bad := func(seq uint64, format string, args ...any) {
		if rep.FirstBad == 0 {
			rep.FirstBad, rep.Problem = seq, fmt.Sprintf(format, args...)
		}
	}
	var prev uint64
	chain := ""
	screen := quarantine.New()
	rep.ByClass = map[quarantine.Class]uint64{}
	err = a.Records(ctx, 1, func(r Record) error {
		rep.Records++
		sr := quarantine.Record{Seq: r.Seq, Subject: r.Subject, Data: r.Data, Err: r.Err}
		if r.Err == nil {
			sr.Event = &r.Event // the screen keeps no pointer into it
		}
		if q := screen.Check(sr); q != nil {
			rep.Quarantined++
			rep.ByClass[q.Class]++
		}
		if r.Seq != prev+1 {
			bad(prev+1, "records %d to %d are missing (the stream jumps from %d to %d)", prev+1, r.Seq-1, prev, r.Seq)
		}
		prev = r.Seq
		switch {
		case r.Chain == "":
			rep.Foreign++
		case r.Chain != Chain(chain, r.Data):
			bad(r.Seq, "hash chain broken: the record does not match its Story-Chain header")
			chain = r.Chain
		default:
			chain = r.Chain
		}
		if r.Chain != "" && r.Err != nil {
			bad(r.Seq, "payload does not decode: %v", r.Err)
		} else if r.Chain != "" && r.Err == nil && Subject(&r.Event) != r.Subject {
			bad(r.Seq, "stored on %s, but the event belongs on %s", r.Subject, Subject(&r.Event))
		}
		if r.Seq == saved.Seq && saved.Chain != "" && r.Chain != saved.Chain {
			bad(r.Seq, "chain value differs from the one recorded when it was written")
		}
		if progress != nil && rep.Records%10000 == 0 {
			progress(int(rep.Records), int(info.LastSeq))
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	rep.Chain = chain
	if prev < info.LastSeq {
		bad(prev+1, "records %d to %d could not be read", prev+1, info.LastSeq)
	}
	if rep.HeadSeq > info.LastSeq {
		bad(info.LastSeq+1, "the stream ends at seq %d, but this machine stored events up to seq %d: %d records lost (truncated tail or damaged block file)",
			info.LastSeq, rep.HeadSeq, rep.HeadSeq-info.LastSeq)
	}
	if info.FirstSeq > 1 && rep.Records > 0 {
		bad(1, "the stream starts at seq %d: earlier records are gone", info.FirstSeq)
	}
	if rep.FirstBad != 0 {
		return rep, fmt.Errorf("%w: first bad sequence %d: %s", ErrCorrupt, rep.FirstBad, rep.Problem)
	}
	return rep, nil
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
