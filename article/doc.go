// Package article turns the text of a scraped article into a report's
// parts. [Repair] undoes the damage that scraping does to the text: pinyin
// readings glued after Chinese characters, middle dots in transliterated
// names lost to '?', doubled or mixed punctuation and Windows line endings.
// [Title] and [Lang] are a report's title and language when the user gives
// none: its first line, and zh or en by its script.
//
// # Rules
//
// Every function is pure, string to string, with no I/O and no
// dependencies beyond the standard library, so ingest can run them on
// every report body and get the same bytes every time, and they can be
// fuzzed in isolation.
package article
