package models

import (
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"margin/models/anchor"
	"margin/models/textimport"
)

// ReanchorReport says how a document's annotations fared in a new revision.
// Notes lists the top-level notes that changed or were orphaned.
type ReanchorReport struct {
	Revision *Revision
	Counts   map[anchor.Status]int
	Notes    []ReanchoredNote
}

// ReanchoredNote is one note a revision changed or orphaned.
type ReanchoredNote struct {
	ID         uint
	Status     anchor.Status
	OldPassage int
	NewPassage int    // 0 when orphaned
	Was, Now   string // the quote before and after; "" for a whole passage
	authorID   uint
	public     bool
}

// VisibleTo keeps the notes of the report that viewer may read of: public
// published ones and viewer's own. The counts still cover every note.
func (r ReanchorReport) VisibleTo(viewer *User) []ReanchoredNote {
	var out []ReanchoredNote
	for _, n := range r.Notes {
		if n.public || viewer != nil && n.authorID == viewer.ID {
			out = append(out, n)
		}
	}
	return out
}

// ReviseDocument stores edited text as the document's next revision and moves
// every annotation onto it. Annotations whose text cannot be found stay on
// the revision they were written against, marked orphaned, and remain
// readable there.
func ReviseDocument(db *gorm.DB, docID uint, parsed *textimport.Document, by *uint) (ReanchorReport, error) {
	var report ReanchorReport
	err := db.Transaction(func(tx *gorm.DB) error {
		var err error
		report, err = revise(tx, docID, parsed, by)
		return err
	})
	return report, err
}

// errPreviewed rolls back a previewed revision.
var errPreviewed = errors.New("preview: roll back")

// PreviewRevision says what ReviseDocument would do to the notes, and stores
// nothing.
func PreviewRevision(db *gorm.DB, docID uint, parsed *textimport.Document) (ReanchorReport, error) {
	var report ReanchorReport
	err := db.Transaction(func(tx *gorm.DB) error {
		var err error
		if report, err = revise(tx, docID, parsed, nil); err != nil {
			return err
		}
		return errPreviewed
	})
	if errors.Is(err, errPreviewed) {
		err = nil
	}
	report.Revision = nil
	return report, err
}

func revise(tx *gorm.DB, docID uint, parsed *textimport.Document, by *uint) (ReanchorReport, error) {
	report := ReanchorReport{Counts: map[anchor.Status]int{}}
	if len(parsed.Passages) == 0 {
		return report, textimport.ErrEmpty
	}
	text, passages := layoutPassages(parsed.Passages)
	hash := contentHash(text, passages)
	var doc Document
	if err := tx.First(&doc, docID).Error; err != nil {
		return report, notFound(err)
	}
	current, err := RevisionByID(tx, doc.CurrentRevisionID)
	if err != nil {
		return report, err
	}
	if current.ContentHash == hash {
		return report, FieldErrors{"content": "The text is the same as the current revision's."}
	}
	rev, err := storeRevision(tx, doc.ID, current.Number+1, text, hash, passages, by)
	if err != nil {
		return report, err
	}
	if err := reanchorAnnotations(tx, current, rev, passages, &report); err != nil {
		return report, err
	}
	report.Revision = rev
	return report, tx.Model(&doc).Updates(map[string]any{"current_revision_id": rev.ID, "version": gorm.Expr("version + 1"),
		"notes_epoch": gorm.Expr("notes_epoch + 1"), "updated_at": time.Now().UTC()}).Error
}

