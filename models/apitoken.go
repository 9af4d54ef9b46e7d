package models

import (
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// TokenScope is what a personal API token may do.
type TokenScope string

const (
	ScopeRead  TokenScope = "read"  // read what its owner may read
	ScopeWrite TokenScope = "write" // read, and write as its owner
)

// Valid tells whether s is a known scope.
func (s TokenScope) Valid() bool { return s == ScopeRead || s == ScopeWrite }

// Label names the scope for people.
func (s TokenScope) Label() string {
	if s == ScopeWrite {
		return "read and write"
	}
	return "read only"
}

// tokenPrefix starts every token, so a leaked one is recognised as Margin's.
const tokenPrefix = "margin_"

// MaxTokensPerUser bounds the live tokens of one account.
const MaxTokensPerUser = 20

// APIToken is a personal API token. Only the SHA-256 of the secret is kept:
// the secret itself is shown once, when it is made.
type APIToken struct {
	ID     uint       `gorm:"primaryKey"`
	UserID uint       `gorm:"not null;index"`
	Name   string     `gorm:"size:100;not null"`
	Hash   string     `gorm:"size:64;not null;uniqueIndex"`
	Hint   string     `gorm:"size:16;not null"` // the secret's first characters, to tell tokens apart
	Scope  TokenScope `gorm:"size:8;not null"`
	// ExpiresAt nil means the token lasts until it is revoked.
	ExpiresAt  *time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
	CreatedAt  time.Time

	User User `gorm:"foreignKey:UserID"`
}

// Active tells whether the token still opens the API at now.
func (t *APIToken) Active(now time.Time) bool {
	return t.RevokedAt == nil && (t.ExpiresAt == nil || now.Before(*t.ExpiresAt))
}

// MayWrite tells whether the token's scope covers writing.
func (t *APIToken) MayWrite() bool { return t.Scope == ScopeWrite }

// NewToken is the account page's form for a token.
type NewToken struct {
	Name  string
	Scope TokenScope
	// ExpiresAt is nil for a token without expiry.
	ExpiresAt *time.Time
}

// ErrTokenInvalid is a token that is unknown, revoked, expired or whose
// owner may not use the site.
var ErrTokenInvalid = errors.New("invalid token")

// CreateAPIToken makes a token for u and returns its secret, which is
// stored only as a hash and cannot be shown again.
func CreateAPIToken(db *gorm.DB, u *User, in NewToken, now time.Time) (string, *APIToken, error) {
	in.Name = strings.TrimSpace(in.Name)
	fe := FieldErrors{}
	switch {
	case in.Name == "":
		fe["name"] = "Name the token after what will use it, such as “reading-group script”."
	case utf8.RuneCountInString(in.Name) > 100:
		fe["name"] = "Keep the name under 100 characters."
	}
	if !in.Scope.Valid() {
		fe["scope"] = "Choose read only, or read and write."
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(now) {
		fe["expires"] = "Choose an expiry date in the future."
	}
	if len(fe) > 0 {
		return "", nil, fe
	}
	var live int64
	err := db.Model(&APIToken{}).Where("user_id = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)", u.ID, now).
		Count(&live).Error
	if err != nil {
		return "", nil, err
	}
	if live >= MaxTokensPerUser {
		return "", nil, FieldErrors{"name": "You have " + itoa(MaxTokensPerUser) + " tokens already: revoke one you no longer use first."}
	}
	secret := tokenPrefix + RandomToken(32)
	t := &APIToken{UserID: u.ID, Name: in.Name, Hash: hashToken(secret), Hint: secret[:len(tokenPrefix)+6],
		Scope: in.Scope, ExpiresAt: in.ExpiresAt, CreatedAt: now}
	if err := db.Create(t).Error; err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// tokenTouchEvery is how stale a token's last-used time may get: a busy
// script does not write a row on every request.
const tokenTouchEvery = time.Minute

// AuthenticateToken finds the live token with this secret, with its owner,
// and records its use. Unknown, revoked and expired tokens, and tokens of a
// banned account, are ErrTokenInvalid.
func AuthenticateToken(db *gorm.DB, secret string, now time.Time) (*APIToken, error) {
	if !strings.HasPrefix(secret, tokenPrefix) {
		return nil, ErrTokenInvalid
	}
	var t APIToken
	err := db.Preload("User").Where("hash = ?", hashToken(secret)).First(&t).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrTokenInvalid
	}
	if err != nil {
		return nil, err
	}
	if !t.Active(now) || t.User.IsBanned(now) {
		return nil, ErrTokenInvalid
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= tokenTouchEvery {
		if err := db.Model(&APIToken{}).Where("id = ?", t.ID).Update("last_used_at", now).Error; err != nil {
			return nil, err
		}
		t.LastUsedAt = &now
	}
	return &t, nil
}

// UserTokens lists u's tokens that are not revoked, newest first (expired
// ones too, so their owner sees why a script stopped).
func UserTokens(db *gorm.DB, userID uint) ([]APIToken, error) {
	var out []APIToken
	err := db.Where("user_id = ? AND revoked_at IS NULL", userID).Order("id DESC").Find(&out).Error
	return out, err
}

// AllTokens lists every live token on the site with its owner, for admins.
func AllTokens(db *gorm.DB, now time.Time) ([]APIToken, error) {
	var out []APIToken
	err := db.Preload("User", func(db *gorm.DB) *gorm.DB { return db.Select("id", "username", "role") }).
		Where("revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)", now).Order("id DESC").Find(&out).Error
	return out, err
}

// RevokeToken ends a token at once. Its owner may revoke it, and so may an
// admin; for anyone else it does not exist.
func RevokeToken(db *gorm.DB, by *User, id uint, now time.Time) error {
	q := db.Model(&APIToken{}).Where("id = ? AND revoked_at IS NULL", id)
	if !by.IsAdmin() {
		q = q.Where("user_id = ?", by.ID)
	}
	res := q.Update("revoked_at", now)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}
