package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"storyline/archive"
	"storyline/events"
	"storyline/server"
)

// globalFlags are the connection flags every command takes.
type globalFlags struct {
	dataDir  string
	natsURL  string
	creds    string
	replicas int
	lazy     bool
	auth     string // auth file of `story auth init`
	as       string // the identity of auth to connect as
	tlsCA    string
	wait     time.Duration // how long to wait for a serve that is starting
}

func (m *Main) registerGlobal(fs *flag.FlagSet, g *globalFlags) {
	fs.StringVar(&g.dataDir, "data-dir", "", "archive directory (default $XDG_DATA_HOME/storyline or ~/.local/share/storyline)")
	fs.StringVar(&g.natsURL, "nats-url", m.Getenv("NATS_URL"), "use this NATS server or cluster instead of the embedded one (env NATS_URL)")
	fs.StringVar(&g.creds, "creds", m.Getenv("NATS_CREDS"), "NATS credentials file (env NATS_CREDS)")
	fs.IntVar(&g.replicas, "replicas", 1, "stream replicas when creating it on a cluster: 1 or 3")
	fs.BoolVar(&g.lazy, "lazy-sync", false, "embedded server: do not fsync every write (faster; an OS crash can lose acknowledged events)")
	fs.StringVar(&g.auth, "auth", m.Getenv("STORY_AUTH"), "auth FILE written by story auth init: serve admits only its users; other commands log in as --as (env STORY_AUTH)")
	fs.StringVar(&g.as, "as", cmp.Or(m.Getenv("STORY_AS"), server.RoleReader), "with --auth: the identity to log in as, reader or writer (env STORY_AS)")
	fs.StringVar(&g.tlsCA, "tls-ca", m.Getenv("STORY_TLS_CA"), "CA certificate (PEM) to trust when serve runs with --tls-cert (default: the system's; env STORY_TLS_CA)")
	fs.DurationVar(&g.wait, "wait", 30*time.Second, "how long to wait for a story serve that is starting (it holds the data dir) before giving up")
}

// connConfig is config with the identity --auth and --as give and the CA
// of --tls-ca: what a client of a running serve connects with.
func (g *globalFlags) connConfig() (archive.Config, error) {
	cfg := g.config()
	if g.auth != "" {
		f, err := server.LoadAuthFile(g.auth)
		if err != nil {
			return cfg, usageErr(err.Error())
		}
		pw, err := f.Password(g.as)
		if err != nil {
			return cfg, usageErr(fmt.Sprintf("--as %s: %v", g.as, err))
		}
		cfg.User, cfg.Password = g.as, pw
	}
	if g.tlsCA != "" {
		if _, err := os.Stat(g.tlsCA); err != nil {
			return cfg, usageErr(fmt.Sprintf("--tls-ca: %v", err))
		}
		cfg.CAFile = g.tlsCA
	}
	return cfg, nil
}

func (g *globalFlags) config() archive.Config {
	return archive.Config{DataDir: g.dataDir, NATSURL: g.natsURL, Creds: g.creds, Replicas: g.replicas, LazySync: g.lazy}
}

// open opens the archive: through the running `story serve` of the data
// dir when there is one (it holds the data dir), else in process. While
// serve starts, it waits for it (--wait), saying so on stderr.
func (m *Main) open(ctx context.Context, g *globalFlags) (*archive.Archive, error) {
	cfg, err := g.connConfig()
	if err != nil {
		return nil, err
	}
	var a *archive.Archive
	err = m.await(ctx, g, func() (err error) {
		a, err = server.OpenArchive(ctx, cfg)
		return err
	})
	return a, err
}

// await runs try, waiting while a serve starts (see server.Await).
func (m *Main) await(ctx context.Context, g *globalFlags, try func() error) error {
	return server.Await(ctx, g.wait, func(why error) {
		fmt.Fprintf(m.Stderr, "story: waiting up to %v (--wait) for the archive: %v\n", g.wait, why)
	}, try)
}

// openChecked is open for the commands that read the views or add to the
// archive; see checkLocal.
func (m *Main) openChecked(ctx context.Context, g *globalFlags) (*archive.Archive, error) {
	a, err := m.open(ctx, g)
	if err != nil {
		return nil, err
	}
	if err := checkLocal(ctx, a); err != nil {
		return nil, errors.Join(err, a.Close())
	}
	return a, nil
}

