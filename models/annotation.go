package models

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"margin/models/anchor"
)

// Kind is what an annotation does for the reader.
type Kind string

const (
	KindComment      Kind = "comment"
	KindQuestion     Kind = "question"
	KindDisagreement Kind = "disagreement"
	KindReference    Kind = "reference"
	KindContext      Kind = "context"
)

// Kinds lists every kind in display order.
var Kinds = []Kind{KindComment, KindQuestion, KindDisagreement, KindReference, KindContext}

// Valid tells whether k is a known kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Label is the word shown beside the kind's icon.
func (k Kind) Label() string {
	switch k {
	case KindQuestion:
		return "Question"
	case KindDisagreement:
		return "Disagreement"
	case KindReference:
		return "Reference"
	case KindContext:
		return "Context"
	}
	return "Comment"
}

// Icon is a glyph for the kind; it is always shown with its Label, never alone.
func (k Kind) Icon() string {
	switch k {
	case KindQuestion:
		return "?"
	case KindDisagreement:
		return "≠"
	case KindReference:
		return "§"
	case KindContext:
		return "i"
	}
	return "✎"
}

// Visibility says who may see an annotation.
type Visibility string

const (
	VisibilityPublic  Visibility = "public"
	VisibilityPrivate Visibility = "private"
	VisibilityClass   Visibility = "class"
)

// Status is where an annotation is in moderation.
type Status string

const (
	StatusPublished Status = "published"
	StatusPending   Status = "pending"  // held for review
	StatusSpam      Status = "spam"     // judged spam
	StatusRejected  Status = "rejected" // refused by a moderator
	StatusHidden    Status = "hidden"   // hidden by a moderator or by flags
)

// Annotation is a note on a passage or on a phrase inside one, or a reply
// in such a note's thread. Its anchor follows the W3C Web Annotation model:
// TextQuoteSelector (Exact, Prefix, Suffix) and TextPositionSelector
// (Start, End, code points in the revision's text).
type Annotation struct {
	ID uint `gorm:"primaryKey"`
	// idx_annotation_passage serves the reading view, which reads a
	// passage's notes (without it the planner took the status index and
	// read every published note of every document).
	DocumentID    uint   `gorm:"not null;index:idx_annotation_doc,priority:1;index:idx_annotation_doc_author,priority:1;index:idx_annotation_passage,priority:1"`
	RevisionID    uint   `gorm:"not null;index:idx_annotation_passage,priority:2"`
	PassageNumber int    `gorm:"not null;index:idx_annotation_passage,priority:3"`
	Exact         string `gorm:"type:text"`
	Prefix        string `gorm:"size:200"`
	Suffix        string `gorm:"size:200"`
	Start         int
	End           int
	// AnchorStatus is how the last re-anchoring went: exact, moved, changed
	// (fuzzy in rows written before), orphaned.
	AnchorStatus string `gorm:"size:16;not null;default:exact"`
	// PreviousExact is the wording the note was written on, when an edit
	// changed the words it quotes; empty otherwise.
	PreviousExact string `gorm:"type:text"`

	// The privacy rule finds a classmate's notes on a reading by document
	// and author, and the replies under them by parent (see VisibleTo).
	ParentID *uint `gorm:"index:idx_annotation_parent,where:parent_id IS NOT NULL"`
	RootID   *uint `gorm:"index"`

	AuthorID     uint   `gorm:"not null;index:idx_annotation_author_status_vis,priority:1;index:idx_annotation_doc_author,priority:2"`
	Kind         Kind   `gorm:"size:16;not null"`
	Counterpoint string `gorm:"type:text"`
	Body         string `gorm:"type:text;not null"`
	BodyHTML     string `gorm:"type:text;not null"`
	// The author's notes by status and visibility: screening reads an
	// author's standing from this index alone on every post.
	Visibility   Visibility `gorm:"size:16;not null;default:public;index:idx_annotation_author_status_vis,priority:3"`
	ClassID      *uint      `gorm:"index"`
	Status       Status     `gorm:"size:16;not null;default:published;index;index:idx_annotation_author_status_vis,priority:2"`
	HelpfulCount int        `gorm:"not null;default:0"`
	EditedAt     *time.Time
	// DeletedAt marks a tombstone: the author deleted it, its replies keep
	// their place, and moderators can still read and restore it.
	DeletedAt *time.Time
	// PurgedAt marks a purged rejected or spam note: a row without its
	// text, kept because its status counts in its author's standing and its
	// flags in their flaggers' records. No one sees it (PurgeModerated).
	PurgedAt *time.Time
	// PublishedAt is when a note held for review was published (nil for
	// one published as it was written, at CreatedAt): the daily digest
	// tells of a note in the window it became visible in. Indexed for the
	// digest's window (see DigestOf), which is then a range on an index
	// either way, by document and creation or by publication.
	PublishedAt *time.Time `gorm:"index"`
	CreatedAt   time.Time  `gorm:"index:idx_annotation_doc,priority:2"`
	UpdatedAt   time.Time

	Author    User       `gorm:"foreignKey:AuthorID"`
	Citations []Citation `gorm:"foreignKey:AnnotationID"`
}

