package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"storyline/query"
	"time"

	"storyline/archive"
	"storyline/events"
	"storyline/projections"
	"storyline/quarantine"
	"storyline/replay"
)

func (m *Main) runWatch(ctx context.Context, args []string) error {
	var g globalFlags
	fs := m.newFlagSet("watch", "watch [--entity E] [--type T] [--from-seq N] [--json]")
	m.registerGlobal(fs, &g)
	entity := fs.String("entity", "", "only events naming this entity (id, alias or prefix) anywhere")
	typ := fs.String("type", "", "only events of this type")
	story := fs.String("story", "", "only events of this story (filed before them, as import --story does)")
	fromSeq := fs.Uint64("from-seq", 0, "start at this stream sequence (default: only new events)")
	asJSON := fs.Bool("json", false, "one event per line as JSON, with its seq")
	var q queryFlags
	fs.Var(&q.zone, "tz", "show times in this zone: PT, HKT, +08:00, Asia/Shanghai (default $STORY_TZ, $TZ, the system's)")
	pos, err := parse(fs, args)
	q.zone.orZoneOf(m.localZone())
	if err != nil {
		return err
	}
	if err := argCount("watch", pos, 0, 0, "no arguments"); err != nil {
		return err
	}
	if *typ != "" && !events.Type(*typ).Valid() {
		return usageErr(fmt.Sprintf("watch: --type %q is not an event type", *typ))
	}
	a, err := m.openChecked(ctx, &g)
	if err != nil {
		return err
	}
	defer a.Close()
	want := *entity
	if want != "" {
		if want, err = m.resolveEntity(ctx, a, want); err != nil {
			return err
		}
	}
	// The views as they stand, so each new event can be shown with the
	// changes it makes to them.
	x := projections.NewIndex()
	info, err := a.Info(ctx)
	if err != nil {
		return err
	}
	start := *fromSeq
	if start == 0 {
		start = info.LastSeq + 1
	}
	// Records are screened as the views screen them, so junk another
	// client published is reported, never shown as an event.
	screen := quarantine.Over(func(id string) (quarantine.Ref, bool) {
		en, ok := x.Get(id)
		if !ok {
			return quarantine.Ref{}, false
		}
		return quarantine.RefOf(en.Seq, en.Event), true
	})
	// chain is the chain value of the newest stored event read: every new
	// one must continue it. A reconnect can land on another archive's
	// server that took over the address; its records do not.
	var chain string
	if err := a.Records(ctx, 1, func(r archive.Record) error {
		if r.Seq >= start {
			return errStopRead
		}
		if r.Chain != "" {
			chain = r.Chain
		}
		if sr := r.ForScreen(); screen.Check(sr) == nil {
			x.Add(r.Seq, sr.Event)
		}
		return nil
	}); err != nil && err != errStopRead {
		return err
	}
	if !*asJSON {
		fmt.Fprintf(m.Stderr, "watching from seq %d (Ctrl-C to stop)\n", start)
		if start > info.LastSeq+1 {
			fmt.Fprintf(m.Stderr, "the archive ends at seq %d: nothing is shown until seq %d is stored\n", info.LastSeq, start)
		}
	}
	var shown uint64
	members := storyMembers{of: map[string][]string{}, held: map[string]heldEvent{}}
	show := watchPrinter(m, &q, x, *typ, want, *asJSON)
	return a.Watch(ctx, start, func(r archive.Record) error {
		if r.Chain != "" {
			if archive.Chain(chain, r.Data) != r.Chain {
				return fmt.Errorf("watch: %w: seq %d does not continue the hash chain of the records before it: the server now answering is serving another archive (or the record is forged); stopped after seq %d",
					archive.ErrOtherArchive, r.Seq, max(shown, start-1))
			}
			chain = r.Chain
		}
		shown = r.Seq
		sr := r.ForScreen()
		if q := screen.Check(sr); q != nil {
			fmt.Fprintf(m.Stderr, "seq %d: quarantined (%s): %s\n", r.Seq, q.Class, q.Reason)
			return nil
		}
		e := sr.Event
		changes := replay.Track(x, r.Seq, e, time.Now())
		if *story != "" {
			// An import files its events after storing them: those held
			// here are shown when their filing arrives.
			for _, h := range members.take(e, *story) {
				if err := show(h.seq, h.e, h.changes); err != nil {
					return err
				}
			}
			if !members.in(e, *story) {
				members.hold(r.Seq, e, changes)
				return nil
			}
		}
		return show(r.Seq, e, changes)
	})
}

// watchPrinter prints what watch shows of one event, as text or as
// replay's JSON line.
func watchPrinter(m *Main, q *queryFlags, x *projections.Index, typ, want string, asJSON bool) func(uint64, *events.Event, []replay.Change) error {
	return func(seq uint64, e *events.Event, changes []replay.Change) error {
		if typ != "" && string(e.Type) != typ || want != "" && !names(e, want) {
			return nil
		}
		if asJSON {
			// The same line as replay --json: the event, its summary and
			// the view changes it caused.
			b, err := json.Marshal(query.StepJSON{Item: projections.TimelineItem{Seq: seq, Event: e, Summary: x.Summary(e), OutletName: x.OutletName(e)}, Changes: nonNilChanges(changes)})
			if err != nil {
				return fmt.Errorf("watch: seq %d: %w", seq, err)
			}
			_, err = m.Stdout.Write(append(b, '\n'))
			return err
		}
		if _, err := fmt.Fprintf(m.Stdout, "%6d  %s  %s  [%s]\n", seq, when(q, e.OccurredAt.Format(time.RFC3339), string(e.Precision)), x.Summary(e), x.OutletName(e)); err != nil {
			return err
		}
		for _, c := range changes {
			fmt.Fprintf(m.Stdout, "        ↳ %s\n", c.Text)
		}
		return nil
	}
}

// storyMembers is what a watch has seen of the stories events belong to,
// and the recent events it holds until a filing says whether they belong.
type storyMembers struct {
	of   map[string][]string
	held map[string]heldEvent
}

type heldEvent struct {
	seq     uint64
	e       *events.Event
	changes []replay.Change
}

// maxHeld bounds the events a watch holds for a filing to come.
const maxHeld = 10000

func (sm storyMembers) hold(seq uint64, e *events.Event, changes []replay.Change) {
	if len(sm.held) < maxHeld {
		sm.held[e.ID] = heldEvent{seq, e, changes}
	}
}

// take notes a filing and returns the held events it files under story,
// in stream order.
func (sm storyMembers) take(e *events.Event, story string) []heldEvent {
	f, ok := e.Data.(*events.Filing)
	if !ok {
		return nil
	}
	var out []heldEvent
	for _, id := range f.Events {
		sm.of[id] = append(sm.of[id], f.Story)
		if h, ok := sm.held[id]; ok && f.Story == story {
			out = append(out, h)
			delete(sm.held, id)
		}
	}
	slices.SortFunc(out, func(a, b heldEvent) int { return cmp.Compare(a.seq, b.seq) })
	return out
}

func (sm storyMembers) in(e *events.Event, story string) bool {
	return slices.Contains(e.Stories, story) || slices.Contains(sm.of[e.ID], story)
}

func nonNilChanges(c []replay.Change) []replay.Change {
	if c == nil {
		return []replay.Change{}
	}
	return c
}

func names(e *events.Event, entity string) bool {
	for _, x := range e.Entities() {
		if x == entity {
			return true
		}
	}
	return false
}

var errStopRead = errors.New("stop")
