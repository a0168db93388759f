package ordered

import (
	"context"
	"runtime"
	"sync"
)

// Map calls produce, which sends inputs one by one; work turns each into
// an output, on up to workers goroutines at once (0: one per core); and
// consume takes the outputs in the order the inputs were sent, on the
// caller's goroutine. send returns false once Map is stopping (consume
// failed, or ctx ended): produce should then return. produce's context
// ends when Map stops, so a producer waiting for more input (a live read)
// returns too.
//
// Map returns consume's first error, else produce's.
func Map[In, Out any](ctx context.Context, workers int, produce func(ctx context.Context, send func(In) bool) error, work func(In) Out, consume func(Out) error) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type slot struct {
		in   In
		out  Out
		done chan struct{}
	}
	jobs := make(chan *slot, workers)
	order := make(chan *slot, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for s := range jobs {
				s.out = work(s.in)
				close(s.done)
			}
		})
	}
	var perr error
	go func() {
		defer close(order)
		defer close(jobs)
		perr = produce(ctx, func(in In) bool {
			s := &slot{in: in, done: make(chan struct{})}
			select {
			case order <- s:
			case <-ctx.Done():
				return false
			}
			jobs <- s
			return true
		})
	}()
	var cerr error
	for s := range order {
		if cerr != nil {
			continue // draining: the producer stops at its next send
		}
		<-s.done
		if cerr = consume(s.out); cerr != nil {
			cancel()
		}
	}
	wg.Wait()
	if cerr != nil {
		return cerr
	}
	return perr
}
