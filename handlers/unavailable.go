package handlers

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"margin/models"
)

// retryAfterSeconds is what a store failure that passes (a full disk, a
// database restarting) asks clients to wait before sending again.
const retryAfterSeconds = "5"

// nothingSaved is the form-level message of a form the store could not
// save: it is shown above the form, with what the user wrote kept in it.
const nothingSaved = "Nothing was saved: the database cannot take changes right now (it may be restarting or out of disk space). " +
	"What you wrote is kept below: send it again in a minute."

// unavailableMessage is the error page's message for the same failure.
const unavailableMessage = "The database cannot be reached or cannot save right now (it may be restarting or out of disk space). " +
	"Nothing was saved. Try again in a minute."

// formFailed tells whether err should re-show the form rather than an
// error page, and with which errors: the model's own field errors (422),
// or, when the store failed for a while, nothingSaved (503, see
// renderForm). The store's failure is logged like any other 5xx.
func (a *App) formFailed(err error, fe *models.FieldErrors) bool {
	if errors.As(err, fe) {
		return true
	}
	if models.Unavailable(err) {
		a.log.Error("form not saved: the store failed", "err", err)
		*fe = models.FieldErrors{"form": nothingSaved}
		return true
	}
	return false
}

// storeFailed is a form re-shown because the store failed: 503 with
// Retry-After, so that scripts and proxies know to send it again.
func storeFailed(c echo.Context, fe models.FieldErrors) bool {
	if fe["form"] != nothingSaved {
		return false
	}
	c.Response().Header().Set("Retry-After", retryAfterSeconds)
	return true
}

// keptField is one field of a form the store failed to save, shown again
// on the error page so that its text is not lost.
type keptField struct {
	Name, Label, Value string
	// Visible fields are prose, shown in a text area the user may copy
	// or change before sending again; the rest go back as they came.
	Visible bool
}

// proseLabels names the free-text fields of Margin's forms.
var proseLabels = map[string]string{
	"body": "Your note", "counterpoint": "Counterpoint", "quote": "Quote", "cite_title": "Citation title",
	"cite_text": "Citation", "cite_url": "Citation address", "feedback": "Feedback", "instructions": "Instructions",
	"description": "Description", "name": "Name", "term": "Term", "title": "Title", "author": "Author",
	"content": "Text", "note": "Note", "details": "Details", "terms": "Blocked terms",
}

// keptFields are the fields of a POST to send again after the store
// failed: every value except passwords (never written into a page), in a
// stable order, prose first.
func keptFields(c echo.Context) []keptField {
	if c.Request().Method != http.MethodPost {
		return nil
	}
	form, err := c.FormParams()
	if err != nil {
		return nil
	}
	var kept []keptField
	for name, vs := range form {
		if strings.Contains(name, "password") {
			continue
		}
		label, prose := proseLabels[name]
		for _, v := range vs {
			kept = append(kept, keptField{Name: name, Label: label, Value: v, Visible: prose && strings.TrimSpace(v) != ""})
		}
	}
	slices.SortStableFunc(kept, func(x, y keptField) int {
		if x.Visible != y.Visible {
			if x.Visible {
				return -1
			}
			return 1
		}
		return strings.Compare(x.Name, y.Name)
	})
	return kept
}
