package handlers

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"margin/models"
	"margin/models/textimport"
)

type libraryPage struct {
	Documents []models.DocumentSummary
}

func (a *App) libraryShow(c echo.Context) error {
	docs, err := models.ListDocuments(a.db)
	if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, "library", a.newTemplateData(c, "Library", libraryPage{Documents: docs}))
}

type documentPage struct {
	Document  *models.Document
	Revision  *models.Revision
	Passages  []models.Passage
	Revisions []models.Revision
	IsCurrent bool
}

// idParam reads a numeric path parameter; anything else is a 404.
func idParam(c echo.Context, name string) (uint, error) {
	id, err := strconv.ParseUint(c.Param(name), 10, 32)
	if err != nil || id == 0 {
		return 0, models.ErrNotFound
	}
	return uint(id), nil
}

func (a *App) documentShow(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	doc, err := models.DocumentByID(a.db, id)
	if err != nil {
		return err
	}
	var rev *models.Revision
	if n := c.QueryParam("rev"); n != "" {
		num, convErr := strconv.Atoi(n)
		if convErr != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "The revision must be a number.")
		}
		rev, err = models.RevisionByNumber(a.db, doc.ID, num)
	} else {
		rev, err = models.RevisionByID(a.db, doc.CurrentRevisionID)
	}
	if err != nil {
		return err
	}
	passages, err := models.Passages(a.db, rev.ID)
	if err != nil {
		return err
	}
	revs, err := models.Revisions(a.db, doc.ID)
	if err != nil {
		return err
	}
	page := documentPage{Document: doc, Revision: rev, Passages: passages, Revisions: revs, IsCurrent: rev.ID == doc.CurrentRevisionID}
	return a.render(c, http.StatusOK, "document", a.newTemplateData(c, doc.Title, page))
}

type documentEditPage struct{ Document *models.Document }

func (a *App) documentEditShow(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	doc, err := models.DocumentByID(a.db, id)
	if err != nil {
		return err
	}
	data := a.newTemplateData(c, "Edit "+doc.Title, documentEditPage{Document: doc})
	data.Form = map[string][]string{"title": {doc.Title}, "author": {doc.Author},
		"source_url": {doc.SourceURL}, "published_on": {doc.PublishedOn}}
	return a.render(c, http.StatusOK, "document_edit", data)
}

func (a *App) documentEditSubmit(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	doc, err := models.DocumentByID(a.db, id)
	if err != nil {
		return err
	}
	meta := models.DocumentMeta{Title: c.FormValue("title"), Author: c.FormValue("author"),
		SourceURL: c.FormValue("source_url"), PublishedOn: c.FormValue("published_on")}
	err = models.UpdateDocumentMeta(a.db, id, meta)
	var fe models.FieldErrors
	if errors.As(err, &fe) {
		return a.renderForm(c, "document_edit", "Edit "+doc.Title, fe, documentEditPage{Document: doc})
	}
	if err != nil {
		return err
	}
	a.setFlash(c, "Saved.")
	return redirect(c, fmt.Sprintf("/documents/%d", id))
}

type importPage struct{ MaxMB int }

func (a *App) documentImportShow(c echo.Context) error {
	return a.renderForm(c, "document_import", "Import a document", nil, importPage{MaxMB: a.cfg.MaxImportBytes >> 20})
}

func (a *App) documentImportSubmit(c echo.Context) error {
	page := importPage{MaxMB: a.cfg.MaxImportBytes >> 20}
	fail := func(msg string) error {
		return a.renderForm(c, "document_import", "Import a document", models.FieldErrors{"file": msg}, page)
	}
	name, data, err := a.importInput(c)
	if err != nil {
		return fail(err.Error())
	}
	format := textimport.Format(c.FormValue("format"))
	switch format {
	case "", textimport.FormatText, textimport.FormatMarkdown, textimport.FormatHTML:
	default:
		return fail("Choose plain text, Markdown or HTML.")
	}
	parsed, err := textimport.Parse(name, data, format, a.cfg.MaxImportBytes)
	if err != nil {
		return fail(importErrorMessage(err, a.cfg.MaxImportBytes))
	}
	if t := strings.TrimSpace(c.FormValue("title")); t != "" {
		parsed.Title = t
	}
	uid := a.currentUser(c).ID
	res, err := models.ImportDocument(a.db, parsed, &uid)
	if err != nil {
		return err
	}
	if res.Created {
		a.setFlash(c, fmt.Sprintf("Imported “%s”.", res.Document.Title))
	} else {
		a.setFlash(c, "This text is already in the library; here it is.")
	}
	return redirect(c, fmt.Sprintf("/documents/%d", res.Document.ID))
}

// importInput takes the uploaded file, or else the pasted text.
func (a *App) importInput(c echo.Context) (string, []byte, error) {
	fh, err := c.FormFile("file")
	if err == nil && fh.Size > 0 {
		if fh.Size > int64(a.cfg.MaxImportBytes) {
			return "", nil, fmt.Errorf("%s is larger than the limit of %d MB.", fh.Filename, a.cfg.MaxImportBytes>>20)
		}
		f, err := fh.Open()
		if err != nil {
			return "", nil, err
		}
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, int64(a.cfg.MaxImportBytes)+1))
		return fh.Filename, data, err
	}
	if text := c.FormValue("content"); strings.TrimSpace(text) != "" {
		return "", []byte(text), nil
	}
	return "", nil, errors.New("Choose a file to upload or paste the text.")
}

func importErrorMessage(err error, max int) string {
	switch {
	case errors.Is(err, textimport.ErrTooLarge):
		return fmt.Sprintf("The document is larger than the limit of %d MB.", max>>20)
	case errors.Is(err, textimport.ErrEmpty):
		return "The document is empty."
	case errors.Is(err, textimport.ErrBinary):
		return "This is not a text document (it looks like a binary file). Upload plain text, Markdown or HTML."
	case errors.Is(err, textimport.ErrEncoding):
		return "The document's text encoding could not be read. Save it as UTF-8 and try again."
	}
	return "The document could not be read: " + err.Error()
}

func bodyLimit(n int) string { return fmt.Sprintf("%dB", n) }
