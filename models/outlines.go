package models

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"gorm.io/gorm"
)

// PassageChange records which note a change to a passage's notes was
// about: bumpPassage writes one for each version it gives a passage, so a
// reader that knows the passage's notes at one version can read what
// changed since, and only that (see OutlineCache). The oldest go as new
// ones come (changeLogKept).
type PassageChange struct {
	RevisionID    uint  `gorm:"primaryKey;autoIncrement:false"`
	PassageNumber int   `gorm:"primaryKey;autoIncrement:false"`
	Version       int64 `gorm:"primaryKey;autoIncrement:false"`
	AnnotationID  uint  `gorm:"not null"`
}

// changeLogKept is how many of a passage's latest changes its log keeps
// at least; a reader further behind reads the passage's notes afresh.
var changeLogKept int64 = 512

// changesLogged counts logPassageChange's calls, which trim a log every
// changeLogKept/8 of them.
var changesLogged atomic.Int64

// logPassageChange records that the passage's version, just moved on, was
// a change to note a; now and then the log lets the passage's oldest go.
func logPassageChange(tx *gorm.DB, a *Annotation) error {
	if err := tx.Exec(`INSERT INTO passage_changes (revision_id, passage_number, version, annotation_id)
		SELECT revision_id, number, notes_version, ? FROM passages WHERE revision_id = ? AND number = ?`,
		a.ID, a.RevisionID, a.PassageNumber).Error; err != nil {
		return err
	}
	if changesLogged.Add(1)%max(changeLogKept/8, 1) != 0 {
		return nil
	}
	return tx.Exec(`DELETE FROM passage_changes WHERE revision_id = ? AND passage_number = ?
		AND version <= (SELECT notes_version FROM passages WHERE revision_id = ? AND number = ?) - ?`,
		a.RevisionID, a.PassageNumber, a.RevisionID, a.PassageNumber, changeLogKept).Error
}

// OutlineCache keeps the outline of what a visitor sees on each passage
// (every note's noteOutlines row), so that after a change the reading view
// reads the changed notes only, not all of a busy passage's. Each entry is
// exact for the version it is held at: every change to a passage's notes
// moves its version and logs the note in the same transaction
// (bumpPassage), and a change to notes of several passages moves the
// document's notes epoch, which the entry's key holds. Visitors' notes
// only: what a reader sees depends on more than the rows (their classes,
// the readings hidden until they post).
type OutlineCache struct {
	mu      sync.Mutex
	entries map[outlineKey]*outlineEntry
	held    int // notes in all entries
}

type outlineKey struct {
	revision uint
	passage  int
	epoch    int64
}

// outlineEntry is a passage's visible notes, by id, at a version; never
// changed once stored (a newer version is a new entry).
type outlineEntry struct {
	version int64
	notes   []outline
}

// outlineCacheMost bounds the notes an OutlineCache holds (about 140
// bytes each, so 28 MB at most); when full it starts again.
const outlineCacheMost = 200_000

// NewOutlineCache makes an empty cache.
func NewOutlineCache() *OutlineCache {
	return &OutlineCache{entries: map[outlineKey]*outlineEntry{}}
}

func (c *OutlineCache) get(k outlineKey) *outlineEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.entries[k]
}

func (c *OutlineCache) put(k outlineKey, e *outlineEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.entries[k]
	if old != nil && old.version >= e.version {
		return
	}
	if c.held+len(e.notes) > outlineCacheMost {
		clear(c.entries)
		c.held = 0
		old = nil
	}
	if old != nil {
		c.held -= len(old.notes)
	}
	c.entries[k] = e
	c.held += len(e.notes)
}

