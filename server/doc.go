// Package server runs Storyline as a long-lived process: it owns the
// archive, keeps every view current as events arrive, writes the "now" of
// each view to a JetStream KV bucket, answers view queries as a NATS micro
// service named "story", and serves the HTTP API, the live event feed and the
// web page.
package server
