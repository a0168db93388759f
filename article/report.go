package article

import "strings"

// titleRunes bounds a title taken from the body.
const titleRunes = 120

// Title is the title of a report given none: the first line of its body
// (repaired), at most 120 characters.
func Title(body string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(body), "\n")
	if r := []rune(first); len(r) > titleRunes {
		return string(r[:titleRunes])
	}
	return first
}

// Lang is the language tag of a report given none: zh when its body has
// a Chinese character, else en.
func Lang(body string) string {
	if strings.IndexFunc(body, isHan) >= 0 {
		return "zh"
	}
	return "en"
}
