// Package site is the static copy of the page: the archive's events, the
// page, and the views compiled to WebAssembly, so that any moment can be
// asked of the files alone, on any web host, with no story process.
//
// # Rules
//
// The WebAssembly module (cmd/storywasm) runs the same query engine as
// `story serve` over the exported events and answers the page's questions
// through [Site.Ask], which takes the same paths and parameters as the
// HTTP API (query.FromParams) and gives the same JSON. The page keeps one
// code path: its api() asks the module instead of the server when the
// site's boot script says so. There is no live feed in a static copy.
package site
