package models

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"margin/models/textimport"
)

// Document is a reading. Its text lives in revisions: an edit makes a new
// revision and old ones stay readable.
type Document struct {
	ID          uint   `gorm:"primaryKey"`
	Title       string `gorm:"size:300;not null"`
	Author      string `gorm:"size:300"`
	SourceURL   string `gorm:"size:2000"`
	PublishedOn string `gorm:"size:100"` // as written in the source: "April 8, 2024"
	// ImportHash identifies the content first imported, so importing the same
	// text again finds this document instead of making a copy.
	ImportHash        *string `gorm:"size:64;uniqueIndex"`
	CurrentRevisionID uint
	// Version grows with every change to what the document's page shows
	// (annotations, reactions, moderation, metadata): page caches key on it.
	Version int64 `gorm:"not null;default:0"`
	// NotesEpoch grows with every change that may alter the notes of more
	// than one passage (see bumpDocument); a change to one passage's notes
	// grows that passage's NotesVersion instead. The reading view caches
	// each passage under both.
	NotesEpoch  int64 `gorm:"not null;default:0"`
	CreatedByID *uint
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Revision is one version of a document's text.
type Revision struct {
	ID           uint   `gorm:"primaryKey"`
	DocumentID   uint   `gorm:"not null;uniqueIndex:idx_revision_doc_num,priority:1"`
	Number       int    `gorm:"not null;uniqueIndex:idx_revision_doc_num,priority:2"`
	Text         string `gorm:"type:text;not null"` // passages joined by PassageSeparator
	ContentHash  string `gorm:"size:64;index;not null"`
	PassageCount int    `gorm:"not null"`
	Excerpt      string `gorm:"size:400"`
	CreatedByID  *uint
	CreatedAt    time.Time
}

// PassageSeparator joins passages into a revision's text. Offsets everywhere
// are code points into that text, as in W3C TextPositionSelector.
const PassageSeparator = "\n\n"

// Passage is a numbered block of a revision: paragraph, heading, list item or
// block quote.
type Passage struct {
	ID         uint   `gorm:"primaryKey"`
	RevisionID uint   `gorm:"not null;uniqueIndex:idx_passage_rev_num,priority:1"`
	Number     int    `gorm:"not null;uniqueIndex:idx_passage_rev_num,priority:2"`
	Kind       string `gorm:"size:16;not null"`
	Level      int    `gorm:"not null;default:0"`
	Text       string `gorm:"type:text;not null"`
	Start      int    `gorm:"not null"`
	End        int    `gorm:"not null"`
	// NotesVersion grows with every change to the notes on this passage
	// that bumpPassage records.
	NotesVersion int64 `gorm:"not null;default:0"`
}

// DocumentMeta is the editable description of a document.
type DocumentMeta struct {
	Title, Author, SourceURL, PublishedOn string
}

// Validate trims and checks the metadata.
func (m *DocumentMeta) Validate() FieldErrors {
	fe := FieldErrors{}
	m.Title = strings.TrimSpace(m.Title)
	m.Author = strings.TrimSpace(m.Author)
	m.SourceURL = strings.TrimSpace(m.SourceURL)
	m.PublishedOn = strings.TrimSpace(m.PublishedOn)
	if m.Title == "" {
		fe["title"] = "A document needs a title."
	} else if utf8.RuneCountInString(m.Title) > 300 {
		fe["title"] = "Keep the title under 300 characters."
	}
	if utf8.RuneCountInString(m.Author) > 300 {
		fe["author"] = "Keep the author under 300 characters."
	}
	if m.SourceURL != "" && !(strings.HasPrefix(m.SourceURL, "https://") || strings.HasPrefix(m.SourceURL, "http://")) {
		fe["source_url"] = "The source must be an http:// or https:// address."
	} else if len(m.SourceURL) > 2000 {
		fe["source_url"] = "The source address is too long."
	}
	if utf8.RuneCountInString(m.PublishedOn) > 100 {
		fe["published_on"] = "Keep the date under 100 characters."
	}
	if len(fe) == 0 {
		return nil
	}
	return fe
}

// ImportResult says what an import did.
type ImportResult struct {
	Document *Document
	Created  bool // false when identical content was already there
}

// ImportDocument stores a parsed document as a new document with revision 1,
// or finds the document that already has this exact content. Whoever adds
// to the library must hold the right to import (educators and admins),
// whatever form the text came through; a nil importer is the operator
// (the import command, the samples).
func ImportDocument(db *gorm.DB, parsed *textimport.Document, importer *User) (ImportResult, error) {
	if importer != nil && !importer.IsEducator() {
		return ImportResult{}, fmt.Errorf("%w: only educators and admins add documents to the library", ErrForbidden)
	}
	var createdBy *uint
	if importer != nil {
		createdBy = &importer.ID
	}
	if len(parsed.Passages) == 0 {
		return ImportResult{}, textimport.ErrEmpty
	}
	text, passages := layoutPassages(parsed.Passages)
	hash := contentHash(text, passages)
	if existing, err := documentByImportHash(db, hash); err == nil {
		return ImportResult{Document: existing}, nil
	} else if !errors.Is(err, ErrNotFound) {
		return ImportResult{}, err
	}
	meta := DocumentMeta{Title: parsed.Title, Author: parsed.Author, SourceURL: parsed.SourceURL, PublishedOn: parsed.Date}
	if fe := meta.Validate(); fe != nil {
		// Metadata found in a file is a hint, not a requirement: drop what is unusable.
		if _, bad := fe["source_url"]; bad {
			meta.SourceURL = ""
		}
		meta.Title = truncateRunes(meta.Title, 300)
		meta.Author = truncateRunes(meta.Author, 300)
		meta.PublishedOn = truncateRunes(meta.PublishedOn, 100)
	}
	doc := &Document{Title: meta.Title, Author: meta.Author, SourceURL: meta.SourceURL,
		PublishedOn: meta.PublishedOn, ImportHash: &hash, CreatedByID: createdBy}
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(doc).Error; err != nil {
			return err
		}
		rev, err := storeRevision(tx, doc.ID, 1, text, hash, passages, createdBy)
		if err != nil {
			return err
		}
		doc.CurrentRevisionID = rev.ID
		return tx.Model(doc).Update("current_revision_id", rev.ID).Error
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		// Another instance imported the same content a moment ago.
		existing, lookupErr := documentByImportHash(db, hash)
		if lookupErr != nil {
			return ImportResult{}, lookupErr
		}
		return ImportResult{Document: existing}, nil
	}
	if err != nil {
		return ImportResult{}, err
	}
	return ImportResult{Document: doc, Created: true}, nil
}

