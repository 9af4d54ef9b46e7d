package models

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"
)

// FeedFilter says which notes a feed carries; the zero value is the whole site.
type FeedFilter struct {
	DocumentID uint
	AuthorID   uint
	RepliesTo  uint // replies to this user's notes, by others
	ClassID    uint // the class's notes
}

// FeedSize is how many entries a feed holds, newest first.
const FeedSize = 50

// FeedNotes lists the newest notes f selects that viewer may see, through
// VisibleTo like every other list, with their authors.
func FeedNotes(db *gorm.DB, viewer *User, f FeedFilter) ([]Annotation, error) {
	q := db.Scopes(VisibleTo(viewer, false)).Where("annotations.deleted_at IS NULL").
		Preload("Author", func(db *gorm.DB) *gorm.DB { return db.Select("id", "username") })
	if f.DocumentID != 0 {
		q = q.Where("annotations.document_id = ?", f.DocumentID)
	}
	if f.AuthorID != 0 {
		q = q.Where("annotations.author_id = ?", f.AuthorID)
	}
	if f.RepliesTo != 0 {
		q = q.Where("annotations.author_id <> ? AND annotations.parent_id IN (SELECT id FROM annotations mine WHERE mine.author_id = ?)",
			f.RepliesTo, f.RepliesTo)
	}
	if f.ClassID != 0 {
		q = q.Where("annotations.visibility = ? AND annotations.class_id = ?", VisibilityClass, f.ClassID)
	}
	var out []Annotation
	err := q.Order("annotations.id DESC").Limit(FeedSize).Find(&out).Error
	return out, err
}

// FeedKey is the secret part of a user's private feed addresses: a MAC of
// their id and feed epoch under the site's key. Nothing is stored, and
// RenewFeedKey retires every address made before.
func FeedKey(siteKey []byte, u *User) string {
	return strconv.FormatUint(uint64(u.ID), 10) + "-" + strconv.FormatInt(u.FeedEpoch, 10) + "-" + feedMAC(siteKey, u.ID, u.FeedEpoch)
}

func feedMAC(siteKey []byte, id uint, epoch int64) string {
	m := hmac.New(sha256.New, siteKey)
	fmt.Fprintf(m, "margin feed\x00%d\x00%d", id, epoch)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:24])
}

// UserByFeedKey returns the user whose current feed key this is, or
// ErrNotFound for a key that is malformed, forged or retired, or whose
// owner is banned.
func UserByFeedKey(db *gorm.DB, siteKey []byte, key string) (*User, error) {
	parts := strings.SplitN(key, "-", 3)
	if len(parts) != 3 {
		return nil, ErrNotFound
	}
	id, err1 := strconv.ParseUint(parts[0], 10, 32)
	epoch, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || !hmac.Equal([]byte(parts[2]), []byte(feedMAC(siteKey, uint(id), epoch))) {
		return nil, ErrNotFound
	}
	var u User
	if err := db.Where("id = ? AND feed_epoch = ?", id, epoch).First(&u).Error; err != nil {
		return nil, ErrNotFound
	}
	return &u, nil
}

// RenewFeedKey retires u's private feed addresses.
func RenewFeedKey(db *gorm.DB, u *User) error {
	if err := db.Model(u).UpdateColumn("feed_epoch", gorm.Expr("feed_epoch + 1")).Error; err != nil {
		return err
	}
	return db.Select("feed_epoch").First(u, u.ID).Error
}
