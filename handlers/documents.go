package handlers

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"margin/models"
	"margin/models/anchor"
	"margin/models/textimport"
)

type libraryPage struct {
	Documents []models.DocumentSummary
	// Checklist is a new site's first steps, for admins until done or put away.
	Checklist *models.Checklist
}

func (a *App) libraryShow(c echo.Context) error {
	docs, err := models.ListDocuments(a.db)
	if err != nil {
		return err
	}
	page := libraryPage{Documents: docs}
	if u := a.currentUser(c); u != nil && u.IsAdmin() {
		list, err := models.ReadChecklist(a.db)
		if err != nil {
			return err
		}
		if list.Show() {
			page.Checklist = &list
		}
	}
	return a.render(c, http.StatusOK, "library", a.newTemplateData(c, "Library", page))
}

// checklistDismiss puts the first steps away.
func (a *App) checklistDismiss(c echo.Context) error {
	if err := models.DismissChecklist(a.db, a.now()); err != nil {
		return err
	}
	a.setFlash(c, "The first steps are put away. Everything they pointed to stays where it is: Import, Classes, Admin → Users, and margin spam train.")
	return redirect(c, "/")
}

type documentPage struct {
	Document *models.Document
	Revision *models.Revision
	// Rendered holds each passage's HTML with its notes (see passageFragments).
	// Single is the page of one passage with every thread; the reading view
	// shows the first marginPreview threads of each passage and links there.
	Single  bool
	Passage int // the passage of a Single page
	// Assignments are the reading's assignments, for a student viewer;
	// Taught, for an educator, those of the classes they teach, whose heat
	// maps they can lay over the text; Heat is the one laid over it.
	Assignments []readingAssignment
	Taught      []models.TaughtAssignment
	Heat        *readingHeat
	Rendered    []template.HTML
	Revisions   []models.Revision
	IsCurrent   bool
	Kinds       []models.Kind
	// Filter (a kind), Author and Class choose the notes shown (see
	// readingFilter), Sort their order; Query is all four as a query
	// string, for links, and Bar what the filter bar offers and counts.
	Filter models.Kind
	Author string
	Class  uint
	Sort   string
	Query  string
	Bar    *filterBar
	// Orphaned counts notes that could not be placed on the current text,
	// listed in Orphans, for the document's editors and the notes' authors.
	Orphaned int64
	Orphans  []models.Orphan
	// Following says the viewer gets the document's new notes in their
	// daily digest.
	Following bool
}

// idParam reads a numeric path parameter; anything else is a 404.
func idParam(c echo.Context, name string) (uint, error) {
	id, err := strconv.ParseUint(c.Param(name), 10, 32)
	if err != nil || id == 0 {
		return 0, models.ErrNotFound
	}
	return uint(id), nil
}

func (a *App) documentParam(c echo.Context) (*models.Document, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return nil, err
	}
	return models.DocumentByID(a.db, id)
}

// documentShow serves the reading view. Pages are cached by a key holding
// the document's version and the viewer's state, all read from the
// database on this request, and answered with 304 when the browser has
// them; a page missing from the cache is put together from cached parts
// (see documentAssemble).
func (a *App) documentShow(c echo.Context) error {
	doc, err := a.documentParam(c)
	if err != nil {
		return err
	}
	viewer := a.currentUser(c)
	filter, err := a.readingFilter(c, viewer)
	if err != nil {
		return err
	}
	revParam := c.QueryParam("rev")
	heat64, _ := strconv.ParseUint(c.QueryParam("heat"), 10, 32)
	heat := uint(heat64)
	unread := a.unread(c)
	cacheable := !a.hasFlash(c)
	dq := documentQuery{filter, revParam, heat}
	if !cacheable {
		body, _, err := a.documentAssemble(c, doc, viewer, dq, "", false)
		if err != nil {
			return err
		}
		return c.HTMLBlob(http.StatusOK, body)
	}
	phase, err := a.assignmentPhase(viewer, doc)
	if err != nil {
		return err
	}
	key := fmt.Sprintf("doc|%d|%d|%s|%s|%s|%s|%s|h%d", doc.ID, doc.Version, revParam, filter.key(), viewerKey(viewer, unread), a.sessionTag(c), phase, heat)
	page, err := a.pageCache.load(key, func() ([]byte, string, error) {
		return a.documentAssemble(c, doc, viewer, dq, phase, true)
	})
	if err != nil {
		return err
	}
	return a.servePage(c, page, viewer)
}

