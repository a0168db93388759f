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
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
