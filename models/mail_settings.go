package models

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// MailMode says when a kind of news is mailed.
type MailMode string

const (
	MailNow    MailMode = "now"    // a message for each, at once
	MailDigest MailMode = "digest" // in the daily digest
	MailNever  MailMode = "never"
)

// Valid tells whether m is a known mode.
func (m MailMode) Valid() bool { return m == MailNow || m == MailDigest || m == MailNever }

// MailSettings is what a reader chose to get by e-mail, and the address
// they confirmed. A user without a row has the defaults (everything in the
// daily digest) and no confirmed address, so is sent nothing.
type MailSettings struct {
	UserID uint `gorm:"primaryKey;autoIncrement:false"`
	// Replies covers replies to the user's notes, mentions of them and an
	// educator's feedback: now, digest or never.
	Replies MailMode `gorm:"size:8;not null;default:digest"`
	// Follows covers new notes on the documents and classes they follow:
	// digest or never.
	Follows MailMode `gorm:"size:8;not null;default:digest"`
	// Teaching covers an educator's summary of their classes' new work and
	// of the notes waiting in their queue: digest or never.
	Teaching MailMode `gorm:"size:8;not null;default:digest"`
	// ConfirmedEmail is the address whose link the user followed. Mail goes
	// only to it, and only while it is still the account's address.
	ConfirmedEmail string `gorm:"size:254;not null;default:''"`
	ConfirmedAt    *time.Time
	// DigestThrough is where the last planned digest's window ended: the
	// next one covers what came after.
	DigestThrough time.Time `gorm:"index"`
	UpdatedAt     time.Time
}

// DefaultMailSettings are a new account's: the daily digest.
func DefaultMailSettings(userID uint) MailSettings {
	return MailSettings{UserID: userID, Replies: MailDigest, Follows: MailDigest, Teaching: MailDigest}
}

// MailSettingsOf loads u's settings, or the defaults.
func MailSettingsOf(db *gorm.DB, userID uint) (MailSettings, error) {
	s := DefaultMailSettings(userID)
	err := db.Where("user_id = ?", userID).Limit(1).Find(&s).Error
	return s, err
}

// Confirmed tells whether mail may go to email under these settings.
func (s MailSettings) Confirmed(email string) bool {
	return s.ConfirmedEmail != "" && s.ConfirmedEmail == email
}

// MailChoice is the account page's form.
type MailChoice struct {
	Replies, Follows, Teaching MailMode
}

// SaveMailChoice stores u's choice.
func SaveMailChoice(db *gorm.DB, userID uint, in MailChoice) error {
	fe := FieldErrors{}
	if !in.Replies.Valid() {
		fe["replies"] = "Choose at once, in the daily digest, or never."
	}
	if in.Follows != MailDigest && in.Follows != MailNever {
		fe["follows"] = "Choose in the daily digest, or never."
	}
	if in.Teaching != MailDigest && in.Teaching != MailNever {
		fe["teaching"] = "Choose in the daily digest, or never."
	}
	if len(fe) > 0 {
		return fe
	}
	return db.Transaction(func(tx *gorm.DB) error {
		if err := ensureMailSettings(tx, userID); err != nil {
			return err
		}
		return tx.Model(&MailSettings{}).Where("user_id = ?", userID).
			Updates(map[string]any{"replies": in.Replies, "follows": in.Follows, "teaching": in.Teaching}).Error
	})
}

func ensureMailSettings(tx *gorm.DB, userID uint) error {
	s := DefaultMailSettings(userID)
	s.DigestThrough = time.Now().UTC()
	return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&s).Error
}

// Unsubscribe lists: what a message's one-click link turns off.
const (
	ListReplies = "replies" // the messages sent at once
	ListDigest  = "digest"  // the daily digest, all of it
)

// Unsubscribe turns off the list for the user: the immediate messages
// (replies and mentions then come nowhere but the inbox), or the whole
// daily digest.
func Unsubscribe(db *gorm.DB, userID uint, list string) error {
	return db.Transaction(func(tx *gorm.DB) error {
		if err := ensureMailSettings(tx, userID); err != nil {
			return err
		}
		q := tx.Model(&MailSettings{}).Where("user_id = ?", userID)
		switch list {
		case ListReplies:
			return q.Where("replies = ?", MailNow).Update("replies", MailNever).Error
		case ListDigest:
			return q.Updates(map[string]any{
				"follows": MailNever, "teaching": MailNever,
				"replies": gorm.Expr("CASE WHEN replies = ? THEN ? ELSE replies END", MailDigest, MailNever),
			}).Error
		}
		return fmt.Errorf("unknown list %q", list)
	})
}

// SetEmail changes u's address: mail stops until the new one is confirmed,
// and its confirmation link is queued.
func SetEmail(db *gorm.DB, u *User, email string, now time.Time) error {
	email = strings.TrimSpace(email)
	if email != "" {
		if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 254 {
			return FieldErrors{"email": "This does not look like an e-mail address."}
		}
	}
	if email == u.Email {
		return nil
	}
	return db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(u).Updates(map[string]any{"email": email, "updated_at": now}).Error; err != nil {
			return err
		}
		u.Email = email
		return QueueConfirmation(tx, u, now)
	})
}

