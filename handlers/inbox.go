package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"margin/models"
)

type inboxPage struct {
	Items []models.InboxItem
	// Older counts the unread notifications the page does not show.
	Older int64
}

// inboxShow lists the notifications and marks those it shows as read: the
// page marks them New this once, and the badge in its navigation already
// counts only what is left (notifications beyond the first 100).
func (a *App) inboxShow(c echo.Context) error {
	u := a.currentUser(c)
	items, err := models.Inbox(a.db, u, 100)
	if err != nil {
		return err
	}
	var unread []uint
	for _, it := range items {
		if it.ReadAt == nil {
			unread = append(unread, it.ID)
		}
	}
	if err := models.MarkSeen(a.db, u, unread, a.now()); err != nil {
		return err
	}
	a.state(c).unread = nil // count again, without what this page shows
	older, err := models.UnreadCount(a.db, u)
	if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, "inbox", a.newTemplateData(c, "Inbox", inboxPage{Items: items, Older: older}))
}

func (a *App) inboxRead(c echo.Context) error {
	if err := models.MarkInboxRead(a.db, a.currentUser(c), a.now()); err != nil {
		return err
	}
	return redirect(c, "/inbox")
}
