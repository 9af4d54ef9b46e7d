package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"margin/models"
)

// role is one kind of visitor of the authorisation matrix, as a bit so a
// route's access is a set of them.
type role uint16

const (
	anonymous role = 1 << iota // not logged in
	reader                     // logged in, no relation to the objects
	author                     // wrote the notes, owns the token, is the user named
	moderator                  // site moderator, in no class
	educator                   // site educator who teaches the class
	student                    // student of the class
	admin                      // site admin, in no class

	nobody   role = 0
	everyone      = anonymous | reader | author | moderator | educator | student | admin
	accounts      = everyone &^ anonymous
	staff         = moderator | admin
)

var matrixRoles = []struct {
	name string
	r    role
}{{"anonymous", anonymous}, {"reader", reader}, {"author", author}, {"moderator", moderator},
	{"educator", educator}, {"student", student}, {"admin", admin}}

// routeAccess says, for every route in the route table, who may use it.
// The objects a path names are the matrix world's (newMatrixWorld): a
// public note by the author (/annotations/:id, the Protocol's :aid), a
// held note by the author (/moderation/items/:id), a moderator's decision
// on another of the author's notes (/moderation/log/:id), the author's
// account (/moderation/users/:id, /users/:name) and API token
// (/account/tokens/:id, /admin/tokens/:id), the sample article
// (/documents/:id), the educator's class with its student (/classes/:id,
// :uid) and its assignment (/assignments/:id). A route missing here fails
// TestAuthorisationMatrix: whoever adds one says who may use it.
var routeAccess = map[string]role{
	"GET /healthz":  everyone,
	"GET /assets/*": everyone,

	"GET /":                           everyone,
	"GET /signup":                     everyone,
	"POST /signup":                    everyone,
	"GET /login":                      everyone,
	"POST /login":                     everyone,
	"POST /logout":                    accounts,
	"GET /setup":                      nobody, // only with the one-time token printed at start
	"POST /setup":                     nobody,
	"GET /account":                    accounts,
	"POST /account/password":          accounts,
	"POST /account/sessions":          accounts,
	"POST /account/tokens":            accounts,
	"POST /account/tokens/:id/revoke": author,

	"GET /documents/new":              educator | admin,
	"POST /documents":                 educator | admin,
	"GET /documents/:id":              everyone,
	"GET /documents/:id/passages/:n":  everyone,
	"GET /documents/:id/edit":         educator | admin,
	"POST /documents/:id/edit":        educator | admin,
	"GET /documents/:id/revise":       educator | admin,
	"POST /documents/:id/revise":      educator | admin,
	"GET /documents/:id/annotate":     accounts,
	"POST /documents/:id/follow":      accounts,
	"POST /documents/:id/annotations": accounts,
	"GET /documents/:id/annotations":  everyone, // a redirect to the container

	"GET /annotations/:id":           everyone,
	"GET /annotations/:id/history":   everyone,
	"POST /annotations/:id/replies":  accounts,
	"GET /annotations/:id/edit":      author,
	"POST /annotations/:id/edit":     author,
	"GET /annotations/:id/reattach":  author | educator | admin, // its author and the document's editors
	"POST /annotations/:id/reattach": author | educator | admin,
	"POST /annotations/:id/delete":   author,
	"POST /annotations/:id/helpful":  accounts &^ author,
	"GET /annotations/:id/flag":      accounts &^ author,
	"POST /annotations/:id/flag":     accounts &^ author,
	"POST /annotations/:id/moderate": staff,

	"GET /moderation":                         staff | educator,
	"GET /moderation/:queue":                  staff | educator,
	"POST /moderation/bulk":                   staff | educator,
	"GET /moderation/items/:id":               staff,
	"POST /moderation/items/:id":              staff,
	"POST /moderation/items/:id/claim":        staff,
	"GET /moderation/log":                     staff,
	"POST /moderation/log/:id/undo":           staff,
	"GET /moderation/users/:id":               staff,
	"POST /moderation/users/:id/ban":          staff,
	"POST /moderation/users/:id/unban":        staff,
	"GET /moderation/settings":                staff,
	"POST /moderation/settings/premoderation": staff,
	"POST /moderation/settings/terms":         admin,
	"GET /admin/tokens":                       admin,
	"GET /admin/users":                        admin,
	"POST /admin/users/:id/role":              admin,
	"POST /admin/users/:id/sessions":          admin,
	"POST /admin/checklist/dismiss":           admin,
	"POST /admin/tokens/:id/revoke":           admin,
	"POST /admin/origins":                     admin,

	"GET /inbox":       accounts,
	"POST /inbox/read": accounts,
	"GET /users/:name": everyone,
	"GET /search":      everyone,

	"GET /feeds/notes":                    everyone,
	"GET /feeds/documents/:id":            everyone,
	"GET /feeds/users/:name":              everyone,
	"GET /feeds/private/:key/replies":     nobody, // the path's key is the only credential; the matrix's is no one's
	"GET /feeds/private/:key/classes/:id": nobody,
	"POST /account/feeds":                 accounts,

	"POST /account/email":         accounts,
	"POST /account/email/confirm": accounts,
	"POST /account/mail":          accounts,
	// Links from e-mail: the path's signed token is the only credential,
	// and the matrix's is no one's. POST /mail/unsubscribe/:token is the
	// one write without a CSRF token (RFC 8058 one-click; see csrfExempt).
	"GET /mail/confirm/:token":      nobody,
	"POST /mail/confirm/:token":     nobody,
	"GET /mail/unsubscribe/:token":  nobody,
	"POST /mail/unsubscribe/:token": nobody,

	"GET /classes":                                 accounts,
	"GET /classes/new":                             educator | admin,
	"POST /classes":                                educator | admin,
	"GET /classes/:id":                             educator | student,
	"POST /classes/:id/code":                       educator,
	"GET /classes/:id/edit":                        educator,
	"POST /classes/:id/edit":                       educator,
	"GET /classes/:id/roster":                      educator,
	"POST /classes/:id/students/:uid/remove":       educator,
	"POST /classes/:id/educators":                  educator,
	"POST /classes/:id/leave":                      educator | student,
	"POST /classes/:id/follow":                     educator | student,
	"GET /classes/:id/annotations.csv":             educator,
	"GET /classes/:id/annotations.jsonld":          educator,
	"GET /classes/:id/assignments/new":             educator,
	"POST /classes/:id/assignments":                educator,
	"GET /join":                                    accounts,
	"GET /join/:code":                              accounts,
	"POST /join":                                   accounts,
	"GET /assignments":                             accounts,
	"GET /assignments/:id":                         educator | student,
	"GET /assignments/:id/edit":                    educator,
	"POST /assignments/:id/edit":                   educator,
	"POST /assignments/:id/delete":                 educator,
	"POST /assignments/:id/copy":                   educator,
	"GET /assignments/:id/grades.csv":              educator,
	"GET /assignments/:id/students/:uid":           educator,
	"POST /assignments/:id/students/:uid/points":   educator,
	"POST /assignments/:id/students/:uid/feedback": educator,

	"GET /api/annotations/:id":                everyone,
	"HEAD /api/annotations/:id":               everyone,
	"GET /api/documents/:id/annotations":      everyone,
	"HEAD /api/documents/:id/annotations":     everyone,
	"GET /documents/:id/annotations/":         everyone,
	"HEAD /documents/:id/annotations/":        everyone,
	"OPTIONS /documents/:id/annotations/":     everyone,
	"POST /documents/:id/annotations/":        accounts,
	"GET /documents/:id/annotations/:aid":     everyone,
	"HEAD /documents/:id/annotations/:aid":    everyone,
	"OPTIONS /documents/:id/annotations/:aid": everyone,
	"PUT /documents/:id/annotations/:aid":     author,
	"GET /documents/:id/revisions/:n/text":    everyone,
	"POST /api/documents/:id/import":          accounts,
	"GET /account/annotations.jsonld":         accounts,
	"GET /account/annotations.csv":            accounts,
	"GET /documents/:id/annotations.jsonld":   everyone,
	"GET /documents/:id/annotations.csv":      everyone,
	"HEAD /documents/:id/revisions/:n/text":   everyone,
	"DELETE /documents/:id/annotations/:aid":  author,
}

