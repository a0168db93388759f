package server_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"storyline/archive"
	"storyline/archive/archivetest"
	"storyline/events"
	"storyline/query"
	"storyline/server"
	"storyline/server/servertest"
)

// authServe imports all but the last event of the test story, then serves
// the archive with a fresh auth file (and TLS when cert and key are given).
// It returns the server, the auth file and the event left out.
func authServe(t *testing.T, certFile, keyFile string) (*server.Server, server.AuthFile, events.Event) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	evs := story(t)
	a, err := archive.Open(ctx, archive.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Append(ctx, evs[:len(evs)-1], nil); err != nil {
		t.Fatal(err)
	}
	archivetest.Close(t, a)
	path := filepath.Join(t.TempDir(), "auth.json")
	if err := server.NewAuthFile().Write(path, false); err != nil {
		t.Fatal(err)
	}
	auth, err := server.LoadAuthFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg := server.Config{Archive: archive.Config{DataDir: dir, Listen: "127.0.0.1:-1"}, HTTP: "127.0.0.1:0",
		Auth: &auth, TLSCert: certFile, TLSKey: keyFile}
	s, err := server.Open(ctx, cfg, query.NewEngine())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { checked(t, s.Close) })
	return s, auth, evs[len(evs)-1]
}

// probe is a plain nats.go client that turns the server's refusal of a
// publish into the error of the operation that made it. The server drops a
// forbidden publish and reports it asynchronously, so without this a
// request would wait out its deadline.
type probe struct {
	nc         *nats.Conn
	js         jetstream.JetStream
	mu         sync.Mutex
	cancel     context.CancelCauseFunc
	violations []error
}

func dial(url, user, password string, opts ...nats.Option) (*probe, error) {
	p := &probe{}
	opts = append(opts, nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.violations = append(p.violations, err)
		if p.cancel != nil && errors.Is(err, nats.ErrPermissionViolation) {
			p.cancel(err)
		}
	}))
	if user != "" {
		opts = append(opts, nats.UserInfo(user, password))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return nil, err
	}
	p.nc = nc
	p.js, err = jetstream.New(nc)
	return p, err
}

func mustDial(t *testing.T, url, user, password string, opts ...nats.Option) *probe {
	t.Helper()
	p, err := dial(url, user, password, opts...)
	if err != nil {
		t.Fatalf("connect as %q: %v", user, err)
	}
	t.Cleanup(p.nc.Close)
	return p
}

// do runs op with a minute to spare; a permissions violation cancels it
// and is returned instead of op's error. A refused operation therefore
// returns nats.ErrPermissionViolation only if the refusal came first: had
// it waited for an answer that never comes, it would fail with the
// deadline instead.
func (p *probe) do(op func(ctx context.Context) error) error {
	ctx, cancelTimeout := context.WithTimeout(context.Background(), time.Minute)
	defer cancelTimeout()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	p.mu.Lock()
	p.cancel = cancel
	p.mu.Unlock()
	err := op(ctx)
	p.mu.Lock()
	p.cancel = nil
	p.mu.Unlock()
	if cause := context.Cause(ctx); errors.Is(cause, nats.ErrPermissionViolation) {
		return cause
	}
	return err
}

func (p *probe) asyncErrors() []error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]error(nil), p.violations...)
}

func streamState(t *testing.T, p *probe) (uint64, jetstream.StreamConfig) {
	t.Helper()
	var info *jetstream.StreamInfo
	err := p.do(func(ctx context.Context) error {
		s, err := p.js.Stream(ctx, "STORY")
		if err != nil {
			return err
		}
		info, err = s.Info(ctx)
		return err
	})
	if err != nil {
		t.Fatalf("stream info: %v", err)
	}
	return info.State.Msgs, info.Config
}

