package server

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"storyline/events"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nats.go/micro"

	"storyline/archive"
	"storyline/projections"
	"storyline/projector"
	"storyline/query"
)

// ErrPortTaken: the address serve should listen on is in use.
var ErrPortTaken = errors.New("server: address in use")

const (
	// minSeqWait bounds an answer's wait for the views to include the
	// request's MinSeq.
	minSeqWait = 10 * time.Second
	// drainWait bounds Close's wait for the answers to the requests the
	// micro service had received when it stopped: long enough for one
	// that waits for its MinSeq.
	drainWait = minSeqWait + 5*time.Second
	// maxWaiting bounds the questions waiting at once for their
	// MinSeq; past it one more is refused at once with ErrBusy. Each
	// waits beside the others and beside the questions that need not
	// wait, so one asker holding answers back starves no one.
	maxWaiting = 16
)

// ErrBusy: as many questions as serve lets wait for their min_seq already
// do; ask again shortly.
var ErrBusy = errors.New("server: busy")

// Config configures a server.
type Config struct {
	// Archive is the archive to serve; its Listen address (default
	// 127.0.0.1:4222) is where NATS clients reach the embedded server.
	Archive archive.Config
	// HTTP is the address of the HTTP API and page; empty: none.
	HTTP string
	// HTTPTimeout bounds reading a request (half of it for the headers)
	// and, three times over, writing an answer, so a slow or stalled
	// client cannot hold a connection. The event feed sets its own
	// deadline per event. Default 10 seconds.
	HTTPTimeout time.Duration
	// Bucket is the KV bucket of the "now" views. Default "STORY_VIEWS".
	Bucket string
	// Log receives what the server does; default: discard.
	Log *slog.Logger
	// NoSnapshot rebuilds the views from the stream on every start and
	// writes no snapshot.
	NoSnapshot bool
	// SnapshotEvents and SnapshotEvery say when the projector writes a
	// snapshot of the views (package projector): once SnapshotEvents
	// records (default 100,000) were applied since the last one — or as
	// many as the last one covered, if more, so that writing them costs
	// at most as much again as folding — or, when any were, once
	// SnapshotEvery (default 5 minutes) passed; also while it rebuilds
	// (a rebuild killed half-way resumes from there) and on a clean stop.
	SnapshotEvents int
	SnapshotEvery  time.Duration
	// Verify reads every record once in the background after start (what
	// `story verify` does). Damage the cheap start-up check cannot see, such
	// as a flipped bit inside a block file, then stops the server: Done is
	// closed and Err says what is wrong.
	Verify bool
	// Auth, when set, lets only its users connect to the embedded server,
	// each with its role's permissions (see Permissions); serve itself
	// connects as internal. Anonymous connections are refused.
	Auth *AuthFile
	// TLSCert and TLSKey (PEM files), when set, make the embedded server's
	// listener require TLS and the HTTP API serve HTTPS with the same
	// certificate.
	TLSCert, TLSKey string
	// FeedClients is how many clients may follow the event feed (/events)
	// at once; more are answered 503. Default DefaultFeedClients.
	FeedClients int
}

// Server owns an archive while it runs: the embedded NATS server, the
// projector keeping every view current, the KV bucket of "now" views, the
// NATS micro service answering queries and, optionally, the HTTP API.
type Server struct {
	cfg   Config
	a     *archive.Archive
	views *query.Engine
	proj  *projector.Projector
	mu    sync.RWMutex // guards views
	kv    jetstream.KeyValue
	svc   micro.Service
	http  *http.Server
	httpL string

	// applied is closed and replaced each time records are applied, so
	// waiters (SSE, tests) wake up.
	notify   chan struct{}
	feed     *feed
	quit     chan struct{} // closed by Close: the event feed's clients leave
	quitOnce sync.Once
	key      ed25519.PrivateKey

	snap snapshots

	// waiting holds a token per question waiting for its MinSeq;
	// inflight counts the micro answers under way beside the handlers,
	// which Close waits for.
	waiting  chan struct{}
	inflight sync.WaitGroup

	cancel context.CancelFunc
	wg     sync.WaitGroup
	errMu  sync.Mutex
	err    error
	done   chan struct{} // closed when the server stops on its own
	// deferred collects the "now" views changed while catching up; they
	// are written to KV once at the end rather than after every batch.
	deferred map[string]bool
	// oversized are "now" views too large for a KV value, warned about once.
	oversized map[string]bool
}

