package models

import (
	"errors"
	"strings"
	"time"
	"unicode"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Queue names a list of notes for moderators.
type Queue string

const (
	QueuePending Queue = "pending" // held for review
	QueueFlagged Queue = "flagged" // with open flags from readers
	QueueSpam    Queue = "spam"
	QueueRemoved Queue = "removed" // rejected or hidden: restorable until purged
)

// Queues lists the queues in the order the page shows them.
var Queues = []Queue{QueuePending, QueueFlagged, QueueSpam, QueueRemoved}

// Label is the queue's heading.
func (q Queue) Label() string {
	switch q {
	case QueuePending:
		return "Pending"
	case QueueFlagged:
		return "Flagged"
	case QueueSpam:
		return "Spam"
	}
	return "Removed"
}

// QueueCounts is how many notes wait in each queue.
type QueueCounts struct {
	Pending, Flagged, Spam int64
}

// Total is every note in the three queues.
func (q QueueCounts) Total() int64 { return q.Pending + q.Flagged + q.Spam }

// Waiting is what the navigation's badge shows: the notes that wait for a
// decision. The Spam folder is not counted: a note there has been decided,
// and counting it would keep the badge from ever clearing.
func (q QueueCounts) Waiting() int64 { return q.Pending + q.Flagged }

// queueScope is the notes of one queue that the moderator may decide on.
func queueScope(mod *User, q Queue) func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		db = db.Scopes(moderatedBy(mod)).Where("annotations.deleted_at IS NULL")
		switch q {
		case QueuePending:
			return db.Where("annotations.status = ?", StatusPending)
		case QueueSpam:
			return db.Where("annotations.status = ?", StatusSpam)
		case QueueFlagged:
			return db.Where("annotations.id IN (SELECT annotation_id FROM flags WHERE resolved_at IS NULL)")
		}
		return db.Where("annotations.status IN ?", []Status{StatusRejected, StatusHidden})
	}
}

// CountQueues counts the notes waiting for mod.
func CountQueues(db *gorm.DB, mod *User) (QueueCounts, error) {
	var out QueueCounts
	for _, q := range []struct {
		name Queue
		dst  *int64
	}{{QueuePending, &out.Pending}, {QueueFlagged, &out.Flagged}, {QueueSpam, &out.Spam}} {
		if err := db.Model(&Annotation{}).Scopes(queueScope(mod, q.name)).Count(q.dst).Error; err != nil {
			return out, err
		}
	}
	return out, nil
}

// Standing is an author's record: how many of their notes others could
// see are in each status. Private notes, which are never screened, do not
// count: they would let a new account earn trust unseen.
type Standing struct {
	Approved, Pending, Spam, Rejected, Hidden, Total int
}

// AuthorStanding returns one author's record as viewer may see it.
func AuthorStanding(db *gorm.DB, viewer *User, userID uint) (Standing, error) {
	m, err := AuthorStandings(db, viewer, []uint{userID})
	return m[userID], err
}

// AuthorStandings returns the records of several authors as viewer may
// see them: counts go through the same visibility as the notes (a
// moderator outside a class does not learn of its notes from a record),
// with held notes, and with purged ones so a purge leaves it unchanged.
func AuthorStandings(db *gorm.DB, viewer *User, userIDs []uint) (map[uint]Standing, error) {
	out := map[uint]Standing{}
	if len(userIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		AuthorID uint
		Status   Status
		N        int
	}
	err := db.Model(&Annotation{}).Select("annotations.author_id, annotations.status, COUNT(*) AS n").
		Scopes(visibleOrPurged(viewer, true)).
		Where("annotations.author_id IN ? AND annotations.visibility <> ?", userIDs, VisibilityPrivate).
		Group("annotations.author_id, annotations.status").Scan(&rows).Error
	for _, r := range rows {
		s := out[r.AuthorID]
		switch r.Status {
		case StatusPublished:
			s.Approved += r.N
		case StatusPending:
			s.Pending += r.N
		case StatusSpam:
			s.Spam += r.N
		case StatusRejected:
			s.Rejected += r.N
		case StatusHidden:
			s.Hidden += r.N
		}
		s.Total += r.N
		out[r.AuthorID] = s
	}
	return out, err
}

