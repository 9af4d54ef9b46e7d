package models

import (
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// UserFilter is what the admins' Users page searches by.
type UserFilter struct {
	Name string // part of the username, any case
	Role Role   // "" for every role
}

// UserRow is one account as the Users page lists it.
type UserRow struct {
	User
	Standing Standing
	// LastNote and LastLogin are the account's latest note (any status) and
	// latest login still live: together its last activity.
	LastNote, LastLogin *time.Time
	Sessions            int // live sessions
}

// LastActive is the later of the last note and the last live login.
func (r UserRow) LastActive() *time.Time {
	switch {
	case r.LastNote == nil:
		return r.LastLogin
	case r.LastLogin == nil || r.LastNote.After(*r.LastLogin):
		return r.LastNote
	}
	return r.LastLogin
}

// ListUsers lists up to limit accounts matching f, newest first, each
// with its standing (as viewer may see it), last activity and live
// sessions, in four queries.
func ListUsers(db *gorm.DB, viewer *User, f UserFilter, limit int, now time.Time) ([]UserRow, error) {
	q := db.Model(&User{}).Order("id DESC").Limit(limit)
	if name := NormalizeUsername(f.Name); name != "" {
		q = q.Where("username LIKE ? ESCAPE '\\'", "%"+escapeLike(name)+"%")
	}
	if f.Role != "" {
		q = q.Where("role = ?", f.Role)
	}
	var users []User
	if err := q.Find(&users).Error; err != nil {
		return nil, err
	}
	ids := make([]uint, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	standings, err := AuthorStandings(db, viewer, ids)
	if err != nil {
		return nil, err
	}
	// The latest row by id, then its time: MAX of a time column comes back
	// from SQLite as text.
	type latest struct {
		UserID, ID uint
		N          int
	}
	var noteIDs, loginIDs []latest
	var notes []Annotation
	var logins []Session
	if len(ids) > 0 {
		err = firstErr(
			// Only notes viewer may see: a private note's time is its author's.
			db.Model(&Annotation{}).Scopes(VisibleTo(viewer, true)).
				Select("annotations.author_id AS user_id, MAX(annotations.id) AS id").
				Where("annotations.author_id IN ?", ids).Group("annotations.author_id").Scan(&noteIDs).Error,
			db.Model(&Session{}).Select("sessions.user_id, MAX(sessions.id) AS id, COUNT(*) AS n").
				Joins("JOIN users ON users.id = sessions.user_id AND users.session_epoch = sessions.epoch").
				Where("sessions.user_id IN ? AND sessions.expires_at > ?", ids, now).Group("sessions.user_id").Scan(&loginIDs).Error,
		)
		if err != nil {
			return nil, err
		}
		err = firstErr(
			db.Select("id", "author_id", "created_at").Where("id IN ?", append(pluckIDs(noteIDs, func(l latest) uint { return l.ID }), 0)).Find(&notes).Error,
			db.Select("id", "user_id", "created_at").Where("id IN ?", append(pluckIDs(loginIDs, func(l latest) uint { return l.ID }), 0)).Find(&logins).Error,
		)
		if err != nil {
			return nil, err
		}
	}
	rows := make([]UserRow, len(users))
	byID := map[uint]*UserRow{}
	for i, u := range users {
		rows[i] = UserRow{User: u, Standing: standings[u.ID]}
		byID[u.ID] = &rows[i]
	}
	for _, n := range notes {
		at := n.CreatedAt
		byID[n.AuthorID].LastNote = &at
	}
	for _, l := range logins {
		at := l.CreatedAt
		byID[l.UserID].LastLogin = &at
	}
	for _, l := range loginIDs {
		byID[l.UserID].Sessions = l.N
	}
	return rows, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// ChangeRole gives a user another role, as an admin decided, and logs it
// like a moderation decision. No one changes their own role (an admin
// could lock the site out of its admin), and the last admin stays one.
func ChangeRole(db *gorm.DB, by *User, userID uint, role Role, note string, now time.Time) (*Decision, error) {
	note, err := cleanNote(note)
	if err != nil {
		return nil, err
	}
	var d *Decision
	err = db.Transaction(func(tx *gorm.DB) error {
		u, err := UserByID(tx, userID)
		if err != nil {
			return err
		}
		if u.ID == by.ID {
			return fmt.Errorf("%w: you cannot change your own role; another admin can", ErrForbidden)
		}
		if u.Role == role {
			return fmt.Errorf("%w: %s is already %s", ErrConflict, u.Username, withArticle(string(role)))
		}
		from := u.Role
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{"role": role, "updated_at": now}).Error; err != nil {
			return err
		}
		d = &Decision{SubjectID: &u.ID, ModeratorID: &by.ID, Action: ActionRole,
			FromStatus: Status(from), ToStatus: Status(role), Note: note, CreatedAt: now}
		if err := tx.Create(d).Error; err != nil {
			return err
		}
		// Moderators' navigation counts, and the user's own pages, change.
		return touchModerators(tx)
	})
	return d, err
}

// EndSessionsOf logs a user out everywhere, as an admin decided, and logs it.
func EndSessionsOf(db *gorm.DB, by *User, userID uint, note string, now time.Time) (*Decision, error) {
	note, err := cleanNote(note)
	if err != nil {
		return nil, err
	}
	u, err := UserByID(db, userID)
	if err != nil {
		return nil, err
	}
	if err := EndSessions(db, u.ID); err != nil {
		return nil, err
	}
	d := &Decision{SubjectID: &u.ID, ModeratorID: &by.ID, Action: ActionEndSessions, Note: note, CreatedAt: now}
	return d, db.Create(d).Error
}

func withArticle(word string) string {
	if strings.ContainsRune("aeiou", rune(word[0])) {
		return "an " + word
	}
	return "a " + word
}

func pluckIDs[T any](xs []T, id func(T) uint) []uint {
	out := make([]uint, len(xs))
	for i, x := range xs {
		out[i] = id(x)
	}
	return out
}
