package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// OutboxKind is what an outbox message is.
type OutboxKind string

const (
	OutboxConfirm OutboxKind = "confirm" // the link that confirms an address
	OutboxNote    OutboxKind = "note"    // one reply, mention or feedback, at once
	OutboxDigest  OutboxKind = "digest"  // the daily digest
)

// OutboxState is where a message is on its way.
type OutboxState string

const (
	OutboxQueued OutboxState = "queued" // waiting for its (next) attempt
	// OutboxClaimed: a worker holds it and is putting it together; if that
	// worker stops, it goes back to the queue when the lease runs out.
	OutboxClaimed OutboxState = "claimed"
	// OutboxSending: the worker is handing it to the server.
	OutboxSending OutboxState = "sending"
	OutboxSent    OutboxState = "sent"    // the server accepted it
	OutboxFailed  OutboxState = "failed"  // refused for good, or out of attempts
	OutboxDropped OutboxState = "dropped" // nothing to send any more (see LastError)
	// OutboxUnknown: the worker stopped (a crash, a lost connection after
	// the message's last byte) without hearing whether the server took it.
	// It may have been delivered, so it is never sent again on its own.
	OutboxUnknown OutboxState = "unknown"
)

// OutboxMessage is one message to send, written in the transaction of what
// caused it, so that a message is queued exactly when its cause is kept.
// What it says is put together when it is sent, through the visibility
// rules as they are then: a note hidden, deleted or moved out of the
// recipient's sight in between is not revealed.
type OutboxMessage struct {
	ID     uint       `gorm:"primaryKey"`
	UserID uint       `gorm:"not null;index"`
	Kind   OutboxKind `gorm:"size:16;not null"`
	// NotificationID is the inbox entry an OutboxNote tells of.
	NotificationID *uint `gorm:"index"`
	// Address is where a confirmation goes (the address it confirms);
	// other messages go to the recipient's confirmed address at send time.
	Address string `gorm:"size:254;not null;default:''"`
	// WindowStart and WindowEnd bound what a digest covers.
	WindowStart *time.Time
	WindowEnd   *time.Time
	// DedupKey makes queueing the same message twice (two instances
	// planning the same digest) a no-op.
	DedupKey      string      `gorm:"size:400;not null;uniqueIndex"`
	State         OutboxState `gorm:"size:8;not null;default:queued;index:idx_outbox_due,priority:1"`
	NextAttemptAt time.Time   `gorm:"not null;index:idx_outbox_due,priority:2"`
	Attempts      int         `gorm:"not null;default:0"`
	LeaseOwner    string      `gorm:"size:64;not null;default:''"`
	LeaseUntil    *time.Time
	SentAt        *time.Time
	LastError     string `gorm:"size:500;not null;default:''"`
	CreatedAt     time.Time
}

// MessageID is the message's Message-ID, the same on every attempt: a
// message sent twice is recognisably the same message.
func (m *OutboxMessage) MessageID(host string) string {
	return fmt.Sprintf("<margin.%d.%d@%s>", m.ID, m.CreatedAt.UnixMicro(), host)
}

// enqueue adds m to the outbox in tx, due at now; a message with the same
// DedupKey already there is left as it is.
func enqueue(tx *gorm.DB, m *OutboxMessage, now time.Time) error {
	m.State, m.NextAttemptAt, m.CreatedAt = OutboxQueued, now.UTC(), now.UTC()
	return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(m).Error
}

// queueNoteMail queues the message telling of notification n at once, if
// its recipient asked for that and has a confirmed address.
func queueNoteMail(tx *gorm.DB, n *Notification) error {
	var modes []MailMode
	err := tx.Model(&MailSettings{}).Joins("JOIN users ON users.id = mail_settings.user_id").
		Where("mail_settings.user_id = ? AND mail_settings.confirmed_email <> '' AND mail_settings.confirmed_email = users.email", n.UserID).
		Pluck("mail_settings.replies", &modes).Error
	if err != nil || len(modes) == 0 || modes[0] != MailNow {
		return err
	}
	id := n.ID
	return enqueue(tx, &OutboxMessage{UserID: n.UserID, Kind: OutboxNote, NotificationID: &id,
		DedupKey: fmt.Sprintf("note:%d", n.ID)}, n.CreatedAt)
}

// ClaimOutbox takes up to limit due messages for owner until leaseUntil.
// Each is taken by a compare-and-set on its state, so that of several
// workers (on several instances) exactly one gets it.
func ClaimOutbox(db *gorm.DB, owner string, now, leaseUntil time.Time, limit int) ([]OutboxMessage, error) {
	var due []uint
	err := db.Model(&OutboxMessage{}).Where("state = ? AND next_attempt_at <= ?", OutboxQueued, now.UTC()).
		Order("next_attempt_at, id").Limit(limit).Pluck("id", &due).Error
	if err != nil {
		return nil, err
	}
	var claimed []uint
	for _, id := range due {
		res := db.Model(&OutboxMessage{}).Where("id = ? AND state = ?", id, OutboxQueued).Updates(map[string]any{
			"state": OutboxClaimed, "lease_owner": owner, "lease_until": leaseUntil.UTC(),
			"attempts": gorm.Expr("attempts + 1"),
		})
		if res.Error != nil {
			return nil, res.Error
		}
		if res.RowsAffected == 1 {
			claimed = append(claimed, id)
		}
	}
	if len(claimed) == 0 {
		return nil, nil
	}
	var out []OutboxMessage
	err = db.Where("id IN ?", claimed).Order("id").Find(&out).Error
	return out, err
}

