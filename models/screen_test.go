package models_test

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"margin/models"
	"margin/models/modeltest"
	"margin/models/passhash"
)

// modFixture is a database with the sample documents, a reader and a
// moderator, and a clock.
type modFixture struct {
	t      *testing.T
	db     *gorm.DB
	now    time.Time
	doc    *models.Document
	reader *models.User
	mod    *models.User
	cfg    models.ScreenConfig
}

func newModFixture(t *testing.T) *modFixture {
	t.Helper()
	f := &modFixture{t: t, db: modeltest.Open(t), now: time.Date(2026, 4, 4, 12, 0, 0, 0, time.UTC)}
	if _, err := models.SeedSamples(f.db); err != nil {
		t.Fatal(err)
	}
	docs, _ := models.ListDocuments(f.db)
	doc, err := models.DocumentByID(f.db, docs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	f.doc = doc
	f.reader = f.user("reader", models.RoleReader)
	f.mod = f.user("moddy", models.RoleModerator)
	return f
}

func (f *modFixture) user(name string, role models.Role) *models.User {
	f.t.Helper()
	u, err := models.CreateUser(f.db, models.NewUser{Username: name, Password: "a long enough password 1", Role: role}, passhash.Fast)
	if err != nil {
		f.t.Fatal(err)
	}
	return u
}

// submission is a note on passage 1 whose form was shown a minute ago.
func (f *modFixture) submission(u *models.User, body string) models.Submission {
	return models.Submission{Author: u, DocumentID: f.doc.ID, IP: "192.0.2.7", UserAgent: "Test/1.0",
		Input:       models.AnnotationInput{Kind: models.KindComment, Body: body, Passage: 1, QuoteHint: -1},
		FormShownAt: f.now.Add(-time.Minute), Now: f.now}
}

func (f *modFixture) screen(sub models.Submission) models.Verdict {
	f.t.Helper()
	v, err := models.Screen(context.Background(), f.db, f.cfg, sub)
	if err != nil {
		f.t.Fatal(err)
	}
	return v
}

// post screens and stores a note as the handlers do.
func (f *modFixture) post(sub models.Submission) (*models.Annotation, models.Verdict) {
	f.t.Helper()
	v := f.screen(sub)
	a, err := models.CreateAnnotation(f.db, sub.Author, f.doc, sub.Input, v.Status)
	if err != nil {
		f.t.Fatal(err)
	}
	if err := models.RecordScreening(f.db, a, v); err != nil {
		f.t.Fatal(err)
	}
	return a, v
}

// approved gives u n published notes, so the new-account rule lets them through.
func (f *modFixture) approved(u *models.User, n int) {
	f.t.Helper()
	for i := range n {
		in := models.AnnotationInput{Kind: models.KindComment, Body: fmt.Sprintf("earlier note %d by %s", i, u.Username), Passage: 2, QuoteHint: -1}
		if _, err := models.CreateAnnotation(f.db, u, f.doc, in, models.StatusPublished); err != nil {
			f.t.Fatal(err)
		}
	}
}

func (f *modFixture) train() {
	f.t.Helper()
	c := models.NewClassifier(f.db)
	for _, e := range spamExamples {
		if err := c.Learn(e.Text, e.Spam); err != nil {
			f.t.Fatal(err)
		}
	}
}

func hasReason(v models.Verdict, prefix string) bool {
	for _, r := range v.Reasons {
		if strings.HasPrefix(r, prefix) {
			return true
		}
	}
	return false
}

func TestScreenRules(t *testing.T) {
	f := newModFixture(t)
	f.approved(f.reader, 1)
	ok := "The enlargement question was settled later than this passage suggests."
	cases := []struct {
		name   string
		change func(*models.Submission)
		status models.Status
		reason string
	}{
		{"ordinary note", func(*models.Submission) {}, models.StatusPublished, "classifier 0."},
		{"honeypot", func(s *models.Submission) { s.Honeypot = "http://cheap.example" }, models.StatusSpam, "hidden honeypot field"},
		{"too fast", func(s *models.Submission) { s.FormShownAt = f.now.Add(-time.Second) }, models.StatusPending, "posted 1 second after"},
		{"no form stamp", func(s *models.Submission) { s.FormShownAt = time.Time{} }, models.StatusPending, "form not shown by this site"},
		{"form shown too long ago", func(s *models.Submission) { s.FormShownAt = f.now.Add(-50 * time.Hour) }, models.StatusPending, "posted 50 hours after the form was shown"},
		{"form used before", func(s *models.Submission) { s.FormReused = true }, models.StatusPending, "form already used for another note"},
		{"four links", func(s *models.Submission) {
			s.Input.Body = "See https://a.example/1 and https://b.example/2 and [three](https://c.example/3) and https://d.example/4"
		}, models.StatusPending, "4 links"},
		{"three links pass", func(s *models.Submission) {
			s.Input.Body = "See https://a.example/1 and https://b.example/2 and [three](https://c.example/3), then https://a.example/1 again"
		}, models.StatusPublished, ""},
		{"private note", func(s *models.Submission) {
			s.Honeypot, s.Input.Visibility = "filled", models.VisibilityPrivate
		}, models.StatusPublished, "private note"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sub := f.submission(f.reader, ok)
			tc.change(&sub)
			v := f.screen(sub)
			if v.Status != tc.status || (tc.reason != "" && !hasReason(v, tc.reason)) {
				t.Errorf("verdict %s %q, want %s with %q", v.Status, v.Reasons, tc.status, tc.reason)
			}
		})
	}
	// A moderator's note is not screened at all.
	sub := f.submission(f.mod, ok)
	sub.Honeypot = "x"
	if v := f.screen(sub); v.Status != models.StatusPublished {
		t.Errorf("moderator's note: %s %q", v.Status, v.Reasons)
	}
}

