package handlers

import (
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"
)

// onHealthProbe runs f before every write of the health probe row.
func onHealthProbe(t *testing.T, ts *testServer, name string, f func(*gorm.DB)) {
	t.Helper()
	err := ts.db.Callback().Create().Before("gorm:create").Register(name, func(db *gorm.DB) {
		if db.Statement.Table == "health_probes" {
			f(db)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

// /healthz says 503 while the store cannot write (here an injected write
// failure; models.TestCheckWriteFailsWhenTheStoreCannotWrite shows a
// read-only SQLite file and a read-only PostgreSQL fail the same probe),
// and 200 again once it can.
func TestHealthzFailsWhenWritesFail(t *testing.T) {
	ts := newTestServer(t)
	var failing atomic.Bool
	onHealthProbe(t, ts, "test:fail-probe", func(db *gorm.DB) {
		if failing.Load() {
			db.AddError(errors.New("injected failure: disk full"))
		}
	})
	if res := ts.client().get("/healthz"); res.status != http.StatusOK {
		t.Fatalf("healthz: %d", res.status)
	}
	failing.Store(true)
	ts.now = ts.now.Add(healthCacheFor)
	res := ts.client().get("/healthz")
	if res.status != http.StatusServiceUnavailable || res.header.Get("Retry-After") == "" || res.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("healthz while writes fail: %d %v", res.status, res.header)
	}
	failing.Store(false)
	ts.now = ts.now.Add(healthCacheFor)
	if res := ts.client().get("/healthz"); res.status != http.StatusOK {
		t.Fatalf("healthz after writes work again: %d", res.status)
	}
}

// Polling is cheap: within a second, however many requests, one probe.
func TestHealthzProbesOncePerSecond(t *testing.T) {
	ts := newTestServer(t)
	var probes atomic.Int64
	onHealthProbe(t, ts, "test:count-probes", func(*gorm.DB) { probes.Add(1) })
	c := ts.client()
	for range 50 {
		if res := c.get("/healthz"); res.status != http.StatusOK {
			t.Fatalf("healthz: %d", res.status)
		}
	}
	if n := probes.Load(); n != 1 {
		t.Fatalf("50 polls in one second wrote the probe %d times, want 1", n)
	}
	ts.now = ts.now.Add(healthCacheFor)
	c.get("/healthz")
	if n := probes.Load(); n != 2 {
		t.Fatalf("a poll a second later: %d probes, want 2", n)
	}
}

// A store that hangs is unhealthy too: /healthz answers 503 after its
// timeout instead of hanging with it, and pollers share the stuck probe
// rather than piling up more.
func TestHealthzAnswersWhenTheStoreHangs(t *testing.T) {
	ts := newTestServer(t)
	release := make(chan struct{})
	var probes atomic.Int64
	onHealthProbe(t, ts, "test:hang-probe", func(*gorm.DB) {
		probes.Add(1)
		select {
		case <-release:
		case <-time.After(10 * time.Second):
		}
	})
	defer close(release)
	ts.app.health.timeout = 100 * time.Millisecond
	for range 3 {
		start := time.Now()
		if res := ts.client().get("/healthz"); res.status != http.StatusServiceUnavailable {
			t.Fatalf("healthz with a hanging store: %d", res.status)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("healthz took %v with a hanging store", d)
		}
		ts.now = ts.now.Add(healthCacheFor)
	}
	if n := probes.Load(); n != 1 {
		t.Fatalf("%d probes started while one hung, want 1", n)
	}
}
