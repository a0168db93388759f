package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"

	"storyline/query"
	"storyline/server"
)

func (m *Main) runServe(ctx context.Context, args []string) (err error) {
	var g globalFlags
	fs := m.newFlagSet("serve", "serve [--listen 127.0.0.1:4222] [--http 127.0.0.1:8080] [--auth FILE] [--tls-cert FILE --tls-key FILE]")
	m.registerGlobal(fs, &g)
	listen := fs.String("listen", "127.0.0.1:4222", "address of the embedded NATS server (for nats CLI, watch and other story commands)")
	httpAddr := fs.String("http", "127.0.0.1:8080", "address of the HTTP API and web page (\"\" for none)")
	verbose := fs.Bool("v", false, "log what the server does to stderr")
	snapEvery := fs.Duration("snapshot-every", 5*time.Minute, "write a snapshot of the views this long after the last, when events arrived since")
	snapEvents := fs.Int("snapshot-events", 100_000, "write a snapshot of the views after this many events (or as many as the last one held, if more); also while rebuilding")
	skipVerify := fs.Bool("skip-verify", false, "do not read every record in the background after start (the cheap start-up check still runs)")
	tlsCert := fs.String("tls-cert", "", "certificate (PEM): NATS clients must use TLS, and the HTTP API is served over HTTPS")
	tlsKey := fs.String("tls-key", "", "the private key (PEM) of --tls-cert")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	cfg := server.Config{Archive: g.config(), HTTP: *httpAddr, Verify: !*skipVerify, SnapshotEvery: *snapEvery, SnapshotEvents: *snapEvents}
	if g.natsURL == "" {
		cfg.Archive.Listen = *listen
	}
	cfg.TLSCert, cfg.TLSKey = *tlsCert, *tlsKey
	if g.auth != "" {
		f, err := server.LoadAuthFile(g.auth)
		if err != nil {
			return usageErr("serve: --auth: " + err.Error())
		}
		cfg.Auth = &f
	}
	if *verbose {
		cfg.Log = slog.New(slog.NewTextHandler(m.Stderr, nil))
	}
	s, err := server.Open(ctx, cfg, query.NewEngine())
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer closing(s, &err)
	fmt.Fprintf(m.Stdout, "serving stream %s\n  NATS: %s (micro service \"story\", KV bucket STORY_VIEWS)\n", s.Archive().StreamName(), s.NATSURL())
	fmt.Fprintf(m.Stdout, "  answers signed with the key in %s\n", server.PublicKeyFile(s.Archive().DataDir()))
	if cfg.Auth != nil {
		fmt.Fprintf(m.Stdout, "  auth: on (%s): clients pass --auth FILE --as reader|writer\n", g.auth)
	} else if g.natsURL == "" && !isLoopback(*listen) {
		fmt.Fprintf(m.Stderr, "story: warning: NATS listens on %s without --auth: anyone who reaches it may write\n", *listen)
	}
	if s.HTTPAddr() != "" {
		scheme := "http"
		if cfg.TLSCert != "" {
			scheme = "https"
		}
		fmt.Fprintf(m.Stdout, "  HTTP: %s://%s/ (read-only)\n", scheme, s.HTTPAddr())
	}
	fmt.Fprintln(m.Stdout, "Ctrl-C to stop")
	select {
	case <-ctx.Done():
		fmt.Fprintln(m.Stdout, "stopping")
		return nil
	case <-s.Done():
		return fmt.Errorf("serve: %w", s.Err())
	}
}

// isLoopback reports whether the host of addr is a loopback address.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
