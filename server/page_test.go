package server_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"storyline/events"
	"storyline/poll"
	"storyline/projections"
	"storyline/query"
	"storyline/server"
)

// The browser tests drive the page in headless Chromium (Debian's package
// at /usr/bin/chromium). Without it they fail: the page is a deliverable.

const chromiumPath = "/usr/bin/chromium"

func findChromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("STORYLINE_CHROMIUM"); p != "" {
		return p
	}
	if _, err := os.Stat(chromiumPath); err == nil {
		return chromiumPath
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	t.Fatalf("Chromium is not installed (no %s, no chromium on PATH): the browser tests of the web page need it. Install it with `apt-get install -y chromium`, or set STORYLINE_CHROMIUM to a Chrome binary.", chromiumPath)
	return ""
}

// startBrowser starts one headless Chromium for the test; each page opens
// in a tab of its own.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	path := findChromium(t)
	// Chromium leaves org.chromium.Chromium.* folders in TMPDIR when it is
	// killed; pointing TMPDIR into the profile's folder lets cleanup take them.
	root, err := os.MkdirTemp("", "storyline-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	profile, tmp := filepath.Join(root, "profile"), filepath.Join(root, "tmp")
	for _, d := range []string{profile, tmp} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.Env("TMPDIR="+tmp),
		chromedp.WindowSize(1360, 900),
	)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		bcancel()
		acancel()
		if err := os.RemoveAll(root); err != nil {
			t.Error(err)
		}
	})
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting Chromium (%s): %v", path, err)
	}
	return bctx
}

// screenshotDir is $STORYLINE_SCREENSHOTS, else a directory of the test.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("STORYLINE_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s (set STORYLINE_SCREENSHOTS to keep them)", dir)
	return dir
}

// page is one browser tab on the page; it records console errors and
// uncaught exceptions.
type page struct {
	t    *testing.T
	ctx  context.Context
	shot string // screenshot directory

	mu    sync.Mutex
	errs  []string
	marks chan string // the console marks the page wrote (see consoleClean)
	mark  int         // the last mark written
}

// consoleMark starts the console messages that consoleClean writes.
const consoleMark = "storyline-test-mark"

type viewport struct {
	w, h   int64
	mobile bool
}

var laptop = viewport{w: 1360, h: 900}

func openPage(t *testing.T, bctx context.Context, shots, u string, vp viewport) *page {
	t.Helper()
	ctx, cancel := chromedp.NewContext(bctx)
	t.Cleanup(cancel)
	p := &page{t: t, ctx: ctx, shot: shots, marks: make(chan string, 1)}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				p.mu.Lock()
				p.errs = append(p.errs, fmt.Sprintf("%s (%s:%d)", m, m.URL, m.Line))
				p.mu.Unlock()
			}
			if m.Type == chromedp.ConsoleDebug && strings.HasPrefix(m.Text, consoleMark) {
				p.marks <- m.Text
			}
		}
	}()
	var opts []chromedp.EmulateViewportOption
	if vp.mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait, chromedp.EmulateScale(2))
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(vp.w, vp.h, opts...), chromedp.Navigate(u)); err != nil {
		t.Fatalf("loading %s: %v", u, err)
	}
	p.waitReady()
	return p
}

func (p *page) waitReady() {
	p.t.Helper()
	p.wait("the page to load and show its panels", `document.body.dataset.ready === 'true' &&
		['board-panel', 'roles-panel', 'claims-panel'].every(id => document.getElementById(id).dataset.state === 'ready')`)
}

// consoleClean fails the test if the page logged an error or threw.
func (p *page) consoleClean() {
	p.t.Helper()
	// The page's console messages come in the order it wrote them: once a
	// mark written now has come through, so has every earlier message.
	p.mark++
	mark := fmt.Sprintf("%s %d", consoleMark, p.mark)
	p.eval(fmt.Sprintf(`(console.debug(%q), true)`, mark), new(bool))
	deadline := time.After(10 * time.Second)
	for got := ""; got != mark; {
		select {
		case got = <-p.marks:
		case <-deadline:
			p.t.Fatalf("the console mark %q did not come through in 10 s", mark)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.errs) > 0 {
		p.t.Errorf("the page logged %d console error(s) or exception(s):\n  %s", len(p.errs), strings.Join(p.errs, "\n  "))
	}
}

// eval evaluates a JavaScript expression and decodes its value into v.
func (p *page) eval(js string, v any) {
	p.t.Helper()
	raw, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]byte](js))
	if err != nil {
		p.t.Fatalf("evaluating %s: %v", js, err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		p.t.Fatalf("decoding %s from %s: %v", raw, js, err)
	}
}

// wait polls the expression until it is true, for up to 10 s.
func (p *page) wait(what, js string) {
	p.t.Helper()
	p.waitFor(what, js, 10*time.Second)
}

