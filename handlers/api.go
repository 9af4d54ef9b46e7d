package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"margin/models"
	"margin/models/w3c"
)

// The W3C Web Annotation API: annotations as JSON-LD, readable by any Web
// Annotation client. It shows exactly what the viewer's session may see,
// and only published, undeleted annotations.

// apiAnnotationShow serves one annotation.
func (a *App) apiAnnotationShow(c echo.Context) error {
	ann, err := a.publishedAnnotationParam(c)
	if err != nil {
		return err
	}
	return a.serveAnnotationJSONLD(c, ann)
}

// annotationShowNegotiated is the permalink: the page for browsers, the
// JSON-LD for clients whose Accept header prefers it.
func (a *App) annotationShowNegotiated(c echo.Context) error {
	c.Response().Header().Add("Vary", "Accept")
	if wantsHTML(c.Request().Header.Get("Accept")) {
		return a.annotationShow(c)
	}
	ann, err := a.publishedAnnotationParam(c)
	if err != nil {
		return jsonError(c, err)
	}
	c.Response().Header().Set("Content-Location", siteOf(c).AnnotationIRI(ann.DocumentID, ann.ID))
	return a.serveAnnotationJSONLD(c, ann)
}

// publishedAnnotationParam loads the annotation in the path if the viewer
// may see it and it is published and not deleted; anything else is a 404.
func (a *App) publishedAnnotationParam(c echo.Context) (*models.Annotation, error) {
	ann, err := a.annotationParam(c)
	if err != nil {
		return nil, err
	}
	if ann.Status != models.StatusPublished || ann.IsDeleted() {
		return nil, models.ErrNotFound
	}
	return ann, nil
}

func (a *App) serveAnnotationJSONLD(c echo.Context, ann *models.Annotation) error {
	rev, err := models.RevisionByID(a.db, ann.RevisionID)
	if err != nil {
		return err
	}
	origins, err := models.Origins(a.db, []uint{ann.ID})
	if err != nil {
		return err
	}
	body, err := json.Marshal(siteOf(c).Annotation(w3cNote(ann, *rev, origins[ann.ID])))
	if err != nil {
		return err
	}
	noStore(c)
	return c.Blob(http.StatusOK, w3c.MediaType, body)
}

// apiDocumentAnnotations serves a document's annotations: without ?page the
// AnnotationCollection with its first page embedded, with ?page=N (from 0)
// that AnnotationPage alone. Answers are cached and tagged like the reading
// view, by the document's version and the viewer.
func (a *App) apiDocumentAnnotations(c echo.Context) error {
	doc, err := a.documentParam(c)
	if err != nil {
		return err
	}
	pageParam, asPage := c.QueryParams()["page"]
	page := 0
	if asPage {
		if page, err = strconv.Atoi(pageParam[0]); err != nil || page < 0 {
			return echo.NewHTTPError(http.StatusBadRequest, "page must be a whole number from 0.")
		}
	}
	viewer := a.currentUser(c)
	site := siteOf(c)
	key := fmt.Sprintf("w3c|%d|%d|%t|%d|%s|%s", doc.ID, doc.Version, asPage, page, site.Base, viewerKey(viewer, 0))
	if cached, ok := a.pageCache.get(key); ok {
		return serveJSONLD(c, cached)
	}
	listing, err := a.listing(doc, viewer, page)
	if err != nil {
		return err
	}
	if page > 0 && page >= w3c.PageCount(listing.Total) {
		return models.ErrNotFound
	}
	var out any = site.Collection(listing)
	if asPage {
		out = site.Page(listing)
	}
	body, err := json.Marshal(out)
	if err != nil {
		return err
	}
	return serveJSONLD(c, a.pageCache.put(key, body, ""))
}

func serveJSONLD(c echo.Context, page *cachedPage) error {
	noStore(c)
	c.Response().Header().Set("ETag", page.etag)
	if match := c.Request().Header.Get("If-None-Match"); match != "" && etagMatches(match, page.etag) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, w3c.MediaType, page.body)
}

// noStore lets browsers keep an answer only for this viewer, revalidated.
func noStore(c echo.Context) {
	h := c.Response().Header()
	h.Set("Cache-Control", "private, no-cache")
	h.Add("Vary", "Cookie")
}

