package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"storyline/archive"
	"storyline/article"
	"storyline/corpus"
	"storyline/events"
	"storyline/quarantine"
	"storyline/query"
	"storyline/server"
)

// loadFiles reads and validates every file whole. No file means the
// bundled story. References by key or prefix are left to settleInputs.
func (m *Main) loadFiles(paths []string) ([]events.Input, []error) {
	var all []events.Input
	var errs []error
	read := func(name string, r io.Reader) {
		ins, es := events.ReadInput(r, name)
		all = append(all, ins...)
		errs = append(errs, es...)
	}
	if len(paths) == 0 {
		for _, name := range corpus.Files() {
			f, err := corpus.FS.Open(name)
			if err != nil {
				errs = append(errs, fmt.Errorf("bundled story %s: %w", name, err))
				continue
			}
			read("bundled:"+name, f)
			_ = f.Close() // read only: nothing is lost
		}
		return all, errs
	}
	for _, p := range paths {
		if p == "-" {
			read("stdin", m.Stdin)
			continue
		}
		f, err := os.Open(p)
		if err != nil {
			errs = append(errs, usageErr(fmt.Sprintf("import: %v", err)))
			continue
		}
		read(p, f)
		_ = f.Close() // read only: nothing is lost
	}
	return all, errs
}

func (m *Main) progress(label string) archive.Progress {
	if !m.StderrIsTerminal {
		return nil
	}
	last := time.Time{}
	return func(done, total int) {
		if time.Since(last) < 100*time.Millisecond && done < total {
			return
		}
		last = time.Now()
		fmt.Fprintf(m.Stderr, "\r%s %d/%d (%d%%)", label, done, total, done*100/max(total, 1))
		if done >= total {
			fmt.Fprintln(m.Stderr)
		}
	}
}

type importResult struct {
	Stored   int      `json:"stored"`
	Present  int      `json:"already_present"`
	Rejected int      `json:"rejected"`
	Errors   []string `json:"errors,omitempty"`
	LastSeq  uint64   `json:"last_seq,omitempty"`
	// Quarantined are the stored events the views leave out (a forged
	// correction or erratum), with the reason.
	Quarantined []quarantine.Entry `json:"quarantined,omitempty"`
	// NotStored counts the events an import that failed did not get to.
	NotStored int `json:"not_stored,omitempty"`
}

func (m *Main) runImport(ctx context.Context, args []string) (err error) {
	var g globalFlags
	fs := m.newFlagSet("import", "import [FILE.jsonl ...] [--json]")
	m.registerGlobal(fs, &g)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	allowUndescribed := fs.Bool("allow-undescribed", false, "store events naming entities no entity.described describes (the views show their ids)")
	story := fs.String("story", "", "file the events under this story (a slug; the bundled story is filed under its own name)")
	ackLog := fs.String("ack-log", "", "append the id of every event the server acknowledged to FILE, one per line, as soon as its batch is acknowledged")
	paths, err := parse(fs, args)
	if err != nil {
		return err
	}
	ins, errs := m.loadFiles(paths)
	if len(errs) > 0 {
		var ue *usageError
		if len(errs) == 1 && errors.As(errs[0], &ue) {
			return errs[0]
		}
		return m.refused(errs, *asJSON)
	}
	a, err := m.openChecked(ctx, &g)
	if err != nil {
		return err
	}
	defer closing(a, &err)
	evs, errs := settleInputs(ctx, a, ins, *allowUndescribed)
	if len(errs) > 0 {
		return m.refused(errs, *asJSON)
	}
	if *story == "" && len(paths) == 0 {
		*story = bundledStory()
	}
	if *story != "" && !events.ValidSlug(*story) {
		return usageErr(fmt.Sprintf("import: --story %q: a story is a slug (lowercase ASCII words joined by -)", *story))
	}
	if evs, err = filed(*story, evs); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	acks, err := openAckLog(*ackLog)
	if err != nil {
		return fmt.Errorf("import: --ack-log: %w", err)
	}
	res, err := m.store(ctx, &g, a, evs, acks)
	m.reportImport(res, *asJSON)
	if err != nil {
		return err
	}
	if res.Stored > 0 {
		m.saveViews(ctx, a)
	}
	for _, q := range res.Quarantined {
		fmt.Fprintf(m.Stderr, "seq %d: quarantined (%s): %s\n", q.Seq, q.Class, q.Reason)
	}
	if n := len(res.Quarantined); n > 0 {
		return fmt.Errorf("import: %d stored event(s) quarantined: they stay in the stream, left out of every view (see `story quarantine`)", n)
	}
	return nil
}

