package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// ErrPurged is what loading a purged annotation returns: to everyone it is
// gone, as if deleted, and nothing can restore it.
var ErrPurged = fmt.Errorf("%w: this note was purged; its text is gone and it cannot be restored", ErrNotFound)

// PurgeResult says what PurgeModerated removed.
type PurgeResult struct {
	Annotations int
	Scrubbed    int64 // screenings whose address and browser were forgotten
}

// PurgeModerated erases rejected and spam annotations whose status has
// not changed since before cutoff, and forgets the network details of
// older screenings. With dryRun it only counts.
//
// The text goes (body, counterpoint, quote, earlier versions, citations,
// the screening, the flaggers' notes and the text the log kept for the
// classifier), and so do reactions, notifications and claims. What stays
// is a row without content and the readers' flags: an author's standing
// counts the row's status, a flagger's record the flags' outcomes, and
// neither may change because a note was purged. The moderation log keeps
// its entries. A purged row is shown to no one (VisibleTo) and cannot be
// loaded, decided on or restored (AnnotationByID returns ErrPurged).
func PurgeModerated(db *gorm.DB, cutoff time.Time, dryRun bool) (PurgeResult, error) {
	var res PurgeResult
	var old []Annotation
	err := db.Select("id", "document_id").
		Where("status IN ? AND updated_at < ? AND purged_at IS NULL", []Status{StatusRejected, StatusSpam}, cutoff).
		Find(&old).Error
	if err != nil || dryRun {
		res.Annotations = len(old)
		return res, err
	}
	now := time.Now().UTC()
	err = db.Transaction(func(tx *gorm.DB) error {
		docs := map[uint]bool{}
		for _, batch := range batches(old, 200) {
			ids := make([]uint, len(batch))
			for i, a := range batch {
				ids[i] = a.ID
				docs[a.DocumentID] = true
			}
			if err := eraseAnnotations(tx, ids, now); err != nil {
				return err
			}
		}
		for id := range docs {
			if err := bumpDocument(tx, id); err != nil {
				return err
			}
		}
		scrub := tx.Model(&Screening{}).Where("created_at < ? AND (ip <> '' OR user_agent <> '' OR referrer <> '')", cutoff).
			Updates(map[string]any{"ip": "", "user_agent": "", "referrer": ""})
		res.Scrubbed = scrub.RowsAffected
		return scrub.Error
	})
	res.Annotations = len(old)
	return res, err
}

// eraseAnnotations purges the annotations ids, keeping what PurgeModerated says.
func eraseAnnotations(tx *gorm.DB, ids []uint, now time.Time) error {
	for _, m := range []any{&Citation{}, &AnnotationEdit{}, &Reaction{}, &Notification{}, &Screening{}, &Claim{}} {
		if err := tx.Where("annotation_id IN ?", ids).Delete(m).Error; err != nil {
			return err
		}
	}
	// UpdateColumns leaves updated_at alone: it still says when the note
	// was rejected or filed as spam.
	err := tx.Model(&Annotation{}).Where("id IN ?", ids).UpdateColumns(map[string]any{
		"body": "", "body_html": "", "counterpoint": "", "exact": "", "prefix": "", "suffix": "",
		"helpful_count": 0, "purged_at": now,
	}).Error
	if err != nil {
		return err
	}
	if err := tx.Model(&Flag{}).Where("annotation_id IN ?", ids).UpdateColumn("note", "").Error; err != nil {
		return err
	}
	return tx.Model(&Decision{}).Where("annotation_id IN ?", ids).
		UpdateColumns(map[string]any{"learnt_text": "", "prev_learnt_text": ""}).Error
}