// routeForms are the fields a route's request carries, so that whoever
// may use it gets past its validation to what it does.
var routeForms = map[string]url.Values{
	"POST /signup":                                 {"username": {"newcomer"}, "password": {"a long enough password"}, "password_confirm": {"a long enough password"}},
	"POST /documents":                              {"content": {"A matrix reading.\n\nIts second paragraph."}},
	"POST /documents/:id/revise":                   {"content": {"A revised text.\n\nIts second paragraph."}},
	"POST /documents/:id/edit":                     {"title": {"A matrix title"}},
	"POST /documents/:id/annotations":              {"kind": {"comment"}, "body": {"A matrix note."}, "passage": {"1"}},
	"POST /annotations/:id/replies":                {"kind": {"comment"}, "body": {"A matrix reply."}},
	"POST /annotations/:id/edit":                   {"kind": {"comment"}, "body": {"An edited matrix note."}},
	"POST /annotations/:id/flag":                   {"reason": {"spam"}},
	"POST /annotations/:id/moderate":               {"action": {"hide"}},
	"POST /moderation/items/:id":                   {"action": {"approve"}},
	"POST /moderation/bulk":                        {"action": {"approve"}},
	"POST /moderation/users/:id/ban":               {"duration": {"1d"}},
	"POST /moderation/settings/terms":              {"hold": {"matrixterm"}},
	"POST /classes":                                {"name": {"A matrix class"}},
	"POST /classes/:id/edit":                       {"name": {"A renamed class"}},
	"POST /classes/:id/educators":                  {"username": {"reader"}},
	"POST /classes/:id/assignments":                {"zone": {"UTC"}, "due_at": {"2030-01-01T00:00"}, "min_annotations": {"1"}},
	"POST /assignments/:id/edit":                   {"zone": {"UTC"}, "due_at": {"2030-01-01T00:00"}, "min_annotations": {"2"}},
	"POST /assignments/:id/students/:uid/points":   {"points": {"7"}},
	"POST /assignments/:id/students/:uid/feedback": {"feedback": {"Good."}},
	"POST /account/tokens":                         {"name": {"matrix"}, "scope": {"read"}, "expires": {"30"}},
	"POST /account/email":                          {"email": {"matrix@example.org"}},
	"POST /account/mail":                           {"replies": {"now"}, "follows": {"digest"}, "teaching": {"digest"}},
}

