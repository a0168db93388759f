package archive_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"storyline/archive"
	"storyline/archive/archivetest"
	"storyline/poll"
)

// TestIsAuthError: the one test of a refused login knows nats.go's
// sentinels, wrapped, and the server's words where nats.go passes them on
// as text; a permissions violation or an unreachable server is not one.
func TestIsAuthError(t *testing.T) {
	cases := []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("connect x: %w", nats.ErrAuthorization), true},
		{nats.ErrAuthExpired, true},
		{nats.ErrAuthRevoked, true},
		{errors.New("nats: Authorization Violation"), true},
		{errors.New("nats: user authentication expired"), true},
		{fmt.Errorf("publish: %w", nats.ErrPermissionViolation), false},
		{fmt.Errorf("connect x: %w: %w", archive.ErrUnreachable, nats.ErrNoServers), false},
		{nil, false},
	}
	for _, c := range cases {
		if got := archive.IsAuthError(c.err); got != c.want {
			t.Errorf("IsAuthError(%v) = %v; want %v", c.err, got, c.want)
		}
	}
}

// withUser makes the embedded server listen and admit only user with
// password.
func withUser(user, password string) func(*archive.Config) {
	return func(c *archive.Config) {
		c.Listen = "127.0.0.1:-1"
		c.User, c.Password = user, password
		c.ServerOptions = func(o *server.Options) {
			o.Users = []*server.User{{Username: user, Password: password}}
		}
	}
}

// TestRefusedLogin: a wrong password is a refusal, for the archive and for
// Dial alike, and not an unreachable server; the right one gets in, the
// embedded server's own connection included.
func TestRefusedLogin(t *testing.T) {
	host := archivetest.New(t, withUser("writer", "right"))
	url := host.Server().ClientURL()
	cfg := archive.Config{DataDir: t.TempDir(), NATSURL: url, User: "writer", Password: "wrong"}
	_, err := archive.Open(context.Background(), cfg)
	if !archive.IsAuthError(err) || errors.Is(err, archive.ErrUnreachable) {
		t.Errorf("open with a wrong password: %v; want a refusal, not ErrUnreachable", err)
	}
	if _, err := archive.Dial(url, cfg, "test"); !archive.IsAuthError(err) || errors.Is(err, archive.ErrUnreachable) {
		t.Errorf("dial with a wrong password: %v; want a refusal, not ErrUnreachable", err)
	}
	cfg.Password = "right"
	nc, err := archive.Dial(url, cfg, "test")
	if err != nil {
		t.Fatalf("dial with the right password: %v", err)
	}
	nc.Close()
	archivetest.Open(t, cfg)
}

// TestCloseReportsLostServer: closing an archive whose server went away
// says so, instead of returning nil; a second Close has nothing left to
// report.
func TestCloseReportsLostServer(t *testing.T) {
	host, err := archive.Open(context.Background(), archive.Config{DataDir: t.TempDir(), Listen: "127.0.0.1:-1"})
	if err != nil {
		t.Fatal(err)
	}
	remote, err := archive.Open(context.Background(), archive.Config{DataDir: t.TempDir(), NATSURL: host.Server().ClientURL()})
	if err != nil {
		t.Fatal(err)
	}
	if err := host.Close(); err != nil {
		t.Fatalf("close the host: %v", err)
	}
	poll.Until(t, "the remote archive to notice its server went away", remote.Conn().IsReconnecting)
	if err := remote.Close(); !errors.Is(err, nats.ErrConnectionReconnecting) {
		t.Errorf("close without a server: %v; want ErrConnectionReconnecting", err)
	}
	if err := remote.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
}
