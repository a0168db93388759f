package query_test

import (
	"errors"
	"testing"
	"time"

	"storyline/query"
)

func TestDecodeRequest(t *testing.T) {
	pt, _ := time.LoadLocation("America/Los_Angeles")
	tests := []struct {
		name, in string
		want     query.Request
		param    string // the field a bad request names
	}{
		{"empty", ``, query.Request{}, ""},
		{"RFC 3339, as server.Query sends it", `{"org":"acme","at":"2024-02-16T11:00:00Z"}`,
			query.Request{Org: "acme", At: time.Date(2024, 2, 16, 11, 0, 0, 0, time.UTC)}, ""},
		{"times as people type them", `{"org":"acme","at":"2023-11-20 12:00 PT","known_at":"2023-11-19"}`,
			query.Request{Org: "acme", At: time.Date(2023, 11, 20, 12, 0, 0, 0, pt), KnownAt: time.Date(2023, 11, 19, 0, 0, 0, 0, time.UTC)}, ""},
		{"every other field", `{"person":"p","entity":"e","type":"role.started","outlet":"o","by":"reported","limit":3,"after_seq":4,"min_seq":5}`,
			query.Request{Person: "p", Entity: "e", Type: "role.started", Outlet: "o", By: "reported", Limit: 3, AfterSeq: 4, MinSeq: 5}, ""},
		{"a misspelt field", `{"org":"acme","known-at":"2023-11-19"}`, query.Request{}, "known-at"},
		{"a bad time", `{"at":"yesterday"}`, query.Request{}, "at"},
		{"a number where a name goes", `{"org":7}`, query.Request{}, "org"},
		{"not JSON", `org=acme`, query.Request{}, "request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := query.DecodeRequest([]byte(tt.in))
			if tt.param != "" {
				var pe *query.ParamError
				if !errors.As(err, &pe) || pe.Param != tt.param || !errors.Is(err, query.ErrBadParam) {
					t.Fatalf("DecodeRequest(%s) = %v; want a bad %q", tt.in, err, tt.param)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range []struct{ got, want time.Time }{{got.At, tt.want.At}, {got.KnownAt, tt.want.KnownAt}} {
				if !p.got.Equal(p.want) {
					t.Errorf("time %v, want %v", p.got, p.want)
				}
			}
			got.At, got.KnownAt, tt.want.At, tt.want.KnownAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
