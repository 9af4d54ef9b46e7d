package models_test

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"margin/models"
	"margin/models/modeltest"
	"margin/models/passhash"
	"margin/models/textimport"
)

// classFixture is a database with an educator, a class and a reading.
type classFixture struct {
	t        *testing.T
	db       *gorm.DB
	now      time.Time
	educator *models.User
	class    *models.Class
	doc      *models.Document
}

func newClassFixture(t *testing.T) *classFixture {
	t.Helper()
	// Annotations get the real clock's time: the fixture's now is that clock.
	f := &classFixture{t: t, db: modeltest.Open(t), now: time.Now().UTC().Truncate(time.Minute)}
	f.educator = f.user("teacher", models.RoleEducator)
	var err error
	f.class, err = models.CreateClass(f.db, f.educator, models.ClassInput{Name: "Cold War History", Term: "Spring 2026"}, f.now)
	if err != nil {
		t.Fatal(err)
	}
	f.doc = f.document("Reading one", "First passage about Yalta.\n\nSecond passage about Potsdam.\n\nThird passage about Berlin.")
	return f
}

func (f *classFixture) user(name string, role models.Role) *models.User {
	f.t.Helper()
	u, err := models.CreateUser(f.db, models.NewUser{Username: name, Password: "a long enough password 1", Role: role}, passhash.Fast)
	if err != nil {
		f.t.Fatal(err)
	}
	return u
}

