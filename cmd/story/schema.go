package main

import (
	"context"
	"encoding/json"
	"fmt"

	"storyline/events"
)

// runSchema prints the JSON Schema of an event line.
func (m *Main) runSchema(_ context.Context, args []string) error {
	fs := m.newFlagSet("schema", "schema")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := argCount("schema", pos, 0, 0, "no arguments"); err != nil {
		return err
	}
	b, err := json.MarshalIndent(events.Schema(), "", "  ")
	if err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	_, err = fmt.Fprintf(m.Stdout, "%s\n", b)
	return err
}
