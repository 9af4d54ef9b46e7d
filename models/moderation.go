package models

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"margin/models/spamfilter"
)

// Action is what a moderator (or Margin itself) did.
type Action string

const (
	ActionApprove  Action = "approve"
	ActionKeep     Action = "keep" // a flagged note stays (or returns), its flags dismissed
	ActionReject   Action = "reject"
	ActionSpam     Action = "spam"
	ActionNotSpam  Action = "not-spam"
	ActionHide     Action = "hide"
	ActionFlagHide Action = "flag-hide" // hidden by readers' flags
	ActionBan      Action = "ban"
	ActionUnban    Action = "unban"
	ActionUndo     Action = "undo"
	ActionSettings Action = "settings"
	// An admin's decisions about accounts, from the Users page.
	ActionRole        Action = "role"
	ActionEndSessions Action = "end-sessions"
)

// ItemActions are the decisions a moderator takes on one annotation.
var ItemActions = []Action{ActionApprove, ActionReject, ActionSpam, ActionNotSpam, ActionHide, ActionKeep}

// HeldActions are what the pending, spam and removed queues offer, and
// FlagActions what a note with open flags gets: readers asked whether it
// should stay, so the answers are keep, hide or spam.
var (
	HeldActions = []Action{ActionApprove, ActionNotSpam, ActionSpam, ActionReject}
	FlagActions = []Action{ActionKeep, ActionHide, ActionSpam}
)

// ParseItemAction validates an action sent by a form.
func ParseItemAction(s string) (Action, bool) {
	for _, a := range ItemActions {
		if string(a) == s {
			return a, true
		}
	}
	return "", false
}

// Label is the action as the moderation log words it.
func (a Action) Label() string {
	switch a {
	case ActionApprove:
		return "approved"
	case ActionKeep:
		return "kept"
	case ActionReject:
		return "rejected"
	case ActionSpam:
		return "marked spam"
	case ActionNotSpam:
		return "marked not spam"
	case ActionHide:
		return "hidden"
	case ActionFlagHide:
		return "hidden by flags"
	case ActionBan:
		return "banned"
	case ActionUnban:
		return "lifted the ban on"
	case ActionUndo:
		return "undid"
	case ActionSettings:
		return "changed settings"
	case ActionRole:
		return "changed the role of"
	case ActionEndSessions:
		return "ended the sessions of"
	}
	return string(a)
}

// Verb is the action as a button or a menu names it.
func (a Action) Verb() string {
	switch a {
	case ActionApprove:
		return "Approve"
	case ActionReject:
		return "Reject"
	case ActionSpam:
		return "Spam"
	case ActionNotSpam:
		return "Not spam"
	case ActionHide:
		return "Hide"
	case ActionKeep:
		return "Keep, dismiss the flags"
	}
	return string(a)
}

// Key is the moderation queue's keyboard shortcut for the action; Hide
// takes Reject's r, since a note with flags is offered one or the other.
func (a Action) Key() string {
	switch a {
	case ActionApprove, ActionKeep:
		return "a"
	case ActionNotSpam:
		return "n"
	case ActionSpam:
		return "s"
	case ActionReject, ActionHide:
		return "r"
	}
	return ""
}

// Status is where an item action puts the annotation.
func (a Action) Status() Status {
	switch a {
	case ActionApprove, ActionNotSpam, ActionKeep:
		return StatusPublished
	case ActionReject:
		return StatusRejected
	case ActionSpam:
		return StatusSpam
	}
	return StatusHidden
}

// upholdsFlags tells whether the action agrees with readers who flagged.
func (a Action) upholdsFlags() bool {
	return a != ActionApprove && a != ActionNotSpam && a != ActionKeep
}

