package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"margin/models"
)

// annotationForm reads the composer's fields.
func annotationForm(c echo.Context) models.AnnotationInput {
	in := models.AnnotationInput{
		Kind:         models.Kind(c.FormValue("kind")),
		Body:         c.FormValue("body"),
		Counterpoint: c.FormValue("counterpoint"),
		Visibility:   models.Visibility(c.FormValue("visibility")),
		Quote:        c.FormValue("quote"),
		QuoteHint:    -1,
	}
	in.Passage, _ = strconv.Atoi(c.FormValue("passage"))
	if h, err := strconv.Atoi(c.FormValue("start")); err == nil {
		in.QuoteHint = h
	}
	// "class:12" shares with class 12; storing checks the author is in it.
	if id, ok := strings.CutPrefix(c.FormValue("visibility"), "class:"); ok {
		in.Visibility = models.VisibilityClass
		if n, err := strconv.ParseUint(id, 10, 32); err == nil && n > 0 {
			classID := uint(n)
			in.ClassID = &classID
		}
	}
	form, _ := c.FormParams()
	titles, urls, texts := form["cite_title"], form["cite_url"], form["cite_text"]
	n := max(len(titles), len(urls), len(texts))
	for i := 0; i < n && i < 50; i++ {
		in.Citations = append(in.Citations, models.Citation{Title: at(titles, i), URL: at(urls, i), Text: at(texts, i)})
	}
	return in
}

func at(xs []string, i int) string {
	if i < len(xs) {
		return xs[i]
	}
	return ""
}

// composerPage is the no-JavaScript composer, and the page a failed
// submission re-renders.
type composerPage struct {
	Document *models.Document
	Passage  *models.Passage
	Parent   *models.Annotation // set for a reply
	Editing  *models.Annotation // set for an edit
	Kinds    []models.Kind
	CiteRows []int
	Action   string
	Cancel   string
	// ID keeps field ids unique when several composers share a page.
	ID string
}

func newComposer(doc *models.Document, p *models.Passage) composerPage {
	return composerPage{ID: "new", Document: doc, Passage: p, Kinds: models.Kinds, CiteRows: []int{0, 1, 2},
		Action: fmt.Sprintf("/documents/%d/annotations", doc.ID), Cancel: fmt.Sprintf("/documents/%d#p-%d", doc.ID, p.Number)}
}

// currentPassage loads passage n of the document's current text.
func (a *App) currentPassage(doc *models.Document, n int) (*models.Passage, error) {
	p, err := models.PassageByNumber(a.db, doc.CurrentRevisionID, n)
	if errors.Is(err, models.ErrNotFound) {
		return nil, echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf("This document has no passage %d.", n))
	}
	return p, err
}

func (a *App) annotationNew(c echo.Context) error {
	doc, err := a.documentParam(c)
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(c.QueryParam("p"))
	p, err := a.currentPassage(doc, n)
	if err != nil {
		return err
	}
	data := a.newTemplateData(c, "Annotate passage "+strconv.Itoa(n), newComposer(doc, p))
	data.Form = c.QueryParams()
	if data.Form.Get("kind") == "" {
		data.Form.Set("kind", string(models.KindComment))
	}
	return a.render(c, http.StatusOK, "annotation_form", data)
}

func (a *App) annotationCreate(c echo.Context) error {
	doc, err := a.documentParam(c)
	if err != nil {
		return err
	}
	u := a.currentUser(c)
	if err := a.checkPostRate(c, u); err != nil {
		return err
	}
	in := annotationForm(c)
	verdict, err := a.screen(c, u, doc.ID, nil, in)
	if err != nil {
		return err
	}
	a.keepWithPost(&in, verdict)
	ann, err := models.CreateAnnotation(a.db, u, doc, in, verdict.Status)
	if err != nil {
		a.releaseStamp(c)
	}
	var fe models.FieldErrors
	if a.formFailed(err, &fe) {
		// The passage is looked up only now: a post for a passage that
		// does not exist is a 400, a form to correct a 422.
		p, perr := a.currentPassage(doc, in.Passage)
		if perr != nil {
			return perr
		}
		return a.renderForm(c, "annotation_form", "Annotate passage "+strconv.Itoa(p.Number), fe, newComposer(doc, p))
	}
	if err != nil {
		return a.postFailed(c, err)
	}
	a.flashScreening(c, verdict)
	return redirect(c, fmt.Sprintf("/documents/%d#a-%d", doc.ID, ann.ID))
}

