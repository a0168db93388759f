package formats

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Entity is a FollowTheMoney entity: an id, a schema, and properties, each
// a list of strings.
type Entity struct {
	ID         string              `json:"id"`
	Schema     string              `json:"schema"`
	Properties map[string][]string `json:"properties"`
}

// FtMRequired lists each schema's required properties.
var FtMRequired = map[string][]string{
	"Person": {"name"}, "Organization": {"name"}, "Position": {"name"},
	"Directorship": {"director", "organization"}, "Occupancy": {"holder", "post"},
}

// Named is an entity of the archive as the entities view gives it.
type Named struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// step is a replay step as the views give it: the event and the changes.
type step struct {
	Item
	Changes []struct {
		View, Key, Item, Before, After string
	} `json:"changes"`
}

// open is an interval begun and not yet ended.
type open struct {
	start, source, publisher, value string
}

// FtM converts a replay answer (a JSON list of steps, or one per line, by
// occurred) and
// the entities answer into FollowTheMoney entities: seats as
// Directorships, roles as Occupancies of Positions, with the people and
// organisations they name, each interval with its start, its end when it
// ended, and the source that opened it. Times are UTC, to the precision the
// event has.
func FtM(replay, entities []byte) ([]Entity, error) {
	var names []Named
	if err := json.Unmarshal(entities, &names); err != nil {
		return nil, fmt.Errorf("entities answer: %w", err)
	}
	b := ftmBuilder{names: map[string]Named{}, seen: map[string]bool{}, seats: map[string]open{}, roles: map[string]open{}}
	for _, n := range names {
		b.names[n.ID] = n
	}
	steps, err := decodeList[step](replay, "replay")
	if err != nil {
		return nil, err
	}
	for _, s := range steps {
		b.step(s)
	}
	b.closeOpen()
	sort.Slice(b.out, func(i, j int) bool { return b.out[i].ID < b.out[j].ID })
	return b.out, nil
}

type ftmBuilder struct {
	names        map[string]Named
	seen         map[string]bool
	seats, roles map[string]open // "org\x00person" / "org\x00role" -> interval
	out          []Entity
}

func (b *ftmBuilder) step(s step) {
	when := ftmDate(s.OccurredAt, s.Precision)
	src, pub := s.Source.URL, cmpOr(s.OutletName, s.Source.Outlet)
	for _, c := range s.Changes {
		switch c.View {
		case "board": // item: the person; before/after: the seat
			b.move(b.seats, c.Key+"\x00"+c.Item, holders(c.Before), holders(c.After), when, src, pub, c.View, c.Key, c.Item)
		case "roles": // item: the role; before/after: its holders (a shared role has several)
			before, after := holders(c.Before), holders(c.After)
			for _, p := range before {
				b.move(b.roles, c.Key+"\x00"+c.Item+"\x00"+p, []string{p}, keep(after, p), when, src, pub, c.View, c.Key, c.Item)
			}
			for _, p := range after {
				if !contains(before, p) {
					b.move(b.roles, c.Key+"\x00"+c.Item+"\x00"+p, nil, []string{p}, when, src, pub, c.View, c.Key, c.Item)
				}
			}
		}
	}
}

// move ends the interval key had (unless its value stays) and opens the
// one it has now.
func (b *ftmBuilder) move(m map[string]open, key string, before, after []string, when, src, pub, view, org, item string) {
	if o, ok := m[key]; ok && len(before) > 0 && (len(after) == 0 || after[0] != o.value) {
		b.emit(view, org, item, o, when)
		delete(m, key)
	}
	if _, ok := m[key]; !ok && len(after) > 0 {
		m[key] = open{start: when, source: src, publisher: pub, value: after[0]}
	}
}

// holders are a change's values: one, or a shared role's several
// ("lee-wei, mei-tan"), without what the text adds ("… (interim)").
func holders(v string) []string {
	if v == "" {
		return nil
	}
	var out []string
	for _, h := range strings.Split(v, ", ") {
		h, _, _ = strings.Cut(h, " (")
		out = append(out, h)
	}
	return out
}

// keep is [p] when p is still among after, else nothing.
func keep(after []string, p string) []string {
	if contains(after, p) {
		return []string{p}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (b *ftmBuilder) closeOpen() {
	for _, m := range []struct {
		view string
		m    map[string]open
	}{{"board", b.seats}, {"roles", b.roles}} {
		for key, o := range m.m {
			parts := strings.Split(key, "\x00")
			b.emit(m.view, parts[0], parts[1], o, "")
		}
	}
}

// emit writes one interval: a seat (item: the person, value: the seat) or
// a role (item: the role, value: the person).
func (b *ftmBuilder) emit(view, org, item string, o open, end string) {
	props := map[string][]string{"startDate": {o.start}}
	if end != "" {
		props["endDate"] = []string{end}
	}
	if o.source != "" {
		props["sourceUrl"] = []string{o.source}
	}
	if o.publisher != "" {
		props["publisher"] = []string{o.publisher}
	}
	orgID := b.entity(org, "Organization")
	if view == "board" {
		props["director"], props["organization"], props["role"] = []string{b.entity(item, "Person")}, []string{orgID}, []string{o.value}
		b.add(Entity{ID: hashID("directorship", org, item, o.start), Schema: "Directorship", Properties: props})
		return
	}
	post := hashID("position", org, item)
	if !b.seen[post] {
		b.seen[post] = true
		title := strings.ReplaceAll(item, "_", " ")
		b.add(Entity{ID: post, Schema: "Position", Properties: map[string][]string{"name": {title + " of " + b.name(org)}, "organization": {orgID}}})
	}
	props["holder"], props["post"] = []string{b.entity(o.value, "Person")}, []string{post}
	b.add(Entity{ID: hashID("occupancy", org, item, o.value, o.start), Schema: "Occupancy", Properties: props})
}

// entity writes the Person or Organization id names once and returns its
// FtM id. An org named as a board member (an observer seat) is an
// Organization whatever the schema asked.
func (b *ftmBuilder) entity(id, schema string) string {
	if n, ok := b.names[id]; ok && n.Kind == "org" {
		schema = "Organization"
	}
	fid := strings.ToLower(schema) + "-" + id
	if !b.seen[fid] {
		b.seen[fid] = true
		b.add(Entity{ID: fid, Schema: schema, Properties: map[string][]string{"name": {b.name(id)}}})
	}
	return fid
}

func (b *ftmBuilder) name(id string) string { return cmpOr(b.names[id].Name, id) }

func (b *ftmBuilder) add(e Entity) { b.out = append(b.out, e) }

func hashID(parts ...string) string {
	h := sha1.Sum([]byte(strings.Join(parts, "\x00")))
	return parts[0] + "-" + hex.EncodeToString(h[:8])
}

// ftmDate is an ISO 8601 date as precise as the event: 2018, 2018-04,
// 2018-04-01, or a UTC date and time.
func ftmDate(rfc3339, precision string) string {
	t, err := time.Parse(time.RFC3339Nano, rfc3339)
	if err != nil {
		return ""
	}
	switch precision {
	case "year":
		return t.Format("2006")
	case "month":
		return t.Format("2006-01")
	case "day":
		return t.Format("2006-01-02")
	}
	return t.UTC().Format("2006-01-02T15:04:05")
}
