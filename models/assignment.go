package models

import (
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Assignment asks a class to read and annotate a document. Times are stored
// in UTC; TimeZone is the IANA zone the educator set them in.
type Assignment struct {
	ID           uint   `gorm:"primaryKey"`
	ClassID      uint   `gorm:"not null;index"`
	DocumentID   uint   `gorm:"not null;index"`
	Instructions string `gorm:"type:text"`
	OpensAt      *time.Time
	DueAt        time.Time `gorm:"not null"`
	TimeZone     string    `gorm:"size:64;not null;default:UTC"`
	// Requirements: at least MinAnnotations notes on passages, MinReplies
	// replies, and one of each of RequiredKinds (comma-separated).
	MinAnnotations int    `gorm:"not null;default:0"`
	MinReplies     int    `gorm:"not null;default:0"`
	RequiredKinds  string `gorm:"size:100"`
	// HideUntilPosted keeps classmates' notes on the reading from a student
	// until they have posted one of their own in the class.
	HideUntilPosted bool `gorm:"not null;default:false"`
	CreatedByID     uint `gorm:"not null"`
	CreatedAt       time.Time
	UpdatedAt       time.Time

	Document Document `gorm:"foreignKey:DocumentID"`
}

// Kinds returns the kinds the assignment requires one of each of.
func (a *Assignment) Kinds() []Kind {
	var out []Kind
	for _, s := range strings.Split(a.RequiredKinds, ",") {
		if k := Kind(strings.TrimSpace(s)); k.Valid() {
			out = append(out, k)
		}
	}
	return out
}

// Requires tells whether kind k is among the required kinds.
func (a *Assignment) Requires(k Kind) bool {
	for _, x := range a.Kinds() {
		if x == k {
			return true
		}
	}
	return false
}

// Location is the assignment's time zone (UTC when unknown).
func (a *Assignment) Location() *time.Location {
	if loc, err := LoadZone(a.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// IsOpen tells whether the assignment has opened at now.
func (a *Assignment) IsOpen(now time.Time) bool { return a.OpensAt == nil || !now.Before(*a.OpensAt) }

// LoadZone loads an IANA time zone by name, refusing the names that mean
// "wherever the server is".
func LoadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, errBadZone
	}
	return time.LoadLocation(name)
}

var errBadZone = errors.New("not an IANA time zone name")

// AssignmentInput is what the assignment form sends: times as the
// educator's wall clock in Zone.
type AssignmentInput struct {
	DocumentID      uint
	Instructions    string
	OpensAt, DueAt  string // "2006-01-02T15:04", as a datetime-local input sends it
	Zone            string
	MinAnnotations  int
	MinReplies      int
	Kinds           []Kind
	HideUntilPosted bool
}

// LocalTimeLayout is the format of a datetime-local input.
const LocalTimeLayout = "2006-01-02T15:04"

// build checks the input and turns it into an assignment's fields.
func (in *AssignmentInput) build(db *gorm.DB) (*Assignment, FieldErrors) {
	fe := FieldErrors{}
	a := &Assignment{DocumentID: in.DocumentID, MinAnnotations: in.MinAnnotations, MinReplies: in.MinReplies,
		HideUntilPosted: in.HideUntilPosted}
	a.Instructions = strings.TrimSpace(strings.ReplaceAll(in.Instructions, "\r\n", "\n"))
	if utf8.RuneCountInString(a.Instructions) > 10000 {
		fe["instructions"] = "Keep the instructions under 10,000 characters."
	}
	if in.DocumentID == 0 {
		fe["document_id"] = "Choose a reading, or import one."
	} else if _, err := DocumentByID(db, in.DocumentID); err != nil {
		fe["document_id"] = "That reading is not in the library."
	}
	loc, err := LoadZone(strings.TrimSpace(in.Zone))
	if err != nil {
		fe["zone"] = "Choose a time zone from the list."
		loc = time.UTC
	}
	a.TimeZone = loc.String()
	if strings.TrimSpace(in.DueAt) == "" {
		fe["due_at"] = "Set when the assignment is due."
	} else if t, err := time.ParseInLocation(LocalTimeLayout, strings.TrimSpace(in.DueAt), loc); err != nil {
		fe["due_at"] = "Give the due date and time as YYYY-MM-DD HH:MM."
	} else {
		a.DueAt = t.UTC()
	}
	if s := strings.TrimSpace(in.OpensAt); s != "" {
		if t, err := time.ParseInLocation(LocalTimeLayout, s, loc); err != nil {
			fe["opens_at"] = "Give the opening date and time as YYYY-MM-DD HH:MM."
		} else {
			t = t.UTC()
			a.OpensAt = &t
			if _, bad := fe["due_at"]; !bad && !a.DueAt.After(t) {
				fe["due_at"] = "The due date must come after the opening."
			}
		}
	}
	if in.MinAnnotations < 0 || in.MinAnnotations > 1000 {
		fe["min_annotations"] = "Use a number from 0 to 1,000."
	}
	if in.MinReplies < 0 || in.MinReplies > 1000 {
		fe["min_replies"] = "Use a number from 0 to 1,000."
	}
	var kinds []string
	for _, k := range Kinds {
		for _, want := range in.Kinds {
			if want == k {
				kinds = append(kinds, string(k))
				break
			}
		}
	}
	a.RequiredKinds = strings.Join(kinds, ",")
	if len(fe) == 0 && in.MinAnnotations == 0 && in.MinReplies == 0 && len(kinds) == 0 {
		fe["min_annotations"] = "Ask for something: at least one annotation, reply or kind."
	}
	if len(fe) > 0 {
		return nil, fe
	}
	return a, nil
}

// CreateAssignment assigns a reading to a class.
func CreateAssignment(db *gorm.DB, by *User, classID uint, in AssignmentInput) (*Assignment, error) {
	a, fe := in.build(db)
	if fe != nil {
		return nil, fe
	}
	a.ClassID, a.CreatedByID = classID, by.ID
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Omit("Document").Create(a).Error; err != nil {
			return err
		}
		return bumpDocument(tx, a.DocumentID)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// UpdateAssignment changes an assignment's reading, times and requirements.
func UpdateAssignment(db *gorm.DB, a *Assignment, in AssignmentInput) error {
	b, fe := in.build(db)
	if fe != nil {
		return fe
	}
	oldDoc := a.DocumentID
	return db.Transaction(func(tx *gorm.DB) error {
		err := tx.Model(a).Select("document_id", "instructions", "opens_at", "due_at", "time_zone",
			"min_annotations", "min_replies", "required_kinds", "hide_until_posted").
			Updates(&Assignment{DocumentID: b.DocumentID, Instructions: b.Instructions, OpensAt: b.OpensAt,
				DueAt: b.DueAt, TimeZone: b.TimeZone, MinAnnotations: b.MinAnnotations, MinReplies: b.MinReplies,
				RequiredKinds: b.RequiredKinds, HideUntilPosted: b.HideUntilPosted}).Error
		if err != nil {
			return err
		}
		if err := bumpDocument(tx, oldDoc); err != nil {
			return err
		}
		return bumpDocument(tx, a.DocumentID)
	})
}

// DeleteAssignment removes an assignment and its grades. The class's
// annotations on the reading stay.
func DeleteAssignment(db *gorm.DB, a *Assignment) error {
	return db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("assignment_id = ?", a.ID).Delete(&Grade{}).Error; err != nil {
			return err
		}
		if err := tx.Delete(&Assignment{}, a.ID).Error; err != nil {
			return err
		}
		return bumpDocument(tx, a.DocumentID)
	})
}

// CopyAssignment gives another class the same reading, instructions, times
// and requirements.
func CopyAssignment(db *gorm.DB, by *User, a *Assignment, toClassID uint) (*Assignment, error) {
	cp := *a
	cp.ID, cp.ClassID, cp.CreatedByID = 0, toClassID, by.ID
	cp.CreatedAt, cp.UpdatedAt = time.Time{}, time.Time{}
	cp.Document = Document{}
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Omit("Document").Create(&cp).Error; err != nil {
			return err
		}
		return bumpDocument(tx, cp.DocumentID)
	})
	if err != nil {
		return nil, err
	}
	return &cp, nil
}

// AssignmentByID loads an assignment with its document, with no membership
// check: callers check.
func AssignmentByID(db *gorm.DB, id uint) (*Assignment, error) {
	var a Assignment
	if err := db.Preload("Document").First(&a, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &a, nil
}

// ClassAssignments lists a class's assignments, soonest due first.
func ClassAssignments(db *gorm.DB, classID uint) ([]Assignment, error) {
	var out []Assignment
	err := db.Preload("Document", func(db *gorm.DB) *gorm.DB { return db.Select("id", "title", "version") }).
		Where("class_id = ?", classID).Order("due_at, id").Find(&out).Error
	return out, err
}
