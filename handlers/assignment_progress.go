package handlers

import (
	"cmp"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"margin/models"
	"margin/models/markup"
)

// assignmentHeader is what every page of an assignment shows on top.
type assignmentHeader struct {
	Class        *models.Class
	Assignment   *models.Assignment
	Opens        *moment
	Due          moment
	Open         bool
	Instructions template.HTML
}

func (a *App) assignmentHeader(class *models.Class, as *models.Assignment) assignmentHeader {
	h := assignmentHeader{Class: class, Assignment: as, Opens: opensMoment(as), Due: newMoment(as.DueAt, as), Open: as.IsOpen(a.now())}
	if as.Instructions != "" {
		// Instructions were checked when saved; a failure here only loses the formatting.
		if html, err := markup.Render(as.Instructions); err == nil {
			h.Instructions = html
		} else {
			h.Instructions = template.HTML(template.HTMLEscapeString(as.Instructions))
		}
	}
	return h
}

// workItem is an annotation of a student's with the feedback on it.
type workItem struct {
	Annotation models.Annotation
	Feedback   []models.Feedback
}

func (a *App) studentWork(viewer *models.User, as *models.Assignment, studentID uint) ([]workItem, error) {
	anns, err := models.StudentWork(a.db, as, studentID)
	if err != nil || len(anns) == 0 {
		return nil, err
	}
	ids := make([]uint, len(anns))
	for i, x := range anns {
		ids[i] = x.ID
	}
	fb, err := models.FeedbackFor(a.db, viewer, ids)
	if err != nil {
		return nil, err
	}
	out := make([]workItem, len(anns))
	for i, x := range anns {
		out[i] = workItem{Annotation: x, Feedback: fb[x.ID]}
	}
	return out, nil
}

type studentAssignmentPage struct {
	assignmentHeader
	Progress models.Progress
	Points   *float64
	Work     []workItem
	// Waiting: classmates' notes are hidden from this student until they post.
	Waiting bool
}

func (p studentAssignmentPage) PointsText() string { return pointsText(p.Points) }

func pointsText(p *float64) string {
	if p == nil {
		return ""
	}
	return models.FormatPoints(*p)
}

type dashboardPage struct {
	assignmentHeader
	Rows        []models.StudentRow
	Kinds       []models.Kind
	Done, Late  int
	Heat        heatMap
	CopyTargets []models.Class
}

// assignmentShow is the student's page of an assignment, or for its
// educators the table of every student's progress.
func (a *App) assignmentShow(c echo.Context) error {
	as, class, role, err := a.assignmentParam(c)
	if err != nil {
		return err
	}
	header := a.assignmentHeader(class, as)
	u := a.currentUser(c)
	if role == models.MemberStudent {
		page := studentAssignmentPage{assignmentHeader: header}
		if page.Progress, err = models.StudentProgress(a.db, as, u.ID, a.now()); err != nil {
			return err
		}
		if page.Points, err = models.PointsOf(a.db, as.ID, u.ID); err != nil {
			return err
		}
		if page.Work, err = a.studentWork(u, as, u.ID); err != nil {
			return err
		}
		if as.HideUntilPosted {
			posted, err := models.HasPosted(a.db, as, u.ID)
			if err != nil {
				return err
			}
			page.Waiting = !posted
		}
		return a.render(c, http.StatusOK, "assignment", a.newTemplateData(c, as.Document.Title, page))
	}
	page := dashboardPage{assignmentHeader: header, Kinds: models.Kinds}
	if page.Rows, err = models.AssignmentTable(a.db, as, a.now()); err != nil {
		return err
	}
	for _, r := range page.Rows {
		if r.Status == models.Complete {
			page.Done++
		}
		if r.Status == models.Late {
			page.Late++
		}
	}
	rows, err := models.Heat(a.db, as)
	if err != nil {
		return err
	}
	page.Heat = newHeatMap(as.DocumentID, rows)
	page.Heat.AssignmentID = as.ID
	taught, err := models.TaughtClasses(a.db, u.ID)
	if err != nil {
		return err
	}
	for _, t := range taught {
		if t.ID != class.ID {
			page.CopyTargets = append(page.CopyTargets, t)
		}
	}
	return a.render(c, http.StatusOK, "assignment_dashboard", a.newTemplateData(c, as.Document.Title+": progress", page))
}

type reviewPage struct {
	assignmentHeader
	Student  *models.User
	Progress models.Progress
	Points   *float64
	Work     []workItem
}

func (p reviewPage) PointsText() string { return pointsText(p.Points) }