// store appends evs, logging the ids acknowledged to acks, and says what
// was stored and which of it the views leave out.
func (m *Main) store(ctx context.Context, g *globalFlags, a *archive.Archive, evs []events.Event, acks *ackLog) (importResult, error) {
	opts := archive.AppendOptions{Progress: m.progress("import")}
	if acks != nil {
		opts.Acked = acks.write
	}
	res, err := a.AppendWith(ctx, evs, opts)
	// A failed append says more than the log it stopped writing.
	if aerr := acks.close(); err == nil && aerr != nil {
		err = fmt.Errorf("import: --ack-log: %w", aerr)
	}
	out := importResult{Stored: res.Stored, Present: res.Present, LastSeq: res.LastSeq}
	switch {
	case errors.Is(err, archive.ErrInvalid):
		msgs := strings.Split(err.Error(), "\n")
		out.Rejected, out.Errors = len(msgs), msgs
		return out, err
	case err != nil:
		out.NotStored = len(evs) - res.Stored - res.Present
		return out, importFailed(ctx, a, err)
	case res.Stored > 0 && mayBeQuarantined(evs):
		if out.Quarantined, err = m.quarantinedSince(ctx, g, a, res.LastSeq-uint64(res.Stored)+1); err != nil {
			return out, fmt.Errorf("import: stored, but whether the views admit what was stored is not known: %w", err)
		}
	}
	return out, nil
}

// ackLog is the file --ack-log appends acknowledged ids to.
type ackLog struct {
	f   *os.File
	err error // the first write that failed
}

// openAckLog opens the file at path for appending; nil for no path.
func openAckLog(path string) (*ackLog, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	return &ackLog{f: f}, nil
}

// write logs a batch of acknowledged ids. One write per batch: a process
// killed mid-way leaves whole lines of ids that were acknowledged.
func (l *ackLog) write(ids []string) {
	if _, err := l.f.WriteString(strings.Join(ids, "\n") + "\n"); err != nil && l.err == nil {
		l.err = err
	}
}

// close closes the log and returns the first write or close that failed.
func (l *ackLog) close() error {
	if l == nil {
		return nil
	}
	return errors.Join(l.err, l.f.Close())
}

// reportImport prints what an import stored, as text or JSON.
func (m *Main) reportImport(r importResult, asJSON bool) {
	if asJSON {
		m.printJSON(r)
		return
	}
	fmt.Fprintf(m.Stdout, "stored %d, already present %d, rejected %d", r.Stored, r.Present, r.Rejected)
	if r.NotStored > 0 {
		fmt.Fprintf(m.Stdout, ", not stored %d", r.NotStored)
	}
	fmt.Fprintln(m.Stdout)
}

// refused reports the bad lines of an import, of which nothing is stored.
func (m *Main) refused(errs []error, asJSON bool) error {
	res := importResult{Rejected: len(errs)}
	for _, e := range errs {
		fmt.Fprintln(m.Stderr, e)
		res.Errors = append(res.Errors, e.Error())
	}
	m.reportImport(res, asJSON)
	fmt.Fprintf(m.Stderr, "story: import: %d bad line(s); nothing stored\n", len(errs))
	return errSilent
}