// checkPostRate refuses early, before the spam check's work, a post the
// limits would refuse anyway. The post's own transaction checks them again
// and is what holds under concurrency (see models.AnnotationInput.PostLimits).
func (a *App) checkPostRate(c echo.Context, u *models.User) error {
	until, err := models.PostRateCheck(a.db, u.ID, c.RealIP(), a.postLimits(), a.now())
	if err != nil {
		return err
	}
	if !until.IsZero() {
		return a.postRateRefusal(c, until)
	}
	return nil
}

func (a *App) postLimits() models.PostLimits {
	return models.PostLimits{PerUser: a.cfg.PostPerUser, PerIP: a.cfg.PostPerIP, Window: a.cfg.PostWindow}
}

func (a *App) postRateRefusal(c echo.Context, until time.Time) error {
	wait := until.Sub(a.now())
	c.Response().Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
	return echo.NewHTTPError(http.StatusTooManyRequests,
		"You are posting faster than this site allows. Your text was not saved: go back to keep it, and try again "+waitPhrase(wait)+".")
}

// postFailed answers a post that was not stored: 429 when its transaction
// found the limits full.
func (a *App) postFailed(c echo.Context, err error) error {
	var full *models.RateLimitError
	if errors.As(err, &full) {
		return a.postRateRefusal(c, full.Until)
	}
	return err
}

// keepWithPost asks for the spam verdict to be stored in the post's own
// transaction, where it is also what the posting limits count.
func (a *App) keepWithPost(in *models.AnnotationInput, v models.Verdict) {
	in.Verdict = &v
	limits := a.postLimits()
	in.PostLimits = &limits
}

// annotationParam loads the annotation named in the path if the viewer may
// see it; anything else is a 404, so private notes do not betray existence.
// A note held, hidden or refused opens for its author and for those who
// may decide on it (the moderators who may see it, a class's educators for
// its notes), so a link from the queue or the log can be followed; for
// everyone else it does not exist.
func (a *App) annotationParam(c echo.Context) (*models.Annotation, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return nil, err
	}
	ann, err := models.AnnotationByID(a.db, id)
	if err != nil {
		return nil, err
	}
	viewer := a.currentUser(c)
	ok, err := models.CanView(a.db, viewer, ann, false)
	if err == nil && !ok && viewer != nil {
		ok, err = models.CanModerate(a.db, viewer, ann)
	}
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, models.ErrNotFound
	}
	return ann, nil
}

type annotationPage struct {
	Document *models.Document
	Passages []models.PassageView // the passage in context: one before, itself, one after
	Focus    int
	Thread   *models.Thread
	Target   uint
	Composer composerPage
	Sort     string
	// TargetFlagHidden tells that readers' flags hid the note, pending a moderator.
	TargetFlagHidden bool
}

// flagHiddenIn tells whether the thread holds note id hidden by flags.
func flagHiddenIn(t *models.Thread, id uint) bool {
	if t.ID == id {
		return t.FlagHidden
	}
	for _, r := range t.Replies {
		if flagHiddenIn(r, id) {
			return true
		}
	}
	return false
}

