package events

import (
	"fmt"
	"strings"
	"time"

	// Zone rules travel with the binary, so "PT" resolves the same way on a
	// machine without /usr/share/zoneinfo.
	_ "time/tzdata"
)

// zoneNames maps the zone words people type to a location. Generic names
// (PT, ET) follow daylight saving; explicit ones (PST, PDT) are fixed
// offsets, because whoever writes "PDT" in November means that offset.
var zoneNames = map[string]string{
	"PT": "America/Los_Angeles", "MT": "America/Denver", "CT": "America/Chicago", "ET": "America/New_York",
	"UTC": "UTC", "GMT": "UTC", "Z": "UTC", "UK": "Europe/London", "CET": "Europe/Paris",
	"CEST": "+02:00", "BST": "+01:00",
	"PST": "-08:00", "PDT": "-07:00", "MST": "-07:00", "MDT": "-06:00",
	"CST": "-06:00", "CDT": "-05:00", "EST": "-05:00", "EDT": "-04:00",
	"HKT": "+08:00", "JST": "+09:00", "SGT": "+08:00", "KST": "+09:00",
}

// ParseTime reads a time typed by a person: RFC 3339 (2023-11-17T20:00:00Z),
// a date (2023-11-17), a date and time (2023-11-17 12:00, seconds optional),
// either followed by a zone: PT, PST, UTC, an offset such as -08:00, or an
// IANA name such as America/Los_Angeles. Without a zone it is UTC. The result
// is in the zone given, so it can be shown back the same way. "now" is now.
func ParseTime(s string, now time.Time) (time.Time, error) { return ParseTimeIn(s, now, time.UTC) }

// ParseTimeIn is [ParseTime] with another zone for times typed without one
// (a nil loc is UTC).
func ParseTimeIn(s string, now time.Time, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	in := strings.TrimSpace(s)
	if in == "" {
		return time.Time{}, fmt.Errorf("%w: empty time", ErrBadTime)
	}
	if strings.EqualFold(in, "now") {
		return now, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04Z07:00"} {
		if t, err := time.Parse(layout, in); err == nil {
			return inRange(t, s)
		}
	}
	body := in
	if i := strings.LastIndexByte(in, ' '); i > 0 {
		if l, ok := zone(in[i+1:]); ok {
			loc, body = l, strings.TrimSpace(in[:i])
		}
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, body, loc); err == nil {
			return inRange(t, s)
		}
	}
	return time.Time{}, fmt.Errorf("%w: %q (try 2023-11-17, \"2023-11-17 12:00 PT\" or 2023-11-17T20:00:00Z)", ErrBadTime, s)
}

// ParseZone reads a zone as ParseTime accepts it after a time: PT, PST,
// UTC, an offset such as +08:00, or an IANA name such as Asia/Shanghai.
func ParseZone(word string) (*time.Location, error) {
	if l, ok := zone(strings.TrimSpace(word)); ok {
		return l, nil
	}
	return nil, fmt.Errorf("%w: unknown zone %q (try PT, UTC, +08:00 or an IANA name such as Asia/Shanghai)", ErrBadTime, word)
}

// inRange refuses times that JSON or RFC 3339 cannot carry (an offset of
// 24 hours or more, a year outside 1000-9999): accepted, they would fail
// far from the flag that gave them.
func inRange(t time.Time, s string) (time.Time, error) {
	if _, off := t.Zone(); off <= -24*3600 || off >= 24*3600 {
		return time.Time{}, fmt.Errorf("%w: %q: UTC offset beyond ±23:59", ErrBadTime, s)
	}
	if y := t.Year(); y < 1000 || y > 9999 {
		return time.Time{}, fmt.Errorf("%w: %q: year %d outside 1000-9999", ErrBadTime, s, y)
	}
	return t, nil
}

func zone(word string) (*time.Location, bool) {
	name := word
	if n, ok := zoneNames[strings.ToUpper(word)]; ok {
		name = n
	}
	if len(name) > 0 && (name[0] == '+' || name[0] == '-') {
		t, err := time.Parse("-07:00", name)
		if err != nil {
			if t, err = time.Parse("-0700", name); err != nil {
				return nil, false
			}
		}
		_, off := t.Zone()
		return time.FixedZone(word, off), true
	}
	if !strings.Contains(name, "/") && name != "UTC" {
		return nil, false
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, false
	}
	return l, true
}