// TestAuthReaderReads: the reader can do everything replay, query and
// watch need, and the server reports no violation while it does.
func TestAuthReaderReads(t *testing.T) {
	s, auth, _ := authServe(t, "", "")
	if u, err := url.Parse(s.NATSURL()); err != nil || u.Hostname() != "127.0.0.1" {
		t.Errorf("NATS listens on %s; want loopback", s.NATSURL())
	}
	r := mustDial(t, s.NATSURL(), server.RoleReader, auth.Users[server.RoleReader].Password)
	want := uint64(len(story(t)) - 1)
	if n, _ := streamState(t, r); n != want {
		t.Fatalf("stream holds %d messages; want %d", n, want)
	}
	steps := []struct {
		name string
		op   func(ctx context.Context) error
	}{
		{"get a message", func(ctx context.Context) error {
			st, err := r.js.Stream(ctx, "STORY")
			if err != nil {
				return err
			}
			m, err := st.GetMsg(ctx, 1)
			if err == nil && !strings.HasPrefix(m.Subject, "story.") {
				return errors.New("seq 1 is on " + m.Subject)
			}
			return err
		}},
		{"read all events with an ordered consumer", func(ctx context.Context) error {
			st, err := r.js.Stream(ctx, "STORY")
			if err != nil {
				return err
			}
			c, err := st.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
			if err != nil {
				return err
			}
			it, err := c.Messages()
			if err != nil {
				return err
			}
			defer it.Stop()
			for n := uint64(0); n < want; n++ {
				if _, err := it.Next(); err != nil {
					return err
				}
			}
			return nil
		}},
		{"query the micro service", func(ctx context.Context) error {
			now := time.Now()
			raw, err := server.Query(ctx, r.nc, server.Request{View: "board", Org: "halvorsen", At: now, KnownAt: now})
			if err == nil && !strings.Contains(string(raw), `"members"`) {
				return errors.New("board answer without members: " + string(raw))
			}
			return err
		}},
		{"ping the micro service", func(ctx context.Context) error {
			_, err := r.nc.RequestWithContext(ctx, "$SRV.PING.story", nil)
			return err
		}},
		{"watch the views bucket", func(ctx context.Context) (err error) {
			kv, err := r.js.KeyValue(ctx, "STORY_VIEWS")
			if err != nil {
				return err
			}
			w, err := kv.WatchAll(ctx)
			if err != nil {
				return err
			}
			defer func() { err = errors.Join(err, w.Stop()) }()
			select {
			case e, ok := <-w.Updates():
				if !ok || e == nil {
					return errors.New("the watch delivered no view: the bucket is empty or the watch ended")
				}
				_, err := kv.Get(ctx, e.Key())
				return err
			case <-ctx.Done():
				return ctx.Err()
			}
		}},
		{"subscribe to new events", func(ctx context.Context) error {
			sub, err := r.nc.SubscribeSync("story.>")
			if err != nil {
				return err
			}
			return errors.Join(r.nc.FlushWithContext(ctx), sub.Unsubscribe())
		}},
	}
	for _, st := range steps {
		if err := r.do(st.op); err != nil {
			t.Errorf("reader: %s: %v", st.name, err)
		}
	}
	// A refused subscription or consumer call would show up only here.
	if err := r.nc.Flush(); err != nil {
		t.Fatal(err)
	}
	if errs := r.asyncErrors(); len(errs) > 0 {
		t.Errorf("the server reported errors while the reader read: %v", errs)
	}
}

