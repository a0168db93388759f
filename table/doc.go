// Package table lays a view's answer out as rows: the one description of
// which rows each view has and which columns they carry, from which the
// CSV a spreadsheet opens is written. It reads the answer's JSON — the
// same JSON the CLI's --json, the HTTP API and the micro service give —
// so every way of asking gives the same rows.
//
// # Rules
//
// One row per row of the text table (a board's members and observers, a
// timeline's events, each claim, each outlet …), one header row, RFC 4180
// quoting. Times are RFC 3339 in the display zone the caller gives; a
// column the answer lacks is empty, never an error.
package table
