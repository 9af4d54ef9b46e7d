package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zones must load on hosts without a zoneinfo database

	"github.com/labstack/echo/v4"

	"margin/models"
	"margin/models/textimport"
)

// moment is a time as class pages show it: the <time> element holds UTC,
// which app.js turns into the reader's own zone, and Zoned is the wall
// clock in the zone the educator set the assignment in.
type moment struct {
	UTC   time.Time
	Zoned string
}

func newMoment(t time.Time, as *models.Assignment) moment {
	m := moment{UTC: t}
	if loc := as.Location(); loc != time.UTC {
		m.Zoned = t.In(loc).Format("Mon 2 Jan 2006, 15:04 MST") + ", " + loc.String()
	}
	return m
}

func opensMoment(as *models.Assignment) *moment {
	if as.OpensAt == nil {
		return nil
	}
	m := newMoment(*as.OpensAt, as)
	return &m
}

// timeZones are offered in the assignment form; the educator's browser
// zone is added by script when it is not among them.
var timeZones = []string{"UTC",
	"Africa/Cairo", "Africa/Johannesburg", "Africa/Lagos", "Africa/Nairobi",
	"America/Anchorage", "America/Argentina/Buenos_Aires", "America/Bogota", "America/Chicago", "America/Denver",
	"America/Halifax", "America/Los_Angeles", "America/Mexico_City", "America/New_York", "America/Phoenix",
	"America/Santiago", "America/Sao_Paulo", "America/St_Johns", "America/Toronto", "America/Vancouver",
	"Asia/Bangkok", "Asia/Dhaka", "Asia/Dubai", "Asia/Hong_Kong", "Asia/Jakarta", "Asia/Jerusalem", "Asia/Karachi",
	"Asia/Kathmandu", "Asia/Kolkata", "Asia/Manila", "Asia/Seoul", "Asia/Shanghai", "Asia/Singapore", "Asia/Tehran",
	"Asia/Tokyo", "Atlantic/Azores", "Atlantic/Reykjavik",
	"Australia/Adelaide", "Australia/Brisbane", "Australia/Perth", "Australia/Sydney",
	"Europe/Amsterdam", "Europe/Athens", "Europe/Berlin", "Europe/Dublin", "Europe/Helsinki", "Europe/Istanbul",
	"Europe/Lisbon", "Europe/London", "Europe/Madrid", "Europe/Moscow", "Europe/Paris", "Europe/Rome",
	"Europe/Stockholm", "Europe/Warsaw", "Pacific/Auckland", "Pacific/Honolulu",
}

type assignmentFormPage struct {
	Class     *models.Class
	Editing   *models.Assignment
	Documents []models.DocumentSummary
	Kinds     []models.Kind
	Zones     []string
	// AutoZone asks the script to pick the browser's zone: a new form
	// nobody has chosen a zone in yet.
	AutoZone bool
	// Checked holds the kinds ticked in the form.
	Checked map[models.Kind]bool
	Action  string
	MaxMB   int
}

func (a *App) assignmentFormPage(class *models.Class, editing *models.Assignment, form url.Values) (assignmentFormPage, error) {
	docs, err := models.ListDocuments(a.db)
	if err != nil {
		return assignmentFormPage{}, err
	}
	p := assignmentFormPage{Class: class, Editing: editing, Documents: docs, Kinds: models.Kinds,
		Zones: timeZones, AutoZone: form.Get("zone") == "", MaxMB: a.cfg.MaxImportBytes >> 20,
		Action: fmt.Sprintf("/classes/%d/assignments", class.ID), Checked: map[models.Kind]bool{}}
	for _, k := range form["kinds"] {
		p.Checked[models.Kind(k)] = true
	}
	if editing != nil {
		p.Action = fmt.Sprintf("/assignments/%d/edit", editing.ID)
	}
	if z := form.Get("zone"); z != "" && !slices.Contains(timeZones, z) {
		if _, err := models.LoadZone(z); err == nil {
			p.Zones = append([]string{z}, timeZones...)
		}
	}
	return p, nil
}

