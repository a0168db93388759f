package article

import (
	"strings"
	"testing"
)

func TestTitleAndLang(t *testing.T) {
	long := strings.Repeat("北", 130)
	tests := []struct {
		body, title, lang string
	}{
		{"\n  Board fires CEO\nThe board said...", "Board fires CEO", "en"},
		{"董事會罷免行政總裁\n全文", "董事會罷免行政總裁", "zh"},
		{"English title\n正文有中文", "English title", "zh"},
		{long, strings.Repeat("北", 120), "zh"},
		{"", "", "en"},
	}
	for _, tt := range tests {
		if got := Title(tt.body); got != tt.title {
			t.Errorf("Title(%.20q) = %q, want %q", tt.body, got, tt.title)
		}
		if got := Lang(tt.body); got != tt.lang {
			t.Errorf("Lang(%.20q) = %q, want %q", tt.body, got, tt.lang)
		}
	}
}
