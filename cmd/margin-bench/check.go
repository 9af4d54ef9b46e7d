package main

import (
	"bytes"
	"fmt"
	"html"
	"net/http"
)

// noteMarker opens every rendered annotation, top-level or reply.
const noteMarker = `<article class="note note--`

// articleMarker is what only the sample article's page contains.
func articleMarker(fx *fixture) string {
	return `<h1 id="doc-title">` + html.EscapeString(fx.doc.Title) + `</h1>`
}

// checkAnon makes sure the anonymous page is the seeded article with every
// public note and no private one, and that it answers a revalidation with
// 304. It returns the page and its ETag.
func checkAnon(c *http.Client, docURL string, fx *fixture) ([]byte, string, error) {
	p, err := fetch(c, http.MethodGet, docURL, "check", nil, nil)
	if err != nil {
		return nil, "", err
	}
	if p.status != http.StatusOK {
		return nil, "", fmt.Errorf("anonymous GET %s: status %d: %s", docURL, p.status, snippet(p.body))
	}
	if !bytes.Contains(p.body, []byte(articleMarker(fx))) {
		return nil, "", fmt.Errorf("anonymous GET %s is not the sample article (no %q)", docURL, articleMarker(fx))
	}
	public := seedAnnotations - seedPrivate
	every, err := everyThread(c, docURL, fx)
	if err != nil {
		return nil, "", err
	}
	if n := bytes.Count(every, []byte(noteMarker)); n != public {
		return nil, "", fmt.Errorf("the anonymous page shows %d annotations, want the %d public ones", n, public)
	}
	for _, markers := range fx.private {
		for _, m := range markers {
			if bytes.Contains(every, []byte(m)) {
				return nil, "", fmt.Errorf("the anonymous page shows the private note %s", m)
			}
		}
	}
	etag := p.header.Get("ETag")
	if etag == "" {
		return nil, "", fmt.Errorf("the anonymous page has no ETag")
	}
	if err := expectStatus(c, docURL, etag, http.StatusNotModified, "anonymous, its own ETag"); err != nil {
		return nil, "", err
	}
	if err := expectStatus(c, docURL, `"not-the-etag"`, http.StatusOK, "anonymous, another ETag"); err != nil {
		return nil, "", err
	}
	return p.body, etag, nil
}

// everyThread reads each passage's own page, which has every thread on it
// (the document page shows the first few of each), and returns them all.
func everyThread(c *http.Client, docURL string, fx *fixture) ([]byte, error) {
	var all []byte
	for _, p := range fx.passages {
		u := fmt.Sprintf("%s/passages/%d", docURL, p.Number)
		page, err := fetch(c, http.MethodGet, u, "check", nil, nil)
		if err != nil {
			return nil, err
		}
		if page.status != http.StatusOK {
			return nil, fmt.Errorf("GET %s: status %d: %s", u, page.status, snippet(page.body))
		}
		all = append(all, page.body...)
	}
	return all, nil
}

// expectStatus sends a conditional GET and checks its status (and that a
// 304 has no body).
func expectStatus(c *http.Client, docURL, etag string, want int, what string) error {
	p, err := fetch(c, http.MethodGet, docURL, "check", nil, http.Header{"If-None-Match": {etag}})
	if err != nil {
		return err
	}
	if p.status != want {
		return fmt.Errorf("GET %s with If-None-Match %s (%s): status %d, want %d", docURL, etag, what, p.status, want)
	}
	if want == http.StatusNotModified && len(p.body) > 0 {
		return fmt.Errorf("GET %s (%s): a 304 with a %d-byte body", docURL, what, len(p.body))
	}
	return nil
}

// checkUsers makes sure each logged-in client (the first of each user) sees
// a page of its own: not the anonymous one, their own private notes and
// nobody else's, and that neither another user's ETag nor the anonymous
// one revalidates it. It returns the first client's page.
func checkUsers(clients []*http.Client, docURL string, fx *fixture, anonBody []byte, anonETag string) ([]byte, error) {
	var first []byte
	etags := map[int]string{}
	for i, c := range clients[:min(len(clients), len(fx.users))] {
		name := fx.users[i].Username
		p, err := fetch(c, http.MethodGet, docURL, "check", nil, nil)
		if err != nil {
			return nil, err
		}
		if p.status != http.StatusOK || !bytes.Contains(p.body, []byte(articleMarker(fx))) {
			return nil, fmt.Errorf("GET %s as %s: status %d, not the sample article", docURL, name, p.status)
		}
		if bytes.Equal(p.body, anonBody) {
			return nil, fmt.Errorf("%s's page is byte for byte the anonymous one", name)
		}
		if !bytes.Contains(p.body, []byte(`href="/users/`+name+`"`)) {
			return nil, fmt.Errorf("%s's page does not show them as logged in", name)
		}
		want := seedAnnotations - seedPrivate + len(fx.private[i])
		every, err := everyThread(c, docURL, fx)
		if err != nil {
			return nil, err
		}
		if n := bytes.Count(every, []byte(noteMarker)); n != want {
			return nil, fmt.Errorf("%s's page shows %d annotations, want %d", name, n, want)
		}
		for owner, markers := range fx.private {
			for _, m := range markers {
				if shown := bytes.Contains(every, []byte(m)); shown != (owner == i) {
					return nil, fmt.Errorf("%s's page: private note %s of %s shown=%v", name, m, fx.users[owner].Username, shown)
				}
			}
		}
		etags[i] = p.header.Get("ETag")
		if etags[i] == "" {
			return nil, fmt.Errorf("%s's page has no ETag", name)
		}
		if err := expectStatus(c, docURL, etags[i], http.StatusNotModified, name+", own ETag"); err != nil {
			return nil, err
		}
		if err := expectStatus(c, docURL, anonETag, http.StatusOK, name+", the anonymous ETag"); err != nil {
			return nil, err
		}
		if i > 0 {
			if err := expectStatus(c, docURL, etags[i-1], http.StatusOK, name+", the previous user's ETag"); err != nil {
				return nil, err
			}
		} else {
			first = p.body
		}
	}
	return first, nil
}

// checkAfterWrites makes sure the page caches stayed exact: the anonymous
// page changed (the old ETag no longer revalidates) and shows the newest
// annotation posted.
func checkAfterWrites(c *http.Client, docURL, oldETag string, newest uint64) error {
	if newest == 0 {
		return fmt.Errorf("no annotation was posted successfully")
	}
	p, err := fetch(c, http.MethodGet, docURL, "check", nil, http.Header{"If-None-Match": {oldETag}})
	if err != nil {
		return err
	}
	if p.status != http.StatusOK {
		return fmt.Errorf("after the writes, the anonymous page answered %d to its old ETag: the cache is stale", p.status)
	}
	if anchor := fmt.Sprintf(`id="a-%d"`, newest); !bytes.Contains(p.body, []byte(anchor)) {
		return fmt.Errorf("after the writes, the anonymous page does not show the newest annotation (%s)", anchor)
	}
	return nil
}