func TestScreenNewAccountsAndTrust(t *testing.T) {
	f := newModFixture(t)
	newcomer := f.user("newcomer", models.RoleReader)
	text := "A first careful note about the treaty's fifth article."
	if _, v := f.post(f.submission(newcomer, text)); v.Status != models.StatusPending || !hasReason(v, "first post of a new account") {
		t.Fatalf("first note of a new account: %s %q", v.Status, v.Reasons)
	}
	// Still unapproved: the second note waits too, and says why.
	if v := f.screen(f.submission(newcomer, "A second and different note.")); v.Status != models.StatusPending || !hasReason(v, "new account: 0 of 1") {
		t.Fatalf("second note before approval: %s %q", v.Status, v.Reasons)
	}
	// A private note does not earn trust.
	priv := f.submission(newcomer, "my own reminder to reread this")
	priv.Input.Visibility = models.VisibilityPrivate
	f.post(priv)
	if v := f.screen(f.submission(newcomer, "A third note, after a private one.")); v.Status != models.StatusPending {
		t.Fatalf("a private note let a new account through: %s %q", v.Status, v.Reasons)
	}
	// Held until approved; with NewAccountHeld 2, one approval is not enough.
	f.cfg.NewAccountHeld = 2
	f.approved(newcomer, 1)
	if v := f.screen(f.submission(newcomer, "Another note once one was approved.")); !hasReason(v, "new account: 1 of 2") {
		t.Fatalf("with two needed and one approved: %s %q", v.Status, v.Reasons)
	}
	f.cfg.NewAccountHeld = -1
	if v := f.screen(f.submission(newcomer, "With the rule turned off.")); v.Status != models.StatusPublished {
		t.Fatalf("rule off: %s %q", v.Status, v.Reasons)
	}

	// A trusted author (3 approved, no spam) is not held by speed, links or
	// the classifier's middle band.
	f.cfg = models.ScreenConfig{}
	veteran := f.user("veteran", models.RoleReader)
	f.approved(veteran, 3)
	sub := f.submission(veteran, "Links: https://a.example https://b.example https://c.example https://d.example")
	sub.FormShownAt = f.now
	if v := f.screen(sub); v.Status != models.StatusPublished || !hasReason(v, "trusted author (3 notes approved)") {
		t.Fatalf("trusted author: %s %q", v.Status, v.Reasons)
	}
	// ...but the honeypot still catches a hijacked account.
	sub.Honeypot = "x"
	if v := f.screen(sub); v.Status != models.StatusSpam {
		t.Fatalf("trusted author with the honeypot filled: %s %q", v.Status, v.Reasons)
	}
}

