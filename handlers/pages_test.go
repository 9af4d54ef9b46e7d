package handlers

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"margin/models"
	"margin/models/anchor"
	"margin/views"
)

// samplePageData gives each page template the data its handler passes, so
// every template is parsed and executed. A new page without an entry here
// fails the test.
func samplePageData(ts *testServer) map[string]any {
	doc, _ := models.DocumentByID(ts.db, 1)
	rev, _ := models.RevisionByID(ts.db, doc.CurrentRevisionID)
	passages, _ := models.Passages(ts.db, rev.ID)
	revs, _ := models.Revisions(ts.db, doc.ID)
	docs, _ := models.ListDocuments(ts.db)
	user := &models.User{ID: 1, Username: "sample", Role: models.RoleAdmin, CreatedAt: time.Now()}
	author := ts.createUser("pageauthor", models.RoleReader)
	ann, err := models.CreateAnnotation(ts.db, author, doc, models.AnnotationInput{Kind: models.KindReference, Body: "See **this**.",
		Passage: 1, Quote: passages[0].Text[:20], QuoteHint: -1,
		Citations: []models.Citation{{Title: "A source", URL: "https://example.org"}}}, models.StatusPublished)
	if err != nil {
		ts.t.Fatal(err)
	}
	reply, err := models.CreateReply(ts.db, user, ann, models.AnnotationInput{Kind: models.KindDisagreement, Body: "No.", Counterpoint: "Yes."}, models.StatusPublished)
	if err != nil {
		ts.t.Fatal(err)
	}
	views, _ := models.ReadingView(ts.db, rev, passages, user, models.ReadingOptions{})
	thread, _ := models.ThreadOf(ts.db, ann, user, false)
	composer := newComposer(doc, &passages[0])
	pages := map[string]any{
		"library": libraryPage{Documents: docs},
		"search": searchPage{Query: "NATO", Form: url.Values{"q": {"NATO"}}, Kinds: models.Kinds, NextURL: "/search?page=2&q=NATO",
			Results: models.SearchResults{Page: 1, Documents: []models.DocumentHit{{DocumentSummary: docs[0], Snippet: models.Snippet{{Text: "NATO", Match: true}}}},
				Notes: []models.NoteHit{{Annotation: *reply, Snippet: models.Snippet{{Text: "No"}}}}}},
		"document":            documentPage{Document: doc, Revision: rev, Revisions: revs, IsCurrent: true, Kinds: models.Kinds, Sort: "newest"},
		"document_passage":    documentPage{Document: doc, Revision: rev, Revisions: revs, IsCurrent: true, Kinds: models.Kinds, Sort: "newest", Single: true, Passage: 1},
		"annotation":          annotationPage{Document: doc, Passages: views[:2], Focus: 1, Thread: thread, Target: ann.ID, Composer: composer},
		"annotation_form":     composer,
		"annotation_reattach": &reattachPage{Document: doc, Note: ann, Revision: rev, Passages: passages, Shown: passages},
		"annotation_history":  historyPage{Annotation: ann, Versions: mustHistory(ann, []models.AnnotationEdit{{Kind: models.KindComment, Body: "old *words*", Citations: "A title | https://example.org | \n"}})},
		"mail_confirm":        &mailLinkPage{Token: "1-2-x", Username: "sample", Email: "sample@example.org"},
		"mail_unsubscribe":    &mailLinkPage{Token: "1-digest-x", Username: "sample", List: models.ListDigest},
		"inbox":               inboxPage{Items: []models.InboxItem{{Notification: models.Notification{Reason: models.ReasonReply}, Annotation: reply, Document: doc}}},
		"document_edit":       documentEditPage{Document: doc},
		"document_import":     importPage{MaxMB: 10},
		"document_revise": revisePage{Document: doc, MaxMB: 10, Preview: &revisePreview{
			Counts:   map[string]int{"exact": 3, "moved": 2, "changed": 1, "orphaned": 1},
			Changed:  []models.ReanchoredNote{{ID: ann.ID, Status: anchor.Changed, OldPassage: 1, NewPassage: 2, Was: "old words", Now: "new words"}},
			Orphaned: []models.ReanchoredNote{{ID: ann.ID, Status: anchor.Orphaned, OldPassage: 3, Was: "gone"}}, Hidden: 1}},
		"login":  loginPage{Next: "/"},
		"signup": nil,
		"setup":  setupPage{Token: "t"},
		"account": &accountPage{NewSecret: "margin_0123", Now: time.Now(), Tokens: []models.APIToken{
			{ID: 1, Name: "script", Scope: models.ScopeWrite, Hint: "margin_abcdef"}}},
		"admin_tokens": adminTokensPage{Tokens: []models.APIToken{{ID: 1, Name: "script", Scope: models.ScopeRead, Hint: "margin_abcdef",
			User: models.User{Username: "alice"}}}},
		"admin_users": usersPage{Roles: models.Roles, Back: "/admin/users?q=a", More: true, Filter: models.UserFilter{Name: "a"},
			Rows: []usersRow{{UserRow: models.UserRow{User: *user, Sessions: 2, Standing: models.Standing{Approved: 3, Spam: 1}}, Joined: "1 day ago", CanBan: true},
				{UserRow: models.UserRow{User: models.User{ID: 99, Username: "me", Role: models.RoleAdmin}}, Self: true}}},
		"annotation_delete": ann,
		"user":              userPage{Profile: user},
		"error":             errorPage{Status: 404, Heading: "Not Found", Message: "Nothing here."},
	}
	for name, data := range classPageSamples(ts, doc) {
		pages[name] = data
	}
	for name, data := range moderationPageSamples(ts, doc) {
		pages[name] = data
	}
	return pages
}

