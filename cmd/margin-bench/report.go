package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"
	"text/tabwriter"
)

// Targets, from the issue.
const (
	targetAnonRatio = 0.5
	targetUserRatio = 0.25
	targetWrite     = 0.10
	targetP99ms     = 50.0
	// The mixed scenario: reads while others write keep half the rate of
	// the same reads alone and a p99 under 100 ms; the writers keep half
	// their rate alone.
	targetMixedRead      = 0.5
	targetMixedReadP99ms = 100.0
	targetMixedWrite     = 0.5
)

// summary is the final JSON line; its field order is the issue's.
type summary struct {
	PageBytes     int     `json:"page_bytes"`
	ReadAnonRPS   float64 `json:"read_anon_rps"`
	ReadAnonRatio float64 `json:"read_anon_ratio"`
	ReadAnonP99ms float64 `json:"read_anon_p99_ms"`
	ReadUserRPS   float64 `json:"read_user_rps"`
	ReadUserRatio float64 `json:"read_user_ratio"`
	WriteRPS      float64 `json:"write_rps"`
	WriteRatio    float64 `json:"write_ratio"`
	WriteErrors   int64   `json:"write_errors"`

	MixedReadRPS    float64 `json:"mixed_read_rps"`
	MixedReadRatio  float64 `json:"mixed_read_ratio"`
	MixedReadP50ms  float64 `json:"mixed_read_p50_ms"`
	MixedReadP99ms  float64 `json:"mixed_read_p99_ms"`
	MixedWriteRPS   float64 `json:"mixed_write_rps"`
	MixedWriteRatio float64 `json:"mixed_write_ratio"`
	MixedErrors     int64   `json:"mixed_errors"`
}

func ratio(r, ceiling *result) float64 {
	if ceiling.rps() == 0 {
		return 0
	}
	return r.rps() / ceiling.rps()
}

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}

func (rs *runs) summary() summary {
	m := rs.mixed
	return summary{
		PageBytes:     rs.pageBytes,
		ReadAnonRPS:   round(rs.anon.rps(), 1),
		ReadAnonRatio: round(ratio(rs.anon, rs.anonCeiling), 3),
		ReadAnonP99ms: round(ms(rs.anon.percentile(99)), 2),
		ReadUserRPS:   round(rs.user.rps(), 1),
		ReadUserRatio: round(ratio(rs.user, rs.userCeiling), 3),
		WriteRPS:      round(rs.write.rps(), 1),
		WriteRatio:    round(ratio(rs.write, rs.insertCeiling), 3),
		WriteErrors:   rs.write.errors,

		MixedReadRPS:    round(m.read.rps(), 1),
		MixedReadRatio:  round(ratio(m.read, m.readAlone), 3),
		MixedReadP50ms:  round(ms(m.read.percentile(50)), 2),
		MixedReadP99ms:  round(ms(m.read.percentile(99)), 2),
		MixedWriteRPS:   round(m.write.rps(), 1),
		MixedWriteRatio: round(ratio(m.write, m.writeAlone), 3),
		MixedErrors:     m.read.errors + m.write.errors + m.readAlone.errors + m.writeAlone.errors,
	}
}

