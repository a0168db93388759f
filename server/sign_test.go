package server

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/micro"
)

// TestVerify: an answer is serve's only if its signature covers the very
// request (subject and nonce) and the whole answer, with serve's key.
func TestVerify(t *testing.T) {
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	other, _, _ := ed25519.GenerateKey(rand.Reader)
	const subject, nonce = ServiceSubject + ".board", "n1"
	answer := func(code string, data string, signer ed25519.PrivateKey, signSubject, signNonce string) *nats.Msg {
		m := nats.NewMsg("_INBOX.x")
		m.Data = []byte(data)
		if code != "" {
			m.Header.Set(micro.ErrorCodeHeader, code)
			m.Header.Set(micro.ErrorHeader, "bad org")
		}
		if signer != nil {
			m.Header.Set(SignatureHeader, base64.StdEncoding.EncodeToString(ed25519.Sign(signer, signed(signSubject, signNonce, m.Header, m.Data))))
		}
		return m
	}
	tamper := func(m *nats.Msg, f func(*nats.Msg)) *nats.Msg { f(m); return m }
	tests := []struct {
		name string
		msg  *nats.Msg
		key  ed25519.PublicKey
		ok   bool
	}{
		{"serve's answer", answer("", `{"members":[]}`, key, subject, nonce), pub, true},
		{"serve's error", answer("400", "", key, subject, nonce), pub, true},
		{"unsigned", answer("", `{"members":[]}`, nil, "", ""), pub, false},
		{"another key", answer("", `{"members":[]}`, key, subject, nonce), other, false},
		{"an answer to another request", answer("", `{"members":[]}`, key, subject, "n0"), pub, false},
		{"an answer to another view", answer("", `{"members":[]}`, key, ServiceSubject+".roles", nonce), pub, false},
		{"data changed", tamper(answer("", `{"members":[]}`, key, subject, nonce), func(m *nats.Msg) { m.Data = []byte(`{"members":[1]}`) }), pub, false},
		{"error turned into an answer", tamper(answer("404", "", key, subject, nonce), func(m *nats.Msg) { m.Header.Del(micro.ErrorCodeHeader) }), pub, false},
		{"signature not base64", tamper(answer("", "{}", key, subject, nonce), func(m *nats.Msg) { m.Header.Set(SignatureHeader, "!!") }), pub, false},
	}
	for _, tt := range tests {
		err := verify(tt.key, subject, nonce, tt.msg)
		if ok := err == nil; ok != tt.ok || !ok && !errors.Is(err, ErrForged) {
			t.Errorf("%s: %v; want ok=%v (else ErrForged)", tt.name, err, tt.ok)
		}
	}
}
