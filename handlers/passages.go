package handlers

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"

	"github.com/labstack/echo/v4"

	"margin/models"
)

// marginPreview is how many threads of a passage the reading view shows;
// the passage's own page has the rest, so the first page stays small and
// quick to render however busy the document.
const marginPreview = 3

// passageArg is what the "passage" template gets.
type passageArg struct {
	D *templateData
	V *models.PassageView
}

// passageFragments renders the reading view's passages, each cached on its
// own under a key holding its notes' version and the document's notes epoch,
// both read from the database on this request (as the page key is), so a
// new note costs the next reader the render of its own passage, the others
// come from the cache without reading their notes again. The viewer's part
// of the key (who, their account row, their session) keeps one viewer's
// buttons, tokens and private notes from another.
func (a *App) passageFragments(data *templateData, page *documentPage, passages []models.Passage, session string) ([]template.HTML, error) {
	viewer := fragmentViewerKey(data.User) + "|" + session
	if page.Heat != nil {
		// The heat moves with every student's note, which the page's version follows.
		viewer += fmt.Sprintf("|heat%d@%d", page.Heat.Assignment.ID, page.Document.Version)
	}
	keys := make([]string, len(passages))
	out := make([]template.HTML, len(passages))
	var missing []models.Passage
	var missingAt []int
	for i, p := range passages {
		keys[i] = fmt.Sprintf("pas|%d|%d|%d|%d|%d|%s|%t|%t|%s", page.Document.ID, page.Revision.ID, p.Number,
			p.NotesVersion, page.Document.NotesEpoch, page.filter().key(), page.IsCurrent, page.Single, viewer)
		if frag, ok := a.pageCache.get(keys[i]); ok {
			out[i] = template.HTML(frag.body)
			continue
		}
		missing = append(missing, p)
		missingAt = append(missingAt, i)
	}
	if len(missing) == 0 {
		return out, nil
	}
	// The notes are read after the versions: what is rendered is at least
	// as new as the key it is cached under.
	opts := page.filter().options()
	opts.Preview = marginPreview
	if page.Single {
		opts.Preview = 0
	}
	views, err := models.ReadingView(a.db, page.Revision, missing, data.User, opts)
	if err != nil {
		return nil, err
	}
	t := a.pages["document"]
	for j := range views {
		v := &views[j]
		frag, err := a.pageCache.load(keys[missingAt[j]], func() ([]byte, string, error) {
			a.passageRenders.Add(1)
			var buf bytes.Buffer
			err := t.ExecuteTemplate(&buf, "passage", passageArg{D: data, V: v})
			return buf.Bytes(), "", err
		})
		if err != nil {
			return nil, fmt.Errorf("render passage %d: %w", v.Passage.Number, err)
		}
		out[missingAt[j]] = template.HTML(frag.body)
	}
	return out, nil
}

// fragmentViewerKey is viewerKey without the unread count, which only the
// navigation shows.
func fragmentViewerKey(u *models.User) string {
	if u == nil {
		return "anon"
	}
	return fmt.Sprintf("u%d|%s|%d|%d", u.ID, u.Role, u.SessionEpoch, u.UpdatedAt.UnixNano())
}

// passageShow is one passage of the current text with every thread on it:
// where the reading view's "more threads" link leads.
func (a *App) passageShow(c echo.Context) error {
	doc, err := a.documentParam(c)
	if err != nil {
		return err
	}
	n, err := idParam(c, "n")
	if err != nil {
		return err
	}
	rev, err := models.RevisionByID(a.db, doc.CurrentRevisionID)
	if err != nil {
		return err
	}
	p, err := models.PassageByNumber(a.db, rev.ID, int(n))
	if err != nil {
		return err
	}
	filter, err := a.readingFilter(c, a.currentUser(c))
	if err != nil {
		return err
	}
	page := documentPage{Document: doc, Revision: rev, IsCurrent: true, Kinds: models.Kinds, Single: true, Passage: p.Number}
	page.setFilter(filter)
	if page.Filtered() {
		if page.Bar, err = a.newFilterBar(rev, doc, a.currentUser(c), filter); err != nil {
			return err
		}
	}
	data := a.newTemplateData(c, fmt.Sprintf("Passage %d of %s", p.Number, doc.Title), &page)
	if page.Rendered, err = a.passageFragments(data, &page, []models.Passage{*p}, a.sessionTag(c)); err != nil {
		return err
	}
	return a.render(c, http.StatusOK, "document_passage", data)
}