// readingQuery reads the reading view's kind filter and order; anything
// unknown is the default.
func readingQuery(c echo.Context) (models.Kind, string) {
	filter := models.Kind(c.QueryParam("kind"))
	if filter != "" && !filter.Valid() {
		filter = ""
	}
	order := c.QueryParam("sort")
	if order != "helpful" {
		order = "newest"
	}
	return filter, order
}

// documentQuery is what, in the reading view's address, chooses the page.
type documentQuery struct {
	filter   readingFilter
	revision string
	heat     uint // an assignment whose heat map lies over the text
}

// viewerKey names what, about the viewer, changes a page: who they are,
// their role, session epoch and any change to their account row.
func viewerKey(u *models.User, unread int64) string {
	if u == nil {
		return "anon"
	}
	return fmt.Sprintf("u%d|%s|%d|%d|%d", u.ID, u.Role, u.SessionEpoch, u.UpdatedAt.UnixNano(), unread)
}

// servePage answers with a cached page, or 304 when the browser holds it.
// The page's form stamps are minted now, so the spam check's "too fast"
// and "too old" rules see when the viewer really got the form; the ETag
// names the day, so a browser's copy (and its stamps) is at most a day old.
func (a *App) servePage(c echo.Context, page *cachedPage, viewer *models.User) error {
	etag := page.etag
	if page.stampNonce != "" {
		etag = strings.TrimSuffix(etag, `"`) + a.now().UTC().Format("-20060102") + `"`
	}
	h := c.Response().Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "private, no-cache")
	h.Set("Vary", "Cookie")
	if match := c.Request().Header.Get("If-None-Match"); match != "" && etagMatches(match, etag) {
		return c.NoContent(http.StatusNotModified)
	}
	if page.stampNonce == "" {
		return c.HTMLBlob(http.StatusOK, page.body)
	}
	stamp := a.formStamp(viewer, a.now())
	n := len(page.stampNonce)
	h.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(page.body)+len(page.stampAt)*(len(stamp)-n)))
	w := c.Response()
	w.WriteHeader(http.StatusOK)
	last := 0
	for _, at := range page.stampAt {
		if _, err := w.Write(page.body[last:at]); err != nil {
			return nil // the client went away
		}
		if _, err := io.WriteString(w, stamp); err != nil {
			return nil
		}
		last = at + n
	}
	_, _ = w.Write(page.body[last:])
	return nil
}

func etagMatches(header, etag string) bool {
	for _, part := range strings.Split(header, ",") {
		part = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(part), "W/"))
		if part == etag || part == "*" {
			return true
		}
	}
	return false
}

type documentEditPage struct{ Document *models.Document }

func (a *App) documentEditShow(c echo.Context) error {
	doc, err := a.documentParam(c)
	if err != nil {
		return err
	}
	data := a.newTemplateData(c, "Edit "+doc.Title, documentEditPage{Document: doc})
	data.Form = map[string][]string{"title": {doc.Title}, "author": {doc.Author},
		"source_url": {doc.SourceURL}, "published_on": {doc.PublishedOn}}
	return a.render(c, http.StatusOK, "document_edit", data)
}

