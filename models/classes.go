package models

import (
	"crypto/rand"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// joinCodeAlphabet has 32 symbols, none easily mistaken for another (no I,
// O, 0 or 1), so a byte masked to 5 bits picks one uniformly.
const joinCodeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// JoinCodeLen symbols of 5 bits each: 60 random bits, beyond guessing even
// without the rate limit on failed attempts.
const JoinCodeLen = 12

func newJoinCode() string {
	b := make([]byte, JoinCodeLen)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	for i := range b {
		b[i] = joinCodeAlphabet[b[i]&31]
	}
	return string(b)
}

// NormalizeJoinCode turns a code as typed ("abcd-efgh jkmn") into its
// stored form.
func NormalizeJoinCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r == '-' || r == ' ' || r == '\t' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// DisplayCode groups the join code in fours for reading aloud.
func (c *Class) DisplayCode() string {
	var parts []string
	for s := c.JoinCode; len(s) > 0; {
		n := min(4, len(s))
		parts = append(parts, s[:n])
		s = s[n:]
	}
	return strings.Join(parts, "-")
}

// ClassInput is what the class form sends.
type ClassInput struct {
	Name, Term, Description string
}

// Validate trims and checks the input.
func (in *ClassInput) Validate() FieldErrors {
	fe := FieldErrors{}
	in.Name = strings.TrimSpace(in.Name)
	in.Term = strings.TrimSpace(in.Term)
	in.Description = strings.TrimSpace(strings.ReplaceAll(in.Description, "\r\n", "\n"))
	if in.Name == "" {
		fe["name"] = "A class needs a name."
	} else if utf8.RuneCountInString(in.Name) > 200 {
		fe["name"] = "Keep the name under 200 characters."
	}
	if utf8.RuneCountInString(in.Term) > 100 {
		fe["term"] = "Keep the term under 100 characters."
	}
	if utf8.RuneCountInString(in.Description) > 5000 {
		fe["description"] = "Keep the description under 5,000 characters."
	}
	if len(fe) == 0 {
		return nil
	}
	return fe
}

// CreateClass makes a class with a fresh join code; its creator is its
// first educator.
func CreateClass(db *gorm.DB, educator *User, in ClassInput, now time.Time) (*Class, error) {
	if !educator.IsEducator() {
		return nil, ErrForbidden
	}
	if fe := in.Validate(); fe != nil {
		return nil, fe
	}
	c := &Class{Name: in.Name, Term: in.Term, Description: in.Description, CreatedByID: educator.ID}
	err := db.Transaction(func(tx *gorm.DB) error {
		for attempt := 0; ; attempt++ {
			c.JoinCode = newJoinCode()
			err := tx.Transaction(func(tx *gorm.DB) error { return tx.Create(c).Error })
			if err == nil {
				break
			}
			if !errors.Is(err, gorm.ErrDuplicatedKey) || attempt == 3 {
				return err
			}
			c.ID = 0
		}
		return addMember(tx, c.ID, educator.ID, MemberEducator, now)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// UpdateClass renames a class or changes its term or description. Its
// members' pages name the class (the composer's "My class" choice, the
// assigned readings), so their cached copies are dropped.
func UpdateClass(db *gorm.DB, c *Class, in ClassInput, now time.Time) error {
	if fe := in.Validate(); fe != nil {
		return fe
	}
	return db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(c).Select("name", "term", "description").
			Updates(Class{Name: in.Name, Term: in.Term, Description: in.Description}).Error; err != nil {
			return err
		}
		c.Name, c.Term, c.Description = in.Name, in.Term, in.Description
		if err := tx.Model(&User{}).Where("id IN (SELECT user_id FROM class_members WHERE class_id = ?)", c.ID).
			Update("updated_at", now).Error; err != nil {
			return err
		}
		return bumpClassReadings(tx, c.ID)
	})
}

// NewJoinCode replaces a class's join code, so a leaked one stops working.
func NewJoinCode(db *gorm.DB, c *Class) error {
	code := newJoinCode()
	if err := db.Model(c).Update("join_code", code).Error; err != nil {
		return err
	}
	c.JoinCode = code
	return nil
}

// ClassByID loads a class, with no membership check: callers check.
func ClassByID(db *gorm.DB, id uint) (*Class, error) {
	var c Class
	if err := db.First(&c, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &c, nil
}

// ClassByCode finds the class a join code belongs to.
func ClassByCode(db *gorm.DB, code string) (*Class, error) {
	code = NormalizeJoinCode(code)
	if len(code) != JoinCodeLen {
		return nil, ErrNotFound
	}
	var c Class
	if err := db.Where("join_code = ?", code).First(&c).Error; err != nil {
		return nil, notFound(err)
	}
	return &c, nil
}

// MembershipOf returns user's role in the class, or "" when they are not
// in it.
func MembershipOf(db *gorm.DB, classID, userID uint) (MemberRole, error) {
	var m ClassMember
	err := db.Where("class_id = ? AND user_id = ?", classID, userID).First(&m).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", nil
	}
	return m.Role, err
}

// JoinClass adds user to the class as a student. Joining a class one is
// already in changes nothing.
func JoinClass(db *gorm.DB, user *User, c *Class, now time.Time) error {
	return db.Transaction(func(tx *gorm.DB) error {
		role, err := MembershipOf(tx, c.ID, user.ID)
		if err != nil || role != "" {
			return err
		}
		return addMember(tx, c.ID, user.ID, MemberStudent, now)
	})
}

// AddEducator makes the named user an educator of the class: a new member,
// or a student promoted.
func AddEducator(db *gorm.DB, c *Class, username string, now time.Time) (*User, error) {
	u, err := UserByName(db, username)
	if errors.Is(err, ErrNotFound) {
		return nil, FieldErrors{"username": "There is no user called “" + strings.TrimSpace(username) + "”."}
	}
	if err != nil {
		return nil, err
	}
	err = db.Transaction(func(tx *gorm.DB) error {
		role, err := MembershipOf(tx, c.ID, u.ID)
		if err != nil {
			return err
		}
		switch role {
		case MemberEducator:
			return FieldErrors{"username": u.Username + " is already an educator of this class."}
		case MemberStudent:
			if err := tx.Model(&ClassMember{}).Where("class_id = ? AND user_id = ?", c.ID, u.ID).
				Update("role", MemberEducator).Error; err != nil {
				return err
			}
			return membershipChanged(tx, c.ID, u.ID, now)
		}
		return addMember(tx, c.ID, u.ID, MemberEducator, now)
	})
	return u, err
}

// RemoveStudent takes a student out of the class. Their class annotations
// stay, visible to the class as before; they still see their own.
func RemoveStudent(db *gorm.DB, classID, userID uint, now time.Time) error {
	return db.Transaction(func(tx *gorm.DB) error {
		res := tx.Where("class_id = ? AND user_id = ? AND role = ?", classID, userID, MemberStudent).Delete(&ClassMember{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		return membershipChanged(tx, classID, userID, now)
	})
}

// ErrLastEducator refuses to leave a class without an educator.
var ErrLastEducator = errors.New("a class keeps at least one educator")

// LeaveClass takes user out of the class; its last educator cannot leave.
func LeaveClass(db *gorm.DB, classID, userID uint, now time.Time) error {
	return db.Transaction(func(tx *gorm.DB) error {
		role, err := MembershipOf(tx, classID, userID)
		if err != nil {
			return err
		}
		if role == "" {
			return ErrNotFound
		}
		if role == MemberEducator {
			var n int64
			if err := tx.Model(&ClassMember{}).Where("class_id = ? AND role = ?", classID, MemberEducator).Count(&n).Error; err != nil {
				return err
			}
			if n <= 1 {
				return ErrLastEducator
			}
		}
		if err := tx.Where("class_id = ? AND user_id = ?", classID, userID).Delete(&ClassMember{}).Error; err != nil {
			return err
		}
		return membershipChanged(tx, classID, userID, now)
	})
}

func addMember(tx *gorm.DB, classID, userID uint, role MemberRole, now time.Time) error {
	m := ClassMember{ClassID: classID, UserID: userID, Role: role, JoinedAt: now}
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&m).Error; err != nil {
		return err
	}
	return membershipChanged(tx, classID, userID, now)
}

// membershipChanged makes cached pages see a membership change: the user's
// own pages (their row's updated_at is in every page key) and the pages of
// the class's assigned readings, where classmates' notes may be hidden
// until one has posted.
func membershipChanged(tx *gorm.DB, classID, userID uint, now time.Time) error {
	if err := tx.Model(&User{}).Where("id = ?", userID).Update("updated_at", now).Error; err != nil {
		return err
	}
	return bumpClassReadings(tx, classID)
}

// bumpClassReadings marks the pages of the class's assigned readings as
// changed (see bumpDocument): they show who is in the class and its name,
// and membership decides who sees the class's notes on every passage.
func bumpClassReadings(tx *gorm.DB, classID uint) error {
	return tx.Model(&Document{}).
		Where("id IN (SELECT document_id FROM assignments WHERE class_id = ?)", classID).
		UpdateColumns(map[string]any{"version": gorm.Expr("version + 1"), "notes_epoch": gorm.Expr("notes_epoch + 1")}).Error
}

// RosterEntry is one member as the roster shows them.
type RosterEntry struct {
	UserID   uint
	Username string
	Role     MemberRole
	JoinedAt time.Time
}

// Roster lists a class's members: educators first, then students, by name.
func Roster(db *gorm.DB, classID uint) ([]RosterEntry, error) {
	var out []RosterEntry
	err := db.Model(&ClassMember{}).
		Select("class_members.user_id, users.username, class_members.role, class_members.joined_at").
		Joins("JOIN users ON users.id = class_members.user_id").
		Where("class_members.class_id = ?", classID).
		Order("CASE WHEN class_members.role = 'educator' THEN 0 ELSE 1 END, users.username").
		Scan(&out).Error
	return out, err
}

// Students lists the class's students by name.
func Students(db *gorm.DB, classID uint) ([]RosterEntry, error) {
	all, err := Roster(db, classID)
	var out []RosterEntry
	for _, m := range all {
		if m.Role == MemberStudent {
			out = append(out, m)
		}
	}
	return out, err
}

// ClassSummary is a line of "my classes".
type ClassSummary struct {
	Class
	Role     MemberRole
	Students int
}

// ClassesOf lists the classes user is in, newest first.
func ClassesOf(db *gorm.DB, userID uint) ([]ClassSummary, error) {
	var out []ClassSummary
	err := db.Model(&Class{}).
		Select("classes.*, me.role AS role, "+
			"(SELECT COUNT(*) FROM class_members s WHERE s.class_id = classes.id AND s.role = 'student') AS students").
		Joins("JOIN class_members me ON me.class_id = classes.id AND me.user_id = ?", userID).
		Order("classes.id DESC").Scan(&out).Error
	return out, err
}

// TaughtClasses lists the classes user is an educator of, by name.
func TaughtClasses(db *gorm.DB, userID uint) ([]Class, error) {
	var out []Class
	err := db.Joins("JOIN class_members me ON me.class_id = classes.id AND me.user_id = ? AND me.role = ?", userID, MemberEducator).
		Order("classes.name, classes.id").Find(&out).Error
	return out, err
}

// ClassChoice is a class the composer can share an annotation with.
type ClassChoice struct {
	ID   uint
	Name string
	// Default is set for the class the document is assigned in.
	Default bool
}

// ClassChoices lists the viewer's classes for the composer's visibility
// choice, marking as the default the class where docID was most recently
// assigned.
func ClassChoices(db *gorm.DB, viewer *User, docID uint) ([]ClassChoice, error) {
	if viewer == nil {
		return nil, nil
	}
	var out []ClassChoice
	err := db.Model(&Class{}).Select("classes.id, classes.name").
		Joins("JOIN class_members me ON me.class_id = classes.id AND me.user_id = ?", viewer.ID).
		Order("classes.name, classes.id").Scan(&out).Error
	if err != nil || len(out) == 0 {
		return out, err
	}
	var assigned []uint
	err = db.Model(&Assignment{}).
		Joins("JOIN class_members me ON me.class_id = assignments.class_id AND me.user_id = ?", viewer.ID).
		Where("assignments.document_id = ?", docID).Order("assignments.id DESC").Limit(1).
		Pluck("assignments.class_id", &assigned).Error
	if len(assigned) == 1 {
		for i := range out {
			out[i].Default = out[i].ID == assigned[0]
		}
	}
	return out, err
}

// BeforeCreate refuses an annotation shared with a class its author is not
// in. Every way of writing an annotation passes here, so a forged form
// value cannot post into someone else's class.
func (a *Annotation) BeforeCreate(tx *gorm.DB) error {
	if a.Visibility != VisibilityClass {
		return nil
	}
	if a.ClassID == nil {
		return FieldErrors{"visibility": "Choose a class to share this with."}
	}
	var n int64
	err := tx.Session(&gorm.Session{NewDB: true}).Model(&ClassMember{}).
		Where("class_id = ? AND user_id = ?", *a.ClassID, a.AuthorID).Count(&n).Error
	if err != nil {
		return err
	}
	if n == 0 {
		return FieldErrors{"visibility": "You can share only with a class you are in."}
	}
	return nil
}

// ClassAnnotations lists the annotations shared with a class, as viewer may
// see them, by reading and then in order of writing: the class export.
func ClassAnnotations(db *gorm.DB, viewer *User, classID uint) ([]Annotation, error) {
	var out []Annotation
	err := db.Scopes(VisibleTo(viewer, false)).
		Preload("Author", func(db *gorm.DB) *gorm.DB { return db.Select("id", "username") }).
		Preload("Citations", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).
		Where("annotations.class_id = ? AND annotations.visibility = ? AND annotations.deleted_at IS NULL", classID, VisibilityClass).
		Order("annotations.document_id, annotations.id").Find(&out).Error
	return out, err
}