// Open starts serving, with views (empty) as the views: restored from a
// snapshot when one matches the stream, then caught up.
func Open(ctx context.Context, cfg Config, views *query.Engine) (*Server, error) {
	if cfg.Bucket == "" {
		cfg.Bucket = "STORY_VIEWS"
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.HTTPTimeout <= 0 {
		cfg.HTTPTimeout = 10 * time.Second
	}
	if cfg.SnapshotEvents <= 0 {
		cfg.SnapshotEvents = 100_000
	}
	if cfg.SnapshotEvery <= 0 {
		cfg.SnapshotEvery = 5 * time.Minute
	}
	if cfg.Archive.NATSURL == "" && cfg.Archive.Listen == "" {
		cfg.Archive.Listen = "127.0.0.1:4222"
	}
	if err := cfg.secure(); err != nil {
		return nil, err
	}
	if cfg.Archive.NATSURL == "" && !strings.HasSuffix(cfg.Archive.Listen, ":-1") && !strings.HasSuffix(cfg.Archive.Listen, ":0") {
		if who := PortHolder(cfg.Archive.Listen); who != "" {
			return nil, fmt.Errorf("%w: %s is taken by %s (choose another with --listen)", ErrPortTaken, cfg.Archive.Listen, who)
		}
	}
	if cfg.HTTP != "" {
		if who := PortHolder(cfg.HTTP); who != "" {
			return nil, fmt.Errorf("%w: HTTP address %s is taken by %s (choose another with --http)", ErrPortTaken, cfg.HTTP, who)
		}
	}
	a, err := archive.Open(ctx, cfg.Archive)
	if err != nil {
		return nil, err
	}
	// A damaged archive is never served silently.
	if _, err := a.Check(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("%w; not serving it (run `story verify` to find the first bad record)", err), a.Close())
	}
	key, err := loadKey(a.DataDir())
	if err != nil {
		return nil, errors.Join(err, a.Close())
	}
	s := &Server{cfg: cfg, a: a, views: views, notify: make(chan struct{}), done: make(chan struct{}),
		waiting: make(chan struct{}, maxWaiting),
		feed:    newFeed(cfg.FeedClients), quit: make(chan struct{}), key: key}
	s.proj = projector.New(a, views, projector.Config{NoSnapshots: cfg.NoSnapshot, ProgressEvery: 5 * time.Second,
		Warn: func(msg string) { cfg.Log.Warn(msg) }, Progress: s.logProgress})
	// Commands issued from now on wait for serve rather than fail on the
	// data dir it holds.
	if err := s.record(true); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	if err := s.start(ctx); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	return s, nil
}

func (s *Server) start(ctx context.Context) error {
	js := s.a.JetStream()
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket: s.cfg.Bucket, Description: "Storyline views now (a cache; the stream is the truth)",
		History: 16, Storage: jetstream.FileStorage, Replicas: max(s.cfg.Archive.Replicas, 1),
	})
	if err != nil {
		return fmt.Errorf("views bucket: %w", err)
	}
	s.kv = kv
	if err := s.proj.Load(ctx, 0); err != nil {
		return err
	}
	if seq, from := s.proj.Restored(); seq > 0 {
		s.cfg.Log.Info("views restored from snapshot", "seq", seq, "from", from)
	}
	s.snap.start(s)
	// Catch up before answering, so the first answer is already current.
	if err := s.catchUp(ctx); err != nil {
		return err
	}
	if err := s.startService(); err != nil {
		return err
	}
	if s.cfg.HTTP != "" {
		if err := s.startHTTP(); err != nil {
			return err
		}
	}
	runCtx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	// What the start left behind goes back to the system: a full
	// collection of the views' heap, so beside serving, not before it.
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.release("start")
	}()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		err := s.proj.Follow(runCtx, s.fold)
		if err != nil && runCtx.Err() == nil {
			s.fail(fmt.Errorf("projector stopped: %w", err))
		}
	}()
	if s.cfg.Verify {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.verify(runCtx)
		}()
	}
	return s.record(false)
}

// verify checks every record of the archive while serve answers, stops
// serving it if one is damaged, and hands back what the read left.
func (s *Server) verify(ctx context.Context) {
	rep, err := s.a.Verify(ctx, nil)
	switch {
	case ctx.Err() != nil:
	case err != nil:
		s.fail(fmt.Errorf("%w; stopped serving it (run `story verify` for details)", err))
	default:
		s.cfg.Log.Info("archive verified", "records", rep.Records, "last_seq", rep.LastSeq)
		s.release("verify") // what reading every record left behind
		s.releaseReadState(ctx)
	}
}

