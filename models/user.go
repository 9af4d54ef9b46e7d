package models

import (
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"margin/models/passhash"
)

// Role orders what a user may do; each role includes the ones below it,
// except that moderator and educator are siblings under admin.
type Role string

const (
	RoleReader    Role = "reader"
	RoleModerator Role = "moderator"
	RoleEducator  Role = "educator"
	RoleAdmin     Role = "admin"
)

// Roles lists every valid role, for help texts and validation.
var Roles = []Role{RoleReader, RoleModerator, RoleEducator, RoleAdmin}

// ParseRole validates a role name.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == strings.ToLower(strings.TrimSpace(s)) {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown role %q (choose reader, moderator, educator or admin)", s)
}

// User is an account.
type User struct {
	ID           uint   `gorm:"primaryKey"`
	Username     string `gorm:"size:32;uniqueIndex;not null"`
	Email        string `gorm:"size:254;index"`
	PasswordHash string `gorm:"not null"`
	Role         Role   `gorm:"size:16;not null;default:reader"`
	// SessionEpoch is copied into every Session; bumping it ends them all.
	SessionEpoch int64 `gorm:"not null;default:0"`
	// FeedEpoch is signed into the user's private feed addresses; bumping
	// it retires them all (see FeedKey).
	FeedEpoch   int64 `gorm:"not null;default:0"`
	BannedUntil *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// userColumns are a User's columns in the order of its fields, for
// queries that scan a user by hand (see scanFields).
const userColumns = "id, username, email, password_hash, role, session_epoch, feed_epoch, banned_until, created_at, updated_at"

// scanFields are where a row of userColumns goes.
func (u *User) scanFields() []any {
	return []any{&u.ID, &u.Username, &u.Email, &u.PasswordHash, &u.Role, &u.SessionEpoch, &u.FeedEpoch,
		&u.BannedUntil, &u.CreatedAt, &u.UpdatedAt}
}

// prefixed names each of columns (as in userColumns) by a table alias.
func prefixed(alias, columns string) string {
	return alias + strings.ReplaceAll(columns, ", ", ", "+alias)
}

// IsModerator tells whether u may work the moderation queues.
func (u *User) IsModerator() bool {
	return u != nil && (u.Role == RoleModerator || u.Role == RoleAdmin)
}

// IsEducator tells whether u may create classes and import documents.
func (u *User) IsEducator() bool {
	return u != nil && (u.Role == RoleEducator || u.Role == RoleAdmin)
}

// IsAdmin tells whether u administers the site.
func (u *User) IsAdmin() bool { return u != nil && u.Role == RoleAdmin }

// IsBanned tells whether u is banned at now.
func (u *User) IsBanned(now time.Time) bool {
	return u != nil && u.BannedUntil != nil && u.BannedUntil.After(now)
}

// FieldErrors maps form field names to messages; it is the error a form
// re-renders with.
type FieldErrors map[string]string

func (fe FieldErrors) Error() string {
	parts := make([]string, 0, len(fe))
	for k, v := range fe {
		parts = append(parts, k+": "+v)
	}
	return strings.Join(parts, "; ")
}

var usernamePattern = regexp.MustCompile(`^[a-z0-9_-]{3,32}$`)

// MinPasswordLen is the shortest password accepted.
const MinPasswordLen = 10

// NormalizeUsername lowercases and trims a username as typed.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// NewUser is what sign-up and the CLI provide.
type NewUser struct {
	Username string
	Email    string
	Password string
	Role     Role
}

// Validate checks a new account's fields.
func (n *NewUser) Validate() FieldErrors {
	fe := FieldErrors{}
	n.Username = NormalizeUsername(n.Username)
	n.Email = strings.TrimSpace(n.Email)
	if !usernamePattern.MatchString(n.Username) {
		fe["username"] = "Use 3 to 32 characters: lowercase letters, digits, - or _."
	}
	if n.Email != "" {
		if a, err := mail.ParseAddress(n.Email); err != nil || a.Address != n.Email {
			fe["email"] = "This does not look like an e-mail address."
		}
	}
	if msg := CheckPassword(n.Password, n.Username, n.Email); msg != "" {
		fe["password"] = msg
	}
	if n.Role == "" {
		n.Role = RoleReader
	}
	if _, err := ParseRole(string(n.Role)); err != nil {
		fe["role"] = err.Error()
	}
	if len(fe) == 0 {
		return nil
	}
	return fe
}

// CheckPassword returns why a password is refused, or "".
func CheckPassword(password, username, email string) string {
	if utf8.RuneCountInString(password) < MinPasswordLen {
		return fmt.Sprintf("Use at least %d characters.", MinPasswordLen)
	}
	if len(password) > 1024 {
		return "Use at most 1024 bytes."
	}
	lp := strings.ToLower(password)
	if username != "" && strings.Contains(lp, strings.ToLower(username)) {
		return "The password must not contain your username."
	}
	if local, _, ok := strings.Cut(strings.ToLower(email), "@"); ok && len(local) >= 3 && strings.Contains(lp, local) {
		return "The password must not contain your e-mail address."
	}
	return ""
}

// CreateUser validates and stores a new account.
func CreateUser(db *gorm.DB, n NewUser, cost passhash.Params) (*User, error) {
	if fe := n.Validate(); fe != nil {
		return nil, fe
	}
	hash, err := passhash.Hash(n.Password, cost)
	if err != nil {
		return nil, err
	}
	u := &User{Username: n.Username, Email: n.Email, PasswordHash: hash, Role: n.Role}
	err = db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(u).Error; err != nil {
			return err
		}
		return QueueConfirmation(tx, u, time.Now())
	})
	if err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return nil, FieldErrors{"username": "That username is taken."}
		}
		return nil, err
	}
	return u, nil
}