// Claim says a moderator has a note open, so others know to leave it.
type Claim struct {
	AnnotationID uint `gorm:"primaryKey;autoIncrement:false"`
	ModeratorID  uint `gorm:"not null"`
	ExpiresAt    time.Time
	Moderator    User `gorm:"foreignKey:ModeratorID"`
}

// ClaimLifetime is how long opening a note keeps it claimed.
const ClaimLifetime = 10 * time.Minute

// ClaimItem claims a note for mod unless another moderator's claim is
// still running, and returns whoever holds it afterwards.
func ClaimItem(db *gorm.DB, mod *User, annotationID uint, now time.Time) (*Claim, error) {
	row := Claim{AnnotationID: annotationID, ModeratorID: mod.ID, ExpiresAt: now.Add(ClaimLifetime)}
	err := db.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "annotation_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"moderator_id", "expires_at"}),
		Where: clause.Where{Exprs: []clause.Expression{
			gorm.Expr("claims.expires_at < ? OR claims.moderator_id = ?", now, mod.ID),
		}},
	}).Create(&row).Error
	if err != nil {
		return nil, err
	}
	var held Claim
	err = db.Preload("Moderator", func(db *gorm.DB) *gorm.DB { return db.Select("id", "username") }).
		First(&held, "annotation_id = ?", annotationID).Error
	return &held, err
}

// ActiveClaims returns the running claims on the notes.
func ActiveClaims(db *gorm.DB, annotationIDs []uint, now time.Time) (map[uint]Claim, error) {
	out := map[uint]Claim{}
	if len(annotationIDs) == 0 {
		return out, nil
	}
	var claims []Claim
	err := db.Preload("Moderator", func(db *gorm.DB) *gorm.DB { return db.Select("id", "username") }).
		Where("annotation_id IN ? AND expires_at > ?", annotationIDs, now).Find(&claims).Error
	for _, c := range claims {
		out[c.AnnotationID] = c
	}
	return out, err
}

// QueueItem is one note as a moderator reviews it.
type QueueItem struct {
	Annotation *Annotation
	Document   string // title
	// The passage, cut around the phrase the note is attached to.
	Before, Quote, After string
	PassageNumber        int
	Parent               *Annotation // the note replied to
	Standing             Standing
	Screening            *Screening
	Flags                []Flag
	Flaggers             map[uint]FlaggerRecord
	Claim                *Claim // another moderator's running claim
}

// ScorePercent is the classifier's score as a percentage, -1 when unscored
// or scored by a classifier that had learnt nothing or abstained (its 50%
// says nothing).
func (it QueueItem) ScorePercent() int {
	if it.Screening == nil || it.Screening.Score < 0 || it.Screening.Untrained() || it.Screening.Abstained() {
		return -1
	}
	return int(it.Screening.Score*100 + 0.5)
}

// Reasons are the screening's recorded reasons that still hold: what it
// said of the author's standing is left out (the queue reads the standing
// afresh), and so is an untrained classifier's non-opinion.
func (it QueueItem) Reasons() []string {
	var out []string
	for _, r := range it.Screening.ReasonList() {
		if r != untrainedReason && !strings.HasPrefix(r, abstainedPrefix) && !isStandingReason(r) {
			out = append(out, r)
		}
	}
	return out
}

// QueueItems lists up to limit notes of a queue with all a moderator needs
// to judge them: pending and flagged notes oldest first, spam and removed
// ones newest first.
func QueueItems(db *gorm.DB, mod *User, q Queue, limit int, now time.Time) ([]QueueItem, error) {
	order := "annotations.id"
	if q == QueueSpam || q == QueueRemoved {
		order = "annotations.updated_at DESC, annotations.id DESC"
	}
	var anns []*Annotation
	err := db.Scopes(queueScope(mod, q)).
		Preload("Author").Preload("Citations", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).
		Order(order).Limit(limit).Find(&anns).Error
	if err != nil {
		return nil, err
	}
	return queueItems(db, mod, anns, now)
}

// QueueItemByID loads one note for review, if mod may decide on it.
func QueueItemByID(db *gorm.DB, mod *User, id uint, now time.Time) (*QueueItem, error) {
	a, err := AnnotationByID(db, id)
	if err != nil {
		return nil, err
	}
	if ok, err := CanModerate(db, mod, a); err != nil || !ok {
		if err == nil {
			err = ErrNotFound
		}
		return nil, err
	}
	items, err := queueItems(db, mod, []*Annotation{a}, now)
	if err != nil {
		return nil, err
	}
	return &items[0], nil
}

