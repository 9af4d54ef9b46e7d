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

// StudentAssignment is one line of a student's "my assignments".
type StudentAssignment struct {
	Assignment Assignment
	ClassName  string
	Progress   Progress
	Feedback   int
}

// StudentAssignments lists the assignments of every class user is a student
// in, with their progress at now, soonest due first.
func StudentAssignments(db *gorm.DB, user *User, now time.Time) ([]StudentAssignment, error) {
	var as []Assignment
	err := db.Preload("Document", func(db *gorm.DB) *gorm.DB { return db.Select("id", "title", "version") }).
		Joins("JOIN class_members me ON me.class_id = assignments.class_id AND me.user_id = ? AND me.role = ?", user.ID, MemberStudent).
		Order("assignments.due_at, assignments.id").Find(&as).Error
	if err != nil || len(as) == 0 {
		return nil, err
	}
	names := map[uint]string{}
	var classes []Class
	classIDs := make([]uint, len(as))
	for i, a := range as {
		classIDs[i] = a.ClassID
	}
	if err := db.Select("id", "name").Where("id IN ?", classIDs).Find(&classes).Error; err != nil {
		return nil, err
	}
	for _, c := range classes {
		names[c.ID] = c.Name
	}
	out := make([]StudentAssignment, len(as))
	for i, a := range as {
		work, err := classWork(db, &as[i], []uint{user.ID})
		if err != nil {
			return nil, err
		}
		n, err := feedbackCount(db, &as[i], user.ID)
		if err != nil {
			return nil, err
		}
		out[i] = StudentAssignment{Assignment: a, ClassName: names[a.ClassID], Progress: ComputeProgress(&as[i], work, now), Feedback: n}
	}
	return out, nil
}

// HasPosted tells whether a student has a published note of their own on
// the assignment's reading in its class: what lifts hide-until-posted (see
// VisibleTo).
func HasPosted(db *gorm.DB, a *Assignment, userID uint) (bool, error) {
	var n int64
	err := db.Model(&Annotation{}).
		Where("document_id = ? AND class_id = ? AND author_id = ? AND parent_id IS NULL AND status = ? AND deleted_at IS NULL",
			a.DocumentID, a.ClassID, userID, StatusPublished).
		Count(&n).Error
	return n > 0, err
}

// WorkItem is one annotation that counts towards an assignment.
type WorkItem struct {
	ID            uint
	AuthorID      uint
	Kind          Kind
	IsReply       bool
	PassageNumber int
	CreatedAt     time.Time
}

// classWork loads what counts for an assignment: published, undeleted
// annotations and replies shared with the class on its reading, since it
// opened, by the given authors (all authors when nil).
func classWork(db *gorm.DB, a *Assignment, authors []uint) ([]WorkItem, error) {
	var rows []struct {
		ID            uint
		AuthorID      uint
		Kind          Kind
		ParentID      *uint
		PassageNumber int
		CreatedAt     time.Time
	}
	q := db.Model(&Annotation{}).Select("id", "author_id", "kind", "parent_id", "passage_number", "created_at").
		Where("document_id = ? AND class_id = ? AND visibility = ? AND status = ? AND deleted_at IS NULL",
			a.DocumentID, a.ClassID, VisibilityClass, StatusPublished)
	if a.OpensAt != nil {
		q = q.Where("created_at >= ?", *a.OpensAt)
	}
	if authors != nil {
		q = q.Where("author_id IN ?", authors)
	}
	if err := q.Order("id").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]WorkItem, len(rows))
	for i, r := range rows {
		out[i] = WorkItem{ID: r.ID, AuthorID: r.AuthorID, Kind: r.Kind, IsReply: r.ParentID != nil,
			PassageNumber: r.PassageNumber, CreatedAt: r.CreatedAt}
	}
	return out, nil
}

// ProgressStatus is where a student stands on an assignment.
type ProgressStatus string

const (
	NotStarted ProgressStatus = "not started"
	InProgress ProgressStatus = "in progress"
	Complete   ProgressStatus = "complete"
	Late       ProgressStatus = "late"
)

// Slug names the status in CSS classes.
func (s ProgressStatus) Slug() string { return strings.ReplaceAll(string(s), " ", "-") }

// Label is the status as a heading or a table shows it.
func (s ProgressStatus) Label() string { return sentenceCase(string(s)) }

// Check is one requirement and how far a student is with it.
type Check struct {
	Label     string
	Have      int
	Need      int
	Met       bool
	MetOnTime bool
}

// Progress is one student's standing on one assignment.
type Progress struct {
	Status      ProgressStatus
	Annotations int
	Replies     int
	ByKind      map[Kind]int
	Checks      []Check
	// Met: every requirement is met, counting late work; MetOnTime: met by
	// work done by the due time alone.
	Met, MetOnTime bool
	// LateItems counts work done after the due time.
	LateItems    int
	LastActivity *time.Time
}

// Overdue tells whether the due time has passed with the work unfinished.
func (p Progress) Overdue() bool { return p.Status == Late && !p.Met }

