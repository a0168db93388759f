package table

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Column is one column: its header and where its value is in a row's
// JSON (fields joined by "."). Time columns are shown in the display zone.
type Column struct {
	Name string
	Path string // "a|b": the first of them the row has
	Time bool
	// Prec names the row's field giving the time's precision: a time
	// known to the day, month or year is written as that date, on the
	// calendar of its own offset (2023-11-19, 2018-04), not converted.
	Prec string
}

// Part is a list of rows in the answer: the JSON field holding them (""
// for an answer that is itself the list, or one row per JSON line), and
// the label its rows carry in the first column when a view has several.
type Part struct {
	Field string
	Label string
}

// Spec is how a view's answer is laid out.
type Spec struct {
	Parts   []Part
	Columns []Column
}

func t(name, path string) Column { return Column{Name: name, Path: path, Time: true} }

// tp is a time column whose precision the row gives in prec.
func tp(name, path, prec string) Column {
	return Column{Name: name, Path: path, Time: true, Prec: prec}
}
func c(name string) Column { return Column{Name: name, Path: name} }

// Views lays out every view that answers with rows.
var Views = map[string]Spec{
	"board": {Parts: []Part{{"members", "member"}, {"observers", "observer"}},
		Columns: []Column{c("seat"), c("person"), c("name"), tp("since", "since", "since_precision"), c("since_precision"), c("event")}},
	"roles": {Parts: []Part{{Field: "roles"}},
		Columns: []Column{c("role"), c("person"), c("name"), c("interim"), tp("since", "since", "since_precision"), c("since_precision"), c("event")}},
	"status": {Parts: []Part{{"positions", "position"}, {"seats", "seat"}, {"announced", "announced"}, {"former", "former"}, {"recent", "recent event"}},
		Columns: []Column{c("org"), c("org_name"), c("role"), c("seat"), c("interim"), c("how"),
			tp("since", "since|occurred_at", "since_precision|occurred_precision"), {Name: "since_precision", Path: "since_precision|occurred_precision"},
			tp("until", "until", "until_precision"), c("until_precision"), t("announced_at", "at"), tp("effective", "effective", "precision"),
			{Name: "text", Path: "text|summary"}, {Name: "outlet", Path: "outlet_name"}, {Name: "url", Path: "source.url"}, {Name: "event", Path: "event|id"}}},
	"timeline": {Parts: []Part{{}},
		Columns: []Column{c("seq"), c("id"), tp("occurred_at", "occurred_at", "occurred_precision"), c("occurred_precision"), t("reported_at", "reported_at"), c("type"),
			c("summary"), {Name: "outlet", Path: "outlet_name"}, {Name: "attribution", Path: "source.attribution"}, {Name: "url", Path: "source.url"}}},
	"claims": {Parts: []Part{{Field: "claims"}},
		Columns: []Column{c("id"), tp("reported_at", "reported_at", "precision"), c("precision"), c("outlet"), c("outlet_name"), c("attribution"), c("outcome"),
			c("lead_hours"), c("lead_max_hours"), c("text"), {Name: "original", Path: "original.id"}, c("settled_by"), t("settled_at", "settled_at"), c("url")}},
	"sources": {Parts: []Part{{Field: "sources"}},
		Columns: []Column{c("outlet"), c("name"), c("events"), c("reports"), c("claims"), c("confirmed"), c("refuted"), c("partly"), c("unresolved"),
			c("open"), c("relayed"), c("carried"), c("median_lead_hours"), c("anonymous_share")}},
	"stakes": {Parts: []Part{{Field: "stakes"}},
		Columns: []Column{c("holder"), c("name"), c("amount"), c("currency"), tp("since", "since", "since_precision"), c("since_precision"), c("outlet"), c("note"), c("event")}},
	"diff": {Parts: []Part{{"during", "during"}, {"changes", "net"}},
		Columns: []Column{t("at", "at"), c("view"), c("key"), c("item"), c("before"), c("after"), c("text")}},
	"stories": {Parts: []Part{{}},
		Columns: []Column{c("story"), c("events"), t("from", "from"), t("until", "until")}},
}

