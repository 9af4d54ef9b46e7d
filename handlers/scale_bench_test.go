package handlers

import (
	"fmt"
	"net/http"
	"syscall"
	"testing"
	"time"

	"margin/models"
)

// BenchmarkDocumentUncached5000 is the reading view of a 5,000-note
// article rendered from nothing, every passage a miss: what the first
// reader after a restart, or after a change to every passage, waits for.
// Issue 11's target is under 50 ms on one core:
//
//	go test ./handlers -run '^$' -bench DocumentUncached5000 -cpu 1 -benchtime 20x
//
// ms/op is wall time, which a shared machine inflates; cpu-ms/op is the
// process's CPU time (server and client, which share it) per page.
func BenchmarkDocumentUncached5000(b *testing.B) {
	ts := newTestServer(b)
	doc, _ := ts.busyArticle(5000, 3, 600)
	user, _ := ts.loggedIn("bench_reader", models.RoleReader)
	path := fmt.Sprintf("/documents/%d", doc.ID)
	for _, who := range []struct {
		name string
		c    *client
	}{{"anon", ts.client()}, {"user", user}} {
		b.Run(who.name, func(b *testing.B) {
			who.c.get(path) // the templates, the prepared statements, the pools
			var wall, cpu time.Duration
			for range b.N {
				ts.app.pageCache = newPageCache(ts.app.cfg.PageCacheBytes)
				ts.app.outlines = models.NewOutlineCache()
				began, cpuBegan := time.Now(), processCPU()
				res := who.c.get(path)
				wall, cpu = wall+time.Since(began), cpu+processCPU()-cpuBegan
				if res.status != http.StatusOK {
					b.Fatalf("status %d", res.status)
				}
			}
			b.ReportMetric(float64(wall.Microseconds())/1000/float64(b.N), "ms/op")
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}

// processCPU is the CPU time this process has used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
