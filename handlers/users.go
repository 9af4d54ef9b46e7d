package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"margin/models"
)

type userPage struct{ Profile *models.User }

func (a *App) userShow(c echo.Context) error {
	u, err := models.UserByName(a.db, c.Param("name"))
	if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, "user", a.newTemplateData(c, u.Username, userPage{Profile: u}))
}
