package archivetest

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"storyline/poll"
)

// freePort returns a loopback port nobody listens on; cluster routes must
// be known before the servers start, so port -1 cannot be used for them.
func freePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer func() { _ = l.Close() }() // it only lent its port
	return l.Addr().(*net.TCPAddr).Port
}

// Cluster starts three clustered JetStream servers in process, each
// fsyncing every write, waits until every route is up and a meta leader
// sees all three, and returns them with a client URL naming all three. They are
// shut down when the test ends. Under -short the test is skipped.
func Cluster(tb testing.TB) ([]*server.Server, string) {
	tb.Helper()
	if testing.Short() {
		tb.Skip("starts a three-node cluster")
	}
	ports := []int{freePort(tb), freePort(tb), freePort(tb)}
	var routes []string
	for _, p := range ports {
		routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", p))
	}
	var servers []*server.Server
	for i, p := range ports {
		opts := &server.Options{
			ServerName: fmt.Sprintf("n%d", i+1),
			Host:       "127.0.0.1",
			Port:       -1,
			JetStream:  true,
			StoreDir:   tb.TempDir(),
			SyncAlways: true,
			NoSigs:     true,
		}
		opts.Cluster.Name = "storyline-test"
		opts.Cluster.Host = "127.0.0.1"
		opts.Cluster.Port = p
		opts.Routes = server.RoutesFromStr(strings.Join(routes, ","))
		s, err := server.NewServer(opts)
		if err != nil {
			tb.Fatal(err)
		}
		go s.Start()
		servers = append(servers, s)
		tb.Cleanup(s.Shutdown)
	}
	var urls []string
	for _, s := range servers {
		if !s.ReadyForConnections(10 * time.Second) {
			tb.Fatal("cluster node not ready")
		}
		urls = append(urls, s.ClientURL())
	}
	// An R3 stream can be placed, and a request routed to any node's
	// subscribers, only once every route is up (the pool's and the
	// account's, to each other node) and the meta leader sees all three
	// peers online with every node current.
	want := (len(servers) - 1) * (server.DEFAULT_ROUTE_POOL_SIZE + 1)
	poll.Within(tb, 60*time.Second, "every route of the cluster and a meta leader that sees every peer", func() error {
		leader := false
		for _, s := range servers {
			if n := s.NumRoutes(); n < want {
				return fmt.Errorf("%s has %d routes of %d", s.Name(), n, want)
			}
			if !s.JetStreamIsCurrent() {
				return fmt.Errorf("%s is not current with the meta leader", s.Name())
			}
			leader = leader || s.JetStreamIsLeader() && len(s.JetStreamClusterPeers()) == len(servers)
		}
		if !leader {
			return errors.New("no meta leader that sees every peer online")
		}
		return nil
	})
	return servers, strings.Join(urls, ",")
}

// OpenServer starts one JetStream server in process that anyone may use
// (no users, no permissions), as a server of one's own behind --nats-url
// may be, and returns its URL. It is shut down when the test ends.
func OpenServer(tb testing.TB) string {
	tb.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: tb.TempDir(), NoSigs: true, NoLog: true})
	if err != nil {
		tb.Fatal(err)
	}
	go s.Start()
	tb.Cleanup(s.Shutdown)
	if !s.ReadyForConnections(10 * time.Second) {
		tb.Fatal("server not ready")
	}
	return s.ClientURL()
}
