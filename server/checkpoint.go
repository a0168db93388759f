package server

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// checkpointPath is where the projector keeps its checkpoint: the views'
// events up to a sequence, so a restart resumes from there instead of
// reading the whole stream again.
func (s *Server) checkpointPath() string {
	return filepath.Join(s.a.DataDir(), "views-"+s.a.StreamName()+".ckpt")
}

type checkpointHead struct {
	Seq   uint64 `json:"seq"`
	Chain string `json:"chain"`
}

// loadCheckpoint restores the views from the checkpoint if it still
// matches the stream (the record at its sequence has the chain value it
// recorded); otherwise the views are rebuilt from sequence 1.
func (s *Server) loadCheckpoint(ctx context.Context) {
	f, err := os.Open(s.checkpointPath())
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	if err != nil {
		s.cfg.Log.Warn("checkpoint unreadable; rebuilding views from seq 1", "err", err)
		return
	}
	defer func() { _ = f.Close() }() // only read
	br := bufio.NewReaderSize(f, 1<<20)
	h, err := readCheckpointHead(br)
	if err != nil {
		s.cfg.Log.Warn("checkpoint unreadable; rebuilding views from seq 1", "file", s.checkpointPath(), "err", err)
		return
	}
	rec, err := s.a.Get(ctx, h.Seq)
	if err != nil {
		s.cfg.Log.Warn("checkpoint's record cannot be read; rebuilding views from seq 1", "seq", h.Seq, "err", err)
		return
	}
	if rec.Chain != h.Chain {
		s.cfg.Log.Warn("checkpoint does not match the stream; rebuilding views from seq 1", "seq", h.Seq)
		return
	}
	if err := s.views.Load(br); err != nil {
		s.cfg.Log.Warn("checkpoint damaged; rebuilding views from seq 1", "err", err)
		s.views.Reset()
		return
	}
	s.chain = h.Chain
	s.cfg.Log.Info("views restored from checkpoint", "seq", h.Seq)
}

// readCheckpointHead reads the checkpoint's first line.
func readCheckpointHead(br *bufio.Reader) (checkpointHead, error) {
	var h checkpointHead
	line, err := br.ReadBytes('\n')
	if err != nil {
		return h, err
	}
	if err := json.Unmarshal(line, &h); err != nil {
		return h, err
	}
	if h.Seq == 0 {
		return h, errors.New("no sequence")
	}
	return h, nil
}

// saveCheckpoint writes the views' checkpoint atomically.
func (s *Server) saveCheckpoint() error {
	if s.a.DataDir() == "" {
		return nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	seq := s.views.LastSeq()
	if seq == 0 || seq == s.savedSeq {
		return nil
	}
	tmp := s.checkpointPath() + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	b, err := json.Marshal(checkpointHead{Seq: seq, Chain: s.chain})
	if err == nil {
		_, err = f.Write(append(b, '\n'))
	}
	err = errors.Join(err, s.views.Save(f), f.Sync(), f.Close())
	if err != nil {
		_ = os.Remove(tmp) // a leftover temporary file; the error below is what matters
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err := os.Rename(tmp, s.checkpointPath()); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	s.savedSeq = seq
	return nil
}
