// Package article repairs the damage that scraping does to an article's text:
// pinyin readings glued after Chinese characters, middle dots in transliterated
// names lost to '?', doubled or mixed punctuation and Windows line endings.
// It is a pure string-to-string function with no I/O and no dependencies
// beyond the standard library, so ingest can run it on every report body and
// get the same bytes every time, and it can be fuzzed in isolation.
package article