// w3cNote is what the W3C mapping needs of an annotation, anchored in rev,
// with what its client sent when it came through the Protocol or an import.
func w3cNote(ann *models.Annotation, rev models.Revision, origin *models.AnnotationOrigin) w3c.Note {
	n := w3c.Note{ID: ann.ID, DocumentID: ann.DocumentID, Kind: string(ann.Kind), Body: ann.Body, BodyHTML: ann.BodyHTML,
		Counterpoint: ann.Counterpoint, Author: ann.Author.Username, Created: ann.CreatedAt,
		Anchor: w3c.Anchor{Passage: ann.PassageNumber, Exact: ann.Exact, Prefix: ann.Prefix, Suffix: ann.Suffix,
			Start: ann.Start, End: ann.End, Revision: rev.Number, RevisionCreated: rev.CreatedAt}}
	if ann.ParentID != nil {
		n.ParentID = *ann.ParentID
	}
	if ann.EditedAt != nil {
		n.Edited = *ann.EditedAt
	}
	for _, ct := range ann.Citations {
		n.Citations = append(n.Citations, w3c.Citation{Title: ct.Title, URL: ct.URL, Text: ct.Text})
	}
	if origin != nil {
		n.Canonical, n.Via, n.Tags = origin.Canonical, origin.Via, origin.TagList()
		if ann.PassageNumber == 0 && ann.ParentID == nil {
			n.RawTarget = []byte(origin.Target)
		}
	}
	return n
}

// siteOf names IRIs after the address the client used.
func siteOf(c echo.Context) w3c.Site { return w3c.Site{Base: c.Scheme() + "://" + c.Request().Host} }

// apiErrors answers the API's expected failures (4xx) in JSON rather than
// as HTML pages; anything else goes on to the error handler.
func apiErrors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := next(c); err != nil {
			return jsonError(c, err)
		}
		return nil
	}
}

// isAPIPath tells whether path belongs to the API, whose errors are JSON
// whoever answers them: the handler, the authentication, or the router.
func isAPIPath(path string) bool {
	if strings.HasPrefix(path, "/api/") {
		return true
	}
	rest, ok := strings.CutPrefix(path, "/documents/")
	if !ok {
		return false
	}
	_, after, ok := strings.Cut(rest, "/")
	return ok && strings.HasPrefix(after, "annotations/")
}

func jsonError(c echo.Context, err error) error {
	status, msg := 0, ""
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		status = he.Code
		msg, _ = he.Message.(string)
	case errors.Is(err, models.ErrNotFound):
		status = http.StatusNotFound
	}
	if status < 400 || status >= 500 {
		return err
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	return c.JSON(status, map[string]any{"status": status, "error": msg})
}

// wantsHTML tells whether an Accept header asks for a page rather than
// the annotation's JSON-LD: it names HTML itself (a wildcard such as */*
// does not count) and ranks it above JSON-LD and JSON. No header, */*, or
// a tie with JSON-LD means JSON-LD, as the Protocol asks; browsers name
// text/html and get the page.
func wantsHTML(accept string) bool {
	html := max(acceptExactQ(accept, "text", "html"), acceptExactQ(accept, "application", "xhtml+xml"))
	data := max(acceptQ(accept, "application", "ld+json"), acceptQ(accept, "application", "json"))
	return html > 0 && html > data
}

// acceptExactQ is the quality an Accept header gives typ/sub by name, 0
// when only a wildcard or nothing matches it.
func acceptExactQ(accept, typ, sub string) float64 {
	for _, r := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(r))
		if err != nil || mt != typ+"/"+sub {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if q, err = strconv.ParseFloat(v, 64); err != nil {
				q = 0
			}
		}
		return q
	}
	return 0
}

// acceptQ is the quality an Accept header gives typ/sub: that of the most
// specific media range matching it, 0 when none does.
func acceptQ(accept, typ, sub string) float64 {
	best, q := -1, 0.0
	for _, r := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(r))
		if err != nil {
			continue
		}
		t, s, _ := strings.Cut(mt, "/")
		specificity := 0
		switch {
		case t == typ && s == sub:
			specificity = 2
		case t == typ && s == "*":
			specificity = 1
		case t != "*" || s != "*":
			continue
		}
		if specificity > best {
			best, q = specificity, 1
			if v, ok := params["q"]; ok {
				if q, err = strconv.ParseFloat(v, 64); err != nil {
					q = 0
				}
			}
		}
	}
	return q
}
