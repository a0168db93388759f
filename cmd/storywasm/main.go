//go:build js && wasm

// Command storywasm is the views compiled to WebAssembly for a static copy
// of the page (`story site`): storylineLoad(jsonl) folds the events,
// storylineAsk(path, query) answers as the HTTP API does (package site).
package main

import (
	"encoding/json"
	"syscall/js"

	"storyline/site"
)

func main() {
	var s *site.Site
	js.Global().Set("storylineLoad", js.FuncOf(func(_ js.Value, args []js.Value) any {
		loaded, err := site.Load([]byte(args[0].String()))
		if err != nil {
			return err.Error()
		}
		s = loaded
		return ""
	}))
	js.Global().Set("storylineAsk", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if s == nil {
			return `{"status":503,"error":"the archive is not loaded yet"}`
		}
		b, err := json.Marshal(s.Ask(args[0].String(), args[1].String()))
		if err != nil {
			return `{"status":500,"error":"encode the answer"}`
		}
		return string(b)
	}))
	select {} // answer for as long as the page lives
}
