package models

import (
	"strings"
	"sync"

	"gorm.io/gorm"
)

// VisibleTo restricts an annotations query to what viewer may see. It is the
// one place the privacy rules live; pages, counts, the inbox, profiles,
// feeds and exports all go through it.
//
//   - public annotations are for everyone, private ones for their author,
//     class ones for the class's members and educators;
//   - only published annotations show, except to their author, who sees
//     their own held, hidden or refused items marked as such;
//   - includeHeld also shows held items to a moderator (never private or
//     other classes' items), and a class's held items to its educators;
//   - on a reading assigned with "hide classmates' annotations until I have
//     posted", a student sees nothing by fellow students of that class on it
//     (whatever its visibility), nor any reply under such a note, until they
//     have a published annotation of their own there in the class;
//   - purged annotations are for no one, not even their author.
func VisibleTo(viewer *User, includeHeld bool) func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		q, args := visibleSQL(db, viewer, includeHeld)
		return db.Where(q, args...)
	}
}

// visibleSQL is VisibleTo's condition and its arguments, for a query
// written out (UnreadBadge).
func visibleSQL(db *gorm.DB, viewer *User, includeHeld bool) (string, []any) {
	q, args := visibleOrPurgedSQL(db, viewer, includeHeld)
	return "annotations.purged_at IS NULL AND " + q, args
}

// visibleOrPurged is VisibleTo for counts that must read the same after a
// purge as before (an author's standing): the rows the viewer may see, and
// the purged rows that were once such.
func visibleOrPurged(viewer *User, includeHeld bool) func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		q, args := visibleOrPurgedSQL(db, viewer, includeHeld)
		return db.Where(q, args...)
	}
}

// visibleOrPurgedSQL is the condition of visibleOrPurged. It is one string
// with positional arguments: GORM spends more on a condition than SQLite on
// running it, most on named arguments, and every logged-in page counts its
// unread badge through this rule.
func visibleOrPurgedSQL(db *gorm.DB, viewer *User, includeHeld bool) (string, []any) {
	if viewer == nil {
		return "annotations.status = ? AND annotations.visibility = ?", []any{StatusPublished, VisibilityPublic}
	}
	var b strings.Builder
	var args []any
	switch {
	case includeHeld && viewer.IsModerator():
		// every status
	case includeHeld:
		b.WriteString("(annotations.status = ? OR annotations.author_id = ? OR " + educatedClassNote + ") AND ")
		args = append(args, StatusPublished, viewer.ID, VisibilityClass, viewer.ID, MemberEducator)
	default:
		b.WriteString("(annotations.status = ? OR annotations.author_id = ?) AND ")
		args = append(args, StatusPublished, viewer.ID)
	}
	b.WriteString("(annotations.visibility = ? OR annotations.author_id = ? OR " +
		"(annotations.visibility = ? AND annotations.class_id IN (SELECT class_id FROM class_members WHERE user_id = ?))) AND ")
	args = append(args, VisibilityPublic, viewer.ID, VisibilityClass, viewer.ID)
	hidden, names := hiddenUntilPostedClause(db)
	b.WriteString(hidden)
	for _, n := range names {
		switch n {
		case "viewer":
			args = append(args, viewer.ID)
		case "student":
			args = append(args, MemberStudent)
		case "published":
			args = append(args, StatusPublished)
		default:
			panic("hiddenUntilPosted names an argument visibleOrPurgedSQL does not give: @" + n)
		}
	}
	return b.String(), args
}

// hiddenUntilPostedClause is the condition that keeps the notes hidden
// until posted out (the viewer's own excepted), with ? for each named
// argument (viewer, student, published) in the order names gives them:
// the same text for every viewer, made once per dialect.
func hiddenUntilPostedClause(db *gorm.DB) (string, []string) {
	i := 0
	if IsPostgres(db) {
		i = 1
	}
	hiddenClauses[i].once.Do(func() {
		c := &hiddenClauses[i]
		c.text, c.names = positional("(annotations.author_id = @viewer OR " + hiddenUntilPostedNone(db) +
			"annotations.id NOT IN (" + hiddenUntilPostedQuery(db) + "))")
	})
	return hiddenClauses[i].text, hiddenClauses[i].names
}

var hiddenClauses [2]struct {
	once  sync.Once
	text  string
	names []string
}

// positional writes a query's named arguments (@name) as ?, and returns
// the names in the order they stand.
func positional(q string) (string, []string) {
	var b strings.Builder
	var names []string
	for {
		at := strings.IndexByte(q, '@')
		if at < 0 {
			b.WriteString(q)
			return b.String(), names
		}
		end := at + 1
		for end < len(q) && (q[end] == '_' || 'a' <= q[end] && q[end] <= 'z') {
			end++
		}
		b.WriteString(q[:at])
		b.WriteByte('?')
		names = append(names, q[at+1:end])
		q = q[end:]
	}
}

// hiddenUntilPosted is the notes kept from @viewer because they are a
// classmate's annotation on a reading the viewer must post on first, or
// anything under one in its thread (an educator's answer to it included):
// nothing of a hidden note may show, not even its place. VisibleTo keeps
// these out, except the viewer's own.
//
// They are found once per query, from the top down: the viewer's
// post-first readings (a student of the class, no published note of their
// own there yet; usually none), on each the notes by fellow students of
// that class, then every reply under those (a reply is always on its
// parent's document). That costs a few index lookups per classmate, and
// leaves each row a hash probe. Checked per row instead (does the note or
// an ancestor have a classmate for author?), the walk up the thread made
// PostgreSQL estimate every row as costly and choose plans that read every
// candidate: 580 ms for a filtered search over a million notes. On
// PostgreSQL the query runs inside a function (see hiddenUntilPostedQuery).
// readings is MATERIALIZED so that a plan starts from those few readings.
const hiddenUntilPosted = `WITH RECURSIVE readings AS MATERIALIZED (
		SELECT hide.document_id, hide.class_id FROM assignments hide
		JOIN class_members me ON me.class_id = hide.class_id AND me.user_id = @viewer AND me.role = @student
		WHERE hide.hide_until_posted = TRUE
		AND NOT EXISTS (SELECT 1 FROM annotations mine WHERE mine.document_id = hide.document_id AND mine.class_id = hide.class_id
			AND mine.author_id = @viewer AND mine.parent_id IS NULL AND mine.status = @published AND mine.deleted_at IS NULL)
	), hidden(id) AS (
		SELECT peers.id FROM readings
		JOIN class_members peer ON peer.class_id = readings.class_id AND peer.role = @student AND peer.user_id <> @viewer
		JOIN annotations peers ON peers.document_id = readings.document_id AND peers.author_id = peer.user_id
		UNION SELECT reply.id FROM annotations reply JOIN hidden ON reply.parent_id = hidden.id
	) SELECT id FROM hidden`

// CanView tells whether viewer may see annotation a (and its permalink).
func CanView(db *gorm.DB, viewer *User, a *Annotation, includeHeld bool) (bool, error) {
	var n int64
	err := db.Model(&Annotation{}).Scopes(VisibleTo(viewer, includeHeld)).Where("annotations.id = ?", a.ID).Count(&n).Error
	return n > 0, err
}
