package handlers

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"margin/models"
	"margin/models/w3c"
)

// Writes through the Protocol: POST to a container, PUT and DELETE on an
// annotation. They take the same path as the forms: posting limits, the
// spam check, the model's validation and privacy, moderation.

// errLoginOrToken is a write without a user.
var errLoginOrToken = echo.NewHTTPError(http.StatusUnauthorized, "Send a personal API token (Authorization: Bearer TOKEN) to write.")

func (a *App) writer(c echo.Context) (*models.User, error) {
	u := a.currentUser(c)
	if u == nil {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="margin"`)
		return nil, errLoginOrToken
	}
	return u, nil
}

// readJSONBody reads a JSON(-LD) request body without NUL characters.
func readJSONBody(c echo.Context) ([]byte, error) {
	mt, _, _ := mime.ParseMediaType(c.Request().Header.Get("Content-Type"))
	if mt != "application/ld+json" && mt != "application/json" {
		return nil, echo.NewHTTPError(http.StatusUnsupportedMediaType, "Send the annotation as "+w3c.MediaType+".")
	}
	data, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return nil, err // the body limit's 413
	}
	if bytes.IndexByte(data, 0) >= 0 || bytes.Contains(bytes.ToLower(data), []byte(`\u0000`)) {
		return nil, echo.NewHTTPError(http.StatusBadRequest, "The annotation contains a NUL character, which no text may hold.")
	}
	return data, nil
}

// readIncoming reads the request's annotation.
func readIncoming(c echo.Context) (w3c.Incoming, error) {
	data, err := readJSONBody(c)
	if err != nil {
		return w3c.Incoming{}, err
	}
	in, err := w3c.Parse(data)
	if err != nil {
		return w3c.Incoming{}, echo.NewHTTPError(http.StatusBadRequest, asSentence(err.Error()))
	}
	return in, nil
}

func asSentence(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// placement is where an incoming annotation goes in doc: in reply to one
// of its annotations, on a phrase or passage, or nowhere (unplaced).
type placement struct {
	parent *models.Annotation
	models.Placement
	unplaced bool
}

func (a *App) place(c echo.Context, doc *models.Document, in w3c.Incoming) (placement, error) {
	site := siteOf(c)
	for _, t := range in.Targets {
		kind, docID, annID, rev := site.MatchIRI(t.Source)
		switch {
		case kind == w3c.IRIAnnotation:
			parent, err := models.AnnotationByID(a.db, annID)
			if errors.Is(err, models.ErrNotFound) {
				continue
			}
			if err != nil {
				return placement{}, err
			}
			ok, err := models.CanView(a.db, a.currentUser(c), parent, true)
			if err != nil {
				return placement{}, err
			}
			if ok && parent.DocumentID == doc.ID {
				return placement{parent: parent}, nil
			}
		case kind == w3c.IRIDocument && docID == doc.ID:
			p, err := models.Place(a.db, doc, models.HintOf(t, rev))
			if err != nil {
				return placement{}, err
			}
			if p.Passage > 0 {
				return placement{Placement: p}, nil
			}
		}
	}
	return placement{unplaced: true}, nil
}

// screenByToken runs the spam check on a note that came without a form.
func (a *App) screenWrite(c echo.Context, u *models.User, docID uint, parent *models.Annotation, in models.AnnotationInput) (models.Verdict, error) {
	r := c.Request()
	sub := models.Submission{
		Author: u, DocumentID: docID, Parent: parent, Input: in,
		IP: c.RealIP(), UserAgent: r.UserAgent(), Referrer: r.Referer(),
		Permalink: c.Scheme() + "://" + r.Host + "/documents/" + strconv.FormatUint(uint64(docID), 10),
		ByToken:   apiToken(c) != nil,
		Now:       a.now(),
	}
	return models.Screen(r.Context(), a.db, a.cfg.Screen, sub)
}

// containerPost creates an annotation: 201 with its IRI in Location.
func (a *App) containerPost(c echo.Context) error {
	doc, err := a.documentParam(c)
	if err != nil {
		return err
	}
	u, err := a.writer(c)
	if err != nil {
		return err
	}
	incoming, err := readIncoming(c)
	if err != nil {
		return err
	}
	if err := a.checkPostRate(c, u); err != nil {
		return err
	}
	where, err := a.place(c, doc, incoming)
	if err != nil {
		return err
	}
	in := models.InputFromW3C(incoming)
	in.Passage, in.Quote, in.QuoteHint, in.Unplaced = where.Passage, where.Quote, where.Hint, where.unplaced
	in.Origin = models.OriginFromW3C(incoming, where.unplaced)
	verdict, err := a.screenWrite(c, u, doc.ID, where.parent, in)
	if err != nil {
		return err
	}
	in.Verdict = &verdict
	var ann *models.Annotation
	if where.parent != nil {
		if where.parent.IsDeleted() || where.parent.Status != models.StatusPublished && where.parent.AuthorID != u.ID {
			return echo.NewHTTPError(http.StatusConflict, "This annotation no longer takes replies.")
		}
		ann, err = models.CreateReply(a.db, u, where.parent, in, verdict.Status)
	} else {
		ann, err = models.CreateAnnotation(a.db, u, doc, in, verdict.Status)
	}
	if err != nil {
		return fieldErrorsJSON(c, err)
	}
	c.Response().Header().Set("Location", siteOf(c).AnnotationIRI(doc.ID, ann.ID))
	return a.serveAnnotation(c, ann, http.StatusCreated)
}

// fieldErrorsJSON answers what the model refused in a note, field by field.
func fieldErrorsJSON(c echo.Context, err error) error {
	var fe models.FieldErrors
	if !errors.As(err, &fe) {
		return err
	}
	return c.JSON(http.StatusUnprocessableEntity, map[string]any{"status": http.StatusUnprocessableEntity,
		"error": "The annotation was not stored: " + fe.Error(), "fields": fe})
}

// checkIfMatch demands the annotation's current ETag: 428 without one when
// required, 412 when it is stale.
func (a *App) checkIfMatch(c echo.Context, ann *models.Annotation, required bool) error {
	match := c.Request().Header.Get("If-Match")
	if match == "" {
		if required {
			return echo.NewHTTPError(http.StatusPreconditionRequired, "Send If-Match with the annotation's ETag, so no one's change is overwritten unseen.")
		}
		return nil
	}
	_, etag, err := a.annotationJSONLD(c, ann)
	if err != nil {
		return err
	}
	if strings.TrimSpace(match) != "*" && !etagMatches(match, etag) {
		return echo.NewHTTPError(http.StatusPreconditionFailed, "The annotation has changed since you read it: get it again.")
	}
	return nil
}

// ownProtocolAnnotation is the path's annotation if the writer wrote it.
func (a *App) ownProtocolAnnotation(c echo.Context) (*models.Annotation, *models.User, error) {
	u, err := a.writer(c)
	if err != nil {
		return nil, nil, err
	}
	ann, err := a.protocolAnnotation(c)
	if err != nil {
		return nil, nil, err
	}
	if ann.AuthorID != u.ID {
		return nil, nil, echo.NewHTTPError(http.StatusForbidden, "Only its author can change this annotation.")
	}
	return ann, u, nil
}

// protocolAnnotationPut replaces an annotation's content. Its place in the
// document does not move: a target naming another phrase is a 409.
func (a *App) protocolAnnotationPut(c echo.Context) error {
	ann, u, err := a.ownProtocolAnnotation(c)
	if err != nil {
		return err
	}
	if err := a.checkIfMatch(c, ann, true); err != nil {
		return err
	}
	incoming, err := readIncoming(c)
	if err != nil {
		return err
	}
	doc, err := models.DocumentByID(a.db, ann.DocumentID)
	if err != nil {
		return err
	}
	unplaced := false
	if !ann.IsReply() {
		where, err := a.place(c, doc, incoming)
		if err != nil {
			return err
		}
		unplaced = ann.PassageNumber == 0
		moved := where.unplaced != unplaced || !unplaced && (where.Passage != ann.PassageNumber || where.Quote != ann.Exact)
		if moved && ann.RevisionID == doc.CurrentRevisionID {
			return echo.NewHTTPError(http.StatusConflict, "Margin does not move a note to another place: delete it and post it again.")
		}
	}
	in := models.InputFromW3C(incoming)
	verdict, err := a.editVerdict(c, u, ann, in, a.screenWrite)
	if err != nil {
		return err
	}
	if err := models.UpdateAnnotation(a.db, u, ann, in, verdict, a.now()); err != nil {
		return fieldErrorsJSON(c, err)
	}
	if err := models.SaveOrigin(a.db, ann, *models.OriginFromW3C(incoming, unplaced)); err != nil {
		return err
	}
	return a.serveAnnotation(c, ann, http.StatusOK)
}

// protocolAnnotationDelete deletes an annotation (a tombstone keeps its
// replies in place); an If-Match, when sent, must be current.
func (a *App) protocolAnnotationDelete(c echo.Context) error {
	ann, u, err := a.ownProtocolAnnotation(c)
	if err != nil {
		return err
	}
	if err := a.checkIfMatch(c, ann, false); err != nil {
		return err
	}
	if err := models.DeleteAnnotation(a.db, u, ann, a.now()); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
