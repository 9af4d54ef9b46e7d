package models

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// ErrNothingToSend says an outbox message has nothing left to say, or no
// one to say it to; its text is the reason, recorded on the message.
type ErrNothingToSend struct{ Reason string }

func (e *ErrNothingToSend) Error() string { return e.Reason }

func nothing(format string, args ...any) error {
	return &ErrNothingToSend{Reason: fmt.Sprintf(format, args...)}
}

// MailNote is one note a message tells of.
type MailNote struct {
	Annotation Annotation // with its author's username
	Document   Document   // id and title
	Reason     Reason
	// Feedback is, for ReasonFeedback, the educator's feedback (with its
	// author) on the recipient's own note.
	Feedback *Feedback
}

// MailRecipient is who a message goes to, as of now.
type MailRecipient struct {
	User     *User
	Settings MailSettings
	// Address is the confirmed address mail goes to.
	Address string
}

// RecipientOf loads the recipient of m with the address to use at now, or
// ErrNothingToSend when there is none: no address, one not (or no longer)
// confirmed, or an account banned at now (a banned user is told of
// nothing, not even through a message queued before the ban). A
// confirmation goes to the address it confirms, as long as it is still
// the account's.
func RecipientOf(db *gorm.DB, m *OutboxMessage, now time.Time) (*MailRecipient, error) {
	u, err := UserByID(db, m.UserID)
	if errors.Is(err, ErrNotFound) {
		return nil, nothing("the account is gone")
	}
	if err != nil {
		return nil, err
	}
	if u.IsBanned(now) {
		return nil, nothing("the account is banned")
	}
	s, err := MailSettingsOf(db, u.ID)
	if err != nil {
		return nil, err
	}
	r := &MailRecipient{User: u, Settings: s}
	switch {
	case m.Kind == OutboxConfirm:
		if u.Email != m.Address {
			return nil, nothing("the account's address changed since")
		}
		if s.Confirmed(u.Email) {
			return nil, nothing("the address is already confirmed")
		}
		r.Address = m.Address
	case !s.Confirmed(u.Email):
		return nil, nothing("no confirmed address")
	default:
		r.Address = u.Email
	}
	return r, nil
}

// NoteOf loads the note an OutboxNote tells of, or ErrNothingToSend when
// the recipient stopped wanting such mail or may no longer see the note:
// deleted, hidden, held, made class-only or purged since it was queued.
func NoteOf(db *gorm.DB, r *MailRecipient, m *OutboxMessage) (*MailNote, error) {
	if r.Settings.Replies != MailNow {
		return nil, nothing("the recipient no longer wants these at once")
	}
	if m.NotificationID == nil {
		return nil, nothing("no notification")
	}
	var n Notification
	if err := db.Limit(1).Find(&n, *m.NotificationID).Error; err != nil {
		return nil, err
	}
	if n.ID == 0 || n.UserID != r.User.ID {
		return nil, nothing("the notification is gone")
	}
	notes, err := visibleNotes(db, r.User, 1, true, func(q *gorm.DB) *gorm.DB {
		return q.Where("annotations.id = ?", n.AnnotationID)
	})
	if err != nil {
		return nil, err
	}
	if len(notes) == 0 {
		return nil, nothing("the recipient may no longer see the note")
	}
	notes[0].Reason = n.Reason
	if err := fillFeedback(db, notes[:1], n.CreatedAt); err != nil {
		return nil, err
	}
	return &notes[0], nil
}

// fillFeedback loads, for each feedback note, the latest feedback given
// on it up to until.
func fillFeedback(db *gorm.DB, notes []MailNote, until time.Time) error {
	for i := range notes {
		if notes[i].Reason != ReasonFeedback {
			continue
		}
		var f Feedback
		err := db.Preload("Author", func(db *gorm.DB) *gorm.DB { return db.Select("id", "username") }).
			Where("annotation_id = ? AND created_at <= ?", notes[i].Annotation.ID, until.UTC()).
			Order("id DESC").Limit(1).Find(&f).Error
		if err != nil {
			return err
		}
		if f.ID != 0 {
			notes[i].Feedback = &f
		}
	}
	return nil
}

