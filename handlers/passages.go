package handlers

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"html/template"
	"time"

	"margin/models"
)

// passageArg is what the "passage" template gets.
type passageArg struct {
	D *templateData
	V *models.PassageView
}

// passageFragments renders the reading view's passages, each cached on its
// own under a key that holds a digest of everything its template shows, as
// this viewer sees it now: a new note costs the next reader the render of
// its own passage, the others come from the cache. The digest is taken from
// the rows this request read, so, like the page key, it is exact across
// instances and never stale; the viewer's part of the key keeps one
// viewer's buttons, tokens and private notes from another.
//
// session is the browser's session tag: the notes' forms hold its CSRF token.
func (a *App) passageFragments(data *templateData, page *documentPage, session string) ([]template.HTML, error) {
	t := a.pages["document"]
	viewer := fragmentViewerKey(data.User) + "|" + session
	out := make([]template.HTML, len(page.Passages))
	for i := range page.Passages {
		v := &page.Passages[i]
		key := fmt.Sprintf("pas|%d|%d|%d|%s|%s|%t|%s|%s", page.Document.ID, page.Revision.ID, v.Passage.Number,
			page.Filter, page.Sort, page.IsCurrent, viewer, passageDigest(v))
		frag, err := a.pageCache.load(key, func() ([]byte, string, error) {
			a.passageRenders.Add(1)
			var buf bytes.Buffer
			err := t.ExecuteTemplate(&buf, "passage", passageArg{D: data, V: v})
			return buf.Bytes(), "", err
		})
		if err != nil {
			return nil, fmt.Errorf("render passage %d: %w", v.Passage.Number, err)
		}
		out[i] = template.HTML(frag.body)
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

// passageDigest hashes every field of a passage's view that the "passage"
// and "thread" templates read. A field added to those templates belongs
// here too, or a change to it would not show until something else changed.
func passageDigest(v *models.PassageView) string {
	d := digest{buf: make([]byte, 0, 4096)}
	d.int(int64(v.Passage.ID))
	d.str(v.Passage.Text)
	d.bool(v.Contested)
	d.int(int64(v.Total))
	for _, c := range v.Counts {
		d.str(string(c.Kind))
		d.int(int64(c.Count))
	}
	d.int(int64(len(v.Threads)))
	for _, t := range v.Threads {
		d.thread(t)
	}
	sum := sha256.Sum256(d.buf)
	return hex.EncodeToString(sum[:16])
}

type digest struct{ buf []byte }

func (d *digest) int(n int64) { d.buf = binary.AppendVarint(d.buf, n) }

func (d *digest) str(s string) {
	d.int(int64(len(s)))
	d.buf = append(d.buf, s...)
}

func (d *digest) bool(b bool) {
	if b {
		d.buf = append(d.buf, 1)
	} else {
		d.buf = append(d.buf, 0)
	}
}

func (d *digest) time(t *time.Time) {
	if t == nil {
		d.int(-1)
		return
	}
	d.int(t.UnixNano())
}

func (d *digest) thread(t *models.Thread) {
	a := t.Annotation
	d.int(int64(a.ID))
	d.bool(t.Missing)
	d.bool(t.Marked)
	d.bool(t.FlagHidden)
	d.bool(a.ParentID != nil)
	d.time(a.DeletedAt)
	d.time(a.EditedAt)
	d.time(&a.CreatedAt)
	d.int(int64(a.AuthorID))
	d.str(a.Author.Username)
	d.str(string(a.Author.Role))
	d.str(string(a.Kind))
	d.str(string(a.Visibility))
	d.str(string(a.Status))
	d.int(int64(a.HelpfulCount))
	d.int(int64(a.Start))
	d.int(int64(a.End))
	d.str(a.Exact)
	d.str(a.AnchorStatus)
	d.str(a.PreviousExact)
	d.str(a.Counterpoint)
	d.str(a.BodyHTML)
	d.int(int64(len(a.Citations)))
	for _, c := range a.Citations {
		d.str(c.Title)
		d.str(c.URL)
		d.str(c.Text)
	}
	d.int(int64(len(t.Replies)))
	for _, r := range t.Replies {
		d.thread(r)
	}
}