// importFailed explains why an append stopped and what to do next.
func importFailed(ctx context.Context, a *archive.Archive, err error) error {
	switch {
	case errors.Is(err, archive.ErrPermission), errors.Is(err, archive.ErrIDReused):
		return fmt.Errorf("import: %w", err)
	case errors.Is(err, archive.ErrConflict) && a.Server() != nil:
		// Nobody else writes to an archive this process holds, so a conflict
		// here means a record the import looked for could not be read: a
		// damaged block that the cheap check before the import missed.
		if _, verr := a.Verify(ctx, nil); errors.Is(verr, archive.ErrCorrupt) {
			return fmt.Errorf("import: %w\n`story verify` names the first bad sequence; `story export --salvage` writes out what can still be read", verr)
		}
	}
	return fmt.Errorf("import: %w (run the same import again to complete it)", err)
}

func (m *Main) runExport(ctx context.Context, args []string) (err error) {
	var g globalFlags
	fs := m.newFlagSet("export", "export [--format jsonl|cloudevents|timelinejs|timelinejs-csv|claimreview|ftm] [--out FILE] [--salvage]")
	m.registerGlobal(fs, &g)
	format := fs.String("format", archive.FormatJSONL, "jsonl (the import format), cloudevents (CloudEvents 1.0 JSON, one per line), timelinejs (TimelineJS JSON), timelinejs-csv (its Google Sheet columns), claimreview (schema.org ClaimReview JSON-LD, one per settled claim) or ftm (FollowTheMoney entities: seats and roles with their sources, one per line)")
	var vf viewExportFlags
	vf.register(fs)
	outPath := fs.String("out", "", "write to FILE (only once the whole archive is written) instead of stdout")
	salvage := fs.Bool("salvage", false, "from a damaged archive, write every record that can still be read and list what is missing, instead of stopping at the first damage")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if viewFormats[*format] {
		return m.exportViews(ctx, &g, *format, *outPath, &vf)
	}
	if *format != archive.FormatJSONL && *format != archive.FormatCloudEvents {
		return usageErr(fmt.Sprintf("export: --format %q (want jsonl, cloudevents, timelinejs, timelinejs-csv, claimreview or ftm)", *format))
	}
	a, err := m.open(ctx, &g)
	if err != nil {
		return err
	}
	defer closing(a, &err)
	out, err := newOutput(m.Stdout, *outPath)
	if err != nil {
		return usageErr(fmt.Sprintf("export: %v", err))
	}
	defer out.discard()
	rep, err := a.Export(ctx, out, archive.ExportOptions{Format: *format, Salvage: *salvage, Skipped: func(q quarantine.Entry) {
		fmt.Fprintf(m.Stderr, "export: seq %d skipped (quarantined, %s: %s)\n", q.Seq, q.Class, q.Reason)
	}})
	if rep.Quarantined > 0 {
		fmt.Fprintf(m.Stderr, "export: %d quarantined records left out (see `story quarantine`)\n", rep.Quarantined)
	}
	if errors.Is(err, archive.ErrCorrupt) {
		written := fmt.Sprintf("%d events written", rep.Written)
		if *outPath != "" {
			written += ", not kept"
		}
		return fmt.Errorf("export: %w\nthe export stops there: it is not a complete backup (%s); `story export --salvage` writes all that can still be read", err, written)
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(m.Stderr, "export: --salvage: %s\n", p)
	}
	if rep.Truncated > 0 {
		fmt.Fprintf(m.Stderr, "export: --salvage: and %d more problems (`story verify --json` lists them)\n", rep.Truncated)
	}
	if err := out.commit(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if *outPath != "" {
		fmt.Fprintf(m.Stderr, "exported %d events to %s\n", rep.Written, *outPath)
	}
	return nil
}

// output is where an export goes: stdout, or a file that appears under its
// name only once it is complete (written beside it, then renamed).
type output struct {
	io.Writer
	f    *os.File
	path string
}

func newOutput(stdout io.Writer, path string) (*output, error) {
	if path == "" {
		return &output{Writer: stdout}, nil
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return nil, err
	}
	return &output{Writer: f, f: f, path: path}, nil
}

// commit makes a file output appear under its name.
func (o *output) commit() error {
	if o.f == nil {
		return nil
	}
	err := errors.Join(o.f.Sync(), o.f.Close())
	if err == nil {
		err = os.Rename(o.f.Name(), o.path)
	}
	o.f = nil
	return err
}

// discard removes a file output not committed.
func (o *output) discard() {
	if o.f != nil {
		// Discarded after an error, which is the one reported.
		_ = o.f.Close()
		_ = os.Remove(o.f.Name())
	}
}

func (m *Main) runPublish(ctx context.Context, args []string) (err error) {
	var g globalFlags
	var f publishFlags
	fs := m.newFlagSet("publish", "publish --type T --occurred-at T --reported-at T --outlet O --attribution A --data JSON [...]\n       story publish < event.json")
	m.registerGlobal(fs, &g)
	f.register(fs)
	allowUndescribed := fs.Bool("allow-undescribed", false, "store it even if it names an entity no entity.described describes")
	expect := fs.Int64("expect-entity-seq", -1, "fail unless the event's entity was last written at this stream sequence (optimistic write)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := argCount("publish", pos, 0, 0, "no arguments"); err != nil {
		return err
	}
	line, err := f.line(m.Stdin)
	if err != nil {
		return err
	}
	ins, errs := events.ReadInput(bytes.NewReader(line), "publish")
	if len(errs) > 0 || len(ins) != 1 {
		return usageErr("publish: " + strings.ReplaceAll(joinLines(errs), "\n", "; "))
	}
	a, err := m.openChecked(ctx, &g)
	if err != nil {
		return err
	}
	defer closing(a, &err)
	// The same rules as import: references by key or prefix, keys, and
	// entities that must be described.
	evs, errs := settleInputs(ctx, a, ins, *allowUndescribed)
	if len(errs) > 0 {
		return usageErr("publish: " + strings.ReplaceAll(joinLines(errs), "\n", "; "))
	}
	ev := evs[0]
	var opts archive.PublishOptions
	if *expect >= 0 {
		u := uint64(*expect)
		opts.ExpectEntitySeq = &u
	}
	res, err := a.Publish(ctx, ev, opts)
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	return m.reportPublish(ctx, &g, a, &ev, res, *asJSON)
}

// publishFlags describe the event publish stores when --type is given.
type publishFlags struct {
	typ, prec, outlet, url, attrib, data, quote, supersedes, id, report string
	occurred, reported                                                  timeFlag
	scheduled                                                           bool
}

func (f *publishFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.typ, "type", "", "event type, e.g. role.started (without it the event is read from stdin as JSON)")
	fs.Var(&f.occurred, "occurred-at", "when it happened (e.g. \"2023-11-17 12:00 PT\")")
	fs.Var(&f.reported, "reported-at", "when the public learned it (default: --occurred-at)")
	stringFlags(fs, []stringFlag{
		{&f.prec, "precision", "", "minute|hour|day|month|year (default minute)"},
		{&f.outlet, "outlet", "", "who reported it"},
		{&f.url, "url", "", "source URL"},
		{&f.attrib, "attribution", "", "official|on_record|anonymous|archive"},
		{&f.report, "report", "", "id of the report.published event it came from"},
		{&f.data, "data", "", "the payload as a JSON object"},
		{&f.quote, "quote", "", "a quote from the source"},
		{&f.supersedes, "supersedes", "", "the event this one corrects: its id, key or an id prefix"},
		{&f.id, "id", "", "event id (default: derived from the content)"},
	})
	fs.BoolVar(&f.scheduled, "scheduled", false, "announcement of a future event (reported before it occurs)")
}

