package archive_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"storyline/archive"
	"storyline/archive/archivetest"
	"storyline/events"
)

// makeEvents returns n distinct valid events filed under entity.
func makeEvents(t testing.TB, entity string, n int) []events.Event {
	t.Helper()
	out := make([]events.Event, n)
	for i := range out {
		line := fmt.Sprintf(`{"type":"statement.made","occurred_at":"2023-11-17T12:%02d:00-08:00","reported_at":"2023-11-17T13:00:00-08:00",`+
			`"source":{"outlet":"Test Wire","attribution":"on_record"},"data":{"by":%q,"text":"statement %d","lang":"en"}}`, i%60, entity, i)
		e, err := events.Decode([]byte(line))
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		out[i] = e
	}
	return out
}

func count(t testing.TB, a *archive.Archive) uint64 {
	t.Helper()
	info, err := a.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.Messages
}

func TestStreamIsImmutable(t *testing.T) {
	ctx := context.Background()
	a := archivetest.New(t)
	if _, err := a.Append(ctx, makeEvents(t, "acme", 3), nil); err != nil {
		t.Fatal(err)
	}
	js := a.JetStream()
	s, err := js.Stream(ctx, a.StreamName())
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := info.Config
	if !c.DenyDelete || !c.DenyPurge || c.AllowRollup || c.AllowMsgTTL || c.AllowMsgSchedules || c.MaxAge != 0 || c.SubjectDeleteMarkerTTL != 0 {
		t.Fatalf("stream config not immutable: %+v", c)
	}

	tests := []struct {
		name string
		do   func() error
		code jetstream.ErrorCode
	}{
		{"delete message", func() error { return s.DeleteMsg(ctx, 2) }, 10057},
		{"secure delete message", func() error { return s.SecureDeleteMsg(ctx, 2) }, 10057},
		{"purge stream", func() error { return s.Purge(ctx) }, 10110},
		{"purge subject", func() error { return s.Purge(ctx, jetstream.WithPurgeSubject("story.acme.>")) }, 10110},
		{"turn deny_delete off", func() error {
			cfg := c
			cfg.DenyDelete = false
			_, err := js.UpdateStream(ctx, cfg)
			return err
		}, 0},
		{"turn deny_purge off", func() error {
			cfg := c
			cfg.DenyPurge = false
			_, err := js.UpdateStream(ctx, cfg)
			return err
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do()
			if err == nil {
				t.Fatal("the server allowed it")
			}
			var apiErr *jetstream.APIError
			codeSeen := errors.As(err, &apiErr) && apiErr.ErrorCode == tt.code ||
				strings.Contains(err.Error(), fmt.Sprintf("err_code=%d", tt.code))
			if tt.code != 0 && !codeSeen {
				t.Fatalf("got %v, want error code %d", err, tt.code)
			}
		})
	}
	if n := count(t, a); n != 3 {
		t.Fatalf("stream has %d messages after the attempts, want 3", n)
	}
}

