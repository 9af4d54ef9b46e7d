package handlers

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"margin/models"
)

// TestAssignmentBarOnTheReading: a student reading an assigned text sees the
// assignment there (requirements with live progress, the due time, and that
// classmates stay hidden until they post); once the due time passes, the
// cached page says so without any write. Outsiders and the educator see no
// bar.
func TestAssignmentBarOnTheReading(t *testing.T) {
	w := newClassWorld(t, models.AssignmentInput{MinAnnotations: 2, HideUntilPosted: true})
	student, _ := w.student("bar_student")
	outsider, _ := w.ts.loggedIn("bar_outsider", models.RoleReader)
	path := fmt.Sprintf("/documents/%d", w.doc)
	bar := func(c *client) string {
		t.Helper()
		body := c.get(path).body
		i := strings.Index(body, `<aside class="assignment-bar"`)
		if i < 0 {
			return ""
		}
		return body[i : i+strings.Index(body[i:], "</aside>")]
	}
	first := bar(student)
	mustContain(t, first, "Assignment for Diplomacy 101", "due <time", "0 of 2", "hidden until you post", fmt.Sprintf(`href="/assignments/%d"`, w.assignment.ID))
	for who, c := range map[string]*client{"outsider": outsider, "educator": w.teacher, "visitor": w.ts.client()} {
		if b := bar(c); b != "" {
			t.Errorf("the %s sees an assignment bar: %s", who, b)
		}
	}
	w.classNote(student, 2, "comment", "My first class note.")
	after := bar(student)
	mustContain(t, after, "1 of 2")
	mustNotContain(t, after, "hidden until you post")

	// Past the due time the bar says the work is late, though nothing was
	// written. (The due time is moved near the test clock directly, as a
	// session does not live from the test clock to the database's.)
	due := w.ts.now.Add(time.Hour)
	if err := w.ts.db.Model(&models.Assignment{}).Where("id = ?", w.assignment.ID).Update("due_at", due).Error; err != nil {
		t.Fatal(err)
	}
	w.ts.app.pageCache = newPageCache(64 << 20) // the direct update bumped nothing
	mustNotContain(t, bar(student), "past due")
	w.ts.now = due.Add(time.Hour)
	mustContain(t, bar(student), "past due")
}

// TestHeatMapOnTheText: the class's educator lays the heat map over the
// reading (passages shaded, the counts in words beside them, questions and
// disagreements named); students and outsiders asking for it get 404.
func TestHeatMapOnTheText(t *testing.T) {
	w := newClassWorld(t, models.AssignmentInput{MinAnnotations: 1})
	ana, _ := w.student("heat_ana")
	ben, _ := w.student("heat_ben")
	outsider, _ := w.ts.loggedIn("heat_outsider", models.RoleReader)
	w.classNote(ana, 2, "question", "Who decided this?")
	w.classNote(ben, 2, "disagreement", "It was not a honeymoon.")
	w.classNote(ben, 4, "comment", "A turning point.")
	path := fmt.Sprintf("/documents/%d", w.doc)
	heat := fmt.Sprintf("%s?heat=%d", path, w.assignment.ID)

	mustContain(t, w.teacher.get(path).body, fmt.Sprintf(`href="%s"`, heat), "Show Diplomacy 101's heat map on the text")
	page := w.teacher.get(heat)
	if page.status != http.StatusOK {
		t.Fatalf("the educator's heat map: %d", page.status)
	}
	mustContain(t, page.body, "Heat map of Diplomacy 101")
	mustContain(t, page.body, `passage--heat4" id="p-2"`, `passage--heat2" id="p-4"`)
	mustContain(t, sectionOf(page.body, 2), "<strong>2</strong> from the class", "1 question", "1 disagreement")
	mustContain(t, sectionOf(page.body, 4), "<strong>1</strong> from the class")
	mustNotContain(t, sectionOf(page.body, 5), "heat-badge")
	for who, c := range map[string]*client{"student": ana, "outsider": outsider} {
		if res := c.get(heat); res.status != http.StatusNotFound {
			t.Errorf("the %s asking for the heat map: %d, want 404", who, res.status)
		}
	}
	// Without the heat, the text is as ever.
	mustNotContain(t, w.teacher.get(path).body, "passage--heat")
}