// line is the event to publish as an import line: the one the flags
// describe, or without --type the one on stdin.
func (f *publishFlags) line(stdin io.Reader) ([]byte, error) {
	if f.typ == "" {
		line, err := io.ReadAll(io.LimitReader(stdin, events.MaxLineBytes+1))
		if err != nil {
			return nil, fmt.Errorf("publish: read stdin: %w", err)
		}
		if line = bytes.TrimSpace(line); len(line) == 0 {
			return nil, usageErr("publish: no event: give --type and the other flags, or an event as JSON on stdin")
		}
		return line, nil
	}
	obj := map[string]any{"type": f.typ}
	if f.occurred.set {
		obj["occurred_at"] = f.occurred.t.Format(time.RFC3339)
	}
	if f.reported.set {
		obj["reported_at"] = f.reported.t.Format(time.RFC3339)
	} else if f.occurred.set {
		obj["reported_at"] = f.occurred.t.Format(time.RFC3339)
	}
	src := map[string]any{"outlet": f.outlet, "attribution": f.attrib}
	for k, v := range map[string]string{"url": f.url, "report": f.report} {
		if v != "" {
			src[k] = v
		}
	}
	obj["source"] = src
	for k, v := range map[string]string{"occurred_precision": f.prec, "quote": f.quote, "supersedes": f.supersedes, "id": f.id} {
		if v != "" {
			obj[k] = v
		}
	}
	if f.scheduled {
		obj["scheduled"] = true
	}
	if f.data != "" {
		obj["data"] = json.RawMessage(f.data)
	}
	line, err := json.Marshal(obj)
	if err != nil {
		return nil, usageErr(fmt.Sprintf("publish: --data is not a JSON object: %v", err))
	}
	return line, nil
}