// IsReply tells whether a is in another annotation's thread.
func (a *Annotation) IsReply() bool { return a.ParentID != nil }

// IsDeleted tells whether a is a tombstone.
func (a *Annotation) IsDeleted() bool { return a.DeletedAt != nil }

// IsPhrase tells whether a is attached to an exact phrase.
func (a *Annotation) IsPhrase() bool { return a.Exact != "" && !a.IsReply() }

// Awaiting tells whether a is held back from others.
func (a *Annotation) Awaiting() bool {
	return a.Status == StatusPending || a.Status == StatusSpam
}

// Citation is one source of a reference: a title with an http(s) URL, or a
// bibliographic text, or both.
type Citation struct {
	ID           uint   `gorm:"primaryKey"`
	AnnotationID uint   `gorm:"not null;index"`
	Position     int    `gorm:"not null"`
	Title        string `gorm:"size:500"`
	URL          string `gorm:"size:2048"`
	Text         string `gorm:"size:2000"`
}

// AnnotationEdit keeps an annotation's earlier wording: every edit stores
// what it replaced.
type AnnotationEdit struct {
	ID           uint `gorm:"primaryKey"`
	AnnotationID uint `gorm:"not null;index"`
	Kind         Kind `gorm:"size:16;not null"`
	Counterpoint string
	Body         string `gorm:"type:text;not null"`
	Citations    string `gorm:"type:text"` // one per line: title | url | text
	WrittenAt    time.Time
	CreatedAt    time.Time
}

// Reaction is one user finding an annotation helpful.
type Reaction struct {
	AnnotationID uint `gorm:"primaryKey;autoIncrement:false"`
	UserID       uint `gorm:"primaryKey;autoIncrement:false;index"`
	CreatedAt    time.Time
}

// CreateAnnotation anchors and stores a new top-level annotation on the
// document's current revision. status comes from the spam check.
func CreateAnnotation(db *gorm.DB, author *User, doc *Document, in AnnotationInput, moderation Status) (*Annotation, error) {
	html, fe := in.validate()
	var sel anchor.Selector
	var err error
	status := anchor.Exact
	if in.Unplaced {
		status = anchor.Orphaned
	} else {
		sel, err = locateInRevision(db, doc.CurrentRevisionID, in.Passage, in.Quote, in.QuoteHint)
	}
	var lerr locateError
	if errors.As(err, &lerr) {
		if fe == nil {
			fe = FieldErrors{}
		}
		fe["quote"] = sentenceCase(err.Error()) + "."
	} else if err != nil {
		return nil, err
	}
	if fe != nil {
		return nil, fe
	}
	a := &Annotation{
		DocumentID: doc.ID, RevisionID: doc.CurrentRevisionID, PassageNumber: sel.Passage,
		Exact: sel.Quote.Exact, Prefix: sel.Quote.Prefix, Suffix: sel.Quote.Suffix,
		Start: sel.Position.Start, End: sel.Position.End, AnchorStatus: string(status),
		AuthorID: author.ID, Kind: in.Kind, Counterpoint: in.Counterpoint, Body: in.Body, BodyHTML: string(html),
		Visibility: in.Visibility, ClassID: in.ClassID, Status: moderation, Citations: in.Citations,
	}
	return storeNew(db, author, a, in)
}

// CreateReply stores a reply in parent's thread. The reply shares its
// thread's document, passage, visibility and class.
func CreateReply(db *gorm.DB, author *User, parent *Annotation, in AnnotationInput, status Status) (*Annotation, error) {
	in.Visibility, in.ClassID = parent.Visibility, parent.ClassID
	html, fe := in.validate()
	if fe != nil {
		return nil, fe
	}
	root := parent.ID
	if parent.RootID != nil {
		root = *parent.RootID
	}
	a := &Annotation{
		DocumentID: parent.DocumentID, RevisionID: parent.RevisionID, PassageNumber: parent.PassageNumber,
		Start: parent.Start, End: parent.End, ParentID: &parent.ID, RootID: &root,
		AuthorID: author.ID, Kind: in.Kind, Counterpoint: in.Counterpoint, Body: in.Body, BodyHTML: string(html),
		Visibility: parent.Visibility, ClassID: parent.ClassID, Status: status, Citations: in.Citations,
	}
	return storeNew(db, author, a, in)
}