func TestCheckImmutableNamesEverySetting(t *testing.T) {
	cfg := jetstream.StreamConfig{Name: "X", Storage: jetstream.FileStorage, AllowRollup: true, MaxAge: time.Hour, AllowMsgTTL: true}
	err := archive.CheckImmutable(cfg)
	if !errors.Is(err, archive.ErrMutableStream) {
		t.Fatalf("got %v, want ErrMutableStream", err)
	}
	for _, want := range []string{"deny_delete", "deny_purge", "allow_rollup", "allow_msg_ttl", "max_age"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

func TestOpenRefusesMutableStream(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a := archivetest.Open(t, archive.Config{DataDir: dir, Stream: "OTHER"})
	// A stream of the same name created by someone else, without the deny
	// flags, must not be used.
	if _, err := a.JetStream().CreateStream(ctx, jetstream.StreamConfig{Name: "LOOSE", Subjects: []string{"loose.>"}, Storage: jetstream.FileStorage}); err != nil {
		t.Fatal(err)
	}
	archivetest.Close(t, a)
	_, err := archive.Open(ctx, archive.Config{DataDir: dir, Stream: "LOOSE"})
	if !errors.Is(err, archive.ErrMutableStream) {
		t.Fatalf("got %v, want ErrMutableStream", err)
	}
}

func TestStoredOnceAfterWindowAndRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := archive.Config{DataDir: dir, DuplicateWindow: 100 * time.Millisecond}
	evs := makeEvents(t, "acme", 20)

	a, err := archive.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	res, err := a.Append(ctx, evs, nil)
	if err != nil || res.Stored != 20 {
		t.Fatalf("first append: %+v, %v", res, err)
	}
	// Not synchronisation: the passage of time is the input. Stored-once
	// must hold after the server's duplicate window is over, whatever
	// message ids the records carry. Nothing observable marks its end: the
	// server counts the ids it remembers only internally, Append sends
	// none, and a probe with an id would add a record to the stream this
	// test counts. So the test waits three windows.
	time.Sleep(300 * time.Millisecond)
	res, err = a.Append(ctx, evs, nil)
	if err != nil || res.Stored != 0 || res.Present != 20 {
		t.Fatalf("after the window: %+v, %v; want 0 stored, 20 present", res, err)
	}
	// A plain client re-sending the same record is refused by the server
	// itself, not by a look-up on our side.
	m := nats.NewMsg(archive.Subject(&evs[0]))
	m.Data = evs[0].Canonical()
	m.Header.Set(jetstream.ExpectedLastSubjSeqHeader, "0")
	_, err = a.JetStream().PublishMsg(ctx, m)
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode != jetstream.JSErrCodeStreamWrongLastSequence {
		t.Fatalf("raw re-send: got %v, want error 10071", err)
	}
	archivetest.Close(t, a)

	a, err = archive.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer archivetest.Close(t, a)
	res, err = a.Append(ctx, evs, nil)
	if err != nil || res.Stored != 0 || res.Present != 20 {
		t.Fatalf("after restart: %+v, %v; want 0 stored, 20 present", res, err)
	}
	for _, e := range evs[:3] {
		r, err := a.Publish(ctx, e, archive.PublishOptions{})
		if err != nil || r.Present != 1 {
			t.Fatalf("publish again: %+v, %v", r, err)
		}
	}
	if n := count(t, a); n != 20 {
		t.Fatalf("stream holds %d messages, want 20", n)
	}
}

func TestAppendCompletesAnInterruptedImport(t *testing.T) {
	ctx := context.Background()
	a := archivetest.New(t, func(c *archive.Config) { c.BatchSize = 7 })
	evs := makeEvents(t, "acme", 50)
	if _, err := a.Append(ctx, evs[:23], nil); err != nil {
		t.Fatal(err)
	}
	res, err := a.Append(ctx, evs, nil)
	if err != nil || res.Stored != 27 || res.Present != 23 {
		t.Fatalf("got %+v, %v; want 27 stored, 23 present", res, err)
	}
	if _, err := a.Verify(ctx, nil); err != nil {
		t.Fatal(err)
	}
}

func TestAppendRejectsReusedIDWithoutStoringAnything(t *testing.T) {
	ctx := context.Background()
	a := archivetest.New(t)
	evs := makeEvents(t, "acme", 5)
	if _, err := a.Append(ctx, evs[:1], nil); err != nil {
		t.Fatal(err)
	}
	changed := evs[0]
	changed.Quote = "a different quote, same id"
	batch := append(makeEvents(t, "other", 4), changed)
	_, err := a.Append(ctx, batch, nil)
	if !errors.Is(err, archive.ErrIDReused) || !strings.Contains(err.Error(), evs[0].ID) {
		t.Fatalf("got %v, want ErrIDReused naming %s", err, evs[0].ID)
	}
	if n := count(t, a); n != 1 {
		t.Fatalf("stream holds %d messages, want 1 (nothing of the bad batch)", n)
	}
}

func TestConcurrentWritersKeepOneChain(t *testing.T) {
	ctx := context.Background()
	a := archivetest.New(t, func(c *archive.Config) { c.BatchSize = 10 })
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := a.Append(ctx, makeEvents(t, fmt.Sprintf("writer-%d", w), 60), nil)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, a); n != 240 {
		t.Fatalf("stream holds %d, want 240", n)
	}
	rep, err := a.Verify(ctx, nil)
	if err != nil || rep.Records != 240 {
		t.Fatalf("verify: %+v %v", rep, err)
	}
}

