package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"margin/handlers"
	"margin/models"
)

func serveCommand(e cliEnv, args []string) error {
	fs := newFlagSet(e, "serve", "margin [serve] [flags]",
		"Runs the Margin web server. On a fresh data directory it creates the database, imports the\n"+
			"sample documents and prints a one-time link to create the first admin account.")
	var store storeFlags
	store.register(fs)
	addr := fs.String("addr", envOr("MARGIN_ADDR", "127.0.0.1:8080"), "listen `address` (env MARGIN_ADDR)")
	metricsAddr := fs.String("metrics-addr", envOr("MARGIN_METRICS_ADDR", ""), "serve Prometheus metrics on this separate `address`; off when empty (env MARGIN_METRICS_ADDR)")
	baseURL := fs.String("base-url", envOr("MARGIN_BASE_URL", ""), "public `URL` of the site, used in printed links (env MARGIN_BASE_URL)")
	corsOrigins := fs.String("cors-origins", envOr("MARGIN_CORS_ORIGINS", ""), "comma-separated `origins` (https://tool.example) besides the site that may write to the API and read it with credentials (env MARGIN_CORS_ORIGINS)")
	var screen screenFlags
	screen.register(fs)
	var mail mailFlags
	mail.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve takes no arguments (got %q)", fs.Arg(0))
	}
	log := e.logger()
	db, err := store.open(e)
	if err != nil {
		return err
	}
	defer models.Close(db)

	hashKey, blockKey, err := sessionKeys(store.dataDir)
	if err != nil {
		return err
	}
	if n, err := models.SeedSamples(db); err != nil {
		return err
	} else if n > 0 {
		log.Info("imported sample documents", "count", n)
	}
	_, mailOn, err := smtpConfig()
	if err != nil {
		return err
	}
	cfg := handlers.Config{SessionHashKey: hashKey, SessionBlockKey: blockKey, Logger: log, MailEnabled: mailOn}
	for _, o := range strings.Split(*corsOrigins, ",") {
		if o = strings.TrimRight(strings.TrimSpace(o), "/"); o != "" {
			cfg.CORSOrigins = append(cfg.CORSOrigins, o)
		}
	}
	if cfg.Screen, err = screen.config(strings.TrimRight(cmp.Or(*baseURL, "http://"+displayAddr(*addr)), "/")); err != nil {
		return err
	}
	if *metricsAddr != "" {
		if cfg.Metrics, err = handlers.NewMetrics(db); err != nil {
			return err
		}
	}
	app, err := handlers.New(db, cfg)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	site := *baseURL
	if site == "" {
		site = "http://" + displayAddr(ln.Addr().String())
	}
	site = strings.TrimRight(site, "/")
	if token, err := models.NewSetupToken(db, time.Now()); err != nil {
		return err
	} else if token != "" {
		fmt.Fprintf(e.stdout, "\nNo admin account yet. Open this link within 24 hours to create it:\n\n    %s/setup?token=%s\n\n", site, token)
	}
	worker, err := mail.worker(db, site, hashKey, log)
	if err != nil {
		return err
	}
	workerDone := make(chan struct{})
	workerCtx, stopWorker := context.WithCancel(context.Background())
	defer stopWorker()
	if worker != nil {
		warnMailLinks(log, *baseURL, site)
		go func() { defer close(workerDone); worker.Run(workerCtx) }()
	} else {
		close(workerDone)
		log.Info("e-mail is off: set MARGIN_SMTP_URL to send notifications")
	}
	// The query planner's statistics follow the data as it grows.
	statsCtx, stopStats := context.WithCancel(context.Background())
	defer stopStats()
	go models.KeepStatistics(statsCtx, db, models.StatisticsInterval, log)
	srv := &http.Server{Handler: app, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("Margin is serving", "url", site)

	var metricsSrv *http.Server
	if *metricsAddr != "" {
		mux := http.NewServeMux()
		mux.Handle("/metrics", promhttp.HandlerFor(cfg.Metrics.Registry, promhttp.HandlerOpts{}))
		metricsSrv = &http.Server{Addr: *metricsAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go func() { errc <- metricsSrv.ListenAndServe() }()
		log.Info("metrics", "url", "http://"+displayAddr(*metricsAddr)+"/metrics")
	}

	select {
	case <-e.ctx.Done():
		log.Info("shutting down")
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if metricsSrv != nil {
		metricsSrv.Shutdown(ctx)
	}
	err = srv.Shutdown(ctx)
	// The worker finishes the message it is sending (a lease covers it if
	// it cannot) before the database closes.
	stopWorker()
	select {
	case <-workerDone:
	case <-ctx.Done():
	}
	return err
}

// warnMailLinks says, once at start, when the links in e-mail will not
// serve their readers: without a base URL they point at the address Margin
// listens on (localhost, as often as not), and without https mail clients
// offer no one-click unsubscribe.
func warnMailLinks(log *slog.Logger, baseURL, site string) {
	switch {
	case baseURL == "":
		log.Warn("e-mail: no -base-url / MARGIN_BASE_URL, so the links in messages point at "+site+
			" and the From address is at its host; set it to the site's public https:// address", "links", site)
	case !strings.HasPrefix(site, "https://"):
		log.Warn("e-mail: the base URL is not https, so mail clients offer no one-click unsubscribe", "links", site)
	}
}

// displayAddr turns ":8080" or "0.0.0.0:8080" into something a browser opens.
func displayAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