// storeRevision saves revision number n of a document with its passages.
func storeRevision(tx *gorm.DB, docID uint, n int, text, hash string, passages []Passage, by *uint) (*Revision, error) {
	rev := &Revision{DocumentID: docID, Number: n, Text: text, ContentHash: hash,
		PassageCount: len(passages), Excerpt: excerpt(passages), CreatedByID: by}
	if err := tx.Create(rev).Error; err != nil {
		return nil, err
	}
	for i := range passages {
		passages[i].RevisionID = rev.ID
	}
	return rev, tx.CreateInBatches(passages, 500).Error
}

// layoutPassages joins passages into one text and records each one's
// code point offsets in it.
func layoutPassages(in []textimport.Passage) (string, []Passage) {
	var b strings.Builder
	out := make([]Passage, len(in))
	pos := 0
	for i, p := range in {
		if i > 0 {
			b.WriteString(PassageSeparator)
			pos += utf8.RuneCountInString(PassageSeparator)
		}
		n := utf8.RuneCountInString(p.Text)
		out[i] = Passage{Number: i + 1, Kind: string(p.Kind), Level: p.Level, Text: p.Text, Start: pos, End: pos + n}
		b.WriteString(p.Text)
		pos += n
	}
	return b.String(), out
}

func contentHash(text string, passages []Passage) string {
	h := sha256.New()
	for _, p := range passages {
		h.Write([]byte(p.Kind))
		h.Write([]byte{0})
	}
	h.Write([]byte(text))
	return hex.EncodeToString(h.Sum(nil))
}

func excerpt(passages []Passage) string {
	for _, p := range passages {
		if p.Kind != string(textimport.Heading) {
			return truncateRunes(p.Text, 200)
		}
	}
	if len(passages) > 0 {
		return truncateRunes(passages[0].Text, 200)
	}
	return ""
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	cut := string(r[:n-1])
	if i := strings.LastIndex(cut, " "); i > len(cut)/2 {
		cut = cut[:i]
	}
	return cut + "…"
}

