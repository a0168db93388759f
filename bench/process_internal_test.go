package bench

import "testing"

// TestMarkWriter: each mark is seen once a line holding it is written,
// even split over writes, and not before.
func TestMarkWriter(t *testing.T) {
	for _, c := range []struct {
		name   string
		writes []string
		want   []bool
	}{
		{"none yet", []string{"time=1 msg=start\n"}, []bool{false, false}},
		{"first", []string{"msg=a after=verify\n"}, []bool{true, false}},
		{"split over writes", []string{"msg=a af", "ter=verify\n", "msg=b after=\"read", " state\"\n"}, []bool{true, true}},
		{"second only", []string{"msg=b after=\"read state\"\n"}, []bool{false, true}},
	} {
		w := newMarkWriter("after=verify", `after="read state"`)
		for _, s := range c.writes {
			if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
				t.Fatalf("%s: Write(%q) = %d, %v", c.name, s, n, err)
			}
		}
		for i, want := range c.want {
			if got := closed(w.seen[i]); got != want {
				t.Errorf("%s: mark %d seen %v, want %v", c.name, i, got, want)
			}
		}
	}
}