// TestAuthRefusesWrites: neither identity may purge, delete or change the
// stream or the views, the reader may not publish, and each refusal is a
// permissions violation, not a timeout. The stream is unchanged after.
func TestAuthRefusesWrites(t *testing.T) {
	s, auth, _ := authServe(t, "", "")
	admin := mustDial(t, s.NATSURL(), server.RoleInternal, auth.Users[server.RoleInternal].Password)
	count, cfg := streamState(t, admin)
	publish := op{"publish story.x", func(ctx context.Context, p *probe) error {
		_, err := p.js.Publish(ctx, "story.halvorsen.statement.made.x", []byte(`{}`))
		return err
	}}
	changes := append(destructiveOps(cfg), []op{
		{"create a stream", func(ctx context.Context, p *probe) error {
			_, err := p.js.CreateStream(ctx, jetstream.StreamConfig{Name: "OTHER", Subjects: []string{"other.>"}})
			return err
		}},
	}...)
	changes = append(changes, impersonations()...)
	cases := []struct {
		role string
		ops  []op
	}{
		{server.RoleReader, append([]op{publish}, changes...)},
		{server.RoleWriter, changes},
	}
	for _, c := range cases {
		p := mustDial(t, s.NATSURL(), c.role, auth.Users[c.role].Password)
		for _, o := range c.ops {
			err := p.do(func(ctx context.Context) error { return o.do(ctx, p) })
			if !errors.Is(err, nats.ErrPermissionViolation) {
				t.Errorf("%s: %s: got %v; want a permissions violation", c.role, o.name, err)
			}
		}
	}
	n, after := streamState(t, admin)
	if n != count {
		t.Errorf("stream holds %d messages after the refused writes; want %d", n, count)
	}
	if !after.DenyDelete || !after.DenyPurge || after.Description != cfg.Description {
		t.Errorf("stream config changed: %+v", after)
	}
	checkNoForgery(t, s, admin)
}

// checkNoForgery: after the refused attempts, the account holds the
// archive's two streams alone, and the views bucket and the service answer
// what the views hold.
func checkNoForgery(t *testing.T, s *server.Server, p *probe) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var names []string
	for n := range p.js.StreamNames(ctx).Name() {
		names = append(names, n)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"KV_STORY_VIEWS", "STORY"}) {
		t.Errorf("streams %v; want the archive's and the views bucket's alone", names)
	}
	now := time.Now()
	req := server.Request{View: "board", Org: "halvorsen", At: now, KnownAt: now}
	want, err := s.Answer(req)
	if err != nil {
		t.Fatal(err)
	}
	wb, _ := json.Marshal(want)
	for i := range 5 {
		got, err := server.Query(ctx, p.nc, req)
		if err != nil || string(got) != string(wb) {
			t.Fatalf("answer %d: %s, %v; want serve's %s", i, got, err, wb)
		}
	}
	kv, err := p.js.KeyValue(ctx, "STORY_VIEWS")
	if err != nil {
		t.Fatal(err)
	}
	if e, err := kv.Get(ctx, "board.halvorsen-robotics"); err != nil || !json.Valid(e.Value()) || strings.Contains(string(e.Value()), `"members":[]`) {
		t.Errorf("the views bucket's board: %v; want serve's", err)
	}
}

// TestAuthArchiveClients: through the archive API, the writer stores an
// event and the reader is refused at once with the server's reason.
func TestAuthArchiveClients(t *testing.T) {
	s, auth, e := authServe(t, "", "")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	open := func(role string) *archive.Archive {
		a, err := archive.Open(ctx, archive.Config{DataDir: t.TempDir(), NATSURL: s.NATSURL(),
			User: role, Password: auth.Users[role].Password})
		if err != nil {
			t.Fatalf("open as %s: %v", role, err)
		}
		t.Cleanup(func() { archivetest.Close(t, a) })
		return a
	}
	reader, writer := open(server.RoleReader), open(server.RoleWriter)
	before, err := writer.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = reader.Publish(ctx, e, archive.PublishOptions{})
	if !errors.Is(err, archive.ErrPermission) || !errors.Is(err, nats.ErrPermissionViolation) || !strings.Contains(err.Error(), `"reader"`) {
		t.Errorf("reader publish: %v; want archive.ErrPermission, the server's permissions violation, naming the reader", err)
	}
	res, err := writer.Publish(ctx, e, archive.PublishOptions{})
	if err != nil || res.Stored != 1 {
		t.Fatalf("writer publish: %+v, %v; want it stored", res, err)
	}
	after, err := writer.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after.Messages != before.Messages+1 {
		t.Errorf("stream went from %d to %d messages; want one more (the writer's)", before.Messages, after.Messages)
	}
}

