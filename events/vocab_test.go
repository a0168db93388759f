package events_test

import (
	"slices"
	"strings"
	"testing"

	"storyline/events"
)

func TestRoleValid(t *testing.T) {
	tests := []struct {
		name string
		role events.Role
		ok   bool
	}{
		{"ceo", "ceo", true},
		{"capitals", "CEO", false},
		{"trailing space", "ceo ", false},
		{"leading space", " ceo", false},
		{"two words", "chief_scientist", true},
		{"chief_ family", "chief_revenue_officer", true},
		{"head_of_ family", "head_of_policy", true},
		{"vp_ family", "vp_sales", true},
		{"bare prefix head_of_", "head_of_", false},
		{"bare prefix chief_", "chief_", false},
		{"bare prefix vp_", "vp_", false},
		{"empty", "", false},
		{"unknown word", "overlord", false},
		{"hyphen instead of underscore", "chief-scientist", false},
		{"double underscore", "chief__scientist", false},
		{"digit", "vp_sales2", false},
		{"non-ASCII", "cé0", false},
		{"interim is a flag, not a role", "interim_ceo", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.role.Valid(); got != tc.ok {
				t.Errorf("Role(%q).Valid() = %v, want %v", tc.role, got, tc.ok)
			}
		})
	}
}

func TestVocabularies(t *testing.T) {
	tests := []struct {
		name string
		got  bool
		want bool
	}{
		{"type role.ended", events.RoleEnded.Valid(), true},
		{"type unknown", events.Type("role.fired").Valid(), false},
		{"type empty", events.Type("").Valid(), false},
		{"precision minute", events.PrecisionMinute.Valid(), true},
		{"precision hour", events.Precision("hour").Valid(), true},
		{"precision day", events.Precision("day").Valid(), true},
		{"precision month", events.PrecisionMonth.Valid(), true},
		{"precision year", events.PrecisionYear.Valid(), true},
		{"precision second", events.Precision("second").Valid(), false},
		{"precision empty", events.Precision("").Valid(), false},
		{"attribution official", events.Official.Valid(), true},
		{"attribution on_record", events.Attribution("on_record").Valid(), true},
		{"attribution anonymous", events.Anonymous.Valid(), true},
		{"attribution archive", events.Archive.Valid(), true},
		{"attribution rumour", events.Attribution("rumour").Valid(), false},
		{"seat director", events.Director.Valid(), true},
		{"seat chair", events.Chair.Valid(), true},
		{"seat observer", events.Observer.Valid(), true},
		{"seat member", events.Seat("member").Valid(), false},
		{"director votes", events.Director.Voting(), true},
		{"chair votes", events.Chair.Voting(), true},
		{"observer does not vote", events.Observer.Voting(), false},
		{"kind person", events.Person.Valid(), true},
		{"kind org", events.Org.Valid(), true},
		{"kind outlet", events.Outlet.Valid(), true},
		{"kind company", events.Kind("company").Valid(), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %v, want %v", tc.got, tc.want)
			}
		})
	}
	// DESIGN.md's v1 has 12; record.withdrawn (errata) and story.filed
	// (many stories in one archive) came after.
	if len(events.Types) != 14 {
		t.Errorf("%d types, want DESIGN.md's 12, record.withdrawn and story.filed", len(events.Types))
	}
	for _, typ := range events.Types {
		if !typ.Valid() {
			t.Errorf("listed type %s is not Valid", typ)
		}
	}
}

func TestValidSlug(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"one word", "acme", true},
		{"two words", "ann-okafor", true},
		{"three words", "birch-capital-partners", true},
		{"digits", "y-combinator-2005", true},
		{"apostrophe dropped", "conor-obrien", true},
		{"empty", "", false},
		{"capitals", "Ann-Okafor", false},
		{"space", "ann okafor", false},
		{"underscore", "ann_okafor", false},
		{"leading dash", "-ann", false},
		{"trailing dash", "ann-", false},
		{"double dash", "ann--okafor", false},
		{"non-ASCII", "奧卡福", false},
		{"accented", "josé", false},
		{"dot", "acme.com", false},
		{"128 bytes", strings.Repeat("a", 128), true},
		{"129 bytes", strings.Repeat("a", 129), false},
		{"trailing newline", "acme\n", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := events.ValidSlug(tc.in); got != tc.ok {
				t.Errorf("ValidSlug(%q) = %v, want %v", tc.in, got, tc.ok)
			}
		})
	}
}

func TestSlugify(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"newspaper", "The Harbor Evening Post", "the-harbor-evening-post"},
		{"one word", "AcmeLabs", "acmelabs"},
		{"apostrophe", "Conor O'Brien", "conor-o-brien"},
		{"punctuation runs", "  Reuters -- (exclusive)!  ", "reuters-exclusive"},
		{"digits", "Web 3.0", "web-3-0"},
		{"Chinese only", "北岸日報", "unnamed"},
		{"Chinese and Latin", "北岸日報 Northshore Daily", "northshore-daily"},
		{"accents are not letters here", "José Pérez", "jos-p-rez"},
		{"empty", "", "unnamed"},
		{"punctuation only", "—!?", "unnamed"},
		{"already a slug", "ann-okafor", "ann-okafor"},
		{"long name truncated to 64", strings.Repeat("abcdefghij", 10), strings.Repeat("abcdefghij", 6) + "abcd"},
		{"truncation does not end in a dash", strings.Repeat("abc ", 20), strings.TrimSuffix(strings.Repeat("abc-", 16), "-")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := events.Slugify(tc.in)
			if got != tc.want {
				t.Errorf("Slugify(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if !events.ValidSlug(got) {
				t.Errorf("Slugify(%q) = %q is not a valid slug", tc.in, got)
			}
			if len(got) > 64 {
				t.Errorf("Slugify(%q) is %d bytes long", tc.in, len(got))
			}
			if again := events.Slugify(got); again != got {
				t.Errorf("Slugify is not idempotent: %q -> %q", got, again)
			}
		})
	}
}

// TestEntities covers Entities and PrimaryEntity for every type.
func TestEntities(t *testing.T) {
	for _, s := range samples {
		t.Run(s.name, func(t *testing.T) {
			ev := decode(t, []byte(s.line))
			if got := ev.Entities(); !slices.Equal(got, s.entities) {
				t.Errorf("Entities() = %q, want %q", got, s.entities)
			}
			if got := ev.PrimaryEntity(); got != s.primary {
				t.Errorf("PrimaryEntity() = %q, want %q", got, s.primary)
			}
		})
	}
	// An observer seat held by an organisation names it once.
	ev := decode(t, mutate(t, sampleNamed(t, "board.seat_taken").line, set("data.person", "globex"), set("data.seat", "observer"), set("data.org", "globex")))
	if got := ev.Entities(); !slices.Equal(got, []string{"globex"}) {
		t.Errorf("Entities() = %q, want [globex]", got)
	}
	// A resolution with an outlet that has no ASCII name is filed as "unnamed".
	ev = decode(t, mutate(t, sampleNamed(t, "claim.resolved").line, set("source.outlet", "北岸日報")))
	if got := ev.PrimaryEntity(); got != "unnamed" {
		t.Errorf("PrimaryEntity() = %q, want unnamed", got)
	}
	// The zero event has no entities and does not panic.
	var zero events.Event
	if got := zero.Entities(); len(got) != 0 {
		t.Errorf("zero Entities() = %q", got)
	}
	if got := zero.PrimaryEntity(); got != "unnamed" {
		t.Errorf("zero PrimaryEntity() = %q", got)
	}
}
