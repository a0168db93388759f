package events

import (
	"regexp"
	"testing"
)

// FuzzJoinedWords: the loops that check slugs and roles accept exactly
// what their patterns (the schema's) accept.
func FuzzJoinedWords(f *testing.F) {
	slug, role := regexp.MustCompile(slugPattern), regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`)
	for _, s := range []string{"", "a", "ann-okafor", "-a", "a-", "a--b", "A", "a_b", "chief_of_staff", "_a", "a__b", "a1", "é", "a\n", "a-b-c9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := ValidSlug(s), len(s) <= 128 && slug.MatchString(s); got != want {
			t.Errorf("ValidSlug(%q) = %v, pattern %v", s, got, want)
		}
		if got, want := joinedWords(s, '_', isLower), role.MatchString(s); got != want {
			t.Errorf("role words %q = %v, pattern %v", s, got, want)
		}
	})
}
