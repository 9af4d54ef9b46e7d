package models_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"margin/models"
)

// held posts a note awaiting review, shared with class (nil: public).
func (f *classFixture) held(u *models.User, class *models.Class) *models.Annotation {
	f.t.Helper()
	in := models.AnnotationInput{Kind: models.KindComment, Body: "held by " + u.Username, Passage: 1, QuoteHint: -1}
	if class != nil {
		in.Visibility, in.ClassID = models.VisibilityClass, &class.ID
	}
	a, err := models.CreateAnnotation(f.db, u, f.doc, in, models.StatusPending)
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

// coEducator is a student of the fixture's class made one of its educators.
func (f *classFixture) coEducator(name string) *models.User {
	f.t.Helper()
	u := f.student(name)
	if _, err := models.AddEducator(f.db, f.class, name, f.now); err != nil {
		f.t.Fatal(err)
	}
	return u
}

// memberModerator is a student of the fixture's class who is also a site moderator.
func (f *classFixture) memberModerator(name string) *models.User {
	f.t.Helper()
	u := f.student(name)
	if err := f.db.Model(u).Update("role", models.RoleModerator).Error; err != nil {
		f.t.Fatal(err)
	}
	u.Role = models.RoleModerator
	return u
}

// A class's educators moderate its held notes; site moderators and admins
// outside the class never see them, and educators see nothing else.
func TestClassNotesAreModeratedByTheirEducators(t *testing.T) {
	f := newClassFixture(t)
	student := f.student("student")
	coEducator := f.coEducator("assistant")
	mod := f.user("moddy", models.RoleModerator)
	admin := f.user("boss", models.RoleAdmin)
	memberMod := f.memberModerator("classmod")
	otherTeacher := f.user("otherteacher", models.RoleEducator)
	if _, err := models.CreateClass(f.db, otherTeacher, models.ClassInput{Name: "Other"}, f.now); err != nil {
		t.Fatal(err)
	}
	classNote := f.held(student, f.class)
	publicNote := f.held(f.user("newcomer", models.RoleReader), nil)

	cases := []struct {
		name          string
		user          *models.User
		mayModerate   bool
		class, public bool // in the user's pending queue
	}{
		{"educator", f.educator, true, true, false},
		{"co-educator with a reader's role", coEducator, true, true, false},
		{"moderator outside the class", mod, true, false, true},
		{"admin outside the class", admin, true, false, true},
		{"moderator in the class", memberMod, true, true, true},
		{"educator of another class", otherTeacher, true, false, false},
		{"student", student, false, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if ok, err := models.MayModerate(f.db, c.user); err != nil || ok != c.mayModerate {
				t.Errorf("MayModerate = %v, %v", ok, err)
			}
			counts, err := models.CountQueues(f.db, c.user)
			if want := btoi(c.class) + btoi(c.public); err != nil || counts.Pending != int64(want) || counts.Total() != int64(want) {
				t.Errorf("counts %+v, %v; want %d pending", counts, err, want)
			}
			items, _ := models.QueueItems(f.db, c.user, models.QueuePending, 10, f.now)
			if len(items) != btoi(c.class)+btoi(c.public) {
				t.Errorf("%d items in the queue", len(items))
			}
			for _, n := range []struct {
				a    *models.Annotation
				want bool
			}{{classNote, c.class}, {publicNote, c.public}} {
				_, err := models.QueueItemByID(f.db, c.user, n.a.ID, f.now)
				if got := err == nil; got != n.want || (err != nil && !errors.Is(err, models.ErrNotFound)) {
					t.Errorf("QueueItemByID(%d): %v", n.a.ID, err)
				}
				if ok, _ := models.CanModerate(f.db, c.user, n.a); ok != n.want {
					t.Errorf("CanModerate(%d) = %v", n.a.ID, ok)
				}
			}
			// Privacy: the permalink check asks for held notes too.
			if ok, _ := models.CanView(f.db, c.user, classNote, true); ok != (c.class || c.user.ID == student.ID) {
				t.Errorf("CanView(held class note) = %v", ok)
			}
			if ok, _ := models.CanView(f.db, c.user, classNote, false); ok != (c.user.ID == student.ID) {
				t.Errorf("CanView(held class note) on ordinary pages = %v", ok)
			}
		})
	}
	if ok, err := models.MayModerate(f.db, nil); ok || err != nil {
		t.Errorf("MayModerate(nil) = %v, %v", ok, err)
	}

	// The educator approves: the class sees the note; undo is theirs and
	// site moderators', not another class's educator's.
	classmate := f.student("classmate")
	updatedAt := func(u *models.User) time.Time {
		t.Helper()
		fresh, err := models.UserByID(f.db, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return fresh.UpdatedAt
	}
	before := map[*models.User]time.Time{}
	for _, u := range []*models.User{f.educator, mod, otherTeacher} {
		before[u] = updatedAt(u)
	}
	time.Sleep(2 * time.Millisecond) // touches are stamped with the clock
	d, err := models.Decide(f.db, coEducator, classNote.ID, models.ActionApprove, "", f.now)
	if err != nil {
		t.Fatal(err)
	}
	// The queue counts moved for the site's moderators and this class's
	// educators: their cached pages are dropped, another class's educator's are not.
	for u, want := range map[*models.User]bool{f.educator: true, mod: true, otherTeacher: false} {
		if moved := !updatedAt(u).Equal(before[u]); moved != want {
			t.Errorf("%s's account marked changed: %v, want %v", u.Username, moved, want)
		}
	}
	if ok, _ := models.CanView(f.db, classmate, classNote, false); !ok {
		t.Error("the classmate cannot see the approved note")
	}
	if ok, _ := models.CanView(f.db, mod, classNote, true); ok {
		t.Error("the moderator outside the class sees the approved note")
	}
	// An entry about a note deleted outright (as purge did before it kept
	// a row) stays in everyone's log.
	gone := uint(999999)
	orphan := models.Decision{AnnotationID: &gone, SubjectID: &student.ID, ModeratorID: &mod.ID, Action: models.ActionReject,
		FromStatus: models.StatusPending, ToStatus: models.StatusRejected, CreatedAt: f.now}
	if err := f.db.Create(&orphan).Error; err != nil {
		t.Fatal(err)
	}
	if log, _ := models.DecisionLog(f.db, mod, 50, 0); len(log) == 0 || log[0].ID != orphan.ID {
		t.Errorf("the entry about a deleted note left the log: %+v", log)
	}
	// The log shows the decision to a moderator in the class, not outside it.
	for _, v := range []struct {
		who  *models.User
		want bool
	}{{mod, false}, {admin, false}, {memberMod, true}} {
		log, err := models.DecisionLog(f.db, v.who, 50, 0)
		if err != nil {
			t.Fatal(err)
		}
		about, err := models.DecisionsAboutUser(f.db, v.who, student.ID, 50)
		if err != nil {
			t.Fatal(err)
		}
		for name, entries := range map[string][]models.Decision{"log": log, "user's record": about} {
			found := false
			for _, e := range entries {
				found = found || e.ID == d.ID
			}
			if found != v.want {
				t.Errorf("%s: the class note's decision in %s's view: %v, want %v", name, v.who.Username, found, v.want)
			}
		}
	}
	// Refusals first: they change nothing.
	if _, err := models.Undo(f.db, otherTeacher, d.ID, "", f.now); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("another class's educator undoing: %v", err)
	}
	if _, err := models.Undo(f.db, mod, d.ID, "", f.now); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("a moderator outside the class undoing: %v", err)
	}
	if _, err := models.Undo(f.db, f.educator, d.ID, "", f.now); err != nil {
		t.Errorf("the class's educator may not undo: %v", err)
	}
	ban, err := models.Ban(f.db, mod, student.ID, nil, "", f.now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.Undo(f.db, f.educator, ban.ID, "", f.now); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("an educator undoing a ban: %v", err)
	}
	if _, err := models.Undo(f.db, mod, ban.ID, "", f.now); err != nil {
		t.Errorf("a moderator undoing a ban: %v", err)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// What a class's educators may do stays inside the class: their own notes
// there need no review, no one decides on their own note, approvals in a
// class make an author trusted in that class only, and an educator's
// verdict does not teach the site's classifier.
func TestClassEducatorsPowersStayInTheClass(t *testing.T) {
	f := newClassFixture(t)
	student := f.student("learner")
	helper := f.coEducator("helper")
	screen := func(u *models.User, class *models.Class, body string) models.Verdict {
		t.Helper()
		in := models.AnnotationInput{Kind: models.KindComment, Body: body, Passage: 1, QuoteHint: -1}
		if class != nil {
			in.Visibility, in.ClassID = models.VisibilityClass, &class.ID
		}
		v, err := models.Screen(context.Background(), f.db, models.ScreenConfig{}, models.Submission{Author: u, DocumentID: f.doc.ID,
			Input: in, IP: "192.0.2.9", FormShownAt: f.now.Add(-time.Minute), Now: f.now})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	links := "See https://a.example https://b.example https://c.example https://d.example for more."

	for _, u := range []*models.User{f.educator, helper} {
		if v := screen(u, f.class, links); v.Status != models.StatusPublished || v.Reasons[0] != "written by the class's educator" {
			t.Errorf("%s's own class note: %s %q", u.Username, v.Status, v.Reasons)
		}
	}
	if v := screen(helper, nil, links); v.Status == models.StatusPublished {
		t.Errorf("the helper's public note with four links published: %q", v.Reasons)
	}

	// Three approved class notes: trusted in the class, not on the public site.
	for range 3 {
		f.annotate(student, f.class, 2, models.KindComment)
	}
	if v := screen(student, f.class, links); v.Status != models.StatusPublished {
		t.Errorf("a trusted student's class note: %s %q", v.Status, v.Reasons)
	}
	if v := screen(student, nil, links); v.Status == models.StatusPublished {
		t.Errorf("class approvals made the student trusted on the public site: %q", v.Reasons)
	}

	// No one decides on their own note; a fellow educator may.
	own := f.held(helper, f.class)
	if _, err := models.Decide(f.db, helper, own.ID, models.ActionApprove, "", f.now); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("deciding on one's own note: %v", err)
	}
	if _, err := models.Decide(f.db, f.educator, own.ID, models.ActionApprove, "", f.now); err != nil {
		t.Errorf("the fellow educator approving: %v", err)
	}

	// An educator's spam verdict leaves the classifier alone; a moderator's teaches it.
	memberMod := f.memberModerator("classmod")
	for _, c := range []struct {
		who  *models.User
		want string
	}{{f.educator, ""}, {memberMod, "spam"}} {
		a := f.held(student, f.class)
		if _, err := models.Decide(f.db, c.who, a.ID, models.ActionSpam, "", f.now); err != nil {
			t.Fatal(err)
		}
		if s, err := models.ScreeningOf(f.db, a); err != nil || s.Learnt != c.want {
			t.Errorf("after %s's spam verdict the classifier holds %q (%v), want %q", c.who.Username, s.Learnt, err, c.want)
		}
	}
}
