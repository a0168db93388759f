package archive

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Every NATS connection Storyline makes is made in this file: the
// archive's own (to its embedded server or to Config.NATSURL) and a client
// of a running serve's ([Dial]). Options, credentials, TLS roots and the
// reading of a refusal are written here once.

const (
	// connectTimeout bounds the archive's connect to NATSURL.
	connectTimeout = 5 * time.Second
	// dialTimeout bounds [Dial]: a command that finds no serve reads the
	// archive itself, so it gives up sooner.
	dialTimeout = 3 * time.Second
	// reconnectWait is the pause between the archive's reconnect attempts
	// to NATSURL (it never stops trying while open).
	reconnectWait = 250 * time.Millisecond
	// closeFlushTimeout bounds Close's wait for the server to confirm it
	// has everything the connection sent.
	closeFlushTimeout = 2 * time.Second
)

// options are the connection options of cfg: the connection's name and
// its identity, and, to a server over the network (remote), cfg's CA.
// Creds name an account of a NATS operator, which the embedded server
// never has, so they are for remote servers only; User and Password also
// log in to an embedded server that has users (serve's own connection).
func (c Config) options(name string, remote bool) []nats.Option {
	opts := []nats.Option{nats.Name(name)}
	switch {
	case remote && c.Creds != "":
		opts = append(opts, nats.UserCredentials(c.Creds))
	case c.User != "":
		opts = append(opts, nats.UserInfo(c.User, c.Password))
	}
	if remote && c.CAFile != "" {
		opts = append(opts, nats.RootCAs(c.CAFile))
	}
	return opts
}

// Dial connects a client of a running serve (package server) to url with
// cfg's credentials and CA. The error wraps ErrUnreachable unless the
// server refused the credentials ([IsAuthError]).
func Dial(url string, cfg Config, name string) (*nats.Conn, error) {
	nc, err := nats.Connect(url, append(cfg.options(name, true), nats.Timeout(dialTimeout))...)
	if err != nil {
		return nil, connectErr(url, err)
	}
	return nc, nil
}

// connectErr is the error of a failed connect to url: a refusal of the
// credentials as it is (the server was reached), anything else wrapping
// ErrUnreachable.
func connectErr(url string, err error) error {
	if IsAuthError(err) {
		return fmt.Errorf("connect %s: %w", url, err)
	}
	return fmt.Errorf("connect %s: %w: %w", url, ErrUnreachable, err)
}

// IsAuthError reports whether err is a NATS server's refusal of the
// client's credentials: unknown user, wrong password, expired or revoked
// credentials. It is the one test of that in Storyline. nats.go maps the
// server's words to its sentinels in most places but not all (a refusal
// while connecting is its bare text), so the text is read too.
func IsAuthError(err error) bool {
	if err == nil {
		return false
	}
	for _, target := range []error{nats.ErrAuthorization, nats.ErrAuthExpired, nats.ErrAuthRevoked, nats.ErrAccountAuthExpired} {
		if errors.Is(err, target) {
			return true
		}
	}
	msg := strings.ToLower(err.Error())
	for _, words := range []string{"authorization violation", "authentication expired", "authentication revoked"} {
		if strings.Contains(msg, words) {
			return true
		}
	}
	return false
}

// connect starts the embedded server (or reaches cfg.NATSURL) and opens
// the archive's connection and JetStream context.
func (a *Archive) connect() error {
	remote := a.cfg.NATSURL != ""
	opts := append(a.cfg.options("storyline", remote), nats.MaxReconnects(-1), nats.ErrorHandler(a.asyncError))
	var err error
	if remote {
		err = a.connectRemote(opts)
	} else {
		err = a.connectEmbedded(opts)
	}
	if err != nil {
		return err
	}
	js, err := jetstream.New(a.nc)
	if err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	a.js = js
	return nil
}

func (a *Archive) connectRemote(opts []nats.Option) error {
	url := a.cfg.NATSURL
	nc, err := nats.Connect(url, append(opts, nats.Timeout(connectTimeout), nats.ReconnectWait(reconnectWait))...)
	if err != nil {
		return connectErr(url, err)
	}
	a.nc = nc
	if id := nc.ConnectedServerId(); a.cfg.ServerID != "" && id != a.cfg.ServerID {
		return fmt.Errorf("%s answers as server %s, not %s: %w", url, id, a.cfg.ServerID, ErrUnreachable)
	}
	return nil
}

// connectEmbedded takes the data dir's lock, starts the embedded server on
// it and connects in process.
func (a *Archive) connectEmbedded(opts []nats.Option) error {
	if err := os.MkdirAll(a.cfg.DataDir, 0o750); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	lock, err := lockDir(a.cfg.DataDir)
	if err != nil {
		return err
	}
	a.lock = lock
	if a.ns, err = a.startServer(); err != nil {
		return err
	}
	nc, err := nats.Connect(a.inProcessURL(), append(opts, nats.InProcessServer(a.ns))...)
	if err != nil {
		return fmt.Errorf("connect to embedded server: %w", err)
	}
	a.nc = nc
	return nil
}