// TestAuthRefusesConnections: without the right credentials nobody gets in,
// and serve.json says auth is on without holding a secret.
func TestAuthRefusesConnections(t *testing.T) {
	s, auth, _ := authServe(t, "", "")
	cases := []struct{ name, user, password string }{
		{"anonymous", "", ""},
		{"wrong password", server.RoleReader, auth.Users[server.RoleWriter].Password},
		{"unknown user", "admin", auth.Users[server.RoleInternal].Password},
	}
	for _, c := range cases {
		p, err := dial(s.NATSURL(), c.user, c.password)
		if err == nil {
			p.nc.Close()
		}
		if !errors.Is(err, nats.ErrAuthorization) {
			t.Errorf("%s: connect: %v; want nats.ErrAuthorization", c.name, err)
		}
	}
	addr, err := server.ReadAddress(s.Archive().DataDir())
	if err != nil {
		t.Fatal(err)
	}
	if !addr.Auth || addr.TLS {
		t.Errorf("serve.json: auth %v, tls %v; want auth only", addr.Auth, addr.TLS)
	}
	b, err := os.ReadFile(server.AddressFile(s.Archive().DataDir()))
	if err != nil {
		t.Fatal(err)
	}
	for role, u := range auth.Users {
		if strings.Contains(string(b), u.Password) {
			t.Errorf("serve.json holds the %s password", role)
		}
	}
	if err := addr.CheckAccess(archive.Config{}); !errors.Is(err, server.ErrAuth) {
		t.Errorf("a client without credentials: %v; want server.ErrAuth before it connects", err)
	}
}

