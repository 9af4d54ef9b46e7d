package models

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"gorm.io/gorm"

	"margin/models/passhash"
)

// SetupToken lets the person at the console create the first admin account.
// Only its hash is stored; the token itself is printed once.
type SetupToken struct {
	ID        uint   `gorm:"primaryKey"`
	TokenHash string `gorm:"size:64;uniqueIndex;not null"`
	ExpiresAt time.Time
	CreatedAt time.Time
}

// SetupTokenLifetime bounds how long a printed link works.
const SetupTokenLifetime = 24 * time.Hour

// NewSetupToken returns a fresh token when the site has no admin yet, and ""
// when it has one. Earlier tokens stay valid until they expire, so a second
// instance starting does not break the link the first one printed.
func NewSetupToken(db *gorm.DB, now time.Time) (string, error) {
	n, err := CountAdmins(db)
	if err != nil || n > 0 {
		return "", err
	}
	token := RandomToken(24)
	err = db.Create(&SetupToken{TokenHash: hashToken(token), ExpiresAt: now.Add(SetupTokenLifetime)}).Error
	if err != nil {
		return "", err
	}
	return token, nil
}

// SetupTokenValid tells whether token may still create the first admin.
func SetupTokenValid(db *gorm.DB, token string, now time.Time) (bool, error) {
	if token == "" {
		return false, nil
	}
	if n, err := CountAdmins(db); err != nil || n > 0 {
		return false, err
	}
	var n int64
	err := db.Model(&SetupToken{}).Where("token_hash = ? AND expires_at > ?", hashToken(token), now).Count(&n).Error
	return n > 0, err
}

// CreateFirstAdmin spends a setup token on an admin account, atomically: the
// token is deleted in the same transaction, and no admin may exist yet.
func CreateFirstAdmin(db *gorm.DB, token string, n NewUser, now time.Time, cost passhash.Params) (*User, error) {
	var u *User
	err := db.Transaction(func(tx *gorm.DB) error {
		res := tx.Where("token_hash = ? AND expires_at > ?", hashToken(token), now).Delete(&SetupToken{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrForbidden
		}
		if admins, err := CountAdmins(tx); err != nil || admins > 0 {
			if err == nil {
				err = ErrForbidden
			}
			return err
		}
		n.Role = RoleAdmin
		var err error
		u, err = CreateUser(tx, n, cost)
		if err != nil {
			return err
		}
		return tx.Where("1 = 1").Delete(&SetupToken{}).Error
	})
	return u, err
}

// RandomToken returns n random bytes, hex-encoded.
func RandomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