func (a *App) renderAssignmentForm(c echo.Context, class *models.Class, editing *models.Assignment, form url.Values, fe models.FieldErrors) error {
	page, err := a.assignmentFormPage(class, editing, form)
	if err != nil {
		return err
	}
	title := "New assignment for " + class.Name
	if editing != nil {
		title = "Edit assignment"
	}
	data := a.newTemplateData(c, title, page)
	data.Form, data.Errors = form, fe
	status := http.StatusOK
	if fe != nil {
		status = http.StatusUnprocessableEntity
	}
	return a.render(c, status, "assignment_form", data)
}

// assignmentInput reads the assignment form. A number that is not one
// becomes -1, which validation refuses.
func assignmentInput(c echo.Context) models.AssignmentInput {
	number := func(name string) int {
		s := strings.TrimSpace(c.FormValue(name))
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return -1
		}
		return n
	}
	in := models.AssignmentInput{Instructions: c.FormValue("instructions"), OpensAt: c.FormValue("opens_at"),
		DueAt: c.FormValue("due_at"), Zone: c.FormValue("zone"), MinAnnotations: number("min_annotations"),
		MinReplies: number("min_replies"), HideUntilPosted: c.FormValue("hide_until_posted") != ""}
	if id, err := strconv.ParseUint(c.FormValue("document_id"), 10, 32); err == nil {
		in.DocumentID = uint(id)
	}
	form, _ := c.FormParams()
	for _, k := range form["kinds"] {
		in.Kinds = append(in.Kinds, models.Kind(k))
	}
	return in
}

func (a *App) assignmentNew(c echo.Context) error {
	class, err := a.taughtClass(c)
	if err != nil {
		return err
	}
	form := url.Values{"min_annotations": {"1"}, "document_id": {c.QueryParam("document")}}
	return a.renderAssignmentForm(c, class, nil, form, nil)
}

func (a *App) assignmentCreate(c echo.Context) error {
	class, err := a.taughtClass(c)
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	in := assignmentInput(c)
	doc, fe, err := a.importForAssignment(c)
	if err != nil {
		return err
	}
	if fe != nil {
		return a.renderAssignmentForm(c, class, nil, form, fe)
	}
	if doc != nil {
		in.DocumentID = doc.ID
		// Shown again after an error, the form has the imported reading chosen.
		form.Set("document_id", strconv.FormatUint(uint64(doc.ID), 10))
		form.Del("content")
	}
	as, err := models.CreateAssignment(a.db, a.currentUser(c), class.ID, in)
	if a.formFailed(err, &fe) {
		return a.renderAssignmentForm(c, class, nil, form, fe)
	}
	if err != nil {
		return err
	}
	a.setFlash(c, "Assigned “"+a.documentTitle(as.DocumentID)+"” to "+class.Name+".")
	return redirect(c, assignmentPath(as.ID))
}

// importForAssignment imports the reading uploaded or pasted with the
// assignment form, if any.
func (a *App) importForAssignment(c echo.Context) (*models.Document, models.FieldErrors, error) {
	fh, ferr := c.FormFile("file")
	hasFile := ferr == nil && fh.Size > 0
	if !hasFile && strings.TrimSpace(c.FormValue("content")) == "" {
		return nil, nil, nil
	}
	name, data, err := a.importInput(c)
	if err != nil {
		return nil, models.FieldErrors{"file": err.Error()}, nil
	}
	parsed, err := textimport.Parse(name, data, "", a.cfg.MaxImportBytes)
	if err != nil {
		return nil, models.FieldErrors{"file": importErrorMessage(err, a.cfg.MaxImportBytes)}, nil
	}
	res, err := models.ImportDocument(a.db, parsed, a.currentUser(c))
	if err != nil {
		return nil, nil, modelMessage(err)
	}
	return res.Document, nil, nil
}

