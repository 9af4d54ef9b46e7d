package handlers

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"margin/models"
)

type userPage struct {
	Profile     *models.User
	Annotations []models.Annotation
	Titles      map[uint]string
}

func (a *App) userShow(c echo.Context) error {
	u, err := models.UserByName(a.db, c.Param("name"))
	if err != nil {
		return err
	}
	anns, err := models.UserAnnotations(a.db, u, a.currentUser(c), 200)
	if err != nil {
		return err
	}
	ids := make([]uint, 0, len(anns))
	for _, x := range anns {
		ids = append(ids, x.DocumentID)
	}
	titles, err := models.DocumentTitles(a.db, ids)
	if err != nil {
		return err
	}
	data := a.newTemplateData(c, u.Username, userPage{Profile: u, Annotations: anns, Titles: titles})
	data.Feeds = append(data.Feeds, feedLink{Title: "Notes by " + u.Username, Href: "/feeds/users/" + url.PathEscape(u.Username)})
	return a.render(c, http.StatusOK, "user", data)
}
