package models

import (
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"margin/models/samples"
)

// settingChecklistDismissed records that an admin put the first steps away.
const settingChecklistDismissed = "setup_checklist_dismissed"

// Checklist is what a new site's admin is asked to do first. Each step is
// read from the site itself, so it ticks itself off however it was done
// (in the browser or with the margin command).
type Checklist struct {
	Imported   bool // a document beyond the two samples
	Roles      bool // someone besides the admins is a moderator or an educator, or a second admin
	Class      bool
	SpamSeeded bool // the classifier has learnt both spam and genuine notes
	Dismissed  bool
}

// Done tells whether every step is done.
func (c Checklist) Done() bool { return c.Imported && c.Roles && c.Class && c.SpamSeeded }

// Show tells whether the admin's home still shows it.
func (c Checklist) Show() bool { return !c.Done() && !c.Dismissed }

// ReadChecklist reads the first steps' state, a few counts.
func ReadChecklist(db *gorm.DB) (Checklist, error) {
	var c Checklist
	var docs, staff, admins, classes, dismissed int64
	var totals SpamTotal
	err := firstErr(
		db.Model(&Document{}).Count(&docs).Error,
		db.Model(&User{}).Where("role IN ?", []Role{RoleModerator, RoleEducator}).Count(&staff).Error,
		db.Model(&User{}).Where("role = ?", RoleAdmin).Count(&admins).Error,
		db.Model(&Class{}).Count(&classes).Error,
		db.Model(&ModerationSetting{}).Where("name = ?", settingChecklistDismissed).Count(&dismissed).Error,
		db.Where("id = ?", spamTotalsRow).Limit(1).Find(&totals).Error,
	)
	c.Imported = docs > int64(len(samples.Files()))
	c.Roles = staff > 0 || admins > 1
	c.Class = classes > 0
	c.SpamSeeded = totals.SpamDocs > 0 && totals.HamDocs > 0
	c.Dismissed = dismissed > 0
	return c, err
}

// DismissChecklist puts the first steps away for every admin.
func DismissChecklist(db *gorm.DB, now time.Time) error {
	return db.Clauses(clause.OnConflict{UpdateAll: true}).
		Create(&ModerationSetting{Name: settingChecklistDismissed, Value: "1", UpdatedAt: now}).Error
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
