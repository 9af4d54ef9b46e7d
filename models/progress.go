package models

import (
	"strings"
	"time"

	"gorm.io/gorm"
)

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
	return studentAssignments(db, user, now, func(q *gorm.DB) *gorm.DB { return q })
}

// StudentAssignmentsOn is StudentAssignments for one reading: what the
// reading view's assignment bar shows.
func StudentAssignmentsOn(db *gorm.DB, user *User, docID uint, now time.Time) ([]StudentAssignment, error) {
	return studentAssignments(db, user, now, func(q *gorm.DB) *gorm.DB { return q.Where("assignments.document_id = ?", docID) })
}

// AssignmentsOn lists the assignments of the reading in the classes user is
// a student in, without progress: cheap enough to ask on every read, the
// rows scanned by hand (GORM's Find cost twice the query).
func AssignmentsOn(db *gorm.DB, user *User, docID uint) ([]Assignment, error) {
	rows, err := db.Raw(`SELECT assignments.id, assignments.opens_at, assignments.due_at FROM assignments
		JOIN class_members me ON me.class_id = assignments.class_id AND me.user_id = ? AND me.role = ?
		WHERE assignments.document_id = ? ORDER BY assignments.id`, user.ID, MemberStudent, docID).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var as []Assignment
	for rows.Next() {
		var x Assignment
		if err := rows.Scan(&x.ID, &x.OpensAt, &x.DueAt); err != nil {
			return nil, err
		}
		as = append(as, x)
	}
	return as, rows.Err()
}

// TaughtAssignment names an assignment and its class.
type TaughtAssignment struct {
	ID        uint
	ClassName string
}

// TaughtAssignmentsOn lists the reading's assignments in the classes user
// teaches.
func TaughtAssignmentsOn(db *gorm.DB, user *User, docID uint) ([]TaughtAssignment, error) {
	var out []TaughtAssignment
	err := db.Table("assignments").Select("assignments.id, classes.name AS class_name").
		Joins("JOIN classes ON classes.id = assignments.class_id").
		Joins("JOIN class_members me ON me.class_id = assignments.class_id AND me.user_id = ? AND me.role = ?", user.ID, MemberEducator).
		Where("assignments.document_id = ?", docID).Order("assignments.id").Scan(&out).Error
	return out, err
}

func studentAssignments(db *gorm.DB, user *User, now time.Time, only func(*gorm.DB) *gorm.DB) ([]StudentAssignment, error) {
	var as []Assignment
	err := db.Scopes(only).Preload("Document", func(db *gorm.DB) *gorm.DB { return db.Select("id", "title", "version") }).
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

// studentsWork loads the class's students and what counts of their work.
func studentsWork(db *gorm.DB, a *Assignment) ([]RosterEntry, []WorkItem, error) {
	students, err := Students(db, a.ClassID)
	if err != nil || len(students) == 0 {
		return students, nil, err
	}
	ids := make([]uint, len(students))
	for i, s := range students {
		ids[i] = s.UserID
	}
	work, err := classWork(db, a, ids)
	return students, work, err
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
	students, work, err := studentsWork(db, a)
	if err != nil || len(students) == 0 {
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
	_, work, err := studentsWork(db, a)
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