func TestOptimisticWriteOnStaleView(t *testing.T) {
	ctx := context.Background()
	a := archivetest.New(t)
	if _, err := a.Append(ctx, makeEvents(t, "acme", 2), nil); err != nil {
		t.Fatal(err)
	}
	seen, err := a.EntitySeq(ctx, "acme")
	if err != nil || seen != 2 {
		t.Fatalf("entity seq %d, %v", seen, err)
	}
	more := makeEvents(t, "acme", 5)[2:]
	// Two writers acting on the same view: exactly one wins.
	wins, conflicts := staleWriters(t, a, more[:2], seen)
	if wins != 1 || conflicts != 1 {
		t.Fatalf("wins %d, conflicts %d; want 1 and 1", wins, conflicts)
	}
	// A write to another entity does not conflict with acme's view.
	now, _ := a.EntitySeq(ctx, "acme")
	if _, err := a.Append(ctx, makeEvents(t, "other", 1), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Publish(ctx, more[2], archive.PublishOptions{ExpectEntitySeq: &now}); err != nil {
		t.Fatalf("write on a current view of acme after a write to another entity: %v", err)
	}
}

func TestSecondProcessOnDataDirGetsClearError(t *testing.T) {
	dir := t.TempDir()
	archivetest.Open(t, archive.Config{DataDir: dir})
	_, err := archive.Open(context.Background(), archive.Config{DataDir: dir})
	if !errors.Is(err, archive.ErrLocked) || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "pid") {
		t.Fatalf("got %v, want ErrLocked naming the dir and the holder", err)
	}
}

func TestUnreachableServer(t *testing.T) {
	_, err := archive.Open(context.Background(), archive.Config{DataDir: t.TempDir(), NATSURL: "nats://127.0.0.1:1"})
	if !errors.Is(err, archive.ErrUnreachable) {
		t.Fatalf("got %v, want ErrUnreachable", err)
	}
}

// TestOverTCP runs the same operations against an archive reached as
// --nats-url reaches one, through a listening embedded server.
func TestOverTCP(t *testing.T) {
	ctx := context.Background()
	host := archivetest.New(t, func(c *archive.Config) { c.Listen = "127.0.0.1:-1" })
	url := host.Server().ClientURL()
	remote := archivetest.Open(t, archive.Config{DataDir: t.TempDir(), NATSURL: url})
	evs := makeEvents(t, "acme", 30)
	if res, err := remote.Append(ctx, evs, nil); err != nil || res.Stored != 30 {
		t.Fatalf("remote append: %+v %v", res, err)
	}
	if res, err := host.Append(ctx, evs, nil); err != nil || res.Present != 30 {
		t.Fatalf("local re-append: %+v %v", res, err)
	}
	var n int
	if err := remote.Records(ctx, 1, func(r archive.Record) error {
		if r.Err != nil {
			return r.Err
		}
		n++
		return nil
	}); err != nil || n != 30 {
		t.Fatalf("remote read %d, %v", n, err)
	}
	if _, err := remote.Verify(ctx, nil); err != nil {
		t.Fatal(err)
	}
}

