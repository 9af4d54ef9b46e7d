package handlers

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"margin/models"
)

// atOnce is one browser (c's cookies) sending forms all at once, spread
// over the servers in turn, as over instances behind a load balancer.
type atOnce struct {
	statuses []int
	bodies   []string
}

func sendAtOnce(t *testing.T, c *client, servers []*testServer, paths []string, forms []url.Values) atOnce {
	t.Helper()
	out := atOnce{statuses: make([]int, len(paths)), bodies: make([]string, len(paths))}
	errs := make([]error, len(paths))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range paths {
		form := url.Values{"_csrf": {c.csrf}}
		for k, v := range forms[i] {
			form[k] = v
		}
		req, _ := http.NewRequest(http.MethodPost, servers[i%len(servers)].URL+paths[i], strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		wg.Add(1)
		go func(i int, req *http.Request) {
			defer wg.Done()
			<-start
			res, err := c.http.Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			out.statuses[i], out.bodies[i] = res.StatusCode, string(b)
		}(i, req)
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func (r atOnce) count(status int) int {
	n := 0
	for _, s := range r.statuses {
		if s == status {
			n++
		}
	}
	return n
}

func (r atOnce) containing(text string) int {
	n := 0
	for _, b := range r.bodies {
		if strings.Contains(b, text) {
			n++
		}
	}
	return n
}

func repeat[T any](n int, f func(i int) T) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

// Ten wrong passwords sent at once, to two instances, reach the password
// check only as often as the limit allows (5); the others are refused
// before any hash is computed.
func TestLoginThrottleHoldsUnderConcurrency(t *testing.T) {
	servers := newTestServers(t, 2)
	servers[0].createUser("besieged", models.RoleReader)
	c := servers[0].client()
	c.get("/login")
	const tries = 10
	res := sendAtOnce(t, c, servers, repeat(tries, func(int) string { return "/login" }),
		repeat(tries, func(int) url.Values {
			return url.Values{"username": {"besieged"}, "password": {"not the password at all"}}
		}))
	if checked := res.containing("Wrong username or password."); checked != 5 || res.count(http.StatusTooManyRequests) != tries-5 {
		t.Fatalf("%d wrong passwords at once: %d checked against the hash, %d refused (statuses %v); want 5 and %d",
			tries, checked, res.count(http.StatusTooManyRequests), res.statuses, tries-5)
	}
	// The right password is refused too while the account's limit is full.
	if r := c.post("/login", url.Values{"username": {"besieged"}, "password": {passwordOf("besieged")}}); r.status != http.StatusTooManyRequests {
		t.Errorf("right password while the limit is full: %d, want 429", r.status)
	}
}

// 45 notes posted at once by one account, through two instances, store
// exactly the 30 the limit allows; the others get 429 and are not stored.
func TestPostingLimitHoldsUnderConcurrency(t *testing.T) {
	servers := newTestServers(t, 2)
	ts := servers[0]
	doc := ts.articleID()
	c, u := ts.loggedIn("burstposter", models.RoleReader)
	c.get(fmt.Sprintf("/documents/%d/annotate?p=2", doc))
	const posts = 45
	res := sendAtOnce(t, c, servers, repeat(posts, func(int) string { return fmt.Sprintf("/documents/%d/annotations", doc) }),
		repeat(posts, func(i int) url.Values {
			return url.Values{"kind": {"comment"}, "passage": {"2"}, "body": {fmt.Sprintf("Burst note number %d.", i)}}
		}))
	var stored int64
	if err := ts.db.Model(&models.Annotation{}).Where("author_id = ?", u.ID).Count(&stored).Error; err != nil {
		t.Fatal(err)
	}
	if stored != 30 || res.count(http.StatusSeeOther) != 30 || res.count(http.StatusTooManyRequests) != posts-30 {
		t.Fatalf("%d posts at once with a limit of 30: %d stored, statuses %v", posts, stored, res.statuses)
	}
	if res.containing("posting faster than this site allows") != posts-30 {
		t.Error("a refused post did not say why")
	}
}

// 24 flags sent at once by one reader, on 24 notes, store the 20 the limit
// allows.
func TestFlagLimitHoldsUnderConcurrency(t *testing.T) {
	servers := newTestServers(t, 2)
	ts := servers[0]
	doc := ts.articleID()
	author, _ := ts.loggedIn("prolific", models.RoleReader)
	const flags = 24
	ids := repeat(flags, func(i int) uint {
		id, res := author.annotate(doc, url.Values{"kind": {"comment"}, "passage": {"2"}, "body": {fmt.Sprintf("Flaggable note %d.", i)}})
		if id == 0 {
			t.Fatalf("note %d: %d", i, res.status)
		}
		return id
	})
	flagger, u := ts.loggedIn("eagerflagger", models.RoleReader)
	flagger.get(fmt.Sprintf("/annotations/%d/flag", ids[0]))
	res := sendAtOnce(t, flagger, servers, repeat(flags, func(i int) string { return fmt.Sprintf("/annotations/%d/flag", ids[i]) }),
		repeat(flags, func(int) url.Values { return url.Values{"reason": {"spam"}, "note": {"all of these"}} }))
	var stored int64
	if err := ts.db.Model(&models.Flag{}).Where("user_id = ?", u.ID).Count(&stored).Error; err != nil {
		t.Fatal(err)
	}
	if stored != 20 || res.count(http.StatusSeeOther) != 20 || res.count(http.StatusTooManyRequests) != flags-20 {
		t.Fatalf("%d flags at once with a limit of 20: %d stored, statuses %v", flags, stored, res.statuses)
	}
}

// A try is counted before the password is checked, but a right password
// gives it back: a class logging in from one school address does not fill
// the address's limit (30).
func TestSuccessfulLoginsDoNotFillTheAddressLimit(t *testing.T) {
	ts := newTestServer(t)
	for i := range 32 {
		c, _ := ts.loggedIn(fmt.Sprintf("pupil%02d", i), models.RoleReader)
		c.post("/logout", nil)
	}
	c := ts.client()
	c.get("/login")
	if r := c.post("/login", url.Values{"username": {"pupil00"}, "password": {passwordOf("pupil00")}}); r.status != http.StatusSeeOther {
		t.Fatalf("login after 32 good ones from the address: %d", r.status)
	}
}
