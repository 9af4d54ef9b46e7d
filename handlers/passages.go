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
// come from the cache without reading their notes again.
//
// A passage where the viewer sees what a visitor sees (diff, read on this
// request too) is rendered once for all such readers and visitors: its key
// names no one, and who reads it changes only its marked parts (see
// sharedFragment), chosen as the page is put together. Elsewhere (the
// viewer's own private, class or held notes, their class's notes, a reading
// whose classmates stay hidden, a heat map) the key holds the viewer (their
// account row and session), so one viewer's notes, buttons and tokens never
// reach another.
func (a *App) passageFragments(data *templateData, page *documentPage, passages []models.Passage, session string, diff *models.ReaderDifference) ([]*cachedPage, error) {
	viewer := fragmentViewerKey(data.User) + "|" + session
	if page.Heat != nil {
		// The heat moves with every student's note, which the page's version follows.
		viewer += fmt.Sprintf("|heat%d@%d", page.Heat.Assignment.ID, page.Document.Version)
	}
	// Shared passages first, then the viewer's own: each side is read in
	// one query, and a passage that other requests miss at the same moment
	// (every reader after a new note) is read and rendered once.
	var keys [2][]string
	var at [2][]int
	for i, p := range passages {
		side, who := 1, viewer
		if data.User == nil || (page.Heat == nil && diff.Shares(p.Number)) {
			side, who = 0, "shared"
		}
		keys[side] = append(keys[side], fmt.Sprintf("pas|%d|%d|%d|%d|%d|%s|%t|%t|%s", page.Document.ID, page.Revision.ID, p.Number,
			p.NotesVersion, page.Document.NotesEpoch, page.filter().key(), page.IsCurrent, page.Single, who))
		at[side] = append(at[side], i)
	}
	out := make([]*cachedPage, len(passages))
	for side := range keys {
		if len(keys[side]) == 0 {
			continue
		}
		as := data
		if side == 0 {
			as = sharedData(data)
		}
		frags, err := a.pageCache.loadMany(keys[side], func(missing []int) ([]*cachedPage, error) {
			ps := make([]models.Passage, len(missing))
			for j, m := range missing {
				ps[j] = passages[at[side][m]]
			}
			return a.renderPassages(as, page, ps, diff == nil || !diff.All)
		})
		if err != nil {
			return nil, err
		}
		for j, f := range frags {
			out[at[side][j]] = f
		}
	}
	return out, nil
}

// sharedData is the page's data as a shared passage is rendered with: no
// one's, with marks for the reader's parts.
func sharedData(d *templateData) *templateData {
	nonce := newFragmentNonce()
	page := *d.Page.(*documentPage) // parts rendered later read this, not the request's
	return &templateData{Title: d.Title, Path: d.Path, Page: &page, tmpl: d.tmpl,
		csrf: func() string { return nonce + "c." }, share: &fragmentRecorder{nonce: nonce}}
}

// renderPassages renders passages as data's viewer sees them (nobody's,
// for a shared render), for the passage cache; seesVisitorsNotes says the
// viewer sees every note a visitor does (see models.ReadingOptions).
func (a *App) renderPassages(data *templateData, page *documentPage, passages []models.Passage, seesVisitorsNotes bool) ([]*cachedPage, error) {
	// The notes are read after the versions: what is rendered is at least
	// as new as the key it is cached under.
	opts := page.filter().options()
	opts.Preview = marginPreview
	opts.Outlines, opts.Epoch = a.outlines, page.Document.NotesEpoch
	opts.SeesVisitorsNotes = seesVisitorsNotes
	if page.Single {
		opts.Preview = 0
	}
	views, err := models.ReadingView(a.db, page.Revision, passages, data.User, opts)
	if err != nil {
		return nil, err
	}
	t := a.pages["document"]
	out := make([]*cachedPage, len(views))
	for j := range views {
		v := &views[j]
		a.passageRenders.Add(1)
		d := data
		if data.share != nil {
			d = sharedData(data) // a nonce and holes of its own
		}
		d.tmpl = t
		var buf bytes.Buffer
		if err := t.ExecuteTemplate(&buf, "passage", passageArg{D: d, V: v}); err != nil {
			return nil, fmt.Errorf("render passage %d: %w", v.Passage.Number, err)
		}
		p := &cachedPage{body: buf.Bytes(), tally: v.Tally}
		if d.share != nil {
			p.frag = &sharedFragment{pieces: splitMarks(p.body, d.share.nonce), holes: d.share.holes}
			p.body = nil
			p.size = p.frag.size()
		}
		p.size += len(p.body) + 64*len(p.tally)
		out[j] = p
	}
	return out, nil
}

// passagesFor is passageFragments written out for data's viewer, for a
// page rendered around them.
func (a *App) passagesFor(data *templateData, page *documentPage, passages []models.Passage, session string, diff *models.ReaderDifference) ([]template.HTML, error) {
	frags, err := a.passageFragments(data, page, passages, session, diff)
	if err != nil {
		return nil, err
	}
	view := &pageViewer{user: data.User, csrf: data.CSRF}
	if diff != nil {
		view.marked = diff.Marked
	}
	out := make([]template.HTML, len(frags))
	for i, f := range frags {
		var buf bytes.Buffer
		if err := a.writeFragment(&buf, f, view); err != nil {
			return nil, err
		}
		out[i] = template.HTML(buf.String())
	}
	return out, nil
}

// writeFragment writes a passage for the viewer. What a shared passage
// comes to for one viewer is kept in the cache beside it (see
// sharedFragment.copyKey): when another passage of the page changes, the
// viewer's page is put together again, and this one is then a copy.
func (a *App) writeFragment(buf *bytes.Buffer, f *cachedPage, v *pageViewer) error {
	if f.frag == nil {
		buf.Write(f.body)
		return nil
	}
	if f.key == "" { // not from the cache: nothing names it
		return f.frag.writeFor(buf, v)
	}
	key := f.frag.copyKey(f.key, v)
	if w, ok := a.pageCache.get(key); ok {
		buf.Write(w.body)
		return nil
	}
	// A visitor's key names no session: what holds one's CSRF token is
	// theirs alone, and not kept.
	tokenless := true
	as := *v
	as.csrf = func() string { tokenless = false; return v.csrf() }
	start := buf.Len()
	if err := f.frag.writeFor(buf, &as); err != nil {
		return err
	}
	if v.user != nil || tokenless {
		body := bytes.Clone(buf.Bytes()[start:])
		a.pageCache.store(&cachedPage{key: key, body: body, size: len(body) + len(key)})
	}
	return nil
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
	data.tmpl = a.pages["document"]
	diff, err := models.ReaderDifferenceOn(a.db, data.User, rev)
	if err != nil {
		return err
	}
	if page.Rendered, err = a.passagesFor(data, &page, []models.Passage{*p}, a.sessionTag(c), diff); err != nil {
		return err
	}
	return a.render(c, http.StatusOK, "document_passage", data)
}
