package archive

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// dirLock is an advisory lock on the data dir. Two embedded servers on one
// store would each believe they own the block files; the second process
// must stop before it touches them.
type dirLock struct{ f *os.File }

func lockDir(dir string) (*dirLock, error) {
	path := filepath.Join(dir, "storyline.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close() // opened only to take the lock, which another process holds
		return nil, fmt.Errorf("%w: %s is held by %s; stop it, or let commands reach it through `story serve`", ErrLocked, dir, lockHolder(path))
	}
	// The pid only names the holder in a second process's error; the lock
	// holds without it, so failing to write it is no reason to stop.
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return &dirLock{f: f}, nil
}

// lockHolder names the process that holds the lock file at path, as it
// wrote itself there; "another process" if it cannot be read.
func lockHolder(path string) string {
	b, err := os.ReadFile(path)
	if holder := strings.TrimSpace(string(b)); err == nil && holder != "" {
		return "pid " + holder
	}
	return "another process"
}

// release gives the data dir up.
func (l *dirLock) release() error {
	err := syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	if err = errors.Join(err, l.f.Close()); err != nil {
		return fmt.Errorf("release %s: %w", l.f.Name(), err)
	}
	return nil
}
