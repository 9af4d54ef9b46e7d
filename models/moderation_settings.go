package models

import (
	"errors"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ModerationSetting is one site-wide moderation switch, by name.
type ModerationSetting struct {
	Name      string `gorm:"primaryKey;size:64"`
	Value     string `gorm:"size:2000;not null"`
	UpdatedAt time.Time
}

const settingPremoderateSite = "premoderate_site"

// PremoderatedDocument puts every new note on one document in the queue.
type PremoderatedDocument struct {
	DocumentID uint `gorm:"primaryKey;autoIncrement:false"`
	ByID       uint
	CreatedAt  time.Time
}

// BlockedTerm is a word or phrase that holds a note for review, or makes
// it spam, wherever it appears.
type BlockedTerm struct {
	ID          uint   `gorm:"primaryKey"`
	Term        string `gorm:"size:200;uniqueIndex;not null"`
	Action      Status `gorm:"size:16;not null"` // StatusPending (hold) or StatusSpam
	CreatedByID uint
	CreatedAt   time.Time
}

// SetSitePremoderation turns pre-moderation of the whole site on or off,
// recording who did it in the moderation log.
func SetSitePremoderation(db *gorm.DB, by *User, on bool, now time.Time) error {
	value, what := "off", "took the site off pre-moderation"
	if on {
		value, what = "on", "put the site on pre-moderation"
	}
	return db.Transaction(func(tx *gorm.DB) error {
		err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "name"}}, DoUpdates: clause.AssignmentColumns([]string{"value", "updated_at"})}).
			Create(&ModerationSetting{Name: settingPremoderateSite, Value: value, UpdatedAt: now}).Error
		if err != nil {
			return err
		}
		return logSetting(tx, by, what, now)
	})
}

// SetDocumentPremoderation puts a document on pre-moderation or takes it off.
func SetDocumentPremoderation(db *gorm.DB, by *User, docID uint, on bool, now time.Time) error {
	doc, err := DocumentByID(db, docID)
	if err != nil {
		return err
	}
	return db.Transaction(func(tx *gorm.DB) error {
		what := "took “" + doc.Title + "” off pre-moderation"
		if on {
			what = "put “" + doc.Title + "” on pre-moderation"
			err = tx.Clauses(clause.OnConflict{DoNothing: true}).
				Create(&PremoderatedDocument{DocumentID: docID, ByID: by.ID, CreatedAt: now}).Error
		} else {
			err = tx.Where("document_id = ?", docID).Delete(&PremoderatedDocument{}).Error
		}
		if err != nil {
			return err
		}
		return logSetting(tx, by, what, now)
	})
}

// PremoderatedDocuments lists the documents on pre-moderation.
func PremoderatedDocuments(db *gorm.DB) ([]Document, error) {
	var docs []Document
	err := db.Select("documents.id", "documents.title").
		Joins("JOIN premoderated_documents ON premoderated_documents.document_id = documents.id").
		Order("documents.title").Find(&docs).Error
	return docs, err
}

// ScreenSettings is what moderators set that screening a note reads.
type ScreenSettings struct {
	Site     bool          // the whole site is on pre-moderation
	Document bool          // the note's document is
	Terms    []BlockedTerm // alphabetically
}

// ReadScreenSettings reads the moderators' settings for a note on the
// document (0 for none) in one statement: screening runs it on every post.
func ReadScreenSettings(db *gorm.DB, docID uint) (ScreenSettings, error) {
	var rows []struct {
		K      string
		Term   string
		Action Status
	}
	err := db.Raw(`SELECT 'term' AS k, term, action FROM blocked_terms
		UNION ALL SELECT 'site', value, '' FROM moderation_settings WHERE name = ?
		UNION ALL SELECT 'doc', '', '' FROM premoderated_documents WHERE document_id = ?
		ORDER BY 1, 2`,
		settingPremoderateSite, docID).Scan(&rows).Error
	var st ScreenSettings
	for _, r := range rows {
		switch r.K {
		case "term":
			st.Terms = append(st.Terms, BlockedTerm{Term: r.Term, Action: r.Action})
		case "site":
			st.Site = r.Term == "on"
		case "doc":
			st.Document = true
		}
	}
	return st, err
}

// MaxBlockedTerms bounds the list, which every new note is checked against.
const MaxBlockedTerms = 1000

// ParseTerms reads a list typed one term per line, dropping blanks and
// repeats; it returns why the list is refused, or "".
func ParseTerms(text string) ([]string, string) {
	seen := map[string]bool{}
	var out []string
	for _, line := range strings.Split(text, "\n") {
		t := strings.ToLower(strings.Join(strings.Fields(line), " "))
		if t == "" || seen[t] {
			continue
		}
		if utf8.RuneCountInString(t) > 200 {
			return nil, "Keep each term under 200 characters."
		}
		seen[t] = true
		out = append(out, t)
	}
	if len(out) > MaxBlockedTerms {
		return nil, "At most 1,000 terms."
	}
	sort.Strings(out)
	return out, ""
}

// ErrTermInBothLists is returned when a term is both held and spam.
var ErrTermInBothLists = errors.New("a term cannot both hold a note and mark it spam")

// SetBlockedTerms replaces both lists: terms that hold a note, and terms
// that make it spam.
func SetBlockedTerms(db *gorm.DB, by *User, hold, spam []string, now time.Time) error {
	inHold := map[string]bool{}
	for _, t := range hold {
		inHold[t] = true
	}
	rows := make([]BlockedTerm, 0, len(hold)+len(spam))
	for _, t := range hold {
		rows = append(rows, BlockedTerm{Term: t, Action: StatusPending, CreatedByID: by.ID, CreatedAt: now})
	}
	for _, t := range spam {
		if inHold[t] {
			return ErrTermInBothLists
		}
		rows = append(rows, BlockedTerm{Term: t, Action: StatusSpam, CreatedByID: by.ID, CreatedAt: now})
	}
	return db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Session(&gorm.Session{AllowGlobalUpdate: true}).Delete(&BlockedTerm{}).Error; err != nil {
			return err
		}
		if len(rows) > 0 {
			if err := tx.CreateInBatches(&rows, 200).Error; err != nil {
				return err
			}
		}
		return logSetting(tx, by, "set the blocked terms: "+plural(len(hold), "term")+" held, "+plural(len(spam), "term")+" spam", now)
	})
}

// logSetting records a change of settings in the moderation log.
func logSetting(tx *gorm.DB, by *User, what string, now time.Time) error {
	return tx.Create(&Decision{ModeratorID: &by.ID, Action: ActionSettings, Note: what, CreatedAt: now}).Error
}
