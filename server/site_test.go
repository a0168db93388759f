package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"storyline/server"
	"storyline/site"
)

// TestStaticSite: a `story site` folder served by a plain static file
// server (no story process) answers any moment as `story serve` does: the
// board now and as the public knew it then, through the same page.
func TestStaticSite(t *testing.T) {
	bctx := startBrowser(t)
	shots := screenshotDir(t)
	var jsonl bytes.Buffer
	for _, e := range story(t) {
		jsonl.Write(e.Canonical())
		jsonl.WriteByte('\n')
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := site.Build(ctx, site.Options{Out: dir, Events: jsonl.Bytes(), Page: server.PageFiles()}); err != nil {
		t.Fatal(err)
	}
	wasm, err := os.Stat(filepath.Join(dir, "story.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("story.wasm: %d bytes", wasm.Size())
	static := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer static.Close()

	served, _ := serveStory(t) // the same events behind `story serve`, to compare with
	p := openPage(t, bctx, shots, static.URL+"/index.html", laptop)
	var ready float64
	p.eval(`performance.now()`, &ready)
	t.Logf("page ready, its panels answered, %.0f ms after navigation", ready)
	at := p.typeTime("2024-02-16 12:00 CET")
	p.knownAt(time.Time{})
	checkHalvorsenBoard(t, p.board(), "chair")
	sameAsServe(t, p, served, at, time.Time{})
	p.do("turning on 'as the public knew it then'", chromedp.Click(chromedp.CSS(`label[for="known-toggle"]`)))
	p.knownAt(at)
	k := p.typeTime("2024-02-16 09:30 CET")
	p.knownAt(k)
	checkHalvorsenBoard(t, p.board(), "director")
	sameAsServe(t, p, served, k, k)
	var csvHead string
	p.eval(`JSON.parse(storylineAsk('/api/board', 'org=halvorsen-robotics&format=csv')).body.split('\n')[0]`, &csvHead)
	if csvHead != "part,seat,person,name,since,since_precision,event" {
		t.Errorf("the static copy's CSV of the board starts %q", csvHead)
	}
	var live string
	p.eval(`document.querySelector('#live .live-text').textContent`, &live)
	if live != "static copy" {
		t.Errorf("live indicator %q, want the static copy said", live)
	}
	p.screenshot("14-static-site")
	p.consoleClean()
}

// sameAsServe compares the page's roles and claims panels with what the
// HTTP API of `story serve` answers at (at, k).
func sameAsServe(t *testing.T, p *page, s *server.Server, at, k time.Time) {
	t.Helper()
	q := url.Values{"at": {at.Format(time.RFC3339)}}
	if !k.IsZero() {
		q.Set("known_at", k.Format(time.RFC3339))
	}
	var roles struct{ Roles []struct{ Role, Name string } }
	var claims struct{ Claims []struct{ Text string } }
	for path, v := range map[string]any{"/api/roles?org=halvorsen-robotics&": &roles, "/api/claims?": &claims} {
		r, err := http.Get("http://" + s.HTTPAddr() + path + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		if r.StatusCode != http.StatusOK {
			t.Fatalf("%s: %s", path, r.Status)
		}
		err = errors.Join(json.NewDecoder(r.Body).Decode(v), r.Body.Close())
		if err != nil {
			t.Fatal(err)
		}
	}
	var want, got []string
	for _, r := range roles.Roles {
		want = append(want, r.Role+" "+r.Name)
	}
	for _, r := range p.roles() {
		got = append(got, r.Role+" "+r.Name)
	}
	slices.Sort(want)
	slices.Sort(got)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("roles at %v known %v: the static copy shows %v, serve answers %v", at, k, got, want)
	}
	var texts []string
	p.eval(`[...document.querySelectorAll('#claims-body .claim .claim-text')].map(e => e.textContent)`, &texts)
	if len(texts) != len(claims.Claims) {
		t.Errorf("claims at %v known %v: the static copy shows %d, serve answers %d", at, k, len(texts), len(claims.Claims))
	}
}
