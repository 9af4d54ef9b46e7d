package models_test

import (
	"errors"
	"strings"
	"testing"

	"margin/models"
)

func TestParsePoints(t *testing.T) {
	cases := []struct {
		in   string
		want string // "" for nil, "err" for an error
	}{
		{"", ""}, {"  ", ""}, {"7", "7"}, {"7.5", "7.5"}, {"7,25", "7.25"}, {"0", "0"}, {"3.14159", "3.14"},
		{"-1", "err"}, {"10001", "err"}, {"NaN", "err"}, {"Inf", "err"}, {"seven", "err"}, {"=1+1", "err"},
	}
	for _, tc := range cases {
		p, err := models.ParsePoints(tc.in)
		got := ""
		switch {
		case err != nil:
			got = "err"
		case p != nil:
			got = models.FormatPoints(*p)
		}
		if got != tc.want {
			t.Errorf("ParsePoints(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPoints(t *testing.T) {
	f := newClassFixture(t)
	a := f.assign(f.class, models.AssignmentInput{MinAnnotations: 1})
	s := f.student("graded")
	if p, err := models.PointsOf(f.db, a.ID, s.ID); p != nil || err != nil {
		t.Fatalf("before grading: %v, %v", p, err)
	}
	for _, v := range []float64{8, 9.5} {
		if err := models.SetPoints(f.db, a, s.ID, f.educator, &v); err != nil {
			t.Fatal(err)
		}
		if p, _ := models.PointsOf(f.db, a.ID, s.ID); p == nil || *p != v {
			t.Errorf("points = %v, want %v", p, v)
		}
	}
	rows, err := models.AssignmentTable(f.db, a, f.now)
	if err != nil || len(rows) != 1 || rows[0].Points == nil || *rows[0].Points != 9.5 {
		t.Errorf("table points: %+v, %v", rows, err)
	}
	if err := models.SetPoints(f.db, a, s.ID, f.educator, nil); err != nil {
		t.Fatal(err)
	}
	if p, _ := models.PointsOf(f.db, a.ID, s.ID); p != nil {
		t.Errorf("cleared points read %v", *p)
	}
}

// TestFeedbackPrivacy: feedback is given by the class's educators and read
// only by the annotation's author and those educators.
func TestFeedbackPrivacy(t *testing.T) {
	f := newClassFixture(t)
	f.assign(f.class, models.AssignmentInput{MinAnnotations: 1})
	author, classmate := f.student("author"), f.student("classmate")
	outsider := f.user("outsider", models.RoleAdmin)
	note := f.annotate(author, f.class, 2, models.KindComment)
	public := f.annotate(author, nil, 2, models.KindComment)

	if _, err := models.AddFeedback(f.db, classmate, note, "Nice."); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("a student giving feedback: %v", err)
	}
	if _, err := models.AddFeedback(f.db, outsider, note, "Nice."); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("an admin outside the class giving feedback: %v", err)
	}
	if _, err := models.AddFeedback(f.db, f.educator, public, "Nice."); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("feedback on a public note: %v", err)
	}
	var fe models.FieldErrors
	if _, err := models.AddFeedback(f.db, f.educator, note, "   "); !errors.As(err, &fe) {
		t.Errorf("empty feedback: %v", err)
	}
	fb, err := models.AddFeedback(f.db, f.educator, note, "Good *close* reading. <script>alert(1)</script>")
	if err != nil {
		t.Fatal(err)
	}
	if fb.BodyHTML == "" || strings.Contains(fb.BodyHTML, "<script") {
		t.Errorf("feedback HTML: %q", fb.BodyHTML)
	}
	for _, tc := range []struct {
		who  *models.User
		sees bool
	}{{author, true}, {f.educator, true}, {classmate, false}, {outsider, false}, {nil, false}} {
		got, err := models.FeedbackFor(f.db, tc.who, []uint{note.ID})
		if err != nil {
			t.Fatal(err)
		}
		if (len(got[note.ID]) == 1) != tc.sees {
			name := "anonymous"
			if tc.who != nil {
				name = tc.who.Username
			}
			t.Errorf("%s sees %d pieces of feedback, want visible=%v", name, len(got[note.ID]), tc.sees)
		}
	}
	list, err := models.StudentAssignments(f.db, author, f.now)
	if err != nil || len(list) != 1 || list[0].Feedback != 1 || list[0].ClassName != "Cold War History" ||
		list[0].Progress.Status != models.Complete {
		t.Errorf("my assignments: %+v, %v", list, err)
	}
}
