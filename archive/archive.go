package archive

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Config says where the archive lives. The zero value of each field means
// its default.
type Config struct {
	// DataDir holds the embedded server's store, the lock and the chain
	// head. Default: $XDG_DATA_HOME/storyline, else ~/.local/share/storyline.
	DataDir string
	// NATSURL, when set, uses that server or cluster instead of the
	// embedded one.
	NATSURL string
	// Creds is a NATS credentials file for NATSURL.
	Creds string
	// User and Password log in to NATSURL when no Creds are given, and to
	// the embedded server when ServerOptions gives it users.
	User, Password string
	// CAFile is a CA certificate (PEM) to trust, besides the system's, for
	// a NATSURL that speaks TLS.
	CAFile string
	// Replicas of the stream (1 or 3) when it is created on NATSURL.
	Replicas int
	// Stream name. Default "STORY".
	Stream string
	// LazySync turns off fsync on every write for the embedded server,
	// falling back to nats-server's default (fsync every 2 minutes). Faster,
	// but an OS crash or power loss can lose acknowledged events.
	LazySync bool
	// Listen, when set ("127.0.0.1:4222"), makes the embedded server accept
	// network clients. Empty means in-process only.
	Listen string
	// DuplicateWindow of the stream. Stored-once does not depend on it
	// (the archive sends no Nats-Msg-Id), and a server reopening a stream
	// reads back every message inside the window, so it is short. Default
	// DefaultDuplicateWindow.
	DuplicateWindow time.Duration
	// BatchSize is the number of events per atomic batch. Default 500,
	// at most 1000 (the server's limit).
	BatchSize int
	// ServerOptions, if set, adjusts the embedded server's options before it
	// starts (auth, TLS, clustering).
	ServerOptions func(*server.Options)
	// ServerID, when set with NATSURL, is the id the server must answer
	// with: a recorded `story serve`, not whatever listens on its port.
	ServerID string
	// RequestTimeout bounds each request to the server (stream info, a
	// lookup, one batch). A request lost while the client reconnects or a
	// replicated stream elects a leader then fails and is retried, instead
	// of waiting out the caller's whole deadline. Default 10 seconds.
	RequestTimeout time.Duration
}

// DataDirOrDefault is the data dir cfg names, else DefaultDataDir.
func (c Config) DataDirOrDefault() string {
	if c.DataDir != "" {
		return c.DataDir
	}
	return DefaultDataDir()
}

// DefaultDataDir returns $XDG_DATA_HOME/storyline, else
// ~/.local/share/storyline.
func DefaultDataDir() string {
	if x := os.Getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "storyline")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "share", "storyline")
	}
	return filepath.Join(os.TempDir(), "storyline")
}

func (c *Config) setDefaults() error {
	c.DataDir = c.DataDirOrDefault()
	if c.Stream == "" {
		c.Stream = "STORY"
	}
	if c.Replicas == 0 {
		c.Replicas = 1
	}
	if c.Replicas != 1 && c.Replicas != 3 {
		return fmt.Errorf("replicas: %d (want 1 or 3)", c.Replicas)
	}
	if c.Replicas > 1 && c.NATSURL == "" {
		return fmt.Errorf("replicas: %d needs a cluster (--nats-url); the embedded server is a single node", c.Replicas)
	}
	if c.DuplicateWindow == 0 {
		c.DuplicateWindow = DefaultDuplicateWindow
	}
	if c.BatchSize == 0 {
		c.BatchSize = 500
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = 10 * time.Second
	}
	if c.BatchSize < 1 || c.BatchSize > 1000 {
		return fmt.Errorf("batch size: %d (want 1 to 1000)", c.BatchSize)
	}
	return nil
}

// DefaultDuplicateWindow is the stream's duplicate window unless
// Config.DuplicateWindow says otherwise. nats-server's own default, two
// minutes, made reopening an archive right after an import read back every
// message written in those two minutes (1.3 s at a million events) to
// remember message ids the archive never sends.
const DefaultDuplicateWindow = time.Second

// Archive is an open event archive.
type Archive struct {
	cfg    Config
	ns     *server.Server // nil when connected to an external server
	nc     *nats.Conn
	js     jetstream.JetStream
	stream jetstream.Stream
	lock   *dirLock

	deniedMu sync.Mutex
	denied   error // the publish the server refused, which closed nc
}

