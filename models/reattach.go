package models

import (
	"errors"

	"gorm.io/gorm"

	"margin/models/anchor"
)

// ErrNotOrphaned refuses to re-attach a note that already stands on the
// current text.
var ErrNotOrphaned = errors.New("this note already stands on the current text")

// CanReattach tells whether u may re-attach an orphaned note: its author and
// the document's editors (educators and admins) may.
func CanReattach(u *User, a *Annotation) bool {
	return u != nil && !a.IsReply() && (a.AuthorID == u.ID || u.IsEducator())
}

// ReattachAnnotation moves an orphaned note, with its replies, onto the
// document's current text at the words quote names in passage (the whole
// passage when quote is empty). The wording it was written on is kept as
// its previous wording when the new one differs.
func ReattachAnnotation(db *gorm.DB, a *Annotation, passage int, quote string) error {
	return db.Transaction(func(tx *gorm.DB) error {
		var doc Document
		if err := tx.First(&doc, a.DocumentID).Error; err != nil {
			return notFound(err)
		}
		if a.RevisionID == doc.CurrentRevisionID {
			return ErrNotOrphaned
		}
		sel, err := locateInRevision(tx, doc.CurrentRevisionID, passage, quote, -1)
		var lerr locateError
		if errors.As(err, &lerr) {
			return FieldErrors{"quote": sentenceCase(err.Error()) + "."}
		} else if err != nil {
			return err
		}
		if err := tx.Model(&Annotation{}).Where("id = ?", a.ID).Updates(map[string]any{
			"revision_id": doc.CurrentRevisionID, "passage_number": sel.Passage, "exact": sel.Quote.Exact,
			"prefix": sel.Quote.Prefix, "suffix": sel.Quote.Suffix, "start": sel.Position.Start, "end": sel.Position.End,
			"anchor_status": string(anchor.Exact), "previous_exact": previousWording(*a, sel.Quote.Exact),
		}).Error; err != nil {
			return err
		}
		if err := tx.Model(&Annotation{}).Where("root_id = ?", a.ID).Updates(map[string]any{
			"revision_id": doc.CurrentRevisionID, "passage_number": sel.Passage, "start": sel.Position.Start,
			"end": sel.Position.End, "anchor_status": string(anchor.Exact),
		}).Error; err != nil {
			return err
		}
		return bumpDocument(tx, doc.ID)
	})
}
