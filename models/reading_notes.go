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
// the viewer may see, oldest first. The rows are scanned by hand into
// plain types, which take database/sql's fast paths: on a 5,000-note
// document GORM's reflection over every field of every row was half of
// the reading view's cost (BenchmarkReadingView5000).
func noteOutlines(db *gorm.DB, rev *Revision, viewer *User, where string, args ...any) ([]*Annotation, error) {
	rows, err := db.Model(&Annotation{}).Scopes(VisibleTo(viewer, false)).Select(outlineColumns).
		Where(where, args...).Order("annotations.id").Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var anns []*Annotation
	for rows.Next() {
		var id, author int64
		var kind, status, vis string
		var parent, class sql.NullInt64
		var deleted, quoted bool
		a := &Annotation{DocumentID: rev.DocumentID, RevisionID: rev.ID}
		if err := rows.Scan(&id, &a.PassageNumber, &parent, &author, &kind, &status, &vis,
			&class, &a.HelpfulCount, &deleted, &quoted, &a.Start, &a.End); err != nil {
			return nil, err
		}
		a.ID, a.AuthorID = uint(id), uint(author)
		a.Kind, a.Status, a.Visibility = Kind(kind), Status(status), Visibility(vis)
		if parent.Valid {
			p := uint(parent.Int64)
			a.ParentID = &p
		}
		if class.Valid {
			c := uint(class.Int64)
			a.ClassID = &c
		}
		if deleted {
			a.DeletedAt = &outlineDeleted
		}
		if quoted {
			a.Exact = outlineQuote
		}
		anns = append(anns, a)
	}
	return anns, rows.Err()
}
