package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"margin/models"
	"margin/models/w3c"
)

// Exports of annotations in W3C JSON-LD and CSV: a reader's own notes, a
// document's notes as the viewer may see them, a class's for its educators.

// annotationsExportRows are the CSV rows of anns, with their readings' titles.
func (a *App) annotationsExportRows(c echo.Context, anns []models.Annotation) ([]string, [][]string, error) {
	docIDs := make([]uint, len(anns))
	for i, x := range anns {
		docIDs[i] = x.DocumentID
	}
	titles, err := models.DocumentTitles(a.db, docIDs)
	if err != nil {
		return nil, nil, err
	}
	header := []string{"ID", "Reading", "Passage", "Author", "Kind", "Reply to", "Written (UTC)", "Quote",
		"Counterpoint", "Text", "Citations", "Helpful", "Link"}
	out := make([][]string, 0, len(anns))
	for _, x := range anns {
		parent := ""
		if x.ParentID != nil {
			parent = strconv.FormatUint(uint64(*x.ParentID), 10)
		}
		var cites []string
		for _, ct := range x.Citations {
			cites = append(cites, strings.TrimSpace(strings.Join(nonEmpty(ct.Title, ct.URL, ct.Text), " — ")))
		}
		out = append(out, []string{strconv.FormatUint(uint64(x.ID), 10), titles[x.DocumentID], strconv.Itoa(x.PassageNumber),
			x.Author.Username, x.Kind.Label(), parent, csvTime(&x.CreatedAt), x.Exact, x.Counterpoint, x.Body,
			strings.Join(cites, "\n"), strconv.Itoa(x.HelpfulCount), a.absoluteURL(c, fmt.Sprintf("/annotations/%d", x.ID))})
	}
	return header, out, nil
}

// sendJSONLDExport answers with anns as one W3C AnnotationCollection file.
func (a *App) sendJSONLDExport(c echo.Context, name, label string, anns []models.Annotation) error {
	site := siteOf(c)
	stamps := map[uint]map[uint]models.Revision{}
	ids := make([]uint, len(anns))
	for i, x := range anns {
		ids[i] = x.ID
	}
	origins, err := models.Origins(a.db, ids)
	if err != nil {
		return err
	}
	notes := make([]w3c.Note, len(anns))
	for i := range anns {
		x := &anns[i]
		if stamps[x.DocumentID] == nil {
			if stamps[x.DocumentID], err = models.RevisionStamps(a.db, x.DocumentID); err != nil {
				return err
			}
		}
		notes[i] = w3cNote(x, stamps[x.DocumentID][x.RevisionID], origins[x.ID])
	}
	body, err := json.Marshal(site.Export(site.Base+c.Request().URL.Path, label, notes))
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, asciiFileName(name), url.PathEscape(name)))
	h.Set("Cache-Control", "private, no-store")
	return c.Blob(http.StatusOK, w3c.MediaType, body)
}

func (a *App) sendExport(c echo.Context, format, name, label string, anns []models.Annotation) error {
	if format == "jsonld" {
		return a.sendJSONLDExport(c, name+".jsonld", label, anns)
	}
	header, rows, err := a.annotationsExportRows(c, anns)
	if err != nil {
		return err
	}
	return sendCSV(c, name+".csv", header, rows)
}

// accountExport is everything the reader wrote, private notes included.
func (a *App) accountExport(c echo.Context) error {
	u := a.currentUser(c)
	anns, err := models.AuthoredAnnotations(a.db, u.ID)
	if err != nil {
		return err
	}
	return a.sendExport(c, exportFormat(c), "margin-"+u.Username+"-annotations", "Annotations written by "+u.Username, anns)
}

// documentExport is a document's notes as the viewer may see them.
func (a *App) documentExport(c echo.Context) error {
	doc, err := a.documentParam(c)
	if err != nil {
		return err
	}
	anns, _, err := models.PublishedAnnotations(a.db, doc.ID, a.currentUser(c), 0, models.MaxExport)
	if err != nil {
		return err
	}
	return a.sendExport(c, exportFormat(c), doc.Title+" - annotations", "Annotations on “"+doc.Title+"”", anns)
}

// classAnnotationsJSONLD is the class's notes for its educators, in W3C JSON-LD.
func (a *App) classAnnotationsJSONLD(c echo.Context) error {
	class, err := a.taughtClass(c)
	if err != nil {
		return err
	}
	anns, err := models.ClassAnnotations(a.db, a.currentUser(c), class.ID)
	if err != nil {
		return err
	}
	return a.sendJSONLDExport(c, class.Name+" - annotations.jsonld", "Annotations of the class "+class.Name, anns)
}

// exportFormat is the format the path asks for: jsonld or csv.
func exportFormat(c echo.Context) string {
	if strings.HasSuffix(c.Request().URL.Path, ".jsonld") {
		return "jsonld"
	}
	return "csv"
}

// importAnnotations takes a W3C or Hypothesis file onto the document, as
// the token's or session's user, each note screened like a Protocol POST.
func (a *App) importAnnotations(c echo.Context) error {
	doc, err := a.documentParam(c)
	if err != nil {
		return err
	}
	u, err := a.writer(c)
	if err != nil {
		return err
	}
	data, err := readJSONBody(c)
	if err != nil {
		return err
	}
	notes, bad, err := w3c.ParseFile(data)
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, asSentence(err.Error()))
	}
	if len(notes) > maxImportNotes {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, fmt.Sprintf("At most %d annotations per import.", maxImportNotes))
	}
	if err := a.checkPostRate(c, u); err != nil {
		return err
	}
	rep, err := models.ImportAnnotations(a.db, notes, models.ImportOptions{Document: doc, Author: u, Site: siteOf(c),
		Screen: func(docID uint, parent *models.Annotation, in models.AnnotationInput) (models.Verdict, error) {
			return a.screenWrite(c, u, docID, parent, in)
		}})
	if err != nil {
		return err
	}
	for _, b := range bad {
		rep.Problems = append(rep.Problems, b.Error())
	}
	return c.JSON(http.StatusOK, map[string]any{"imported": rep.Imported(), "placed": rep.Placed, "replies": rep.Replies,
		"orphaned": rep.Orphaned, "existing": rep.Existing, "held": rep.Held, "orphans": rep.Orphans, "problems": rep.Problems})
}

// maxImportNotes bounds one import request.
const maxImportNotes = 1000
