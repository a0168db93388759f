package server

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	natsserver "github.com/nats-io/nats-server/v2/server"
)

// The identities of an auth file. Each is a NATS user of that name.
const (
	// RoleReader may replay, query and watch: read the stream and the
	// views bucket, ask the micro service. It may not write anything.
	RoleReader = "reader"
	// RoleWriter may also append events (import, publish), but may not
	// delete, purge or reconfigure the stream.
	RoleWriter = "writer"
	// RoleInternal is `story serve` itself: it creates the stream and the
	// views bucket, writes the views and answers the micro service.
	RoleInternal = "internal"
)

// Roles are the identities `story auth init` creates.
var Roles = []string{RoleWriter, RoleReader, RoleInternal}

// storySubjects are the stream's subjects (see archive.Archive.StreamConfig).
const storySubjects = "story.>"

// AuthFile is the access control of `story serve --auth FILE`: one password
// per role. The passwords are stored in plain text because clients need
// them to log in, so the file itself is the secret, like a NATS creds file:
// it is written with mode 0600 and refused when others may read it. (The
// server could be given bcrypt hashes instead, but the process that reads
// the hashes would read the plain passwords from the same file; it would
// only make every connection slower.) A client needs only its own entry: a
// copy holding just "reader" can be handed to someone who may only read.
type AuthFile struct {
	Note  string              `json:"note,omitempty"`
	Users map[string]AuthUser `json:"users"`
}

// AuthUser is one identity's secret.
type AuthUser struct {
	Password string `json:"password"`
}

// NewAuthFile returns an auth file with a fresh random password (128 bits
// from crypto/rand) for each of Roles.
func NewAuthFile() AuthFile {
	f := AuthFile{
		Note:  "Storyline access control (story auth init). The passwords are in plain text: keep this file private (mode 0600).",
		Users: map[string]AuthUser{},
	}
	for _, r := range Roles {
		f.Users[r] = AuthUser{Password: rand.Text()}
	}
	return f
}

// Write stores f at path with mode 0600. Unless force is set it refuses to
// replace an existing file (the error wraps os.ErrExist): that file may
// hold the passwords a running serve and its clients use.
func (f AuthFile) Write(path string, force bool) error {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("auth file %s: %w", path, err)
	}
	b = append(b, '\n')
	if !force {
		out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			if errors.Is(err, os.ErrExist) {
				return fmt.Errorf("auth file %s already exists (pass --force to replace it and its passwords): %w", path, err)
			}
			return fmt.Errorf("auth file: %w", err)
		}
		if err := writeSynced(out, b); err != nil {
			_ = os.Remove(path) // half a file; the error below is what matters
			return fmt.Errorf("auth file %s: %w", path, err)
		}
		return nil
	}
	// Replaced through a rename, so no reader ever sees half a file and
	// the old file's mode (perhaps too open) is not inherited.
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("auth file: %w", err)
	}
	err = tmp.Chmod(0o600)
	if err != nil {
		err = errors.Join(err, tmp.Close())
	} else {
		err = writeSynced(tmp, b)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name()) // a leftover temporary file; the error below is what matters
		return fmt.Errorf("auth file %s: %w", path, err)
	}
	return nil
}

// writeSynced writes b to f, syncs and closes it.
func writeSynced(f *os.File, b []byte) error {
	_, err := f.Write(b)
	return errors.Join(err, f.Sync(), f.Close())
}

