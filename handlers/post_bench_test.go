package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"margin/models"
)

// BenchmarkPostAnnotation posts notes one after another through the real
// form route (session, CSRF, screening with a trained classifier, anchoring,
// Markdown, the write transaction) over loopback HTTP: the cost of one post
// with no contention, for comparing changes to the write path
// (`go test -bench PostAnnotation -count 5 ./handlers`; margin-bench
// measures it under load).
func BenchmarkPostAnnotation(b *testing.B) {
	ts := newTestServer(b)
	ts.app.cfg.PostPerUser, ts.app.cfg.PostPerIP = -1, -1
	classifier := models.NewClassifier(ts.db)
	for i := range 20 {
		classifier.Learn(fmt.Sprintf("Subscribe to my channel %d and win free gift cards at http://spam%d.example.com", i, i), true)
		classifier.Learn(fmt.Sprintf("The treaty's article %d reads differently once you know who drafted it.", i), false)
	}
	c, _ := ts.loggedIn("writer", models.RoleReader)
	doc := ts.articleID()
	path := fmt.Sprintf("/documents/%d/annotations", doc)
	c.get(fmt.Sprintf("/documents/%d/annotate?p=2", doc))
	b.ResetTimer()
	for i := range b.N {
		res := c.post(path, url.Values{"kind": {"comment"}, "passage": {"2"},
			"body": {fmt.Sprintf("Note %d: the *tone* here is remarkably warm for a meeting barely two years after the collapse. See [the archive](https://nsarchive.gwu.edu/).", i)}})
		if res.status != http.StatusSeeOther {
			b.Fatalf("post %d: status %d\n%s", i, res.status, res.body)
		}
	}
}
