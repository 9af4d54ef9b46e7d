package models

import (
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// rescreenEdit applies the spam check's verdict on an edited note, inside
// the edit's own transaction so that no reader ever sees the new words
// published before the check has had its say. An edit
// can only make a note wait longer: a published note the check now holds
// goes back to the queue (or to spam), with the new reasons recorded; a
// verdict to publish leaves the note where it was, so editing never
// publishes what a moderator has not seen.
func rescreenEdit(tx *gorm.DB, a *Annotation, v Verdict) error {
	// The status as it stands now, not as the editor's page had it: a
	// moderator may have decided on the note meanwhile.
	var now Status
	if err := tx.Model(&Annotation{}).Select("status").Where("id = ?", a.ID).Scan(&now).Error; err != nil {
		return err
	}
	a.Status = now
	severity := map[Status]int{StatusPublished: 0, StatusPending: 1, StatusSpam: 2}
	current, known := severity[a.Status]
	if !known || severity[v.Status] <= current {
		return nil
	}
	reasons := append([]string{"after an edit"}, v.Reasons...)
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
	res = tx.Model(&Annotation{}).Where("id = ? AND status = ?", a.ID, now).Update("status", v.Status)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("%w: a moderator decided on this note while you edited it; open it again", ErrConflict)
	}
	a.Status = v.Status
	return touchModerators(tx, a.ID) // the caller bumps the page version
}