func documentByImportHash(db *gorm.DB, hash string) (*Document, error) {
	var d Document
	if err := db.Where("import_hash = ?", hash).First(&d).Error; err != nil {
		return nil, notFound(err)
	}
	return &d, nil
}

// DocumentByID loads a document.
func DocumentByID(db *gorm.DB, id uint) (*Document, error) {
	var d Document
	if err := scanOne(db, "SELECT "+documentColumns+" FROM documents WHERE id = ?", []any{id}, d.scanFields()...); err != nil {
		return nil, notFound(err)
	}
	return &d, nil
}

// documentColumns are a Document's columns in the order of its fields.
// Every page of a document reads its row, so DocumentByID scans it by
// hand: half the cost of GORM's First (BenchmarkHotReads).
const documentColumns = "id, title, author, source_url, published_on, import_hash, current_revision_id, version, notes_epoch, created_by_id, created_at, updated_at"

func (d *Document) scanFields() []any {
	return []any{&d.ID, &d.Title, &d.Author, &d.SourceURL, &d.PublishedOn, &d.ImportHash, &d.CurrentRevisionID,
		&d.Version, &d.NotesEpoch, &d.CreatedByID, &d.CreatedAt, &d.UpdatedAt}
}

// UpdateDocumentMeta edits a document's title, author, source and date.
func UpdateDocumentMeta(db *gorm.DB, id uint, m DocumentMeta) error {
	if fe := m.Validate(); fe != nil {
		return fe
	}
	res := db.Model(&Document{}).Where("id = ?", id).Updates(map[string]any{
		"title": m.Title, "author": m.Author, "source_url": m.SourceURL, "published_on": m.PublishedOn,
		"version": gorm.Expr("version + 1"),
	})
	if res.Error == nil && res.RowsAffected == 0 {
		return ErrNotFound
	}
	return res.Error
}

// RevisionByID loads a revision with its text.
func RevisionByID(db *gorm.DB, id uint) (*Revision, error) {
	var r Revision
	if err := db.First(&r, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &r, nil
}

// RevisionByNumber loads revision n of a document.
func RevisionByNumber(db *gorm.DB, docID uint, n int) (*Revision, error) {
	var r Revision
	if err := db.Where("document_id = ? AND number = ?", docID, n).First(&r).Error; err != nil {
		return nil, notFound(err)
	}
	return &r, nil
}

// Revisions lists a document's revisions, newest first, without their text.
func Revisions(db *gorm.DB, docID uint) ([]Revision, error) {
	var rs []Revision
	err := db.Omit("text").Where("document_id = ?", docID).Order("number DESC").Find(&rs).Error
	return rs, err
}

// Passages returns a revision's passages in reading order.
func Passages(db *gorm.DB, revisionID uint) ([]Passage, error) {
	var ps []Passage
	err := db.Where("revision_id = ?", revisionID).Order("number").Find(&ps).Error
	return ps, err
}

// PassageByNumber loads one passage of a revision.
func PassageByNumber(db *gorm.DB, revisionID uint, n int) (*Passage, error) {
	var p Passage
	if err := db.Where("revision_id = ? AND number = ?", revisionID, n).First(&p).Error; err != nil {
		return nil, notFound(err)
	}
	return &p, nil
}

// DocumentSummary is a line of the library.
type DocumentSummary struct {
	ID           uint
	Title        string
	Author       string
	PublishedOn  string
	Excerpt      string
	PassageCount int
	CreatedAt    time.Time
}

// ListDocuments returns the library, newest first.
func ListDocuments(db *gorm.DB) ([]DocumentSummary, error) {
	var out []DocumentSummary
	err := db.Model(&Document{}).
		Select("documents.id, documents.title, documents.author, documents.published_on, documents.created_at, revisions.excerpt, revisions.passage_count").
		Joins("JOIN revisions ON revisions.id = documents.current_revision_id").
		Order(clause.OrderByColumn{Column: clause.Column{Table: "documents", Name: "id"}, Desc: true}).
		Scan(&out).Error
	return out, err
}