// Open starts the embedded server (or connects to cfg.NATSURL), creates the
// stream if needed and checks that it is immutable.
func Open(ctx context.Context, cfg Config) (*Archive, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	a := &Archive{cfg: cfg}
	if err := a.connect(); err != nil {
		return nil, errors.Join(err, a.Close())
	}
	if err := a.ensureStream(ctx); err != nil {
		return nil, errors.Join(err, a.Close())
	}
	return a, nil
}

// ConsumerInactiveLimit is the longest any consumer of the stream may stay
// after its client stopped reading: the server gives it to a consumer
// created without an inactivity threshold — a durable one included, so an
// abandoned durable cannot hold one of the stream's limited consumers
// forever — and refuses a longer one (JetStream error 10153). It is the
// threshold nats.go gives its ordered consumers, so they still work.
const ConsumerInactiveLimit = 5 * time.Minute

// StreamConfig is the configuration the archive creates its stream with.
func (a *Archive) StreamConfig() jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:               a.cfg.Stream,
		Description:        "Storyline events (immutable)",
		Subjects:           []string{"story.>"},
		Storage:            jetstream.FileStorage,
		Retention:          jetstream.LimitsPolicy,
		MaxAge:             0,
		MaxMsgs:            -1,
		MaxBytes:           -1,
		MaxMsgsPerSubject:  -1,
		MaxMsgSize:         1 << 20,
		Discard:            jetstream.DiscardNew,
		Duplicates:         a.cfg.DuplicateWindow,
		Replicas:           a.cfg.Replicas,
		DenyDelete:         true,
		DenyPurge:          true,
		AllowRollup:        false,
		AllowDirect:        true,
		AllowAtomicPublish: true,
		ConsumerLimits:     jetstream.StreamConsumerLimits{InactiveThreshold: ConsumerInactiveLimit},
		Metadata:           map[string]string{"storyline.schema": "1"},
	}
}

func (a *Archive) ensureStream(ctx context.Context) error {
	s, err := a.js.Stream(ctx, a.cfg.Stream)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		s, err = a.js.CreateStream(ctx, a.StreamConfig())
		err = a.refused(err)
	}
	if err != nil {
		if errors.Is(err, ErrPermission) {
			return fmt.Errorf("stream %s does not exist and cannot be created: %w", a.cfg.Stream, err)
		}
		if errors.Is(err, nats.ErrNoResponders) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout) {
			return fmt.Errorf("stream %s: JetStream not answering: %w: %w", a.cfg.Stream, ErrUnreachable, err)
		}
		return fmt.Errorf("stream %s: %w", a.cfg.Stream, err)
	}
	a.stream = s
	info, err := s.Info(ctx)
	if err != nil {
		return fmt.Errorf("stream %s info: %w", a.cfg.Stream, err)
	}
	if err := CheckImmutable(info.Config); err != nil {
		return err
	}
	if a.ns == nil {
		return nil
	}
	if info.Config.ConsumerLimits.InactiveThreshold != ConsumerInactiveLimit {
		if err := a.limitConsumers(ctx, info.Config); err != nil {
			return err
		}
		if info, err = s.Info(ctx); err != nil {
			return fmt.Errorf("stream %s info: %w", a.cfg.Stream, err)
		}
	}
	return a.shortenWindow(ctx, info.Config)
}

// shortenWindow gives a stream created with a longer duplicate window
// (before DefaultDuplicateWindow) the configured one. Only the owner of
// the embedded server does this.
func (a *Archive) shortenWindow(ctx context.Context, cfg jetstream.StreamConfig) error {
	if cfg.Duplicates <= a.cfg.DuplicateWindow {
		return nil
	}
	cfg.Duplicates = a.cfg.DuplicateWindow
	if _, err := a.js.UpdateStream(ctx, cfg); err != nil {
		return fmt.Errorf("stream %s: shorten the duplicate window to %v: %w", a.cfg.Stream, a.cfg.DuplicateWindow, err)
	}
	return nil
}