// BeginSend records, just before m is handed to the server, that it is
// being sent; false when owner no longer holds it (its lease ran out and
// another worker took it), and then it must not be sent.
func BeginSend(db *gorm.DB, m *OutboxMessage, owner string) (bool, error) {
	res := db.Model(&OutboxMessage{}).Where("id = ? AND lease_owner = ? AND state = ?", m.ID, owner, OutboxClaimed).
		Update("state", OutboxSending)
	return res.RowsAffected == 1, res.Error
}

// OutboxOutcome is what came of one attempt.
type OutboxOutcome struct {
	State OutboxState
	// RetryAt is when a message put back in the queue is due again.
	RetryAt time.Time
	Error   string
}

// FinishOutbox records an attempt's outcome, if owner still holds m.
func FinishOutbox(db *gorm.DB, m *OutboxMessage, owner string, o OutboxOutcome, now time.Time) error {
	fields := map[string]any{"state": o.State, "lease_until": nil, "last_error": truncate(o.Error, 500)}
	switch o.State {
	case OutboxSent:
		fields["sent_at"] = now.UTC()
	case OutboxQueued:
		fields["next_attempt_at"] = o.RetryAt.UTC()
	}
	return db.Model(&OutboxMessage{}).
		Where("id = ? AND lease_owner = ? AND state IN ?", m.ID, owner, []OutboxState{OutboxClaimed, OutboxSending, OutboxUnknown}).
		Updates(fields).Error
}

// ReapOutbox settles the messages of workers whose lease ran out: one
// only claimed goes back to the queue (it never reached the server); one
// being sent is marked unknown, since that worker may have sent it before
// it stopped, and is not sent again (at most once). It returns how many
// became unknown.
func ReapOutbox(db *gorm.DB, now time.Time) (int64, error) {
	err := db.Model(&OutboxMessage{}).Where("state = ? AND lease_until < ?", OutboxClaimed, now.UTC()).
		Updates(map[string]any{"state": OutboxQueued, "lease_until": nil}).Error
	if err != nil {
		return 0, err
	}
	res := db.Model(&OutboxMessage{}).Where("state = ? AND lease_until < ?", OutboxSending, now.UTC()).
		Updates(map[string]any{"state": OutboxUnknown,
			"last_error": "the worker stopped while sending: it may have been delivered, so it is not sent again"})
	return res.RowsAffected, res.Error
}

// OutboxCounts counts the outbox's messages by state.
func OutboxCounts(db *gorm.DB) (map[OutboxState]int64, error) {
	var rows []struct {
		State OutboxState
		N     int64
	}
	err := db.Model(&OutboxMessage{}).Select("state, COUNT(*) AS n").Group("state").Scan(&rows).Error
	out := map[OutboxState]int64{}
	for _, r := range rows {
		out[r.State] = r.N
	}
	return out, err
}

// OutboxByID loads one outbox message, or ErrNotFound.
func OutboxByID(db *gorm.DB, id uint) (*OutboxMessage, error) {
	var m OutboxMessage
	if err := db.First(&m, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &m, nil
}

// RequeueOutbox puts a message that failed or whose fate is unknown back
// in the queue, at an operator's word (margin mail retry).
func RequeueOutbox(db *gorm.DB, id uint, now time.Time) error {
	res := db.Model(&OutboxMessage{}).Where("id = ? AND state IN ?", id, []OutboxState{OutboxFailed, OutboxUnknown}).
		Updates(map[string]any{"state": OutboxQueued, "next_attempt_at": now.UTC(), "attempts": 0})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// OutboxProblems lists the newest messages that failed or whose fate is
// unknown, for margin mail status.
func OutboxProblems(db *gorm.DB, limit int) ([]OutboxMessage, error) {
	var out []OutboxMessage
	err := db.Where("state IN ?", []OutboxState{OutboxFailed, OutboxUnknown}).Order("id DESC").Limit(limit).Find(&out).Error
	return out, err
}

// PurgeOutbox deletes the messages settled before cutoff (sent, dropped,
// failed, unknown), so that the outbox does not grow without end. A digest
// reads the outbox of its own window only, days at most.
func PurgeOutbox(db *gorm.DB, cutoff time.Time) (int64, error) {
	res := db.Where("state IN ? AND created_at < ?",
		[]OutboxState{OutboxSent, OutboxDropped, OutboxFailed, OutboxUnknown}, cutoff.UTC()).Delete(&OutboxMessage{})
	return res.RowsAffected, res.Error
}