// ComputeProgress measures one student's work against an assignment at
// now. Late work counts towards the requirements, but what is met only
// thanks to it makes the status "late", as does passing the due time with
// requirements unmet.
func ComputeProgress(a *Assignment, work []WorkItem, now time.Time) Progress {
	p := Progress{ByKind: map[Kind]int{}}
	onTime := Progress{ByKind: map[Kind]int{}}
	for _, w := range work {
		tally(&p, w)
		if w.CreatedAt.After(a.DueAt) {
			p.LateItems++
		} else {
			tally(&onTime, w)
		}
		if p.LastActivity == nil || w.CreatedAt.After(*p.LastActivity) {
			t := w.CreatedAt
			p.LastActivity = &t
		}
	}
	check := func(label string, have, haveOnTime, need int) {
		if need <= 0 {
			return
		}
		p.Checks = append(p.Checks, Check{Label: label, Have: have, Need: need, Met: have >= need, MetOnTime: haveOnTime >= need})
	}
	check("Annotations", p.Annotations, onTime.Annotations, a.MinAnnotations)
	check("Replies", p.Replies, onTime.Replies, a.MinReplies)
	for _, k := range a.Kinds() {
		check(k.Label(), p.ByKind[k], onTime.ByKind[k], 1)
	}
	p.Met, p.MetOnTime = true, true
	for _, c := range p.Checks {
		p.Met = p.Met && c.Met
		p.MetOnTime = p.MetOnTime && c.MetOnTime
	}
	switch {
	case p.MetOnTime:
		p.Status = Complete
	case p.Met || now.After(a.DueAt):
		p.Status = Late
	case len(work) > 0:
		p.Status = InProgress
	default:
		p.Status = NotStarted
	}
	return p
}

func tally(p *Progress, w WorkItem) {
	if w.IsReply {
		p.Replies++
	} else {
		p.Annotations++
	}
	p.ByKind[w.Kind]++
}

// StudentRow is one line of an assignment's table for educators.
type StudentRow struct {
	Student RosterEntry
	Progress
	Points *float64
}

// PointsText is the student's points as written, "" when ungraded.
func (r StudentRow) PointsText() string {
	if r.Points == nil {
		return ""
	}
	return FormatPoints(*r.Points)
}

// AssignmentTable measures every student of the class on the assignment,
// by name.
func AssignmentTable(db *gorm.DB, a *Assignment, now time.Time) ([]StudentRow, error) {
	students, err := Students(db, a.ClassID)
	if err != nil || len(students) == 0 {
		return nil, err
	}
	ids := make([]uint, len(students))
	for i, s := range students {
		ids[i] = s.UserID
	}
	work, err := classWork(db, a, ids)
	if err != nil {
		return nil, err
	}
	byAuthor := map[uint][]WorkItem{}
	for _, w := range work {
		byAuthor[w.AuthorID] = append(byAuthor[w.AuthorID], w)
	}
	points, err := pointsFor(db, a.ID)
	if err != nil {
		return nil, err
	}
	out := make([]StudentRow, len(students))
	for i, s := range students {
		out[i] = StudentRow{Student: s, Progress: ComputeProgress(a, byAuthor[s.UserID], now)}
		if p, ok := points[s.UserID]; ok {
			out[i].Points = &p
		}
	}
	return out, nil
}

// StudentProgress measures one student on the assignment.
func StudentProgress(db *gorm.DB, a *Assignment, userID uint, now time.Time) (Progress, error) {
	work, err := classWork(db, a, []uint{userID})
	if err != nil {
		return Progress{}, err
	}
	return ComputeProgress(a, work, now), nil
}

// HeatRow is one passage of the heat map: how much of the class's work
// gathered there.
type HeatRow struct {
	Number        int
	Excerpt       string
	Annotations   int
	Questions     int
	Disagreements int
}

// Heat maps where the students' work on the assignment gathered, passage by
// passage of the reading's current text.
func Heat(db *gorm.DB, a *Assignment) ([]HeatRow, error) {
	doc, err := DocumentByID(db, a.DocumentID)
	if err != nil {
		return nil, err
	}
	passages, err := Passages(db, doc.CurrentRevisionID)
	if err != nil {
		return nil, err
	}
	students, err := Students(db, a.ClassID)
	if err != nil {
		return nil, err
	}
	ids := make([]uint, len(students))
	for i, s := range students {
		ids[i] = s.UserID
	}
	work, err := classWork(db, a, ids)
	if err != nil {
		return nil, err
	}
	rows := make([]HeatRow, len(passages))
	index := map[int]int{}
	for i, p := range passages {
		rows[i] = HeatRow{Number: p.Number, Excerpt: truncateRunes(p.Text, 90)}
		index[p.Number] = i
	}
	for _, w := range work {
		i, ok := index[w.PassageNumber]
		if !ok {
			continue
		}
		rows[i].Annotations++
		switch w.Kind {
		case KindQuestion:
			rows[i].Questions++
		case KindDisagreement:
			rows[i].Disagreements++
		}
	}
	return rows, nil
}

// StudentWork lists one student's annotations that count for the
// assignment, oldest first, with their text, for the educator's review.
func StudentWork(db *gorm.DB, a *Assignment, userID uint) ([]Annotation, error) {
	work, err := classWork(db, a, []uint{userID})
	if err != nil || len(work) == 0 {
		return nil, err
	}
	ids := make([]uint, len(work))
	for i, w := range work {
		ids[i] = w.ID
	}
	var out []Annotation
	err = db.Preload("Citations", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).
		Where("id IN ?", ids).Order("id").Find(&out).Error
	return out, err
}
