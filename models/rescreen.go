package models

import (
	"strings"

	"gorm.io/gorm"
)

// RescreenEdit applies the spam check's verdict on an edited note. An edit
// can only make a note wait longer: a published note the check now holds
// goes back to the queue (or to spam), with the new reasons recorded; a
// verdict to publish leaves the note where it was, so editing never
// publishes what a moderator has not seen.
func RescreenEdit(db *gorm.DB, a *Annotation, v Verdict) error {
	severity := map[Status]int{StatusPublished: 0, StatusPending: 1, StatusSpam: 2}
	current, known := severity[a.Status]
	if !known || severity[v.Status] <= current {
		return nil
	}
	reasons := append([]string{"after an edit"}, v.Reasons...)
	return db.Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Screening{}).Where("annotation_id = ?", a.ID).Updates(map[string]any{
			"score": v.Score, "reasons": strings.Join(reasons, "\n"), "body_hash": v.BodyHash,
		})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			if err := recordScreening(tx, &Annotation{ID: a.ID, AuthorID: a.AuthorID, Status: v.Status},
				Verdict{Status: v.Status, Score: v.Score, Reasons: reasons, BodyHash: v.BodyHash, sub: v.sub}, v.sub.Now); err != nil {
				return err
			}
		}
		if err := tx.Model(a).Update("status", v.Status).Error; err != nil {
			return err
		}
		a.Status = v.Status
		if err := bumpDocument(tx, a.DocumentID); err != nil {
			return err
		}
		return touchModerators(tx)
	})
}