func samplePassages(ts *testServer, rev *models.Revision) []models.Passage {
	ps, err := models.Passages(ts.db, rev.ID)
	if err != nil {
		ts.t.Fatal(err)
	}
	return ps
}

// loginOnlyPages are never shown to visitors.
var loginOnlyPages = map[string]bool{"account": true, "annotation_delete": true, "admin_tokens": true, "admin_users": true, "inbox": true,
	"classes": true, "class": true, "class_form": true, "class_roster": true, "class_join": true,
	"assignments": true, "assignment": true, "assignment_form": true, "assignment_dashboard": true, "assignment_student": true}

func TestEveryPageRenders(t *testing.T) {
	ts := newTestServer(t)
	data := samplePageData(ts)
	app := ts.app
	for _, name := range views.PageNames() {
		for _, user := range []*models.User{nil, {ID: 1, Username: "sample", Role: models.RoleAdmin}} {
			if user == nil && loginOnlyPages[name] {
				continue
			}
			pd, ok := data[name]
			if !ok {
				t.Errorf("page %q has no sample data in samplePageData", name)
				continue
			}
			rec := httptest.NewRecorder()
			c := echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/", nil), rec)
			td := &templateData{Title: name, User: user, csrf: func() string { return "token" }, Page: pd}
			if dp, ok := pd.(documentPage); ok {
				// The reading view's passages are rendered on their own first.
				td.Page = &dp
				var err error
				td.tmpl = app.pages["document"]
				if dp.Rendered, err = app.passagesFor(td, &dp, samplePassages(ts, dp.Revision), "s0", nil); err != nil {
					t.Errorf("page %q (user %v): %v", name, user != nil, err)
					continue
				}
			}
			if err := app.render(c, http.StatusOK, name, td); err != nil {
				t.Errorf("page %q (user %v): %v", name, user != nil, err)
				continue
			}
			if rec.Code != http.StatusOK || rec.Body.Len() < 200 {
				t.Errorf("page %q: status %d, %d bytes", name, rec.Code, rec.Body.Len())
			}
		}
	}
}

func mustHistory(ann *models.Annotation, edits []models.AnnotationEdit) []historyVersion {
	vs, err := historyVersions(ann, edits)
	if err != nil {
		panic(err)
	}
	return vs
}
