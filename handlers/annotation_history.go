package handlers

import (
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"margin/models"
	"margin/models/markup"
	"margin/models/textdiff"
)

// historyPage is a note's edit history, newest version first.
type historyPage struct {
	Annotation *models.Annotation
	Versions   []historyVersion
}

// historyVersion is one wording of a note, rendered as the note shows it,
// with the words changed from the version before it.
type historyVersion struct {
	Number       int
	Current      bool
	At           time.Time // when this wording was written
	Kind         models.Kind
	Counterpoint string
	BodyHTML     template.HTML
	Citations    []models.Citation
	// Changes are from the previous version; nil for the first.
	Changes []textdiff.Op
	source  string
}

func (a *App) annotationHistory(c echo.Context) error {
	ann, err := a.annotationParam(c)
	if err != nil {
		return err
	}
	// A visitor has no user: a deleted note's history is its author's and
	// the moderators' only.
	if u := a.currentUser(c); ann.IsDeleted() && (u == nil || ann.AuthorID != u.ID) && !u.IsModerator() {
		return models.ErrNotFound
	}
	edits, err := models.AnnotationEdits(a.db, ann.ID)
	if err != nil {
		return err
	}
	versions, err := historyVersions(ann, edits)
	if err != nil {
		return err
	}
	return a.render(c, http.StatusOK, "annotation_history", a.newTemplateData(c, "Edit history", historyPage{Annotation: ann, Versions: versions}))
}

// historyVersions puts the earlier wordings (oldest first, as stored) and
// the current one in order, renders each the same way, and compares each
// with the one before; the newest comes first.
func historyVersions(ann *models.Annotation, edits []models.AnnotationEdit) ([]historyVersion, error) {
	vs := make([]historyVersion, 0, len(edits)+1)
	for i := range edits {
		e := &edits[i]
		body, err := markup.Render(e.Body)
		if err != nil {
			return nil, err
		}
		cites := e.EditCitations()
		vs = append(vs, historyVersion{Number: i + 1, At: e.WrittenAt, Kind: e.Kind, Counterpoint: e.Counterpoint,
			BodyHTML: body, Citations: cites, source: versionSource(e.Kind, e.Counterpoint, e.Body, cites)})
	}
	at := ann.CreatedAt
	if ann.EditedAt != nil {
		at = *ann.EditedAt
	}
	vs = append(vs, historyVersion{Number: len(edits) + 1, Current: true, At: at, Kind: ann.Kind, Counterpoint: ann.Counterpoint,
		BodyHTML: template.HTML(ann.BodyHTML), Citations: ann.Citations,
		source: versionSource(ann.Kind, ann.Counterpoint, ann.Body, ann.Citations)})
	for i := 1; i < len(vs); i++ {
		vs[i].Changes = textdiff.Words(vs[i-1].source, vs[i].source)
	}
	for i, j := 0, len(vs)-1; i < j; i, j = i+1, j-1 {
		vs[i], vs[j] = vs[j], vs[i]
	}
	return vs, nil
}

// versionSource is what a version says, as a reader reads it (the body's
// text without its Markdown): the words compared between versions.
func versionSource(kind models.Kind, counterpoint, body string, cites []models.Citation) string {
	var b strings.Builder
	b.WriteString(kind.Label() + "\n")
	if counterpoint != "" {
		b.WriteString("Counterpoint: " + counterpoint + "\n")
	}
	b.WriteString(markup.Plain(body, 1<<20))
	for _, c := range cites {
		b.WriteString("\nCitation: " + strings.Join(nonEmpty(c.Title, c.URL, c.Text), " · "))
	}
	return b.String()
}
