package models

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"margin/models/markup"
)

// Grade is the points an educator gave a student for an assignment.
type Grade struct {
	AssignmentID uint    `gorm:"primaryKey;autoIncrement:false"`
	UserID       uint    `gorm:"primaryKey;autoIncrement:false;index"`
	Points       float64 `gorm:"not null"`
	GradedByID   uint    `gorm:"not null"`
	UpdatedAt    time.Time
}

// MaxPoints bounds the points one student may get for one assignment.
const MaxPoints = 10000

// ParsePoints reads points as typed: "", "7", "7.5" or "7,5". Empty means
// no grade (nil).
func ParsePoints(s string) (*float64, error) {
	s = strings.TrimSpace(strings.Replace(s, ",", ".", 1))
	if s == "" {
		return nil, nil
	}
	p, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(p) || math.IsInf(p, 0) || p < 0 || p > MaxPoints {
		return nil, FieldErrors{"points": "Give points as a number from 0 to 10,000, or leave it empty."}
	}
	p = math.Round(p*100) / 100
	return &p, nil
}

// FormatPoints writes points without needless decimals: 7, 7.5, 7.25.
func FormatPoints(p float64) string { return strconv.FormatFloat(p, 'f', -1, 64) }

// SetPoints records (or, with nil, clears) a student's points.
func SetPoints(db *gorm.DB, a *Assignment, userID uint, by *User, points *float64) error {
	if points == nil {
		return db.Where("assignment_id = ? AND user_id = ?", a.ID, userID).Delete(&Grade{}).Error
	}
	g := Grade{AssignmentID: a.ID, UserID: userID, Points: *points, GradedByID: by.ID}
	return db.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "assignment_id"}, {Name: "user_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"points", "graded_by_id", "updated_at"}),
	}).Create(&g).Error
}

// pointsFor maps students to their points on an assignment.
func pointsFor(db *gorm.DB, assignmentID uint) (map[uint]float64, error) {
	var gs []Grade
	err := db.Where("assignment_id = ?", assignmentID).Find(&gs).Error
	out := make(map[uint]float64, len(gs))
	for _, g := range gs {
		out[g.UserID] = g.Points
	}
	return out, err
}

// PointsOf returns a student's points on an assignment, nil when ungraded.
func PointsOf(db *gorm.DB, assignmentID, userID uint) (*float64, error) {
	var g Grade
	err := db.Where("assignment_id = ? AND user_id = ?", assignmentID, userID).First(&g).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &g.Points, nil
}

// Feedback is an educator's private word to a student on one of their class
// annotations: only that student and the class's educators see it.
type Feedback struct {
	ID           uint   `gorm:"primaryKey"`
	AnnotationID uint   `gorm:"not null;index"`
	ClassID      uint   `gorm:"not null;index"`
	AuthorID     uint   `gorm:"not null"`
	Body         string `gorm:"type:text;not null"`
	BodyHTML     string `gorm:"type:text;not null"`
	CreatedAt    time.Time

	Author User `gorm:"foreignKey:AuthorID"`
}

// MaxFeedbackLen bounds one piece of feedback, in characters.
const MaxFeedbackLen = 5000

// AddFeedback stores feedback on a class annotation. Only an educator of
// the annotation's class may give it.
func AddFeedback(db *gorm.DB, educator *User, ann *Annotation, body string) (*Feedback, error) {
	if ann.Visibility != VisibilityClass || ann.ClassID == nil {
		return nil, ErrForbidden
	}
	role, err := MembershipOf(db, *ann.ClassID, educator.ID)
	if err != nil {
		return nil, err
	}
	if role != MemberEducator {
		return nil, ErrForbidden
	}
	body = strings.TrimSpace(strings.ReplaceAll(body, "\r\n", "\n"))
	if body == "" {
		return nil, FieldErrors{"feedback": "Write the feedback first."}
	}
	if utf8.RuneCountInString(body) > MaxFeedbackLen {
		return nil, FieldErrors{"feedback": "Keep feedback under 5,000 characters."}
	}
	html, err := markup.Render(body)
	if errors.Is(err, markup.ErrEmpty) {
		return nil, FieldErrors{"feedback": "Nothing readable is left of this text once unsafe markup is removed."}
	}
	if err != nil {
		return nil, FieldErrors{"feedback": err.Error()}
	}
	f := &Feedback{AnnotationID: ann.ID, ClassID: *ann.ClassID, AuthorID: educator.ID, Body: body, BodyHTML: string(html)}
	err = db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Omit("Author").Create(f).Error; err != nil {
			return err
		}
		if ann.AuthorID == educator.ID {
			return nil
		}
		return notify(tx, ann.AuthorID, ann.ID, ReasonFeedback) // the student hears of it
	})
	if err != nil {
		return nil, err
	}
	f.Author = *educator
	return f, nil
}

// FeedbackFor returns the feedback viewer may read on the given
// annotations: on their own annotations, and in classes they teach.
func FeedbackFor(db *gorm.DB, viewer *User, annotationIDs []uint) (map[uint][]Feedback, error) {
	out := map[uint][]Feedback{}
	if viewer == nil || len(annotationIDs) == 0 {
		return out, nil
	}
	var fs []Feedback
	err := db.Preload("Author", func(db *gorm.DB) *gorm.DB { return db.Select("id", "username") }).
		Joins("JOIN annotations ON annotations.id = feedbacks.annotation_id").
		Where("feedbacks.annotation_id IN ?", annotationIDs).
		Where("(annotations.author_id = ? OR feedbacks.class_id IN (SELECT class_id FROM class_members WHERE user_id = ? AND role = ?))",
			viewer.ID, viewer.ID, MemberEducator).
		Order("feedbacks.id").Find(&fs).Error
	for _, f := range fs {
		out[f.AnnotationID] = append(out[f.AnnotationID], f)
	}
	return out, err
}

// feedbackCount counts the feedback on a student's work for an assignment.
func feedbackCount(db *gorm.DB, a *Assignment, userID uint) (int, error) {
	var n int64
	err := db.Model(&Feedback{}).
		Joins("JOIN annotations ON annotations.id = feedbacks.annotation_id").
		Where("feedbacks.class_id = ? AND annotations.document_id = ? AND annotations.author_id = ? AND annotations.deleted_at IS NULL",
			a.ClassID, a.DocumentID, userID).
		Count(&n).Error
	return int(n), err
}