// visibleNotes lists, oldest first, up to limit notes that q selects and
// viewer may see (VisibleTo, published, not deleted, and unless own is
// set not their own: an educator's feedback is on one's own note), with
// authors and documents.
func visibleNotes(db *gorm.DB, viewer *User, limit int, own bool, q func(*gorm.DB) *gorm.DB) ([]MailNote, error) {
	var anns []Annotation
	base := db.Model(&Annotation{}).Scopes(VisibleTo(viewer, false)).
		Where("annotations.deleted_at IS NULL AND annotations.status = ?", StatusPublished)
	if !own {
		base = base.Where("annotations.author_id <> ?", viewer.ID)
	}
	err := q(base).
		Preload("Author", func(db *gorm.DB) *gorm.DB { return db.Select("id", "username") }).
		Order("annotations.id").Limit(limit).Find(&anns).Error
	if err != nil || len(anns) == 0 {
		return nil, err
	}
	docIDs := make([]uint, len(anns))
	for i := range anns {
		docIDs[i] = anns[i].DocumentID
	}
	var docs []Document
	if err := db.Select("id", "title").Where("id IN ?", docIDs).Find(&docs).Error; err != nil {
		return nil, err
	}
	byID := map[uint]Document{}
	for _, d := range docs {
		byID[d.ID] = d
	}
	out := make([]MailNote, len(anns))
	for i := range anns {
		out[i] = MailNote{Annotation: anns[i], Document: byID[anns[i].DocumentID]}
	}
	return out, nil
}

// countVisibleNotes counts what visibleNotes would list without a limit.
func countVisibleNotes(db *gorm.DB, viewer *User, q func(*gorm.DB) *gorm.DB) (int64, error) {
	var n int64
	err := q(db.Model(&Annotation{}).Scopes(VisibleTo(viewer, false)).
		Where("annotations.deleted_at IS NULL AND annotations.status = ? AND annotations.author_id <> ?", StatusPublished, viewer.ID)).
		Count(&n).Error
	return n, err
}

// DigestGroup is a followed document's or class's new notes, or a taught
// class's new work.
type DigestGroup struct {
	Title string
	Path  string // the page on the site: /documents/1, /classes/2
	Notes []MailNote
	// Total counts every new note, of which Notes shows the first.
	Total int64
}

// Digest is what a daily digest tells, as the recipient may see it now.
type Digest struct {
	Replies  []MailNote
	Followed []DigestGroup
	Teaching []DigestGroup
	// Waiting counts the notes in the educator's moderation queue.
	Waiting int64
}

// Empty tells whether there is nothing to send.
func (d *Digest) Empty() bool {
	return len(d.Replies) == 0 && len(d.Followed) == 0 && len(d.Teaching) == 0 && d.Waiting == 0
}

// digestListed bounds the notes a digest lists in each part.
const digestListed = 20

