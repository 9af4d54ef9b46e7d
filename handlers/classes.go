package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"margin/models"
)

// classParam loads the class named in the path for one of its members.
// Everyone else gets a 404, so a class's existence is not revealed.
func (a *App) classParam(c echo.Context) (*models.Class, models.MemberRole, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return nil, "", err
	}
	return a.memberClass(c, id)
}

func (a *App) memberClass(c echo.Context, id uint) (*models.Class, models.MemberRole, error) {
	u := a.currentUser(c)
	if u == nil {
		return nil, "", models.ErrNotFound
	}
	role, err := models.MembershipOf(a.db, id, u.ID)
	if err != nil {
		return nil, "", err
	}
	if role == "" {
		return nil, "", models.ErrNotFound
	}
	class, err := models.ClassByID(a.db, id)
	return class, role, err
}

// taughtClass loads the class named in the path for one of its educators;
// its students are refused, everyone else gets a 404.
func (a *App) taughtClass(c echo.Context) (*models.Class, error) {
	class, role, err := a.classParam(c)
	if err != nil {
		return nil, err
	}
	if role != models.MemberEducator {
		return nil, errEducatorsOnly
	}
	return class, nil
}

var errEducatorsOnly = echo.NewHTTPError(http.StatusForbidden, "Only the class's educators can do this.")

type classListPage struct {
	Classes []models.ClassSummary
}

func (a *App) classList(c echo.Context) error {
	classes, err := models.ClassesOf(a.db, a.currentUser(c).ID)
	if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, "classes", a.newTemplateData(c, "Classes", classListPage{Classes: classes}))
}

func (a *App) classNew(c echo.Context) error {
	return a.renderForm(c, "class_form", "New class", nil, nil)
}

// classEditShow is the class form, filled in, for one of its educators.
func (a *App) classEditShow(c echo.Context) error {
	class, err := a.taughtClass(c)
	if err != nil {
		return err
	}
	data := a.newTemplateData(c, "Edit "+class.Name, class)
	data.Form = map[string][]string{"name": {class.Name}, "term": {class.Term}, "description": {class.Description}}
	return a.render(c, http.StatusOK, "class_form", data)
}

func (a *App) classEditSubmit(c echo.Context) error {
	class, err := a.taughtClass(c)
	if err != nil {
		return err
	}
	in := models.ClassInput{Name: c.FormValue("name"), Term: c.FormValue("term"), Description: c.FormValue("description")}
	err = models.UpdateClass(a.db, class, in, a.now())
	var fe models.FieldErrors
	if a.formFailed(err, &fe) {
		return a.renderForm(c, "class_form", "Edit "+class.Name, fe, class)
	}
	if err != nil {
		return err
	}
	a.setFlash(c, "Saved.")
	return redirect(c, classPath(class.ID))
}

func (a *App) classCreate(c echo.Context) error {
	in := models.ClassInput{Name: c.FormValue("name"), Term: c.FormValue("term"), Description: c.FormValue("description")}
	class, err := models.CreateClass(a.db, a.currentUser(c), in, a.now())
	var fe models.FieldErrors
	if a.formFailed(err, &fe) {
		return a.renderForm(c, "class_form", "New class", fe, nil)
	}
	if err != nil {
		return err
	}
	a.setFlash(c, "Class created. Share its join code or link with your students.")
	return redirect(c, classPath(class.ID))
}

type classPage struct {
	Class       *models.Class
	Role        models.MemberRole
	JoinURL     string
	Assignments []classAssignment
	Students    int
	// Educators is how many teach the class: the only one cannot leave it.
	Educators int
	// Following says the viewer gets the class's new notes in their digest.
	Following bool
}

// classAssignment is a line of a class's assignment list: for a student
// their own progress, for an educator how many students are done.
type classAssignment struct {
	Assignment models.Assignment
	Due        moment
	Progress   *models.Progress
	Complete   int
}

func (p classPage) IsEducator() bool { return p.Role == models.MemberEducator }

func (a *App) classShow(c echo.Context) error {
	class, role, err := a.classParam(c)
	if err != nil {
		return err
	}
	page := classPage{Class: class, Role: role}
	if page.Following, err = models.IsFollowing(a.db, a.currentUser(c).ID, 0, class.ID); err != nil {
		return err
	}
	if role == models.MemberEducator {
		page.JoinURL = a.absoluteURL(c, "/join/"+class.JoinCode)
	}
	list, err := models.ClassAssignments(a.db, class.ID)
	if err != nil {
		return err
	}
	members, err := models.Roster(a.db, class.ID)
	if err != nil {
		return err
	}
	for _, m := range members {
		if m.Role == models.MemberEducator {
			page.Educators++
		} else {
			page.Students++
		}
	}
	for i := range list {
		as := &list[i]
		line := classAssignment{Assignment: *as, Due: newMoment(as.DueAt, as)}
		if role == models.MemberEducator {
			rows, err := models.AssignmentTable(a.db, as, a.now())
			if err != nil {
				return err
			}
			for _, r := range rows {
				if r.Met {
					line.Complete++
				}
			}
		} else {
			p, err := models.StudentProgress(a.db, as, a.currentUser(c).ID, a.now())
			if err != nil {
				return err
			}
			line.Progress = &p
		}
		page.Assignments = append(page.Assignments, line)
	}
	return a.render(c, http.StatusOK, "class", a.newTemplateData(c, class.Name, page))
}