// LoadAuthFile reads an auth file. It refuses one that others may read or
// write, as ssh refuses such a key, and one with unknown roles or fields.
func LoadAuthFile(path string) (AuthFile, error) {
	var f AuthFile
	if err := checkPrivate(path, "passwords"); err != nil {
		return f, fmt.Errorf("auth file: %w", err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return f, fmt.Errorf("auth file: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return f, fmt.Errorf("auth file %s: %w", path, err)
	}
	if len(f.Users) == 0 {
		return f, fmt.Errorf("auth file %s: no users (create one with `story auth init`)", path)
	}
	for role, u := range f.Users {
		if !slices.Contains(Roles, role) {
			return f, fmt.Errorf("auth file %s: unknown user %q (want %s)", path, role, strings.Join(Roles, ", "))
		}
		if u.Password == "" {
			return f, fmt.Errorf("auth file %s: user %q has no password", path, role)
		}
	}
	return f, nil
}

// Password returns role's password, or an error naming what the file holds.
func (f AuthFile) Password(role string) (string, error) {
	if !slices.Contains(Roles, role) {
		return "", fmt.Errorf("unknown identity %q (want %s)", role, strings.Join(Roles, ", "))
	}
	u, ok := f.Users[role]
	if !ok {
		have := make([]string, 0, len(f.Users))
		for r := range f.Users {
			have = append(have, r)
		}
		slices.Sort(have)
		return "", fmt.Errorf("the auth file has no %q identity (it has: %s)", role, strings.Join(have, ", "))
	}
	return u.Password, nil
}

// Permissions returns what role may do on the embedded server of an
// archive with this stream and views bucket; nil (everything) for
// internal. They are allow-lists: what is not listed is refused, so a new
// JetStream API (or a forgotten one) is closed by default. The deny-lists
// repeat what only serve may do (see serveOnly), so that widening an
// allow-list later cannot open it by accident.
func Permissions(role, stream, bucket string) *natsserver.Permissions {
	if role == RoleInternal {
		return nil
	}
	kv := "KV_" + bucket
	const api = "$JS.API."
	var pub []string
	for _, s := range []string{stream, kv} {
		pub = append(pub,
			api+"STREAM.INFO."+s,
			api+"STREAM.MSG.GET."+s,
			api+"DIRECT.GET."+s,      // by sequence, and the batched get of the last message per subject
			api+"DIRECT.GET."+s+".>", // the last message of a subject (a KV get)
			// Ordered consumers (replay, watch, KV watch): ephemeral, and
			// named by the client, so it can delete and look up its own.
			// A durable one made here gets the stream's inactivity limit.
			api+"CONSUMER.CREATE."+s+".>",
			api+"CONSUMER.INFO."+s+".*",
			api+"CONSUMER.DELETE."+s+".*",
			api+"CONSUMER.MSG.NEXT."+s+".*",
			"$JS.FC."+s+".>", // flow-control replies of a push consumer (KV watch)
		)
	}
	pub = append(pub,
		api+"INFO",          // account limits and usage: the nats CLI asks first
		ServiceSubject+".>", // the views, through the micro service
		"$SRV.>",            // micro service discovery: PING, INFO, STATS
	)
	pubDeny, subDeny := serveOnly(bucket)
	pubDeny = append(pubDeny, api+"STREAM.SNAPSHOT.>")
	if role == RoleWriter {
		// Appends are plain publishes (atomic batches are headers on
		// them); the stream's own expected-sequence checks and
		// deny_delete/deny_purge still apply.
		pub = append(pub, storySubjects)
	} else {
		pubDeny = append(pubDeny, storySubjects)
	}
	return &natsserver.Permissions{
		Publish: &natsserver.SubjectPermission{Allow: pub, Deny: pubDeny},
		Subscribe: &natsserver.SubjectPermission{Allow: []string{
			"_INBOX.>",             // replies and consumer deliveries
			storySubjects,          // new events live, as any NATS client may filter them
			"$KV." + bucket + ".>", // the views' changes live
		}, Deny: subDeny},
	}
}

// serveOnly is what no client but serve may publish and subscribe to, with
// or without --auth:
//
//   - create, change, delete or restore any stream: a stream of one's own
//     could republish, source or mirror into the views bucket, and the
//     archive's streams must not change;
//   - purge a stream or the account, or delete a message;
//   - write the views bucket;
//   - make a durable consumer through the old API (durables made through
//     the current one get the stream's inactivity limit);
//   - listen on the micro service's subjects, where a listener could answer
//     in serve's place, or to the JetStream API, whose requests carry the
//     reply subject a forged answer would go to.
func serveOnly(bucket string) (pub, sub []string) {
	const api = "$JS.API."
	pub = []string{
		"$KV." + bucket + ".>",
		api + "STREAM.CREATE.>",
		api + "STREAM.UPDATE.>",
		api + "STREAM.DELETE.>",
		api + "STREAM.RESTORE.>",
		api + "STREAM.PURGE.>",
		api + "STREAM.MSG.DELETE.>",
		api + "ACCOUNT.PURGE.>",
		api + "CONSUMER.DURABLE.CREATE.>",
	}
	sub = []string{ServiceSubject + ".>", "$SRV.>", api + ">"}
	return pub, sub
}

// RoleLocal is who connects to serve's embedded server without --auth: it
// may read and append, as every local user may, but not do what only
// serve may (see serveOnly). deny_delete and deny_purge stop message
// deletes and purges; only permissions stop a client deleting the whole
// stream, shortening its limits, purging the account, forging a view or
// answering in serve's place.
const RoleLocal = "local"

// LocalPermissions are RoleLocal's: everything but what serveOnly keeps
// for serve.
func LocalPermissions(bucket string) *natsserver.Permissions {
	pub, sub := serveOnly(bucket)
	return &natsserver.Permissions{
		Publish:   &natsserver.SubjectPermission{Allow: []string{">"}, Deny: pub},
		Subscribe: &natsserver.SubjectPermission{Allow: []string{">"}, Deny: sub},
	}
}

// secure applies Auth and the TLS files to the embedded server and to
// serve's own connection to it. It is called after the defaults are set.
// Without Auth, anonymous clients are RoleLocal.
func (c *Config) secure() error {
	if c.Archive.NATSURL != "" {
		if c.Auth != nil || c.TLSCert != "" || c.TLSKey != "" {
			return fmt.Errorf("--auth and --tls-cert configure the embedded server; with --nats-url %s that server's own configuration decides who may connect", c.Archive.NATSURL)
		}
		return nil
	}
	stream := cmp.Or(c.Archive.Stream, "STORY")
	var users []*natsserver.User
	noAuthUser := ""
	if c.Auth == nil {
		// A password nobody else learns: serve's own connection is the
		// only one with the full API.
		var b [24]byte
		if _, err := rand.Read(b[:]); err != nil {
			return fmt.Errorf("serve's own password: %w", err)
		}
		pw := hex.EncodeToString(b[:])
		users = []*natsserver.User{
			{Username: RoleInternal, Password: pw},
			{Username: RoleLocal, Permissions: LocalPermissions(c.Bucket)},
		}
		noAuthUser = RoleLocal
		c.Archive.User, c.Archive.Password = RoleInternal, pw
	} else {
		pw, err := c.Auth.Password(RoleInternal)
		if err != nil {
			return fmt.Errorf("auth: %w: serve needs it to reach its own server", err)
		}
		for _, role := range Roles {
			if u, ok := c.Auth.Users[role]; ok {
				users = append(users, &natsserver.User{Username: role, Password: u.Password, Permissions: Permissions(role, stream, c.Bucket)})
			}
		}
		// The in-process connection is a client like any other: with
		// users configured it must log in too.
		c.Archive.User, c.Archive.Password = RoleInternal, pw
	}
	var tc *tls.Config
	if c.TLSCert != "" || c.TLSKey != "" {
		var err error
		if tc, err = loadTLS(c.TLSCert, c.TLSKey); err != nil {
			return err
		}
	}
	prev := c.Archive.ServerOptions
	c.Archive.ServerOptions = func(o *natsserver.Options) {
		if prev != nil {
			prev(o)
		}
		o.Users = users
		o.NoAuthUser = noAuthUser // with --auth: no anonymous connections
		if tc != nil {
			// Clients must speak TLS; they are not asked for a
			// certificate (they log in with a password).
			o.TLSConfig = tc
			o.TLS = true
			o.TLSVerify = false
			o.AllowNonTLS = false
		}
	}
	return nil
}

// loadTLS reads a certificate and its key for a TLS listener.
func loadTLS(certFile, keyFile string) (*tls.Config, error) {
	if certFile == "" || keyFile == "" {
		return nil, fmt.Errorf("tls: give both --tls-cert and --tls-key (got cert %q, key %q)", certFile, keyFile)
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("tls: --tls-cert %s / --tls-key %s: %w", certFile, keyFile, err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}