// DigestOf puts together r's digest of [from, to), through the visibility
// rules as they are now.
func DigestOf(db *gorm.DB, r *MailRecipient, from, to time.Time) (*Digest, error) {
	d := &Digest{}
	u, s := r.User, r.Settings
	// A note is told of once, in the first part it belongs to.
	seen := &seenNotes{}
	window := digestWindow(from, to)
	if s.Replies == MailDigest {
		// The inbox's entries of the window not mailed at once (or whose
		// message at once came to nothing).
		notes, err := visibleNotes(db, u, digestListed, true, func(q *gorm.DB) *gorm.DB {
			return q.Where(`annotations.id IN (SELECT n.annotation_id FROM notifications n
				WHERE n.user_id = ? AND n.created_at >= ? AND n.created_at < ?
				AND NOT EXISTS (SELECT 1 FROM outbox_messages o WHERE o.notification_id = n.id AND o.state NOT IN ?))`,
				u.ID, from.UTC(), to.UTC(), []OutboxState{OutboxDropped, OutboxFailed})
		})
		if err != nil {
			return nil, err
		}
		if err := fillReasons(db, u, notes); err != nil {
			return nil, err
		}
		if err := fillFeedback(db, notes, to); err != nil {
			return nil, err
		}
		d.Replies = notes
		seen.add(notes)
	}
	if s.Follows == MailDigest {
		groups, err := followedGroups(db, u, window, seen)
		if err != nil {
			return nil, err
		}
		d.Followed = groups
	}
	if s.Teaching == MailDigest {
		if err := teachingDigest(db, u, window, seen, d); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// windowOf keeps to the notes of a document or a class (column is
// document_id or class_id) new in a digest's window.
type windowOf func(q *gorm.DB, column string, id uint) *gorm.DB

// digestWindow is the notes new in [from, to): those that became visible
// then, when written, or for one held for review, when published. It is a
// list of ids from two index ranges, one by the document or class and the
// time of writing, one by the time of publication (the unary + keeps
// SQLite on that index), so that it costs as many rows as there are new
// notes whatever the planner knows: COALESCE(published_at, created_at), or
// an OR of the two ranges without statistics, read a followed document's
// every note (1 ms became 50-150 ms at 100,000 notes).
func digestWindow(from, to time.Time) windowOf {
	from, to = from.UTC(), to.UTC()
	return func(q *gorm.DB, column string, id uint) *gorm.DB {
		return q.Where("annotations.id IN (SELECT w.id FROM annotations w WHERE w."+column+" = ? AND w.published_at IS NULL"+
			" AND w.created_at >= ? AND w.created_at < ?"+
			" UNION ALL SELECT w.id FROM annotations w WHERE w.published_at >= ? AND w.published_at < ? AND +w."+column+" = ?)",
			id, from, to, from, to, id)
	}
}

// fillReasons sets each note's reason from u's inbox.
func fillReasons(db *gorm.DB, u *User, notes []MailNote) error {
	if len(notes) == 0 {
		return nil
	}
	ids := make([]uint, len(notes))
	for i := range notes {
		ids[i] = notes[i].Annotation.ID
	}
	var ns []Notification
	if err := db.Where("user_id = ? AND annotation_id IN ?", u.ID, ids).Find(&ns).Error; err != nil {
		return err
	}
	reasons := map[uint]Reason{}
	for _, n := range ns {
		reasons[n.AnnotationID] = n.Reason
	}
	for i := range notes {
		notes[i].Reason = reasons[notes[i].Annotation.ID]
	}
	return nil
}

// seenNotes are the notes a digest already tells of.
type seenNotes struct{ ids []uint }

func (s *seenNotes) add(notes []MailNote) {
	for _, n := range notes {
		s.ids = append(s.ids, n.Annotation.ID)
	}
}

// not keeps out of q the notes already told of.
func (s *seenNotes) not(q *gorm.DB) *gorm.DB {
	if len(s.ids) == 0 {
		return q
	}
	return q.Where("annotations.id NOT IN ?", s.ids)
}

func followedGroups(db *gorm.DB, u *User, window windowOf, seen *seenNotes) ([]DigestGroup, error) {
	follows, err := FollowsOf(db, u.ID)
	if err != nil {
		return nil, err
	}
	var out []DigestGroup
	for _, f := range follows {
		var g DigestGroup
		var sel func(*gorm.DB) *gorm.DB
		if f.DocumentID != 0 {
			doc, err := DocumentByID(db, f.DocumentID)
			if errors.Is(err, ErrNotFound) {
				continue
			} else if err != nil {
				return nil, err
			}
			g.Title, g.Path = doc.Title, fmt.Sprintf("/documents/%d", doc.ID)
			sel = func(q *gorm.DB) *gorm.DB { return window(q, "document_id", f.DocumentID) }
		} else {
			var c Class
			if err := db.Limit(1).Find(&c, f.ClassID).Error; err != nil {
				return nil, err
			}
			role, err := MembershipOf(db, f.ClassID, u.ID)
			if err != nil {
				return nil, err
			}
			if c.ID == 0 || role == "" {
				continue // gone, or the reader left it
			}
			g.Title, g.Path = c.Name, fmt.Sprintf("/classes/%d", c.ID)
			sel = func(q *gorm.DB) *gorm.DB {
				return window(q, "class_id", f.ClassID).Where("annotations.visibility = ?", VisibilityClass)
			}
		}
		if err := fillGroup(db, u, &g, sel, seen); err != nil {
			return nil, err
		}
		if g.Total > 0 {
			out = append(out, g)
		}
	}
	return out, nil
}

// fillGroup counts and lists the notes sel selects that u may see and the
// digest has not told of yet.
func fillGroup(db *gorm.DB, u *User, g *DigestGroup, sel func(*gorm.DB) *gorm.DB, seen *seenNotes) error {
	q := func(db *gorm.DB) *gorm.DB { return seen.not(sel(db)) }
	var err error
	if g.Total, err = countVisibleNotes(db, u, q); err != nil || g.Total == 0 {
		return err
	}
	if g.Notes, err = visibleNotes(db, u, digestListed, false, q); err != nil {
		return err
	}
	seen.add(g.Notes)
	return nil
}

// teachingDigest adds, for an educator, each taught class's new work and
// the count of notes waiting in their queue.
func teachingDigest(db *gorm.DB, u *User, window windowOf, seen *seenNotes, d *Digest) error {
	classes, err := TaughtClasses(db, u.ID)
	if err != nil || len(classes) == 0 {
		return err
	}
	for _, c := range classes {
		g := DigestGroup{Title: c.Name, Path: fmt.Sprintf("/classes/%d", c.ID)}
		err := fillGroup(db, u, &g, func(q *gorm.DB) *gorm.DB {
			return window(q, "class_id", c.ID).Where("annotations.visibility = ?", VisibilityClass)
		}, seen)
		if err != nil {
			return err
		}
		if g.Total > 0 {
			d.Teaching = append(d.Teaching, g)
		}
	}
	counts, err := CountQueues(db, u)
	d.Waiting = counts.Waiting()
	return err
}

// PlanDigests queues the daily digest of every user who has a confirmed
// address, wants some of it, and whose last digest covered less than up
// to today's digest hour (UTC). Each covers from where the last ended to
// that hour. Several instances may plan at once: the unique key of a
// user's day makes the second a no-op. It returns how many it queued.
func PlanDigests(db *gorm.DB, now time.Time, hour int) (int, error) {
	now = now.UTC()
	at := time.Date(now.Year(), now.Month(), now.Day(), hour, 0, 0, 0, time.UTC)
	if now.Before(at) {
		at = at.AddDate(0, 0, -1)
	}
	var due []MailSettings
	err := db.Model(&MailSettings{}).Joins("JOIN users ON users.id = mail_settings.user_id").
		Where("mail_settings.confirmed_email <> '' AND mail_settings.confirmed_email = users.email AND mail_settings.digest_through < ?", at).
		Where("mail_settings.replies = ? OR mail_settings.follows = ? OR mail_settings.teaching = ?", MailDigest, MailDigest, MailDigest).
		Order("mail_settings.user_id").Limit(500).Find(&due).Error
	if err != nil {
		return 0, err
	}
	queued := 0
	for _, s := range due {
		from, end := s.DigestThrough.UTC(), at
		err := db.Transaction(func(tx *gorm.DB) error {
			m := &OutboxMessage{UserID: s.UserID, Kind: OutboxDigest, WindowStart: &from, WindowEnd: &end,
				DedupKey: fmt.Sprintf("digest:%d:%s", s.UserID, at.Format("2006-01-02"))}
			res := tx.Model(&MailSettings{}).Where("user_id = ? AND digest_through < ?", s.UserID, at).Update("digest_through", at)
			if res.Error != nil || res.RowsAffected == 0 {
				return res.Error
			}
			queued++
			return enqueue(tx, m, now)
		})
		if err != nil {
			return queued, err
		}
	}
	return queued, nil
}