// reportPublish prints what became of a published event — stored, already
// present, or stored but quarantined, which is an error.
func (m *Main) reportPublish(ctx context.Context, g *globalFlags, a *archive.Archive, ev *events.Event, res archive.Result, asJSON bool) error {
	status := "stored"
	var q *quarantine.Entry
	var err error
	if res.Present > 0 {
		status = "already present"
	} else if q, err = m.quarantinedAt(ctx, g, a, res.LastSeq); err != nil {
		return fmt.Errorf("publish: stored at seq %d, but whether the views admit it is not known: %w", res.LastSeq, err)
	} else if q != nil {
		status = "quarantined"
	}
	if asJSON {
		out := map[string]any{"id": ev.ID, "status": status, "seq": res.LastSeq, "subject": archive.Subject(ev)}
		if q != nil {
			out["quarantine"] = map[string]any{"class": q.Class, "reason": q.Reason}
		}
		m.printJSON(out)
	} else {
		fmt.Fprintf(m.Stdout, "%s %s %s\n", status, ev.ID, archive.Subject(ev))
	}
	if q != nil {
		return fmt.Errorf("publish: stored at seq %d but quarantined (%s): %s; it stays in the stream, left out of every view (see `story quarantine`)", res.LastSeq, q.Class, q.Reason)
	}
	return nil
}

// quarantinedAt returns the quarantine entry of the record at seq, or nil
// when the views admit it: the verdict of the running serve's views, or of
// a screen of the archive opened in process.
func (m *Main) quarantinedAt(ctx context.Context, g *globalFlags, a *archive.Archive, seq uint64) (*quarantine.Entry, error) {
	qs, err := m.quarantinedSince(ctx, g, a, seq)
	for _, q := range qs {
		if q.Seq == seq {
			return &q, err
		}
	}
	return nil, err
}

// quarantinedSince returns the quarantined records stored at seq from or
// later: the verdict of the archive opened in process, or of the views
// (the running serve's, or the archive folded in process).
func (m *Main) quarantinedSince(ctx context.Context, g *globalFlags, a *archive.Archive, from uint64) ([]quarantine.Entry, error) {
	if a.Server() != nil {
		return a.QuarantinedSince(ctx, from)
	}
	raw, err := m.ask(ctx, g, query.Request{View: "quarantine", AfterSeq: from - 1})
	if err != nil {
		return nil, err
	}
	var v query.QuarantineView
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("quarantine view: %w", err)
	}
	return v.Records, nil
}