// waitFor polls the expression until it is true, for up to d. Each try
// that finds it false reads the page's state too, in the same evaluation,
// so that a failure shows the state at the last try.
func (p *page) waitFor(what, js string, d time.Duration) {
	p.t.Helper()
	poll.Within(p.t, d, what, func() error {
		state, err := chromedp.Run(p.ctx, chromedp.Evaluate[string]("!!("+js+") ? '' : "+pageState))
		switch {
		case err != nil:
			return fmt.Errorf("evaluating the condition and the page state: %w", err)
		case state != "":
			return fmt.Errorf("not yet; page state: %s", state)
		}
		return nil
	})
}

// pageState is a JavaScript expression for what a failed wait reports.
const pageState = `JSON.stringify({url: location.href,
	board: document.getElementById('board-panel').dataset, roles: document.getElementById('roles-panel').dataset,
	status: document.getElementById('status-panel').dataset, banner: document.getElementById('banner').textContent,
	problem: document.getElementById('problem').textContent, inputError: document.getElementById('cursor-error').textContent})`

func (p *page) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
}

// typeTime types text into the time input and submits it, then waits for
// the panels to show that moment.
func (p *page) typeTime(text string) time.Time {
	p.t.Helper()
	at, err := events.ParseTime(text, time.Now())
	if err != nil {
		p.t.Fatal(err)
	}
	var cleared bool
	p.eval(`(() => { const i = document.getElementById('cursor-input'); i.value = ''; return true; })()`, &cleared)
	p.do("typing "+text, chromedp.SendKeys(chromedp.CSS("#cursor-input"), text+kb.Enter))
	p.wait("the panels at "+text, fmt.Sprintf(`['board-panel', 'roles-panel', 'claims-panel'].every(id => {
		const d = document.getElementById(id).dataset;
		return d.state === 'ready' && d.atMs === '%d';
	})`, at.UnixMilli()))
	return at
}

// knownAt waits for the panels to answer as known at k (zero: now).
func (p *page) knownAt(k time.Time) {
	p.t.Helper()
	want := ""
	if !k.IsZero() {
		want = fmt.Sprint(k.UnixMilli())
	}
	p.wait("the panels as known at "+want, fmt.Sprintf(`['board-panel', 'roles-panel', 'claims-panel'].every(id => {
		const d = document.getElementById(id).dataset;
		return d.state === 'ready' && d.knownMs === %q;
	})`, want))
}