// ErrNoTable: the view has no rows to lay out.
var ErrNoTable = errors.New("no table for this view")

// Header is the header row of view: the part label first when the view
// has several parts.
func Header(view string) ([]string, error) {
	spec, ok := Views[view]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrNoTable, view)
	}
	var h []string
	if len(spec.Parts) > 1 {
		h = append(h, "part")
	}
	for _, col := range spec.Columns {
		h = append(h, col.Name)
	}
	return h, nil
}

// Rows lays answer (JSON: one value, or one value per line) out as the
// rows of view, times in loc.
func Rows(view string, answer []byte, loc *time.Location) ([][]string, error) {
	spec, ok := Views[view]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrNoTable, view)
	}
	values, err := decodeAll(answer)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", view, err)
	}
	var rows [][]string
	for _, part := range spec.Parts {
		for _, item := range items(values, part.Field) {
			var row []string
			if len(spec.Parts) > 1 {
				row = append(row, part.Label)
			}
			for _, col := range spec.Columns {
				v := Lookup(item, col.Path)
				if prec, _ := Lookup(item, col.Prec).(string); col.Prec != "" && coarse(prec) {
					row = append(row, onCalendar(v, prec))
					continue
				}
				row = append(row, cell(v, col.Time, loc))
			}
			rows = append(rows, row)
		}
	}
	return rows, nil
}

// WriteCSV writes the header and rows of view as RFC 4180 CSV.
func WriteCSV(w io.Writer, view string, answer []byte, loc *time.Location) error {
	h, err := Header(view)
	if err != nil {
		return err
	}
	rows, err := Rows(view, answer, loc)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(h); err != nil {
		return err
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("write %s CSV: %w", view, err)
	}
	return nil
}

func decodeAll(b []byte) ([]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out []any
	for {
		var v any
		err := dec.Decode(&v)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
}

// items are the rows of one part: the elements of field in the answer,
// the answer's own elements when it is a list, or its lines.
func items(values []any, field string) []any {
	if field != "" {
		if len(values) == 0 {
			return nil
		}
		list, _ := Lookup(values[0], field).([]any)
		return list
	}
	if len(values) == 1 {
		if list, ok := values[0].([]any); ok {
			return list
		}
	}
	return values
}

// Lookup is the value at path ("a.b") in v, a decoded JSON value; of
// alternatives ("a|b"), the first that is there.
func Lookup(v any, path string) any {
	if path == "" {
		return nil
	}
	for _, alt := range strings.Split(path, "|") {
		w := v
		for _, f := range strings.Split(alt, ".") {
			m, ok := w.(map[string]any)
			if !ok {
				w = nil
				break
			}
			w = m[f]
		}
		if w != nil && w != "" {
			return w
		}
	}
	return nil
}

func coarse(prec string) bool { return prec == "day" || prec == "month" || prec == "year" }

// onCalendar writes a time known to the day, month or year as that date,
// on the calendar of its own offset.
func onCalendar(v any, prec string) string {
	s, _ := v.(string)
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return tm.Format(map[string]string{"day": "2006-01-02", "month": "2006-01", "year": "2006"}[prec])
}

// cell writes a value as a spreadsheet reads it.
func cell(v any, isTime bool, loc *time.Location) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		if isTime && loc != nil {
			if tm, err := time.Parse(time.RFC3339Nano, x); err == nil {
				return tm.In(loc).Format(time.RFC3339)
			}
		}
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = cell(e, false, loc)
		}
		return strings.Join(parts, "; ")
	}
	b, _ := json.Marshal(v) // decoded from JSON, it encodes again: an object in a cell is its JSON
	return string(b)
}

// Names lists the views that have a table, sorted.
func Names() []string {
	out := make([]string, 0, len(Views))
	for v := range Views {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}
