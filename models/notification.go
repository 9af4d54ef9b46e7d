package models

import (
	"slices"
	"time"

	"gorm.io/gorm"

	"margin/models/markup"
)

// Reason says why someone is notified.
type Reason string

const (
	ReasonReply   Reason = "reply"
	ReasonMention Reason = "mention"
	// ReasonFeedback: an educator left feedback on the user's class note.
	ReasonFeedback Reason = "feedback"
)

// Notification tells a user about a reply to their annotation, a mention,
// or an educator's feedback on it.
type Notification struct {
	ID           uint       `gorm:"primaryKey"`
	UserID       uint       `gorm:"not null;index:idx_notification_user,priority:1"`
	AnnotationID uint       `gorm:"not null;index"`
	Reason       Reason     `gorm:"size:16;not null"`
	ReadAt       *time.Time `gorm:"index:idx_notification_user,priority:2"`
	CreatedAt    time.Time
}

// notifyPublished tells the parent's author about a reply and mentioned
// users about a mention, once a is published, and only those who may see it.
//
// fresh says a was created in this transaction, so nobody has been told yet.
func notifyPublished(tx *gorm.DB, a *Annotation, fresh bool) error {
	recipients := map[uint]Reason{}
	if a.ParentID != nil {
		var parent Annotation
		if err := tx.Select("id", "author_id").First(&parent, *a.ParentID).Error; err != nil {
			return err
		}
		recipients[parent.AuthorID] = ReasonReply
	}
	if names := markup.MentionsInHTML(a.BodyHTML); len(names) > 0 {
		var users []User
		if err := tx.Select("id").Where("username IN ?", names).Find(&users).Error; err != nil {
			return err
		}
		for _, u := range users {
			if _, replied := recipients[u.ID]; !replied {
				recipients[u.ID] = ReasonMention
			}
		}
	}
	delete(recipients, a.AuthorID)
	if len(recipients) == 0 {
		return nil
	}
	if !fresh {
		var existing []uint
		if err := tx.Model(&Notification{}).Where("annotation_id = ?", a.ID).Pluck("user_id", &existing).Error; err != nil {
			return err
		}
		for _, id := range existing {
			delete(recipients, id)
		}
	}
	for uid, reason := range recipients {
		ok, err := CanView(tx, &User{ID: uid}, a, false)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := notify(tx, uid, a.ID, reason); err != nil {
			return err
		}
	}
	return nil
}

// notify adds a notification to a user's inbox, and queues its e-mail
// when the user wants one at once.
func notify(tx *gorm.DB, userID, annotationID uint, reason Reason) error {
	n := Notification{UserID: userID, AnnotationID: annotationID, Reason: reason}
	if err := tx.Create(&n).Error; err != nil {
		return err
	}
	// The navigation shows the unread count, which every cached page that
	// shows it holds in its key (documentShow): the account row stays as
	// it is, so a mention does not renew the user's cached passages.
	// Queued with the inbox entry, in the transaction that writes the note:
	// the message exists exactly when the note does.
	return queueNoteMail(tx, &n)
}

// BadgeMost is the most unread notifications the navigation's badge
// tells apart: beyond it, it says "99+".
const BadgeMost = 99

// UnreadBadge is UnreadCount up to BadgeMost+1, for the badge on every
// page: counting stops there, so a user with thousands of unread mentions
// does not cost each of their pages a count of them all.
//
// The query is written out, with VisibleTo's condition as text: built by
// GORM (a subquery, named arguments) it cost more than running it, a
// tenth of a logged-in page's rate (margin-bench read_user).
func UnreadBadge(db *gorm.DB, u *User) (int64, error) {
	visible, args := visibleSQL(db, u, false)
	var n int64
	err := scanOne(db, `SELECT count(*) FROM (SELECT 1 FROM notifications JOIN annotations ON annotations.id = notifications.annotation_id
		WHERE notifications.user_id = ? AND notifications.read_at IS NULL AND annotations.deleted_at IS NULL AND `+visible+` LIMIT ?) unread`,
		append(append([]any{u.ID}, args...), BadgeMost+1), &n)
	return n, err
}

