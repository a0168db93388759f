package server

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"storyline/archive"
)

// ErrNoServer: no running `story serve` answers for this archive; the
// caller should open the archive itself.
var ErrNoServer = errors.New("server: no story serve running")

// Client asks a running `story serve` through its micro service, and takes
// only answers signed with the key serve keeps in its data dir.
type Client struct {
	nc     *nats.Conn
	URL    string
	stream string
	key    ed25519.PublicKey
}

// Find returns a client of the `story serve` that serves cfg's archive: the
// one reached through cfg.NATSURL, or the one that recorded its address in
// cfg.DataDir. It never picks a server merely because something listens
// on the default port: a recorded address must lead to the server id it
// recorded, and answers must be signed with the key in the data dir.
// Without a serve it returns ErrNoServer; while serve starts, ErrStarting.
func Find(ctx context.Context, cfg archive.Config) (*Client, error) {
	opts := append([]nats.Option{nats.Name("storyline-query"), nats.Timeout(3 * time.Second)}, cfg.ClientOptions...)
	opts = append(opts, cfg.Identity()...)
	if cfg.NATSURL != "" {
		return findAt(ctx, cfg, opts)
	}
	dir := cfg.DataDirOrDefault()
	addr, err := ReadAddress(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoServer
	}
	if err != nil {
		return nil, err
	}
	if addr.Starting {
		return nil, addr.starting()
	}
	key, err := ReadPublicKey(dir)
	if err != nil {
		return nil, fmt.Errorf("story serve (pid %d) recorded its address in %s but %w (a serve older than this command? restart it)", addr.PID, dir, err)
	}
	if err := addr.CheckAccess(cfg); err != nil {
		return nil, err
	}
	nc, err := nats.Connect(addr.NATSURL, opts...)
	if err != nil {
		if aerr := addr.ConnectError(cfg, err); aerr != nil {
			return nil, aerr
		}
		return nil, fmt.Errorf("story serve (pid %d) recorded %s but cannot be reached: %w: %w", addr.PID, addr.NATSURL, archive.ErrUnreachable, err)
	}
	if id := nc.ConnectedServerId(); id != addr.ServerID {
		nc.Close()
		return nil, fmt.Errorf("%s answers as server %s, not the %s that story serve (pid %d) recorded: %w", addr.NATSURL, id, addr.ServerID, addr.PID, archive.ErrUnreachable)
	}
	return &Client{nc: nc, URL: addr.NATSURL, stream: addr.Stream, key: key}, nil
}

// findAt finds the serve of a server of one's own (--nats-url). Its
// answers are trusted only with the key of a serve that ran with this data
// dir; without one the error wraps ErrNoServer and says why, and the
// caller reads the archive itself.
func findAt(ctx context.Context, cfg archive.Config, opts []nats.Option) (*Client, error) {
	nc, err := nats.Connect(cfg.NATSURL, opts...)
	if err != nil {
		if isAuthError(err) {
			return nil, fmt.Errorf("connect %s: %w: %w", cfg.NATSURL, ErrAuth, err)
		}
		return nil, fmt.Errorf("connect %s: %w: %w", cfg.NATSURL, archive.ErrUnreachable, err)
	}
	c := &Client{nc: nc, URL: cfg.NATSURL, stream: cfg.Stream}
	if !c.serviceUp(ctx) {
		nc.Close()
		return nil, ErrNoServer
	}
	if c.key, err = ReadPublicKey(cfg.DataDirOrDefault()); err != nil {
		nc.Close()
		return nil, fmt.Errorf("%w: a \"story\" service answers at %s, but its answers cannot be checked: %w (copy serve.pub from serve's data dir into %s); reading the archive instead",
			ErrNoServer, cfg.NATSURL, err, cfg.DataDirOrDefault())
	}
	return c, nil
}

func (c *Client) serviceUp(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_, err := c.nc.RequestWithContext(ctx, "$SRV.PING.story", nil)
	return err == nil
}

// Query asks the server; the answer is the view's JSON. It includes every
// event stored before the call, so a query right after a write sees it.
// An answer not signed by serve is dropped; if no signed one comes, the
// error wraps ErrForged.
func (c *Client) Query(ctx context.Context, req Request) (json.RawMessage, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	stream := c.stream
	if stream == "" {
		stream = "STORY"
	}
	if js, err := jetstream.New(c.nc); err == nil {
		if s, err := js.Stream(ctx, stream); err == nil {
			if info, err := s.Info(ctx); err == nil {
				req.MinSeq = info.State.LastSeq
			}
		}
	}
	return request(ctx, c.nc, c.key, req)
}

// Conn is the client's connection.
func (c *Client) Conn() *nats.Conn { return c.nc }

// Close closes the connection.
func (c *Client) Close() { c.nc.Close() }

// Await calls try until it returns anything but "serve is starting" —
// ErrStarting, or archive.ErrLocked (the data dir is held by a process that
// has not recorded an address yet, such as a serve opening its store) —
// for up to wait. notify, if set, is told why once, when it starts waiting.
func Await(ctx context.Context, wait time.Duration, notify func(why error), try func() error) error {
	deadline := time.Now().Add(wait)
	told := false
	for {
		err := try()
		if !errors.Is(err, ErrStarting) && !errors.Is(err, archive.ErrLocked) {
			return err
		}
		if !time.Now().Before(deadline) {
			return fmt.Errorf("%w (waited %v for it)", err, wait)
		}
		if !told && notify != nil {
			notify(err)
			told = true
		}
		t := time.NewTimer(min(100*time.Millisecond, time.Until(deadline)))
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (stopped waiting: %w)", err, ctx.Err())
		case <-t.C:
		}
	}
}

// OpenArchive opens cfg's archive: as a client of the `story serve` that
// recorded its address in the data dir (serve holds the data dir while it
// runs), or in process when none runs. While serve starts it returns
// ErrStarting, and archive.ErrLocked while the data dir is held by a
// process that recorded no address (yet); see Await.
func OpenArchive(ctx context.Context, cfg archive.Config) (*archive.Archive, error) {
	if cfg.NATSURL == "" {
		if addr, err := ReadAddress(cfg.DataDirOrDefault()); err == nil {
			if addr.Starting {
				return nil, addr.starting()
			}
			if err := addr.CheckAccess(cfg); err != nil {
				return nil, err
			}
			cfg.NATSURL, cfg.ServerID, cfg.Stream = addr.NATSURL, addr.ServerID, addr.Stream
			a, err := archive.Open(ctx, cfg)
			if err != nil {
				if aerr := addr.ConnectError(cfg, err); aerr != nil {
					return nil, aerr
				}
				return nil, err
			}
			return a, nil
		}
	}
	return archive.Open(ctx, cfg)
}
