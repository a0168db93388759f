package server

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed web
var webFiles embed.FS

func pageHandler() http.Handler {
	sub, _ := fs.Sub(webFiles, "web")
	return http.FileServerFS(sub)
}

func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, openAPI())
}
