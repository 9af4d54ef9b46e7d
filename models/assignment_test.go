package models_test

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"margin/models"
)

// assign gives class an assignment of the fixture's reading, due a week
// after f.now (UTC) unless in says otherwise.
func (f *classFixture) assign(class *models.Class, in models.AssignmentInput) *models.Assignment {
	f.t.Helper()
	if in.DocumentID == 0 {
		in.DocumentID = f.doc.ID
	}
	if in.Zone == "" {
		in.Zone = "UTC"
	}
	if in.DueAt == "" {
		in.DueAt = f.now.Add(7 * 24 * time.Hour).Format(models.LocalTimeLayout)
	}
	a, err := models.CreateAssignment(f.db, f.educator, class.ID, in)
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

func TestAssignmentTimesAreZoned(t *testing.T) {
	f := newClassFixture(t)
	a := f.assign(f.class, models.AssignmentInput{Zone: "America/New_York", OpensAt: "2026-03-07T09:00", DueAt: "2026-03-09T23:59", MinAnnotations: 1})
	// 7 March is still EST (UTC-5); 9 March is after the switch to EDT (UTC-4).
	if want := time.Date(2026, 3, 7, 14, 0, 0, 0, time.UTC); !a.OpensAt.Equal(want) {
		t.Errorf("opens at %v, want %v", a.OpensAt, want)
	}
	if want := time.Date(2026, 3, 10, 3, 59, 0, 0, time.UTC); !a.DueAt.Equal(want) {
		t.Errorf("due at %v, want %v", a.DueAt, want)
	}
	got, err := models.AssignmentByID(f.db, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.DueAt.Equal(a.DueAt) {
		t.Errorf("due time read back as %v, stored %v", got.DueAt, a.DueAt)
	}
	if local := got.DueAt.In(got.Location()).Format(models.LocalTimeLayout); local != "2026-03-09T23:59" {
		t.Errorf("due time in its zone reads %s", local)
	}
	if got.Document.Title != "Reading one" {
		t.Errorf("document not loaded: %q", got.Document.Title)
	}
}

func TestAssignmentValidation(t *testing.T) {
	f := newClassFixture(t)
	cases := []struct {
		name  string
		in    models.AssignmentInput
		field string
	}{
		{"no document", models.AssignmentInput{Zone: "UTC", DueAt: "2026-04-01T10:00", MinAnnotations: 1}, "document_id"},
		{"unknown document", models.AssignmentInput{DocumentID: 999, Zone: "UTC", DueAt: "2026-04-01T10:00", MinAnnotations: 1}, "document_id"},
		{"no zone", models.AssignmentInput{DocumentID: f.doc.ID, DueAt: "2026-04-01T10:00", MinAnnotations: 1}, "zone"},
		{"server's zone", models.AssignmentInput{DocumentID: f.doc.ID, Zone: "Local", DueAt: "2026-04-01T10:00", MinAnnotations: 1}, "zone"},
		{"made-up zone", models.AssignmentInput{DocumentID: f.doc.ID, Zone: "Mars/Olympus", DueAt: "2026-04-01T10:00", MinAnnotations: 1}, "zone"},
		{"no due date", models.AssignmentInput{DocumentID: f.doc.ID, Zone: "UTC", MinAnnotations: 1}, "due_at"},
		{"bad due date", models.AssignmentInput{DocumentID: f.doc.ID, Zone: "UTC", DueAt: "next Tuesday", MinAnnotations: 1}, "due_at"},
		{"due before opening", models.AssignmentInput{DocumentID: f.doc.ID, Zone: "UTC", OpensAt: "2026-04-02T10:00", DueAt: "2026-04-01T10:00", MinAnnotations: 1}, "due_at"},
		{"no requirement", models.AssignmentInput{DocumentID: f.doc.ID, Zone: "UTC", DueAt: "2026-04-01T10:00"}, "min_annotations"},
		{"negative", models.AssignmentInput{DocumentID: f.doc.ID, Zone: "UTC", DueAt: "2026-04-01T10:00", MinReplies: -1}, "min_replies"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := models.CreateAssignment(f.db, f.educator, f.class.ID, tc.in)
			var fe models.FieldErrors
			if !errors.As(err, &fe) || fe[tc.field] == "" {
				t.Errorf("got %v, want an error on %s", err, tc.field)
			}
		})
	}
	// A kind alone is a requirement; unknown kinds are dropped.
	a := f.assign(f.class, models.AssignmentInput{Kinds: []models.Kind{"reference", "bogus", "question"}})
	if a.RequiredKinds != "question,reference" {
		t.Errorf("required kinds stored as %q", a.RequiredKinds)
	}
}

// TestRequirementCounting checks what counts (published, undeleted class
// work by the student on the reading, since it opened) and how late work
// and the due time set the status.
func TestRequirementCounting(t *testing.T) {
	f := newClassFixture(t)
	opens := f.now
	due := f.now.Add(48 * time.Hour)
	a := f.assign(f.class, models.AssignmentInput{OpensAt: opens.Format(models.LocalTimeLayout), DueAt: due.Format(models.LocalTimeLayout),
		MinAnnotations: 2, MinReplies: 1, Kinds: []models.Kind{models.KindQuestion}})
	stu := f.student("stu")
	peer := f.student("peer")
	progress := func(at time.Time) models.Progress {
		t.Helper()
		p, err := models.StudentProgress(f.db, a, stu.ID, at)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	if p := progress(f.now); p.Status != models.NotStarted || len(p.Checks) != 3 {
		t.Fatalf("before any work: %+v", p)
	}

	// None of these count.
	public := f.annotate(stu, nil, 1, models.KindComment) // not shared with the class
	f.at(public, f.now.Add(time.Hour))
	early := f.annotate(stu, f.class, 1, models.KindComment) // before the assignment opened
	f.at(early, opens.Add(-time.Minute))
	deleted := f.annotate(stu, f.class, 1, models.KindComment)
	if err := models.DeleteAnnotation(f.db, stu, deleted, f.now); err != nil {
		t.Fatal(err)
	}
	held, err := models.CreateAnnotation(f.db, stu, f.doc, models.AnnotationInput{Kind: models.KindQuestion, Body: "held?",
		Passage: 1, QuoteHint: -1, Visibility: models.VisibilityClass, ClassID: &f.class.ID}, models.StatusPending)
	if err != nil {
		t.Fatal(err)
	}
	other, err := models.CreateClass(f.db, f.educator, models.ClassInput{Name: "Other"}, f.now)
	if err != nil {
		t.Fatal(err)
	}
	models.JoinClass(f.db, stu, other, f.now)
	f.annotate(stu, other, 1, models.KindQuestion) // another class
	peerNote := f.annotate(peer, f.class, 2, models.KindComment)
	if p := progress(f.now); p.Status != models.NotStarted || p.Annotations != 0 {
		t.Fatalf("only uncounted work: %+v", p)
	}

	// On time: one question and a reply; one annotation still missing.
	q := f.annotate(stu, f.class, 1, models.KindQuestion)
	f.at(q, f.now.Add(time.Hour))
	r := f.reply(stu, peerNote, models.KindComment)
	f.at(r, f.now.Add(2*time.Hour))
	p := progress(f.now.Add(3 * time.Hour))
	if p.Status != models.InProgress || p.Annotations != 1 || p.Replies != 1 || p.ByKind[models.KindQuestion] != 1 {
		t.Fatalf("in progress: %+v", p)
	}
	if p.LastActivity == nil || !p.LastActivity.Equal(r.CreatedAt) {
		t.Errorf("last activity %v, want %v", p.LastActivity, r.CreatedAt)
	}
	if got := checks(p); got != "Annotations 1/2 ✗, Replies 1/1 ✓, Question 1/1 ✓" {
		t.Errorf("checks: %s", got)
	}
	// The due time passes with the work unfinished: late.
	if p := progress(due.Add(time.Minute)); p.Status != models.Late || !p.Overdue() {
		t.Errorf("past due, unfinished: %s, overdue %v", p.Status, p.Overdue())
	}
	// Late work counts but keeps the status late.
	lateNote := f.annotate(stu, f.class, 3, models.KindComment)
	f.at(lateNote, due.Add(time.Hour))
	p = progress(due.Add(2 * time.Hour))
	if p.Status != models.Late || !p.Met || p.MetOnTime || p.LateItems != 1 || p.Overdue() {
		t.Errorf("finished late: %+v", p)
	}
	// Exactly at the due time is on time.
	f.at(lateNote, due)
	if p := progress(due.Add(2 * time.Hour)); p.Status != models.Complete || p.LateItems != 0 {
		t.Errorf("finished at the due time: %s, %d late", p.Status, p.LateItems)
	}
	// The held question is published by a moderator: it counts from then on.
	if err := models.SetAnnotationStatus(f.db, held, models.StatusPublished); err != nil {
		t.Fatal(err)
	}
	if p := progress(due.Add(2 * time.Hour)); p.Annotations != 3 {
		t.Errorf("after the held note was published: %d annotations, want 3", p.Annotations)
	}

	rows, err := models.AssignmentTable(f.db, a, due.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Student.Username != "peer" || rows[1].Student.Username != "stu" {
		t.Fatalf("table rows: %+v", rows)
	}
	if rows[0].Annotations != 1 || rows[0].Status != models.Late || rows[1].Status != models.Complete {
		t.Errorf("table: peer %d %s, stu %s", rows[0].Annotations, rows[0].Status, rows[1].Status)
	}
}

func checks(p models.Progress) string {
	s := ""
	for i, c := range p.Checks {
		if i > 0 {
			s += ", "
		}
		mark := "✗"
		if c.Met {
			mark = "✓"
		}
		s += c.Label + " " + strconv.Itoa(c.Have) + "/" + strconv.Itoa(c.Need) + " " + mark
	}
	return s
}

func TestHeatAndCopy(t *testing.T) {
	f := newClassFixture(t)
	a := f.assign(f.class, models.AssignmentInput{MinAnnotations: 1, HideUntilPosted: true, Instructions: "Read closely."})
	s1, s2 := f.student("first"), f.student("second")
	q := f.annotate(s1, f.class, 2, models.KindQuestion)
	f.reply(s2, q, models.KindDisagreement)
	f.annotate(s2, f.class, 2, models.KindComment)
	f.annotate(f.educator, f.class, 3, models.KindQuestion) // educators' notes are not the class's work
	rows, err := models.Heat(f.db, a)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d heat rows", len(rows))
	}
	byNum := map[int]models.HeatRow{}
	for _, r := range rows {
		byNum[r.Number] = r
	}
	if r := byNum[2]; r.Annotations != 3 || r.Questions != 1 || r.Disagreements != 1 {
		t.Errorf("passage 2 heat: %+v", r)
	}
	if r := byNum[3]; r.Annotations != 0 {
		t.Errorf("passage 3 counts the educator's note: %+v", r)
	}

	other, err := models.CreateClass(f.db, f.educator, models.ClassInput{Name: "Section B"}, f.now)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := models.CopyAssignment(f.db, f.educator, a, other.ID)
	if err != nil {
		t.Fatal(err)
	}
	if cp.ID == a.ID || cp.ClassID != other.ID || cp.Instructions != a.Instructions || !cp.DueAt.Equal(a.DueAt) ||
		cp.MinAnnotations != 1 || !cp.HideUntilPosted {
		t.Errorf("copy: %+v", cp)
	}
	list, err := models.ClassAssignments(f.db, other.ID)
	if err != nil || len(list) != 1 || list[0].Document.Title != "Reading one" {
		t.Errorf("the copy in its class: %+v, %v", list, err)
	}
}

// TestHideUntilPosted checks the privacy scope's assigned-reading rule:
// a student sees no fellow student's notes on the reading (wherever they
// were shared) until posting one in the class; educators' notes and
// outsiders' notes stay visible; other readings are untouched.
func TestHideUntilPosted(t *testing.T) {
	f := newClassFixture(t)
	a := f.assign(f.class, models.AssignmentInput{MinAnnotations: 1, HideUntilPosted: true})
	early, late := f.student("early"), f.student("late")
	outsider := f.user("outsider", models.RoleReader)
	peerClass := f.annotate(early, f.class, 2, models.KindComment)
	peerPublic := f.annotate(early, nil, 2, models.KindComment)
	teacherNote := f.annotate(f.educator, f.class, 2, models.KindContext)
	outsiderNote := f.annotate(outsider, nil, 2, models.KindComment)
	otherDoc := f.document("Unassigned", "Some text.")
	elsewhere, err := models.CreateAnnotation(f.db, early, otherDoc, models.AnnotationInput{Kind: models.KindComment, Body: "x",
		Passage: 1, QuoteHint: -1, Visibility: models.VisibilityClass, ClassID: &f.class.ID}, models.StatusPublished)
	if err != nil {
		t.Fatal(err)
	}
	canView := func(u *models.User, x *models.Annotation) bool {
		t.Helper()
		ok, err := models.CanView(f.db, u, x, false)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	for _, x := range []*models.Annotation{peerClass, peerPublic} {
		if canView(late, x) {
			t.Errorf("before posting, late sees classmate's note %d (%s)", x.ID, x.Visibility)
		}
		if !canView(f.educator, x) {
			t.Errorf("the educator cannot see note %d", x.ID)
		}
	}
	for _, x := range []*models.Annotation{teacherNote, outsiderNote, elsewhere} {
		if !canView(late, x) {
			t.Errorf("before posting, late cannot see note %d, which the rule does not cover", x.ID)
		}
	}
	if !canView(outsider, peerPublic) || canView(outsider, peerClass) {
		t.Error("the rule changed what an outsider sees")
	}
	// A private note is not posting in the class; a reply cannot be made
	// without seeing; a class note is.
	private, err := models.CreateAnnotation(f.db, late, f.doc, models.AnnotationInput{Kind: models.KindComment, Body: "mine",
		Passage: 1, QuoteHint: -1, Visibility: models.VisibilityPrivate}, models.StatusPublished)
	if err != nil {
		t.Fatal(err)
	}
	if canView(late, peerClass) {
		t.Error("a private note unlocked the classmates' notes")
	}
	if !canView(late, private) {
		t.Error("late cannot see their own private note")
	}
	own := f.annotate(late, f.class, 1, models.KindQuestion)
	if !canView(late, peerClass) || !canView(late, peerPublic) {
		t.Error("after posting, late still cannot see classmates' notes")
	}
	// early had posted before late did, so sees late's note.
	if !canView(early, own) {
		t.Error("early, who had posted, cannot see late's note")
	}
	// Deleting one's only note hides the others again.
	if err := models.DeleteAnnotation(f.db, late, own, f.now); err != nil {
		t.Fatal(err)
	}
	if canView(late, peerClass) {
		t.Error("with their only note deleted, late still sees classmates' notes")
	}
	// Turning the rule off shows everything.
	in := models.AssignmentInput{DocumentID: f.doc.ID, Zone: "UTC", DueAt: a.DueAt.Format(models.LocalTimeLayout), MinAnnotations: 1}
	if err := models.UpdateAssignment(f.db, a, in); err != nil {
		t.Fatal(err)
	}
	if !canView(late, peerClass) {
		t.Error("with hide-until-posted off, late cannot see classmates' notes")
	}
}

// On post-first readings the rule hides exactly what it says, however the
// threads run: a note is hidden from a student who has not posted when it
// is not theirs and it, or a note above it in its thread, is by a fellow
// student of a class whose reading it is. Checked against that sentence
// over random threads, with two post-first classes, an educator, an
// outsider and the viewer's own replies in them.
func TestHideUntilPostedHidesExactlyTheClassmatesBranches(t *testing.T) {
	f := newClassFixture(t)
	other, err := models.CreateClass(f.db, f.educator, models.ClassInput{Name: "Other section"}, f.now)
	if err != nil {
		t.Fatal(err)
	}
	f.assign(f.class, models.AssignmentInput{MinAnnotations: 1, HideUntilPosted: true})
	f.assign(other, models.AssignmentInput{MinAnnotations: 1, HideUntilPosted: true})
	viewer, peer, peer2 := f.student("viewer"), f.student("peer"), f.student("peer2")
	section := f.user("section", models.RoleReader) // a student of the other class only
	for _, u := range []*models.User{viewer, section} {
		if err := models.JoinClass(f.db, u, other, f.now); err != nil {
			t.Fatal(err)
		}
	}
	outsider := f.user("outsider", models.RoleReader)
	students := map[uint]bool{peer.ID: true, peer2.ID: true, section.ID: true} // fellow students of the viewer's post-first classes
	authors := []*models.User{viewer, peer, peer2, section, outsider, f.educator}
	unassigned := f.document("Unassigned", "Some text.")

	rng := rand.New(rand.NewPCG(7, 2026))
	var notes []*models.Annotation
	parent := map[uint]*models.Annotation{}
	for i := range 80 {
		u := authors[rng.IntN(len(authors))]
		var a *models.Annotation
		if i > 0 && rng.IntN(3) > 0 {
			p := notes[rng.IntN(len(notes))]
			if p.ClassID != nil { // a class thread's replies are by its members
				u = []*models.User{viewer, peer, peer2, f.educator}[rng.IntN(4)]
			}
			a = f.reply(u, p, models.KindComment)
			parent[a.ID] = p
		} else {
			doc := f.doc
			if rng.IntN(5) == 0 {
				doc = unassigned
			}
			in := models.AnnotationInput{Kind: models.KindComment, Body: "note", Passage: 1, QuoteHint: -1}
			// Class notes by its members; the viewer posting one would lift the rule.
			if (u == peer || u == peer2 || u == f.educator) && rng.IntN(2) == 0 {
				in.Visibility, in.ClassID = models.VisibilityClass, &f.class.ID
			}
			if a, err = models.CreateAnnotation(f.db, u, doc, in, models.StatusPublished); err != nil {
				t.Fatal(err)
			}
		}
		notes = append(notes, a)
	}
	hidden := 0
	for _, n := range notes {
		want := n.AuthorID == viewer.ID || n.DocumentID != f.doc.ID
		if !want {
			want = true
			for up := n; up != nil; up = parent[up.ID] {
				if students[up.AuthorID] {
					want = false
				}
			}
		}
		if !want {
			hidden++
		}
		got, err := models.CanView(f.db, viewer, n, false)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("note %d by user %d (parent %v): viewer sees it: %v, want %v", n.ID, n.AuthorID, n.ParentID, got, want)
		}
	}
	if hidden == 0 || hidden == len(notes) {
		t.Fatalf("%d of %d notes hidden: the threads do not test the rule", hidden, len(notes))
	}
}