func (rs *runs) print(w io.Writer, o options) {
	s := rs.summary()
	if !o.jsonOnly {
		rs.table(w, o)
		fmt.Fprintln(w)
		for _, t := range []struct {
			what string
			ok   bool
		}{
			{fmt.Sprintf("read_anon_ratio %.3f >= %.2f", s.ReadAnonRatio, targetAnonRatio), s.ReadAnonRatio >= targetAnonRatio},
			{fmt.Sprintf("read_user_ratio %.3f >= %.2f", s.ReadUserRatio, targetUserRatio), s.ReadUserRatio >= targetUserRatio},
			{fmt.Sprintf("write_ratio %.3f >= %.2f", s.WriteRatio, targetWrite), s.WriteRatio >= targetWrite},
			{fmt.Sprintf("write_errors %d == 0", s.WriteErrors), s.WriteErrors == 0},
			{fmt.Sprintf("read_anon_p99_ms %.2f < %.0f", s.ReadAnonP99ms, targetP99ms), s.ReadAnonP99ms < targetP99ms},
			{fmt.Sprintf("mixed_read_ratio %.3f >= %.2f (reads while writing / the same reads alone)", s.MixedReadRatio, targetMixedRead), s.MixedReadRatio >= targetMixedRead},
			{fmt.Sprintf("mixed_read_p99_ms %.2f < %.0f", s.MixedReadP99ms, targetMixedReadP99ms), s.MixedReadP99ms < targetMixedReadP99ms},
			{fmt.Sprintf("mixed_write_ratio %.3f >= %.2f (posts while others read / the same posts alone)", s.MixedWriteRatio, targetMixedWrite), s.MixedWriteRatio >= targetMixedWrite},
			{fmt.Sprintf("mixed_errors %d == 0", s.MixedErrors), s.MixedErrors == 0},
		} {
			if o.mixedOnly && !strings.HasPrefix(t.what, "mixed") {
				continue
			}
			mark := "ok    "
			if !t.ok {
				mark = "MISSED"
			}
			fmt.Fprintf(w, "  %s %s\n", mark, t.what)
		}
		fmt.Fprintln(w)
	}
	line, _ := json.Marshal(s)
	fmt.Fprintln(w, string(line))
}

func (rs *runs) table(w io.Writer, o options) {
	fmt.Fprintf(w, "Margin load benchmark: %s per run, alternating with its ceiling every %s; GOMAXPROCS %d, %s/%s\n",
		o.duration, o.slice, runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(w, "Seeded: the sample article, %d users, %d annotations (%d replies, %d with a quote, %d private; "+
		"comment %d, question %d, disagreement %d, reference %d, context %d)\n",
		seedUsers, seedAnnotations, rs.seeded["replies"], rs.seeded["quoted"], rs.seeded["private"],
		rs.seeded["comment"], rs.seeded["question"], rs.seeded["disagreement"], rs.seeded["reference"], rs.seeded["context"])
	fmt.Fprintf(w, "Page: %d bytes anonymous, %d bytes for the first user (each ceiling serves the same bytes)\n", rs.pageBytes, rs.userPageBytes)
	fmt.Fprintf(w, "Posting limits for this run: %d per user per %s, none per address (every client is 127.0.0.1) "+
		"(handlers.Config PostPerUser, PostWindow, PostPerIP); the per-user check still runs on every post.\n", postLimit, postWindow)
	fmt.Fprintf(w, "CPU µs/req is the whole process (server and load generator) per request: it does not move with other load on the machine.\n\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tclients\trequests\trps\tp50 ms\tp99 ms\terrors\tCPU µs/req\tceiling rps\tratio\t")
	row := func(r, ceiling *result) {
		if r.name == "" {
			return // not run (-mixed-only)
		}
		c, q := "", ""
		if ceiling != nil {
			c, q = fmt.Sprintf("%.1f", ceiling.rps()), fmt.Sprintf("%.3f", ratio(r, ceiling))
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%.2f\t%.2f\t%d\t%.0f\t%s\t%s\t\n", r.name, r.clients, r.ok+r.errors, r.rps(),
			ms(r.percentile(50)), ms(r.percentile(99)), r.errors, float64(r.cpuPerRequest())/1e3, c, q)
	}
	row(rs.anon, rs.anonCeiling)
	row(rs.user, rs.userCeiling)
	row(rs.write, rs.insertCeiling)
	row(rs.anonCeiling, nil)
	row(rs.userCeiling, nil)
	row(rs.insertCeiling, nil)
	m := rs.mixed
	row(m.read, m.readAlone)
	row(m.write, m.writeAlone)
	row(m.readAlone, nil)
	row(m.writeAlone, nil)
	tw.Flush()
	fmt.Fprintln(w, "(for mixed read and mixed write, the ceiling is the same clients alone, in the same run)")
	for _, r := range []*result{rs.anon, rs.user, rs.write, rs.anonCeiling, rs.userCeiling, rs.insertCeiling,
		m.read, m.write, m.readAlone, m.writeAlone} {
		if len(r.firstErr) > 0 {
			fmt.Fprintf(w, "\nFirst errors in %s:\n", r.name)
			for _, e := range r.firstErr {
				fmt.Fprintln(w, "  "+e)
			}
		}
	}
}
