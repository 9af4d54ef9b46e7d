package models

import (
	"cmp"
	"database/sql"
	"slices"
	"time"

	"gorm.io/gorm"
)

// outlineColumns are what the reading view needs of every note on its
// passages to count, order, highlight and thread them: no text, and of a
// deletion and a quoted phrase only whether there is one; the author's
// name, which never changes, comes along (outlineAuthors). completeThreads
// reads the rest for the notes the view shows.
var outlineColumns = []string{"annotations.id", "annotations.passage_number", "annotations.parent_id",
	"annotations.author_id", "users.username", "annotations.kind", "annotations.status", "annotations.visibility",
	"annotations.class_id", "annotations.helpful_count", "annotations.deleted_at IS NOT NULL",
	"annotations.exact <> ''", "annotations.start", "annotations.end"}

// outlineAuthors joins each note's author to its outline: a busy
// passage's few authors come with its notes rather than in a query of
// their own (which was a tenth of a passage's render, BenchmarkPassageRender).
const outlineAuthors = "LEFT JOIN users ON users.id = annotations.author_id"

// outlineDeleted and outlineQuote stand in an outline for a deletion's
// time and a phrase's words, of which it knows only that they exist.
var outlineDeleted = time.Time{}

const outlineQuote = "…"

// noteOutlines loads the outline of the notes on rev matching where that
// the viewer may see, oldest first.
func noteOutlines(db *gorm.DB, rev *Revision, viewer *User, where string, args ...any) ([]*Annotation, error) {
	read, err := readOutlines(db, rev, viewer, where, args...)
	if err != nil {
		return nil, err
	}
	return annotationsOf(rev, read), nil
}

// annotationsOf is outlines as notes of rev, for the reading view to fill
// in: new ones, which the caller may change, made in one allocation (a
// busy document has thousands).
func annotationsOf(rev *Revision, lists ...[]outline) []*Annotation {
	n := 0
	for _, list := range lists {
		n += len(list)
	}
	slab, ids := make([]Annotation, n), make([]uint, 0, 2*n)
	anns := make([]*Annotation, 0, n)
	for _, list := range lists {
		for i := range list {
			a := &slab[len(anns)]
			ids = list[i].fill(a, rev, ids)
			anns = append(anns, a)
		}
	}
	return anns
}

// outline is one note's outline row, as noteOutlines reads it and
// OutlineCache keeps it.
type outline struct {
	id, author      uint
	username        string
	parent, class   uint // 0 for none
	passage         int
	kind            Kind
	status          Status
	visibility      Visibility
	helpful         int
	deleted, quoted bool
	start, end      int
}

// readOutlines reads the outline rows. They are scanned by hand into
// plain types, which take database/sql's fast paths: on a 5,000-note
// document GORM's reflection over every field of every row was half of
// the reading view's cost (BenchmarkReadingView5000). The kinds,
// statuses and audiences kept are the program's own strings, not one
// copy per row (OutlineCache holds them), and each author's name is one
// string however many notes they wrote.
func readOutlines(db *gorm.DB, rev *Revision, viewer *User, where string, args ...any) ([]outline, error) {
	rows, err := db.Model(&Annotation{}).Joins(outlineAuthors).Scopes(VisibleTo(viewer, false)).Select(outlineColumns).
		Where(where, args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []outline
	names := map[string]string{}
	for rows.Next() {
		o, err := scanOutline(rows, names)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	// Oldest first, sorted here: ORDER BY made SQLite sort thousands of
	// rows in a temporary B-tree (11 ms for 13,000 notes, against 2 ms
	// unsorted), or choose the status index, whose order is the ids'.
	slices.SortFunc(out, func(a, b outline) int { return cmp.Compare(a.id, b.id) })
	return out, rows.Err()
}

// scanOutline scans a row of outlineColumns, then into extra the columns
// after them; names holds the authors' names met so far.
func scanOutline(rows *sql.Rows, names map[string]string, extra ...any) (outline, error) {
	var id, author int64
	var kind, status, vis string
	var name sql.RawBytes
	var parent, class sql.NullInt64
	var o outline
	if err := rows.Scan(append([]any{&id, &o.passage, &parent, &author, &name, &kind, &status, &vis,
		&class, &o.helpful, &o.deleted, &o.quoted, &o.start, &o.end}, extra...)...); err != nil {
		return o, err
	}
	o.id, o.author = uint(id), uint(author)
	if o.username = names[string(name)]; o.username == "" && len(name) > 0 {
		o.username = string(name)
		names[o.username] = o.username
	}
	o.kind, o.status, o.visibility = Kind(known(kind)), Status(known(status)), Visibility(known(vis))
	o.parent, o.class = uint(parent.Int64), uint(class.Int64)
	return o, nil
}

// knownWords are the kinds, statuses and audiences a note's row holds.
var knownWords = func() map[string]string {
	m := map[string]string{}
	for _, k := range Kinds {
		m[string(k)] = string(k)
	}
	for _, w := range []string{string(StatusPublished), string(StatusPending), string(StatusSpam), string(StatusRejected),
		string(StatusHidden), string(VisibilityPublic), string(VisibilityPrivate), string(VisibilityClass)} {
		m[w] = w
	}
	return m
}()

// known is the program's own copy of s when it is a known word.
func known(s string) string {
	if w, ok := knownWords[s]; ok {
		return w
	}
	return s
}

// fill writes the outline into a as a note of rev; its parent and class
// ids go at the end of ids, which it returns.
func (o *outline) fill(a *Annotation, rev *Revision, ids []uint) []uint {
	*a = Annotation{ID: o.id, DocumentID: rev.DocumentID, RevisionID: rev.ID, PassageNumber: o.passage,
		AuthorID: o.author, Author: User{ID: o.author, Username: o.username}, Kind: o.kind, Status: o.status, Visibility: o.visibility,
		HelpfulCount: o.helpful, Start: o.start, End: o.end}
	if o.parent != 0 {
		ids = append(ids, o.parent)
		a.ParentID = &ids[len(ids)-1]
	}
	if o.class != 0 {
		ids = append(ids, o.class)
		a.ClassID = &ids[len(ids)-1]
	}
	if o.deleted {
		a.DeletedAt = &outlineDeleted
	}
	if o.quoted {
		a.Exact = outlineQuote
	}
	return ids
}