func TestScreenPremoderation(t *testing.T) {
	f := newModFixture(t)
	f.approved(f.reader, 1)
	text := "Pre-moderated documents hold every note."
	if err := models.SetDocumentPremoderation(f.db, f.mod, f.doc.ID, true, f.now); err != nil {
		t.Fatal(err)
	}
	if v := f.screen(f.submission(f.reader, text)); v.Status != models.StatusPending || !hasReason(v, "this document is on pre-moderation") {
		t.Fatalf("document on pre-moderation: %s %q", v.Status, v.Reasons)
	}
	models.SetDocumentPremoderation(f.db, f.mod, f.doc.ID, false, f.now)
	if v := f.screen(f.submission(f.reader, text)); v.Status != models.StatusPublished {
		t.Fatalf("document off pre-moderation: %s %q", v.Status, v.Reasons)
	}
	models.SetSitePremoderation(f.db, f.mod, true, f.now)
	if v := f.screen(f.submission(f.reader, text)); v.Status != models.StatusPending || !hasReason(v, "the site is on pre-moderation") {
		t.Fatalf("site on pre-moderation: %s %q", v.Status, v.Reasons)
	}
	log, _ := models.DecisionLog(f.db, f.mod, 10, 0)
	if len(log) != 3 || log[0].Action != models.ActionSettings || !strings.Contains(log[0].Note, "put the site on pre-moderation") {
		t.Fatalf("settings log: %+v", log)
	}
}

func TestScreenDuplicatesAndBlockedTerms(t *testing.T) {
	f := newModFixture(t)
	others := []*models.User{f.user("other1", models.RoleReader), f.user("other2", models.RoleReader)}
	for _, u := range append(others, f.reader) {
		f.approved(u, 1)
	}
	text := "Great article, everyone should read my analysis of it."
	if _, v := f.post(f.submission(f.reader, text)); v.Status != models.StatusPublished {
		t.Fatalf("first posting: %s %q", v.Status, v.Reasons)
	}
	f.now = f.now.Add(10 * time.Minute)
	if v := f.screen(f.submission(f.reader, "  GREAT article, everyone should read my analysis of it.")); v.Status != models.StatusPending || !hasReason(v, "same text posted 10 minutes ago") {
		t.Fatalf("same author again: %s %q", v.Status, v.Reasons)
	}
	if _, v := f.post(f.submission(others[0], text)); v.Status != models.StatusPending || !hasReason(v, "same text posted by another account") {
		t.Fatalf("another account: %s %q", v.Status, v.Reasons)
	}
	if v := f.screen(f.submission(others[1], text)); v.Status != models.StatusSpam || !hasReason(v, "same text posted by 2 other accounts") {
		t.Fatalf("a third account: %s %q", v.Status, v.Reasons)
	}
	// Short replies repeat honestly; after the window, repeating is fine.
	f.post(f.submission(f.reader, "Agreed, well put."))
	if v := f.screen(f.submission(f.reader, "Agreed, well put.")); v.Status != models.StatusPublished {
		t.Fatalf("a short repeat: %s %q", v.Status, v.Reasons)
	}
	f.now = f.now.Add(25 * time.Hour)
	if v := f.screen(f.submission(f.reader, text)); hasReason(v, "same text posted") {
		t.Fatalf("after the window: %s %q", v.Status, v.Reasons)
	}

	hold, _ := models.ParseTerms("  payday   loans \nCasino\n\ncasino")
	spam, _ := models.ParseTerms("viagra")
	if err := models.SetBlockedTerms(f.db, f.mod, hold, spam, f.now); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		body   string
		status models.Status
	}{
		{"Try the CASINO tonight.", models.StatusPending},
		{"Fast PAYDAY loans here.", models.StatusPending},
		{"Cheap viagra!", models.StatusSpam},
		{"Casinos are not the same word.", models.StatusPublished},
		{"The occasion was formal.", models.StatusPublished},
	} {
		if v := f.screen(f.submission(f.reader, tc.body)); v.Status != tc.status {
			t.Errorf("%q: %s %q, want %s", tc.body, v.Status, v.Reasons, tc.status)
		}
	}
	if err := models.SetBlockedTerms(f.db, f.mod, []string{"x"}, []string{"x"}, f.now); err != models.ErrTermInBothLists {
		t.Errorf("a term in both lists: %v", err)
	}
	// The settings screening reads: the terms alphabetically, whatever
	// order they were stored in, beside the pre-moderation flags.
	st, err := models.ReadScreenSettings(f.db, f.doc.ID)
	if err != nil {
		t.Fatal(err)
	}
	var terms []string
	for _, term := range st.Terms {
		terms = append(terms, term.Term+"/"+string(term.Action))
	}
	if got := strings.Join(terms, " "); got != "casino/pending payday loans/pending viagra/spam" || st.Site || st.Document {
		t.Errorf("settings: %q site %v document %v", got, st.Site, st.Document)
	}
	if err := models.SetSitePremoderation(f.db, f.mod, true, f.now); err != nil {
		t.Fatal(err)
	}
	if err := models.SetDocumentPremoderation(f.db, f.mod, f.doc.ID, true, f.now); err != nil {
		t.Fatal(err)
	}
	if st, _ := models.ReadScreenSettings(f.db, f.doc.ID); !st.Site || !st.Document || len(st.Terms) != 3 {
		t.Errorf("after pre-moderation: %+v", st)
	}
	if st, _ := models.ReadScreenSettings(f.db, f.doc.ID+1); !st.Site || st.Document {
		t.Errorf("another document: %+v", st)
	}
}

