package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestShortRun runs the whole benchmark briefly: every sanity check must
// pass, every scenario must serve requests without errors, and stdout must
// be exactly the JSON line.
func TestShortRun(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 500 annotations and runs nine load phases")
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"-duration", "400ms", "-slice", "200ms", "-anon-clients", "2", "-user-clients", "3",
		"-write-clients", "2", "-mixed-readers", "4", "-mixed-writers", "2", "-json-only"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout.String(), stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("-json-only printed %d lines:\n%s", len(lines), stdout.String())
	}
	var s summary
	dec := json.NewDecoder(strings.NewReader(lines[0]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		t.Fatalf("final line is not the summary: %v\n%s", err, lines[0])
	}
	if s.PageBytes < 10_000 || s.ReadAnonRPS <= 0 || s.ReadUserRPS <= 0 || s.WriteRPS <= 0 {
		t.Errorf("a scenario measured nothing: %+v", s)
	}
	if s.ReadAnonRatio <= 0 || s.ReadUserRatio <= 0 || s.WriteRatio <= 0 {
		t.Errorf("a ceiling measured nothing: %+v", s)
	}
	if s.WriteErrors != 0 || s.MixedErrors != 0 {
		t.Errorf("write_errors = %d, mixed_errors = %d", s.WriteErrors, s.MixedErrors)
	}
	if s.MixedReadRPS <= 0 || s.MixedWriteRPS <= 0 || s.MixedReadRatio <= 0 || s.MixedWriteRatio <= 0 {
		t.Errorf("the mixed scenario measured nothing: %+v", s)
	}
	for _, key := range []string{"page_bytes", "read_anon_rps", "read_anon_ratio", "read_anon_p99_ms", "read_user_rps",
		"read_user_ratio", "write_rps", "write_ratio", "write_errors", "mixed_read_rps", "mixed_read_ratio",
		"mixed_read_p50_ms", "mixed_read_p99_ms", "mixed_write_rps", "mixed_write_ratio", "mixed_errors"} {
		if !strings.Contains(lines[0], `"`+key+`":`) {
			t.Errorf("the JSON line lacks %s", key)
		}
	}
}

func TestPercentileIsNearestRank(t *testing.T) {
	r := &result{}
	for i := 1; i <= 200; i++ {
		r.latency = append(r.latency, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{50, 100 * time.Millisecond}, {99, 198 * time.Millisecond}, {100, 200 * time.Millisecond}, {0, time.Millisecond}} {
		if got := r.percentile(c.p); got != c.want {
			t.Errorf("p%.0f = %v, want %v", c.p, got, c.want)
		}
	}
}

func TestInterleaveGivesEachSideTheFullDuration(t *testing.T) {
	var order []string
	side := func(name string) func(time.Duration) *result {
		return func(d time.Duration) *result {
			order = append(order, name)
			return &result{name: name, ok: 1, elapsed: d, latency: []time.Duration{d}}
		}
	}
	a, b := interleave(side("a"), side("b"), 10*time.Second, 3*time.Second)
	if a.elapsed != 10*time.Second || b.elapsed != 10*time.Second {
		t.Errorf("elapsed a=%v b=%v, want 10s each", a.elapsed, b.elapsed)
	}
	if got := strings.Join(order, ""); got != "abababab" {
		t.Errorf("order %s, want alternating slices", got)
	}
	if a.ok != 4 || a.latency[0] != time.Second {
		t.Errorf("merged a: ok=%d latencies=%v", a.ok, a.latency)
	}
}
