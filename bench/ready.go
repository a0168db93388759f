package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"storyline/server"
)

// awaitAnswer polls, every few milliseconds, until the story serve of pid
// has recorded itself in the data dir as answering and has answered a
// board question over HTTP; errExited if the process ends first.
func (r *run) awaitAnswer(ctx context.Context, pid int, exited <-chan struct{}) error {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	hc := &http.Client{Timeout: time.Minute}
	for {
		select {
		case <-exited:
			return errExited
		case <-ctx.Done():
			return fmt.Errorf("story serve did not answer: %w", ctx.Err())
		case <-tick.C:
		}
		addr, err := server.ReadAddress(r.durable)
		if errors.Is(err, os.ErrNotExist) {
			continue // not recorded yet (or a record of a serve that is gone)
		}
		if err != nil {
			return fmt.Errorf("story serve's address: %w", err)
		}
		if addr.PID != pid || addr.Starting || addr.HTTP == "" {
			continue // another's record, or not answering yet
		}
		// Recorded as answering: the first question must be answered.
		return askBoard(ctx, hc, addr.HTTP, r.org)
	}
}

// askBoard asks serve's HTTP API for org's board.
func askBoard(ctx context.Context, hc *http.Client, host, org string) error {
	u := url.URL{Scheme: "http", Host: host, Path: "/api/board", RawQuery: url.Values{"org": {org}}.Encode()}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fmt.Errorf("ask story serve: %w", err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("ask story serve: %w", err)
	}
	defer func() { _ = resp.Body.Close() }() // read to the end below; nothing is lost
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("ask story serve: %w", err)
	}
	if resp.StatusCode != http.StatusOK || len(body) == 0 {
		return fmt.Errorf("ask story serve %s: %s: %q", u.String(), resp.Status, body)
	}
	return nil
}

// vmRSS is the resident memory of process pid, from /proc.
func vmRSS(pid int) (int64, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, fmt.Errorf("resident memory of story serve: %w", err)
	}
	defer closeRead(f)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		v, ok := strings.CutPrefix(sc.Text(), "VmRSS:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("resident memory of story serve: VmRSS %q: %w", v, err)
		}
		return kb << 10, nil
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("resident memory of story serve: %w", err)
	}
	return 0, fmt.Errorf("resident memory of story serve: no VmRSS in /proc/%d/status", pid)
}
