package main

import (
	"context"
	"fmt"
	"time"

	"storyline/events"
)

// runNew prints a template line for a type, or lists the types.
func (m *Main) runNew(_ context.Context, args []string) error {
	var f events.Fill
	var zone zoneFlag
	fs := m.newFlagSet("new", "new [TYPE] [--org ORG] [--person PERSON] [--outlet OUTLET] [--text TEXT] [--tz ZONE]")
	stringFlags(fs, []stringFlag{
		{&f.Org, "org", "", "the org to put in the template"},
		{&f.Person, "person", "", "the person (or, for entity.described, the slug) to put in the template"},
		{&f.Holder, "holder", "", "the holder of a stake"},
		{&f.Outlet, "outlet", "", "the outlet that reported it"},
		{&f.Claim, "claim", "", "the claim a resolution settles (id or key)"},
		{&f.Event, "event", "", "the evidence of a resolution, or the record a withdrawal names (id or key)"},
		{&f.Text, "text", "", "the text: what was said, claimed, or the name described"},
		{&f.Lang, "lang", "", "the text's language tag (default en)"},
	})
	fs.Func("kind", "the kind an entity.described describes: person (default), org or outlet", func(v string) error {
		if !events.Kind(v).Valid() {
			return fmt.Errorf("unknown kind %q (want person|org|outlet)", v)
		}
		f.Kind = events.Kind(v)
		return nil
	})
	fs.Var(&zone, "tz", "write the times in this zone (default $STORY_TZ, $TZ, the system's)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := argCount("new", pos, 0, 1, "at most one TYPE"); err != nil {
		return err
	}
	if len(pos) == 0 {
		w := m.table()
		for _, c := range events.Catalog {
			fmt.Fprintf(w, "%s\t%s\n", c.Type, c.Summary)
		}
		w.Flush()
		_, err := fmt.Fprintln(m.Stdout, "\nstory new TYPE prints a line to fill in: the words in CAPITALS, the empty texts and the URL; docs/FORMAT.md has every field.")
		return err
	}
	zone.orZoneOf(m.localZone())
	line, err := events.Template(events.Type(pos[0]), f, time.Now(), zone.loc)
	if err != nil {
		return fmt.Errorf("new: %w", err)
	}
	_, err = fmt.Fprintln(m.Stdout, line)
	return err
}
