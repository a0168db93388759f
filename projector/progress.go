package projector

import (
	"fmt"
	"time"
)

// The phases of a rebuild, as Progress names them.
const (
	PhaseSnapshot = "snapshot" // loading a snapshot
	PhaseStream   = "stream"   // folding the stream's records
)

// showAfter is how long a phase runs before its progress is shown: a
// short one shows none.
const showAfter = 2 * time.Second

// Progress is how far a phase of a rebuild got.
type Progress struct {
	Phase       string
	Done, Total int // records
	Elapsed     time.Duration
	Rate        float64       // records per second so far
	ETA         time.Duration // at that rate
	Final       bool          // the phase's last report
}

// String is the progress as one line: "rebuilding the views from the
// stream: 40000/100000 events, 38000 events/s, 2s left".
func (p Progress) String() string {
	what := map[string]string{PhaseSnapshot: "loading the views' snapshot", PhaseStream: "rebuilding the views from the stream"}[p.Phase]
	if p.Final {
		return fmt.Sprintf("%s: %d events in %.1fs, %.0f events/s", what, p.Done, p.Elapsed.Seconds(), p.Rate)
	}
	return fmt.Sprintf("%s: %d/%d events, %.0f events/s, %s left", what, p.Done, p.Total, p.Rate, p.ETA.Round(time.Second))
}

// meter times a phase and reports its progress.
type meter struct {
	p      *Projector
	phase  string
	start  time.Time
	last   time.Time // of the last report; zero: none yet
	done   int
	total  int
	report func(Progress)
}

func (p *Projector) meter(phase string) *meter {
	return &meter{p: p, phase: phase, start: time.Now(), report: p.cfg.Progress}
}

// tell records that done of total records are in, and reports it when it
// is time.
func (m *meter) tell(done, total int) {
	m.done, m.total = done, max(total, done)
	if m.report == nil {
		return
	}
	now := time.Now()
	if now.Sub(m.start) < showAfter || !m.last.IsZero() && now.Sub(m.last) < m.p.cfg.ProgressEvery {
		return
	}
	m.last = now
	m.report(m.progress(now, false))
}

// end reports the phase's end, if its progress was shown.
func (m *meter) end() {
	if m.report != nil && !m.last.IsZero() {
		m.report(m.progress(time.Now(), true))
	}
}

func (m *meter) progress(now time.Time, final bool) Progress {
	p := Progress{Phase: m.phase, Done: m.done, Total: m.total, Elapsed: now.Sub(m.start), Final: final}
	if s := p.Elapsed.Seconds(); s > 0 {
		p.Rate = float64(m.done) / s
	}
	if p.Rate > 0 {
		p.ETA = time.Duration(float64(m.total-m.done) / p.Rate * float64(time.Second))
	}
	return p
}
