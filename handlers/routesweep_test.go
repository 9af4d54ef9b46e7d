package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"margin/models"
)

// TestEveryGETRouteNo5xx requests every GET route in the route table as
// every kind of visitor, with ids of every kind of object (public, private,
// class, held, hidden, deleted, purged, missing, malformed), and expects no
// answer in the 5xx range. A new route is swept by itself.
func TestEveryGETRouteNo5xx(t *testing.T) {
	w := newPrivacyWorld(t)
	ts := w.ts
	member := w.actors["member"]
	note := func(vis string, body string) uint {
		id, res := member.annotate(w.doc, url.Values{"kind": {"comment"}, "body": {body}, "passage": {"2"}, "visibility": {vis}})
		if id == 0 {
			t.Fatalf("post a %s note: %d\n%s", vis, res.status, res.body)
		}
		return id
	}
	public := note("public", "A public note about the honeymoon.")
	private := note("private", "A private note about the honeymoon.")
	held := note("public", "A note to be held.")
	hidden := note("public", "A note to be hidden.")
	deleted := note("public", "A note to be deleted.")
	purged := note("public", "A note to be purged.")
	set := func(id uint, col string, v any) {
		if err := ts.db.Model(&models.Annotation{}).Where("id = ?", id).Update(col, v).Error; err != nil {
			t.Fatal(err)
		}
	}
	set(held, "status", models.StatusPending)
	set(hidden, "status", models.StatusHidden)
	if res := member.post(fmt.Sprintf("/annotations/%d/delete", deleted), url.Values{"confirm": {"yes"}}); res.status >= 400 {
		t.Fatalf("delete: %d\n%s", res.status, res.body)
	}
	if err := ts.db.Exec("DELETE FROM annotations WHERE id = ?", purged).Error; err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{
		"public": fmt.Sprint(public), "private": fmt.Sprint(private), "class": fmt.Sprint(w.note),
		"reply": fmt.Sprint(w.reply), "held": fmt.Sprint(held), "hidden": fmt.Sprint(hidden),
		"deleted": fmt.Sprint(deleted), "purged": fmt.Sprint(purged), "missing": "987654",
		"zero": "0", "negative": "-1", "huge": "99999999999999999999999", "word": "abc",
		"space": "%20", "invalid-utf8": "%FF%FE", "nul": "%00", "nul-suffix": "1%00",
		"document": fmt.Sprint(w.doc), "class-id": fmt.Sprint(w.class.ID), "assignment": fmt.Sprint(w.assignment.ID),
		"user": fmt.Sprint(w.student.ID), "name": "member",
	}
	kinds := make([]string, 0, len(ids))
	for k := range ids {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var paths []string
	for _, r := range ts.app.echo().Routes() {
		if r.Method != http.MethodGet || strings.Contains(r.Path, "*") {
			continue
		}
		if !strings.Contains(r.Path, ":") {
			paths = append(paths, r.Path)
			continue
		}
		for _, k := range kinds {
			parts := strings.Split(r.Path, "/")
			for i, p := range parts {
				if strings.HasPrefix(p, ":") {
					parts[i] = ids[k]
				}
			}
			paths = append(paths, strings.Join(parts, "/"))
		}
	}
	// Every query a GET route reads, with invalid UTF-8 and NUL.
	paths = append(paths, "/?page=%FF", "/?page=-1", "/?page=%00",
		"/search?q=%FF%FE", "/search?q=%00", "/search?q=a%00b", "/search?q=ok&page=%FF",
		"/login?next=%FF", "/login?next=%00", "/setup?token=%FF%00",
		fmt.Sprintf("/documents/%d?kind=%%FF&sort=%%00&rev=%%FE", w.doc),
		fmt.Sprintf("/documents/%d/annotate?p=%%00&quote=%%FF", w.doc),
		fmt.Sprintf("/classes/%d/assignments/new?document=%%FF", w.class.ID))
	for _, actor := range privacyActors {
		c := w.actors[actor]
		for _, p := range paths {
			if res := c.get(p); res.status >= 500 {
				t.Errorf("%s GET %s: %d\n%.300s", actor, p, res.status, res.body)
			}
		}
	}
}