// BannedForever is the end of a ban "for good".
var BannedForever = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// Decision is one entry of the moderation log: who did what to which
// annotation or user, when and why, and what it takes to undo it.
type Decision struct {
	ID           uint  `gorm:"primaryKey"`
	AnnotationID *uint `gorm:"index"` // no foreign key: the log outlives purged notes
	// SubjectID is the author decided about, or the user banned.
	SubjectID *uint `gorm:"index"`
	// ModeratorID is nil for what Margin did by itself (flags hiding a note).
	ModeratorID *uint
	Action      Action `gorm:"size:16;not null"`
	FromStatus  Status `gorm:"size:16"`
	ToStatus    Status `gorm:"size:16"`
	Note        string `gorm:"size:1000"`
	// What the classifier held about the annotation before and after.
	PrevLearnt     string `gorm:"size:8"`
	PrevLearntText string `gorm:"type:text"`
	Learnt         string `gorm:"size:8"`
	LearntText     string `gorm:"type:text"`
	// A ban's end, and the one it replaced (nil: none).
	BanUntil     *time.Time
	PrevBanUntil *time.Time
	// ParentID ties the notes a ban sent to spam to the ban.
	ParentID *uint `gorm:"index"`
	// Flags is how many readers' open flags the decision settled: upheld
	// or dismissed, as its action says (FlagsUpheld).
	Flags int `gorm:"not null;default:0"`
	// UndoOfID is set on an undo entry.
	UndoOfID   *uint
	UndoneAt   *time.Time
	UndoneByID *uint
	CreatedAt  time.Time `gorm:"index"`

	Moderator *User `gorm:"foreignKey:ModeratorID"`
	Subject   *User `gorm:"foreignKey:SubjectID"`
}

// Undoable tells whether the log offers to undo d.
func (d *Decision) Undoable() bool {
	if d.UndoneAt != nil || d.ParentID != nil {
		return false
	}
	switch d.Action {
	case ActionUndo, ActionSettings, ActionRole, ActionEndSessions:
		return false
	}
	return true
}

// FlagsUpheld tells whether the flags d settled were upheld (the note
// went out of view) rather than dismissed.
func (d *Decision) FlagsUpheld() bool { return d.Action.upholdsFlags() }

// UndoableBy tells whether the log offers u to undo d: never a decision
// about u themselves (their own note, their own ban), which Undo refuses.
func (d *Decision) UndoableBy(u *User) bool {
	return d.Undoable() && u != nil && (d.SubjectID == nil || *d.SubjectID != u.ID)
}

// Forever tells whether a ban has no end.
func (d *Decision) Forever() bool { return d.BanUntil != nil && !d.BanUntil.Before(BannedForever) }

// MaxNoteLen bounds a moderator's note.
const MaxNoteLen = 1000

func cleanNote(note string) (string, error) {
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > MaxNoteLen {
		return "", FieldErrors{"note": "Keep the note under 1,000 characters."}
	}
	return note, nil
}

// Decide applies a moderator's decision to an annotation in one
// transaction: its status (which bumps the document and, when it becomes
// published, sends its notifications), what the classifier learns from a
// spam or not-spam verdict, the readers' flags it settles, the claim it
// releases and the log entry. No one decides on their own note. Only a
// site moderator's verdict teaches the classifier, which serves the whole
// site: a class's educator moderates the class's notes, not the filter.
func Decide(db *gorm.DB, mod *User, annotationID uint, action Action, note string, now time.Time) (*Decision, error) {
	note, err := cleanNote(note)
	if err != nil {
		return nil, err
	}
	var d *Decision
	err = db.Transaction(func(tx *gorm.DB) error {
		a, err := AnnotationByID(tx, annotationID)
		if err != nil {
			return err
		}
		if err := mayDecide(tx, mod, a); err != nil {
			return err
		}
		d, err = decide(tx, &mod.ID, annotationID, action, note, nil, mod.IsModerator(), now)
		return err
	})
	return d, err
}

// mayDecide is the one rule for who decides on a note, and so for who
// undoes a decision on it: someone who moderates it (see moderatedBy), and
// never its author. Outside what mod moderates the note is not found, as
// on every page; one's own note is refused with the reason.
func mayDecide(tx *gorm.DB, mod *User, a *Annotation) error {
	if mod.ID == a.AuthorID {
		return fmt.Errorf("%w: you cannot decide on your own note; another moderator will", ErrForbidden)
	}
	ok, err := CanModerate(tx, mod, a)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNotFound
	}
	return nil
}