func (f *classFixture) document(title, text string) *models.Document {
	f.t.Helper()
	parsed, err := textimport.Parse("x.txt", []byte("# "+title+"\n\n"+text), textimport.FormatMarkdown, 0)
	if err != nil {
		f.t.Fatal(err)
	}
	res, err := models.ImportDocument(f.db, parsed, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	return res.Document
}

func (f *classFixture) student(name string) *models.User {
	f.t.Helper()
	u := f.user(name, models.RoleReader)
	if err := models.JoinClass(f.db, u, f.class, f.now); err != nil {
		f.t.Fatal(err)
	}
	return u
}

// annotate posts a note on passage p, shared with class (nil: public).
func (f *classFixture) annotate(u *models.User, class *models.Class, p int, kind models.Kind) *models.Annotation {
	f.t.Helper()
	in := models.AnnotationInput{Kind: kind, Body: fmt.Sprintf("%s by %s", kind, u.Username), Passage: p, QuoteHint: -1}
	if kind == models.KindDisagreement {
		in.Counterpoint = "Not so."
	}
	if kind == models.KindReference {
		in.Citations = []models.Citation{{Text: "A book."}}
	}
	if class != nil {
		in.Visibility, in.ClassID = models.VisibilityClass, &class.ID
	}
	a, err := models.CreateAnnotation(f.db, u, f.doc, in, models.StatusPublished)
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

func (f *classFixture) reply(u *models.User, parent *models.Annotation, kind models.Kind) *models.Annotation {
	f.t.Helper()
	in := models.AnnotationInput{Kind: kind, Body: "reply by " + u.Username}
	if kind == models.KindDisagreement {
		in.Counterpoint = "Not so."
	}
	a, err := models.CreateReply(f.db, u, parent, in, models.StatusPublished)
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

// at moves an annotation's creation time.
func (f *classFixture) at(a *models.Annotation, t time.Time) {
	f.t.Helper()
	if err := f.db.Model(a).UpdateColumn("created_at", t).Error; err != nil {
		f.t.Fatal(err)
	}
	a.CreatedAt = t
}

func (f *classFixture) docVersion() int64 {
	f.t.Helper()
	d, err := models.DocumentByID(f.db, f.doc.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return d.Version
}

var joinCodePattern = regexp.MustCompile(`^[ABCDEFGHJKLMNPQRSTUVWXYZ2-9]{12}$`)

func TestCreateClass(t *testing.T) {
	f := newClassFixture(t)
	if !joinCodePattern.MatchString(f.class.JoinCode) {
		t.Errorf("join code %q is not 12 unambiguous symbols", f.class.JoinCode)
	}
	if d := f.class.DisplayCode(); len(d) != 14 || d[4] != '-' || d[9] != '-' {
		t.Errorf("display code %q", d)
	}
	role, err := models.MembershipOf(f.db, f.class.ID, f.educator.ID)
	if err != nil || role != models.MemberEducator {
		t.Errorf("creator's role = %q, %v; want educator", role, err)
	}
	seen := map[string]bool{f.class.JoinCode: true}
	for i := 0; i < 20; i++ {
		c, err := models.CreateClass(f.db, f.educator, models.ClassInput{Name: fmt.Sprint("Class ", i)}, f.now)
		if err != nil {
			t.Fatal(err)
		}
		if seen[c.JoinCode] {
			t.Fatalf("join code %s given twice", c.JoinCode)
		}
		seen[c.JoinCode] = true
	}

	reader := f.user("reader", models.RoleReader)
	if _, err := models.CreateClass(f.db, reader, models.ClassInput{Name: "Mine"}, f.now); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("a reader creating a class: %v, want ErrForbidden", err)
	}
	_, err = models.CreateClass(f.db, f.educator, models.ClassInput{Name: "  ", Term: strings.Repeat("x", 101)}, f.now)
	var fe models.FieldErrors
	if !errors.As(err, &fe) || fe["name"] == "" || fe["term"] == "" {
		t.Errorf("invalid class: %v", err)
	}
}

func TestJoinLeaveAndRoster(t *testing.T) {
	f := newClassFixture(t)
	ann := f.user("ann", models.RoleReader)
	typed := strings.ToLower(f.class.DisplayCode()[:7]) + " " + f.class.DisplayCode()[7:]
	c, err := models.ClassByCode(f.db, typed)
	if err != nil || c.ID != f.class.ID {
		t.Fatalf("code as typed %q: %v", typed, err)
	}
	if _, err := models.ClassByCode(f.db, "ABCD-EFGH-JKLM"); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("a wrong code: %v", err)
	}
	before := f.now.Add(-time.Hour)
	f.db.Model(ann).UpdateColumn("updated_at", before)
	if err := models.JoinClass(f.db, ann, c, f.now); err != nil {
		t.Fatal(err)
	}
	// Joining twice changes nothing.
	if err := models.JoinClass(f.db, ann, c, f.now); err != nil {
		t.Fatal(err)
	}
	if u, _ := models.UserByID(f.db, ann.ID); !u.UpdatedAt.After(before) {
		t.Error("joining did not touch the user's row, so cached pages would not see it")
	}
	bob := f.student("bob")
	roster, err := models.Roster(f.db, f.class.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range roster {
		got = append(got, m.Username+":"+string(m.Role))
	}
	if want := "teacher:educator ann:student bob:student"; strings.Join(got, " ") != want {
		t.Errorf("roster = %v, want %s", got, want)
	}

	if err := models.RemoveStudent(f.db, f.class.ID, f.educator.ID, f.now); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("removing an educator as a student: %v", err)
	}
	if err := models.RemoveStudent(f.db, f.class.ID, bob.ID, f.now); err != nil {
		t.Fatal(err)
	}
	if role, _ := models.MembershipOf(f.db, f.class.ID, bob.ID); role != "" {
		t.Errorf("removed student still has role %q", role)
	}
	if err := models.LeaveClass(f.db, f.class.ID, ann.ID, f.now); err != nil {
		t.Fatal(err)
	}
	if err := models.LeaveClass(f.db, f.class.ID, ann.ID, f.now); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("leaving twice: %v", err)
	}
	if err := models.LeaveClass(f.db, f.class.ID, f.educator.ID, f.now); !errors.Is(err, models.ErrLastEducator) {
		t.Errorf("the last educator leaving: %v", err)
	}
}

func TestAddEducator(t *testing.T) {
	f := newClassFixture(t)
	ta := f.student("assistant")
	if _, err := models.AddEducator(f.db, f.class, " Assistant ", f.now); err != nil {
		t.Fatal(err)
	}
	if role, _ := models.MembershipOf(f.db, f.class.ID, ta.ID); role != models.MemberEducator {
		t.Errorf("promoted student's role = %q", role)
	}
	var fe models.FieldErrors
	if _, err := models.AddEducator(f.db, f.class, "assistant", f.now); !errors.As(err, &fe) {
		t.Errorf("adding an educator twice: %v", err)
	}
	if _, err := models.AddEducator(f.db, f.class, "nobody", f.now); !errors.As(err, &fe) || !strings.Contains(fe["username"], "nobody") {
		t.Errorf("adding an unknown user: %v", err)
	}
	// With two educators, one may leave.
	if err := models.LeaveClass(f.db, f.class.ID, f.educator.ID, f.now); err != nil {
		t.Errorf("an educator leaving a class with another educator: %v", err)
	}
}

func TestClassAnnotationNeedsMembership(t *testing.T) {
	f := newClassFixture(t)
	outsider := f.user("outsider", models.RoleReader)
	_, err := models.CreateAnnotation(f.db, outsider, f.doc, models.AnnotationInput{Kind: models.KindComment, Body: "Let me in.",
		Passage: 1, QuoteHint: -1, Visibility: models.VisibilityClass, ClassID: &f.class.ID}, models.StatusPublished)
	var fe models.FieldErrors
	if !errors.As(err, &fe) || fe["visibility"] == "" {
		t.Fatalf("a non-member posting into the class: %v, want a visibility error", err)
	}
	var n int64
	f.db.Model(&models.Annotation{}).Count(&n)
	if n != 0 {
		t.Errorf("%d annotations stored", n)
	}
	member := f.student("member")
	f.annotate(member, f.class, 1, models.KindComment)
}

func TestClassChoicesDefaultToTheAssigningClass(t *testing.T) {
	f := newClassFixture(t)
	s := f.student("sam")
	other, err := models.CreateClass(f.db, f.educator, models.ClassInput{Name: "Another class"}, f.now)
	if err != nil {
		t.Fatal(err)
	}
	if err := models.JoinClass(f.db, s, other, f.now); err != nil {
		t.Fatal(err)
	}
	choices, err := models.ClassChoices(f.db, s, f.doc.ID)
	if err != nil || len(choices) != 2 {
		t.Fatalf("choices = %v, %v", choices, err)
	}
	for _, c := range choices {
		if c.Default {
			t.Errorf("class %s is the default with no assignment", c.Name)
		}
	}
	f.assign(other, models.AssignmentInput{MinAnnotations: 1})
	choices, _ = models.ClassChoices(f.db, s, f.doc.ID)
	for _, c := range choices {
		if c.Default != (c.ID == other.ID) {
			t.Errorf("class %s default = %v", c.Name, c.Default)
		}
	}
	if none, _ := models.ClassChoices(f.db, f.user("loner", models.RoleReader), f.doc.ID); len(none) != 0 {
		t.Errorf("a user in no class gets choices %v", none)
	}
}

func TestMembershipChangesBumpAssignedReadings(t *testing.T) {
	f := newClassFixture(t)
	f.assign(f.class, models.AssignmentInput{MinAnnotations: 1})
	v := f.docVersion()
	s := f.student("sue")
	if f.docVersion() == v {
		t.Error("a student joining did not change the assigned reading's version")
	}
	v = f.docVersion()
	if err := models.RemoveStudent(f.db, f.class.ID, s.ID, f.now); err != nil {
		t.Fatal(err)
	}
	if f.docVersion() == v {
		t.Error("removing a student did not change the assigned reading's version")
	}
}
