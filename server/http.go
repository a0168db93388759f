package server

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"storyline/table"
	"strconv"
	"strings"
	"time"

	"storyline/events"
	"storyline/query"
)

// Bounds on a request; nothing legitimate comes near them.
const (
	maxQuery = 8 << 10 // query string
	// maxHeader bounds the request line and headers together. It stays well
	// above maxQuery so that a long query reaches the handler and gets its
	// JSON 414; past it net/http answers a plain-text 431 itself.
	maxHeader = 64 << 10
	maxBody   = 1 << 10 // body (the API reads none)
)

// startHTTP serves the API and page; with a certificate configured, over
// TLS with the NATS listener's certificate, the same handler, limits and
// timeouts.
func (s *Server) startHTTP() error {
	var tc *tls.Config
	if s.cfg.TLSCert != "" {
		var err error
		if tc, err = loadTLS(s.cfg.TLSCert, s.cfg.TLSKey); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", s.cfg.HTTP)
	if err != nil {
		return fmt.Errorf("%w: HTTP %s: %w", ErrPortTaken, s.cfg.HTTP, err)
	}
	s.httpL = ln.Addr().String()
	s.http = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: s.cfg.HTTPTimeout / 2,
		ReadTimeout:       s.cfg.HTTPTimeout,
		IdleTimeout:       6 * s.cfg.HTTPTimeout,
		MaxHeaderBytes:    maxHeader,
		TLSConfig:         tc,
		// Failed handshakes and broken clients go to the server's log,
		// not to stderr.
		ErrorLog: slog.NewLogLogger(s.cfg.Log.Handler(), slog.LevelDebug),
	}
	serve := func() error { return s.http.Serve(ln) }
	if tc != nil {
		serve = func() error { return s.http.ServeTLS(ln, "", "") }
	}
	go func() {
		// Serve returns ErrServerClosed on Close; anything else stops
		// the HTTP API while NATS goes on, which the log must say.
		if err := serve(); !errors.Is(err, http.ErrServerClosed) {
			s.cfg.Log.Error("HTTP API stopped", "err", err)
		}
	}()
	return nil
}

// Handler is the HTTP API, the event feed and the page. It is read-only:
// only GET and HEAD are served.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	routes := apiRoutes(s.views.Catalog())
	for _, rt := range routes {
		var h http.HandlerFunc = s.events
		if rt.View != "" {
			h = s.viewHandler(rt.View)
		}
		mux.HandleFunc("GET "+rt.Path, onlyDocumented(rt, h))
	}
	doc := openAPI(routes)
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, doc) })
	mux.HandleFunc("GET /api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "", fmt.Sprintf("no API path %q (see /openapi.json)", r.URL.Path))
	})
	mux.Handle("GET /", pageHandler())
	return s.limitRequests(mux)
}

// limitRequests turns away what a read-only API never needs — other
// methods, bodies, huge query strings — before any handler runs, and
// bounds how long writing an answer may take.
func (s *Server) limitRequests(h http.Handler) http.Handler {
	writeTimeout := 3 * s.cfg.HTTPTimeout
	if writeTimeout <= 0 {
		writeTimeout = 30 * time.Second
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, http.StatusMethodNotAllowed, "", "the API is read-only: use GET")
			return
		}
		if len(r.URL.RawQuery) > maxQuery {
			writeError(w, http.StatusRequestURITooLong, "", "query string too long")
			return
		}
		if r.ContentLength > maxBody {
			writeError(w, http.StatusRequestEntityTooLarge, "", fmt.Sprintf("request body of %d bytes: a GET takes none", r.ContentLength))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		// The event feed moves this deadline on before each event.
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(writeTimeout))
		h.ServeHTTP(w, r)
	})
}

// onlyDocumented refuses a query parameter the route does not take: on
// two clocks, a misspelt "knownAt" silently answered "as known now" is the
// worst kind of wrong answer.
func onlyDocumented(rt route, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for name := range r.URL.Query() {
			if !rt.takes(name) {
				writeError(w, http.StatusBadRequest, name, fmt.Sprintf("%s takes no parameter %q (it takes: %s)", rt.Path, name, strings.Join(rt.queryParams(), ", ")))
				return
			}
		}
		h(w, r)
	}
}

type apiError struct {
	Error string `json:"error"`
	Param string `json:"param,omitempty"`
}

func writeError(w http.ResponseWriter, code int, param, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	// The status is sent: a body that fails to go means the client left.
	_ = json.NewEncoder(w).Encode(apiError{Error: msg, Param: param})
}

// writeErr answers err with the status of its class (Classify), naming the
// parameter of a *query.ParamError.
func writeErr(w http.ResponseWriter, err error) {
	var pe *query.ParamError
	param := ""
	if errors.As(err, &pe) {
		param = pe.Param
	}
	writeError(w, Classify(err).HTTP, param, err.Error())
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	// Headers are sent: a body that fails to go means the client left.
	_ = enc.Encode(v)
}

// requestFrom reads a query from URL parameters (query.FromParams).
func requestFrom(r *http.Request, view string) (Request, error) {
	return query.FromParams(view, r.PathValue("person"), r.URL.Query())
}