// damages are the ways a block file gets hurt on disk.
var damages = []struct {
	name   string
	damage func(t *testing.T, blk string)
}{
	{"bit flip in a block file", func(t *testing.T, blk string) {
		b, err := os.ReadFile(blk)
		if err != nil {
			t.Fatal(err)
		}
		b[len(b)/2] ^= 0x10
		if err := os.WriteFile(blk, b, 0o640); err != nil {
			t.Fatal(err)
		}
	}},
	{"truncated tail", func(t *testing.T, blk string) {
		fi, err := os.Stat(blk)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(blk, fi.Size()-1000); err != nil {
			t.Fatal(err)
		}
	}},
}

// damagedArchive stores 400 events, closes the archive, applies damage to
// its last block file and opens it again.
func damagedArchive(t *testing.T, damage func(t *testing.T, blk string)) *archive.Archive {
	t.Helper()
	ctx := context.Background()
	cfg := archive.Config{DataDir: t.TempDir()}
	a, err := archive.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Append(ctx, makeEvents(t, "acme", 400), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Verify(ctx, nil); err != nil {
		t.Fatalf("verify before damage: %v", err)
	}
	if _, err := a.Check(ctx); err != nil {
		t.Fatalf("check before damage: %v", err)
	}
	archivetest.Close(t, a)
	blks, _ := filepath.Glob(filepath.Join(cfg.DataDir, "jetstream", "*", "streams", "STORY", "msgs", "*.blk"))
	if len(blks) == 0 {
		t.Fatal("no block file found")
	}
	damage(t, blks[len(blks)-1])
	a, err = archive.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { archivetest.Close(t, a) })
	return a
}

// A lost tail changes the count the store recovers, so the cheap check
// sees it. A flipped bit inside a block leaves the count as it was (the
// store notices only when the record is read), so the cheap check passes
// and only a full read finds it: that is why `story serve` runs Verify in
// the background after Check (see server.TestServeStopsOnDamage).
func TestCheckCatchesDamage(t *testing.T) {
	for i, tt := range damages {
		t.Run(tt.name, func(t *testing.T) {
			a := damagedArchive(t, tt.damage)
			_, err := a.Check(context.Background())
			caught := errors.Is(err, archive.ErrCorrupt)
			if want := tt.name == "truncated tail"; caught != want {
				t.Fatalf("damage %d: check says %v; want caught=%v", i, err, want)
			}
			t.Logf("%s: %v", tt.name, err)
		})
	}
}

func TestCheckPassesSoundArchiveWithForeignRecords(t *testing.T) {
	ctx := context.Background()
	a := archivetest.New(t)
	if _, err := a.Append(ctx, makeEvents(t, "acme", 30), nil); err != nil {
		t.Fatal(err)
	}
	// A foreign client's record has no chain header; the chain skips it.
	if _, err := a.JetStream().Publish(ctx, "story.acme.junk.1", []byte("not an event")); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Append(ctx, makeEvents(t, "acme", 32)[30:], nil); err != nil {
		t.Fatal(err)
	}
	if _, err := a.JetStream().Publish(ctx, "story.acme.junk.2", nil); err != nil {
		t.Fatal(err)
	}
	info, err := a.Check(ctx)
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	if info.Messages != 34 {
		t.Fatalf("%d messages, want 34", info.Messages)
	}
}

// TestVerifyAndExportCatchDamage: verify names the first bad sequence of a
// damaged archive. An export of it is an ErrCorrupt error naming the same
// sequence, and writes nothing past it; with Salvage it writes every
// readable event and lists the damage instead.
func TestVerifyAndExportCatchDamage(t *testing.T) {
	for _, tt := range damages {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			a := damagedArchive(t, tt.damage)
			rep, err := a.Verify(ctx, nil)
			if !errors.Is(err, archive.ErrCorrupt) {
				t.Fatalf("verify after damage: %v (report %+v); want ErrCorrupt", err, rep)
			}
			if rep.FirstBad == 0 || rep.FirstBad > 400 || !strings.Contains(err.Error(), fmt.Sprintf("sequence %d", rep.FirstBad)) {
				t.Fatalf("first bad sequence %d, error %v", rep.FirstBad, err)
			}
			t.Logf("%s: %v", tt.name, err)
			checkExport(t, a, rep)
		})
	}
}

