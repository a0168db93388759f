package server

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed web
var webFiles embed.FS

// pageCSP keeps the page to its own files: no inline script, nothing
// fetched from elsewhere (it works offline), no framing.
const pageCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// pageHandler serves the web page. Embedded files carry no modification
// time, so browsers are told to revalidate: a new binary's page is never
// mixed with an old one's script.
func pageHandler() http.Handler {
	files := http.FileServerFS(PageFiles())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		csp := pageCSP
		if r.URL.Query().Get("embed") == "1" {
			// Embed mode is made to be framed by an article.
			csp = strings.Replace(csp, "frame-ancestors 'none'", "frame-ancestors *", 1)
		}
		h.Set("Content-Security-Policy", csp)
		files.ServeHTTP(w, r)
	})
}

// PageFiles are the page's files (index.html, style.css, app.js and the
// modules it imports …), for a static copy of the page.
func PageFiles() fs.FS {
	sub, err := fs.Sub(webFiles, "web")
	if err != nil {
		panic("server: embedded page: " + err.Error()) // "web" is embedded at build time
	}
	return sub
}