// TestAuthTLS: with a certificate, TLS clients that trust it get in, a
// plaintext client does not, and the HTTP API is served over HTTPS.
func TestAuthTLS(t *testing.T) {
	cert, key, pool := servertest.SelfSigned(t)
	s, auth, _ := authServe(t, cert, key)
	if !strings.HasPrefix(s.NATSURL(), "tls://127.0.0.1:") {
		t.Errorf("NATS URL %s; want tls:// on loopback", s.NATSURL())
	}
	pw := auth.Users[server.RoleReader].Password

	r := mustDial(t, s.NATSURL(), server.RoleReader, pw, nats.Secure(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}))
	if n, _ := streamState(t, r); n == 0 {
		t.Error("reader over TLS sees an empty stream")
	}
	if _, err := dial(s.NATSURL(), server.RoleReader, pw); err == nil || !strings.Contains(err.Error(), "x509") {
		t.Errorf("TLS client without the CA: %v; want a certificate error", err)
	}

	// A plaintext client: the server speaks TLS after its INFO and drops a
	// client that sends protocol instead.
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(s.NATSURL(), "tls://"), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer checked(t, conn.Close)
	if err := conn.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	info, err := br.ReadString('\n')
	if err != nil || !strings.Contains(info, `"tls_required":true`) {
		t.Fatalf("INFO: %q, %v; want tls_required", info, err)
	}
	cmd := `CONNECT {"user":"reader","pass":` + mustJSON(pw) + `,"verbose":false}` + "\r\nPING\r\n"
	if _, err := conn.Write([]byte(cmd)); err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(br)
	if strings.Contains(string(rest), "PONG") {
		t.Errorf("a plaintext client got in: %q", rest)
	}
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Errorf("the server kept a plaintext client's connection open")
	}

	// The HTTP API: HTTPS with the same certificate, nothing in plain text.
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	resp, err := hc.Get("https://" + s.HTTPAddr() + "/api/board?org=halvorsen")
	if err != nil {
		t.Fatal(err)
	}
	checked(t, resp.Body.Close)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("HTTPS board: %d", resp.StatusCode)
	}
	resp, err = (&http.Client{Timeout: 30 * time.Second}).Get("http://" + s.HTTPAddr() + "/api/board?org=halvorsen")
	if err == nil {
		checked(t, resp.Body.Close)
		if resp.StatusCode == http.StatusOK {
			t.Error("the HTTP API answered in plain text")
		}
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestLoadAuthFileRefuses: an auth file others may read, or one that does
// not say what serve expects, is refused with the reason.
func TestLoadAuthFileRefuses(t *testing.T) {
	cases := []struct {
		name, content string
		mode          os.FileMode
		want          string
	}{
		{"readable by others", `{"users":{"reader":{"password":"x"}}}`, 0o644, "chmod 600"},
		{"unknown user", `{"users":{"admin":{"password":"x"}}}`, 0o600, `unknown user "admin"`},
		{"no password", `{"users":{"reader":{"password":""}}}`, 0o600, "no password"},
		{"unknown field", `{"users":{"reader":{"password":"x","hash":"y"}}}`, 0o600, "unknown field"},
		{"no users", `{"users":{}}`, 0o600, "no users"},
	}
	for _, c := range cases {
		path := filepath.Join(t.TempDir(), "auth.json")
		if err := os.WriteFile(path, []byte(c.content), c.mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, c.mode); err != nil { // WriteFile's mode is cut by the umask
			t.Fatal(err)
		}
		if _, err := server.LoadAuthFile(path); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want an error saying %q", c.name, err, c.want)
		}
	}
	// serve needs its own identity; a reader's copy is not enough.
	path := filepath.Join(t.TempDir(), "reader.json")
	if err := os.WriteFile(path, []byte(`{"users":{"reader":{"password":"x"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := server.LoadAuthFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = server.Open(context.Background(), server.Config{Archive: archive.Config{DataDir: t.TempDir(), Listen: "127.0.0.1:-1"}, Auth: &f}, query.NewEngine())
	if err == nil || !strings.Contains(err.Error(), `"internal"`) {
		t.Errorf("serve with a reader-only auth file: %v; want it refused for lack of internal", err)
	}
}

// destructiveOps are the ways a client could destroy or shorten the
// archive, or forge its views, with the stream's config as it is.
func destructiveOps(cfg jetstream.StreamConfig) []op {
	return []op{
		{"purge the stream", func(ctx context.Context, p *probe) error {
			st, err := p.js.Stream(ctx, "STORY")
			if err != nil {
				return err
			}
			return st.Purge(ctx)
		}},
		{"delete a message", func(ctx context.Context, p *probe) error {
			st, err := p.js.Stream(ctx, "STORY")
			if err != nil {
				return err
			}
			return st.DeleteMsg(ctx, 1)
		}},
		{"delete the stream", func(ctx context.Context, p *probe) error {
			return p.js.DeleteStream(ctx, "STORY")
		}},
		{"update the stream", func(ctx context.Context, p *probe) error {
			c := cfg
			c.DenyPurge, c.DenyDelete = false, false
			_, err := p.js.UpdateStream(ctx, c)
			return err
		}},
		{"put a view", func(ctx context.Context, p *probe) error {
			kv, err := p.js.KeyValue(ctx, "STORY_VIEWS")
			if err != nil {
				return err
			}
			_, err = kv.Put(ctx, "board.halvorsen", []byte(`{}`))
			return err
		}},
		{"delete the views bucket", func(ctx context.Context, p *probe) error {
			return p.js.DeleteKeyValue(ctx, "STORY_VIEWS")
		}},
		{"shorten the stream's max age", func(ctx context.Context, p *probe) error {
			c := cfg
			c.MaxAge = time.Second
			_, err := p.js.UpdateStream(ctx, c)
			return err
		}},
		{"purge the account", func(ctx context.Context, p *probe) error {
			_, err := p.nc.RequestWithContext(ctx, "$JS.API.ACCOUNT.PURGE.$G", nil)
			return err
		}},
		{"create a stream that republishes into the views bucket", func(ctx context.Context, p *probe) error {
			// Every message on forge.<org> would land in the bucket as
			// that org's board (a client allowed to create it could).
			_, err := p.js.CreateStream(ctx, jetstream.StreamConfig{Name: "FORGE", Subjects: []string{"forge.*"},
				RePublish: &jetstream.RePublish{Source: "forge.*", Destination: "$KV.STORY_VIEWS.board.{{wildcard(1)}}"}})
			return err
		}},
		{"create a stream that sources the archive", func(ctx context.Context, p *probe) error {
			_, err := p.js.CreateStream(ctx, jetstream.StreamConfig{Name: "COPY", Sources: []*jetstream.StreamSource{{Name: "STORY"}}})
			return err
		}},
		{"make the views bucket mirror another stream", func(ctx context.Context, p *probe) error {
			kv, err := p.js.Stream(ctx, "KV_STORY_VIEWS")
			if err != nil {
				return err
			}
			c := kv.CachedInfo().Config
			c.Sources = []*jetstream.StreamSource{{Name: "STORY"}}
			_, err = p.js.UpdateStream(ctx, c)
			return err
		}},
		{"create a durable consumer through the old API", func(ctx context.Context, p *probe) error {
			_, err := p.nc.RequestWithContext(ctx, "$JS.API.CONSUMER.DURABLE.CREATE.STORY.keeper",
				[]byte(`{"stream_name":"STORY","config":{"durable_name":"keeper","ack_policy":"explicit"}}`))
			return err
		}},
	}
}

// impersonations are the ways a client could answer in serve's place, or
// see the requests it would answer: a subscription the server refuses is
// reported asynchronously, so each waits for that refusal.
func impersonations() []op {
	listen := func(subject, queue string) func(ctx context.Context, p *probe) error {
		return func(ctx context.Context, p *probe) error {
			sub, err := p.nc.QueueSubscribe(subject, queue, func(m *nats.Msg) {
				// Only a subscription the server let through hears a
				// question; the test fails on that, not on this answer.
				_ = m.Respond([]byte(`{"members":[]}`))
			})
			if err != nil {
				return err
			}
			<-ctx.Done()
			return errors.Join(ctx.Err(), sub.Unsubscribe())
		}
	}
	return []op{
		{"answer board questions", listen(server.ServiceSubject+".board", "")},
		{"answer as a member of the service's queue group", listen(server.ServiceSubject+".board", "q")},
		{"answer every view", listen(server.ServiceSubject+".>", "")},
		{"answer the service's pings", listen("$SRV.PING.story", "")},
		{"see the JetStream API's requests", listen("$JS.API.>", "")},
	}
}

type op struct {
	name string
	do   func(ctx context.Context, p *probe) error
}

// TestLocalClientsCannotDestroyTheStream: without --auth, anyone on the
// machine may connect to serve and read and append, but deny_delete and
// deny_purge do not stop a client deleting the whole stream or shortening
// its limits; serve's permissions do.
func TestLocalClientsCannotDestroyTheStream(t *testing.T) {
	dir := t.TempDir()
	evs := story(t)
	seed, err := archive.Open(context.Background(), archive.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Append(context.Background(), evs[:len(evs)-1], nil); err != nil {
		t.Fatal(err)
	}
	archivetest.Close(t, seed)
	s := start(t, dir, "127.0.0.1:-1")
	t.Cleanup(func() { checked(t, s.Close) })
	p := mustDial(t, s.NATSURL(), "", "")
	count, cfg := streamState(t, p)
	if count != uint64(len(evs)-1) {
		t.Fatalf("stream holds %d, want %d", count, len(evs)-1)
	}
	for _, o := range append(destructiveOps(cfg), impersonations()...) {
		err := p.do(func(ctx context.Context) error { return o.do(ctx, p) })
		if !errors.Is(err, nats.ErrPermissionViolation) {
			t.Errorf("%s: got %v; want a permissions violation", o.name, err)
		}
	}
	n, after := streamState(t, p)
	if n != count || after.MaxAge != 0 || !after.DenyDelete || !after.DenyPurge {
		t.Errorf("after the refused operations: %d messages, config %+v", n, after)
	}
	checkNoForgery(t, s, p)
	// Reading and appending stay open to local clients.
	c := client(t, s)
	res, err := c.Append(context.Background(), evs[len(evs)-1:], nil)
	if err != nil || res.Stored != 1 {
		t.Fatalf("append by a local client: %+v, %v", res, err)
	}
	if n, _ := streamState(t, p); n != count+1 {
		t.Errorf("stream holds %d after the append, want %d", n, count+1)
	}
}
