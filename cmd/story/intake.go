package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"storyline/corpus"
	"storyline/query"

	"storyline/archive"
	"storyline/events"
	"storyline/projections"
)

// needsArchive reports whether settling a file needs what the archive
// holds: references by key or prefix, keys to check, or entities the file
// does not describe itself.
func needsArchive(ins []events.Input) bool {
	inFile := map[string]bool{}
	for _, in := range ins {
		if d, ok := in.Data.(*events.EntityDescription); ok {
			inFile[d.ID] = true
		}
	}
	for _, in := range ins {
		if in.Key != "" || len(in.Unresolved()) > 0 {
			return true
		}
		for _, id := range in.Entities() {
			if !inFile[id] {
				return true
			}
		}
	}
	return false
}

// settleInputs resolves the file's references and checks that every entity
// it names is described (unless allowUndescribed), against the archive's
// ids, keys and descriptions, read once when needed.
func settleInputs(ctx context.Context, a *archive.Archive, ins []events.Input, allowUndescribed bool) ([]events.Event, []error) {
	known := &events.IDs{}
	names := projections.NewIndex()
	if needsArchive(ins) {
		err := a.Records(ctx, 0, func(r archive.Record) error {
			if r.Err == nil {
				known.Add(&r.Event)
				if r.Event.Type == events.EntityDescribed {
					e := r.Event
					names.Add(r.Seq, &e)
				}
			}
			return nil
		})
		if err != nil {
			return nil, []error{fmt.Errorf("import: reading the archive's ids and entities: %w", err)}
		}
	}
	errs := events.Resolve(ins, known)
	if !allowUndescribed {
		for i := range ins {
			// Described in the file: a candidate for suggestions too.
			if ins[i].Type == events.EntityDescribed {
				names.Add(uint64(1<<40+i), &ins[i].Event)
			}
		}
		described := func(id string) bool { _, ok := names.Names().Entity(id); return ok }
		errs = append(errs, events.CheckDescribed(ins, described, suggester(names))...)
	}
	evs := make([]events.Event, len(ins))
	for i, in := range ins {
		evs[i] = in.Event
	}
	return evs, errs
}

// suggester names the described entities an unknown id may have meant.
func suggester(x *projections.Index) func(id string) string {
	return func(id string) string {
		got, err := x.Names().Resolve(id)
		if err == nil && got != id {
			return fmt.Sprintf("%s (%s)", got, x.Names().Name(got))
		}
		var re *projections.ResolveError
		if errors.As(err, &re) && len(re.Candidates) > 0 {
			return joinOr(re.Candidates)
		}
		return ""
	}
}

func joinOr(s []string) string {
	switch len(s) {
	case 1:
		return s[0]
	case 2:
		return s[0] + " or " + s[1]
	}
	return fmt.Sprintf("%s, … or %s", s[0], s[len(s)-1])
}

// filed puts before evs the story.filed events that file them under story
// ("" files nothing): watchers learn the membership before the events.
func filed(story string, evs []events.Event) ([]events.Event, error) {
	if story == "" {
		return evs, nil
	}
	filings, err := query.FilingFor(story, evs)
	if err != nil {
		return nil, err
	}
	return append(evs, filings...), nil
}

// bundledStory is the story the bundled file is filed under: its name.
func bundledStory() string {
	if files := corpus.Files(); len(files) == 1 {
		return strings.TrimSuffix(files[0], ".jsonl")
	}
	return ""
}
