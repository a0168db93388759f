package replay

import (
	"context"
	"time"
)

// Pacer spaces out a replay by the story's own clock: Speed story-seconds
// per wall-clock second. It never looks at when the archive stored an event
// (JetStream's original-replay policy paces by that, which is not the
// story's time).
type Pacer struct {
	// Speed is story-seconds per second; 0 or less means no waiting.
	Speed float64
	// MaxWait caps one wait, so years between two background facts do not
	// stall a replay. Zero means no cap.
	MaxWait time.Duration
	// Step, when set, is called instead of waiting; it returns when the
	// user asks for the next event (Enter).
	Step func(ctx context.Context) error
	// Sleep waits d or until ctx ends; nil is a real timer. A test gives
	// its own to see the waits without sleeping.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Wait blocks for the wall-clock time that corresponds to the story moving
// from prev to next, or until ctx ends.
func (p *Pacer) Wait(ctx context.Context, prev, next time.Time) error {
	if p.Step != nil {
		return p.Step(ctx)
	}
	if p.Speed <= 0 || !next.After(prev) {
		return ctx.Err()
	}
	d := time.Duration(float64(next.Sub(prev)) / p.Speed)
	if p.MaxWait > 0 && d > p.MaxWait {
		d = p.MaxWait
	}
	if p.Sleep != nil {
		return p.Sleep(ctx, d)
	}
	return sleep(ctx, d)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Run shows each of moments in order, pacing between them. The pace runs
// from from (when set) to until (when set), so that the quiet time before
// the first event and after the last one is told too: at 3600 story-seconds
// per second a day takes 24 s however its events fall. With Step, the user
// paces each event instead, and the window's ends add nothing.
func (p *Pacer) Run(ctx context.Context, from, until time.Time, moments []time.Time, show func(i int) error) error {
	prev := from
	for i, t := range moments {
		if i > 0 || !from.IsZero() && p.Step == nil {
			if err := p.Wait(ctx, prev, t); err != nil {
				return err
			}
		}
		prev = t
		if err := show(i); err != nil {
			return err
		}
	}
	if !until.IsZero() && p.Step == nil && len(moments) > 0 {
		return p.Wait(ctx, prev, until)
	}
	return nil
}

// Play shows lines in order with show, paced by their moments on the
// clock by, as [Pacer.Run] does.
func (p *Pacer) Play(ctx context.Context, by Clock, from, until time.Time, lines []Line, show func(i int) error) error {
	moments := make([]time.Time, len(lines))
	for i, l := range lines {
		moments[i] = l.At(by)
	}
	return p.Run(ctx, from, until, moments, show)
}

// SpeedFor returns the speed at which a replay of events at times takes
// about budget, each wait capped at maxWait, so a story of any span plays
// in a set time. It returns 0 (no waiting) when the times span nothing.
func SpeedFor(times []time.Time, budget, maxWait time.Duration) float64 {
	total := func(speed float64) time.Duration {
		var sum time.Duration
		for i := 1; i < len(times); i++ {
			d := time.Duration(float64(times[i].Sub(times[i-1])) / speed)
			if d < 0 {
				d = 0
			}
			if maxWait > 0 && d > maxWait {
				d = maxWait
			}
			sum += d
		}
		return sum
	}
	lo, hi := 1e-3, 1e12
	switch {
	case total(lo) == 0:
		return 0
	case total(lo) <= budget:
		return lo // even the slowest pace fits: every gap waits its cap
	}
	for i := 0; i < 200 && hi/lo > 1.0001; i++ {
		mid := (lo + hi) / 2
		if total(mid) > budget {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}
