package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"margin/models"
)

type reattachPage struct {
	Document *models.Document
	Note     *models.Annotation
	Revision *models.Revision // the one the note stayed on
	Passages []models.Passage // of the current text
	// Shown is the current text to select the new place in: all of it, or
	// for a long text the passages around the note's old number.
	Shown []models.Passage
}

// reattachWindow is how many passages either side of the old number a long
// text shows on the re-attach page.
const reattachWindow = 15

// orphanParam loads an orphaned note the current user may re-attach.
func (a *App) orphanParam(c echo.Context) (*reattachPage, error) {
	ann, err := a.annotationParam(c)
	if err != nil {
		return nil, err
	}
	if !models.CanReattach(a.currentUser(c), ann) || ann.IsDeleted() {
		return nil, echo.NewHTTPError(http.StatusForbidden, "Only its author and the document’s editors can re-attach this note.")
	}
	doc, err := models.DocumentByID(a.db, ann.DocumentID)
	if err != nil {
		return nil, err
	}
	if ann.RevisionID == doc.CurrentRevisionID {
		return nil, echo.NewHTTPError(http.StatusConflict, models.ErrNotOrphaned.Error()+".")
	}
	rev, err := models.RevisionByID(a.db, ann.RevisionID)
	if err != nil {
		return nil, err
	}
	passages, err := models.Passages(a.db, doc.CurrentRevisionID)
	if err != nil {
		return nil, err
	}
	shown := passages
	if len(passages) > 2*reattachWindow+1 {
		from := min(max(0, ann.PassageNumber-1-reattachWindow), len(passages)-2*reattachWindow-1)
		shown = passages[from : from+2*reattachWindow+1]
	}
	return &reattachPage{Document: doc, Note: ann, Revision: rev, Passages: passages, Shown: shown}, nil
}

func (a *App) annotationReattachShow(c echo.Context) error {
	page, err := a.orphanParam(c)
	if err != nil {
		return err
	}
	data := a.newTemplateData(c, "Re-attach a note", page)
	data.Form = c.QueryParams()
	return a.render(c, http.StatusOK, "annotation_reattach", data)
}

func (a *App) annotationReattachSubmit(c echo.Context) error {
	page, err := a.orphanParam(c)
	if err != nil {
		return err
	}
	passage, err := strconv.Atoi(strings.TrimSpace(c.FormValue("passage")))
	if err != nil || passage < 1 {
		return a.renderForm(c, "annotation_reattach", "Re-attach a note", models.FieldErrors{"passage": "Give the number of a passage of the current text."}, page)
	}
	err = models.ReattachAnnotation(a.db, page.Note, passage, c.FormValue("quote"))
	var fe models.FieldErrors
	if a.formFailed(err, &fe) {
		return a.renderForm(c, "annotation_reattach", "Re-attach a note", fe, page)
	}
	if errors.Is(err, models.ErrNotOrphaned) {
		return echo.NewHTTPError(http.StatusConflict, err.Error()+".")
	}
	if err != nil {
		return err
	}
	a.setFlash(c, "The note is attached to the current text again.")
	return redirect(c, fmt.Sprintf("/documents/%d#a-%d", page.Document.ID, page.Note.ID))
}