// storeNew saves a new note or reply in one transaction: the posting
// limits' check, the row, the document's page version, what the input keeps beside it, and, when it
// is published, its notifications.
func storeNew(db *gorm.DB, author *User, a *Annotation, in AnnotationInput) (*Annotation, error) {
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := in.reserveWith(tx, author.ID); err != nil {
			return err
		}
		if err := tx.Create(a).Error; err != nil {
			return err
		}
		if err := bumpPassage(tx, a); err != nil {
			return err
		}
		if err := in.recordWith(tx, a); err != nil {
			return err
		}
		if a.Status == StatusPublished {
			return notifyPublished(tx, a, true)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	a.Author = *author
	return a, nil
}

// UpdateAnnotation edits the author's own annotation, keeping what it said
// before. recheck, when not nil, is the spam check's verdict on the new
// words: it is applied in the same transaction (see rescreenEdit).
func UpdateAnnotation(db *gorm.DB, editor *User, a *Annotation, in AnnotationInput, recheck *Verdict, now time.Time) error {
	if a.AuthorID != editor.ID {
		return ErrForbidden
	}
	if a.IsDeleted() {
		return ErrNotFound
	}
	in.Visibility, in.ClassID = a.Visibility, a.ClassID
	if !a.IsReply() && in.Visibility == "" {
		in.Visibility = a.Visibility
	}
	html, fe := in.validate()
	if fe != nil {
		return fe
	}
	return db.Transaction(func(tx *gorm.DB) error {
		written := a.CreatedAt
		if a.EditedAt != nil {
			written = *a.EditedAt
		}
		prev := AnnotationEdit{AnnotationID: a.ID, Kind: a.Kind, Counterpoint: a.Counterpoint, Body: a.Body,
			Citations: citationLines(a.Citations), WrittenAt: written}
		if err := tx.Create(&prev).Error; err != nil {
			return err
		}
		if err := tx.Where("annotation_id = ?", a.ID).Delete(&Citation{}).Error; err != nil {
			return err
		}
		for i := range in.Citations {
			in.Citations[i].AnnotationID = a.ID
		}
		if len(in.Citations) > 0 {
			if err := tx.Create(&in.Citations).Error; err != nil {
				return err
			}
		}
		a.Kind, a.Body, a.BodyHTML, a.Counterpoint, a.Citations, a.EditedAt = in.Kind, in.Body, string(html), in.Counterpoint, in.Citations, &now
		if err := tx.Model(a).Select("kind", "body", "body_html", "counterpoint", "edited_at").Updates(a).Error; err != nil {
			return err
		}
		if err := bumpPassage(tx, a); err != nil {
			return err
		}
		if recheck != nil {
			return rescreenEdit(tx, a, *recheck)
		}
		return nil
	})
}

// DeleteAnnotation turns the author's annotation into a tombstone.
func DeleteAnnotation(db *gorm.DB, by *User, a *Annotation, now time.Time) error {
	if a.AuthorID != by.ID {
		return ErrForbidden
	}
	return db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(a).Update("deleted_at", now).Error; err != nil {
			return err
		}
		return bumpPassage(tx, a)
	})
}

// SetAnnotationStatus moves an annotation in moderation.
func SetAnnotationStatus(db *gorm.DB, a *Annotation, status Status) error {
	return SetAnnotationStatusAt(db, a, status, time.Now())
}

// SetAnnotationStatusAt is SetAnnotationStatus at now, the moment a note
// held for review is published at, for the daily digest.
func SetAnnotationStatusAt(db *gorm.DB, a *Annotation, status Status, now time.Time) error {
	return db.Transaction(func(tx *gorm.DB) error {
		was := a.Status
		if err := tx.Model(a).Update("status", status).Error; err != nil {
			return err
		}
		a.Status = status
		if status == StatusPublished && was == StatusPending && a.PublishedAt == nil {
			// Its first publication: the digest's window is this moment's.
			at := now.UTC()
			if err := tx.Model(a).Where("published_at IS NULL").Update("published_at", at).Error; err != nil {
				return err
			}
			a.PublishedAt = &at
		}
		if err := bumpPassage(tx, a); err != nil {
			return err
		}
		// notifyPublished skips anyone already told, so a note restored
		// after being hidden notifies no one twice.
		if status == StatusPublished && was != StatusPublished {
			return notifyPublished(tx, a, false)
		}
		return nil
	})
}

