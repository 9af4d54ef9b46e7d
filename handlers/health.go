package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"margin/models"
)

// healthCacheFor is how long one write probe answers for: load balancers
// polling every second, however many, cost the store one small write a
// second.
const healthCacheFor = time.Second

// healthTimeout bounds how long /healthz waits for a probe: a store that
// hangs is as unhealthy as one that fails.
const healthTimeout = 2 * time.Second

var errHealthTimeout = errors.New("the database did not answer in time")

// healthCheck remembers the last write probe and shares the one in flight.
type healthCheck struct {
	log     *slog.Logger
	timeout time.Duration
	mu      sync.Mutex
	at      time.Time     // when the last probe started
	err     error         // what it found
	running chan struct{} // closed when the probe in flight ends; nil when none
	failing bool          // the last answer given, so that only changes are logged
}

func newHealthCheck(log *slog.Logger) *healthCheck {
	return &healthCheck{log: log, timeout: healthTimeout}
}

// result is the store's health at now: the last probe's finding if it
// started less than healthCacheFor ago, else a new probe's, waited for at
// most h.timeout (the probe goes on, and the next caller shares it).
func (h *healthCheck) result(now time.Time, probe func() error) error {
	h.mu.Lock()
	if h.running == nil && !h.at.IsZero() && !now.Before(h.at) && now.Sub(h.at) < healthCacheFor {
		err := h.err
		h.mu.Unlock()
		return err
	}
	if h.running == nil {
		done := make(chan struct{})
		h.running = done
		go func() {
			err := probe()
			h.mu.Lock()
			h.at, h.err, h.running = now, err, nil
			h.mu.Unlock()
			close(done)
		}()
	}
	done := h.running
	h.mu.Unlock()
	var err error
	select {
	case <-done:
		h.mu.Lock()
		err = h.err
		h.mu.Unlock()
	case <-time.After(h.timeout):
		err = errHealthTimeout
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if err != nil && !h.failing {
		h.log.Error("health check: the store cannot write", "err", err)
	} else if err == nil && h.failing {
		h.log.Info("health check: the store writes again")
	}
	h.failing = err != nil
	return err
}

// healthShow answers 200 when the store can write, 503 when it cannot
// (down, full disk, read-only file system, read-only PostgreSQL), for load
// balancers and monitors.
func (a *App) healthShow(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	if err := a.health.result(a.now(), func() error { return models.CheckWrite(a.db, a.now()) }); err != nil {
		c.Response().Header().Set("Retry-After", "1")
		return c.String(http.StatusServiceUnavailable, "database cannot write\n")
	}
	return c.String(http.StatusOK, "ok\n")
}
