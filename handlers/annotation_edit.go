package handlers

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"margin/models"
)

// ownAnnotation loads an annotation the current user wrote, for editing.
func (a *App) ownAnnotation(c echo.Context) (*models.Annotation, *models.Document, error) {
	ann, err := a.annotationParam(c)
	if err != nil {
		return nil, nil, err
	}
	if ann.AuthorID != a.currentUser(c).ID {
		return nil, nil, echo.NewHTTPError(http.StatusForbidden, "Only its author can change this annotation.")
	}
	if ann.IsDeleted() {
		return nil, nil, models.ErrNotFound
	}
	doc, err := models.DocumentByID(a.db, ann.DocumentID)
	return ann, doc, err
}

func editComposer(doc *models.Document, ann *models.Annotation) composerPage {
	page := newComposer(doc, &models.Passage{Number: ann.PassageNumber, Text: ann.Exact})
	page.Editing = ann
	page.ID = "edit"
	page.Action = fmt.Sprintf("/annotations/%d/edit", ann.ID)
	page.Cancel = fmt.Sprintf("/annotations/%d", ann.ID)
	rows := len(ann.Citations) + 1
	if rows < 3 {
		rows = 3
	}
	page.CiteRows = make([]int, rows)
	return page
}

func (a *App) annotationEditShow(c echo.Context) error {
	ann, doc, err := a.ownAnnotation(c)
	if err != nil {
		return err
	}
	data := a.newTemplateData(c, "Edit your annotation", editComposer(doc, ann))
	data.Form = map[string][]string{"kind": {string(ann.Kind)}, "body": {ann.Body}, "counterpoint": {ann.Counterpoint},
		"visibility": {string(ann.Visibility)}}
	for _, ct := range ann.Citations {
		data.Form["cite_title"] = append(data.Form["cite_title"], ct.Title)
		data.Form["cite_url"] = append(data.Form["cite_url"], ct.URL)
		data.Form["cite_text"] = append(data.Form["cite_text"], ct.Text)
	}
	return a.render(c, http.StatusOK, "annotation_form", data)
}

func (a *App) annotationEditSubmit(c echo.Context) error {
	ann, doc, err := a.ownAnnotation(c)
	if err != nil {
		return err
	}
	u := a.currentUser(c)
	in := annotationForm(c)
	verdict, err := a.editVerdict(c, u, ann, in, a.screen)
	if err != nil {
		return err
	}
	was := ann.Status
	err = models.UpdateAnnotation(a.db, u, ann, in, verdict, a.now())
	var fe models.FieldErrors
	if a.formFailed(err, &fe) {
		return a.renderForm(c, "annotation_form", "Edit your annotation", fe, editComposer(doc, ann))
	}
	if err != nil {
		return err
	}
	if ann.Status != was {
		a.setFlash(c, "Your annotation was updated. It will appear to others again once a moderator has looked at it.")
	} else {
		a.setFlash(c, "Your annotation was updated.")
	}
	return redirect(c, fmt.Sprintf("/annotations/%d", ann.ID))
}

// changesText tells whether an edit changes the words a reader sees: the
// body, the counterpoint or the citations.
// screenFunc screens a submission: a.screen for forms, a.screenWrite for
// the API.
type screenFunc func(c echo.Context, u *models.User, docID uint, parent *models.Annotation, in models.AnnotationInput) (models.Verdict, error)

// editVerdict checks an edit's new words like a new note, so that an edit
// cannot turn an approved note into spam unseen; nil when the words are
// unchanged. The note keeps its place in its thread and its visibility.
func (a *App) editVerdict(c echo.Context, u *models.User, ann *models.Annotation, in models.AnnotationInput, screen screenFunc) (*models.Verdict, error) {
	if !changesText(ann, in) {
		return nil, nil
	}
	var parent *models.Annotation
	if ann.ParentID != nil {
		var err error
		if parent, err = models.AnnotationByID(a.db, *ann.ParentID); err != nil {
			return nil, err
		}
	}
	check := in
	check.Visibility, check.ClassID = ann.Visibility, ann.ClassID
	v, err := screen(c, u, ann.DocumentID, parent, check)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

func changesText(ann *models.Annotation, in models.AnnotationInput) bool {
	if strings.TrimSpace(in.Body) != ann.Body || strings.TrimSpace(in.Counterpoint) != ann.Counterpoint {
		return true
	}
	var kept []models.Citation
	for _, ct := range in.Citations {
		if strings.TrimSpace(ct.Title+ct.URL+ct.Text) != "" {
			kept = append(kept, ct)
		}
	}
	if len(kept) != len(ann.Citations) {
		return true
	}
	for i, ct := range kept {
		old := ann.Citations[i]
		if strings.TrimSpace(ct.Title) != old.Title || strings.TrimSpace(ct.URL) != old.URL || strings.TrimSpace(ct.Text) != old.Text {
			return true
		}
	}
	return false
}

func (a *App) annotationDelete(c echo.Context) error {
	ann, _, err := a.ownAnnotation(c)
	if err != nil {
		return err
	}
	// Asked first, with or without JavaScript: the button's form asks in
	// the browser and then sends confirm=yes; without a script this page
	// asks instead.
	if c.FormValue("confirm") != "yes" {
		return a.render(c, http.StatusOK, "annotation_delete", a.newTemplateData(c, "Delete this annotation?", ann))
	}
	if err := models.DeleteAnnotation(a.db, a.currentUser(c), ann, a.now()); err != nil {
		return err
	}
	a.setFlash(c, "Your annotation was deleted.")
	return redirect(c, fmt.Sprintf("/documents/%d#p-%d", ann.DocumentID, ann.PassageNumber))
}