// record writes the address of the embedded server in the data dir, for
// other commands: starting until serve answers, then ready.
func (s *Server) record(starting bool) error {
	if s.a.DataDir() == "" || s.cfg.Archive.NATSURL != "" {
		return nil
	}
	return WriteAddress(s.a.DataDir(), Address{NATSURL: s.NATSURL(), ServerID: s.a.Server().ID(), HTTP: s.httpL, PID: os.Getpid(),
		Stream: s.a.StreamName(), Auth: s.cfg.Auth != nil, TLS: s.cfg.TLSCert != "", Starting: starting})
}

// catchUp folds every record the views have not seen yet. The "now"
// views it changes are written to KV once at the end rather than after
// every batch.
func (s *Server) catchUp(ctx context.Context) error {
	s.deferred = map[string]bool{}
	defer func() {
		keys := s.deferred
		s.deferred = nil
		for k := range keys {
			s.putNow(k)
		}
	}()
	return s.proj.CatchUp(ctx, 0, s.fold)
}

// fold folds a batch of records in: the views, the feed, the waiters, the
// "now" views in KV, and a snapshot when one is due.
func (s *Server) fold(ds []projector.Decoded) error {
	s.mu.Lock()
	b := s.proj.Apply(ds)
	for _, st := range b.Steps {
		s.feed.add(st.Seq, st.Event)
	}
	n := s.notify
	s.notify = make(chan struct{})
	seq := s.views.LastSeq()
	s.mu.Unlock()
	close(n)
	for _, k := range b.Keys {
		if s.deferred != nil {
			s.deferred[k] = true
			continue
		}
		s.putNow(k)
	}
	s.snap.applied(seq)
	return nil
}

// logProgress logs how a long rebuild goes.
func (s *Server) logProgress(p projector.Progress) {
	s.cfg.Log.Info("rebuilding views", "phase", p.Phase, "done", p.Done, "total", p.Total,
		"events_per_s", int(p.Rate), "eta", p.ETA.Round(time.Second).String(), "final", p.Final)
}

func (s *Server) putNow(key string) {
	s.mu.RLock()
	v, err := s.views.NowView(key)
	s.mu.RUnlock()
	if err != nil {
		s.cfg.Log.Warn("view now", "key", key, "err", err)
		return
	}
	b, _ := json.Marshal(v)
	if max := s.a.Conn().MaxPayload(); int64(len(b)) > max {
		if !s.oversized[key] {
			if s.oversized == nil {
				s.oversized = map[string]bool{}
			}
			s.oversized[key] = true
			s.cfg.Log.Warn("view too large for the KV bucket; ask the micro service for it", "key", key, "bytes", len(b), "max", max)
		}
		return
	}
	// The view is rewritten only when its content changed, not its clock.
	if cur, err := s.kv.Get(context.Background(), key); err == nil && withoutClock(cur.Value()) == withoutClock(b) {
		return
	}
	if _, err := s.kv.Put(context.Background(), key, b); err != nil {
		s.cfg.Log.Warn("kv put", "key", key, "err", err)
	}
}

// withoutClock is a view's JSON without its at/known_at.
func withoutClock(b []byte) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return string(b)
	}
	delete(m, "at")
	delete(m, "known_at")
	out, _ := json.Marshal(m)
	return string(out)
}

// Answer answers a query from the current views, once they include
// req.MinSeq (waiting up to minSeqWait for the projector to catch up).
func (s *Server) Answer(req Request) (any, error) {
	switch {
	case s.includes(req.MinSeq):
		return s.answerNow(req)
	case !s.wait():
		return nil, errBusy()
	}
	return s.answerAfter(req)
}

// answerNow answers req from the views as they are.
func (s *Server) answerNow(req Request) (any, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.views.Answer(req)
}

// includes reports whether the views include the record at seq (0: any).
func (s *Server) includes(seq uint64) bool {
	_, at := s.Applied()
	return seq <= at
}

// wait takes a waiting token; false when maxWaiting questions hold them.
func (s *Server) wait() bool {
	select {
	case s.waiting <- struct{}{}:
		return true
	default:
		return false
	}
}

// waited gives back a token wait took.
func (s *Server) waited() { <-s.waiting }

func errBusy() error {
	return fmt.Errorf("%w: %d questions already wait for their min_seq", ErrBusy, maxWaiting)
}

// awaitSeq waits, up to minSeqWait, until the views include seq.
func (s *Server) awaitSeq(seq uint64) error {
	deadline := time.NewTimer(minSeqWait)
	defer deadline.Stop()
	for {
		ch, at := s.Applied()
		if at >= seq {
			return nil
		}
		select {
		case <-ch:
		case <-deadline.C:
			return fmt.Errorf("views are at seq %d, not yet at %d", at, seq)
		}
	}
}

