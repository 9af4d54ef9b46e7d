package handlers

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"sync"

	"github.com/labstack/echo/v4"

	"margin/models"
)

// pageShell is the reading view without its passages and filter bar: the
// parts of the page that a new note does not change. Its marks (see
// Part) say where the passages and the bar go.
type pageShell struct {
	pieces []piece
	// page is what the passages are rendered with (revision, heat map).
	page documentPage
	// classes are the viewer's, for the filter bar.
	classes []models.ClassChoice
	// byVersion: the shell shows something a note may change (orphaned
	// notes, an assignment's progress, a heat map) or that the epoch does
	// not follow (the viewer's classes), so it is kept under the document's
	// version, as whole pages are.
	byVersion  bool
	stampNonce string
	// kept is what Kept rendered for the shell's requests.
	kept *keptParts
}

// keptParts are parts of a shell's per-request parts rendered once for all
// of its requests.
type keptParts struct {
	mu    sync.Mutex
	parts map[string]template.HTML
}

// Kept renders the named template with the page's data once per page
// shell, for every request that puts the page together from it: for a
// piece of a part rendered at each request (see Part) that depends only on
// what the shell's key names (the document, the filter, the viewer), not
// on the notes (their counts). Elsewhere it renders the template.
func (d *templateData) Kept(name string) (template.HTML, error) {
	k := d.kept
	if k == nil {
		return d.execute(name, d)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if part, ok := k.parts[name]; ok {
		return part, nil
	}
	part, err := d.execute(name, d)
	if err == nil {
		k.parts[name] = part
	}
	return part, err
}

// documentAssemble puts the reading view together for the viewer: the
// shell, then each passage from the passage cache (see passageFragments),
// written with the viewer's parts, and the filter bar, added up from the
// passages' tallies. Only the passages missing from the cache are
// rendered, and only their notes read. cache says whether the shell may
// come from, and go to, the cache (not when the page shows a flash
// message); phase is the viewer's assignments' (see assignmentPhase). It
// returns the page and the stamp nonce its form stamps wait under.
func (a *App) documentAssemble(c echo.Context, doc *models.Document, viewer *models.User, dq documentQuery, phase string, cache bool) ([]byte, string, error) {
	sh, err := a.documentShell(c, doc, viewer, dq, phase, cache)
	if err != nil {
		return nil, "", err
	}
	page := sh.page
	page.Document = doc
	passages, err := a.passagesAt(doc, page.Revision.ID)
	if err != nil {
		return nil, "", err
	}
	diff, err := models.ReaderDifferenceOn(a.db, viewer, page.Revision)
	if err != nil {
		return nil, "", err
	}
	data := &templateData{Title: doc.Title, User: viewer, csrf: func() string { return a.csrfToken(c) },
		Path: c.Request().URL.Path, Page: &page, tmpl: a.pages["document"], kept: sh.kept}
	frags, err := a.passageFragments(data, &page, passages, a.sessionTag(c), diff)
	if err != nil {
		return nil, "", err
	}
	if page.IsCurrent {
		var tally []models.NoteTally
		for _, f := range frags {
			tally = append(tally, f.tally...)
		}
		page.Bar = filterBarOf(models.FacetsOf(tally, dq.filter.options()), viewer, sh.classes, dq.filter)
	}
	view := &pageViewer{user: viewer, marked: diff.Marked, csrf: data.CSRF}
	var buf bytes.Buffer
	buf.Grow(96 << 10)
	for _, p := range sh.pieces {
		switch p.mark {
		case "":
			buf.Write(p.text)
		case "spassages":
			for _, f := range frags {
				if err := a.writeFragment(&buf, f, view); err != nil {
					return nil, "", err
				}
			}
		default:
			part, err := data.execute(p.mark[1:], data)
			if err != nil {
				return nil, "", err
			}
			buf.WriteString(string(part))
		}
	}
	return buf.Bytes(), sh.stampNonce, nil
}

// passagesAt is a revision's passages, with their notes' versions, as the
// document's version read on this request has them: every change to a
// passage's notes moves the document's version in the same transaction,
// and the passages are read after it, so they are at least that new. Every
// reader of one version shares one read.
func (a *App) passagesAt(doc *models.Document, revID uint) ([]models.Passage, error) {
	key := fmt.Sprintf("passages|%d|%d|v%d|e%d", doc.ID, revID, doc.Version, doc.NotesEpoch)
	e, err := a.pageCache.loadEntry(key, func() (*cachedPage, error) {
		ps, err := models.Passages(a.db, revID)
		if err != nil {
			return nil, err
		}
		size := 0
		for _, p := range ps {
			size += len(p.Text) + 64
		}
		return &cachedPage{passages: ps, size: size}, nil
	})
	if err != nil {
		return nil, err
	}
	return e.passages, nil
}

// documentShell is the page's shell, from the cache when it may be: under
// a key that holds the document's notes epoch (which a revision, an
// assignment or a class change moves) and details, and everything the
// page key holds but the version, which every note moves.
func (a *App) documentShell(c echo.Context, doc *models.Document, viewer *models.User, dq documentQuery, phase string, cache bool) (*pageShell, error) {
	if !cache {
		return a.renderShell(c, doc, viewer, dq, "")
	}
	if dq.revision != "" || dq.heat != 0 {
		return a.renderShell(c, doc, viewer, dq, newStampNonce())
	}
	key := fmt.Sprintf("shell|%d|%d|%d|%s|%s|%s|%s|%q|%q|%q|%q", doc.ID, doc.CurrentRevisionID, doc.NotesEpoch, dq.filter.key(),
		viewerKey(viewer, a.unread(c)), a.sessionTag(c), phase, doc.Title, doc.Author, doc.SourceURL, doc.PublishedOn)
	versioned := fmt.Sprintf("%s|v%d", key, doc.Version)
	build := func() (*cachedPage, error) {
		sh, err := a.renderShell(c, doc, viewer, dq, newStampNonce())
		if err != nil {
			return nil, err
		}
		return &cachedPage{shell: sh, size: shellSize(sh)}, nil
	}
	e, err := a.pageCache.loadEntry(key, build)
	if err != nil {
		return nil, err
	}
	if !e.shell.byVersion {
		return e.shell, nil
	}
	if e.shell.page.Document.Version == doc.Version {
		a.pageCache.store(&cachedPage{key: versioned, shell: e.shell, size: e.size})
		return e.shell, nil
	}
	e, err = a.pageCache.loadEntry(versioned, build)
	if err != nil {
		return nil, err
	}
	return e.shell, nil
}

func shellSize(sh *pageShell) int {
	n := 0
	for _, p := range sh.pieces {
		n += len(p.text) + 16
	}
	return n + 128*len(sh.classes)
}

// renderShell renders the page without its passages and filter bar;
// stampLater, when set, stands in for the form stamps, filled in when the
// page is served.
func (a *App) renderShell(c echo.Context, doc *models.Document, viewer *models.User, dq documentQuery, stampLater string) (*pageShell, error) {
	var rev *models.Revision
	var err error
	if dq.revision != "" {
		num, convErr := strconv.Atoi(dq.revision)
		if convErr != nil {
			return nil, echo.NewHTTPError(http.StatusBadRequest, "The revision must be a number.")
		}
		rev, err = models.RevisionByNumber(a.db, doc.ID, num)
	} else {
		rev, err = models.RevisionByID(a.db, doc.CurrentRevisionID)
	}
	if err != nil {
		return nil, err
	}
	revs, err := models.Revisions(a.db, doc.ID)
	if err != nil {
		return nil, err
	}
	page := documentPage{Document: doc, Revision: rev, Revisions: revs,
		IsCurrent: rev.ID == doc.CurrentRevisionID, Kinds: models.Kinds}
	page.setFilter(dq.filter)
	sh := &pageShell{stampNonce: stampLater, kept: &keptParts{parts: map[string]template.HTML{}}}
	if viewer != nil {
		// The shell's key holds the viewer's updated_at, which following bumps.
		if page.Following, err = models.IsFollowing(a.db, viewer.ID, doc.ID, 0); err != nil {
			return nil, err
		}
	}
	if page.IsCurrent && len(revs) > 1 {
		if page.Orphans, err = models.Orphans(a.db, doc, viewer); err != nil {
			return nil, err
		}
		page.Orphaned = int64(len(page.Orphans))
	}
	if viewer != nil && page.IsCurrent {
		if page.Assignments, err = a.readingAssignments(viewer, doc); err != nil {
			return nil, err
		}
		if page.Taught, err = models.TaughtAssignmentsOn(a.db, viewer, doc.ID); err != nil {
			return nil, err
		}
		if dq.heat != 0 {
			if page.Heat, err = a.readingHeat(viewer, doc, uint(dq.heat)); err != nil {
				return nil, err
			}
		}
		if sh.classes, err = models.ClassChoices(a.db, viewer, doc.ID); err != nil {
			return nil, err
		}
	}
	sh.byVersion = len(page.Orphans) > 0 || len(revs) > 1 || len(page.Assignments) > 0 || page.Heat != nil || len(sh.classes) > 0
	nonce := newFragmentNonce()
	page.Rendered = []template.HTML{template.HTML(nonce + "spassages.")}
	data := a.newTemplateData(c, doc.Title, &page)
	data.Feeds = append(data.Feeds, feedLink{Title: "Notes on " + doc.Title, Href: fmt.Sprintf("/feeds/documents/%d", doc.ID)})
	data.stampLater = stampLater
	data.shellNonce = nonce
	body, err := a.renderBytes("document", data)
	if err != nil {
		return nil, err
	}
	sh.pieces = splitMarks(body, nonce)
	// The shell keeps what the passages need, not the revision's text.
	r := *rev
	r.Text = ""
	page.Revision, page.Rendered, page.Revisions, page.Orphans = &r, nil, nil, nil
	sh.page = page
	return sh, nil
}