// documentTitle names a document in a message; it never fails a request.
func (a *App) documentTitle(id uint) string {
	d, err := models.DocumentByID(a.db, id)
	if err != nil {
		return "the reading"
	}
	return d.Title
}

func assignmentPath(id uint) string { return fmt.Sprintf("/assignments/%d", id) }

// assignmentParam loads the assignment named in the path with its class,
// for a member of that class; everyone else gets a 404.
func (a *App) assignmentParam(c echo.Context) (*models.Assignment, *models.Class, models.MemberRole, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return nil, nil, "", err
	}
	as, err := models.AssignmentByID(a.db, id)
	if err != nil {
		return nil, nil, "", err
	}
	class, role, err := a.memberClass(c, as.ClassID)
	if err != nil {
		return nil, nil, "", err
	}
	return as, class, role, nil
}

// taughtAssignment is assignmentParam for the class's educators only.
func (a *App) taughtAssignment(c echo.Context) (*models.Assignment, *models.Class, error) {
	as, class, role, err := a.assignmentParam(c)
	if err != nil {
		return nil, nil, err
	}
	if role != models.MemberEducator {
		return nil, nil, errEducatorsOnly
	}
	return as, class, nil
}

func (a *App) assignmentEditShow(c echo.Context) error {
	as, class, err := a.taughtAssignment(c)
	if err != nil {
		return err
	}
	loc := as.Location()
	form := url.Values{
		"document_id":     {strconv.FormatUint(uint64(as.DocumentID), 10)},
		"instructions":    {as.Instructions},
		"due_at":          {as.DueAt.In(loc).Format(models.LocalTimeLayout)},
		"zone":            {as.TimeZone},
		"min_annotations": {strconv.Itoa(as.MinAnnotations)},
		"min_replies":     {strconv.Itoa(as.MinReplies)},
	}
	if as.OpensAt != nil {
		form.Set("opens_at", as.OpensAt.In(loc).Format(models.LocalTimeLayout))
	}
	for _, k := range as.Kinds() {
		form.Add("kinds", string(k))
	}
	if as.HideUntilPosted {
		form.Set("hide_until_posted", "on")
	}
	return a.renderAssignmentForm(c, class, as, form, nil)
}

func (a *App) assignmentEditSubmit(c echo.Context) error {
	as, class, err := a.taughtAssignment(c)
	if err != nil {
		return err
	}
	err = models.UpdateAssignment(a.db, as, assignmentInput(c))
	var fe models.FieldErrors
	if a.formFailed(err, &fe) {
		form, _ := c.FormParams()
		return a.renderAssignmentForm(c, class, as, form, fe)
	}
	if err != nil {
		return err
	}
	a.setFlash(c, "Assignment saved.")
	return redirect(c, assignmentPath(as.ID))
}

func (a *App) assignmentDelete(c echo.Context) error {
	as, class, err := a.taughtAssignment(c)
	if err != nil {
		return err
	}
	if err := models.DeleteAssignment(a.db, as); err != nil {
		return err
	}
	a.setFlash(c, "Assignment deleted. The class's notes on the reading remain.")
	return redirect(c, classPath(class.ID))
}

// assignmentCopy gives another class the educator teaches the same
// assignment.
func (a *App) assignmentCopy(c echo.Context) error {
	as, _, err := a.taughtAssignment(c)
	if err != nil {
		return err
	}
	target, err := strconv.ParseUint(c.FormValue("class_id"), 10, 32)
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "Choose a class to copy the assignment to.")
	}
	role, err := models.MembershipOf(a.db, uint(target), a.currentUser(c).ID)
	if err != nil {
		return err
	}
	if role != models.MemberEducator {
		return echo.NewHTTPError(http.StatusForbidden, "You can copy an assignment only to a class you teach.")
	}
	cp, err := models.CopyAssignment(a.db, a.currentUser(c), as, uint(target))
	if err != nil {
		return err
	}
	a.setFlash(c, "Assignment copied. Check its dates for this class.")
	return redirect(c, assignmentPath(cp.ID))
}