// checkLocal runs the archive's cheap check on an archive opened in
// process, because JetStream serves a truncated stream as if it were whole:
// answers from it would be silently wrong, and new events would extend a
// broken chain. (A running serve checked its archive when it started.)
func checkLocal(ctx context.Context, a *archive.Archive) error {
	if a.Server() == nil {
		return nil
	}
	if _, err := a.Check(ctx); err != nil {
		if errors.Is(err, archive.ErrCorrupt) {
			return fmt.Errorf("%w\n`story verify` names the first bad sequence; `story export --salvage` writes out what can still be read", err)
		}
		return err
	}
	return nil
}

// newFlagSet returns a flag set that reports errors instead of exiting.
// Its Usage prints the flag list on stdout; parse calls it for -h only.
func (m *Main) newFlagSet(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(m.Stdout, "usage: story %s\n\nflags:\n", usage)
		fs.SetOutput(m.Stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// errHelp stops a command after its -h was answered: exit 0.
var errHelp = errors.New("help shown")

// parse parses args, allowing flags before and after positional arguments
// (the standard flag package stops at the first positional one), and
// returns the positional arguments. A bad flag is one line of error; the
// flag package would print the whole flag list after it, so its Usage is
// silenced while parsing and called only for -h.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	usage := fs.Usage
	fs.Usage = func() {}
	defer func() { fs.Usage = usage }()
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				usage()
				return nil, errHelp
			}
			return nil, usageErr(fmt.Sprintf("%s: %v (see story %s -h)", fs.Name(), err, fs.Name()))
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// timeFlag is a flag holding a time typed by a person (see events.ParseTime).
type timeFlag struct {
	t   time.Time
	set bool
	loc *time.Location // the zone of a time typed without one (nil: UTC)
}

func (f *timeFlag) String() string {
	if !f.set {
		return ""
	}
	return f.t.Format(time.RFC3339)
}

func (f *timeFlag) Set(s string) error {
	t, err := events.ParseTimeIn(s, time.Now(), f.loc)
	if err != nil {
		return err
	}
	f.t, f.set = t, true
	return nil
}

// zoneFlag is the zone to show times in (--tz).
type zoneFlag struct{ loc *time.Location }

func (f *zoneFlag) String() string {
	if f.loc == nil {
		return ""
	}
	return f.loc.String()
}

func (f *zoneFlag) Set(s string) error {
	l, err := events.ParseZone(s)
	if err != nil {
		return err
	}
	f.loc = l
	return nil
}

// orZoneOf sets the zone to the one the first set time was typed in, unless
// --tz chose one: "--at '2023-11-20 12:00 HKT'" shows HKT; with none set,
// to def (the user's zone, see Main.localZone).
func (f *zoneFlag) orZoneOf(def *time.Location, times ...*timeFlag) {
	for _, t := range times {
		if f.loc == nil && t.set {
			f.loc = t.t.Location()
		}
	}
	if f.loc == nil {
		f.loc = def
	}
}

// localZone is the zone times are shown in and typed times without a
// zone are read in: $STORY_TZ, else $TZ, else the system's (Main.Local).
// A zone word the variables hold that is not known is passed over.
func (m *Main) localZone() *time.Location {
	for _, v := range []string{"STORY_TZ", "TZ"} {
		if z := m.Getenv(v); z != "" {
			if l, err := events.ParseZone(z); err == nil {
				return l
			}
		}
	}
	if m.Local != nil {
		return m.Local
	}
	return time.UTC
}

// inZone makes the time flags read times typed without a zone in loc.
func inZone(loc *time.Location, times ...*timeFlag) {
	for _, t := range times {
		t.loc = loc
	}
}

func argCount(name string, pos []string, lo, hi int, what string) error {
	if len(pos) < lo || len(pos) > hi {
		return usageErr(fmt.Sprintf("%s: want %s, got %d argument(s): %s", name, what, len(pos), strings.Join(pos, " ")))
	}
	return nil
}

// stringFlag is a string flag: where its value goes, its name, its default
// and its help.
type stringFlag struct {
	p                  *string
	name, value, usage string
}

// stringFlags defines a table of string flags on fs.
func stringFlags(fs *flag.FlagSet, flags []stringFlag) {
	for _, f := range flags {
		fs.StringVar(f.p, f.name, f.value, f.usage)
	}
}