// Waiting is how many questions wait for their min_seq now.
func (s *Server) Waiting() int { return len(s.waiting) }

// resolve names an entity as the views know it now.
func (s *Server) resolve(input string) (string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.views.Resolve(input)
}

func (s *Server) inStory(id, story string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.views.InStory(id, story)
}

// feedItem is e, stored at seq, as the views give it in a timeline.
func (s *Server) feedItem(seq uint64, e *events.Event) projections.TimelineItem {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.views.Item(seq, e)
}

func (s *Server) hasStory(story string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.views.HasStory(story)
}

// Lag is how far the views are behind the stream.
type Lag struct {
	StreamLastSeq uint64 `json:"stream_last_seq"`
	AppliedSeq    uint64 `json:"applied_seq"`
	Lag           uint64 `json:"lag"` // StreamLastSeq − AppliedSeq
}

// Lag says how far the views are behind the stream: the stream's last
// sequence minus the last one applied.
func (s *Server) Lag(ctx context.Context) (Lag, error) {
	_, applied := s.Applied()
	info, err := s.a.Info(ctx)
	if err != nil {
		return Lag{}, fmt.Errorf("lag: %w", err)
	}
	l := Lag{StreamLastSeq: info.LastSeq, AppliedSeq: applied}
	if info.LastSeq > applied {
		l.Lag = info.LastSeq - applied
	}
	return l, nil
}

// lagStats is the data of every endpoint in the micro service's stats
// ($SRV.STATS.story): the views' lag, or why it is not known.
func (s *Server) lagStats(*micro.Endpoint) any {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	l, err := s.Lag(ctx)
	if err != nil {
		return map[string]string{"error": err.Error()}
	}
	return l
}

// Applied returns a channel closed the next time records are applied, and
// the last sequence applied now.
func (s *Server) Applied() (<-chan struct{}, uint64) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.notify, s.views.LastSeq()
}

// startService starts the micro service: one endpoint per view of the
// view table, with the view's summary and fields as its metadata.
func (s *Server) startService() error {
	views := s.views.Catalog()
	svc, err := micro.AddService(s.a.Conn(), micro.Config{
		Name: "story", Version: "1.0.0",
		Description:  "Storyline views at any (at, known_at): " + strings.Join(views.Names(), ", "),
		StatsHandler: s.lagStats,
	})
	if err != nil {
		return fmt.Errorf("micro service: %w", err)
	}
	s.svc = svc
	g := svc.AddGroup(ServiceSubject)
	for _, v := range views.All() {
		if err := g.AddEndpoint(v.Name, s.endpoint(v.Name), micro.WithEndpointMetadata(endpointMetadata(v))); err != nil {
			return fmt.Errorf("micro endpoint %s: %w", v.Name, err)
		}
	}
	return nil
}

// endpoint answers the view's requests; an error is answered with the
// micro code of its class (Classify). A question whose min_seq the views
// do not include yet waits beside the handler (up to maxWaiting at once;
// past that it is refused with ErrBusy), so that it holds up no other
// question of the view, and is answered by a direct publish: micro's
// request must not be used once its handler has returned.
func (s *Server) endpoint(view string) micro.HandlerFunc {
	return func(r micro.Request) {
		req, err := query.DecodeRequest(r.Data())
		req.View = view
		switch {
		case err != nil:
			s.respond(r, nil, err, false)
		case s.includes(req.MinSeq):
			v, err := s.answerNow(req)
			s.respond(r, v, err, false)
		case !s.wait():
			s.respond(r, nil, errBusy(), false)
		default:
			s.inflight.Add(1)
			go func() {
				defer s.inflight.Done()
				v, err := s.answerAfter(req)
				s.respond(r, v, err, true)
			}()
		}
	}
}

// answerAfter answers req once the views include its min_seq, holding the
// waiting token the endpoint took.
func (s *Server) answerAfter(req Request) (any, error) {
	defer s.waited()
	if err := s.awaitSeq(req.MinSeq); err != nil {
		return nil, err
	}
	return s.answerNow(req)
}