// reanchorAnnotations carries every note on the old revision onto the new
// one, through one diff of the two texts.
func reanchorAnnotations(tx *gorm.DB, old, rev *Revision, passages []Passage, report *ReanchorReport) error {
	var roots []Annotation
	if err := tx.Where("revision_id = ? AND parent_id IS NULL", old.ID).Find(&roots).Error; err != nil {
		return err
	}
	oldPassages, err := Passages(tx, old.ID)
	if err != nil {
		return err
	}
	moved, statuses := anchor.ReanchorAll(selectors(roots), anchor.Text{Text: old.Text, Passages: anchorPassages(oldPassages)},
		anchor.Text{Text: rev.Text, Passages: anchorPassages(passages)})
	now := time.Now().UTC()
	var batch []any
	for i, a := range roots {
		report.Counts[statuses[i]]++
		if statuses[i] == anchor.Orphaned || statuses[i] == anchor.Changed {
			n := ReanchoredNote{ID: a.ID, Status: statuses[i], OldPassage: a.PassageNumber, Was: a.Exact,
				authorID: a.AuthorID, public: a.Visibility == VisibilityPublic && a.Status == StatusPublished && a.DeletedAt == nil}
			if statuses[i] == anchor.Changed {
				n.NewPassage, n.Now = moved[i].Passage, moved[i].Quote.Exact
			}
			report.Notes = append(report.Notes, n)
		}
		if statuses[i] == anchor.Orphaned {
			if err := tx.Model(&Annotation{}).Where("id = ? OR root_id = ?", a.ID, a.ID).
				Update("anchor_status", string(anchor.Orphaned)).Error; err != nil {
				return err
			}
			continue
		}
		s := moved[i]
		batch = append(batch, a.ID, s.Passage, s.Quote.Exact, s.Quote.Prefix, s.Quote.Suffix, s.Position.Start, s.Position.End,
			string(statuses[i]), previousWording(a, s.Quote.Exact))
		if len(batch) >= movedBatch*movedColumns {
			if err := storeMoved(tx, rev.ID, now, batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if err := storeMoved(tx, rev.ID, now, batch); err != nil {
		return err
	}
	// Replies follow their thread's root, in one statement for all.
	return tx.Exec(`UPDATE annotations SET revision_id = ?,
		passage_number = (SELECT r.passage_number FROM annotations r WHERE r.id = annotations.root_id),
		"start" = (SELECT r."start" FROM annotations r WHERE r.id = annotations.root_id),
		"end" = (SELECT r."end" FROM annotations r WHERE r.id = annotations.root_id),
		anchor_status = (SELECT r.anchor_status FROM annotations r WHERE r.id = annotations.root_id),
		updated_at = ?
		WHERE revision_id = ? AND root_id IN (SELECT r.id FROM annotations r WHERE r.revision_id = ? AND r.parent_id IS NULL)`,
		rev.ID, now, old.ID, rev.ID).Error
}

// movedBatch is how many moved notes one statement stores; movedColumns
// the values given for each.
const (
	movedBatch   = 400
	movedColumns = 9
)

// storeMoved writes the new anchors of a batch of notes in one UPDATE ...
// FROM (VALUES ...), which SQLite and PostgreSQL both read: a round trip
// per 400 notes, not per note.
func storeMoved(tx *gorm.DB, revID uint, now time.Time, batch []any) error {
	rows := len(batch) / movedColumns
	if rows == 0 {
		return nil
	}
	const row = "(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), " +
		"CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT))"
	values := strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")
	args := append([]any{revID, now}, batch...)
	return tx.Exec(`UPDATE annotations SET revision_id = ?, passage_number = v.column2, exact = v.column3,
		prefix = v.column4, suffix = v.column5, "start" = v.column6, "end" = v.column7, anchor_status = v.column8,
		previous_exact = v.column9, updated_at = ?
		FROM (VALUES `+values+`) AS v WHERE annotations.id = v.column1`, args...).Error
}

func selectors(roots []Annotation) []anchor.Selector {
	sels := make([]anchor.Selector, len(roots))
	for i, a := range roots {
		sels[i] = anchor.Selector{Passage: a.PassageNumber, Quote: anchor.Quote{Exact: a.Exact, Prefix: a.Prefix, Suffix: a.Suffix},
			Position: anchor.Position{Start: a.Start, End: a.End}}
	}
	return sels
}

// previousWording is what a note keeps of the words it was written on once
// an edit changed them: the first wording, until the text says it again.
func previousWording(a Annotation, newExact string) string {
	was := a.PreviousExact
	if was == "" {
		was = a.Exact
	}
	if was == newExact {
		return ""
	}
	return was
}

// RevisionMarkdown writes a document's passages back as Markdown, for
// editing. The title comes first as the one level-1 heading the importer
// reads as the title, so a passage that is itself a heading stays one.
func RevisionMarkdown(title string, passages []Passage) string {
	var b strings.Builder
	b.WriteString("# " + title)
	for _, p := range passages {
		b.WriteString("\n\n")
		switch textimport.Kind(p.Kind) {
		case textimport.Heading:
			level := p.Level
			if level < 1 || level > 6 {
				level = 2
			}
			b.WriteString(strings.Repeat("#", level) + " ")
		case textimport.ListItem:
			b.WriteString("- ")
		case textimport.BlockQuote:
			b.WriteString("> ")
		}
		b.WriteString(escapeMarkdownStart(p.Text, textimport.Kind(p.Kind)))
	}
	b.WriteString("\n")
	return b.String()
}

// ParsedMarkdown writes an imported document as RevisionMarkdown does.
func ParsedMarkdown(parsed *textimport.Document) string {
	ps := make([]Passage, len(parsed.Passages))
	for i, p := range parsed.Passages {
		ps[i] = Passage{Kind: string(p.Kind), Level: p.Level, Text: p.Text}
	}
	return RevisionMarkdown(parsed.Title, ps)
}

// escapeMarkdownStart keeps a paragraph that happens to start like Markdown
// syntax ("1. ", "# ", "- ") a paragraph when read back.
func escapeMarkdownStart(s string, kind textimport.Kind) string {
	if kind != textimport.Paragraph {
		return s
	}
	for _, lead := range []string{"#", "-", "*", "+", ">"} {
		if strings.HasPrefix(s, lead) {
			return "\\" + s
		}
	}
	if i := strings.IndexAny(s, ".)"); i > 0 && i < 10 && strings.Trim(s[:i], "0123456789") == "" && len(s) > i+1 && s[i+1] == ' ' {
		return s[:i] + "\\" + s[i:]
	}
	return s
}

// Orphan is a note an edit left behind on the revision it was written on.
type Orphan struct {
	Annotation
	RevisionNumber int
}

// orphansFor scopes to the root notes left on earlier revisions (or that
// came from outside, through the Protocol or an import, with a target not
// found in the text: passage 0) that viewer
// should hear about: only the document's editors (educators and admins, who
// revise texts) and the notes' own authors, each among the notes they may
// see. Anyone else gets none.
func orphansFor(db *gorm.DB, doc *Document, viewer *User) *gorm.DB {
	q := db.Model(&Annotation{}).Scopes(VisibleTo(viewer, false)).
		Where("annotations.document_id = ? AND (annotations.revision_id <> ? OR annotations.passage_number = 0) AND annotations.parent_id IS NULL AND annotations.deleted_at IS NULL",
			doc.ID, doc.CurrentRevisionID)
	if !viewer.IsEducator() {
		q = q.Where("annotations.author_id = ?", viewer.ID)
	}
	return q
}

// OrphanedCount counts the orphaned notes viewer should hear about (see
// orphansFor).
func OrphanedCount(db *gorm.DB, doc *Document, viewer *User) (int64, error) {
	if viewer == nil {
		return 0, nil
	}
	var n int64
	err := orphansFor(db, doc, viewer).Count(&n).Error
	return n, err
}

// Orphans lists the orphaned notes viewer should hear about, newest first,
// with the revision each stayed on.
func Orphans(db *gorm.DB, doc *Document, viewer *User) ([]Orphan, error) {
	if viewer == nil {
		return nil, nil
	}
	var out []Orphan
	err := orphansFor(db, doc, viewer).Select("annotations.*, revisions.number AS revision_number").
		Joins("JOIN revisions ON revisions.id = annotations.revision_id").Preload("Author").
		Order("annotations.created_at DESC, annotations.id DESC").Limit(500).Find(&out).Error
	return out, err
}