// mayBeQuarantined reports whether the screen could keep any of evs out
// of the views: only a correction or an erratum can be forged; the rest
// the import checked itself.
func mayBeQuarantined(evs []events.Event) bool {
	for _, e := range evs {
		if e.Supersedes != "" || e.Erratum != "" {
			return true
		}
	}
	return false
}

func (m *Main) runIngestReport(ctx context.Context, args []string) (err error) {
	var g globalFlags
	var f reportFlags
	fs := m.newFlagSet("ingest-report", "ingest-report FILE --outlet O --url U --published T [--title T] [--lang L]")
	m.registerGlobal(fs, &g)
	f.register(fs)
	asJSON := fs.Bool("json", false, "print the stored event as JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := argCount("ingest-report", pos, 1, 1, "one FILE"); err != nil {
		return err
	}
	switch {
	case f.outlet == "":
		return usageErr("ingest-report: --outlet is required")
	case !f.published.set:
		return usageErr("ingest-report: --published is required")
	}
	raw, err := os.ReadFile(pos[0])
	if err != nil {
		return usageErr(fmt.Sprintf("ingest-report: %v", err))
	}
	ev, err := f.event(string(raw))
	if err != nil {
		return err
	}
	a, err := m.openChecked(ctx, &g)
	if err != nil {
		return err
	}
	defer closing(a, &err)
	res, err := a.Publish(ctx, ev, archive.PublishOptions{})
	if err != nil {
		return fmt.Errorf("ingest-report: %w", err)
	}
	if *asJSON {
		m.printJSON(ev)
		return nil
	}
	status := "stored"
	if res.Present > 0 {
		status = "already present"
	}
	body := ev.Data.(*events.Report).Body
	fmt.Fprintf(m.Stdout, "%s report.published %s (%d characters, repaired from %d)\n", status, ev.ID, len([]rune(body)), len([]rune(string(raw))))
	return nil
}

// reportFlags describe the report ingest-report stores.
type reportFlags struct {
	outlet, url, prec, title, lang, attrib, cites string
	published                                     timeFlag
}

func (f *reportFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.outlet, "outlet", "", "the outlet that published the article (required)")
	fs.StringVar(&f.url, "url", "", "the article's URL")
	fs.Var(&f.published, "published", "when it was published (required)")
	stringFlags(fs, []stringFlag{
		{&f.prec, "precision", "minute", "precision of --published: minute|hour|day"},
		{&f.title, "title", "", "title (default: the article's first line)"},
		{&f.lang, "lang", "", "language tag (default: zh if the text has Chinese characters, else en)"},
		{&f.attrib, "attribution", "on_record", "official|on_record|anonymous|archive"},
		{&f.cites, "cites", "", "comma-separated outlets the article relies on"},
	})
}

