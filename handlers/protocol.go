package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"margin/models"
	"margin/models/w3c"
)

// The W3C Web Annotation Protocol: every document's annotations are a
// container at /documents/{id}/annotations/ (an LDP Basic Container and an
// AnnotationCollection), each annotation a resource under it.

const (
	containerAllow  = "GET, HEAD, OPTIONS, POST"
	annotationAllow = "GET, HEAD, OPTIONS, PUT, DELETE"
	constrainedBy   = `<http://www.w3.org/TR/annotation-protocol/>; rel="http://www.w3.org/ns/ldp#constrainedBy"`
)

// isContainerPath tells whether path is a document's container, whose
// trailing slash the Protocol requires: it must not be redirected away.
func isContainerPath(path string) bool {
	rest, ok := strings.CutPrefix(path, "/documents/")
	if !ok {
		return false
	}
	id, tail, _ := strings.Cut(rest, "/")
	_, err := strconv.ParseUint(id, 10, 32)
	return err == nil && tail == "annotations/"
}

func containerHeaders(c echo.Context) {
	h := c.Response().Header()
	h.Set("Link", `<http://www.w3.org/ns/ldp#BasicContainer>; rel="type", `+constrainedBy)
	h.Set("Allow", containerAllow)
	h.Set("Accept-Post", w3c.MediaType)
	h.Add("Vary", "Accept")
	h.Add("Vary", "Prefer")
}

func annotationHeaders(c echo.Context) {
	h := c.Response().Header()
	h.Set("Link", `<http://www.w3.org/ns/ldp#Resource>; rel="type", <http://www.w3.org/ns/oa#Annotation>; rel="type", `+constrainedBy)
	h.Set("Allow", annotationAllow)
	h.Add("Vary", "Accept")
}

// parsePrefer reads the Protocol's preferences from a Prefer header:
// return=representation with include (or omit) of the container IRIs.
func parsePrefer(header string) (v w3c.View, applied bool) {
	for _, pref := range strings.Split(header, ",") {
		parts := strings.Split(pref, ";")
		if strings.TrimSpace(parts[0]) != "return=representation" {
			continue
		}
		applied = true
		for _, p := range parts[1:] {
			key, val, _ := strings.Cut(strings.TrimSpace(p), "=")
			iris := strings.Fields(strings.Trim(strings.TrimSpace(val), `"`))
			for _, iri := range iris {
				switch {
				case key == "include" && iri == w3c.PreferMinimalContainer:
					v.Minimal = true
				case key == "include" && iri == w3c.PreferContainedIRIs:
					v.IRIs = true
				case key == "include" && iri == w3c.PreferContainedDescriptions:
					v.IRIs = false
				case key == "omit" && (iri == "http://www.w3.org/ns/ldp#PreferContainment" || iri == w3c.PreferContainedDescriptions):
					v.Minimal = true
				}
			}
		}
	}
	return v, applied
}

// containerShow serves the container (GET, HEAD) or, with ?page=N, one of
// its pages (?iris=1 for the IRI-only pages). Browsers asking for HTML go
// to the reading view.
func (a *App) containerShow(c echo.Context) error {
	doc, err := a.documentParam(c)
	if err != nil {
		return err
	}
	if wantsHTML(c.Request().Header.Get("Accept")) {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/documents/%d", doc.ID))
	}
	containerHeaders(c)
	q := c.QueryParams()
	view, applied := parsePrefer(c.Request().Header.Get("Prefer"))
	pageParam, asPage := q["page"]
	page := 0
	if asPage {
		if page, err = strconv.Atoi(pageParam[0]); err != nil || page < 0 {
			return echo.NewHTTPError(http.StatusBadRequest, "page must be a whole number from 0.")
		}
		view = w3c.View{IRIs: q.Get("iris") == "1"}
		applied = false
	}
	viewer := a.currentUser(c)
	site := siteOf(c)
	key := fmt.Sprintf("ldp|%d|%d|%t|%t|%t|%d|%s|%s", doc.ID, doc.Version, asPage, view.Minimal, view.IRIs, page, site.Base, viewerKey(viewer, 0))
	id := site.ContainerID(doc.ID, view)
	if asPage {
		id = site.ContainerPageIRI(doc.ID, page, view.IRIs)
	}
	c.Response().Header().Set("Content-Location", id)
	if applied {
		c.Response().Header().Set("Preference-Applied", "return=representation")
	}
	if cached, ok := a.pageCache.get(key); ok {
		return serveJSONLD(c, cached)
	}
	listing, err := a.listing(doc, viewer, page)
	if err != nil {
		return err
	}
	if asPage && page > 0 && page >= w3c.PageCount(listing.Total) {
		return models.ErrNotFound
	}
	var out any = site.Container(listing, view, "")
	if asPage {
		out = site.ContainerPage(listing, view.IRIs, "")
	}
	body, err := json.Marshal(out)
	if err != nil {
		return err
	}
	return serveJSONLD(c, a.pageCache.put(key, body, ""))
}