func (a *App) documentEditSubmit(c echo.Context) error {
	doc, err := a.documentParam(c)
	if err != nil {
		return err
	}
	meta := models.DocumentMeta{Title: c.FormValue("title"), Author: c.FormValue("author"),
		SourceURL: c.FormValue("source_url"), PublishedOn: c.FormValue("published_on")}
	err = models.UpdateDocumentMeta(a.db, doc.ID, meta)
	var fe models.FieldErrors
	if a.formFailed(err, &fe) {
		return a.renderForm(c, "document_edit", "Edit "+doc.Title, fe, documentEditPage{Document: doc})
	}
	if err != nil {
		return err
	}
	a.setFlash(c, "Saved.")
	return redirect(c, fmt.Sprintf("/documents/%d", doc.ID))
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
	res, err := models.ImportDocument(a.db, parsed, a.currentUser(c))
	if err != nil {
		return modelMessage(err)
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

type revisePage struct {
	Document *models.Document
	MaxMB    int
	// Preview, after "Preview", is what saving would do to the notes.
	Preview *revisePreview
}

type revisePreview struct {
	Counts   map[string]int
	Changed  []models.ReanchoredNote
	Orphaned []models.ReanchoredNote
	Hidden   int // changed or orphaned notes the editor may not read of
}

func newRevisePreview(r models.ReanchorReport, viewer *models.User) *revisePreview {
	p := &revisePreview{Counts: map[string]int{}}
	for st, n := range r.Counts {
		p.Counts[string(st)] = n
	}
	shown := r.VisibleTo(viewer)
	for _, n := range shown {
		if n.Status == anchor.Orphaned {
			p.Orphaned = append(p.Orphaned, n)
		} else {
			p.Changed = append(p.Changed, n)
		}
	}
	p.Hidden = len(r.Notes) - len(shown)
	return p
}

func (a *App) documentReviseShow(c echo.Context) error {
	doc, err := a.documentParam(c)
	if err != nil {
		return err
	}
	passages, err := models.Passages(a.db, doc.CurrentRevisionID)
	if err != nil {
		return err
	}
	data := a.newTemplateData(c, "Revise "+doc.Title, revisePage{Document: doc, MaxMB: a.cfg.MaxImportBytes >> 20})
	data.Form = url.Values{"content": {models.RevisionMarkdown(doc.Title, passages)}}
	return a.render(c, http.StatusOK, "document_revise", data)
}

// documentRevisePreview shows, before anything is stored, how many notes
// the revision would keep exact, move, change and orphan, and which. An
// uploaded file comes back as Markdown in the text box, to save from there.
func (a *App) documentRevisePreview(c echo.Context, page revisePage, parsed *textimport.Document) error {
	report, err := models.PreviewRevision(a.db, page.Document.ID, parsed)
	var fe models.FieldErrors
	if a.formFailed(err, &fe) {
		return a.renderForm(c, "document_revise", "Revise "+page.Document.Title, fe, page)
	}
	if err != nil {
		return err
	}
	page.Preview = newRevisePreview(report, a.currentUser(c))
	data := a.newTemplateData(c, "Revise "+page.Document.Title, page)
	content := c.FormValue("content")
	if fh, ferr := c.FormFile("file"); ferr == nil && fh.Size > 0 {
		content = models.ParsedMarkdown(parsed)
	}
	data.Form = url.Values{"content": {content}}
	return a.render(c, http.StatusOK, "document_revise", data)
}

func (a *App) documentReviseSubmit(c echo.Context) error {
	doc, err := a.documentParam(c)
	if err != nil {
		return err
	}
	page := revisePage{Document: doc, MaxMB: a.cfg.MaxImportBytes >> 20}
	fail := func(fe models.FieldErrors) error {
		return a.renderForm(c, "document_revise", "Revise "+doc.Title, fe, page)
	}
	name, data, err := a.importInput(c)
	if err != nil {
		return fail(models.FieldErrors{"content": err.Error()})
	}
	format := textimport.FormatMarkdown
	if name != "" {
		format = ""
	}
	parsed, err := textimport.Parse(name, data, format, a.cfg.MaxImportBytes)
	if err != nil {
		return fail(models.FieldErrors{"content": importErrorMessage(err, a.cfg.MaxImportBytes)})
	}
	if c.FormValue("preview") != "" {
		return a.documentRevisePreview(c, page, parsed)
	}
	uid := a.currentUser(c).ID
	report, err := models.ReviseDocument(a.db, doc.ID, parsed, &uid)
	var fe models.FieldErrors
	if a.formFailed(err, &fe) {
		return fail(fe)
	}
	if err != nil {
		return err
	}
	a.setFlash(c, fmt.Sprintf("Revision %d saved. Notes: %d in place, %d moved, %d changed (marked “text changed”), %d could not be placed (they stay readable on revision %d, listed under Orphaned notes).",
		report.Revision.Number, report.Counts[anchor.Exact], report.Counts[anchor.Moved], report.Counts[anchor.Changed],
		report.Counts[anchor.Orphaned], report.Revision.Number-1))
	return redirect(c, fmt.Sprintf("/documents/%d", doc.ID))
}
