package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"storyline/query"
	"storyline/server"
)

func (m *Main) runServe(ctx context.Context, args []string) error {
	var g globalFlags
	fs := m.newFlagSet("serve", "serve [--listen 127.0.0.1:4222] [--http 127.0.0.1:8080]")
	m.registerGlobal(fs, &g)
	listen := fs.String("listen", "127.0.0.1:4222", "address of the embedded NATS server (for nats CLI, watch and other story commands)")
	httpAddr := fs.String("http", "127.0.0.1:8080", "address of the HTTP API and web page (\"\" for none)")
	verbose := fs.Bool("v", false, "log what the server does to stderr")
	ckptEvery := fs.Duration("checkpoint-every", 10*time.Second, "how often the projector saves its checkpoint (also while rebuilding)")
	skipVerify := fs.Bool("skip-verify", false, "do not read every record in the background after start (the cheap start-up check still runs)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	cfg := server.Config{Archive: g.config(), HTTP: *httpAddr, Verify: !*skipVerify, CheckpointEvery: *ckptEvery}
	if g.natsURL == "" {
		cfg.Archive.Listen = *listen
	}
	if *verbose {
		cfg.Log = slog.New(slog.NewTextHandler(m.Stderr, nil))
	}
	s, err := server.Open(ctx, cfg, query.NewEngine())
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer s.Close()
	fmt.Fprintf(m.Stdout, "serving stream %s\n  NATS: %s (micro service \"story\", KV bucket STORY_VIEWS)\n", s.Archive().StreamName(), s.NATSURL())
	if s.HTTPAddr() != "" {
		fmt.Fprintf(m.Stdout, "  HTTP: http://%s/\n", s.HTTPAddr())
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
