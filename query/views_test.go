package query_test

import (
	"encoding/json"
	"errors"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"storyline/query"
	"storyline/query/querytest"
)

// TestEveryViewAnswersWithItsType asks every view of the table, with its
// required parameters, and checks the answer is of the type its entry
// says.
func TestEveryViewAnswersWithItsType(t *testing.T) {
	g := engine(t)
	given := map[string]string{"org": "halvorsen", "person": "lee-wei", "from": "2024-02-01", "to": "2024-03-05"}
	views := query.Views().All()
	if len(views) < 12 {
		t.Fatalf("%d views in the table", len(views))
	}
	for _, v := range views {
		req := query.Request{View: v.Name, KnownAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
		for _, p := range v.Params {
			if p.Required {
				if err := req.Set(p.Name, given[p.Name]); err != nil || given[p.Name] == "" {
					t.Fatalf("%s: no value for its required %s (%v)", v.Name, p.Name, err)
				}
			}
		}
		got, err := g.Answer(req)
		if err != nil {
			t.Errorf("%s: %v", v.Name, err)
			continue
		}
		if v.Type == nil || reflect.TypeOf(got) != v.Type {
			t.Errorf("%s answered a %T; its entry says %v", v.Name, got, v.Type)
		}
		if v.Summary == "" || v.Schema == nil {
			t.Errorf("%s has no summary or no schema", v.Name)
		}
	}
}

// TestCatalogWith: a view added to a copy of the table is answered by an
// engine of that table, with the checks every view gets, and not by one
// of the table it was copied from; a bad entry is refused.
func TestCatalogWith(t *testing.T) {
	added, err := query.Views().With(querytest.Headcount())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := query.Views().Lookup("headcount"); ok {
		t.Fatal("With changed the table it was called on")
	}
	v, ok := added.Lookup("headcount")
	if !ok || v.Params[1].Desc == "" || !v.Params[0].Required || v.Params[0].Kind() != query.KindString || v.Params[1].Kind() != query.KindTime {
		t.Fatalf("added view %+v: its parameters are not completed from Params", v)
	}
	full := engine(t)
	withView := query.NewEngineFor(added)
	for _, en := range full.Index().All() {
		withView.Apply(en.Seq, en.Event)
	}
	at := time.Date(2024, 2, 16, 12, 0, 0, 0, time.UTC)
	got, err := withView.Answer(query.Request{View: "headcount", Org: "halvorsen", At: at, KnownAt: at})
	if err != nil {
		t.Fatal(err)
	}
	if h := got.(querytest.HeadcountAnswer); h.Members == 0 || h.Org != "halvorsen-robotics" {
		t.Errorf("headcount %+v", h)
	}
	_, err = withView.Answer(query.Request{View: "headcount"})
	if pe := (*query.ParamError)(nil); !errors.As(err, &pe) || pe.Param != "org" || !strings.Contains(err.Error(), "required") {
		t.Errorf("headcount without org: %v; want org required", err)
	}
	_, err = full.Answer(query.Request{View: "headcount", Org: "halvorsen"})
	if pe := (*query.ParamError)(nil); !errors.As(err, &pe) || pe.Param != "view" {
		t.Errorf("headcount asked of the package's table: %v; want an unknown view", err)
	}

	bad := map[string]query.View{
		"a name taken":         query.Define(query.View{Name: "board"}, func(*query.Engine, query.Request) (int, error) { return 0, nil }),
		"no answer":            {Name: "mood"},
		"an unknown param":     query.Define(query.View{Name: "mood", Params: []query.Param{{Name: "colour"}}}, func(*query.Engine, query.Request) (int, error) { return 0, nil }),
		"a name not a subject": query.Define(query.View{Name: "a.b"}, func(*query.Engine, query.Request) (int, error) { return 0, nil }),
	}
	for name, v := range bad {
		if _, err := query.Views().With(v); !errors.Is(err, query.ErrBadView) {
			t.Errorf("%s: With gave %v; want ErrBadView", name, err)
		}
	}
}

// TestParamsAreTheRequestsFields: every JSON field of a Request but the
// view is a parameter with a field to bind, so no field can be added that
// the micro service, the HTTP API and the CLI do not read.
func TestParamsAreTheRequestsFields(t *testing.T) {
	var fields []string
	rt := reflect.TypeFor[query.Request]()
	for i := range rt.NumField() {
		name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		if name != "view" {
			fields = append(fields, name)
		}
	}
	var names []string
	for _, p := range query.Params() {
		names = append(names, p.Name)
		if (&query.Request{}).Field(p.Name) == nil || p.Desc == "" {
			t.Errorf("parameter %s has no field or no description", p.Name)
		}
	}
	if !slices.Equal(fields, names) {
		t.Errorf("Request's fields %v; Params %v", fields, names)
	}
}

// TestParamsFromURLAndJSON: the HTTP API's parameters and the micro
// service's fields set the same request, and a bad one is named.
func TestParamsFromURLAndJSON(t *testing.T) {
	q := url.Values{"org": {"acme"}, "at": {"2024-02-16T11:00:00Z"}, "limit": {"3"}, "by": {"reported"}, "after_seq": {"7"}}
	fromURL, err := query.FromParams("board", "", q)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(fromURL)
	fromJSON, err := query.DecodeRequest(b)
	if err != nil {
		t.Fatal(err)
	}
	if fromURL != fromJSON || fromURL.Limit != 3 || fromURL.AfterSeq != 7 || fromURL.At.IsZero() {
		t.Fatalf("from the URL %+v; from its JSON %+v", fromURL, fromJSON)
	}
	for name, value := range map[string]string{"limit": "-3", "after_seq": "x", "until": "someday"} {
		_, err := query.FromParams("timeline", "", url.Values{name: {value}})
		if pe := (*query.ParamError)(nil); !errors.As(err, &pe) || pe.Param != name {
			t.Errorf("%s=%s: %v; want a bad %s", name, value, err, name)
		}
	}
	var r query.Request
	if err := r.Set("colour", "red"); !errors.Is(err, query.ErrBadParam) {
		t.Errorf("Set of no parameter: %v", err)
	}
}
