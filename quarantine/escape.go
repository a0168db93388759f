package quarantine

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Escape renders the start of b as safe text of at most max characters
// (escape sequences count in full): printable characters as they are, a
// backslash doubled, \n \r \t, other control and format characters (bidi
// overrides, zero-width joiners) as \uXXXX, and bytes that are not UTF-8
// as \xNN. It ends with "…" when it leaves something out. A terminal or a
// page can show the result without being steered by it, and it never
// reads more of b than it shows, so 64 KiB of junk costs no more than
// 80 bytes.
func Escape(b []byte, max int) string {
	if max < 1 {
		return ""
	}
	var sb strings.Builder
	n := 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		var piece string
		switch {
		case r == utf8.RuneError && size <= 1:
			piece = fmt.Sprintf(`\x%02x`, b[0])
		case r == '\\':
			piece = `\\`
		case r == '\n':
			piece = `\n`
		case r == '\r':
			piece = `\r`
		case r == '\t':
			piece = `\t`
		case unicode.IsPrint(r):
			piece = string(r)
		case r <= 0xffff:
			piece = fmt.Sprintf(`\u%04x`, r)
		default:
			piece = fmt.Sprintf(`\U%08x`, r)
		}
		w := utf8.RuneCountInString(piece)
		last := size == len(b)
		// Room is kept for the ellipsis unless this piece ends b.
		if n+w > max || (!last && n+w > max-1) {
			sb.WriteString("…")
			break
		}
		sb.WriteString(piece)
		n += w
		b = b[size:]
	}
	return sb.String()
}