// endpointMetadata describes a view's endpoint: what it answers, the
// fields of a request for it (the view's parameters, and min_seq), and the
// answer.
func endpointMetadata(v query.View) map[string]string {
	minSeq, _ := query.ParamNamed("min_seq") // a parameter of every request
	var fields []string
	for _, p := range append(slices.Clip(v.Params), minSeq) {
		f := fmt.Sprintf("%q (%s", p.Name, p.Kind())
		if p.Required {
			f += ", required"
		}
		fields = append(fields, f+"): "+p.Desc)
	}
	return map[string]string{
		"summary": v.Summary,
		"request": "JSON, these fields: " + strings.Join(fields, "; ") +
			`. Times as RFC 3339 or as the CLI takes them ("2023-11-20 12:00 PT"); unknown fields are refused`,
		"response": "the JSON of the CLI's --json for the same question; errors: 400 (a bad field, named), 404, 500; " +
			"signed: header " + SignatureHeader + " is serve's ed25519 signature (base64) of SHA-256(subject, " + NonceHeader + " of the request, error code, error, data), each but the data followed by a zero byte; the key is serve.pub in its data dir",
	}
}

// NATSURL is where NATS clients reach the archive.
func (s *Server) NATSURL() string {
	if s.a.Server() != nil {
		return s.a.Server().ClientURL()
	}
	return s.cfg.Archive.NATSURL
}

// Restored says from which snapshot the views started: the last
// sequence it covered and where it was read — its file in the data dir, or
// "bucket STORY_SNAPSHOTS" (another serve's, with --nats-url). 0 and "":
// none, the views were folded from the stream's first record.
func (s *Server) Restored() (seq uint64, from string) { return s.proj.Restored() }

// HTTPAddr is the HTTP API's address ("" when not serving HTTP).
func (s *Server) HTTPAddr() string { return s.httpL }

// Archive is the archive being served.
func (s *Server) Archive() *archive.Archive { return s.a }

// fail records why the server stops on its own and stops answering.
func (s *Server) fail(err error) {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	if s.err != nil {
		return
	}
	s.err = err
	s.cfg.Log.Error("server stopping", "err", err)
	if s.svc != nil {
		if err := s.svc.Stop(); err != nil {
			s.cfg.Log.Warn("stopping the micro service", "err", err)
		}
	}
	close(s.done)
}

// Done is closed when the server stops on its own (see Err).
func (s *Server) Done() <-chan struct{} { return s.done }

// Err returns why the server stopped on its own, if it did.
func (s *Server) Err() error {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	return s.err
}

// Close stops serving and closes the archive. It first stops answering,
// with the projector still running: the micro service's new requests go
// to the other serves of its queue group (another `story serve` of the
// same cluster), the requests it had received are answered, and the HTTP
// API finishes its requests. Then it stops the projector, writes a last
// snapshot and closes the archive.
func (s *Server) Close() error {
	errs := []error{s.stopService()}
	s.quitOnce.Do(func() { close(s.quit) })
	if s.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		if err := s.http.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("HTTP shutdown: %w", err))
		}
		cancel()
	}
	if s.cancel != nil {
		s.cancel()
	}
	s.wg.Wait()
	s.snap.stop()
	if s.a != nil {
		if s.a.DataDir() != "" {
			RemoveAddress(s.a.DataDir(), os.Getpid())
		}
		errs = append(errs, s.a.Close())
	}
	return errors.Join(errs...)
}

// stopService stops the micro service and waits, up to drainWait, until
// every request it had received is answered. Stopping unsubscribes its
// endpoints; once the NATS server confirms that (a flush), no request
// comes any more and those it sent wait in the endpoints' queues, so a
// barrier behind them runs once their handlers have run; then the answers
// those started (inflight) are waited for. Without a connection
// there is nothing to wait for: no answer could be sent.
func (s *Server) stopService() error {
	if s.svc == nil {
		return nil
	}
	if err := s.svc.Stop(); err != nil {
		return fmt.Errorf("micro service: %w", err)
	}
	nc := s.a.Conn()
	if !nc.IsConnected() {
		return nil
	}
	deadline := time.Now().Add(drainWait)
	answered, done := make(chan struct{}), make(chan struct{})
	err := nc.FlushTimeout(drainWait)
	if err == nil {
		err = nc.Barrier(func() { close(answered) })
	}
	if err != nil {
		return fmt.Errorf("micro service: stopped without waiting for the requests under way: %w", err)
	}
	// The handlers have all run; the answers they started may still be
	// under way.
	go func() {
		<-answered
		s.inflight.Wait()
		close(done)
	}()
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case <-done:
		return nil
	case <-t.C:
		return fmt.Errorf("micro service: requests still unanswered %v after it stopped", drainWait)
	}
}

// Query asks a running server's micro service through nc, as any NATS
// client may, and takes the first answer. [Client.Query] takes only
// serve's own.
func Query(ctx context.Context, nc *nats.Conn, req Request) (json.RawMessage, error) {
	return request(ctx, nc, nil, req)
}