// event is the report.published event of the article text raw, repaired
// (package article), as the flags describe it.
func (f *reportFlags) event(raw string) (events.Event, error) {
	body := article.Repair(raw)
	var cites []string
	for _, c := range strings.Split(f.cites, ",") {
		if c = strings.TrimSpace(c); c != "" {
			cites = append(cites, c)
		}
	}
	ev := events.Event{
		Type: events.ReportPublished, OccurredAt: f.published.t, ReportedAt: f.published.t,
		Precision: events.Precision(f.prec),
		Source:    events.Source{Outlet: f.outlet, URL: f.url, Attribution: events.Attribution(f.attrib)},
		Data:      &events.Report{Title: cmp.Or(f.title, article.Title(body)), Lang: cmp.Or(f.lang, article.Lang(body)), Body: body, Cites: cites},
	}
	if err := ev.Validate(); err != nil {
		return ev, usageErr("ingest-report: " + strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	ev.ID = ev.DeriveID()
	return ev, nil
}

func (m *Main) runVerify(ctx context.Context, args []string) error {
	return m.withArchive(ctx, "verify", "print the report as JSON", args, func(a *archive.Archive, _ *globalFlags, asJSON bool) error {
		rep, err := a.Verify(ctx, m.progress("verify"))
		if err != nil && !errors.Is(err, archive.ErrCorrupt) {
			return fmt.Errorf("verify: %w", err)
		}
		if asJSON {
			m.printJSON(map[string]any{"ok": rep.OK(), "records": rep.Records, "last_seq": rep.LastSeq,
				"chain": rep.Chain, "foreign": rep.Foreign, "head_seq": rep.HeadSeq,
				"first_bad_seq": rep.FirstBad, "problem": rep.Problem, "problems": append([]archive.Problem{}, rep.Problems...),
				"quarantined": rep.Quarantined, "quarantined_by_class": rep.ByClass})
			return err
		}
		if rep.OK() {
			fmt.Fprintf(m.Stdout, "ok: %d records, sequences 1-%d, hash chain intact (head %.16s…)\n", rep.Records, rep.LastSeq, rep.Chain)
		}
		if rep.Quarantined > 0 {
			// Junk another client published is not damage, but it is news.
			fmt.Fprintf(m.Stdout, "%d records quarantined (%s): kept in the stream, left out of the views; see `story quarantine`\n",
				rep.Quarantined, classCounts(rep.ByClass))
		}
		return err
	})
}

func (m *Main) runInfo(ctx context.Context, args []string) error {
	return m.withArchive(ctx, "info", "print as JSON", args, func(a *archive.Archive, g *globalFlags, asJSON bool) error {
		info, err := a.Info(ctx)
		if err != nil {
			return err
		}
		var lag *server.Lag
		if a.Server() == nil {
			lag = m.serveLag(ctx, g)
		}
		if asJSON {
			m.printJSON(struct {
				archive.Info
				Serve *server.Lag `json:"serve,omitempty"`
			}{info, lag})
			return nil
		}
		fmt.Fprintf(m.Stdout, "stream %s: %d messages, seq %d-%d, %d bytes, data dir %s\n", info.Stream, info.Messages, info.FirstSeq, info.LastSeq, info.Bytes, a.DataDir())
		if lag != nil {
			fmt.Fprintf(m.Stdout, "story serve: views at seq %d, lag %d (the stream ends at seq %d)\n", lag.AppliedSeq, lag.Lag, lag.StreamLastSeq)
		}
		return nil
	})
}

// withArchive runs a command that takes the global flags and --json and no
// arguments: it opens the archive, runs, and closes it.
func (m *Main) withArchive(ctx context.Context, name, jsonHelp string, args []string, run func(a *archive.Archive, g *globalFlags, asJSON bool) error) (err error) {
	var g globalFlags
	fs := m.newFlagSet(name, name+" [--json]")
	m.registerGlobal(fs, &g)
	asJSON := fs.Bool("json", false, jsonHelp)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	a, err := m.open(ctx, &g)
	if err != nil {
		return err
	}
	defer closing(a, &err)
	return run(a, &g, *asJSON)
}

// serveLag asks the running serve of the archive how far its views are
// behind the stream; nil when no serve runs, or (said on stderr) when it
// cannot tell.
func (m *Main) serveLag(ctx context.Context, g *globalFlags) *server.Lag {
	cfg, err := g.connConfig()
	if err != nil {
		fmt.Fprintln(m.Stderr, "story:", err)
		return nil
	}
	c, err := server.Find(ctx, cfg)
	if err != nil {
		return nil // no serve (or none this command may trust): nothing to say
	}
	defer c.Close()
	lag, err := c.Lag(ctx)
	if err != nil {
		fmt.Fprintln(m.Stderr, "story:", err)
		return nil
	}
	return &lag
}

func (m *Main) printJSON(v any) {
	enc := json.NewEncoder(m.Stdout)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

var _ fs.FS = corpus.FS
