package models

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// FlagReason is why a reader flagged a note.
type FlagReason string

const (
	FlagSpam     FlagReason = "spam"
	FlagAbusive  FlagReason = "abusive"
	FlagOffTopic FlagReason = "off-topic"
	FlagOther    FlagReason = "other"
)

// FlagReasons lists the reasons in the order the form offers them.
var FlagReasons = []FlagReason{FlagSpam, FlagAbusive, FlagOffTopic, FlagOther}

// Label is the reason as readers and moderators read it.
func (r FlagReason) Label() string {
	switch r {
	case FlagSpam:
		return "Spam or advertising"
	case FlagAbusive:
		return "Abusive or hateful"
	case FlagOffTopic:
		return "Off-topic"
	}
	return "Something else"
}

// Flag is one reader's report about a note. It stays open until a
// moderator decides on the note, which upholds or dismisses it; that
// outcome is the flagger's record of accuracy.
type Flag struct {
	ID           uint       `gorm:"primaryKey"`
	AnnotationID uint       `gorm:"not null;uniqueIndex:idx_flag_annotation_user,priority:1"`
	UserID       uint       `gorm:"not null;uniqueIndex:idx_flag_annotation_user,priority:2;index"`
	Reason       FlagReason `gorm:"size:16;not null"`
	Note         string     `gorm:"size:500"`
	CreatedAt    time.Time
	ResolvedAt   *time.Time `gorm:"index"`
	Outcome      string     `gorm:"size:16"` // "upheld" or "dismissed"
	DecisionID   *uint      `gorm:"index"`

	User User `gorm:"foreignKey:UserID"`
}

// ErrAlreadyFlagged is returned when a reader flags the same note twice.
var ErrAlreadyFlagged = fmt.Errorf("%w: you have already flagged this note", ErrConflict)

// FlagInput is what the flag form sends.
type FlagInput struct {
	Reason FlagReason
	Note   string
	// Limits bound the flagger's flags; the flag counts in them in its own
	// transaction, so flags sent at once never pass them (*RateLimitError).
	Limits []Limit
}

func (in *FlagInput) validate() FieldErrors {
	fe := FieldErrors{}
	in.Note = strings.TrimSpace(in.Note)
	valid := false
	for _, r := range FlagReasons {
		valid = valid || r == in.Reason
	}
	if !valid {
		fe["reason"] = "Choose what is wrong with this note."
	}
	if utf8.RuneCountInString(in.Note) > 500 {
		fe["note"] = "Keep the note under 500 characters."
	} else if in.Reason == FlagOther && in.Note == "" {
		fe["note"] = "Say in a few words what is wrong."
	}
	if len(fe) > 0 {
		return fe
	}
	return nil
}

// FlagAnnotation records a reader's flag. When the note has threshold open
// flags it is hidden pending review (logged as Margin's own decision); the
// result tells whether that happened.
func FlagAnnotation(db *gorm.DB, by *User, a *Annotation, in FlagInput, threshold int, now time.Time) (bool, error) {
	if fe := in.validate(); fe != nil {
		return false, fe
	}
	if a.AuthorID == by.ID {
		return false, fmt.Errorf("%w: you cannot flag your own note", ErrForbidden)
	}
	if a.Status != StatusPublished || a.IsDeleted() {
		return false, fmt.Errorf("%w: this note is already out of view", ErrConflict)
	}
	hidden := false
	err := db.Transaction(func(tx *gorm.DB) error {
		if _, err := rateReserveIn(tx, in.Limits, now); err != nil {
			return err
		}
		err := tx.Create(&Flag{AnnotationID: a.ID, UserID: by.ID, Reason: in.Reason, Note: in.Note, CreatedAt: now}).Error
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return ErrAlreadyFlagged
		}
		if err != nil {
			return err
		}
		var open int64
		if err := tx.Model(&Flag{}).Where("annotation_id = ? AND resolved_at IS NULL", a.ID).Count(&open).Error; err != nil {
			return err
		}
		if open >= int64(threshold) {
			note := fmt.Sprintf("%d readers flagged it", open)
			if _, err := decide(tx, nil, a.ID, ActionFlagHide, note, nil, false, now); err != nil {
				return err
			}
			hidden = true
		}
		// The flagged queue's count changed.
		return touchModerators(tx, a.ID)
	})
	return hidden, err
}

// HasFlagged tells whether user has an open or settled flag on the note.
func HasFlagged(db *gorm.DB, userID, annotationID uint) (bool, error) {
	var n int64
	err := db.Model(&Flag{}).Where("annotation_id = ? AND user_id = ?", annotationID, userID).Count(&n).Error
	return n > 0, err
}

// resolveFlags settles the open flags on a note with a moderator's
// decision, and says how many it settled.
func resolveFlags(tx *gorm.DB, annotationID uint, d *Decision, upheld bool, now time.Time) (int, error) {
	outcome := "dismissed"
	if upheld {
		outcome = "upheld"
	}
	res := tx.Model(&Flag{}).Where("annotation_id = ? AND resolved_at IS NULL", annotationID).
		Updates(map[string]any{"resolved_at": now, "outcome": outcome, "decision_id": d.ID})
	return int(res.RowsAffected), res.Error
}

// FlaggerRecord is how a reader's past flags were judged.
type FlaggerRecord struct {
	Upheld, Dismissed int
}

// Settled is how many of the reader's flags a moderator has judged.
func (r FlaggerRecord) Settled() int { return r.Upheld + r.Dismissed }

// Accuracy is the share of settled flags that moderators upheld.
func (r FlaggerRecord) Accuracy() float64 {
	if r.Settled() == 0 {
		return 0
	}
	return float64(r.Upheld) / float64(r.Settled())
}

// Percent is Accuracy as a whole percentage, for display.
func (r FlaggerRecord) Percent() int { return int(r.Accuracy()*100 + 0.5) }

// FlaggerRecords returns the record of each of the users.
func FlaggerRecords(db *gorm.DB, userIDs []uint) (map[uint]FlaggerRecord, error) {
	out := map[uint]FlaggerRecord{}
	if len(userIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		UserID  uint
		Outcome string
		N       int
	}
	err := db.Model(&Flag{}).Select("user_id, outcome, COUNT(*) AS n").
		Where("user_id IN ? AND resolved_at IS NOT NULL", userIDs).Group("user_id, outcome").Scan(&rows).Error
	for _, r := range rows {
		rec := out[r.UserID]
		if r.Outcome == "upheld" {
			rec.Upheld += r.N
		} else {
			rec.Dismissed += r.N
		}
		out[r.UserID] = rec
	}
	return out, err
}

// OpenFlags lists the open flags on the notes, oldest first, with their flaggers.
func OpenFlags(db *gorm.DB, annotationIDs []uint) (map[uint][]Flag, error) {
	out := map[uint][]Flag{}
	if len(annotationIDs) == 0 {
		return out, nil
	}
	var flags []Flag
	err := db.Preload("User", func(db *gorm.DB) *gorm.DB { return db.Select("id", "username") }).
		Where("annotation_id IN ? AND resolved_at IS NULL", annotationIDs).Order("id").Find(&flags).Error
	for _, f := range flags {
		out[f.AnnotationID] = append(out[f.AnnotationID], f)
	}
	return out, err
}
