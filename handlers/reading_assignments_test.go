package handlers

import (
	"fmt"
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