// AnnotationByID loads an annotation with its author and citations, with
// no visibility check: callers check CanView. A purged one is ErrPurged.
func AnnotationByID(db *gorm.DB, id uint) (*Annotation, error) {
	var a Annotation
	err := db.Preload("Author").Preload("Citations", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).
		First(&a, id).Error
	if err != nil {
		return nil, notFound(err)
	}
	if a.PurgedAt != nil {
		return nil, ErrPurged
	}
	return &a, nil
}

// AnnotationEdits lists an annotation's earlier versions, oldest first.
func AnnotationEdits(db *gorm.DB, id uint) ([]AnnotationEdit, error) {
	var out []AnnotationEdit
	err := db.Where("annotation_id = ?", id).Order("id").Find(&out).Error
	return out, err
}

// ToggleHelpful marks or unmarks an annotation as helpful for user; it
// returns whether it is marked afterwards.
func ToggleHelpful(db *gorm.DB, user *User, a *Annotation) (bool, error) {
	if a.AuthorID == user.ID {
		return false, ErrForbidden
	}
	marked := false
	err := db.Transaction(func(tx *gorm.DB) error {
		res := tx.Where("annotation_id = ? AND user_id = ?", a.ID, user.ID).Delete(&Reaction{})
		if res.Error != nil {
			return res.Error
		}
		delta := -1
		if res.RowsAffected == 0 {
			res = tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&Reaction{AnnotationID: a.ID, UserID: user.ID})
			if res.Error != nil {
				return res.Error
			}
			marked, delta = true, 1
			if res.RowsAffected == 0 {
				return nil
			}
		}
		if err := tx.Model(&Annotation{}).Where("id = ?", a.ID).
			Update("helpful_count", gorm.Expr("helpful_count + ?", delta)).Error; err != nil {
			return err
		}
		return bumpPassage(tx, a)
	})
	return marked, err
}

// HelpfulMarks returns which of ids user has marked helpful.
func HelpfulMarks(db *gorm.DB, userID uint, ids []uint) (map[uint]bool, error) {
	out := map[uint]bool{}
	if userID == 0 || len(ids) == 0 {
		return out, nil
	}
	err := inBatches(ids, func(batch []uint) error {
		var marked []uint
		err := db.Model(&Reaction{}).Where("user_id = ? AND annotation_id IN ?", userID, batch).Pluck("annotation_id", &marked).Error
		for _, id := range marked {
			out[id] = true
		}
		return err
	})
	return out, err
}

// bumpDocument records that what a document's page shows has changed, so
// page caches on every instance see it at their next read, and that any of
// its passages' notes may have (the passage caches' epoch).
func bumpDocument(tx *gorm.DB, docID uint) error {
	return tx.Exec("UPDATE documents SET version = version + 1, notes_epoch = notes_epoch + 1 WHERE id = ?", docID).Error
}

// bumpPassage records a change to one note that shows on its own passage
// only: the page's version and that passage's grow, and the cached
// passages beside it stay good; the passage's log names the note (see
// OutlineCache). A class note's change bumps the whole
// document instead: on a reading whose classmates stay hidden until a
// student posts, a student's class note reveals notes on every passage.
func bumpPassage(tx *gorm.DB, a *Annotation) error {
	if a.ClassID != nil || a.Visibility == VisibilityClass {
		return bumpDocument(tx, a.DocumentID)
	}
	if err := tx.Exec("UPDATE documents SET version = version + 1 WHERE id = ?", a.DocumentID).Error; err != nil {
		return err
	}
	if err := tx.Exec("UPDATE passages SET notes_version = notes_version + 1 WHERE revision_id = ? AND number = ?",
		a.RevisionID, a.PassageNumber).Error; err != nil {
		return err
	}
	return logPassageChange(tx, a)
}

func anchorPassages(ps []Passage) []anchor.Passage {
	out := make([]anchor.Passage, len(ps))
	for i, p := range ps {
		out[i] = anchor.Passage{Number: p.Number, Start: p.Start, End: p.End}
	}
	return out
}

// EditCitations reads back the citations an edit kept (citationLines).
func (e *AnnotationEdit) EditCitations() []Citation {
	var out []Citation
	for i, line := range strings.Split(strings.TrimRight(e.Citations, "\n"), "\n") {
		parts := strings.SplitN(line, " | ", 3)
		if line == "" || len(parts) != 3 {
			continue
		}
		out = append(out, Citation{Position: i, Title: parts[0], URL: parts[1], Text: parts[2]})
	}
	return out
}

func citationLines(cs []Citation) string {
	var b strings.Builder
	for _, c := range cs {
		b.WriteString(c.Title + " | " + c.URL + " | " + c.Text + "\n")
	}
	return b.String()
}

func sentenceCase(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[n:]
}

func itoa(n int) string { return strconv.Itoa(n) }