func (p *page) screenshot(name string) {
	p.t.Helper()
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(p.shot, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("screenshot: %s", path)
}

type boardRow struct {
	Person string `json:"person"`
	Name   string `json:"name"`
	Seat   string `json:"seat"`
	Diff   string `json:"diff"`
}

// board reads the board panel: the members (not observers, not the
// "not yet public" rows).
func (p *page) board() []boardRow {
	p.t.Helper()
	var rows []boardRow
	p.eval(`[...document.querySelectorAll('#board-body .members .member')].map(li => ({
		person: li.dataset.person, name: li.querySelector('.person-link').textContent, seat: li.dataset.seat,
		diff: (li.querySelector('.diff') || {}).textContent || ''}))`, &rows)
	return rows
}

type roleRow struct {
	Role    string `json:"role"`
	Label   string `json:"label"`
	Name    string `json:"name"`
	Interim bool   `json:"interim"`
	Badge   string `json:"badge"`
}

func (p *page) roles() []roleRow {
	p.t.Helper()
	var rows []roleRow
	p.eval(`[...document.querySelectorAll('#roles-body .roles:not(.ghosts) .role')].map(li => ({
		role: li.dataset.role, label: li.querySelector('.role-name').textContent, name: li.querySelector('.person-link').textContent,
		interim: li.dataset.interim === 'true', badge: (li.querySelector('.badge.interim') || {}).textContent || ''}))`, &rows)
	return rows
}

// lanes reads the board lanes that cover the cursor: person -> seat.
func (p *page) lanes() map[string]string {
	p.t.Helper()
	m := map[string]string{}
	p.eval(`Object.fromEntries([...document.querySelectorAll('#tl .lane.active')].map(g => [g.dataset.person, g.dataset.seatAtCursor]))`, &m)
	return m
}

func (p *page) location() *url.URL {
	p.t.Helper()
	loc, err := chromedp.Run(p.ctx, chromedp.Location())
	if err != nil {
		p.t.Fatal(err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		p.t.Fatal(err)
	}
	return u
}

func boardText(rows []boardRow) string {
	var s []string
	for _, r := range rows {
		s = append(s, r.Name+" ("+r.Seat+")")
	}
	return strings.Join(s, ", ")
}

func checkHalvorsenBoard(t *testing.T, rows []boardRow, beckerSeat string) {
	t.Helper()
	want := map[string]string{"Anna Berg": "director", "Lee Wei": "director", "Tom Becker": beckerSeat}
	got := map[string]string{}
	for _, r := range rows {
		got[r.Name] = r.Seat
	}
	if len(got) != len(want) {
		t.Fatalf("board panel lists %s; want Anna Berg, Lee Wei and Tom Becker", boardText(rows))
	}
	for n, seat := range want {
		if got[n] != seat {
			t.Fatalf("board panel lists %s; want %s as %s", boardText(rows), n, seat)
		}
	}
}

// storyTimes are the distinct occurred times of the story's events other
// than entity descriptions: the stops of the cursor keys.
func storyTimes(evs []events.Event) []int64 {
	var ts []int64
	for _, e := range evs {
		if e.Type != events.EntityDescribed {
			ts = append(ts, e.OccurredAt.UnixMilli())
		}
	}
	slices.Sort(ts)
	return slices.Compact(ts)
}

func TestPage(t *testing.T) {
	bctx := startBrowser(t)
	shots := screenshotDir(t)
	s := start(t, t.TempDir(), "127.0.0.1:-1")
	t.Cleanup(func() { checked(t, s.Close) })
	evs := story(t)
	writer := client(t, s)
	if _, err := writer.Append(context.Background(), evs, nil); err != nil {
		t.Fatal(err)
	}
	poll.Until(t, "views caught up", func() bool { _, seq := s.Applied(); return seq == uint64(len(evs)) })
	base := "http://" + s.HTTPAddr() + "/"
	stories := 0
	for _, e := range evs {
		if e.Type != events.EntityDescribed {
			stories++
		}
	}

	t.Run("loads and shows the timeline", func(t *testing.T) {
		p := openPage(t, bctx, shots, base, laptop)
		var n struct {
			Items   int    `json:"items"`
			Markers int    `json:"markers"`
			Lanes   int    `json:"lanes"`
			Count   string `json:"count"`
			Org     string `json:"org"`
			Title   string `json:"title"`
		}
		p.eval(`({items: document.querySelectorAll('#events .ev').length, markers: document.querySelectorAll('#tl circle.mk').length,
			lanes: document.querySelectorAll('#tl .lane').length, count: document.getElementById('events-count').textContent,
			org: document.getElementById('org-select').value, title: document.title})`, &n)
		if n.Items != stories {
			t.Errorf("the event list shows %d events, want the %d events of the story (all but descriptions)", n.Items, stories)
		}
		if n.Markers < 10 {
			t.Errorf("the timeline draws %d event markers", n.Markers)
		}
		if n.Org != "halvorsen-robotics" || n.Lanes < 3 {
			t.Errorf("org %q with %d board lanes; want the org with the most board events and its lanes", n.Org, n.Lanes)
		}
		// The other clock: the same events, in order of reporting.
		p.do("switching to reported", chromedp.Click(chromedp.CSS(`label[for="by-reported"]`)))
		p.wait("the list by reported", `location.search.includes('by=reported') && document.querySelectorAll('#events .ev').length === `+fmt.Sprint(stories))
		var order []string
		p.eval(`[...document.querySelectorAll('#events .ev')].map(li => li.dataset.seq)`, &order)
		if len(order) != stories {
			t.Fatalf("by reported: %d events", len(order))
		}
		p.screenshot("01-by-reported")
		// Details of an event carry its source link.
		p.do("opening an event", chromedp.Click(chromedp.CSS(`#events .ev .ev-head`)))
		p.do("back to occurred", chromedp.Click(chromedp.CSS(`label[for="by-occurred"]`)))
		p.wait("the list by occurred", `!location.search.includes('by=reported')`)
		var link string
		p.eval(`(() => {
			const li = [...document.querySelectorAll('#events .ev')].find(li => li.textContent.includes('no longer CEO'));
			li.querySelector('.ev-head').click();
			const a = li.querySelector('.ev-detail a.src-link');
			return a ? a.href : '';
		})()`, &link)
		if link != "https://filings.example.org/halvorsen/2024-02-14" {
			t.Errorf("event details link to %q, want the event's source.url", link)
		}
		p.screenshot("01-loaded-event-open")
		p.consoleClean()
	})

	var knownURL string
	t.Run("board at a moment, and as the public knew it then", func(t *testing.T) {
		p := openPage(t, bctx, shots, base, laptop)
		at := p.typeTime("2024-02-16 12:00 CET")
		p.knownAt(time.Time{})
		checkHalvorsenBoard(t, p.board(), "chair")
		if l := p.lanes(); len(l) != 3 || l["tom-becker"] != "chair" {
			t.Errorf("lanes at the cursor: %v; want three, Tom Becker's as chair", l)
		}
		// The lanes follow the cursor: one per seat holder then, no more.
		var lanes int
		p.eval(`document.querySelectorAll('#tl .lane').length`, &lanes)
		if lanes != 3 {
			t.Errorf("the timeline draws %d board lanes at the cursor, want the 3 seat holders", lanes)
		}
		// The cursor's flag holds its whole label.
		var fit bool
		p.eval(`(() => { const f = document.querySelector('#cursor .flag').getBBox(), t = document.querySelector('#cursor .flag-text').getBBox();
			return t.width > 0 && t.x >= f.x && t.x + t.width <= f.x + f.width; })()`, &fit)
		if !fit {
			t.Error("the cursor's flag does not hold its label")
		}
		u := p.location()
		if got, _ := events.ParseTime(u.Query().Get("at"), time.Now()); !got.Equal(at) || u.Query().Has("known_at") {
			t.Errorf("URL %s: want at=%s and no known_at", u, at.Format(time.RFC3339))
		}
		// Claims carry their outcome and how far ahead of the official word they were.
		var claims []struct {
			Text    string  `json:"text"`
			Outcome string  `json:"outcome"`
			Lead    float64 `json:"lead"`
			Says    string  `json:"says"`
		}
		p.eval(`[...document.querySelectorAll('#claims-body .claim')].map(li => ({text: li.querySelector('.claim-text').textContent,
			outcome: li.dataset.outcome, lead: Number(li.dataset.leadHours || 0), says: (li.querySelector('.lead') || {}).textContent || ''}))`, &claims)
		found := false
		for _, c := range claims {
			if strings.Contains(c.Text, "quietly resigned") {
				found = true
				if c.Outcome != "confirmed" || c.Lead != 38 || !strings.Contains(c.Says, "38 h before the official word") {
					t.Errorf("claim %+v: want confirmed, 38 h before the official word", c)
				}
			}
		}
		if !found {
			t.Errorf("claims panel lacks the claim that Nordmann resigned: %+v", claims)
		}
		p.screenshot("02-board-known-now")

		p.do("turning on 'as the public knew it then'", chromedp.Click(chromedp.CSS(`label[for="known-toggle"]`)))
		p.knownAt(at)
		k := p.typeTime("2024-02-16 09:30 CET")
		p.knownAt(k)
		rows := p.board()
		checkHalvorsenBoard(t, rows, "director")
		for _, r := range rows {
			if r.Person == "tom-becker" && !strings.Contains(r.Diff, "chair") {
				t.Errorf("Tom Becker's row does not say that, as known now, he is chair: %+v", r)
			}
		}
		if l := p.lanes(); l["tom-becker"] != "director" {
			t.Errorf("lanes as known then: %v; want Tom Becker as director", l)
		}
		var banner string
		p.eval(`document.getElementById('banner').textContent`, &banner)
		if !strings.Contains(banner, "As known at") {
			t.Errorf("banner %q does not say the picture is as known at the cursor", banner)
		}
		u = p.location()
		gotAt, err1 := events.ParseTime(u.Query().Get("at"), time.Now())
		gotK, err2 := events.ParseTime(u.Query().Get("known_at"), time.Now())
		if err1 != nil || err2 != nil || !gotAt.Equal(k) || !gotK.Equal(k) {
			t.Fatalf("URL %s: want at and known_at = %s", u, k.Format(time.RFC3339))
		}
		p.screenshot("03-board-known-then")
		p.consoleClean()

		// The link opens the page at that moment, as known then.
		knownURL = u.String()
		q := openPage(t, bctx, shots, knownURL, laptop)
		q.knownAt(k)
		checkHalvorsenBoard(t, q.board(), "director")
		var toggle bool
		q.eval(`document.getElementById('known-toggle').checked`, &toggle)
		if !toggle {
			t.Error("reloaded page: the 'as the public knew it then' toggle is off")
		}
		var input string
		q.eval(`document.getElementById('cursor-input').value`, &input)
		if got, err := events.ParseTime(input, time.Now()); err != nil || !got.Equal(k) {
			t.Errorf("reloaded page: the time input says %q, want %s", input, k)
		}
		q.screenshot("04-reloaded-link")
		q.consoleClean()
	})

	t.Run("roles at a moment typed in another zone", func(t *testing.T) {
		p := openPage(t, bctx, shots, base, laptop)
		p.typeTime("2024-02-20 09:00 SGT")
		var ceo *roleRow
		rows := p.roles()
		for i, r := range rows {
			if r.Role == "ceo" {
				ceo = &rows[i]
			}
		}
		if ceo == nil || ceo.Name != "Lee Wei" || !ceo.Interim || ceo.Label != "CEO" || ceo.Badge != "interim" {
			t.Fatalf("roles panel: %+v; want Lee Wei as interim CEO", rows)
		}
		p.screenshot("05-roles")
		p.consoleClean()

		// A time the server cannot read: its message shows, the cursor stays.
		p.eval(`(() => { document.getElementById('cursor-input').value = ''; return true; })()`, new(bool))
		p.do("typing nonsense", chromedp.SendKeys(chromedp.CSS("#cursor-input"), "yesterday-ish"+kb.Enter))
		p.wait("the error message", `document.getElementById('cursor-error').textContent.includes('try') &&
			document.getElementById('cursor-input').getAttribute('aria-invalid') === 'true'`)
		p.screenshot("05-bad-time")
	})

	t.Run("clicking a person shows their status", func(t *testing.T) {
		p := openPage(t, bctx, shots, base, laptop)
		at := p.typeTime("2024-02-20 09:00 SGT")
		p.do("clicking Lee Wei", chromedp.Click(chromedp.CSS(`#board-body .member[data-person="lee-wei"] .person-link`)))
		p.wait("Lee Wei's status", `(() => { const d = document.getElementById('status-panel').dataset;
			return d.state === 'ready' && d.person === 'lee-wei'; })()`)
		var got struct {
			Name    string `json:"name"`
			Summary string `json:"summary"`
			URL     string `json:"url"`
		}
		p.eval(`({name: document.querySelector('#status-body .status-name').textContent,
			summary: document.querySelector('#status-body .summary').textContent, url: location.search})`, &got)
		resp, err := http.Get(fmt.Sprintf("%sapi/status/lee-wei?at=%s", base, url.QueryEscape(at.Format(time.RFC3339))))
		if err != nil {
			t.Fatal(err)
		}
		var want struct{ Summary string }
		if err := json.NewDecoder(resp.Body).Decode(&want); err != nil {
			t.Fatal(err)
		}
		checked(t, resp.Body.Close)
		if got.Name != "Lee Wei" || want.Summary == "" || got.Summary != want.Summary {
			t.Fatalf("status panel shows %q: %q; want Lee Wei: %q", got.Name, got.Summary, want.Summary)
		}
		if !strings.Contains(got.URL, "person=lee-wei") {
			t.Errorf("URL %s does not name the person shown", got.URL)
		}
		p.screenshot("06-status")
		p.consoleClean()
	})

	t.Run("keyboard and dragging move the cursor", func(t *testing.T) {
		p := openPage(t, bctx, shots, base+"?at=2024-02-16T12:00:00%2B01:00", laptop)
		start, _ := events.ParseTime("2024-02-16 12:00 CET", time.Now())
		times := storyTimes(evs)
		i := sort.Search(len(times), func(i int) bool { return times[i] > start.UnixMilli() })
		next, prev := times[i], times[i-1]
		atIs := func(ms int64) string {
			return fmt.Sprintf(`(() => { const d = document.getElementById('board-panel').dataset; return d.state === 'ready' && d.atMs === '%d'; })()`, ms)
		}
		p.do("focusing the cursor", chromedp.Focus(chromedp.CSS("#cursor")))
		var ring string
		p.eval(`getComputedStyle(document.querySelector('#cursor .focus-ring')).display`, &ring)
		if ring == "none" {
			t.Error("the focused cursor shows no focus ring")
		}
		p.do("ArrowRight", chromedp.KeyEvent(kb.ArrowRight))
		p.wait("the cursor at the next event", atIs(next))
		p.do("ArrowLeft", chromedp.KeyEvent(kb.ArrowLeft))
		p.wait("the cursor at the event before", atIs(prev))
		// Each step is a moment of its own in the history: Back returns to the one before.
		p.eval(`(() => { history.back(); return true; })()`, new(bool))
		p.wait("Back to return to the next event", atIs(next))
		p.eval(`(() => { history.forward(); return true; })()`, new(bool))
		p.wait("Forward to return to the event before", atIs(prev))
		p.screenshot("07-keyboard")

		// Drag the cursor's flag 120 px to the right.
		var box struct{ X, Y float64 }
		p.eval(`(() => { const r = document.querySelector('#cursor .flag').getBoundingClientRect(); return {X: r.x + 10, Y: r.y + r.height / 2}; })()`, &box)
		p.do("dragging the cursor", chromedp.DragAndDropXY(box.X, box.Y, box.X+120, box.Y, 8))
		p.wait("the cursor moved later by the drag", fmt.Sprintf(`(() => { const d = document.getElementById('board-panel').dataset;
			return d.state === 'ready' && Number(d.atMs) > %d && new URLSearchParams(location.search).get('at') !== null; })()`, prev))

		// Dragging the background pans the timeline; the cursor keeps its time.
		var before struct {
			X  float64 `json:"x"`
			At string  `json:"at"`
			SX float64 `json:"sx"`
			SY float64 `json:"sy"`
		}
		p.eval(`(() => { const svg = document.getElementById('tl').getBoundingClientRect();
			const c = document.querySelector('#cursor .cline').getBoundingClientRect();
			const sx = c.x > svg.x + svg.width / 2 ? svg.x + svg.width * 0.3 : svg.x + svg.width * 0.8;
			return {x: c.x, at: document.getElementById('board-panel').dataset.atMs, sx, sy: svg.y + svg.height - 4}; })()`, &before)
		p.do("panning", chromedp.DragAndDropXY(before.SX, before.SY, before.SX-150, before.SY, 8))
		var after struct {
			X  float64 `json:"x"`
			At string  `json:"at"`
		}
		p.eval(`({x: document.querySelector('#cursor .cline').getBoundingClientRect().x, at: document.getElementById('board-panel').dataset.atMs})`, &after)
		if d := before.X - after.X; d < 140 || d > 160 || after.At != before.At {
			t.Errorf("panning 150 px moved the cursor line by %.0f px and its time from %s to %s", d, before.At, after.At)
		}
		p.consoleClean()
	})

	t.Run("phone-sized window", func(t *testing.T) {
		u := base + "?at=2024-02-16T09:30:00%2B01:00&known_at=2024-02-16T09:30:00%2B01:00&person=tom-becker"
		if knownURL != "" {
			u = knownURL + "&person=tom-becker"
		}
		p := openPage(t, bctx, shots, u, viewport{w: 390, h: 844, mobile: true})
		p.wait("Tom Becker's status", `document.getElementById('status-panel').dataset.state === 'ready'`)
		var m struct {
			Inner  int `json:"inner"`
			Doc    int `json:"doc"`
			Body   int `json:"body"`
			Widest string
		}
		p.eval(`(() => {
			const w = window.innerWidth;
			const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 1)
				.map(e => e.tagName + '#' + e.id + '.' + e.className).slice(0, 5).join(' ');
			return {inner: w, doc: document.documentElement.scrollWidth, body: document.body.scrollWidth, Widest: wide};
		})()`, &m)
		if m.Inner != 390 || m.Doc > m.Inner || m.Body > m.Inner {
			t.Errorf("at 390 px the page is %d px wide (body %d, window %d); too wide: %s", m.Doc, m.Body, m.Inner, m.Widest)
		}
		checkHalvorsenBoard(t, p.board(), "director")
		p.screenshot("08-phone")
		p.consoleClean()
	})

	// Last: it adds to the archive.
	t.Run("live: a stored event appears without a reload", func(t *testing.T) {
		p := openPage(t, bctx, shots, base+"?at=2024-03-02T12:00:00%2B01:00", laptop)
		p.wait("the live feed to connect", `document.getElementById('live').dataset.state === 'live'`)
		var before int
		p.eval(`document.querySelectorAll('#board-body .members .member').length`, &before)
		lines := `{"type": "statement.made", "occurred_at": "2024-03-01T11:00:00+01:00", "occurred_precision": "minute", "reported_at": "2024-03-01T11:05:00+01:00", "source": {"outlet": "Page test wire", "attribution": "on_record"}, "data": {"by": "lee-wei", "text": "Live from the page test", "lang": "en"}}
{"type": "board.seat_taken", "occurred_at": "2024-03-01T12:00:00+01:00", "occurred_precision": "minute", "reported_at": "2024-03-01T12:00:00+01:00", "source": {"outlet": "Page test wire", "attribution": "on_record"}, "data": {"org": "halvorsen-robotics", "person": "kari-nordmann", "seat": "director"}}
`
		add, errs := events.ReadAll(strings.NewReader(lines), "live.jsonl")
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		if _, err := writer.Append(context.Background(), add, nil); err != nil {
			t.Fatal(err)
		}
		p.waitFor("the new event in the list", `[...document.querySelectorAll('#events .ev')].some(li => li.textContent.includes('Live from the page test'))`, 2*time.Second)
		p.wait("the board to gain Kari Nordmann", `document.querySelector('#board-body .members .member[data-person="kari-nordmann"]') &&
			document.getElementById('board-panel').dataset.state === 'ready'`)
		var after int
		p.eval(`document.querySelectorAll('#board-body .members .member').length`, &after)
		if after != before+1 {
			t.Errorf("board has %d members after a seat was taken live, had %d", after, before)
		}
		// The toast names the last event by the summary the feed sent: the
		// server's, the one its timeline gives.
		resp, err := http.Get(base + "api/timeline?type=board.seat_taken&entity=kari-nordmann")
		if err != nil {
			t.Fatal(err)
		}
		var seated []struct{ Summary string }
		err = json.NewDecoder(resp.Body).Decode(&seated)
		checked(t, resp.Body.Close)
		if err != nil || len(seated) == 0 || seated[len(seated)-1].Summary == "" {
			t.Fatalf("the timeline of Kari Nordmann's seats: %+v (%v)", seated, err)
		}
		want := seated[len(seated)-1].Summary
		p.wait("the toast to name the new seat", fmt.Sprintf(`document.getElementById('toast').textContent.includes(%q)`, want))
		p.screenshot("09-live")
		p.consoleClean()
	})
}

// The bundled story, when corpus/*.jsonl exists: the board and the interim
// CEO at the moments named in testdata/bundled-expect.json.
func TestPageBundledStory(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "corpus", "*.jsonl"))
	files = slices.DeleteFunc(files, func(f string) bool { return strings.HasPrefix(filepath.Base(f), "zz-temp") })
	if len(files) == 0 {
		t.Skip("no bundled story yet (corpus/*.jsonl): this test runs once the corpus lands")
	}
	var expect struct {
		Board     []string `json:"board_2023_11_20"`
		CEOSunday string   `json:"interim_ceo_2023_11_19_1800"`
		CEOMonday string   `json:"interim_ceo_2023_11_20_1200"`
	}
	b, err := os.ReadFile(filepath.Join("testdata", "bundled-expect.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &expect); err != nil {
		t.Fatal(err)
	}
	var evs []events.Event
	for _, f := range files {
		r, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		got, errs := events.ReadAll(r, filepath.Base(f))
		checked(t, r.Close)
		if len(errs) > 0 {
			t.Fatalf("the bundled story does not decode: %v", errs)
		}
		evs = append(evs, got...)
	}
	bctx := startBrowser(t)
	shots := screenshotDir(t)
	s := start(t, t.TempDir(), "127.0.0.1:-1")
	t.Cleanup(func() { checked(t, s.Close) })
	if _, err := client(t, s).Append(context.Background(), evs, nil); err != nil {
		t.Fatal(err)
	}
	poll.Until(t, "views caught up", func() bool { return caughtUp(s) })

	p := openPage(t, bctx, shots, "http://"+s.HTTPAddr()+"/", laptop)
	p.typeTime("2023-11-20 12:00 PT")
	p.knownAt(time.Time{})
	var names []string
	for _, r := range p.board() {
		names = append(names, r.Name)
	}
	sort.Strings(names)
	want := slices.Clone(expect.Board)
	sort.Strings(want)
	if !slices.Equal(names, want) {
		t.Errorf("board at 2023-11-20 12:00 PT: %v, want %v", names, want)
	}
	interimCEO := func() string {
		for _, r := range p.roles() {
			if r.Role == "ceo" && r.Interim {
				return r.Name
			}
		}
		return ""
	}
	if got := interimCEO(); got != expect.CEOMonday {
		t.Errorf("interim CEO at 2023-11-20 12:00 PT: %q, want %q", got, expect.CEOMonday)
	}
	p.screenshot("10-bundled-monday")

	p.do("turning on 'as the public knew it then'", chromedp.Click(chromedp.CSS(`label[for="known-toggle"]`)))
	k := p.typeTime("2023-11-19 18:00 PT")
	p.knownAt(k)
	if got := interimCEO(); got != expect.CEOSunday {
		t.Errorf("interim CEO at 2023-11-19 18:00 PT as known then: %q, want %q", got, expect.CEOSunday)
	}
	p.screenshot("11-bundled-sunday-as-known")
	p.consoleClean()

	// The board's CSV link asks the same question as CSV.
	var href string
	p.eval(`document.querySelector('#board-csv').href`, &href)
	resp, err := http.Get(href)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	checked(t, resp.Body.Close)
	if rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll(); err != nil || len(rows)-1 != len(p.board()) || rows[0][0] != "part" {
		t.Errorf("the board's CSV link (%s) gives %d rows for %d on the board (%v):\n%s", href, len(rows)-1, len(p.board()), err, body)
	}
	// Embed mode shows the timeline and the board alone.
	e := openPage(t, bctx, shots, p.location().String()+"&embed=1", viewport{w: 800, h: 560})
	var shown map[string]bool
	e.eval(`Object.fromEntries(['timeline-panel','board-panel','claims-panel','events-panel'].map(id => [id, getComputedStyle(document.getElementById(id)).display !== 'none']))`, &shown)
	if !shown["timeline-panel"] || !shown["board-panel"] || shown["claims-panel"] || shown["events-panel"] {
		t.Errorf("embed mode shows %v", shown)
	}
	e.screenshot("13-embed")
	e.consoleClean()

	// By report, the page lists the events as `story timeline --by
	// reported` does, where equal reported_at go by occurred_at (the
	// bundled story has such ties).
	rep := openPage(t, bctx, shots, "http://"+s.HTTPAddr()+"/", laptop)
	rep.do("switching to reported", chromedp.Click(chromedp.CSS(`label[for="by-reported"]`)))
	rep.wait("the list by reported", `location.search.includes('by=reported')`)
	var order []string
	rep.eval(`[...document.querySelectorAll('#events .ev')].map(li => li.dataset.id)`, &order)
	if want := timelineOrder(t, evs, "reported"); !slices.Equal(order, want) {
		i := 0
		for i < min(len(order), len(want)) && order[i] == want[i] {
			i++
		}
		t.Errorf("by reported the page lists %d events, `story timeline --by reported` %d; they differ from #%d on:\n page %v\n Go   %v",
			len(order), len(want), i, order[i:min(i+3, len(order))], want[i:min(i+3, len(want))])
	}

	// The lanes are the board: at each moment a seat changed, as known
	// now and as known then, the lanes hold whom Go's board seats, in
	// those seats.
	var org string
	rep.eval(`document.getElementById('org-select').value`, &org)
	g := engineOf(evs)
	occurred, reported := seatMoments(evs, org)
	for _, at := range occurred {
		rep.typeTime(at.Format(time.RFC3339))
		checkLanes(t, rep, g, org, at, time.Time{})
	}
	rep.do("turning on 'as the public knew it then'", chromedp.Click(chromedp.CSS(`label[for="known-toggle"]`)))
	for _, at := range reported {
		rep.typeTime(at.Format(time.RFC3339))
		rep.knownAt(at)
		checkLanes(t, rep, g, org, at, at)
	}
	rep.consoleClean()

	// A second story in the same archive: ?story= shows its events alone.
	r, err := os.Open(filepath.Join("..", "cmd", "story", "testdata", "other-story.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	other, errs := events.ReadAll(r, "other-story.jsonl")
	checked(t, r.Close)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	bundledFiling, err := query.FilingFor("bundled", evs)
	if err != nil {
		t.Fatal(err)
	}
	otherFiling, err := query.FilingFor("other", other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client(t, s).Append(context.Background(), slices.Concat(other, bundledFiling, otherFiling), nil); err != nil {
		t.Fatal(err)
	}
	poll.Until(t, "views caught up", func() bool { return caughtUp(s) })
	o := openPage(t, bctx, shots, "http://"+s.HTTPAddr()+"/?story=other", laptop)
	o.wait("the other story's events", `document.querySelector('#events-count').textContent !== ''`)
	var count string
	o.eval(`document.querySelector('#events-count').textContent`, &count)
	if total := count[strings.LastIndex(count, " ")+1:]; total != strconv.Itoa(len(other)) {
		t.Errorf("?story=other shows %q events, want the story's %d", count, len(other))
	}
	if !strings.Contains(o.location().RawQuery, "story=other") {
		t.Errorf("the page's link lost the story: %s", o.location())
	}
	o.screenshot("12-second-story")
	o.consoleClean()
}

// seatMoments are the distinct times at which org's seat events happened,
// and those at which they were reported.
func seatMoments(evs []events.Event, org string) (occurred, reported []time.Time) {
	for _, e := range evs {
		if d, ok := e.Data.(*events.SeatTaken); ok && d.Org == org {
			occurred, reported = append(occurred, e.OccurredAt), append(reported, e.ReportedAt)
		}
		if d, ok := e.Data.(*events.SeatLeft); ok && d.Org == org {
			occurred, reported = append(occurred, e.OccurredAt), append(reported, e.ReportedAt)
		}
	}
	distinct := func(ts []time.Time) []time.Time {
		slices.SortFunc(ts, time.Time.Compare)
		return slices.CompactFunc(ts, time.Time.Equal)
	}
	return distinct(occurred), distinct(reported)
}

// checkLanes compares the lanes at the page's cursor with Go's board of
// org at (at, k) (k zero: now).
func checkLanes(t *testing.T, p *page, g *query.Engine, org string, at, k time.Time) {
	t.Helper()
	v, err := g.Answer(query.Request{View: "board", Org: org, At: at, KnownAt: k})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, m := range v.(projections.Board).Members {
		want[m.Person] = string(m.Seat)
	}
	for _, m := range v.(projections.Board).Observers {
		want[m.Person] = string(events.Observer)
	}
	if got := p.lanes(); !maps.Equal(got, want) {
		t.Errorf("lanes at %s (known at %s): %v; Go's board: %v", at.Format(time.RFC3339), k.Format(time.RFC3339), got, want)
	}
}

// timelineOrder is the ids of `story timeline --by by` for evs, but the
// entity descriptions (the page's list leaves them out unless asked).
func timelineOrder(t *testing.T, evs []events.Event, by string) []string {
	t.Helper()
	v, err := engineOf(evs).Answer(query.Request{View: "timeline", By: by})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, it := range v.([]projections.TimelineItem) {
		if it.Event.Type != events.EntityDescribed {
			ids = append(ids, it.Event.ID)
		}
	}
	return ids
}

// caughtUp reports whether the server's views include every stored record.
func caughtUp(s *server.Server) bool {
	_, seq := s.Applied()
	info, err := s.Archive().JetStream().Stream(context.Background(), s.Archive().StreamName())
	if err != nil {
		return false
	}
	return seq >= info.CachedInfo().State.LastSeq
}