// PlainConn is another connection to the archive's embedded server, with
// the archive's options but none of its checks: for tools that measure what
// plain NATS does beside the archive (story bench). The caller closes it.
func (a *Archive) PlainConn(name string) (*nats.Conn, error) {
	if a.ns == nil {
		return nil, fmt.Errorf("plain connection: not an embedded server (%s)", a.cfg.NATSURL)
	}
	nc, err := nats.Connect(a.inProcessURL(), append(a.cfg.options(name, false), nats.InProcessServer(a.ns))...)
	if err != nil {
		return nil, fmt.Errorf("plain connection: %w", err)
	}
	return nc, nil
}

// inProcessURL is the embedded server's URL for an in-process client. The
// server does not require TLS of an in-process connection, but a tls://
// URL (its ClientURL when it has TLS) would make the client insist on it,
// without a certificate it could verify.
func (a *Archive) inProcessURL() string {
	return strings.Replace(a.ns.ClientURL(), "tls://", "nats://", 1)
}

// startServer starts the embedded server on the data dir.
func (a *Archive) startServer() (*server.Server, error) {
	sopts := &server.Options{
		ServerName: "storyline",
		JetStream:  true,
		StoreDir:   a.cfg.DataDir,
		SyncAlways: !a.cfg.LazySync,
		NoSigs:     true,
		NoLog:      true,
		DontListen: a.cfg.Listen == "",
		// The embedded server serves this archive only; a bounded store
		// keeps a runaway import from filling the disk silently.
		JetStreamMaxMemory: 256 << 20,
	}
	if a.cfg.Listen != "" {
		host, port, err := splitHostPort(a.cfg.Listen)
		if err != nil {
			return nil, err
		}
		sopts.Host, sopts.Port = host, port
	}
	if a.cfg.ServerOptions != nil {
		a.cfg.ServerOptions(sopts)
	}
	ns, err := server.NewServer(sopts)
	if err != nil {
		return nil, fmt.Errorf("embedded NATS server: %w", err)
	}
	ns.Start()
	if !ns.ReadyForConnections(30 * time.Second) {
		ns.Shutdown()
		return nil, fmt.Errorf("embedded NATS server did not start (is %s in use?): %w", a.cfg.Listen, ErrUnreachable)
	}
	return ns, nil
}

func splitHostPort(addr string) (string, int, error) {
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		return "", 0, fmt.Errorf("listen: %q (want host:port)", addr)
	}
	var port int
	if _, err := fmt.Sscanf(addr[i+1:], "%d", &port); err != nil || port < -1 || port > 65535 {
		return "", 0, fmt.Errorf("listen: bad port in %q", addr)
	}
	host := strings.Trim(addr[:i], "[]")
	if host == "" {
		host = "127.0.0.1"
	}
	return host, port, nil
}

// asyncError is the connection's error handler. The server drops a
// publish it does not permit without an answer (it only tells the client,
// asynchronously), so a request waiting for that answer would wait out its
// timeout and then be retried as if the server were slow. Instead the
// connection is closed at once, which fails the waiting request, and
// [Archive.refused] turns that failure into the refusal. Other
// asynchronous errors (a slow consumer, a reconnect) show up in the
// requests they affect.
func (a *Archive) asyncError(nc *nats.Conn, _ *nats.Subscription, err error) {
	if !errors.Is(err, nats.ErrPermissionViolation) || !strings.Contains(err.Error(), "for Publish") {
		return
	}
	a.deniedMu.Lock()
	if a.denied == nil {
		a.denied = err
	}
	a.deniedMu.Unlock()
	nc.Close()
}

// refused returns err as a refusal (wrapping ErrPermission and the
// server's words) when the server refused what this connection asked:
// err is then only the closed connection the refusal caused, or the
// server's own permissions violation. Other errors are returned as they
// are.
func (a *Archive) refused(err error) error {
	if err == nil {
		return nil
	}
	a.deniedMu.Lock()
	denied := a.denied
	a.deniedMu.Unlock()
	if denied == nil {
		if !errors.Is(err, nats.ErrPermissionViolation) {
			return err
		}
		denied = err
	}
	who := "this connection"
	if a.cfg.User != "" {
		who = fmt.Sprintf("NATS user %q", a.cfg.User)
	}
	return fmt.Errorf("%w for %s: %w", ErrPermission, who, denied)
}

// closeConn closes the connection once the server has confirmed that it
// has everything the connection sent (a flush). The archive's own writes
// are requests that count only once answered, so a failed flush loses
// none it reported stored; it means the server stopped answering, and is
// reported as that.
func (a *Archive) closeConn() error {
	defer a.nc.Close()
	switch {
	case a.nc.IsClosed():
		// By a refused publish, reported to its caller, or by an earlier
		// Close: nothing left to flush.
		return nil
	case a.nc.IsReconnecting():
		return fmt.Errorf("close NATS connection: %w", nats.ErrConnectionReconnecting)
	}
	if err := a.nc.FlushTimeout(closeFlushTimeout); err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
		return fmt.Errorf("close NATS connection: flush: %w", err)
	}
	return nil
}
