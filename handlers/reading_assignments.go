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

// readingHeat is a class's heat map laid over the text: each passage shaded
// by its students' notes, with the numbers in words beside it.
type readingHeat struct {
	Assignment *models.Assignment
	ClassName  string
	Cells      map[int]heatCell
	Most       int
}

// heatCell is one passage's share: Level 0 (none) to 4 (the most).
type heatCell struct {
	models.HeatRow
	Level int
}

// readingHeat is for the assignment's class's educators only; anyone else
// asking gets a 404, as for a class they cannot see.
func (a *App) readingHeat(viewer *models.User, doc *models.Document, assignmentID uint) (*readingHeat, error) {
	as, err := models.AssignmentByID(a.db, assignmentID)
	if err != nil {
		return nil, err
	}
	role, err := models.MembershipOf(a.db, as.ClassID, viewer.ID)
	if err != nil {
		return nil, err
	}
	if as.DocumentID != doc.ID || role != models.MemberEducator {
		return nil, models.ErrNotFound
	}
	class, err := models.ClassByID(a.db, as.ClassID)
	if err != nil {
		return nil, err
	}
	rows, err := models.Heat(a.db, as)
	if err != nil {
		return nil, err
	}
	h := &readingHeat{Assignment: as, ClassName: class.Name, Cells: map[int]heatCell{}}
	for _, r := range rows {
		h.Most = max(h.Most, r.Annotations)
	}
	for _, r := range rows {
		cell := heatCell{HeatRow: r}
		if r.Annotations > 0 {
			cell.Level = (4*r.Annotations + h.Most - 1) / h.Most
		}
		h.Cells[r.Number] = cell
	}
	return h, nil
}
