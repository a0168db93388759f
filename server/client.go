package server

import (
	"context"
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

// Client asks a running `story serve` through its micro service.
type Client struct {
	nc     *nats.Conn
	URL    string
	stream string
}

// Find returns a client of the `story serve` that serves cfg's archive: the
// one reached through cfg.NATSURL, or the one that recorded its address in
// cfg.DataDir. It never picks a server merely because something listens
// on the default port: a recorded address must lead to the server id it
// recorded. Without either it returns ErrNoServer.
func Find(ctx context.Context, cfg archive.Config) (*Client, error) {
	opts := append([]nats.Option{nats.Name("storyline-query"), nats.Timeout(3 * time.Second)}, cfg.ClientOptions...)
	if cfg.Creds != "" {
		opts = append(opts, nats.UserCredentials(cfg.Creds))
	} else if cfg.User != "" {
		opts = append(opts, nats.UserInfo(cfg.User, cfg.Password))
	}
	if cfg.NATSURL != "" {
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
		return c, nil
	}
	dir := cfg.DataDir
	if dir == "" {
		dir = archive.DefaultDataDir()
	}
	addr, err := ReadAddress(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoServer
	}
	if err != nil {
		return nil, err
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
	return &Client{nc: nc, URL: addr.NATSURL, stream: addr.Stream}, nil
}

func (c *Client) serviceUp(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_, err := c.nc.RequestWithContext(ctx, "$SRV.PING.story", nil)
	return err == nil
}

// Query asks the server; the answer is the view's JSON. It includes every
// event stored before the call, so a query right after a write sees it.
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
	return Query(ctx, c.nc, req)
}

// Conn is the client's connection.
func (c *Client) Conn() *nats.Conn { return c.nc }

// Close closes the connection.
func (c *Client) Close() { c.nc.Close() }
