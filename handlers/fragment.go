package handlers

import (
	"bytes"
	"fmt"
	"html/template"
	"strconv"
	"sync"

	"margin/models"
)

// A shared passage is rendered once for every reader who sees a visitor's
// notes on it (see passageFragments), with marks where each reader's own
// parts go: their CSRF token, and each ViewerPart (a note's buttons, the
// passage's Annotate link) rendered for every kind of reader. Putting a
// page together writes the marked bytes for one reader, choosing those
// parts, without running a template.
//
// A mark is the render's random nonce, which no note can hold, then "c."
// for the CSRF token, "h<n>." for the nth viewer part, or, in a page shell,
// "s<name>." for a part of the page rendered at each request (see Part).

// The kinds of reader a viewer part is rendered for.
const (
	asVisitor = iota
	asReader
	asReaderMarked // a reader who found the note helpful
	asModerator
	asModeratorMarked
	asAuthor // the note's own author
	readerKinds
)

// piece is a run of a marked render: text, or a mark.
type piece struct {
	text []byte
	mark string
}

// splitMarks cuts a render at its marks.
func splitMarks(body []byte, nonce string) []piece {
	var out []piece
	n := []byte(nonce)
	for len(body) > 0 {
		i := bytes.Index(body, n)
		if i < 0 {
			break
		}
		end := bytes.IndexByte(body[i+len(n):], '.')
		if end < 0 {
			break
		}
		if i > 0 {
			out = append(out, piece{text: body[:i]})
		}
		out = append(out, piece{mark: string(body[i+len(n) : i+len(n)+end])})
		body = body[i+len(n)+end+1:]
	}
	if len(body) > 0 {
		out = append(out, piece{text: body})
	}
	return out
}

// sharedFragment is a shared passage's render, cut at its marks.
type sharedFragment struct {
	pieces []piece
	holes  []*fragmentHole
}

// fragmentHole is a viewer part, rendered for each kind of reader when a
// reader of that kind first needs it (most passages are only ever read by
// visitors and readers, seldom by a moderator or the note's author).
type fragmentHole struct {
	author, note uint // the note's, if the part is a note's
	once         [readerKinds]sync.Once
	variants     [readerKinds][]piece
	errs         [readerKinds]error
	render       func(kind int) ([]piece, error)
}

func (h *fragmentHole) variant(kind int) ([]piece, error) {
	h.once[kind].Do(func() { h.variants[kind], h.errs[kind] = h.render(kind) })
	return h.variants[kind], h.errs[kind]
}

// pageViewer is who a page is put together for.
type pageViewer struct {
	user   *models.User
	marked map[uint]bool // the notes they found helpful
	csrf   func() string
}

func (h *fragmentHole) variantFor(v *pageViewer) int {
	u := v.user
	switch {
	case u == nil:
		return asVisitor
	case h.author != 0 && u.ID == h.author:
		return asAuthor
	}
	kind := asReader
	if u.IsModerator() {
		kind = asModerator
	}
	if h.note != 0 && v.marked[h.note] {
		kind++ // the marked variant follows each
	}
	return kind
}

// copyKey names the copy of what the fragment cached under key comes to for v (see
// writePieces): which variant of each part they get (who they are, and the
// notes of the passage they found helpful) and, for a reader, their CSRF
// token.
func (f *sharedFragment) copyKey(key string, v *pageViewer) string {
	b := make([]byte, 0, len(key)+96)
	b = append(b, "as|"...)
	b = append(b, key...)
	if v.user == nil {
		return string(append(b, "|visitor"...))
	}
	b = append(b, "|u"...)
	b = strconv.AppendUint(b, uint64(v.user.ID), 10)
	b = strconv.AppendBool(append(b, '|'), v.user.IsModerator())
	b = append(append(b, '|'), v.csrf()...)
	for _, h := range f.holes {
		if h.note != 0 && v.marked[h.note] {
			b = strconv.AppendUint(append(b, ",m"...), uint64(h.note), 10)
		}
	}
	return string(b)
}

func (f *sharedFragment) writeFor(buf *bytes.Buffer, v *pageViewer) error {
	return writePieces(buf, f.pieces, f.holes, v)
}

func writePieces(buf *bytes.Buffer, ps []piece, holes []*fragmentHole, v *pageViewer) error {
	for _, p := range ps {
		switch {
		case p.mark == "":
			buf.Write(p.text)
		case p.mark == "c":
			buf.WriteString(v.csrf())
		case p.mark[0] == 'h':
			n, err := strconv.Atoi(p.mark[1:])
			if err != nil || n >= len(holes) {
				return fmt.Errorf("passage fragment: no part %q", p.mark)
			}
			h := holes[n]
			part, err := h.variant(h.variantFor(v))
			if err != nil {
				return err
			}
			if err := writePieces(buf, part, nil, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// size is about what the fragment holds: its text, and its parts once
// rendered, about the length of one of them each time.
func (f *sharedFragment) size() int {
	n := 0
	for _, p := range f.pieces {
		n += len(p.text) + 16
	}
	return n + len(f.holes)*readerKinds*400
}

// fragmentRecorder is a shared render's nonce and the viewer parts it met.
type fragmentRecorder struct {
	nonce string
	holes []*fragmentHole
}

func newFragmentNonce() string { return "frag-" + randomToken(12) + "-" }

// hole marks the place of a viewer part, to be rendered for each kind of
// reader when one first reads it.
func (r *fragmentRecorder) hole(d *templateData, name string, t *models.Thread, p *models.PassageView) (template.HTML, error) {
	h := &fragmentHole{}
	if t != nil {
		h.author, h.note = t.AuthorID, t.ID
	}
	base := *d
	base.share = nil
	nonce := r.nonce
	h.render = func(kind int) ([]piece, error) {
		as := base
		as.User = standIn(kind, h.author)
		arg := viewerPartArg{D: &as, T: t, P: p}
		if t != nil {
			marked := *t
			marked.Marked = kind == asReaderMarked || kind == asModeratorMarked
			arg.T = &marked
		}
		out, err := as.execute(name, arg)
		if err != nil {
			return nil, err
		}
		return splitMarks([]byte(out), nonce), nil
	}
	r.holes = append(r.holes, h)
	return template.HTML(fmt.Sprintf("%sh%d.", r.nonce, len(r.holes)-1)), nil
}

// standIn is the reader a viewer part is rendered for: no real account has
// id 0, so a stand-in is never taken for a note's author unless it is one.
func standIn(kind int, author uint) *models.User {
	switch kind {
	case asVisitor:
		return nil
	case asAuthor:
		return &models.User{ID: author, Role: models.RoleReader}
	case asModerator, asModeratorMarked:
		return &models.User{Role: models.RoleModerator}
	}
	return &models.User{Role: models.RoleReader}
}
