package handlers

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func TestMetricsCountRequestsByRoute(t *testing.T) {
	ts := newTestServer(t)
	m, err := NewMetrics(ts.db)
	if err != nil {
		t.Fatal(err)
	}
	cfg := ts.app.cfg
	cfg.Metrics = m
	app, err := newApp(ts.db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.echo())
	defer srv.Close()
	for _, p := range []string{"/documents/1", "/documents/2", "/documents/999999", "/login"} {
		res, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	// The middleware counts a request after its response has gone out, so
	// a count may land a moment after the client has the response (longer
	// on a loaded machine): wait for all of them, up to a generous limit.
	wants := []string{
		`margin_http_requests_total{method="GET",route="/documents/:id",status="200"} 2`,
		`margin_http_requests_total{method="GET",route="/documents/:id",status="404"} 1`,
		`margin_http_request_duration_seconds_bucket{method="GET",route="/login",le="+Inf"} 1`,
		`go_sql_open_connections{db_name="margin"}`,
	}
	var missing []string
	for deadline := time.Now().Add(30 * time.Second); ; {
		rec := httptest.NewRecorder()
		promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		missing = missing[:0]
		for _, want := range wants {
			if !strings.Contains(rec.Body.String(), want) {
				missing = append(missing, want)
			}
		}
		if len(missing) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, want := range missing {
		t.Errorf("metrics lack %s", want)
	}
}
