package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"margin/models"
)

type inboxPage struct {
	Items []models.InboxItem
}

func (a *App) inboxShow(c echo.Context) error {
	items, err := models.Inbox(a.db, a.currentUser(c), 100)
	if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, "inbox", a.newTemplateData(c, "Inbox", inboxPage{Items: items}))
}

func (a *App) inboxRead(c echo.Context) error {
	if err := models.MarkInboxRead(a.db, a.currentUser(c), a.now()); err != nil {
		return err
	}
	return redirect(c, "/inbox")
}
