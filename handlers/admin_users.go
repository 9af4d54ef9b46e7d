package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"margin/models"
)

// usersPageSize is how many accounts the Users page lists at once.
const usersPageSize = 100

// usersPage is the admins' list of accounts.
type usersPage struct {
	Rows   []usersRow
	Filter models.UserFilter
	Roles  []models.Role
	More   bool
	Back   string // this page with its search, to come back to after a change
}

// usersRow is one account with what an admin may do about it.
type usersRow struct {
	models.UserRow
	Joined string
	Banned bool
	CanBan bool
	Self   bool
}

// adminUsersShow lists accounts, searched by name and role.
func (a *App) adminUsersShow(c echo.Context) error {
	f := models.UserFilter{Name: c.QueryParam("q")}
	if r := c.QueryParam("role"); r != "" {
		role, err := models.ParseRole(r)
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "Choose a role from the list.")
		}
		f.Role = role
	}
	me := a.currentUser(c)
	rows, err := models.ListUsers(a.db, me, f, usersPageSize+1, a.now())
	if err != nil {
		return err
	}
	page := usersPage{Filter: f, Roles: models.Roles, Back: c.Request().URL.RequestURI()}
	if len(rows) > usersPageSize {
		rows, page.More = rows[:usersPageSize], true
	}
	for _, r := range rows {
		page.Rows = append(page.Rows, usersRow{UserRow: r, Joined: ago(r.CreatedAt, a.now()), Banned: r.IsBanned(a.now()),
			CanBan: models.CanBan(me, &r.User), Self: r.ID == me.ID})
	}
	data := a.newTemplateData(c, "Users", page)
	data.Form = url.Values{"q": {f.Name}, "role": {string(f.Role)}}
	return a.render(c, http.StatusOK, "admin_users", data)
}

// adminUserRole changes an account's role; the log keeps it.
func (a *App) adminUserRole(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	role, err := models.ParseRole(c.FormValue("role"))
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "Choose a role from the list.")
	}
	d, err := models.ChangeRole(a.db, a.currentUser(c), id, role, c.FormValue("note"), a.now())
	if err := adminUserError(err); err != nil {
		return err
	}
	u, err := models.UserByID(a.db, id)
	if err != nil {
		return err
	}
	a.setFlash(c, fmt.Sprintf("%s is now %s (was %s). The moderation log keeps it.", u.Username, d.ToStatus, d.FromStatus))
	return redirect(c, backTo(c, "/admin/users"))
}

// adminUserSessions logs an account out everywhere; the log keeps it.
func (a *App) adminUserSessions(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	_, err = models.EndSessionsOf(a.db, a.currentUser(c), id, c.FormValue("note"), a.now())
	if err := adminUserError(err); err != nil {
		return err
	}
	u, err := models.UserByID(a.db, id)
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("%s is logged out everywhere. The moderation log keeps it.", u.Username)
	if u.ID == a.currentUser(c).ID {
		msg = "You are logged out everywhere, this browser too."
	}
	a.setFlash(c, msg)
	return redirect(c, backTo(c, "/admin/users"))
}

func adminUserError(err error) error {
	var fe models.FieldErrors
	if errors.As(err, &fe) {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, fe["note"])
	}
	if err != nil {
		return modelMessage(err)
	}
	return nil
}