func (a *App) annotationShow(c echo.Context) error {
	ann, err := a.annotationParam(c)
	if err != nil {
		return err
	}
	doc, err := models.DocumentByID(a.db, ann.DocumentID)
	if err != nil {
		return err
	}
	viewer := a.currentUser(c)
	// Held replies show to those who may review them (VisibleTo decides).
	thread, err := models.ThreadOf(a.db, ann, viewer, true)
	if err != nil {
		return err
	}
	rev, err := models.RevisionByID(a.db, ann.RevisionID)
	if err != nil {
		return err
	}
	all, err := models.Passages(a.db, rev.ID)
	if err != nil {
		return err
	}
	var context []models.Passage
	for _, p := range all {
		if p.Number >= ann.PassageNumber-1 && p.Number <= ann.PassageNumber+1 {
			context = append(context, p)
		}
	}
	views, err := models.ReadingView(a.db, rev, context, viewer, models.ReadingOptions{})
	if err != nil {
		return err
	}
	for i := range views {
		views[i].Threads = nil // the thread is shown below, in full
	}
	page := annotationPage{Document: doc, Passages: views, Focus: ann.PassageNumber, Thread: thread, Target: ann.ID,
		TargetFlagHidden: flagHiddenIn(thread, ann.ID)}
	if viewer != nil {
		p := &models.Passage{Number: ann.PassageNumber}
		page.Composer = newComposer(doc, p)
		page.Composer.Parent = ann
		page.Composer.ID = "reply"
		page.Composer.Action = fmt.Sprintf("/annotations/%d/replies", ann.ID)
	}
	title := ann.Kind.Label() + " on “" + doc.Title + "”"
	data := a.newTemplateData(c, title, page)
	data.Form = map[string][]string{"kind": {string(models.KindComment)}}
	return a.render(c, http.StatusOK, "annotation", data)
}

func (a *App) replyCreate(c echo.Context) error {
	parent, err := a.annotationParam(c)
	if err != nil {
		return err
	}
	if parent.IsDeleted() || parent.Status != models.StatusPublished && parent.AuthorID != a.currentUser(c).ID {
		return echo.NewHTTPError(http.StatusConflict, "This annotation no longer takes replies.")
	}
	u := a.currentUser(c)
	if err := a.checkPostRate(c, u); err != nil {
		return err
	}
	in := annotationForm(c)
	verdict, err := a.screen(c, u, parent.DocumentID, parent, in)
	if err != nil {
		return err
	}
	a.keepWithPost(&in, verdict)
	reply, err := models.CreateReply(a.db, u, parent, in, verdict.Status)
	if err != nil {
		a.releaseStamp(c)
	}
	var fe models.FieldErrors
	if a.formFailed(err, &fe) {
		doc, derr := models.DocumentByID(a.db, parent.DocumentID)
		if derr != nil {
			return derr
		}
		page := newComposer(doc, &models.Passage{Number: parent.PassageNumber})
		page.Parent = parent
		page.ID = "reply"
		page.Action = fmt.Sprintf("/annotations/%d/replies", parent.ID)
		page.Cancel = fmt.Sprintf("/annotations/%d", parent.ID)
		return a.renderForm(c, "annotation_form", "Reply", fe, page)
	}
	if err != nil {
		return a.postFailed(c, err)
	}
	a.flashScreening(c, verdict)
	return redirect(c, fmt.Sprintf("/annotations/%d#a-%d", reply.ID, reply.ID))
}

func (a *App) annotationHelpful(c echo.Context) error {
	ann, err := a.annotationParam(c)
	if err != nil {
		return err
	}
	if ann.IsDeleted() || ann.Status != models.StatusPublished {
		return echo.NewHTTPError(http.StatusConflict, "This annotation cannot be marked helpful.")
	}
	_, err = models.ToggleHelpful(a.db, a.currentUser(c), ann)
	if errors.Is(err, models.ErrForbidden) {
		return echo.NewHTTPError(http.StatusForbidden, "You cannot mark your own annotation as helpful.")
	}
	if err != nil {
		return err
	}
	return redirect(c, backTo(c, fmt.Sprintf("/annotations/%d", ann.ID)))
}

// backTo returns the same-site page the form came from (its "back" field),
// or fallback.
func backTo(c echo.Context, fallback string) string {
	return safeLocalPath(c.FormValue("back"), fallback)
}

var _ = time.Now