// visitorOutlines is noteOutlines for a visitor on passages, each at the
// NotesVersion it was read at on this request (or newer), from the cache
// and the changes logged since; passages the cache knows nothing of, or
// whose log no longer reaches back to the cached version, are read whole.
func (c *OutlineCache) visitorOutlines(db *gorm.DB, rev *Revision, passages []Passage, epoch int64) ([]*Annotation, error) {
	entries := make([]*outlineEntry, len(passages))
	var whole []int
	for i, p := range passages {
		e := c.get(outlineKey{rev.ID, p.Number, epoch})
		if e != nil && e.version < p.NotesVersion {
			var err error
			if e, err = c.catchUp(db, rev, p, e); err != nil {
				return nil, err
			}
		}
		if e == nil {
			whole = append(whole, i)
			continue
		}
		entries[i] = e
		c.put(outlineKey{rev.ID, p.Number, epoch}, e)
	}
	if len(whole) > 0 {
		numbers := make([]int, len(whole))
		for j, i := range whole {
			numbers[j] = passages[i].Number
		}
		where, args := "annotations.document_id = ? AND annotations.revision_id = ?", []any{rev.DocumentID, rev.ID}
		if len(numbers) <= idBatch {
			where, args = where+" AND annotations.passage_number IN ?", append(args, numbers)
		}
		read, err := readOutlines(db, rev, nil, where, args...)
		if err != nil {
			return nil, err
		}
		byPassage := map[int][]outline{}
		for _, o := range read {
			byPassage[o.passage] = append(byPassage[o.passage], o)
		}
		for _, i := range whole {
			p := passages[i]
			entries[i] = &outlineEntry{version: p.NotesVersion, notes: byPassage[p.Number]}
			c.put(outlineKey{rev.ID, p.Number, epoch}, entries[i])
		}
	}
	lists := make([][]outline, len(entries))
	for i, e := range entries {
		lists[i] = e.notes
	}
	out := annotationsOf(rev, lists...)
	if len(entries) > 1 {
		slices.SortFunc(out, func(a, b *Annotation) int { return cmp.Compare(a.ID, b.ID) })
	}
	return out, nil
}

// catchUp brings a passage's entry from its version to the newest logged:
// the notes changed since are read again (those a visitor may still see
// on this passage) and every other note stays. It returns nil when the
// log has lost a version in between.
func (c *OutlineCache) catchUp(db *gorm.DB, rev *Revision, p Passage, e *outlineEntry) (*outlineEntry, error) {
	version, ids, read, err := changesSince(db, rev, p, e.version)
	if err != nil || version < p.NotesVersion {
		return nil, err
	}
	changed := make(map[uint]bool, len(ids))
	for _, id := range ids {
		changed[id] = true
	}
	notes := make([]outline, 0, len(e.notes)+len(read))
	for _, o := range e.notes {
		if !changed[o.id] {
			notes = append(notes, o)
		}
	}
	notes = append(notes, read...)
	slices.SortFunc(notes, func(a, b outline) int { return cmp.Compare(a.id, b.id) })
	return &outlineEntry{version: version, notes: notes}, nil
}

// changesSince reads the passage's log from version on and the outlines
// of the notes it names, as a visitor sees them on the passage now (none
// for a note they no longer may), in one query: every first reader after
// a note asks it. The log's rows come after the outlines, shaped as
// outlines with the note's id, and the version in the column the
// outlines have 0 in. It returns the newest version the log holds without
// a gap, the notes changed up to it, and the outlines read.
func changesSince(db *gorm.DB, rev *Revision, p Passage, version int64) (int64, []uint, []outline, error) {
	const log = " FROM passage_changes WHERE revision_id = ? AND passage_number = ? AND version > ?"
	visible, vars := visibleSQL(db, nil, false)
	args := append([]any{rev.DocumentID, rev.ID, p.Number, rev.ID, p.Number, version}, vars...)
	rows, err := db.Raw("SELECT "+strings.Join(outlineColumns, ", ")+", 0 FROM annotations "+outlineAuthors+" WHERE "+
		"annotations.document_id = ? AND annotations.revision_id = ? AND annotations.passage_number = ? AND annotations.id IN (SELECT annotation_id"+log+") AND ("+visible+")"+
		" UNION ALL SELECT annotation_id, 0, NULL, 0, '', '', '', '', NULL, 0, FALSE, FALSE, 0, 0, version"+log+" ORDER BY 15, 1",
		append(args, rev.ID, p.Number, version)...).Rows()
	if err != nil {
		return version, nil, nil, err
	}
	defer rows.Close()
	var ids []uint
	var read []outline
	names := map[string]string{}
	for rows.Next() {
		var logged int64
		o, err := scanOutline(rows, names, &logged)
		if err != nil {
			return version, nil, nil, err
		}
		switch {
		case logged == 0:
			read = append(read, o)
		case logged == version+1:
			version = logged
			ids = append(ids, o.id)
		default:
			return version, ids, read, nil // a gap, or past it
		}
	}
	return version, ids, read, rows.Err()
}
