package models

import (
	"database/sql"
	"time"

	"gorm.io/gorm"
)

// outlineColumns are what the reading view needs of every note on its
// passages to count, order, highlight and thread them: no text, and of a
// deletion and a quoted phrase only whether there is one. completeThreads
// reads the rest for the notes the view shows.
var outlineColumns = []string{"annotations.id", "annotations.passage_number", "annotations.parent_id",
	"annotations.author_id", "annotations.kind", "annotations.status", "annotations.visibility",
	"annotations.class_id", "annotations.helpful_count", "annotations.deleted_at IS NOT NULL",
	"annotations.exact <> ''", "annotations.start", "annotations.end"}

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
	anns := make([]*Annotation, len(read))
	for i := range read {
		anns[i] = read[i].annotation(rev)
	}
	return anns, nil
}

// outline is one note's outline row, as noteOutlines reads it and
// OutlineCache keeps it.
type outline struct {
	id, author      uint
	parent, class   *uint
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
// the reading view's cost (BenchmarkReadingView5000).
func readOutlines(db *gorm.DB, rev *Revision, viewer *User, where string, args ...any) ([]outline, error) {
	rows, err := db.Model(&Annotation{}).Scopes(VisibleTo(viewer, false)).Select(outlineColumns).
		Where(where, args...).Order("annotations.id").Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []outline
	for rows.Next() {
		var id, author int64
		var kind, status, vis string
		var parent, class sql.NullInt64
		var o outline
		if err := rows.Scan(&id, &o.passage, &parent, &author, &kind, &status, &vis,
			&class, &o.helpful, &o.deleted, &o.quoted, &o.start, &o.end); err != nil {
			return nil, err
		}
		o.id, o.author = uint(id), uint(author)
		o.kind, o.status, o.visibility = Kind(kind), Status(status), Visibility(vis)
		if parent.Valid {
			p := uint(parent.Int64)
			o.parent = &p
		}
		if class.Valid {
			c := uint(class.Int64)
			o.class = &c
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// annotation is the outline as a note of rev, for the reading view to fill
// in; each call makes a new one, which the caller may change.
func (o *outline) annotation(rev *Revision) *Annotation {
	a := &Annotation{ID: o.id, DocumentID: rev.DocumentID, RevisionID: rev.ID, PassageNumber: o.passage,
		AuthorID: o.author, Kind: o.kind, Status: o.status, Visibility: o.visibility,
		HelpfulCount: o.helpful, Start: o.start, End: o.end}
	if o.parent != nil {
		p := *o.parent
		a.ParentID = &p
	}
	if o.class != nil {
		c := *o.class
		a.ClassID = &c
	}
	if o.deleted {
		a.DeletedAt = &outlineDeleted
	}
	if o.quoted {
		a.Exact = outlineQuote
	}
	return a
}