func queueItems(db *gorm.DB, mod *User, anns []*Annotation, now time.Time) ([]QueueItem, error) {
	if len(anns) == 0 {
		return nil, nil
	}
	ctx, err := loadItemContext(db, mod, anns, now)
	if err != nil {
		return nil, err
	}
	items := make([]QueueItem, len(anns))
	for i, a := range anns {
		it := QueueItem{Annotation: a, Document: ctx.titles[a.DocumentID], Standing: ctx.standings[a.AuthorID],
			Screening: ctx.screenings[a.ID], Flags: ctx.flags[a.ID], Flaggers: ctx.flaggers, PassageNumber: a.PassageNumber}
		if c, ok := ctx.claims[a.ID]; ok && c.ModeratorID != mod.ID {
			it.Claim = &c
		}
		if a.ParentID != nil {
			it.Parent = ctx.parents[*a.ParentID]
		}
		if p, ok := ctx.passages[passageKey{a.RevisionID, a.PassageNumber}]; ok {
			it.Before, it.Quote, it.After = cutPassage(p, a)
		}
		items[i] = it
	}
	return items, nil
}

type passageKey struct {
	revision uint
	number   int
}

// itemContext is what a page of queue items needs besides the notes
// themselves, each kind loaded in one query.
type itemContext struct {
	titles     map[uint]string
	standings  map[uint]Standing
	screenings map[uint]*Screening
	flags      map[uint][]Flag
	flaggers   map[uint]FlaggerRecord
	claims     map[uint]Claim
	parents    map[uint]*Annotation
	passages   map[passageKey]Passage
}

func loadItemContext(db *gorm.DB, mod *User, anns []*Annotation, now time.Time) (*itemContext, error) {
	var ids, authors, docIDs, parentIDs, revs []uint
	var numbers []int
	for _, a := range anns {
		ids, authors, docIDs = append(ids, a.ID), append(authors, a.AuthorID), append(docIDs, a.DocumentID)
		revs, numbers = append(revs, a.RevisionID), append(numbers, a.PassageNumber)
		if a.ParentID != nil {
			parentIDs = append(parentIDs, *a.ParentID)
		}
	}
	ctx := &itemContext{screenings: map[uint]*Screening{}, parents: map[uint]*Annotation{}, passages: map[passageKey]Passage{}}
	var err error
	if ctx.titles, err = DocumentTitles(db, docIDs); err != nil {
		return nil, err
	}
	if ctx.standings, err = AuthorStandings(db, mod, authors); err != nil {
		return nil, err
	}
	if ctx.flags, err = OpenFlags(db, ids); err != nil {
		return nil, err
	}
	var flaggerIDs []uint
	for _, fs := range ctx.flags {
		for _, f := range fs {
			flaggerIDs = append(flaggerIDs, f.UserID)
		}
	}
	if ctx.flaggers, err = FlaggerRecords(db, flaggerIDs); err != nil {
		return nil, err
	}
	if ctx.claims, err = ActiveClaims(db, ids, now); err != nil {
		return nil, err
	}
	var screenings []Screening
	var parents []*Annotation
	var passages []Passage
	err = errors.Join(
		db.Where("annotation_id IN ?", ids).Find(&screenings).Error,
		db.Preload("Author").Where("id IN ?", append(parentIDs, 0)).Find(&parents).Error,
		// Passages of these numbers in these revisions: a superset, never a whole book.
		db.Where("revision_id IN ? AND number IN ?", revs, numbers).Find(&passages).Error,
	)
	for i := range screenings {
		ctx.screenings[screenings[i].AnnotationID] = &screenings[i]
	}
	for _, p := range parents {
		ctx.parents[p.ID] = p
	}
	for _, p := range passages {
		ctx.passages[passageKey{p.RevisionID, p.Number}] = p
	}
	return ctx, err
}

// contextRunes is about how much of the passage a compact queue item
// shows on each side of the quoted phrase: a line with the phrase.
const contextRunes = 70