func decide(tx *gorm.DB, modID *uint, annotationID uint, action Action, note string, parent *uint, teach bool, now time.Time) (*Decision, error) {
	a, err := AnnotationByID(tx, annotationID)
	if err != nil {
		return nil, err
	}
	if a.IsDeleted() {
		return nil, fmt.Errorf("%w: its author deleted this note", ErrConflict)
	}
	scr, err := ScreeningOf(tx, a)
	if err != nil {
		return nil, err
	}
	d := &Decision{AnnotationID: &a.ID, SubjectID: &a.AuthorID, ModeratorID: modID, Action: action,
		FromStatus: a.Status, ToStatus: action.Status(), Note: note, ParentID: parent, CreatedAt: now}
	if err := SetAnnotationStatusAt(tx, a, d.ToStatus, now); err != nil {
		return nil, err
	}
	want := scr.Learnt
	text := scr.LearntText
	switch {
	case !teach:
	case action == ActionSpam:
		want, text = "spam", AnnotationText(a)
	case action == ActionNotSpam:
		want, text = "ham", AnnotationText(a)
	case action == ActionApprove, action == ActionKeep:
		if want == "spam" {
			want, text = "", ""
		}
	}
	d.PrevLearnt, d.PrevLearntText = scr.Learnt, scr.LearntText
	if err := relearn(tx, scr, want, text); err != nil {
		return nil, err
	}
	d.Learnt, d.LearntText = scr.Learnt, scr.LearntText
	if err := tx.Create(d).Error; err != nil {
		return nil, err
	}
	if action != ActionFlagHide {
		if d.Flags, err = resolveFlags(tx, a.ID, d, action.upholdsFlags(), now); err != nil {
			return nil, err
		}
		if d.Flags > 0 {
			if err := tx.Model(d).Update("flags", d.Flags).Error; err != nil {
				return nil, err
			}
		}
		if err := tx.Where("annotation_id = ?", a.ID).Delete(&Claim{}).Error; err != nil {
			return nil, err
		}
	}
	return d, touchModerators(tx, a.ID)
}

// relearn makes the classifier hold want ("spam", "ham" or "") about an
// annotation, learnt from text, taking back what it learnt before.
func relearn(tx *gorm.DB, scr *Screening, want, text string) error {
	if scr.Learnt == want && scr.LearntText == text {
		return nil
	}
	c := NewClassifier(tx)
	if scr.Learnt != "" {
		// A reset model no longer holds it: nothing to take back.
		if err := c.Unlearn(scr.LearntText, scr.Learnt == "spam"); err != nil && !errors.Is(err, spamfilter.ErrNegativeCount) {
			return err
		}
	}
	if want != "" {
		err := c.Learn(text, want == "spam")
		if errors.Is(err, ErrSpamModelVersion) {
			// A model from an older vocabulary waits for a reset; the
			// decision itself must not fail for it.
			want, text = "", ""
		} else if err != nil {
			return err
		}
	}
	scr.Learnt, scr.LearntText = want, text
	return tx.Model(&Screening{}).Where("annotation_id = ?", scr.AnnotationID).
		Updates(map[string]any{"learnt": want, "learnt_text": text}).Error
}

// Undo takes a decision back: the annotation returns to its earlier status
// (if nothing changed it since), the classifier forgets what it learnt,
// the flags it settled are open again; a ban is lifted and the notes it
// sent to spam return. The undo is logged too.
func Undo(db *gorm.DB, mod *User, decisionID uint, note string, now time.Time) (*Decision, error) {
	note, err := cleanNote(note)
	if err != nil {
		return nil, err
	}
	var undo *Decision
	err = db.Transaction(func(tx *gorm.DB) error {
		var d Decision
		if err := tx.First(&d, decisionID).Error; err != nil {
			return notFound(err)
		}
		if !d.Undoable() {
			return fmt.Errorf("%w: this entry cannot be undone", ErrConflict)
		}
		if err := mayUndo(tx, mod, &d); err != nil {
			return err
		}
		if d.Action == ActionBan || d.Action == ActionUnban {
			if err := undoBan(tx, &d, now); err != nil {
				return err
			}
		} else if err := undoItem(tx, &d); err != nil {
			return err
		}
		res := tx.Model(&Decision{}).Where("id = ? AND undone_at IS NULL", d.ID).
			Updates(map[string]any{"undone_at": now, "undone_by_id": mod.ID})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("%w: someone else undid this first", ErrConflict)
		}
		undo = &Decision{AnnotationID: d.AnnotationID, SubjectID: d.SubjectID, ModeratorID: &mod.ID, Action: ActionUndo,
			FromStatus: d.ToStatus, ToStatus: d.FromStatus, Note: note, UndoOfID: &d.ID, CreatedAt: now}
		if err := tx.Create(undo).Error; err != nil {
			return err
		}
		if d.AnnotationID != nil {
			return touchModerators(tx, *d.AnnotationID)
		}
		return touchModerators(tx)
	})
	return undo, err
}

