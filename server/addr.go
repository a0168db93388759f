package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Address is what a running `story serve` records in its data dir, so that
// the query commands use it rather than whatever happens to listen on the
// default port.
type Address struct {
	NATSURL  string `json:"nats_url"`
	ServerID string `json:"server_id"` // the NATS server's id: proves it is this server
	HTTP     string `json:"http,omitempty"`
	PID      int    `json:"pid"`
	Stream   string `json:"stream"`
	// Auth says clients must log in (with the identities of the auth file
	// serve runs with; no secret is recorded here), TLS that they must
	// speak TLS and trust serve's certificate.
	Auth bool `json:"auth,omitempty"`
	TLS  bool `json:"tls,omitempty"`
	// Starting says serve holds the archive but does not answer yet: it
	// is still bringing its views up to date. Commands wait for it.
	Starting bool `json:"starting,omitempty"`
}

// ErrStarting: story serve holds the data dir but does not answer yet.
var ErrStarting = errors.New("server: story serve is starting")

// starting is the ErrStarting error for the serve that recorded a.
func (a Address) starting() error {
	return fmt.Errorf("%w: story serve (pid %d) holds the archive and is bringing its views up to date", ErrStarting, a.PID)
}

// AddressFile is where serve records its Address inside dataDir.
func AddressFile(dataDir string) string { return filepath.Join(dataDir, "serve.json") }

// WriteAddress records addr for other processes.
func WriteAddress(dataDir string, addr Address) error {
	b, err := json.MarshalIndent(addr, "", "  ")
	if err != nil {
		return err
	}
	tmp := AddressFile(dataDir) + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o640); err != nil {
		return fmt.Errorf("record serve address: %w", err)
	}
	return os.Rename(tmp, AddressFile(dataDir))
}

// ReadAddress returns the address a live `story serve` recorded in
// dataDir. It reports os.ErrNotExist when there is none, or when the
// process that wrote it is gone.
func ReadAddress(dataDir string) (Address, error) {
	b, err := os.ReadFile(AddressFile(dataDir))
	if err != nil {
		return Address{}, err
	}
	var a Address
	if err := json.Unmarshal(b, &a); err != nil {
		return Address{}, fmt.Errorf("%s: %w", AddressFile(dataDir), err)
	}
	if a.PID <= 0 || syscall.Kill(a.PID, 0) != nil && !errors.Is(syscall.Kill(a.PID, 0), syscall.EPERM) {
		return Address{}, fmt.Errorf("%s: serve (pid %d) is gone: %w", AddressFile(dataDir), a.PID, os.ErrNotExist)
	}
	return a, nil
}

// RemoveAddress removes the record, if it is still ours.
func RemoveAddress(dataDir string, pid int) {
	if a, err := ReadAddress(dataDir); err == nil && a.PID != pid {
		return
	}
	os.Remove(AddressFile(dataDir))
}

// PortHolder describes what listens on addr, best effort: a process name
// and pid from /proc where it can be seen, else just that it is taken. It
// returns "" when the port is free.
func PortHolder(addr string) string {
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		ln.Close()
		return ""
	}
	_, portStr, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(portStr)
	if who := procHolder(port); who != "" {
		return who
	}
	return "another process (" + err.Error() + ")"
}

// procHolder finds the process with a listening socket on port through
// /proc (Linux); "" if it cannot tell.
func procHolder(port int) string {
	inodes := map[string]bool{}
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			fs := strings.Fields(line)
			if len(fs) < 10 || fs[3] != "0A" { // 0A: LISTEN
				continue
			}
			_, hexPort, ok := strings.Cut(fs[1], ":")
			if p, err := strconv.ParseInt(hexPort, 16, 32); ok && err == nil && int(p) == port {
				inodes["socket:["+fs[9]+"]"] = true
			}
		}
	}
	if len(inodes) == 0 {
		return ""
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range procs {
		link, err := os.Readlink(fd)
		if err != nil || !inodes[link] {
			continue
		}
		pidDir := filepath.Dir(filepath.Dir(fd))
		cmd, _ := os.ReadFile(filepath.Join(pidDir, "cmdline"))
		name := strings.TrimSpace(strings.ReplaceAll(string(cmd), "\x00", " "))
		return fmt.Sprintf("pid %s (%s)", filepath.Base(pidDir), name)
	}
	return ""
}
