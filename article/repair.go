package article

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Repair returns s with the usual scraping damage undone:
//
//   - CRLF and lone CR become LF, and spaces and tabs at the end of a line
//     are dropped;
//   - a pinyin reading in parentheses directly after a Han character is
//     removed: 北(běi)岸(àn)報 → 北岸報, while (Jane Doe) or (CSET) stays;
//   - a comma directly followed by one of 。、，,；;：:！!？? gives way to
//     that mark, and a run of one such mark collapses to one (",," → ",",
//     ",。" → "。"); "..." and "……" are not in the set and stay;
//   - a '?' between two Han characters is a lost middle dot and becomes '·'
//     (約翰?史密斯 → 約翰·史密斯); a fullwidth '？' only when the name
//     it sits in is followed by a parenthesised Latin gloss, because a
//     fullwidth '？' is normally a real question mark.
//
// Nothing else is changed: no translation, no script conversion, and
// mojibake that cannot be undone with certainty is kept as it is.
//
// Invalid UTF-8 bytes pass through unchanged and never count as Han or
// punctuation, so Repair never loses bytes it does not understand. Repair
// never panics, runs in time linear in len(s) and is idempotent.
func Repair(s string) string {
	// The order matters: removing a reading can put a '?' between two Han
	// characters, and collapsing ",?" can too, so dots are restored last.
	s = normalizeLines(s)
	s = dropReadings(s)
	s = collapsePunct(s)
	return restoreDots(s)
}

func normalizeLines(s string) string {
	if !strings.ContainsAny(s, "\r \t") {
		return s
	}
	buf := make([]byte, 0, len(s))
	lineStart := 0
	endLine := func() {
		for len(buf) > lineStart && (buf[len(buf)-1] == ' ' || buf[len(buf)-1] == '\t') {
			buf = buf[:len(buf)-1]
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\r' && i+1 < len(s) && s[i+1] == '\n':
			// The '\n' that follows ends the line.
		case c == '\r' || c == '\n':
			// A lone CR is an old Mac line end; leaving it would let a
			// later "\r\r\n" shrink on a second pass.
			endLine()
			buf = append(buf, '\n')
			lineStart = len(buf)
		default:
			buf = append(buf, c)
		}
	}
	endLine()
	return string(buf)
}

func isHan(r rune) bool { return r >= 0x2E80 && unicode.Is(unicode.Han, r) }