// ErrBadCredentials is returned for an unknown user or a wrong password alike.
var ErrBadCredentials = errors.New("wrong username or password")

// Authenticate checks a username and password. cost is what new hashes use:
// an unknown username spends the same work on a hash of that cost, so the
// response time does not reveal which usernames exist.
func Authenticate(db *gorm.DB, username, password string, cost passhash.Params) (*User, error) {
	u, err := UserByName(db, username)
	if errors.Is(err, ErrNotFound) {
		if _, err := passhash.Hash(password, cost); err != nil {
			return nil, err
		}
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, err
	}
	ok, err := passhash.Verify(password, u.PasswordHash)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrBadCredentials
	}
	return u, nil
}

// UserByID loads one user.
func UserByID(db *gorm.DB, id uint) (*User, error) {
	var u User
	if err := db.First(&u, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &u, nil
}

// UserByName loads one user by username, case-insensitively.
func UserByName(db *gorm.DB, name string) (*User, error) {
	var u User
	if err := db.Where("username = ?", NormalizeUsername(name)).First(&u).Error; err != nil {
		return nil, notFound(err)
	}
	return &u, nil
}

// SetRole changes a user's role.
func SetRole(db *gorm.DB, name string, role Role) (*User, error) {
	u, err := UserByName(db, name)
	if err != nil {
		return nil, err
	}
	if err := db.Model(u).Update("role", role).Error; err != nil {
		return nil, err
	}
	return u, nil
}

// SetPassword replaces a password and ends every session of the user.
func SetPassword(db *gorm.DB, name, password string, cost passhash.Params) error {
	u, err := UserByName(db, name)
	if err != nil {
		return err
	}
	if msg := CheckPassword(password, u.Username, u.Email); msg != "" {
		return FieldErrors{"password": msg}
	}
	hash, err := passhash.Hash(password, cost)
	if err != nil {
		return err
	}
	return db.Transaction(func(tx *gorm.DB) error {
		err := tx.Model(u).Updates(map[string]any{
			"password_hash": hash,
			"session_epoch": gorm.Expr("session_epoch + 1"),
		}).Error
		if err != nil {
			return err
		}
		return tx.Where("user_id = ?", u.ID).Delete(&Session{}).Error
	})
}

// EndSessions logs a user out everywhere: the epoch bump refuses every
// session row at once, and the rows go too.
func EndSessions(db *gorm.DB, userID uint) error {
	return db.Transaction(func(tx *gorm.DB) error {
		err := tx.Model(&User{}).Where("id = ?", userID).
			Update("session_epoch", gorm.Expr("session_epoch + 1")).Error
		if err != nil {
			return err
		}
		return tx.Where("user_id = ?", userID).Delete(&Session{}).Error
	})
}

// CountAdmins counts admin accounts.
func CountAdmins(db *gorm.DB) (int64, error) {
	var n int64
	err := db.Model(&User{}).Where("role = ?", RoleAdmin).Count(&n).Error
	return n, err
}

func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}
