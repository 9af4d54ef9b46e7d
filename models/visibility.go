package models

import "gorm.io/gorm"

// VisibleTo restricts an annotations query to what viewer may see. It is the
// one place the privacy rules live; pages, counts, the inbox, profiles,
// feeds and exports all go through it.
//
//   - public annotations are for everyone, private ones for their author,
//     class ones for the class's members and educators;
//   - only published annotations show, except to their author, who sees
//     their own held, hidden or refused items marked as such;
//   - includeHeld also shows held items to a moderator (never private or
//     other classes' items).
func VisibleTo(viewer *User, includeHeld bool) func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		if viewer == nil {
			return db.Where("annotations.status = ? AND annotations.visibility = ?", StatusPublished, VisibilityPublic)
		}
		if !(includeHeld && viewer.IsModerator()) {
			db = db.Where("(annotations.status = ? OR annotations.author_id = ?)", StatusPublished, viewer.ID)
		}
		return db.Where("(annotations.visibility = ? OR annotations.author_id = ? OR "+
			"(annotations.visibility = ? AND annotations.class_id IN (SELECT class_id FROM class_members WHERE user_id = ?)))",
			VisibilityPublic, viewer.ID, VisibilityClass, viewer.ID)
	}
}

// CanView tells whether viewer may see annotation a (and its permalink).
func CanView(db *gorm.DB, viewer *User, a *Annotation, includeHeld bool) (bool, error) {
	var n int64
	err := db.Model(&Annotation{}).Scopes(VisibleTo(viewer, includeHeld)).Where("annotations.id = ?", a.ID).Count(&n).Error
	return n > 0, err
}