// QueueConfirmation queues the message with the link that confirms u's
// address: the only message ever sent to an address not confirmed. One an
// hour per account and address at most, so the button cannot flood a
// stranger's inbox; and ConfirmationsPerAddress a day to one address
// whatever the accounts, so that many accounts naming it cannot either.
// One past that is not queued (the account page's "send again" still can
// tomorrow).
func QueueConfirmation(tx *gorm.DB, u *User, now time.Time) error {
	if u.Email == "" {
		return nil
	}
	s, err := MailSettingsOf(tx, u.ID)
	if err != nil || s.Confirmed(u.Email) {
		return err
	}
	key := fmt.Sprintf("confirm:%d:%s:%s", u.ID, u.Email, now.UTC().Format("2006-01-02T15"))
	var queued int64
	if err := tx.Model(&OutboxMessage{}).Where("dedup_key = ?", key).Count(&queued).Error; err != nil || queued > 0 {
		return err
	}
	return tx.Transaction(func(tx *gorm.DB) error {
		sum := sha256.Sum256([]byte(strings.ToLower(u.Email)))
		limit := []Limit{{Bucket: "confirm-to:" + hex.EncodeToString(sum[:16]), Max: ConfirmationsPerAddress, Window: 24 * time.Hour}}
		var full *RateLimitError
		if _, err := rateReserveIn(tx, limit, now); errors.As(err, &full) {
			return nil
		} else if err != nil {
			return err
		}
		return enqueue(tx, &OutboxMessage{UserID: u.ID, Kind: OutboxConfirm, Address: u.Email, DedupKey: key}, now)
	})
}

// ConfirmationsPerAddress bounds the confirmation messages one address is
// sent in a day, from all accounts together.
const ConfirmationsPerAddress = 5

// ConfirmEmail records that the owner of u's address followed its link.
// The first digest covers what comes after. Following the link again (an
// old message opened a day later) changes nothing: it must not move the
// digest's window past what the next digest has yet to tell.
func ConfirmEmail(db *gorm.DB, u *User, now time.Time) error {
	return db.Transaction(func(tx *gorm.DB) error {
		if err := ensureMailSettings(tx, u.ID); err != nil {
			return err
		}
		return tx.Model(&MailSettings{}).Where("user_id = ? AND confirmed_email <> ?", u.ID, u.Email).Updates(map[string]any{
			"confirmed_email": u.Email, "confirmed_at": now, "digest_through": now,
		}).Error
	})
}

// ConfirmToken is the secret of u's confirmation link for their current
// address, valid until expires. Nothing is stored: it is a MAC of the
// user, the address and the expiry under the site's key.
func ConfirmToken(siteKey []byte, u *User, expires time.Time) string {
	exp := strconv.FormatInt(expires.Unix(), 10)
	return strconv.FormatUint(uint64(u.ID), 10) + "-" + exp + "-" + mailMAC(siteKey, "confirm", u.ID, u.Email, exp)
}

// ErrLinkExpired is a confirmation link past its time.
var ErrLinkExpired = errors.New("this link has expired")

// UserByConfirmToken returns the user whose current address the token
// confirms; ErrNotFound for a forged token or one for another address,
// ErrLinkExpired for one past its time.
func UserByConfirmToken(db *gorm.DB, siteKey []byte, token string, now time.Time) (*User, error) {
	parts := strings.SplitN(token, "-", 3)
	if len(parts) != 3 {
		return nil, ErrNotFound
	}
	id, err1 := strconv.ParseUint(parts[0], 10, 32)
	exp, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil {
		return nil, ErrNotFound
	}
	u, err := UserByID(db, uint(id))
	if err != nil {
		return nil, ErrNotFound
	}
	if u.Email == "" || !hmac.Equal([]byte(parts[2]), []byte(mailMAC(siteKey, "confirm", u.ID, u.Email, parts[1]))) {
		return nil, ErrNotFound
	}
	if now.Unix() > exp {
		return nil, ErrLinkExpired
	}
	return u, nil
}

// UnsubscribeToken is the secret of u's one-click unsubscribe link from
// list. It never expires (a mail client may use it years later) and needs
// no login: it is a MAC of the user and the list under the site's key.
func UnsubscribeToken(siteKey []byte, userID uint, list string) string {
	return strconv.FormatUint(uint64(userID), 10) + "-" + list + "-" + mailMAC(siteKey, "unsubscribe", userID, list, "")
}

// ParseUnsubscribeToken returns the user and list a token names, or
// ErrNotFound for a malformed or forged one.
func ParseUnsubscribeToken(siteKey []byte, token string) (uint, string, error) {
	parts := strings.SplitN(token, "-", 3)
	if len(parts) != 3 || parts[1] != ListReplies && parts[1] != ListDigest {
		return 0, "", ErrNotFound
	}
	id, err := strconv.ParseUint(parts[0], 10, 32)
	if err != nil || !hmac.Equal([]byte(parts[2]), []byte(mailMAC(siteKey, "unsubscribe", uint(id), parts[1], ""))) {
		return 0, "", ErrNotFound
	}
	return uint(id), parts[1], nil
}

func mailMAC(siteKey []byte, purpose string, id uint, a, b string) string {
	m := hmac.New(sha256.New, siteKey)
	fmt.Fprintf(m, "margin mail %s\x00%d\x00%s\x00%s", purpose, id, a, b)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:24])
}