// matrixWorld is a test server with one of each role and the objects the
// route table's parameters name.
type matrixWorld struct {
	*classWorld
	clients map[role]*client
	users   map[role]*models.User
	ids     map[string]string
}

// newMatrixWorld makes the roles and objects afresh on ts (a new class and
// accounts named with suffix), so that a state-changing route finds them
// as they were without the cost of a new server.
func newMatrixWorld(t *testing.T, ts *testServer, docID uint, suffix string) *matrixWorld {
	t.Helper()
	w := &matrixWorld{classWorld: &classWorld{ts: ts, doc: docID}, clients: map[role]*client{}, users: map[role]*models.User{}}
	var err error
	w.teacher, w.teacherU = ts.loggedIn("teacher"+suffix, models.RoleEducator)
	if w.class, err = models.CreateClass(ts.db, w.teacherU, models.ClassInput{Name: "Matrix class"}, ts.now); err != nil {
		t.Fatal(err)
	}
	w.assignment, err = models.CreateAssignment(ts.db, w.teacherU, w.class.ID, models.AssignmentInput{DocumentID: w.doc,
		Zone: "UTC", DueAt: "2030-01-01T00:00", MinAnnotations: 1})
	if err != nil {
		t.Fatal(err)
	}
	w.clients[anonymous] = ts.client()
	w.clients[educator], w.users[educator] = w.teacher, w.teacherU
	w.clients[student], w.users[student] = w.student("student" + suffix)
	for _, r := range []struct {
		r    role
		name string
		role models.Role
	}{{reader, "reader", models.RoleReader}, {author, "author", models.RoleReader},
		{moderator, "moderator", models.RoleModerator}, {admin, "admin", models.RoleAdmin}} {
		w.clients[r.r], w.users[r.r] = ts.loggedIn(r.name+suffix, r.role)
	}
	doc, err := models.DocumentByID(ts.db, w.doc)
	if err != nil {
		t.Fatal(err)
	}
	note := func(body string, status models.Status) *models.Annotation {
		a, err := models.CreateAnnotation(ts.db, w.users[author], doc, models.AnnotationInput{Kind: models.KindComment,
			Body: body, Passage: 1, QuoteHint: -1}, status)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	public := note("The author's public note.", models.StatusPublished)
	held := note("The author's held note.", models.StatusPending)
	decided := note("The author's rejected note.", models.StatusPending)
	d, err := models.Decide(ts.db, w.users[moderator], decided.ID, models.ActionReject, "", ts.now)
	if err != nil {
		t.Fatal(err)
	}
	classNote, err := models.CreateAnnotation(ts.db, w.users[student], doc, models.AnnotationInput{Kind: models.KindComment,
		Body: "The student's class note.", Passage: 2, QuoteHint: -1, Visibility: models.VisibilityClass, ClassID: &w.class.ID},
		models.StatusPublished)
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := models.CreateAPIToken(ts.db, w.users[author], models.NewToken{Name: "matrix", Scope: models.ScopeRead}, ts.now)
	if err != nil {
		t.Fatal(err)
	}
	w.ids = map[string]string{
		"note": fmt.Sprint(public.ID), "held": fmt.Sprint(held.ID), "decision": fmt.Sprint(d.ID),
		"user": fmt.Sprint(w.users[author].ID), "name": w.users[author].Username, "token": fmt.Sprint(token.ID),
		"document": fmt.Sprint(w.doc), "class": fmt.Sprint(w.class.ID), "assignment": fmt.Sprint(w.assignment.ID),
		"student": fmt.Sprint(w.users[student].ID), "code": w.class.JoinCode, "queue": "flagged",
		"reader": w.users[reader].Username, "class note": fmt.Sprint(classNote.ID),
	}
	return w
}

// path fills a route's parameters with the world's objects.
func (w *matrixWorld) path(route string) string {
	parts := strings.Split(route, "/")
	for i, p := range parts {
		prev := ""
		if i > 0 {
			prev = parts[i-1]
		}
		switch {
		case p == "*":
			parts[i] = w.ids["asset"]
		case p == ":n":
			parts[i] = "1"
		case p == ":uid":
			parts[i] = w.ids["student"]
		case p == ":aid":
			parts[i] = w.ids["note"]
		case p == ":code", p == ":name", p == ":queue":
			parts[i] = w.ids[p[1:]]
		case p == ":id":
			parts[i] = w.ids[map[string]string{"annotations": "note", "documents": "document", "classes": "class",
				"assignments": "assignment", "items": "held", "log": "decision", "users": "user", "tokens": "token"}[prev]]
		}
	}
	return strings.Join(parts, "/")
}

// request sends the route's request as c, with the session's CSRF token.
func (w *matrixWorld) request(c *client, method, route string) response {
	w.ts.t.Helper()
	key := method + " " + route
	path := w.path(route)
	if method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions {
		if key == "GET /documents/:id/annotate" {
			path += "?p=1"
		}
		req, _ := http.NewRequest(method, w.ts.URL+path, nil)
		return c.do(req)
	}
	// The token of this session, whatever the route did to the last one.
	if c == w.clients[anonymous] {
		c.get("/login")
	} else {
		c.get("/")
	}
	form := url.Values{}
	for k, v := range routeForms[key] {
		form[k] = v
	}
	switch key {
	case "POST /moderation/bulk":
		form.Set("ids", w.ids["held"])
	case "POST /assignments/:id/copy":
		form.Set("class_id", w.ids["class"])
	case "POST /assignments/:id/students/:uid/feedback":
		form.Set("annotation_id", w.ids["class note"])
	case "POST /assignments/:id/edit", "POST /classes/:id/assignments":
		form.Set("document_id", w.ids["document"])
	case "POST /classes/:id/educators":
		form.Set("username", w.ids["reader"])
	}
	if strings.HasPrefix(route, "/documents/:id/annotations/") || strings.HasPrefix(route, "/api/") {
		body := `{"@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation", "body": {"type": "TextualBody", "value": "A matrix note."}}`
		req, _ := http.NewRequest(method, w.ts.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", `application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"`)
		req.Header.Set("X-CSRF-Token", c.csrf)
		return c.do(req)
	}
	switch key {
	case "POST /documents", "POST /documents/:id/revise", "POST /classes/:id/assignments":
		return c.upload(path, form, "", "", nil)
	}
	return c.post(path, form)
}

var assetPath = regexp.MustCompile(`/assets/[^"?]+`)

// denied tells whether a response refuses the visitor: not logged in,
// forbidden, or not found (which hides what the visitor may not know of).
func denied(res response) bool {
	switch res.status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
		return true
	case http.StatusSeeOther, http.StatusFound:
		return strings.HasPrefix(res.header.Get("Location"), "/login?next=")
	}
	return false
}

// TestAuthorisationMatrix requests every route of the route table as every
// role and checks the answer against routeAccess: those it names get past
// the authorisation checks, everyone else is refused (401, 403, 404 or
// sent to log in); no one gets a 5xx. A route that is not declared fails.
// Reads share one world; each state-changing route gets a fresh one, where
// the roles that must be refused go first, so that they find it intact.
func TestAuthorisationMatrix(t *testing.T) {
	dump := os.Getenv("MARGIN_MATRIX_DUMP") != ""
	var routes []string
	seen := map[string]bool{}
	ts := newTestServer(t)
	for _, r := range ts.app.echo().Routes() {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		default:
			continue // Echo's own not-found routes
		}
		key := r.Method + " " + r.Path
		if seen[key] {
			continue
		}
		seen[key] = true
		if _, ok := routeAccess[key]; !ok {
			t.Errorf("%s is not in routeAccess: declare who may use it", key)
			continue
		}
		routes = append(routes, key)
	}
	for key := range routeAccess {
		if !seen[key] {
			t.Errorf("routeAccess declares %s, which is not in the route table", key)
		}
	}
	sort.Strings(routes)
	// Readers' flags must not hide the note before every role has flagged it.
	ts.app.cfg.Screen.FlagThreshold = len(matrixRoles) + 1
	docID := ts.articleID()
	reads := newMatrixWorld(t, ts, docID, "")
	asset := assetPath.FindString(reads.clients[anonymous].get("/").body)
	if asset == "" {
		t.Fatal("the library links no asset")
	}
	reads.ids["asset"] = strings.TrimPrefix(asset, "/assets/")
	for n, key := range routes {
		method, route, _ := strings.Cut(key, " ")
		w := reads
		if method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions {
			w = newMatrixWorld(t, ts, docID, fmt.Sprint(n))
			w.ids["asset"] = reads.ids["asset"]
		}
		allowed := routeAccess[key]
		order := make([]int, 0, len(matrixRoles))
		for i, r := range matrixRoles {
			if allowed&r.r == 0 {
				order = append(order, i)
			}
		}
		for i, r := range matrixRoles {
			if allowed&r.r != 0 {
				order = append(order, i)
			}
		}
		var got []string
		for _, i := range order {
			r := matrixRoles[i]
			res := w.request(w.clients[r.r], method, route)
			if dump {
				got = append(got, fmt.Sprintf("%s=%d", r.name, res.status))
			}
			switch {
			case res.status >= 500:
				t.Errorf("%s as %s: %d\n%.300s", key, r.name, res.status, res.body)
			case allowed&r.r != 0 && denied(res):
				t.Errorf("%s as %s: refused (%d %s), but routeAccess lets them", key, r.name, res.status, res.header.Get("Location"))
			case allowed&r.r == 0 && !denied(res):
				t.Errorf("%s as %s: %d, but routeAccess refuses them", key, r.name, res.status)
			}
		}
		if dump {
			t.Logf("%s: %s", key, strings.Join(got, " "))
		}
	}
}
