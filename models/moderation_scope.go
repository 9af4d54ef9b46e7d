package models

import "gorm.io/gorm"

// Who moderates what. Site moderators and admins moderate every note they
// may see; a class's educators moderate the notes shared with that class,
// which no one outside the class may see, so that a held class note always
// has someone to review it.

// educatedClassNote matches a note shared with a class the user educates.
// Arguments: class visibility, the user, educator.
const educatedClassNote = `(annotations.visibility = ? AND annotations.class_id IN
	(SELECT class_id FROM class_members WHERE user_id = ? AND role = ?))`

// MayModerate tells whether u works the moderation queues: a site
// moderator, or an educator of at least one class.
func MayModerate(db *gorm.DB, u *User) (bool, error) {
	switch {
	case u == nil:
		return false, nil
	case u.IsModerator():
		return true, nil
	}
	var n int64
	err := db.Model(&ClassMember{}).Where("user_id = ? AND role = ?", u.ID, MemberEducator).Count(&n).Error
	return n > 0, err
}

// moderatedBy restricts an annotations query to the notes mod may decide
// on; it is empty for someone who is neither a site moderator nor an
// educator of a class.
func moderatedBy(mod *User) func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		db = db.Scopes(VisibleTo(mod, true))
		switch {
		case mod == nil:
			return db.Where("1 = 0")
		case mod.IsModerator():
			return db
		}
		return db.Where(educatedClassNote, VisibilityClass, mod.ID, MemberEducator)
	}
}

// CanModerate tells whether mod may review and decide on annotation a.
func CanModerate(db *gorm.DB, mod *User, a *Annotation) (bool, error) {
	var n int64
	err := db.Model(&Annotation{}).Scopes(moderatedBy(mod)).Where("annotations.id = ?", a.ID).Count(&n).Error
	return n > 0, err
}