// mayUndo asks of mod what d itself asked: undoing a ban or its lifting
// bans or unbans its subject again, so it takes the right to ban them;
// undoing a decision on a note is deciding on it again, so it takes the
// right to decide on that note (mayDecide: not one's own).
func mayUndo(tx *gorm.DB, mod *User, d *Decision) error {
	if d.Action == ActionBan || d.Action == ActionUnban {
		if d.SubjectID == nil {
			return fmt.Errorf("%w: this entry cannot be undone", ErrConflict)
		}
		u, err := UserByID(tx, *d.SubjectID)
		if err != nil {
			return err
		}
		if !CanBan(mod, u) {
			return fmt.Errorf("%w: only someone who may ban %s can undo this: moderators ban readers and educators; admins also ban moderators",
				ErrForbidden, u.Username)
		}
		return nil
	}
	if d.AnnotationID == nil {
		return nil // undoItem refuses it
	}
	a, err := AnnotationByID(tx, *d.AnnotationID)
	if errors.Is(err, ErrNotFound) {
		return nil // purged: undoItem says so
	}
	if err != nil {
		return err
	}
	err = mayDecide(tx, mod, a)
	if errors.Is(err, ErrNotFound) {
		// The log entry itself was there to see: say why it stays.
		return fmt.Errorf("%w: this note is outside what you moderate, so you cannot undo a decision on it", ErrForbidden)
	}
	return err
}

func undoItem(tx *gorm.DB, d *Decision) error {
	if d.AnnotationID == nil {
		return fmt.Errorf("%w: this entry cannot be undone", ErrConflict)
	}
	a, err := AnnotationByID(tx, *d.AnnotationID)
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%w: the note has been purged", ErrNotFound)
	}
	if err != nil {
		return err
	}
	if a.Status != d.ToStatus {
		return fmt.Errorf("%w: the note has been moderated again since; decide on it afresh", ErrConflict)
	}
	if err := SetAnnotationStatus(tx, a, d.FromStatus); err != nil {
		return err
	}
	scr, err := ScreeningOf(tx, a)
	if err != nil {
		return err
	}
	if scr.Learnt == d.Learnt && scr.LearntText == d.LearntText {
		if err := relearn(tx, scr, d.PrevLearnt, d.PrevLearntText); err != nil {
			return err
		}
	}
	return tx.Model(&Flag{}).Where("decision_id = ?", d.ID).
		Updates(map[string]any{"resolved_at": nil, "outcome": "", "decision_id": nil}).Error
}

// touchModerators marks the accounts of those who moderate the given notes
// (site moderators, and the educators of the class a class note is shared
// with) as changed: the queue counts in their navigation moved, so pages
// cached for them must not be reused.
func touchModerators(tx *gorm.DB, notes ...uint) error {
	q := tx.Model(&User{}).Where("role IN ?", []Role{RoleModerator, RoleAdmin})
	if len(notes) > 0 {
		q = tx.Model(&User{}).Where(`role IN ? OR id IN (SELECT cm.user_id FROM class_members cm
			JOIN annotations a ON a.class_id = cm.class_id AND a.visibility = ?
			WHERE cm.role = ? AND a.id IN ?)`, []Role{RoleModerator, RoleAdmin}, VisibilityClass, MemberEducator, notes)
	}
	return q.UpdateColumn("updated_at", time.Now().UTC()).Error
}
