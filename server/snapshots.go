package server

import (
	"context"
	"sync"
	"time"
)

// snapshots writes the projector's snapshots (package projector) in the
// background, so that folding and answering go on while one is written
// out: when the folds say one is due (Config.SnapshotEvents and
// SnapshotEvery), and a last one on a clean stop.
type snapshots struct {
	s    *Server
	mu   sync.Mutex
	seq  uint64    // the sequence the last one covered (or was meant to)
	at   time.Time // when it was written
	want uint64    // the sequence applied when the next one was asked for
	req  chan struct{}
	quit chan struct{}
	done chan struct{}
}

// start starts the writer, unless serve keeps no snapshots.
func (n *snapshots) start(s *Server) {
	if s.cfg.NoSnapshot {
		return
	}
	n.s, n.seq, n.at = s, s.proj.Saved(), time.Now()
	n.req, n.quit, n.done = make(chan struct{}, 1), make(chan struct{}), make(chan struct{})
	go n.run()
}

// applied is told that the views are at seq, and asks for a snapshot when
// one is due.
func (n *snapshots) applied(seq uint64) {
	if n.req == nil {
		return
	}
	n.mu.Lock()
	since := seq - n.seq
	due := since >= max(uint64(n.s.cfg.SnapshotEvents), n.seq) || since > 0 && time.Since(n.at) >= n.s.cfg.SnapshotEvery
	if due {
		n.want = seq
	}
	n.mu.Unlock()
	if due {
		select {
		case n.req <- struct{}{}:
		default: // one is asked for already
		}
	}
}

func (n *snapshots) run() {
	defer close(n.done)
	for {
		select {
		case <-n.req:
			n.save()
		case <-n.quit:
			return
		}
	}
}

// save writes a snapshot. One that fails is logged and counted as
// written, so the next is tried only when the next is due.
func (n *snapshots) save() {
	before := n.s.proj.Saved()
	err := n.s.proj.Save(context.Background(), n.s.mu.RLocker())
	n.mu.Lock()
	n.seq, n.at = max(n.s.proj.Saved(), n.want), time.Now()
	n.mu.Unlock()
	switch {
	case err != nil:
		n.s.cfg.Log.Warn("snapshot not written", "err", err)
	case n.s.proj.Saved() != before:
		n.s.cfg.Log.Info("snapshot written", "seq", n.s.proj.Saved())
	}
}

// stop stops the writer and writes a last snapshot.
func (n *snapshots) stop() {
	if n.req == nil {
		return
	}
	close(n.quit)
	<-n.done
	n.save()
	n.req = nil
}
