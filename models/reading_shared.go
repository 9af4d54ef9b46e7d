package models

import "gorm.io/gorm"

// ReaderDifference is what a logged-in reader sees of a revision's notes
// beyond what a visitor sees, so that the reading view can share every
// other passage's notes between them: on a passage outside Passages (and
// with All false) the reader sees exactly the visitor's notes. Marked
// holds the notes on the revision the reader found helpful.
type ReaderDifference struct {
	// All: every passage may differ, for a student on a reading whose
	// classmates stay hidden until they post (see hiddenUntilPosted).
	All      bool
	Passages map[int]bool
	Marked   map[uint]bool
}

// Shares tells whether passage n shows the reader a visitor's notes.
func (d *ReaderDifference) Shares(n int) bool { return d == nil || (!d.All && !d.Passages[n]) }

// ReaderDifferenceOn finds, in one query (scanned by hand: it is asked on
// every logged-in read of a changed page), the passages where viewer sees
// other notes than a visitor does: their own notes that are not public
// and published (private, class, held, hidden, refused), and class notes
// of their classes (of anyone, held ones too: over-counting only costs a
// render of the reader's own). Every other note VisibleTo lets a reader
// see is public and published, which a visitor sees as well.
func ReaderDifferenceOn(db *gorm.DB, viewer *User, rev *Revision) (*ReaderDifference, error) {
	d := &ReaderDifference{Passages: map[int]bool{}, Marked: map[uint]bool{}}
	if viewer == nil {
		return d, nil
	}
	// Each part is led by the reader's own rows (their notes, classes,
	// marks): the unary + keeps SQLite from reading the document's notes
	// by idx_annotation_passage instead, all of them, for every reader.
	rows, err := db.Raw(`SELECT 'p' AS what, passage_number AS n FROM annotations
		WHERE author_id = ? AND (status <> ? OR visibility <> ?) AND +document_id = ? AND +revision_id = ? AND purged_at IS NULL
	UNION ALL SELECT 'p', a.passage_number FROM class_members m CROSS JOIN annotations a
		WHERE m.user_id = ? AND a.class_id = m.class_id AND a.visibility = ? AND +a.document_id = ? AND +a.revision_id = ? AND a.purged_at IS NULL
	UNION ALL SELECT 'a', 0 FROM assignments hide
		JOIN class_members me ON me.class_id = hide.class_id AND me.user_id = ? AND me.role = ?
		WHERE hide.document_id = ? AND hide.hide_until_posted = ?
	UNION ALL SELECT 'm', r.annotation_id FROM reactions r CROSS JOIN annotations a
		WHERE r.user_id = ? AND a.id = r.annotation_id AND +a.document_id = ? AND +a.revision_id = ?`,
		viewer.ID, StatusPublished, VisibilityPublic, rev.DocumentID, rev.ID,
		viewer.ID, VisibilityClass, rev.DocumentID, rev.ID,
		viewer.ID, MemberStudent, rev.DocumentID, true,
		viewer.ID, rev.DocumentID, rev.ID).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var what string
		var n int64
		if err := rows.Scan(&what, &n); err != nil {
			return nil, err
		}
		switch what {
		case "p":
			d.Passages[int(n)] = true
		case "a":
			d.All = true
		case "m":
			d.Marked[uint(n)] = true
		}
	}
	return d, rows.Err()
}