// taughtStudent loads the assignment the current user teaches and the
// student named by :uid, who must be in its class.
func (a *App) taughtStudent(c echo.Context) (*models.Assignment, *models.Class, *models.User, error) {
	as, class, err := a.taughtAssignment(c)
	if err != nil {
		return nil, nil, nil, err
	}
	uid, err := idParam(c, "uid")
	if err != nil {
		return nil, nil, nil, err
	}
	role, err := models.MembershipOf(a.db, class.ID, uid)
	if err != nil {
		return nil, nil, nil, err
	}
	if role != models.MemberStudent {
		return nil, nil, nil, models.ErrNotFound
	}
	student, err := models.UserByID(a.db, uid)
	return as, class, student, err
}

// assignmentReview shows an educator one student's work, to give feedback
// and points.
func (a *App) assignmentReview(c echo.Context) error {
	as, class, student, err := a.taughtStudent(c)
	if err != nil {
		return err
	}
	return a.renderReview(c, as, class, student, nil)
}

func (a *App) renderReview(c echo.Context, as *models.Assignment, class *models.Class, student *models.User, fe models.FieldErrors) error {
	page := reviewPage{assignmentHeader: a.assignmentHeader(class, as), Student: student}
	var err error
	if page.Progress, err = models.StudentProgress(a.db, as, student.ID, a.now()); err != nil {
		return err
	}
	if page.Points, err = models.PointsOf(a.db, as.ID, student.ID); err != nil {
		return err
	}
	if page.Work, err = a.studentWork(a.currentUser(c), as, student.ID); err != nil {
		return err
	}
	return a.renderForm(c, "assignment_student", student.Username+"’s work", fe, page)
}

func (a *App) assignmentPoints(c echo.Context) error {
	as, class, student, err := a.taughtStudent(c)
	if err != nil {
		return err
	}
	points, err := models.ParsePoints(c.FormValue("points"))
	var fe models.FieldErrors
	if errors.As(err, &fe) {
		return a.renderReview(c, as, class, student, fe)
	}
	if err := models.SetPoints(a.db, as, student.ID, a.currentUser(c), points); err != nil {
		return err
	}
	if points == nil {
		a.setFlash(c, "Points for "+student.Username+" cleared.")
	} else {
		a.setFlash(c, "Points for "+student.Username+" saved: "+models.FormatPoints(*points)+".")
	}
	return redirect(c, backTo(c, reviewPath(as.ID, student.ID)))
}

func reviewPath(assignmentID, studentID uint) string {
	return fmt.Sprintf("/assignments/%d/students/%d", assignmentID, studentID)
}

// feedbackCreate stores an educator's private feedback on one of a
// student's annotations for the assignment.
func (a *App) feedbackCreate(c echo.Context) error {
	as, class, student, err := a.taughtStudent(c)
	if err != nil {
		return err
	}
	aid, err := parseID(c.FormValue("annotation_id"))
	if err != nil {
		return err
	}
	ann, err := models.AnnotationByID(a.db, aid)
	if err != nil {
		return err
	}
	if ann.AuthorID != student.ID || ann.DocumentID != as.DocumentID || ann.ClassID == nil || *ann.ClassID != class.ID {
		return models.ErrNotFound
	}
	_, err = models.AddFeedback(a.db, a.currentUser(c), ann, c.FormValue("feedback"))
	var fe models.FieldErrors
	if a.formFailed(err, &fe) {
		fe[fmt.Sprintf("feedback-%d", ann.ID)] = cmp.Or(fe["feedback"], fe["form"])
		return a.renderReview(c, as, class, student, fe)
	}
	if err != nil {
		return err
	}
	a.setFlash(c, "Feedback sent to "+student.Username+". Only they and the class's educators can read it.")
	return redirect(c, fmt.Sprintf("%s#w-%d", reviewPath(as.ID, student.ID), ann.ID))
}

func parseID(s string) (uint, error) {
	id, err := strconv.ParseUint(s, 10, 32)
	if err != nil || id == 0 {
		return 0, models.ErrNotFound
	}
	return uint(id), nil
}

type myAssignmentsPage struct {
	Items []myAssignment
}

type myAssignment struct {
	models.StudentAssignment
	Due moment
}

// myAssignments lists the assignments of every class the user is a
// student in, with where they stand.
func (a *App) myAssignments(c echo.Context) error {
	list, err := models.StudentAssignments(a.db, a.currentUser(c), a.now())
	if err != nil {
		return err
	}
	page := myAssignmentsPage{}
	for i := range list {
		page.Items = append(page.Items, myAssignment{StudentAssignment: list[i], Due: newMoment(list[i].Assignment.DueAt, &list[i].Assignment)})
	}
	return a.render(c, http.StatusOK, "assignments", a.newTemplateData(c, "My assignments", page))
}