// dropReadings removes every reading that follows a Han character, including
// several in a row, so that removal cannot leave a new removable pair behind.
func dropReadings(s string) string {
	if !strings.ContainsAny(s, "(（") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	afterHan := false
	for i := 0; i < len(s); {
		if afterHan {
			if n := readingLen(s[i:]); n > 0 {
				i += n
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		afterHan = isHan(r) // RuneError is not Han.
		b.WriteString(s[i : i+size])
		i += size
	}
	return b.String()
}

// maxReadingRunes bounds the look-ahead so scanning stays linear: the longest
// syllable (zhuang) has six letters, and each may carry a combining mark or two.
const maxReadingRunes = 16

// readingLen returns the byte length of the parenthesised pinyin reading at
// the start of s, or 0 when s does not start with one.
func readingLen(s string) int {
	r, size := utf8.DecodeRuneInString(s)
	if r != '(' && r != '（' {
		return 0
	}
	var base [8]byte // the syllable reduced to ASCII, ü as v and ê as E
	n := 0
	i := size
	for runes := 0; i < len(s) && runes < maxReadingRunes; runes++ {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == ')' || r == '）' {
			if n > 0 && isSyllable(string(base[:n])) {
				return i
			}
			return 0
		}
		if r >= 0x300 && r <= 0x36F { // combining tone mark or diaeresis
			if n == 0 {
				return 0
			}
			continue
		}
		c := pinyinBase(r)
		if c == 0 || n == 7 {
			return 0
		}
		base[n] = c
		n++
	}
	return 0
}

// pinyinBase maps a lowercase pinyin letter, with or without a tone mark, to
// its bare ASCII letter; it returns 0 for anything else, uppercase included,
// which is what keeps (Jane Doe) and (CSET) out.
func pinyinBase(r rune) byte {
	if r >= 'a' && r <= 'z' {
		return byte(r)
	}
	switch r {
	case 'ā', 'á', 'ǎ', 'à':
		return 'a'
	case 'ē', 'é', 'ě', 'è':
		return 'e'
	case 'ī', 'í', 'ǐ', 'ì':
		return 'i'
	case 'ō', 'ó', 'ǒ', 'ò':
		return 'o'
	case 'ū', 'ú', 'ǔ', 'ù':
		return 'u'
	case 'ü', 'ǖ', 'ǘ', 'ǚ', 'ǜ':
		return 'v'
	case 'ḿ':
		return 'm'
	case 'ń', 'ň', 'ǹ':
		return 'n'
	case 'ê', 'ế', 'ề':
		return 'E'
	}
	return 0
}

// Checking the syllable shape, loosely (any initial with any final), keeps
// lowercase English such as (app), (sic) or (beta) from being taken for a
// reading; the character class alone would accept them.
var (
	pinyinFinals = set("a o e i u v ai ei ao ou an en ang eng ong er " +
		"ia ie iao iu ian in iang ing iong ua uo uai ui uan un uang ue " +
		"ve van vn")
	pinyinAlone = set("m n ng hm hng E")
)

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

func isSyllable(b string) bool {
	if pinyinAlone[b] {
		return true
	}
	if len(b) >= 2 && b[1] == 'h' && strings.IndexByte("zcs", b[0]) >= 0 {
		b = b[2:]
	} else if len(b) >= 2 && strings.IndexByte("bpmfdtnlgkhjqxrzcsyw", b[0]) >= 0 {
		b = b[1:]
	}
	return pinyinFinals[b]
}

func isComma(r rune) bool { return r == ',' || r == '，' }

func isMark(r rune) bool { return strings.ContainsRune("。、，,；;：:！!？?", r) }

// collapsePunct keeps its output reduced (no comma before a mark, no mark
// twice in a row), looking back at what it has written rather than at the
// input, so ",,," and "。,。" reduce fully in one pass.
func collapsePunct(s string) string {
	buf := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if isMark(r) {
			prev, psize := utf8.DecodeLastRune(buf)
			if isComma(prev) {
				buf = buf[:len(buf)-psize]
				prev, _ = utf8.DecodeLastRune(buf)
			}
			if prev == r {
				i += size
				continue
			}
		}
		buf = append(buf, s[i:i+size]...)
		i += size
	}
	return string(buf)
}

// A name does not end in a question particle, so a '?' after one is a real
// question mark even when the next sentence starts with a Han character.
func isParticle(r rune) bool { return strings.ContainsRune("嗎吗呢吧麼么", r) }

// maxNameRunes bounds the look-ahead for a gloss after a fullwidth '？'.
const maxNameRunes = 8

func restoreDots(s string) string {
	if !strings.ContainsAny(s, "?？") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	prev := utf8.RuneError
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == '?' || r == '？') && isHan(prev) && !isParticle(prev) {
			next, _ := utf8.DecodeRuneInString(s[i+size:])
			if isHan(next) && (r == '?' || glossFollows(s[i+size:])) {
				b.WriteString("·")
				prev = '·'
				i += size
				continue
			}
		}
		b.WriteString(s[i : i+size])
		prev = r
		i += size
	}
	return b.String()
}

// glossFollows reports whether s is a short run of Han characters followed by
// a parenthesised Latin name, as in 史密斯(John Smith). Only Han characters
// may sit in between, so restoring one dot never makes another one qualify.
func glossFollows(s string) bool {
	i := 0
	for n := 0; ; n++ {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isHan(r) {
			if n == 0 || (r != '(' && r != '（') {
				return false
			}
			c, _ := utf8.DecodeRuneInString(s[i+size:])
			return c >= 'A' && c <= 'Z'
		}
		if n == maxNameRunes {
			return false
		}
		i += size
	}
}
