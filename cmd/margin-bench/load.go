package main

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// scenarioHeader names the scenario on every request, so a CPU profile of
// the server side can be split by it (see labelScenario).
const scenarioHeader = "X-Bench-Scenario"

// newTransport is the one HTTP client configuration every scenario and its
// ceiling use: no compression, and an idle pool as large as the client count.
func newTransport(clients int) *http.Transport {
	return &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		DisableCompression:  true,
		MaxIdleConns:        clients * 2,
		MaxIdleConnsPerHost: clients,
		IdleConnTimeout:     90 * time.Second,
	}
}

// newClient is one browser: its own cookie jar, redirects not followed.
func newClient(tr *http.Transport) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Transport: tr, Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// page is a response read to the end.
type page struct {
	status int
	header http.Header
	body   []byte
}

func fetch(c *http.Client, method, rawURL, scenario string, form url.Values, header http.Header) (page, error) {
	return fetchInto(nil, c, method, rawURL, scenario, form, header)
}

// fetchInto reads the body into buf (reset first) when buf is not nil, so a
// load loop does not allocate a fresh page-sized slice per request; the
// page's body is then only valid until buf's next use.
func fetchInto(buf *bytes.Buffer, c *http.Client, method, rawURL, scenario string, form url.Values, header http.Header) (page, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, rawURL, body)
	if err != nil {
		return page{}, err
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set(scenarioHeader, scenario)
	res, err := c.Do(req)
	if err != nil {
		return page{}, err
	}
	defer res.Body.Close()
	if buf == nil {
		b, err := io.ReadAll(res.Body)
		return page{status: res.StatusCode, header: res.Header, body: b}, err
	}
	buf.Reset()
	_, err = buf.ReadFrom(res.Body)
	return page{status: res.StatusCode, header: res.Header, body: buf.Bytes()}, err
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrfOf pulls the CSRF token out of a page's first form.
var renderedInput = regexp.MustCompile(`name="rendered" value="([^"]*)"`)

// renderedOf reads the composer's signed render time from a page.
func renderedOf(body []byte) string {
	if m := renderedInput.FindSubmatch(body); m != nil {
		return html.UnescapeString(string(m[1]))
	}
	return ""
}

func csrfOf(body []byte) string {
	if m := csrfInput.FindSubmatch(body); m != nil {
		return html.UnescapeString(string(m[1]))
	}
	return ""
}

// login signs c in through the real form: GET /login for the visitor's
// token, then POST /login, which must answer 303.
func login(c *http.Client, base, username, password string) error {
	p, err := fetch(c, http.MethodGet, base+"/login", "login", nil, nil)
	if err != nil {
		return err
	}
	token := csrfOf(p.body)
	if p.status != http.StatusOK || token == "" {
		return fmt.Errorf("GET /login: status %d, no CSRF token", p.status)
	}
	p, err = fetch(c, http.MethodPost, base+"/login", "login",
		url.Values{"_csrf": {token}, "username": {username}, "password": {password}}, nil)
	if err != nil {
		return err
	}
	if p.status != http.StatusSeeOther {
		return fmt.Errorf("POST /login as %s: status %d: %s", username, p.status, snippet(p.body))
	}
	return nil
}

func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// result is what one timed run measured.
type result struct {
	name     string
	clients  int
	ok       int64
	errors   int64
	elapsed  time.Duration
	latency  []time.Duration // every request's, sorted
	cpu      time.Duration   // CPU time the whole process used meanwhile
	firstErr []string
}

// cpuPerRequest is the process's CPU time (server and load generator
// together) per request: unlike rps, it does not move with other load on
// the machine.
func (r *result) cpuPerRequest() time.Duration {
	if n := r.ok + r.errors; n > 0 {
		return r.cpu / time.Duration(n)
	}
	return 0
}

// add merges another slice of the same run into r.
func (r *result) add(o *result) {
	r.ok += o.ok
	r.errors += o.errors
	r.elapsed += o.elapsed
	r.cpu += o.cpu
	r.latency = append(r.latency, o.latency...)
	for _, e := range o.firstErr {
		if len(r.firstErr) < maxErrorSamples {
			r.firstErr = append(r.firstErr, e)
		}
	}
}

func (r *result) rps() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.ok) / r.elapsed.Seconds()
}