func TestScreenClassifier(t *testing.T) {
	f := newModFixture(t)
	f.approved(f.reader, 1)
	f.train()
	ham := f.screen(f.submission(f.reader, "The treaty was signed in April 1949; compare article 5."))
	spam := f.screen(f.submission(f.reader, "Free money!!! Check out my channel and subscribe http://bit.ly/cash"))
	if ham.Status != models.StatusPublished || ham.Score >= 0.5 || !hasReason(ham, "classifier 0.") {
		t.Errorf("ham: %s %.2f %q", ham.Status, ham.Score, ham.Reasons)
	}
	if spam.Status != models.StatusSpam || spam.Score < 0.9 || !hasReason(spam, fmt.Sprintf("classifier %.2f", spam.Score)) {
		t.Errorf("spam: %s %.2f %q", spam.Status, spam.Score, spam.Reasons)
	}
	// Between the thresholds the note is held; with a rule agreeing, it is spam.
	f.cfg.SpamScore = math.Nextafter(spam.Score, 2)
	mid := f.screen(f.submission(f.reader, "Free money!!! Check out my channel and subscribe http://bit.ly/cash"))
	if mid.Status != models.StatusPending {
		t.Errorf("score %.3f below SpamScore: %s %q", mid.Score, mid.Status, mid.Reasons)
	}
	fast := f.submission(f.reader, "Free money!!! Check out my channel and subscribe http://bit.ly/cash")
	fast.FormShownAt = f.now
	if v := f.screen(fast); v.Status != models.StatusSpam {
		t.Errorf("classifier and speed rule together: %s %q", v.Status, v.Reasons)
	}
	// The classifier alone never holds a trusted author's note; with a
	// second signal (a blocked term that holds) it is held, never spam.
	f.cfg = models.ScreenConfig{}
	veteran := f.user("veteran", models.RoleReader)
	f.approved(veteran, 3)
	if v := f.screen(f.submission(veteran, "Free money!!! Check out my channel and subscribe http://bit.ly/cash")); v.Status != models.StatusPublished || v.Score < 0.65 {
		t.Errorf("trusted author, spam-like note, classifier alone: %s %.3f %q", v.Status, v.Score, v.Reasons)
	}
}

// fakeAkismet is an Akismet server that checks every request against the
// documented API and answers as told.
type fakeAkismet struct {
	t      *testing.T
	mu     sync.Mutex
	calls  []url.Values
	paths  []string
	answer string
	header map[string]string
}

func (k *fakeAkismet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, err := url.ParseQuery(string(body))
	k.mu.Lock()
	defer k.mu.Unlock()
	switch {
	case err != nil, r.Method != http.MethodPost,
		!strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded"),
		!strings.Contains(r.UserAgent(), "Margin"):
		k.t.Errorf("bad Akismet request: %s %s %q", r.Method, r.Header.Get("Content-Type"), body)
	}
	k.calls = append(k.calls, form)
	k.paths = append(k.paths, r.URL.Path)
	for h, v := range k.header {
		w.Header().Set(h, v)
	}
	if r.URL.Path == "/1.1/comment-check" {
		io.WriteString(w, k.answer)
		return
	}
	io.WriteString(w, "Thanks for making the web a better place.")
}

func newFakeAkismet(t *testing.T) (*fakeAkismet, *models.Akismet) {
	fake := &fakeAkismet{t: t, answer: "false"}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return fake, &models.Akismet{Key: "test-key", BaseURL: srv.URL, Blog: "https://margin.example"}
}

