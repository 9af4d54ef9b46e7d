package models

import (
	"time"

	"gorm.io/gorm"
)

// Session is one login. The browser's cookie carries only a random key;
// the row says whose session it is and holds its CSRF token. Logging out
// deletes the row, so a copy of the cookie taken before is worthless on
// every instance sharing the database. Only the key's hash is stored, so
// the table does not hand out sessions to whoever reads it.
type Session struct {
	ID      uint   `gorm:"primaryKey"`
	KeyHash string `gorm:"size:64;uniqueIndex;not null"`
	UserID  uint   `gorm:"not null;index"`
	User    User
	// Epoch is the user's session epoch at login: bumping the user's
	// (log out everywhere, a new password, a ban) ends every older session.
	Epoch     int64  `gorm:"not null"`
	CSRFToken string `gorm:"size:64;not null"`
	CreatedAt time.Time
	ExpiresAt time.Time `gorm:"not null;index"`
}

// SessionKeyBytes is the length of a session key's randomness.
const SessionKeyBytes = 32

// StartSession records a new login of u and returns the key its cookie
// carries. Expired sessions (of anyone) go at the same time: logins are
// rare enough, and the delete uses the index on expires_at.
func StartSession(db *gorm.DB, u *User, now time.Time, lifetime time.Duration) (string, *Session, error) {
	key := RandomToken(SessionKeyBytes)
	s := &Session{KeyHash: hashToken(key), UserID: u.ID, User: *u, Epoch: u.SessionEpoch,
		CSRFToken: RandomToken(32), CreatedAt: now, ExpiresAt: now.Add(lifetime)}
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("expires_at <= ?", now).Delete(&Session{}).Error; err != nil {
			return err
		}
		return tx.Omit("User").Create(s).Error
	})
	if err != nil {
		return "", nil, err
	}
	return key, s, nil
}

// SessionByKey loads a live session and its user in one query. A session
// that expired, or whose user's epoch moved on, is ErrNotFound. Every
// logged-in request asks it, so the row is scanned by hand: through
// GORM's join and reflection it took twice as long (BenchmarkHotReads).
func SessionByKey(db *gorm.DB, key string, now time.Time) (*Session, error) {
	var s Session
	fields := append([]any{&s.ID, &s.KeyHash, &s.UserID, &s.Epoch, &s.CSRFToken, &s.CreatedAt, &s.ExpiresAt}, s.User.scanFields()...)
	err := scanOne(db, sessionByKey, []any{hashToken(key), now}, fields...)
	if err != nil {
		return nil, notFound(err)
	}
	if s.Epoch != s.User.SessionEpoch {
		return nil, ErrNotFound
	}
	return &s, nil
}

var sessionByKey = "SELECT s.id, s.key_hash, s.user_id, s.epoch, s.csrf_token, s.created_at, s.expires_at, " +
	prefixed("u.", userColumns) + " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.key_hash = ? AND s.expires_at > ?"

// EndSession ends one session; ending one that is gone already is no error.
func EndSession(db *gorm.DB, key string) error {
	return db.Where("key_hash = ?", hashToken(key)).Delete(&Session{}).Error
}

// BannedSessionUser returns the user of a session a ban ended (the ban
// moved their epoch on), so that the next request can say why they are
// logged out; nil when the session is gone, expired, or its user is not
// banned. The session row goes: the message is said once.
func BannedSessionUser(db *gorm.DB, key string, now time.Time) (*User, error) {
	var s Session
	err := db.Joins("User").Where("sessions.key_hash = ? AND sessions.expires_at > ?", hashToken(key), now).
		Limit(1).Find(&s).Error
	if err != nil || s.ID == 0 || !s.User.IsBanned(now) {
		return nil, err
	}
	if err := db.Delete(&Session{}, s.ID).Error; err != nil {
		return nil, err
	}
	return &s.User, nil
}
