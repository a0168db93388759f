package server

import (
	"cmp"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nats.go/micro"

	"storyline/archive"
)

// The client of a running `story serve`: [Find] and [Client] ask its
// views, [OpenArchive] reaches its archive, [Await] waits while it starts.
// It finds serve through the [Address] serve records (addr.go) and trusts
// only answers signed with serve's key (sign.go). Connections are made by
// package archive ([archive.Dial], [archive.Open]).

// ErrNoServer: no running `story serve` answers for this archive; the
// caller should open the archive itself.
var ErrNoServer = errors.New("server: no story serve running")

// ErrAuth: the server refused the client (no or wrong credentials, or a
// certificate the client does not trust).
var ErrAuth = errors.New("server: access refused")

const (
	// clientName is the NATS connection name of a client of serve.
	clientName = "storyline-query"
	// queryTimeout bounds a question to serve, its read-your-writes look
	// at the stream included.
	queryTimeout = 30 * time.Second
	// pingTimeout bounds the look for serve's service on a server of
	// one's own.
	pingTimeout = 2 * time.Second
)

// Client asks a running `story serve` through its micro service, and takes
// only answers signed with the key serve keeps in its data dir.
type Client struct {
	nc     *nats.Conn
	js     jetstream.JetStream
	URL    string
	stream string
	key    ed25519.PublicKey
}

func newClient(nc *nats.Conn, url, stream string, key ed25519.PublicKey) (*Client, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	return &Client{nc: nc, js: js, URL: url, stream: cmp.Or(stream, "STORY"), key: key}, nil
}

// Find returns a client of the `story serve` that serves cfg's archive: the
// one reached through cfg.NATSURL, or the one that recorded its address in
// cfg.DataDir. It never picks a server merely because something listens
// on the default port: a recorded address must lead to the server id it
// recorded, and answers must be signed with the key in the data dir.
// Without a serve it returns ErrNoServer; while serve starts, ErrStarting.
func Find(ctx context.Context, cfg archive.Config) (*Client, error) {
	if cfg.NATSURL != "" {
		return findAt(ctx, cfg)
	}
	dir := cfg.DataDirOrDefault()
	addr, err := ReadAddress(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoServer
	}
	if err != nil {
		return nil, err
	}
	if err := addr.usable(cfg); err != nil {
		return nil, err
	}
	key, err := ReadPublicKey(dir)
	if err != nil {
		return nil, fmt.Errorf("story serve (pid %d) recorded its address in %s but %w (a serve older than this command? restart it)", addr.PID, dir, err)
	}
	nc, err := archive.Dial(addr.NATSURL, cfg, clientName)
	if err != nil {
		if aerr := addr.ConnectError(cfg, err); aerr != nil {
			return nil, aerr
		}
		return nil, fmt.Errorf("story serve (pid %d) recorded %s but cannot be reached: %w", addr.PID, addr.NATSURL, err)
	}
	if id := nc.ConnectedServerId(); id != addr.ServerID {
		nc.Close()
		return nil, fmt.Errorf("%s answers as server %s, not the %s that story serve (pid %d) recorded: %w", addr.NATSURL, id, addr.ServerID, addr.PID, archive.ErrUnreachable)
	}
	return newClient(nc, addr.NATSURL, addr.Stream, key)
}

// findAt finds the serve of a server of one's own (--nats-url). Its
// answers are trusted only with the key of a serve that ran with this data
// dir; without one the error wraps ErrNoServer and says why, and the
// caller reads the archive itself.
func findAt(ctx context.Context, cfg archive.Config) (*Client, error) {
	nc, err := archive.Dial(cfg.NATSURL, cfg, clientName)
	if err != nil {
		if archive.IsAuthError(err) {
			return nil, fmt.Errorf("%w: %w", ErrAuth, err)
		}
		return nil, err
	}
	if err := servicePing(ctx, nc); err != nil {
		nc.Close()
		return nil, err
	}
	key, err := ReadPublicKey(cfg.DataDirOrDefault())
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("%w: a \"story\" service answers at %s, but its answers cannot be checked: %w (copy serve.pub from serve's data dir into %s); reading the archive instead",
			ErrNoServer, cfg.NATSURL, err, cfg.DataDirOrDefault())
	}
	return newClient(nc, cfg.NATSURL, cfg.Stream, key)
}

// servicePing asks whether a "story" service answers on nc: ErrNoServer
// when nobody does (no responders, or no answer in time).
func servicePing(ctx context.Context, nc *nats.Conn) error {
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	_, err := nc.RequestWithContext(ctx, "$SRV.PING.story", nil)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, nats.ErrNoResponders), errors.Is(err, nats.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		return ErrNoServer
	}
	return fmt.Errorf("look for story serve at %s: %w", nc.ConnectedUrlRedacted(), err)
}