func TestScreenAkismet(t *testing.T) {
	f := newModFixture(t)
	f.approved(f.reader, 1)
	f.reader.Email = "reader@example.org"
	fake, k := newFakeAkismet(t)
	f.cfg.Akismet = k
	sub := f.submission(f.reader, "An ordinary remark on the second paragraph.")
	sub.Referrer, sub.Permalink = "https://margin.example/documents/1", "https://margin.example/documents/1"
	if v := f.screen(sub); v.Status != models.StatusPublished || v.Akismet != "ham" {
		t.Fatalf("Akismet says ham: %s %s %q", v.Status, v.Akismet, v.Reasons)
	}
	got := fake.calls[0]
	want := map[string]string{"api_key": "test-key", "blog": "https://margin.example", "user_ip": "192.0.2.7",
		"user_agent": "Test/1.0", "referrer": sub.Referrer, "permalink": sub.Permalink, "comment_type": "comment",
		"comment_author": "reader", "comment_author_email": "reader@example.org",
		"comment_content": "An ordinary remark on the second paragraph.", "comment_date_gmt": "2026-04-04T12:00:00Z",
		"blog_charset": "UTF-8"}
	for k, v := range want {
		if got.Get(k) != v {
			t.Errorf("comment-check %s = %q, want %q", k, got.Get(k), v)
		}
	}
	if fake.paths[0] != "/1.1/comment-check" {
		t.Errorf("called %s", fake.paths[0])
	}
	fake.answer = "true"
	if v := f.screen(sub); v.Status != models.StatusSpam || !hasReason(v, "Akismet: spam") {
		t.Errorf("Akismet says spam: %s %q", v.Status, v.Reasons)
	}
	fake.header = map[string]string{"X-akismet-pro-tip": "discard"}
	if v := f.screen(sub); v.Status != models.StatusSpam || !hasReason(v, "Akismet: blatant spam") {
		t.Errorf("Akismet says discard: %s %q", v.Status, v.Reasons)
	}
	fake.answer, fake.header = "invalid", map[string]string{"X-akismet-debug-help": "bad key"}
	if v := f.screen(sub); v.Status != models.StatusPublished || v.Akismet != "error" || !hasReason(v, "Akismet did not answer") {
		t.Errorf("Akismet fails: %s %s %q", v.Status, v.Akismet, v.Reasons)
	}
	// A reply is a "reply"; a note already judged spam locally is not sent.
	n := len(fake.calls)
	parent, _ := f.post(f.submission(f.reader, "A parent note to reply to."))
	reply := f.submission(f.reader, "A reply.")
	reply.Parent = parent
	f.screen(reply)
	if got := fake.calls[len(fake.calls)-1].Get("comment_type"); got != "reply" {
		t.Errorf("reply sent as %q", got)
	}
	n = len(fake.calls)
	sub.Honeypot = "x"
	f.screen(sub)
	if len(fake.calls) != n {
		t.Error("Akismet was asked about a note the honeypot already condemned")
	}
}

// The screening record of a post holds every field the moderators and the
// rate and duplicate checks read back.
func TestScreeningRecordedInFull(t *testing.T) {
	f := newModFixture(t)
	sub := f.submission(f.reader, "A first note on this passage.")
	sub.UserAgent, sub.Referrer = "Test/2.0 "+strings.Repeat("u", 600), "https://margin.example/documents/1"
	a, v := f.post(sub)
	s, err := models.ScreeningOf(f.db, a)
	if err != nil {
		t.Fatal(err)
	}
	want := models.Screening{AnnotationID: a.ID, AuthorID: f.reader.ID, Score: v.Score, Reasons: strings.Join(v.Reasons, "\n"),
		BodyHash: v.BodyHash, IP: "192.0.2.7", UserAgent: "Test/2.0 " + strings.Repeat("u", 490) + "…", // 500 characters
		Referrer: "https://margin.example/documents/1"}
	got := *s
	if !got.CreatedAt.Equal(f.now) {
		t.Errorf("created at %v, want %v", got.CreatedAt, f.now)
	}
	got.CreatedAt = time.Time{}
	if got != want {
		t.Errorf("screening\n got %+v\nwant %+v", got, want)
	}
	if v.BodyHash == "" || len(v.Reasons) == 0 {
		t.Errorf("the verdict had no hash or reasons: %+v", v)
	}
}
