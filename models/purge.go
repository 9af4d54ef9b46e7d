package models

import (
	"time"

	"gorm.io/gorm"
)

// PurgeResult says what PurgeModerated removed.
type PurgeResult struct {
	Annotations int
	Scrubbed    int64 // screenings whose address and browser were forgotten
}

// PurgeModerated deletes rejected and spam annotations whose status has
// not changed since before cutoff, with everything attached to them, and
// forgets the network details of older screenings. The moderation log
// keeps its entries. With dryRun it only counts.
func PurgeModerated(db *gorm.DB, cutoff time.Time, dryRun bool) (PurgeResult, error) {
	var res PurgeResult
	var old []Annotation
	err := db.Select("id", "document_id").Where("status IN ? AND updated_at < ?", []Status{StatusRejected, StatusSpam}, cutoff).
		Find(&old).Error
	if err != nil || dryRun {
		res.Annotations = len(old)
		return res, err
	}
	err = db.Transaction(func(tx *gorm.DB) error {
		docs := map[uint]bool{}
		for _, batch := range batches(old, 200) {
			ids := make([]uint, len(batch))
			for i, a := range batch {
				ids[i] = a.ID
				docs[a.DocumentID] = true
			}
			for _, m := range []any{&Citation{}, &AnnotationEdit{}, &Reaction{}, &Notification{}, &Flag{}, &Screening{}, &Claim{}} {
				if err := tx.Where("annotation_id IN ?", ids).Delete(m).Error; err != nil {
					return err
				}
			}
			if err := tx.Where("id IN ?", ids).Delete(&Annotation{}).Error; err != nil {
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