// percentile reads the sorted latencies (nearest rank).
func (r *result) percentile(p float64) time.Duration {
	if len(r.latency) == 0 {
		return 0
	}
	i := int(p/100*float64(len(r.latency))+0.5) - 1
	return r.latency[max(0, min(i, len(r.latency)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// maxErrorSamples bounds how many failures a run keeps to print.
const maxErrorSamples = 5

// request is one client's next request; it returns an error when the
// answer is not the expected one.
type request func() error

// drive runs one request loop per client until d has passed, timing every
// request. Requests in flight at the deadline finish and count.
func drive(name string, clients []request, d time.Duration) *result {
	res := &result{name: name, clients: len(clients)}
	var mu sync.Mutex
	var wg sync.WaitGroup
	cpu0 := processCPU()
	start := time.Now()
	deadline := start.Add(d)
	for _, do := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, 1<<14)
			var ok, failed int64
			var errs []string
			for {
				t := time.Now()
				if !t.Before(deadline) {
					break
				}
				err := do()
				lat = append(lat, time.Since(t))
				if err != nil {
					failed++
					if len(errs) < maxErrorSamples {
						errs = append(errs, err.Error())
					}
					continue
				}
				ok++
			}
			mu.Lock()
			defer mu.Unlock()
			res.latency = append(res.latency, lat...)
			res.ok += ok
			res.errors += failed
			for _, e := range errs {
				if len(res.firstErr) < maxErrorSamples {
					res.firstErr = append(res.firstErr, e)
				}
			}
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.cpu = processCPU() - cpu0
	slices.Sort(res.latency)
	return res
}

// interleave runs a and b in alternating slices until each has had d, so
// that both see the same background load on a shared machine; slice <= 0
// runs them back to back. It returns their merged results.
func interleave(a, b func(time.Duration) *result, d, slice time.Duration) (*result, *result) {
	rs := interleaveAll([]func(time.Duration) []*result{alone(a), alone(b)}, d, slice)
	return rs[0], rs[1]
}

// processCPU is the user and system time this process has used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// getLoop GETs target again and again; a 200 whose body has wantLen bytes
// (when wantLen > 0) is a success.
func getLoop(c *http.Client, target, scenario string, wantLen int) request {
	var buf bytes.Buffer
	return func() error {
		p, err := fetchInto(&buf, c, http.MethodGet, target, scenario, nil, nil)
		if err != nil {
			return err
		}
		if p.status != http.StatusOK {
			return fmt.Errorf("GET %s: status %d: %s", target, p.status, snippet(p.body))
		}
		if wantLen > 0 && len(p.body) != wantLen {
			return fmt.Errorf("GET %s: %d bytes, want %d", target, len(p.body), wantLen)
		}
		return nil
	}
}

// postLoop posts a fresh annotation from w each time; 303 is a success.
// lastLocation, when set, receives each success's Location header.
func postLoop(c *http.Client, target, csrf, rendered string, w *writer, lastLocation func(string)) request {
	var buf bytes.Buffer
	return func() error {
		in := w.input(w.topKind(), w.rng.IntN(4) == 0)
		p, err := fetchInto(&buf, c, http.MethodPost, target, "write", form(in, csrf, rendered), nil)
		if err != nil {
			return err
		}
		if p.status != http.StatusSeeOther {
			return fmt.Errorf("POST %s: status %d: %s", target, p.status, snippet(p.body))
		}
		if lastLocation != nil {
			lastLocation(p.header.Get("Location"))
		}
		return nil
	}
}