// listing loads page n of the annotations of doc the viewer may see.
func (a *App) listing(doc *models.Document, viewer *models.User, page int) (w3c.Listing, error) {
	anns, total, err := models.PublishedAnnotations(a.db, doc.ID, viewer, page*w3c.PageSize, w3c.PageSize)
	if err != nil {
		return w3c.Listing{}, err
	}
	revs, err := models.RevisionStamps(a.db, doc.ID)
	if err != nil {
		return w3c.Listing{}, err
	}
	ids := make([]uint, len(anns))
	for i := range anns {
		ids[i] = anns[i].ID
	}
	origins, err := models.Origins(a.db, ids)
	if err != nil {
		return w3c.Listing{}, err
	}
	l := w3c.Listing{DocumentID: doc.ID, Label: "Annotations on “" + doc.Title + "”", Total: int(total), Page: page,
		Notes: make([]w3c.Note, len(anns))}
	for i := range anns {
		l.Notes[i] = w3cNote(&anns[i], revs[anns[i].RevisionID], origins[anns[i].ID])
	}
	return l, nil
}

// containerOptions answers OPTIONS on a container.
func (a *App) containerOptions(c echo.Context) error {
	if _, err := a.documentParam(c); err != nil {
		return err
	}
	containerHeaders(c)
	return c.NoContent(http.StatusOK)
}

// protocolAnnotation loads the annotation in the path, in the document of
// the path. Everyone sees it when published; its author also while it is
// held, so a client can read back what it posted.
func (a *App) protocolAnnotation(c echo.Context) (*models.Annotation, error) {
	docID, err := idParam(c, "id")
	if err != nil {
		return nil, err
	}
	id, err := idParam(c, "aid")
	if err != nil {
		return nil, err
	}
	ann, err := models.AnnotationByID(a.db, id)
	if err != nil {
		return nil, err
	}
	if ann.DocumentID != docID || ann.IsDeleted() {
		return nil, models.ErrNotFound
	}
	viewer := a.currentUser(c)
	ok, err := models.CanView(a.db, viewer, ann, true)
	if err != nil {
		return nil, err
	}
	own := viewer != nil && ann.AuthorID == viewer.ID
	if !ok || ann.Status != models.StatusPublished && !own {
		return nil, models.ErrNotFound
	}
	return ann, nil
}

// annotationJSONLD is an annotation's representation and its ETag.
func (a *App) annotationJSONLD(c echo.Context, ann *models.Annotation) ([]byte, string, error) {
	rev, err := models.RevisionByID(a.db, ann.RevisionID)
	if err != nil {
		return nil, "", err
	}
	origins, err := models.Origins(a.db, []uint{ann.ID})
	if err != nil {
		return nil, "", err
	}
	body, err := json.Marshal(siteOf(c).Annotation(w3cNote(ann, *rev, origins[ann.ID])))
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(body)
	return body, `"` + hex.EncodeToString(sum[:16]) + `"`, nil
}

func (a *App) protocolAnnotationShow(c echo.Context) error {
	ann, err := a.protocolAnnotation(c)
	if err != nil {
		return err
	}
	if wantsHTML(c.Request().Header.Get("Accept")) {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/annotations/%d", ann.ID))
	}
	return a.serveAnnotation(c, ann, http.StatusOK)
}

// serveAnnotation answers with one annotation and the Protocol's headers.
func (a *App) serveAnnotation(c echo.Context, ann *models.Annotation, status int) error {
	body, etag, err := a.annotationJSONLD(c, ann)
	if err != nil {
		return err
	}
	annotationHeaders(c)
	noStore(c)
	h := c.Response().Header()
	h.Set("ETag", etag)
	if status == http.StatusOK {
		if match := c.Request().Header.Get("If-None-Match"); match != "" && etagMatches(match, etag) {
			return c.NoContent(http.StatusNotModified)
		}
	}
	return c.Blob(status, w3c.MediaType, body)
}

func (a *App) protocolAnnotationOptions(c echo.Context) error {
	if _, err := a.protocolAnnotation(c); err != nil {
		return err
	}
	annotationHeaders(c)
	return c.NoContent(http.StatusOK)
}

// revisionText serves a revision's text as text/plain: the source that
// every TextPositionSelector Margin writes counts in, code point by code
// point, and that every TextQuoteSelector is found in. A revision never
// changes, so its address is stable.
func (a *App) revisionText(c echo.Context) error {
	doc, err := a.documentParam(c)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n <= 0 {
		return models.ErrNotFound
	}
	rev, err := models.RevisionByNumber(a.db, doc.ID, n)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Link", fmt.Sprintf(`<%s>; rel="alternate"; type="text/html"`, siteOf(c).RevisionIRI(doc.ID, n)))
	h.Set("Cache-Control", "public, max-age=86400")
	etag := `"` + rev.ContentHash[:min(32, len(rev.ContentHash))] + `"`
	h.Set("ETag", etag)
	if match := c.Request().Header.Get("If-None-Match"); match != "" && etagMatches(match, etag) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, "text/plain; charset=utf-8", []byte(rev.Text))
}