// answerFormat checks format= (json or csv) and tz= (the zone of a CSV's
// times, as the CLI's --tz takes it).
func answerFormat(r *http.Request) (*time.Location, error) {
	q := r.URL.Query()
	if f := q.Get("format"); f != "" && f != "json" && f != "csv" {
		return nil, &query.ParamError{Param: "format", Err: query.ErrBadParam, Msg: fmt.Sprintf("%q (want json or csv)", f)}
	}
	if tz := q.Get("tz"); tz != "" {
		loc, err := events.ParseZone(tz)
		if err != nil {
			return nil, &query.ParamError{Param: "tz", Err: query.ErrBadParam, Msg: err.Error()}
		}
		return loc, nil
	}
	return time.UTC, nil
}

// writeCSV writes a view's answer as the CSV of package table.
func writeCSV(w http.ResponseWriter, view string, v any, loc *time.Location) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", view, err)
	}
	var buf bytes.Buffer
	if err := table.WriteCSV(&buf, view, b, loc); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"`, view))
	_, err = w.Write(buf.Bytes())
	return err
}

func (s *Server) viewHandler(view string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		req, err := requestFrom(r, view)
		var loc *time.Location
		if err == nil {
			loc, err = answerFormat(r)
		}
		if err == nil {
			var v any
			if v, err = s.Answer(req); err == nil {
				if r.URL.Query().Get("format") == "csv" {
					err = writeCSV(w, view, v, loc)
				} else {
					writeJSON(w, v)
				}
				if err == nil {
					return
				}
			}
		}
		writeErr(w, err)
	}
}

// events streams stored events as Server-Sent Events. The id of each is its
// stream sequence, so a client that reconnects with Last-Event-ID resumes
// exactly after the last event it saw. Clients share the projector's read
// of the stream (see follow): a client costs no consumer, and at most
// Config.FeedClients follow at once.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	fq, err := s.feedQueryOf(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Param, err.Msg)
		return
	}
	if err := s.feed.join(); err != nil {
		w.Header().Set("Retry-After", "10")
		writeError(w, http.StatusServiceUnavailable, "", fmt.Sprintf("%v (%d follow it); try again later", err, s.feed.max))
		return
	}
	defer s.feed.leave()
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	if err := rc.Flush(); err != nil {
		return // the client is gone
	}
	// The feed ends when the client leaves, is cut off or the server
	// stops; the answer has begun, so no status is left to tell.
	_ = s.follow(r.Context(), fq.from, func(recs []feedRecord) error {
		// A client that does not take a round in time is cut off: nothing
		// is kept for it meanwhile. (A writer without deadlines, which
		// net/http's is not, would only not be cut off.)
		_ = rc.SetWriteDeadline(time.Now().Add(s.cfg.HTTPTimeout))
		for _, fr := range recs {
			if !s.wants(fq, fr.ev) {
				continue
			}
			// The timeline's item: the summary is the server's, as in
			// every view, and the page makes none of its own.
			b, err := s.feedItem(fr.seq, fr.ev).MarshalJSON()
			if err != nil {
				return fmt.Errorf("feed event %d: %w", fr.seq, err)
			}
			if _, err := fmt.Fprintf(w, "id: %d\nevent: event\ndata: %s\n\n", fr.seq, b); err != nil {
				return err
			}
		}
		return rc.Flush()
	})
}

// feedQuery is what a client of the event feed asks for: events from a
// sequence on, of a type, naming an entity, of a story.
type feedQuery struct {
	from               uint64
	typ, entity, story string
}

// feedQueryOf reads the feed's parameters, naming the one that is wrong.
func (s *Server) feedQueryOf(r *http.Request) (feedQuery, *query.ParamError) {
	q := r.URL.Query()
	fq := feedQuery{from: 1, typ: q.Get("type"), story: q.Get("story")}
	bad := func(param, format string, args ...any) (feedQuery, *query.ParamError) {
		return fq, &query.ParamError{Param: param, Err: query.ErrBadParam, Msg: fmt.Sprintf(format, args...)}
	}
	for _, v := range []string{r.Header.Get("Last-Event-ID"), q.Get("last_event_id")} {
		if v == "" {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
		if err != nil || n == math.MaxUint64 {
			return bad("Last-Event-ID", "%q is not a sequence number", v)
		}
		fq.from = n + 1
	}
	if v := q.Get("from_seq"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return bad("from_seq", "%q is not a sequence number", v)
		}
		fq.from = max(n, 1)
	}
	if fq.typ != "" && !events.Type(fq.typ).Valid() {
		return bad("type", "%q is not an event type", fq.typ)
	}
	if fq.story != "" && !s.hasStory(fq.story) {
		return bad("story", "no story %q in this archive (see /api/stories)", fq.story)
	}
	if e := q.Get("entity"); e != "" {
		// The same names as the timeline's entity filter: an alias, a
		// prefix; an unknown one is an error, not a feed that never speaks.
		id, err := s.resolve(e)
		if err != nil {
			return bad("entity", "%s", err.Error())
		}
		fq.entity = id
	}
	return fq, nil
}

// wants reports whether the feed sends e to a client that asked fq. What
// the views leave out (junk, a second copy of an id, an event on another
// entity's subject: a nil e), the feed leaves out.
func (s *Server) wants(fq feedQuery, e *events.Event) bool {
	return e != nil && (fq.typ == "" || string(e.Type) == fq.typ) && (fq.entity == "" || mentions(e, fq.entity)) &&
		(fq.story == "" || s.inStory(e.ID, fq.story))
}

func mentions(e *events.Event, entity string) bool {
	for _, x := range e.Entities() {
		if x == entity {
			return true
		}
	}
	return false
}
