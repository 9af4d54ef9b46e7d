package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"margin/models"
)

type errorPage struct {
	Status  int
	Heading string
	Message string
	// Kept holds, when the store failed to save a form, what was sent, for
	// the Retry form that sends it again to RetryTo.
	Kept    []keptField
	RetryTo string
}

// handleError is the one place errors become pages: HTTP errors and model
// sentinels show their message; anything else is logged and shown as a plain 500.
func (a *App) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status := statusOf(err)
	msg := ""
	var he *echo.HTTPError
	if errors.As(err, &he) {
		if s, ok := he.Message.(string); ok {
			msg = s
		}
		if status == http.StatusRequestEntityTooLarge {
			msg = "That upload or form is too large."
		}
	}
	if status >= 500 {
		a.log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
		msg = ""
	}
	heading := http.StatusText(status)
	if msg == "" || msg == heading {
		msg = defaultErrorMessage(status)
	}
	if status == http.StatusServiceUnavailable {
		c.Response().Header().Set("Retry-After", retryAfterSeconds)
	}
	if c.Request().Method == http.MethodHead {
		c.NoContent(status)
		return
	}
	if isAPIPath(c.Request().URL.Path) {
		if msg == defaultErrorMessage(status) && status < 500 {
			msg = heading
		}
		c.JSON(status, map[string]any{"status": status, "error": msg})
		return
	}
	page := errorPage{Status: status, Heading: heading, Message: msg}
	if models.Unavailable(err) {
		page.Kept = keptFields(c)
		page.RetryTo = safeLocalPath(c.Request().URL.RequestURI(), "/")
	}
	data := a.newTemplateData(c, heading, page)
	if rerr := a.render(c, status, "error", data); rerr != nil {
		a.log.Error("render error page", "err", rerr)
		c.String(status, heading+": "+msg)
	}
}

// statusOf maps an error to the HTTP status it stands for.
func statusOf(err error) int {
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		return he.Code
	case errors.Is(err, models.ErrNotFound), errors.Is(err, gorm.ErrRecordNotFound):
		return http.StatusNotFound
	case errors.Is(err, models.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, models.ErrConflict):
		return http.StatusConflict
	case models.Unavailable(err):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

func defaultErrorMessage(status int) string {
	switch status {
	case http.StatusNotFound:
		return "There is nothing here. The page may have moved, or it is not yours to see."
	case http.StatusForbidden:
		return "You are not allowed to do that."
	case http.StatusUnauthorized:
		return "Log in to do that."
	case http.StatusMethodNotAllowed:
		return "That address does not accept this kind of request."
	case http.StatusTooManyRequests:
		return "Too many requests. Wait a little and try again."
	case http.StatusServiceUnavailable:
		return unavailableMessage
	case http.StatusInternalServerError:
		return "Something went wrong on our side. It has been logged; please try again."
	}
	return "The request could not be completed."
}
