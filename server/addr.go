package server

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"storyline/archive"
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

// usable tells a client of the serve that recorded a why it cannot use it
// yet: serve is starting (ErrStarting), or the client lacks what serve
// requires (CheckAccess).
func (a Address) usable(cfg archive.Config) error {
	if a.Starting {
		return fmt.Errorf("%w: story serve (pid %d) holds the archive and is bringing its views up to date", ErrStarting, a.PID)
	}
	return a.CheckAccess(cfg)
}

// CheckAccess tells a client of the serve that recorded a what it lacks
// before it tries to connect, rather than letting the server refuse it.
func (a Address) CheckAccess(cfg archive.Config) error {
	if a.Auth && cfg.User == "" && cfg.Creds == "" {
		return fmt.Errorf("%w: story serve (pid %d) requires authentication: pass --auth FILE --as reader (or --as writer to write)", ErrAuth, a.PID)
	}
	return nil
}

// ConnectError explains why connecting to the serve that recorded a
// failed, when it is a matter of credentials or certificates; otherwise it
// returns nil and the caller reports err as it would anyway. The result
// wraps ErrAuth but not err: the server was reached, so whatever err says
// about it being unreachable no longer holds.
func (a Address) ConnectError(cfg archive.Config, err error) error {
	var unknownCA x509.UnknownAuthorityError
	var verify *tls.CertificateVerificationError
	var hostname x509.HostnameError
	switch {
	case archive.IsAuthError(err):
		who := "these credentials"
		if cfg.User != "" {
			who = fmt.Sprintf("NATS user %q", cfg.User)
		}
		return fmt.Errorf("%w: story serve (pid %d) at %s refused %s: wrong password, or not a user of the auth file it runs with (%v)", ErrAuth, a.PID, a.NATSURL, who, err)
	case errors.As(err, &unknownCA) || errors.As(err, &verify) || errors.As(err, &hostname) || strings.Contains(err.Error(), "x509:"):
		return fmt.Errorf("%w: story serve (pid %d) at %s uses TLS with a certificate this client does not trust: pass --tls-ca FILE, the CA that signed it (%v)", ErrAuth, a.PID, a.NATSURL, err)
	}
	return nil
}

// AddressFile is where serve records its Address inside dataDir.
func AddressFile(dataDir string) string { return filepath.Join(dataDir, "serve.json") }

// WriteAddress records addr for other processes.
func WriteAddress(dataDir string, addr Address) error {
	b, err := json.MarshalIndent(addr, "", "  ")
	if err != nil {
		return fmt.Errorf("record serve address: %w", err)
	}
	tmp := AddressFile(dataDir) + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o640); err != nil {
		return fmt.Errorf("record serve address: %w", err)
	}
	if err := os.Rename(tmp, AddressFile(dataDir)); err != nil {
		return fmt.Errorf("record serve address: %w", err)
	}
	return nil
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

// RemoveAddress removes the record, if it is still ours. It is best
// effort: a record left behind names a pid that is gone, which
// ReadAddress reports as no record.
func RemoveAddress(dataDir string, pid int) {
	if a, err := ReadAddress(dataDir); err == nil && a.PID != pid {
		return
	}
	_ = os.Remove(AddressFile(dataDir)) // best effort, see above
}

// PortHolder describes what listens on addr, best effort: a process name
// and pid from /proc where it can be seen, else just that it is taken. It
// returns "" when the port is free.
func PortHolder(addr string) string {
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		_ = ln.Close() // it was only a probe of the port
		return ""
	}
	// Best effort: an address without a port reads as port 0, which no
	// process listens on, and the answer is the listen error.
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
	procs, _ := filepath.Glob("/proc/[0-9]*/fd/*") // the pattern is well-formed; no match is no answer
	for _, fd := range procs {
		link, err := os.Readlink(fd)
		if err != nil || !inodes[link] {
			continue
		}
		pidDir := filepath.Dir(filepath.Dir(fd))
		cmd, _ := os.ReadFile(filepath.Join(pidDir, "cmdline")) // best effort: the pid alone still names it
		name := strings.TrimSpace(strings.ReplaceAll(string(cmd), "\x00", " "))
		return fmt.Sprintf("pid %s (%s)", filepath.Base(pidDir), name)
	}
	return ""
}
