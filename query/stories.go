package query

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"storyline/events"
	"storyline/projections"
)

// StoryInfo is one story of the archive: how many events it holds and the
// time they span (valid time).
type StoryInfo struct {
	Story  string    `json:"story"`
	Events int       `json:"events"`
	From   time.Time `json:"from"`
	Until  time.Time `json:"until"`
}

// storyEngine is the archive seen through one story, rebuilt when events
// arrive after it was built.
type storyEngine struct {
	upTo uint64
	g    *Engine
}

// file records the stories e names or files others under.
func (g *Engine) file(e *events.Event) {
	for _, s := range e.Stories {
		g.fileAs(e.ID, s)
	}
	if f, ok := e.Data.(*events.Filing); ok {
		for _, id := range f.Events {
			g.fileAs(id, f.Story)
		}
	}
}

// fileAs files id under story.
func (g *Engine) fileAs(id, story string) {
	if g.filed == nil {
		g.filed, g.stories = map[string][]string{}, map[string]bool{}
	}
	g.filed[id] = appendNew(g.filed[id], story)
	g.stories[story] = true
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// members returns the entries of story, in stream order: those filed
// under it, and the descriptions of the entities they name (entities are
// shared by every story; a story shows those it names).
func (g *Engine) members(story string) []*projections.Entry {
	entries := g.inStreamOrder()
	named := map[string]bool{}
	for _, en := range entries {
		if slices.Contains(g.filed[en.Event.ID], story) {
			for _, id := range en.Event.Entities() {
				named[id] = true
			}
			named[g.x.OutletOf(en.Event)] = true
		}
	}
	return slices.DeleteFunc(entries, func(en *projections.Entry) bool {
		if slices.Contains(g.filed[en.Event.ID], story) {
			return false
		}
		d, ok := en.Event.Data.(*events.EntityDescription)
		return !ok || !named[d.ID]
	})
}

// storyView returns an engine holding only the events of story (and the
// entities all stories share), built anew once events have arrived since.
func (g *Engine) storyView(story string) (*Engine, error) {
	if !g.HasStory(story) {
		return nil, badParam("story", "no story %q in this archive (it holds: %s)", story, strings.Join(g.storyNames(), ", "))
	}
	g.subMu.Lock()
	defer g.subMu.Unlock()
	if se, ok := g.byStory[story]; ok && se.upTo == g.x.LastSeq() {
		return se.g, nil
	}
	sub := g.sub(g.members(story), g.x.LastSeq())
	if g.byStory == nil {
		g.byStory = map[string]*storyEngine{}
	}
	g.byStory[story] = &storyEngine{upTo: g.x.LastSeq(), g: sub}
	return sub, nil
}

// InStory reports whether the event id belongs to story.
func (g *Engine) InStory(id, story string) bool { return slices.Contains(g.filed[id], story) }

// Item is e, stored at seq, as the timeline view gives it: with its
// summary and its outlet's display name. The live feed sends it so.
func (g *Engine) Item(seq uint64, e *events.Event) projections.TimelineItem {
	return projections.TimelineItem{Seq: seq, Event: e, Summary: g.x.Summary(e), OutletName: g.x.OutletName(e)}
}

// HasStory reports whether the archive holds a story of that name.
func (g *Engine) HasStory(story string) bool { return g.stories[story] }

func (g *Engine) storyNames() []string {
	var names []string
	for s := range g.stories {
		names = append(names, s)
	}
	slices.Sort(names)
	if len(names) == 0 {
		return []string{"none: import with --story to file one"}
	}
	return names
}

// Stories lists the stories of the archive with their counts and spans.
func (g *Engine) Stories() []StoryInfo {
	by := map[string]*StoryInfo{}
	for _, en := range g.x.All() {
		if en.Event.Type.Archival() || en.Withdrawn() {
			continue
		}
		for _, s := range g.filed[en.Event.ID] {
			si, ok := by[s]
			if !ok {
				si = &StoryInfo{Story: s, From: en.Event.OccurredAt, Until: en.Event.OccurredAt}
				by[s] = si
			}
			si.Events++
			if en.Event.OccurredAt.Before(si.From) {
				si.From = en.Event.OccurredAt
			}
			if en.Event.OccurredAt.After(si.Until) {
				si.Until = en.Event.OccurredAt
			}
		}
	}
	out := make([]StoryInfo, 0, len(by))
	for _, si := range by {
		out = append(out, *si)
	}
	slices.SortFunc(out, func(a, b StoryInfo) int { return strings.Compare(a.Story, b.Story) })
	return out
}

// FilingFor returns the story.filed events that file ids under story:
// deterministic (sorted ids, times from the events), so that filing the
// same file twice stores it once. Large files get several, each within a
// line's size.
func FilingFor(story string, evs []events.Event) ([]events.Event, error) {
	if len(evs) == 0 {
		return nil, nil
	}
	ids := make([]string, len(evs))
	last := evs[0].ReportedAt
	for i, e := range evs {
		ids[i] = e.ID
		if e.ReportedAt.After(last) {
			last = e.ReportedAt
		}
	}
	slices.Sort(ids)
	var out []events.Event
	for chunk := range slices.Chunk(ids, 20000) {
		e := events.Event{Type: events.StoryFiled, OccurredAt: last, ReportedAt: last, Precision: events.PrecisionMinute,
			Source: events.Source{Outlet: "Storyline", Attribution: events.Archive}, Data: &events.Filing{Story: story, Events: chunk}}
		if err := e.Validate(); err != nil {
			return nil, fmt.Errorf("file under story %q: %w", story, err)
		}
		e.ID = e.DeriveID()
		out = append(out, e)
	}
	return out, nil
}
