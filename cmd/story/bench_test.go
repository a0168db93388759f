package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestBenchJSON(t *testing.T) {
	dir := t.TempDir()
	out := mustStory(t, dir, "bench", "--events", "1500", "--json")
	var rep struct {
		Events int `json:"events"`
		Import struct {
			StoryEPS float64 `json:"story_eps"`
			RawEPS   float64 `json:"raw_eps"`
			Ratio    float64 `json:"ratio"`
		} `json:"import"`
		ImportLazy map[string]float64 `json:"import_lazy"`
		Rebuild    map[string]float64 `json:"rebuild"`
		AsOf       []struct {
			Events int     `json:"events"`
			View   string  `json:"view"`
			P50us  float64 `json:"p50_us"`
			P99us  float64 `json:"p99_us"`
		} `json:"asof"`
		IndexBytesPerEvent float64 `json:"index_bytes_per_event"`
		ServeQueryMS       float64 `json:"serve_query_ms"`
		WatchP50MS         float64 `json:"watch_p50_ms"`
		WatchP99MS         float64 `json:"watch_p99_ms"`
	}
	dec := json.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if dec.More() {
		t.Errorf("more than one JSON object: %s", out)
	}
	if rep.Events != 1500 || rep.Import.StoryEPS <= 0 || rep.Import.RawEPS <= 0 || rep.Import.Ratio <= 0 {
		t.Errorf("report: %s", out)
	}
	for _, p := range []map[string]float64{rep.ImportLazy, rep.Rebuild} {
		if p["story_eps"] <= 0 || p["raw_eps"] <= 0 || p["ratio"] <= 0 {
			t.Errorf("pair %v in %s", p, out)
		}
	}
	if len(rep.AsOf) != 2 || rep.AsOf[0].Events != 1500 || rep.AsOf[0].P50us > rep.AsOf[0].P99us {
		t.Errorf("asof: %+v", rep.AsOf)
	}
	if rep.IndexBytesPerEvent <= 0 || rep.ServeQueryMS <= 0 || rep.WatchP50MS <= 0 || rep.WatchP50MS > rep.WatchP99MS {
		t.Errorf("report: %s", out)
	}
	if left, err := os.ReadDir(dir); err != nil || len(left) != 0 {
		t.Errorf("scratch left behind: %v %v", left, err)
	}
}

func TestBenchTableAndBadFlags(t *testing.T) {
	out := mustStory(t, t.TempDir(), "bench", "--events", "1000")
	for _, want := range []string{"FIGURE", "import, fsync every write", "rebuild all views", "as-of board at 1,000 events", "publish → watch", "MET?"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if _, _, code := story(t, "", "", "bench", "--events", "10"); code != 1 {
		t.Errorf("--events 10: exit %d, want 1", code)
	}
}
