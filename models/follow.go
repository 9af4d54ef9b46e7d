package models

import (
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Follow says that a user gets the new notes of a document, or of a class
// they belong to, in their daily digest. Exactly one of DocumentID and
// ClassID is set; the other is 0 (not NULL, so that the unique index
// holds).
type Follow struct {
	ID         uint `gorm:"primaryKey"`
	UserID     uint `gorm:"not null;uniqueIndex:idx_follow_target,priority:1"`
	DocumentID uint `gorm:"not null;default:0;uniqueIndex:idx_follow_target,priority:2"`
	ClassID    uint `gorm:"not null;default:0;uniqueIndex:idx_follow_target,priority:3"`
	CreatedAt  time.Time
}

// IsFollowing tells whether u follows the document (classID 0) or class
// (documentID 0).
func IsFollowing(db *gorm.DB, userID, documentID, classID uint) (bool, error) {
	var n int64
	err := db.Model(&Follow{}).Where("user_id = ? AND document_id = ? AND class_id = ?", userID, documentID, classID).Count(&n).Error
	return n > 0, err
}

// SetFollowing follows or stops following a document or a class. A class
// is followed only by its members (handlers check); the digest checks
// every note against the visibility rules anyway.
func SetFollowing(db *gorm.DB, userID, documentID, classID uint, follow bool, now time.Time) error {
	return db.Transaction(func(tx *gorm.DB) error {
		var err error
		if follow {
			err = tx.Clauses(clause.OnConflict{DoNothing: true}).
				Create(&Follow{UserID: userID, DocumentID: documentID, ClassID: classID}).Error
		} else {
			err = tx.Where("user_id = ? AND document_id = ? AND class_id = ?", userID, documentID, classID).Delete(&Follow{}).Error
		}
		if err != nil {
			return err
		}
		// The reading view shows the button: pages cached for this user are stale.
		return tx.Model(&User{}).Where("id = ?", userID).Update("updated_at", now.UTC()).Error
	})
}

// FollowsOf lists a user's follows.
func FollowsOf(db *gorm.DB, userID uint) ([]Follow, error) {
	var out []Follow
	err := db.Where("user_id = ?", userID).Order("id").Find(&out).Error
	return out, err
}

// TeachesAny tells whether the user is an educator of some class.
func TeachesAny(db *gorm.DB, userID uint) (bool, error) {
	var n int64
	err := db.Model(&ClassMember{}).Where("user_id = ? AND role = ?", userID, MemberEducator).Limit(1).Count(&n).Error
	return n > 0, err
}
