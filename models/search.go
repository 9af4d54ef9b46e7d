package models

import (
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
)

// PassageHit is a passage of a document's current text that matches.
type PassageHit struct {
	DocumentID uint
	Title      string
	Number     int
	Text       string
}

// SearchResults is what a search finds, each list capped.
type SearchResults struct {
	Documents   []DocumentSummary
	Passages    []PassageHit
	Annotations []Annotation
	Titles      map[uint]string // document titles for the annotations
}

// MaxSearchLen bounds a query.
const MaxSearchLen = 200

// Search finds documents by title, passages of current texts, and the
// annotations the viewer may see (through VisibleTo, like every other
// list), whose text contains q, ignoring case.
func Search(db *gorm.DB, viewer *User, q string, limit int) (SearchResults, error) {
	var out SearchResults
	q = strings.TrimSpace(q)
	if q == "" || utf8.RuneCountInString(q) > MaxSearchLen {
		return out, nil
	}
	like, pattern := caseInsensitiveLike(db), likePattern(q)
	err := db.Model(&Document{}).
		Select("documents.id, documents.title, documents.author, documents.published_on, documents.created_at, revisions.excerpt, revisions.passage_count").
		Joins("JOIN revisions ON revisions.id = documents.current_revision_id").
		Where("documents.title "+like+" ? ESCAPE '\\'", pattern).
		Order("documents.id DESC").Limit(limit).Scan(&out.Documents).Error
	if err != nil {
		return out, err
	}
	err = db.Model(&Passage{}).
		Select("documents.id AS document_id, documents.title, passages.number, passages.text").
		Joins("JOIN documents ON documents.current_revision_id = passages.revision_id").
		Where("passages.text "+like+" ? ESCAPE '\\'", pattern).
		Order("documents.id DESC, passages.number").Limit(limit).Scan(&out.Passages).Error
	if err != nil {
		return out, err
	}
	err = db.Scopes(VisibleTo(viewer, false)).Preload("Author", func(db *gorm.DB) *gorm.DB { return db.Select("id", "username") }).
		Where("annotations.deleted_at IS NULL AND (annotations.body "+like+" ? ESCAPE '\\' OR annotations.exact "+like+" ? ESCAPE '\\' OR annotations.counterpoint "+like+" ? ESCAPE '\\')",
			pattern, pattern, pattern).
		Order("annotations.id DESC").Limit(limit).Find(&out.Annotations).Error
	if err != nil {
		return out, err
	}
	ids := make([]uint, len(out.Annotations))
	for i, a := range out.Annotations {
		ids[i] = a.DocumentID
	}
	out.Titles, err = DocumentTitles(db, ids)
	return out, err
}

// likePattern makes q a LIKE pattern that matches it literally anywhere.
func likePattern(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(q) + "%"
}