// Query asks the server; the answer is the view's JSON. It includes every
// event stored before the call, so a query right after a write sees it;
// when the stream's end cannot be read that cannot be promised, and Query
// fails rather than answer from views that may be behind. An answer not
// signed by serve is dropped; if no signed one comes, the error wraps
// ErrForged.
func (c *Client) Query(ctx context.Context, req Request) (json.RawMessage, error) {
	ctx, cancel := context.WithTimeout(ctx, queryTimeout)
	defer cancel()
	s, err := c.js.Stream(ctx, c.stream)
	if err != nil {
		return nil, fmt.Errorf("ask %s: the end of stream %s, which the answer must include: %w", req.View, c.stream, err)
	}
	req.MinSeq = s.CachedInfo().State.LastSeq
	return request(ctx, c.nc, c.key, req)
}

// Lag asks the running serve how far its views are behind the stream: the
// data of its micro service's stats.
func (c *Client) Lag(ctx context.Context) (Lag, error) {
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	msg, err := c.nc.RequestWithContext(ctx, "$SRV.STATS.story", nil)
	if err != nil {
		return Lag{}, fmt.Errorf("ask story serve for its lag: %w", err)
	}
	var st micro.Stats
	if err := json.Unmarshal(msg.Data, &st); err != nil {
		return Lag{}, fmt.Errorf("story serve's stats: %w", err)
	}
	if len(st.Endpoints) == 0 {
		return Lag{}, fmt.Errorf("story serve's stats list no endpoint")
	}
	var data struct {
		Lag
		Error string `json:"error"`
	}
	if err := json.Unmarshal(st.Endpoints[0].Data, &data); err != nil {
		return Lag{}, fmt.Errorf("story serve's stats: %w", err)
	}
	if data.Error != "" {
		return Lag{}, fmt.Errorf("story serve does not know its lag: %s", data.Error)
	}
	return data.Lag, nil
}

// Conn is the client's connection.
func (c *Client) Conn() *nats.Conn { return c.nc }

// Close closes the connection.
func (c *Client) Close() { c.nc.Close() }

// request asks the micro service through nc. With a key, it takes only an
// answer signed with it: answers from anyone else are dropped (and counted
// in the error if no signed one comes before ctx ends). Without one, it
// takes the first answer, as any NATS client does.
func request(ctx context.Context, nc *nats.Conn, key ed25519.PublicKey, req Request) (json.RawMessage, error) {
	subject := ServiceSubject + "." + req.View
	b, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("ask %s: %w", subject, err)
	}
	if key == nil {
		msg, err := nc.RequestWithContext(ctx, subject, b)
		if err != nil {
			return nil, fmt.Errorf("ask %s: %w", subject, err)
		}
		return answer(msg)
	}
	inbox := nc.NewInbox()
	sub, err := nc.SubscribeSync(inbox)
	if err != nil {
		return nil, fmt.Errorf("ask %s: %w", subject, err)
	}
	// The inbox is this request's alone: an unsubscribe that fails leaves
	// a subscription nothing answers on, gone with the connection.
	defer func() { _ = sub.Unsubscribe() }()
	m := nats.NewMsg(subject)
	m.Reply, m.Data = inbox, b
	nonce := rand.Text()
	m.Header.Set(NonceHeader, nonce)
	if err := nc.PublishMsg(m); err != nil {
		return nil, fmt.Errorf("ask %s: %w", subject, err)
	}
	return signedAnswer(ctx, sub, key, subject, nonce)
}

// signedAnswer waits on sub for the first answer signed with key.
func signedAnswer(ctx context.Context, sub *nats.Subscription, key ed25519.PublicKey, subject, nonce string) (json.RawMessage, error) {
	forged := 0
	for {
		msg, err := sub.NextMsgWithContext(ctx)
		switch {
		case err != nil && forged > 0:
			return nil, fmt.Errorf("%w: %d answer(s) on %s not signed with serve's key, and none that is: another client answers in its place",
				ErrForged, forged, subject)
		case err != nil:
			return nil, fmt.Errorf("ask %s: %w", subject, err)
		case len(msg.Data) == 0 && msg.Header.Get("Status") == "503":
			return nil, fmt.Errorf("ask %s: %w", subject, nats.ErrNoResponders)
		case verify(key, subject, nonce, msg) != nil:
			forged++
			continue
		}
		return answer(msg)
	}
}

// answer is the view's JSON, or the error the service answered.
func answer(msg *nats.Msg) (json.RawMessage, error) {
	if code := msg.Header.Get(micro.ErrorCodeHeader); code != "" {
		return nil, &QueryError{Code: code, Message: msg.Header.Get(micro.ErrorHeader)}
	}
	return msg.Data, nil
}

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
	if cfg.NATSURL != "" {
		return archive.Open(ctx, cfg)
	}
	addr, err := ReadAddress(cfg.DataDirOrDefault())
	if err != nil {
		// No serve recorded, or a record that cannot be read: the archive
		// is opened in process. If a process holds the data dir after
		// all, Open says which (ErrLocked).
		return archive.Open(ctx, cfg)
	}
	if err := addr.usable(cfg); err != nil {
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
