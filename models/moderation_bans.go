package models

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// CanBan tells whether mod may ban u: moderators ban readers and
// educators, admins also moderators; no one bans an admin or themselves.
func CanBan(mod, u *User) bool {
	if mod == nil || u == nil || mod.ID == u.ID || u.IsAdmin() || !mod.IsModerator() {
		return false
	}
	return !u.IsModerator() || mod.IsAdmin()
}

// Ban bars a user until a moment, or for good when until is nil: their
// sessions end at once and their notes awaiting review go to spam.
func Ban(db *gorm.DB, mod *User, userID uint, until *time.Time, note string, now time.Time) (*Decision, error) {
	note, u, err := banTarget(db, mod, userID, note)
	if err != nil {
		return nil, err
	}
	end := BannedForever
	if until != nil {
		if !until.After(now) {
			return nil, FieldErrors{"until": "A ban must end in the future."}
		}
		end = until.UTC()
	}
	var d *Decision
	err = db.Transaction(func(tx *gorm.DB) error {
		d = &Decision{SubjectID: &u.ID, ModeratorID: &mod.ID, Action: ActionBan, Note: note,
			BanUntil: &end, PrevBanUntil: u.BannedUntil, CreatedAt: now}
		if err := tx.Create(d).Error; err != nil {
			return err
		}
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{
			"banned_until": end, "session_epoch": gorm.Expr("session_epoch + 1"),
		}).Error; err != nil {
			return err
		}
		var waiting []uint
		if err := tx.Model(&Annotation{}).Where("author_id = ? AND status = ? AND deleted_at IS NULL", u.ID, StatusPending).
			Pluck("id", &waiting).Error; err != nil {
			return err
		}
		for _, id := range waiting {
			if _, err := decide(tx, &mod.ID, id, ActionSpam, "author banned", &d.ID, true, now); err != nil {
				return err
			}
		}
		return touchModerators(tx, waiting...)
	})
	return d, err
}

// BanSpamDecisions lists the decisions by which a ban sent its subject's
// waiting notes to spam, oldest first.
func BanSpamDecisions(db *gorm.DB, banID uint) ([]Decision, error) {
	var out []Decision
	err := db.Where("parent_id = ? AND action = ?", banID, ActionSpam).Order("id").Find(&out).Error
	return out, err
}

// banTarget checks a moderator's note and that they may ban or unban the
// user, and loads the user.
func banTarget(db *gorm.DB, mod *User, userID uint, note string) (string, *User, error) {
	note, err := cleanNote(note)
	if err != nil {
		return "", nil, err
	}
	u, err := UserByID(db, userID)
	if err != nil {
		return "", nil, err
	}
	if !CanBan(mod, u) {
		return "", nil, ErrForbidden
	}
	return note, u, nil
}

// Unban lifts a ban early.
func Unban(db *gorm.DB, mod *User, userID uint, note string, now time.Time) (*Decision, error) {
	note, u, err := banTarget(db, mod, userID, note)
	if err != nil {
		return nil, err
	}
	if !u.IsBanned(now) {
		return nil, fmt.Errorf("%w: %s is not banned", ErrConflict, u.Username)
	}
	d := &Decision{SubjectID: &u.ID, ModeratorID: &mod.ID, Action: ActionUnban, Note: note, PrevBanUntil: u.BannedUntil, CreatedAt: now}
	err = db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(d).Error; err != nil {
			return err
		}
		return tx.Model(&User{}).Where("id = ?", u.ID).Update("banned_until", nil).Error
	})
	return d, err
}

// undoBan restores the ban that was in force before d, and returns the
// notes a ban sent to spam to the queue.
func undoBan(tx *gorm.DB, d *Decision, now time.Time) error {
	if err := tx.Model(&User{}).Where("id = ?", *d.SubjectID).Update("banned_until", d.PrevBanUntil).Error; err != nil {
		return err
	}
	var children []Decision
	if err := tx.Where("parent_id = ? AND undone_at IS NULL", d.ID).Find(&children).Error; err != nil {
		return err
	}
	var returned []uint
	for i := range children {
		err := undoItem(tx, &children[i])
		if errors.Is(err, ErrConflict) || errors.Is(err, ErrNotFound) {
			continue // decided on again since, or purged: leave it
		}
		if err != nil {
			return err
		}
		if err := tx.Model(&children[i]).Update("undone_at", now).Error; err != nil {
			return err
		}
		returned = append(returned, *children[i].AnnotationID)
	}
	// The notes are back in the queues: their classes' educators' counts moved too.
	return touchModerators(tx, returned...)
}
