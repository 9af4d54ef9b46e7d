package handlers

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"margin/models"
)

type searchPage struct {
	Query   string
	TooLong bool
	Results models.SearchResults
}

// searchShow searches documents, passages and the notes the viewer may see.
func (a *App) searchShow(c echo.Context) error {
	q := strings.TrimSpace(c.QueryParam("q"))
	page := searchPage{Query: q, TooLong: len([]rune(q)) > models.MaxSearchLen}
	status := http.StatusOK
	if page.TooLong {
		status = http.StatusBadRequest
	} else if q != "" {
		var err error
		if page.Results, err = models.Search(a.db, a.currentUser(c), q, 50); err != nil {
			return err
		}
	}
	title := "Search"
	if q != "" {
		title = "Search: " + q
	}
	return a.render(c, status, "search", a.newTemplateData(c, title, page))
}
