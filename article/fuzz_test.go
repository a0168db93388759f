package article

import (
	"testing"
	"unicode/utf8"
)

func FuzzRepair(f *testing.F) {
	for _, s := range []string{
		"",
		"北(běi)岸(àn)報",
		"安娜?奧卡福(Anna Okafor),。",
		"卡拉？林德（Cara Lind）",
		"當(dāng)?shù貢r間",
		"面談,;到了,,約定,、",
		"一 \r\n二\r\r\n",
		"財\xff(cái)\xe3\x80,,",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Repair(s)
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("Repair(%q) = %q: invalid UTF-8 from valid input", s, got)
		}
		if again := Repair(got); again != got {
			t.Fatalf("not idempotent:\n in   %q\n once %q\n twice %q", s, got, again)
		}
	})
}
