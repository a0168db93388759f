package server

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/micro"
)

// Every answer of the micro service is signed with a key only `story
// serve` holds (ed25519, kept in its data dir), over the request's subject
// and nonce and the whole answer, so that a client that knows the public
// key can tell serve's answer from anyone else's: permissions keep other
// clients of the embedded server off the service subjects, but on a server
// of one's own (--nats-url) anyone allowed to subscribe could answer.
const (
	// NonceHeader carries a request's random nonce; the answer's
	// signature covers it, so an old answer cannot be replayed.
	NonceHeader = "Story-Nonce"
	// SignatureHeader carries serve's signature of an answer (base64).
	SignatureHeader = "Story-Signature"
	keyPrefix       = "ed25519:"
)

// ErrForged: an answer on the service subjects is not signed by the serve
// whose key is in the data dir: someone else answers in its place.
var ErrForged = errors.New("server: answer not signed by story serve")

// KeyFile holds serve's signing key (mode 0600).
func KeyFile(dataDir string) string { return filepath.Join(dataDir, "serve.key") }

// PublicKeyFile holds the public half of serve's key, which clients check
// answers with.
func PublicKeyFile(dataDir string) string { return filepath.Join(dataDir, "serve.pub") }

// loadKey returns serve's signing key from dataDir, made the first time,
// and (re)writes the public key beside it.
func loadKey(dataDir string) (ed25519.PrivateKey, error) {
	path := KeyFile(dataDir)
	key, err := readKey(path)
	if errors.Is(err, os.ErrNotExist) {
		key, err = newKey(path)
		if errors.Is(err, os.ErrExist) { // another serve (--nats-url) made it first
			key, err = readKey(path)
		}
	}
	if err != nil {
		return nil, err
	}
	pub := []byte(keyPrefix + base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey)) + "\n")
	if old, err := os.ReadFile(PublicKeyFile(dataDir)); err == nil && bytes.Equal(old, pub) {
		return key, nil
	}
	tmp := PublicKeyFile(dataDir) + ".tmp"
	if err := os.WriteFile(tmp, pub, 0o644); err != nil {
		return nil, fmt.Errorf("serve key: %w", err)
	}
	if err := os.Rename(tmp, PublicKeyFile(dataDir)); err != nil {
		return nil, fmt.Errorf("serve key: %w", err)
	}
	return key, nil
}

func readKey(path string) (ed25519.PrivateKey, error) {
	if err := checkPrivate(path, "serve's signing key"); err != nil {
		return nil, fmt.Errorf("serve key: %w", err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("serve key: %w", err)
	}
	seed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("serve key %s: not a key written by story serve (remove it to make a new one)", path)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

func newKey(path string) (ed25519.PrivateKey, error) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("serve key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("serve key: %w", err)
	}
	if err := writeSynced(f, []byte(base64.StdEncoding.EncodeToString(key.Seed())+"\n")); err != nil {
		_ = os.Remove(path) // half a key would be refused later; the error below is what matters
		return nil, fmt.Errorf("serve key %s: %w", path, err)
	}
	return key, nil
}

// checkPrivate refuses a file that holds a secret when users other than
// its owner may read or write it, as ssh refuses such a key.
func checkPrivate(path, holds string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("%s is open to other users (mode %04o) but holds %s: chmod 600 %s", path, perm, holds, path)
	}
	return nil
}

// ReadPublicKey returns the public key of the serve that keeps its key in
// dataDir; an error wrapping os.ErrNotExist when no serve ever ran there.
func ReadPublicKey(dataDir string) (ed25519.PublicKey, error) {
	b, err := os.ReadFile(PublicKeyFile(dataDir))
	if err != nil {
		return nil, fmt.Errorf("serve's public key: %w", err)
	}
	s, ok := strings.CutPrefix(strings.TrimSpace(string(b)), keyPrefix)
	k, err := base64.StdEncoding.DecodeString(s)
	if !ok || err != nil || len(k) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%s: not a public key written by story serve", PublicKeyFile(dataDir))
	}
	return ed25519.PublicKey(k), nil
}

// signed is what a signature covers: the request's subject and nonce, the
// answer's error code and description (empty for a result) and its data.
func signed(subject, nonce string, h nats.Header, data []byte) []byte {
	d := sha256.New()
	for _, s := range []string{subject, nonce, h.Get(micro.ErrorCodeHeader), h.Get(micro.ErrorHeader)} {
		d.Write([]byte(s))
		d.Write([]byte{0})
	}
	d.Write(data)
	return d.Sum(nil)
}

// respond answers r with v as JSON, or with err's micro code (Classify)
// and message, signed. direct publishes the answer to r's reply subject
// rather than through r: for an answer sent after r's handler returned,
// when micro's request may no longer be used (its error then goes
// uncounted in the endpoint's stats).
func (s *Server) respond(r micro.Request, v any, err error, direct bool) {
	var data []byte
	if err == nil {
		data, err = json.Marshal(v)
	}
	code, desc := "", ""
	if err != nil {
		code, desc = Classify(err).Micro, err.Error()
	}
	// An answer a NATS message cannot carry would be dropped, and the
	// client would wait its whole deadline: say so instead.
	if max := s.a.Conn().MaxPayload() - 4096; code == "" && int64(len(data)) > max {
		code, desc = "413", fmt.Sprintf("the answer is %d bytes, more than a NATS message carries (%d): ask the HTTP API (/api/…) for it, or narrow the question (--entity, --outlet, --story, --limit)", len(data), max)
		data = nil
	}
	h := nats.Header{}
	if code != "" {
		h.Set(micro.ErrorCodeHeader, code)
		h.Set(micro.ErrorHeader, desc)
	}
	sig := ed25519.Sign(s.key, signed(r.Subject(), r.Headers().Get(NonceHeader), h, data))
	h.Set(SignatureHeader, base64.StdEncoding.EncodeToString(sig))
	switch {
	case direct:
		err = s.a.Conn().PublishMsg(&nats.Msg{Subject: r.Reply(), Header: h, Data: data})
	case code != "":
		err = r.Error(code, desc, data, micro.WithHeaders(micro.Headers(h)))
	default:
		err = r.Respond(data, micro.WithHeaders(micro.Headers(h)))
	}
	if err != nil {
		s.cfg.Log.Warn("answer not sent", "subject", r.Subject(), "bytes", len(data), "err", err)
	}
}

// verify checks that m answers the request on subject with nonce and is
// signed with key.
func verify(key ed25519.PublicKey, subject, nonce string, m *nats.Msg) error {
	sig, err := base64.StdEncoding.DecodeString(m.Header.Get(SignatureHeader))
	if err != nil || !ed25519.Verify(key, signed(subject, nonce, m.Header, m.Data), sig) {
		return fmt.Errorf("%w: an answer on %s", ErrForged, subject)
	}
	return nil
}
