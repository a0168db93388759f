package replay_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"storyline/replay"
)

func TestPacerWaitsByStoryTime(t *testing.T) {
	t0 := time.Date(2023, 11, 17, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		pacer   replay.Pacer
		gap     time.Duration
		elapsed time.Duration
	}{
		{"an hour at 3600x is a second", replay.Pacer{Speed: 3600}, time.Hour, time.Second},
		{"a day at 3600x is 24 s", replay.Pacer{Speed: 3600}, 24 * time.Hour, 24 * time.Second},
		{"a minute at 1x is a minute", replay.Pacer{Speed: 1}, time.Minute, time.Minute},
		{"a long gap is capped", replay.Pacer{Speed: 3600, MaxWait: 2 * time.Second}, 365 * 24 * time.Hour, 2 * time.Second},
		{"no speed, no wait", replay.Pacer{}, time.Hour, 0},
		{"events at the same moment, no wait", replay.Pacer{Speed: 10}, 0, 0},
		{"going back in time, no wait", replay.Pacer{Speed: 10}, -time.Hour, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				if err := tt.pacer.Wait(context.Background(), t0, t0.Add(tt.gap)); err != nil {
					t.Fatal(err)
				}
				if got := time.Since(start); got != tt.elapsed {
					t.Fatalf("waited %v, want %v", got, tt.elapsed)
				}
			})
		})
	}
}

func TestPacerStopsWithContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		p := replay.Pacer{Speed: 1}
		t0 := time.Now()
		start := time.Now()
		if err := p.Wait(ctx, t0, t0.Add(time.Hour)); err == nil {
			t.Fatal("wait did not report the cancelled context")
		}
		if got := time.Since(start); got != 5*time.Second {
			t.Fatalf("stopped after %v, want 5s", got)
		}
	})
}

func TestPacerStepWaitsForTheUser(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		enter := make(chan struct{})
		p := replay.Pacer{Speed: 3600, Step: func(ctx context.Context) error { <-enter; return nil }}
		done := make(chan error, 1)
		go func() { done <- p.Wait(context.Background(), time.Now(), time.Now().Add(time.Hour)) }()
		synctest.Wait()
		select {
		case err := <-done:
			t.Fatalf("step mode went on without Enter (%v)", err)
		default:
		}
		close(enter)
		synctest.Wait()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatal("step mode did not go on after Enter")
		}
	})
}

func TestSpeedForFitsTheBudget(t *testing.T) {
	t0 := time.Date(2023, 11, 17, 0, 0, 0, 0, time.UTC)
	times := []time.Time{t0.AddDate(-8, 0, 0), t0, t0.Add(time.Hour), t0.Add(2 * time.Hour), t0.Add(48 * time.Hour)}
	speed := replay.SpeedFor(times, 5*time.Second, 2*time.Second)
	if speed <= 0 {
		t.Fatal("no speed found")
	}
	synctest.Test(t, func(t *testing.T) {
		p := replay.Pacer{Speed: speed, MaxWait: 2 * time.Second}
		start := time.Now()
		for i := 1; i < len(times); i++ {
			if err := p.Wait(context.Background(), times[i-1], times[i]); err != nil {
				t.Fatal(err)
			}
		}
		if got := time.Since(start); got < 4900*time.Millisecond || got > 5100*time.Millisecond {
			t.Fatalf("replay took %v, want about 5s", got)
		}
	})
}

// TestPacerRunTellsTheWholeWindow: --speed 3600 over a day takes 24 s
// however the day's events fall, and each is shown at its own moment.
func TestPacerRunTellsTheWholeWindow(t *testing.T) {
	day := time.Date(2023, 11, 17, 0, 0, 0, 0, time.UTC)
	moments := []time.Time{day.Add(12 * time.Hour), day.Add(14 * time.Hour)}
	tests := []struct {
		name        string
		from, until time.Time
		shownAt     []time.Duration
		total       time.Duration
	}{
		{"the window's ends are told", day, day.Add(24 * time.Hour), []time.Duration{12 * time.Second, 14 * time.Second}, 24 * time.Second},
		{"no window: from the first event to the last", time.Time{}, time.Time{}, []time.Duration{0, 2 * time.Second}, 2 * time.Second},
		{"only an end", time.Time{}, day.Add(15 * time.Hour), []time.Duration{0, 2 * time.Second}, 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := replay.Pacer{Speed: 3600}
				start := time.Now()
				var shown []time.Duration
				err := p.Run(context.Background(), tt.from, tt.until, moments, func(int) error {
					shown = append(shown, time.Since(start))
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if got := time.Since(start); got != tt.total || !slices.Equal(shown, tt.shownAt) {
					t.Fatalf("shown at %v, done after %v; want %v and %v", shown, got, tt.shownAt, tt.total)
				}
			})
		})
	}
}

// TestPlayPacesLinesByTheirClock: a player given its own sleep waits the
// gaps between the lines on the clock asked for, capped, without sleeping;
// a sleep that fails (Ctrl-C) ends the play there.
func TestPlayPacesLinesByTheirClock(t *testing.T) {
	t0 := time.Date(2023, 11, 17, 12, 0, 0, 0, time.UTC)
	lines := []replay.Line{
		{OccurredAt: t0, ReportedAt: t0.Add(time.Hour)},
		{OccurredAt: t0.Add(time.Minute), ReportedAt: t0.Add(3 * time.Hour)},
		{OccurredAt: t0.Add(time.Hour), ReportedAt: t0.Add(3*time.Hour + time.Minute)},
	}
	tests := []struct {
		by    replay.Clock
		waits []time.Duration
	}{
		{replay.ByOccurred, []time.Duration{time.Second, 2 * time.Second}},
		{replay.ByReported, []time.Duration{2 * time.Second, time.Second}},
	}
	for _, tt := range tests {
		var waits []time.Duration
		p := replay.Pacer{Speed: 60, MaxWait: 2 * time.Second, Sleep: func(_ context.Context, d time.Duration) error {
			waits = append(waits, d)
			return nil
		}}
		var shown []int
		if err := p.Play(context.Background(), tt.by, time.Time{}, time.Time{}, lines, func(i int) error { shown = append(shown, i); return nil }); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(waits, tt.waits) || !slices.Equal(shown, []int{0, 1, 2}) {
			t.Errorf("by %s: waited %v, showed %v; want %v and every line", tt.by, waits, shown, tt.waits)
		}
	}
	stop := errors.New("interrupted")
	p := replay.Pacer{Speed: 60, Sleep: func(context.Context, time.Duration) error { return stop }}
	var shown []int
	if err := p.Play(context.Background(), replay.ByOccurred, time.Time{}, time.Time{}, lines, func(i int) error { shown = append(shown, i); return nil }); !errors.Is(err, stop) || len(shown) != 1 {
		t.Errorf("a failed sleep: %v, showed %v; want the error after the first line", err, shown)
	}
}