// Context is the quoted phrase's line of context: the end of the text
// before it and the start of the text after, cut at word boundaries and
// marked with an ellipsis where cut. A note on the whole passage gets the
// passage's opening words as before.
func (it QueueItem) Context() (before, after string) {
	if it.Quote == "" {
		return "", cutAfter(it.Before, 2*contextRunes)
	}
	return cutBefore(it.Before, contextRunes), cutAfter(it.After, contextRunes)
}

// cutAfter keeps about the first n runes of s, ending at a word boundary.
func cutAfter(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	end := n
	for end > n/2 && !unicode.IsSpace(r[end]) {
		end--
	}
	if end == n/2 { // one long word: cut inside it
		end = n
	}
	return strings.TrimRightFunc(string(r[:end]), unicode.IsSpace) + "…"
}

// cutBefore keeps about the last n runes of s, starting at a word boundary.
func cutBefore(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	start := len(r) - n
	for start < len(r)-n/2 && !unicode.IsSpace(r[start-1]) {
		start++
	}
	if start == len(r)-n/2 {
		start = len(r) - n
	}
	return "…" + strings.TrimLeftFunc(string(r[start:]), unicode.IsSpace)
}

// cutPassage splits a passage's text around the annotated phrase.
func cutPassage(p Passage, a *Annotation) (before, quote, after string) {
	text := []rune(p.Text)
	start, end := a.Start-p.Start, a.End-p.Start
	if a.Exact == "" || start < 0 || end > len(text) || start >= end {
		return p.Text, "", ""
	}
	return string(text[:start]), string(text[start:end]), string(text[end:])
}

// DecisionLog lists the moderation log as viewer may read it, newest first.
func DecisionLog(db *gorm.DB, viewer *User, limit, offset int) ([]Decision, error) {
	var out []Decision
	err := db.Preload("Moderator", func(db *gorm.DB) *gorm.DB { return db.Select("id", "username") }).
		Preload("Subject", func(db *gorm.DB) *gorm.DB { return db.Select("id", "username") }).
		Scopes(decisionsVisibleTo(viewer)).Order("id DESC").Limit(limit).Offset(offset).Find(&out).Error
	return out, err
}

// decisionsVisibleTo keeps out of the log the decisions about class notes
// of classes viewer is not in: who wrote them and what a moderator noted
// about them is the class's business, as the notes are. (Purged notes
// keep their visibility, so their entries stay where they were.)
func decisionsVisibleTo(viewer *User) func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		if viewer == nil {
			return db.Where("1 = 0")
		}
		// NOT EXISTS rather than IN: entries about notes purged before
		// purging kept a row must stay.
		return db.Where(`NOT EXISTS (SELECT 1 FROM annotations WHERE annotations.id = decisions.annotation_id
			AND annotations.visibility = ? AND (annotations.class_id IS NULL OR annotations.class_id NOT IN
				(SELECT class_id FROM class_members WHERE user_id = ?)))`,
			VisibilityClass, viewer.ID)
	}
}

// DecisionsAbout lists the log entries about one note, oldest first.
func DecisionsAbout(db *gorm.DB, annotationID uint) ([]Decision, error) {
	var out []Decision
	err := db.Preload("Moderator", func(db *gorm.DB) *gorm.DB { return db.Select("id", "username") }).
		Where("annotation_id = ?", annotationID).Order("id").Find(&out).Error
	return out, err
}

// RecentDecisionsBy lists a moderator's latest decisions on notes that
// can still be undone, newest first.
func RecentDecisionsBy(db *gorm.DB, mod *User, limit int) ([]Decision, error) {
	var out []Decision
	err := db.Where("moderator_id = ? AND annotation_id IS NOT NULL AND undone_at IS NULL AND parent_id IS NULL AND action IN ?",
		mod.ID, ItemActions).Order("id DESC").Limit(limit).Find(&out).Error
	return out, err
}

// DecisionsAboutUser lists the latest log entries about a user's notes and
// bans that viewer may read, newest first.
func DecisionsAboutUser(db *gorm.DB, viewer *User, userID uint, limit int) ([]Decision, error) {
	var out []Decision
	err := db.Preload("Moderator", func(db *gorm.DB) *gorm.DB { return db.Select("id", "username") }).
		Scopes(decisionsVisibleTo(viewer)).Where("subject_id = ?", userID).Order("id DESC").Limit(limit).Find(&out).Error
	return out, err
}
