package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"storyline/server"
)

func (m *Main) runAuth(_ context.Context, args []string) error {
	const usage = "auth init FILE [--force]"
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintf(m.Stderr, "usage: story %s\n\ncreates an auth file for `story serve --auth FILE`: the identities writer, reader and internal, each with a random password\n", usage)
		if len(args) == 0 {
			return usageErr("auth: want a subcommand: init")
		}
		return nil
	}
	if args[0] != "init" {
		return usageErr(fmt.Sprintf("auth: unknown subcommand %q (want: %s)", args[0], usage))
	}
	fs := m.newFlagSet("auth init", usage)
	force := fs.Bool("force", false, "replace an existing file: new passwords for every identity")
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	if err := argCount("auth init", pos, 1, 1, "one FILE"); err != nil {
		return err
	}
	path := pos[0]
	if err := server.NewAuthFile().Write(path, *force); err != nil {
		if errors.Is(err, os.ErrExist) {
			return usageErr("auth init: " + err.Error())
		}
		return fmt.Errorf("auth init: %w", err)
	}
	shown := path
	if abs, err := filepath.Abs(path); err == nil {
		shown = abs
	}
	fmt.Fprintf(m.Stdout, `created %s (mode 0600) with three identities, each with a new random password:
  writer    import and publish events, and all a reader may do
  reader    replay, query and watch; cannot publish, purge, delete or change the stream
  internal  story serve itself (full rights)
The passwords are stored in plain text, as in a NATS creds file: keep the file private.
A copy holding only the reader entry can be given to someone who may only read.

  story serve --auth %[1]s
  story board --org ORG --auth %[1]s --as reader
  story import FILE.jsonl --auth %[1]s --as writer
  nats --user reader --password "$(jq -r .users.reader.password %[1]s)" stream info STORY
`, shown)
	return nil
}
