// Command story is Storyline's command line: it imports, publishes, queries,
// replays, verifies and serves an archive of how a news story developed.
// It parses flags, calls the packages that do the work, and prints.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"storyline/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	m := NewMain()
	err := m.Run(ctx, os.Args[1:])
	stop()
	reportErr(os.Stderr, err)
	os.Exit(exitCode(err))
}

// reportErr writes the error a command ended with, unless it was already
// reported or was the answer to -h.
func reportErr(w io.Writer, err error) {
	if err != nil && !errors.Is(err, errSilent) && !errors.Is(err, errHelp) {
		fmt.Fprintln(w, "story:", err)
	}
}

// Main is one run of the command, with its streams and environment as
// fields so tests can run it in process.
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// StderrIsTerminal turns on progress output.
	StderrIsTerminal bool
	// Local is the system's zone, the last default of the display zone
	// (see localZone); nil is UTC.
	Local *time.Location
}

// NewMain returns a Main on the process's streams.
func NewMain() *Main {
	fi, err := os.Stderr.Stat()
	return &Main{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv,
		StderrIsTerminal: err == nil && fi.Mode()&os.ModeCharDevice != 0,
		Local:            time.Local,
	}
}

type command struct {
	run     func(m *Main, ctx context.Context, args []string) error
	summary string
}

var commands map[string]command

func init() {
	commands = map[string]command{
		"demo":          {(*Main).runDemo, "import the bundled story and replay it on screen"},
		"import":        {(*Main).runImport, "append events from .jsonl files (no file: the bundled story)"},
		"export":        {(*Main).runExport, "write the whole archive as JSON Lines"},
		"publish":       {(*Main).runPublish, "store one event from flags or stdin"},
		"ingest-report": {(*Main).runIngestReport, "store a raw article as report.published, its text repaired"},
		"verify":        {(*Main).runVerify, "check every record and the hash chain"},
		"quarantine":    {(*Main).runQuarantine, "list stored records kept out of the views, with the reason for each"},
		"info":          {(*Main).runInfo, "show the stream's state"},
		"gen":           {(*Main).runGen, "write a synthetic story of any size as .jsonl"},
		"replay":        {(*Main).runReplay, "the story event by event with the view changes each causes"},
		"serve":         {(*Main).runServe, "run the archive as a server: NATS, projectors, KV views, micro service, HTTP"},
		"watch":         {(*Main).runWatch, "print events (and view changes) as they are stored"},
		"bench":         {(*Main).runBench, "measure import, rebuild, queries and watch against plain JetStream"},
		"site":          {(*Main).runSite, "write a static copy of the page that answers any moment with no server (WebAssembly)"},
		"schema":        {(*Main).runSchema, "print the JSON Schema of an event line (docs/event.schema.json)"},
		"new":           {(*Main).runNew, "print a template event line of a type to fill in (no type: list the types)"},
		"auth":          {(*Main).runAuth, "create the identities of access control: auth init FILE (for serve --auth)"},
	}
	for name, c := range viewCommands {
		commands[name] = c
	}
}

// Run runs the command named by args[0].
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		m.usage(m.Stdout)
		if len(args) == 0 {
			return usageErr("no command given")
		}
		return nil
	}
	globals, args, err := leadingGlobals(args)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		m.usage(m.Stderr)
		return usageErr("no command given after " + strings.Join(globals, " "))
	}
	c, ok := commands[args[0]]
	if !ok {
		return usageErr(fmt.Sprintf("unknown command %q (try: story help)", args[0]))
	}
	// Global flags given before the command are the command's own flags:
	// every command parses flags before and after its positional arguments.
	out := &stickyWriter{w: m.Stdout}
	run := *m
	run.Stdout = out
	err = c.run(&run, ctx, append(globals, args[1:]...))
	if err == nil && out.err != nil {
		err = fmt.Errorf("%s: writing the output: %w", args[0], out.err)
	}
	return err
}

// stickyWriter keeps the first error of the writer it wraps and writes
// nothing after it: the printers write to it freely and Run reports the
// error once (errcheck.excludes relies on this).
type stickyWriter struct {
	w   io.Writer
	err error
}

func (s *stickyWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.w.Write(p)
	s.err = err
	return n, err
}

// closing closes c as a command ends; its error becomes the command's
// when the command had none. Use it deferred, with a named result:
// defer closing(a, &err).
func closing(c io.Closer, err *error) {
	if cerr := c.Close(); cerr != nil && *err == nil {
		*err = cerr
	}
}

// globalValueFlags are the global flags that take a value; lazy-sync is the
// one that does not.
var globalValueFlags = map[string]bool{
	"data-dir": true, "nats-url": true, "creds": true, "replicas": true,
	"auth": true, "as": true, "tls-ca": true, "wait": true, "lazy-sync": false,
}

// leadingGlobals splits the global flags written before the command name
// (`story --data-dir D board`) from the rest of args.
func leadingGlobals(args []string) (globals, rest []string, err error) {
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && args[0] != "-" && args[0] != "--" {
		name, _, hasValue := strings.Cut(strings.TrimLeft(args[0], "-"), "=")
		takesValue, known := globalValueFlags[name]
		if !known {
			return nil, nil, usageErr(fmt.Sprintf("%s: not a global flag; write the command first (try: story help)", args[0]))
		}
		n := 1
		if takesValue && !hasValue {
			if len(args) < 2 {
				return nil, nil, usageErr(fmt.Sprintf("%s: flag needs a value", args[0]))
			}
			n = 2
		}
		globals = append(globals, args[:n]...)
		args = args[n:]
	}
	return globals, args, nil
}

func (m *Main) usage(w io.Writer) {
	fmt.Fprintln(w, "usage: story COMMAND [flags] [args]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-14s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nglobal flags, before or after the command: --data-dir DIR, --nats-url URL (env NATS_URL), --creds FILE,")
	fmt.Fprintln(w, "  --replicas 1|3, --lazy-sync, --auth FILE --as reader|writer (env STORY_AUTH, STORY_AS), --tls-ca FILE,")
	fmt.Fprintln(w, "  --wait 30s (for a story serve that is starting)")
	fmt.Fprintln(w, "run `story COMMAND -h` for a command's flags")
}

// errSilent marks an error already reported on stderr.
var errSilent = errors.New("")

// usageError is bad input: exit code 1.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErr(msg string) error { return &usageError{msg} }

// exitCode maps an error to the exit codes of DESIGN.md: 0 success, 1 bad
// input (or any other failure), 2 server unreachable (or, for serve, its
// address taken), as the one error map (server.Classify) has them.
func exitCode(err error) int {
	if err == nil || errors.Is(err, errHelp) {
		return 0
	}
	return server.Classify(err).Exit
}

func joinLines(errs []error) string {
	var b strings.Builder
	for _, e := range errs {
		b.WriteString(e.Error())
		b.WriteByte('\n')
	}
	return b.String()
}