// absoluteURL makes a link to share outside the site, such as a join link.
func (a *App) absoluteURL(c echo.Context, path string) string {
	return c.Scheme() + "://" + c.Request().Host + path
}

func classPath(id uint) string { return fmt.Sprintf("/classes/%d", id) }

func (a *App) classCodeRenew(c echo.Context) error {
	class, err := a.taughtClass(c)
	if err != nil {
		return err
	}
	if err := models.NewJoinCode(a.db, class); err != nil {
		return err
	}
	a.setFlash(c, "The class has a new join code; the old code and link no longer work.")
	return redirect(c, classPath(class.ID))
}

type rosterPage struct {
	Class   *models.Class
	Members []models.RosterEntry
}

func (a *App) classRoster(c echo.Context) error {
	class, err := a.taughtClass(c)
	if err != nil {
		return err
	}
	return a.renderRoster(c, class, nil)
}

func (a *App) renderRoster(c echo.Context, class *models.Class, fe models.FieldErrors) error {
	members, err := models.Roster(a.db, class.ID)
	if err != nil {
		return err
	}
	return a.renderForm(c, "class_roster", "Roster of "+class.Name, fe, rosterPage{Class: class, Members: members})
}

func (a *App) classStudentRemove(c echo.Context) error {
	class, err := a.taughtClass(c)
	if err != nil {
		return err
	}
	uid, err := idParam(c, "uid")
	if err != nil {
		return err
	}
	u, err := models.UserByID(a.db, uid)
	if err != nil {
		return err
	}
	if err := models.RemoveStudent(a.db, class.ID, uid, a.now()); err != nil {
		return err
	}
	a.setFlash(c, u.Username+" is no longer in the class.")
	return redirect(c, classPath(class.ID)+"/roster")
}

func (a *App) classEducatorAdd(c echo.Context) error {
	class, err := a.taughtClass(c)
	if err != nil {
		return err
	}
	u, err := models.AddEducator(a.db, class, c.FormValue("username"), a.now())
	var fe models.FieldErrors
	if a.formFailed(err, &fe) {
		return a.renderRoster(c, class, fe)
	}
	if err != nil {
		return err
	}
	a.setFlash(c, u.Username+" is now an educator of the class.")
	return redirect(c, classPath(class.ID)+"/roster")
}

func (a *App) classLeave(c echo.Context) error {
	class, _, err := a.classParam(c)
	if err != nil {
		return err
	}
	err = models.LeaveClass(a.db, class.ID, a.currentUser(c).ID, a.now())
	if errors.Is(err, models.ErrLastEducator) {
		return echo.NewHTTPError(http.StatusConflict, "You are the class's only educator: add another educator before you leave.")
	}
	if err != nil {
		return err
	}
	a.setFlash(c, "You left "+class.Name+".")
	return redirect(c, "/classes")
}

// joinAttempts wrong codes per joinWindow are allowed to each user.
const (
	joinAttempts = 20
	joinWindow   = 30 * time.Minute
)

type joinPage struct {
	// Class is set when a join link was followed: the page asks to confirm.
	Class *models.Class
	Code  string
}

// joinShow shows the code form, or, for a join link, what the class is and
// a button to join it: following a link alone changes nothing.
func (a *App) joinShow(c echo.Context) error {
	code := c.Param("code")
	if code == "" {
		return a.renderForm(c, "class_join", "Join a class", nil, joinPage{})
	}
	class, err := models.ClassByCode(a.db, code)
	if errors.Is(err, models.ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, "This join link does not work: the class may have a new code. Ask your educator for the current one.")
	}
	if err != nil {
		return err
	}
	if role, err := models.MembershipOf(a.db, class.ID, a.currentUser(c).ID); err != nil {
		return err
	} else if role != "" {
		return redirect(c, classPath(class.ID))
	}
	data := a.newTemplateData(c, "Join "+class.Name, joinPage{Class: class, Code: class.DisplayCode()})
	return a.render(c, http.StatusOK, "class_join", data)
}

func (a *App) joinSubmit(c echo.Context) error {
	u := a.currentUser(c)
	limits := []models.Limit{{Bucket: "join-user:" + strconv.FormatUint(uint64(u.ID), 10), Max: joinAttempts, Window: joinWindow}}
	// The try is counted before the code is looked up, so codes sent at
	// once cannot outrun the limit; a right code gives it back.
	try, err := models.RateReserve(a.db, limits, a.now())
	var full *models.RateLimitError
	if errors.As(err, &full) {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(full.Until.Sub(a.now()).Seconds())+1))
		return echo.NewHTTPError(http.StatusTooManyRequests, "Too many wrong codes. Try again "+waitPhrase(full.Until.Sub(a.now()))+".")
	}
	if err != nil {
		return err
	}
	class, err := models.ClassByCode(a.db, c.FormValue("code"))
	if errors.Is(err, models.ErrNotFound) {
		return a.renderForm(c, "class_join", "Join a class",
			models.FieldErrors{"code": "No class has this code. Check it with your educator: it has 12 letters and digits."}, joinPage{})
	}
	if err != nil {
		return err
	}
	if err := try.Release(a.db); err != nil {
		return err
	}
	if err := models.JoinClass(a.db, u, class, a.now()); err != nil {
		return err
	}
	a.setFlash(c, "Welcome to "+class.Name+".")
	return redirect(c, classPath(class.ID))
}