// checkExport exports a, which verify found damaged as rep says, without
// and with Salvage.
func checkExport(t *testing.T, a *archive.Archive, vrep archive.VerifyReport) {
	t.Helper()
	ctx := context.Background()
	var out bytes.Buffer
	rep, err := a.Export(ctx, &out, archive.ExportOptions{})
	if !errors.Is(err, archive.ErrCorrupt) || !strings.Contains(err.Error(), fmt.Sprintf("first bad sequence %d:", vrep.FirstBad)) {
		t.Fatalf("export: %v; want ErrCorrupt naming sequence %d, as verify does", err, vrep.FirstBad)
	}
	if lines := uint64(strings.Count(out.String(), "\n")); lines != rep.Written || lines >= vrep.FirstBad {
		t.Errorf("export wrote %d lines (reported %d); want fewer than the first bad sequence %d", lines, rep.Written, vrep.FirstBad)
	}
	refused := err
	out.Reset()
	rep, err = a.Export(ctx, &out, archive.ExportOptions{Salvage: true})
	if err != nil {
		t.Fatalf("salvage: %v", err)
	}
	lines := uint64(strings.Count(out.String(), "\n"))
	if lines != rep.Written || lines != vrep.Records || len(rep.Problems) == 0 || rep.Problems[0].Seq != vrep.FirstBad {
		t.Errorf("salvage: %d lines, report %+v; want all %d readable records and the problems starting at %d", lines, rep, vrep.Records, vrep.FirstBad)
	}
	t.Logf("export refused: %v; salvaged %d events, problems %v", refused, rep.Written, rep.Problems)
}

func TestWatchDeliversNewRecords(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	a := archivetest.New(t)
	if _, err := a.Append(ctx, makeEvents(t, "acme", 3), nil); err != nil {
		t.Fatal(err)
	}
	got := make(chan archive.Record, 10)
	wctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- a.Watch(wctx, 2, func(r archive.Record) error { got <- r; return nil })
	}()
	if _, err := a.Append(ctx, makeEvents(t, "later", 2), nil); err != nil {
		t.Fatal(err)
	}
	var seqs []uint64
	for len(seqs) < 4 {
		select {
		case r := <-got:
			seqs = append(seqs, r.Seq)
		case <-ctx.Done():
			t.Fatalf("watch delivered only %v", seqs)
		}
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(seqs) != "[2 3 4 5]" {
		t.Fatalf("watch delivered %v, want [2 3 4 5]", seqs)
	}
}

// SIGTERM during an import cancels ctx: Append must stop between batches,
// report exactly what it stored, and a second run must complete the rest.
func TestAppendStopsBetweenBatchesOnCancel(t *testing.T) {
	t.Parallel()
	a := archivetest.New(t, func(c *archive.Config) { c.BatchSize = 5 })
	evs := makeEvents(t, "cancel", 23)
	ctx, cancel := context.WithCancel(context.Background())
	res, err := a.Append(ctx, evs, func(done, total int) {
		if done >= 10 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if res.Stored != 10 || count(t, a) != 10 {
		t.Fatalf("stored %d, stream holds %d; want 10 and 10", res.Stored, count(t, a))
	}
	res, err = a.Append(context.Background(), makeEvents(t, "cancel", 23), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Stored != 13 || res.Present != 10 || count(t, a) != 23 {
		t.Fatalf("second run: %+v, stream holds %d", res, count(t, a))
	}
}

// staleWriters publishes evs concurrently, each expecting the entity to be
// unchanged since seen, and counts the writes that won and the conflicts.
func staleWriters(t *testing.T, a *archive.Archive, evs []events.Event, seen uint64) (wins, conflicts int) {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, e := range evs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := a.Publish(context.Background(), e, archive.PublishOptions{ExpectEntitySeq: &seen})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, archive.ErrConflict):
				conflicts++
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}()
	}
	wg.Wait()
	return wins, conflicts
}