// InboxItem is a notification with the annotation it points at.
type InboxItem struct {
	Notification
	Annotation *Annotation
	Document   *Document
	// Assignment is where feedback is read: the latest assignment of the
	// note's document in its class (0 when there is none).
	Assignment uint
}

// UnreadCount counts unread notifications whose annotation the user may
// still see (one hidden since does not count).
func UnreadCount(db *gorm.DB, u *User) (int64, error) {
	var n int64
	err := db.Model(&Notification{}).
		Joins("JOIN annotations ON annotations.id = notifications.annotation_id").
		Scopes(VisibleTo(u, false)).
		Where("notifications.user_id = ? AND notifications.read_at IS NULL AND annotations.deleted_at IS NULL", u.ID).
		Count(&n).Error
	return n, err
}

// Inbox lists a user's notifications, newest first, skipping those whose
// annotation they may no longer see.
func Inbox(db *gorm.DB, u *User, limit int) ([]InboxItem, error) {
	var ns []Notification
	err := db.Model(&Notification{}).
		Joins("JOIN annotations ON annotations.id = notifications.annotation_id").
		Scopes(VisibleTo(u, false)).
		Where("notifications.user_id = ? AND annotations.deleted_at IS NULL", u.ID).
		Order("notifications.id DESC").Limit(limit).Find(&ns).Error
	if err != nil || len(ns) == 0 {
		return nil, err
	}
	ids := make([]uint, len(ns))
	for i, n := range ns {
		ids[i] = n.AnnotationID
	}
	var anns []Annotation
	if err := db.Preload("Author").Where("id IN ?", ids).Find(&anns).Error; err != nil {
		return nil, err
	}
	byID := map[uint]*Annotation{}
	docIDs := []uint{}
	for i := range anns {
		byID[anns[i].ID] = &anns[i]
		docIDs = append(docIDs, anns[i].DocumentID)
	}
	var docs []Document
	if err := db.Select("id", "title").Where("id IN ?", docIDs).Find(&docs).Error; err != nil {
		return nil, err
	}
	docByID := map[uint]*Document{}
	for i := range docs {
		docByID[docs[i].ID] = &docs[i]
	}
	assignments, err := latestAssignments(db, ns, docIDs)
	if err != nil {
		return nil, err
	}
	out := make([]InboxItem, 0, len(ns))
	for _, n := range ns {
		a := byID[n.AnnotationID]
		if a == nil {
			continue
		}
		item := InboxItem{Notification: n, Annotation: a, Document: docByID[a.DocumentID]}
		if n.Reason == ReasonFeedback && a.ClassID != nil {
			item.Assignment = assignments[[2]uint{*a.ClassID, a.DocumentID}]
		}
		out = append(out, item)
	}
	return out, nil
}

// latestAssignments finds, in one query and only when some notification
// is feedback, the latest assignment of each (class, document) among docs.
func latestAssignments(db *gorm.DB, ns []Notification, docs []uint) (map[[2]uint]uint, error) {
	out := map[[2]uint]uint{}
	if !slices.ContainsFunc(ns, func(n Notification) bool { return n.Reason == ReasonFeedback }) {
		return out, nil
	}
	var rows []struct{ ClassID, DocumentID, ID uint }
	err := db.Model(&Assignment{}).Select("class_id, document_id, MAX(id) AS id").
		Where("document_id IN ?", docs).Group("class_id, document_id").Scan(&rows).Error
	for _, r := range rows {
		out[[2]uint{r.ClassID, r.DocumentID}] = r.ID
	}
	return out, err
}

// MarkInboxRead marks every notification of u as read.
func MarkInboxRead(db *gorm.DB, u *User, now time.Time) error {
	// The unread count is in the cache keys of the pages that show it (see notify).
	return db.Model(&Notification{}).Where("user_id = ? AND read_at IS NULL", u.ID).Update("read_at", now).Error
}

// MarkSeen marks the given notifications of u as read: the inbox calls it
// with the ones it shows, so that seeing a notification is reading it and
// the navigation's badge follows.
func MarkSeen(db *gorm.DB, u *User, ids []uint, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	return db.Model(&Notification{}).Where("user_id = ? AND id IN ? AND read_at IS NULL", u.ID, ids).Update("read_at", now).Error
}
