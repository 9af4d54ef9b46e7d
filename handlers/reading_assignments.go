package handlers

import (
	"fmt"
	"strings"

	"margin/models"
)

// readingAssignment is one assignment of the reading, for the student
// reading it: requirements, live progress, due time and whether classmates
// are hidden until they post.
type readingAssignment struct {
	models.StudentAssignment
	Due     moment
	Waiting bool
}

func (a *App) readingAssignments(viewer *models.User, doc *models.Document) ([]readingAssignment, error) {
	as, err := models.StudentAssignmentsOn(a.db, viewer, doc.ID, a.now())
	if err != nil || len(as) == 0 {
		return nil, err
	}
	out := make([]readingAssignment, len(as))
	for i := range as {
		out[i] = readingAssignment{StudentAssignment: as[i], Due: newMoment(as[i].Assignment.DueAt, &as[i].Assignment)}
		if as[i].Assignment.HideUntilPosted {
			posted, err := models.HasPosted(a.db, &as[i].Assignment, viewer.ID)
			if err != nil {
				return nil, err
			}
			out[i].Waiting = !posted
		}
	}
	return out, nil
}

// assignmentPhase names, for the page key, where now stands against the
// opening and due times of the viewer's assignments on the reading: the bar
// says "late" once the due time passes, with no write to change the page.
// Progress itself moves with the student's notes, which the document's
// version already follows.
func (a *App) assignmentPhase(viewer *models.User, doc *models.Document) (string, error) {
	if viewer == nil {
		return "", nil
	}
	as, err := models.AssignmentsOn(a.db, viewer, doc.ID)
	if err != nil || len(as) == 0 {
		return "", err
	}
	now := a.now()
	var b strings.Builder
	for _, x := range as {
		phase := "open"
		if x.OpensAt != nil && now.Before(*x.OpensAt) {
			phase = "before"
		} else if !now.Before(x.DueAt) {
			phase = "due"
		}
		fmt.Fprintf(&b, "a%d:%s,", x.ID, phase)
	}
	return b.String(), nil
}