// limitConsumers gives a stream created before ConsumerInactiveLimit
// existed that limit, after giving every consumer it has a threshold
// within it (the server refuses the limit while a consumer exceeds it, and
// a durable without a threshold would otherwise stay for good). Only the
// owner of the embedded server does this.
func (a *Archive) limitConsumers(ctx context.Context, cfg jetstream.StreamConfig) error {
	list := a.stream.ListConsumers(ctx)
	var infos []*jetstream.ConsumerInfo
	for info := range list.Info() {
		infos = append(infos, info)
	}
	if err := list.Err(); err != nil {
		return fmt.Errorf("stream %s: list consumers: %w", a.cfg.Stream, err)
	}
	for _, info := range infos {
		c := info.Config
		if c.InactiveThreshold > 0 && c.InactiveThreshold <= ConsumerInactiveLimit {
			continue
		}
		c.InactiveThreshold = ConsumerInactiveLimit
		if _, err := a.stream.UpdateConsumer(ctx, c); err != nil {
			return fmt.Errorf("stream %s: limit consumer %s to %v of inactivity: %w", a.cfg.Stream, info.Name, ConsumerInactiveLimit, err)
		}
	}
	cfg.ConsumerLimits.InactiveThreshold = ConsumerInactiveLimit
	if _, err := a.js.UpdateStream(ctx, cfg); err != nil {
		return fmt.Errorf("stream %s: set consumer limits: %w", a.cfg.Stream, err)
	}
	return nil
}

// CheckImmutable returns an ErrMutableStream error naming every setting of
// cfg that would let a stored event change or disappear. Some server
// options silently turn rollups on, so the archive checks what the server
// reports rather than what it asked for.
func CheckImmutable(cfg jetstream.StreamConfig) error {
	var bad []string
	check := func(ok bool, what string) {
		if !ok {
			bad = append(bad, what)
		}
	}
	check(cfg.DenyDelete, "deny_delete is false")
	check(cfg.DenyPurge, "deny_purge is false")
	check(!cfg.AllowRollup, "allow_rollup_hdrs is true")
	check(!cfg.AllowMsgTTL, "allow_msg_ttl is true")
	check(cfg.SubjectDeleteMarkerTTL == 0, "subject_delete_marker_ttl is set")
	check(!cfg.AllowMsgSchedules, "allow_msg_schedules is true")
	check(cfg.MaxAge == 0, "max_age is set")
	check(cfg.MaxMsgs <= 0 && cfg.MaxBytes <= 0 && cfg.MaxMsgsPerSubject <= 0, "a message or size limit is set")
	check(cfg.Storage == jetstream.FileStorage, "storage is not file")
	check(cfg.Retention == jetstream.LimitsPolicy, "retention is not limits")
	check(!cfg.Sealed, "stream is sealed (read-only)")
	if len(bad) > 0 {
		return fmt.Errorf("%w: stream %s: %s", ErrMutableStream, cfg.Name, strings.Join(bad, "; "))
	}
	return nil
}

// Close stops everything Open started: it closes the connection (see
// closeConn), shuts the embedded server down and releases the data dir. It returns what went
// wrong doing so; the archive is closed all the same.
func (a *Archive) Close() error {
	var errs []error
	if a.nc != nil {
		errs = append(errs, a.closeConn())
	}
	if a.ns != nil {
		a.ns.Shutdown() // it reports nothing; WaitForShutdown returns once it is down
		a.ns.WaitForShutdown()
	}
	if a.lock != nil {
		errs = append(errs, a.lock.release())
		a.lock = nil
	}
	return errors.Join(errs...)
}

// JetStream returns the JetStream context, for packages (server, tests)
// that need plain NATS access next to the archive.
func (a *Archive) JetStream() jetstream.JetStream { return a.js }

// Conn returns the NATS connection.
func (a *Archive) Conn() *nats.Conn { return a.nc }

// Server returns the embedded server, or nil when connected elsewhere.
func (a *Archive) Server() *server.Server { return a.ns }

// StreamName is the stream's name.
func (a *Archive) StreamName() string { return a.cfg.Stream }

// DataDir is the data dir in use.
func (a *Archive) DataDir() string { return a.cfg.DataDir }

// request bounds one request to the server by cfg.RequestTimeout.
func (a *Archive) request(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, a.cfg.RequestTimeout)
}
