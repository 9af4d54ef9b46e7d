package models

import (
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"margin/models/ftsquery"
)

// SearchFilter narrows the notes a search finds. The zero value keeps all.
type SearchFilter struct {
	Kind       Kind
	Author     string // username
	DocumentID uint
	ClassID    uint
	From, To   time.Time // written at or after From, before To; zero is open
	Quote      string    // "with" or "without" a quoted phrase
	Replies    string    // "only" replies, or "none"
}

// NotesOnly tells whether the filter speaks of notes alone, so documents and
// passages are not searched.
func (f SearchFilter) NotesOnly() bool {
	return f.Kind != "" || f.Author != "" || f.ClassID != 0 || !f.From.IsZero() || !f.To.IsZero() || f.Quote != "" || f.Replies != ""
}

func (f SearchFilter) scope(db *gorm.DB) *gorm.DB {
	if f.Kind != "" {
		db = db.Where("annotations.kind = ?", f.Kind)
	}
	if f.Author != "" {
		db = db.Where("annotations.author_id IN (SELECT id FROM users WHERE username = ?)", f.Author)
	}
	if f.DocumentID != 0 {
		db = db.Where("annotations.document_id = ?", f.DocumentID)
	}
	if f.ClassID != 0 {
		db = db.Where("annotations.class_id = ?", f.ClassID)
	}
	if !f.From.IsZero() {
		db = db.Where("annotations.created_at >= ?", f.From)
	}
	if !f.To.IsZero() {
		db = db.Where("annotations.created_at < ?", f.To)
	}
	switch f.Quote {
	case "with":
		db = db.Where("annotations.exact <> ''")
	case "without":
		db = db.Where("(annotations.exact = '' OR annotations.exact IS NULL)")
	}
	switch f.Replies {
	case "only":
		db = db.Where("annotations.parent_id IS NOT NULL")
	case "none":
		db = db.Where("annotations.parent_id IS NULL")
	}
	return db
}

// SearchRequest is one page of a search.
type SearchRequest struct {
	Query  string
	Filter SearchFilter
	Page   int // from 1
}

// SearchPageSize is how many notes a page of results holds; documents and
// passages, on the first page only, are capped at searchSideHits.
const (
	SearchPageSize = 20
	searchSideHits = 10
)

// PassageHit is a passage of a document's current text that matches.
type PassageHit struct {
	ID         uint
	DocumentID uint
	Title      string
	Number     int
	Text       string
	Snippet    Snippet `gorm:"-"`
}

// DocumentHit is a document whose title matches.
type DocumentHit struct {
	DocumentSummary
	Snippet Snippet `gorm:"-"`
}

// NoteHit is a note that matches, with its extract.
type NoteHit struct {
	Annotation
	Snippet Snippet
}

// SearchResults is one page of what a search finds, best first.
type SearchResults struct {
	Documents []DocumentHit
	Passages  []PassageHit
	Notes     []NoteHit
	Titles    map[uint]string // document titles for the notes
	Page      int
	More      bool // another page of notes follows
}

// Empty tells whether nothing was found.
func (r SearchResults) Empty() bool {
	return len(r.Documents) == 0 && len(r.Passages) == 0 && len(r.Notes) == 0
}

// MaxSearchLen bounds a query.
const MaxSearchLen = 200

// Search finds, for the words of req.Query (see ftsquery), documents by
// title, passages of current texts and the notes viewer may see. Notes go
// through VisibleTo before anything is ranked, counted or paged, so a note
// the viewer may not see has no effect on what they get.
func Search(db *gorm.DB, viewer *User, req SearchRequest) (SearchResults, error) {
	out := SearchResults{Page: max(1, req.Page)}
	q := ftsquery.Parse(req.Query)
	if q.Empty() || utf8.RuneCountInString(req.Query) > MaxSearchLen {
		return out, nil
	}
	eng := searchEngineFor(db)
	err := eng.session(db, func(db *gorm.DB) error { return search(db, eng, viewer, req, q, &out) })
	return out, err
}

func search(db *gorm.DB, eng searchEngine, viewer *User, req SearchRequest, q ftsquery.Query, out *SearchResults) error {
	var err error
	if out.Page == 1 && !req.Filter.NotesOnly() {
		if out.Documents, err = searchTitles(db, eng, q, req.Filter); err != nil {
			return err
		}
		if out.Passages, err = searchPassages(db, eng, q, req.Filter); err != nil {
			return err
		}
	}
	base := func() *gorm.DB {
		return db.Model(&Annotation{}).Scopes(VisibleTo(viewer, false), req.Filter.scope).Where("annotations.deleted_at IS NULL")
	}
	ids, more, err := rankedPage(eng, base, notesIndex, q, rankWindow, (out.Page-1)*SearchPageSize, SearchPageSize)
	if err != nil {
		return err
	}
	out.More = more
	var notes []Annotation
	// One statement with its authors joined (a preload would be a second).
	err = db.Joins("Author", db.Select("id", "username")).Where("annotations.id IN ?", orEmpty(ids)).Find(&notes).Error
	if err != nil {
		return err
	}
	byID := make(map[uint]Annotation, len(notes))
	docIDs := make([]uint, 0, len(notes))
	for _, n := range notes {
		byID[n.ID] = n
		docIDs = append(docIDs, n.DocumentID)
	}
	for _, id := range ids {
		if n, ok := byID[id]; ok {
			out.Notes = append(out.Notes, NoteHit{Annotation: n, Snippet: noteSnippet(q, &n)})
		}
	}
	out.Titles, err = DocumentTitles(db, docIDs)
	return err
}

func searchTitles(db *gorm.DB, eng searchEngine, q ftsquery.Query, f SearchFilter) ([]DocumentHit, error) {
	base := func() *gorm.DB {
		d := db.Model(&Document{})
		if f.DocumentID != 0 {
			d = d.Where("documents.id = ?", f.DocumentID)
		}
		return d
	}
	ids, _, err := rankedPage(eng, base, titlesIndex, q, sideWindow, 0, searchSideHits)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	var docs []DocumentHit
	err = db.Model(&Document{}).
		Select("documents.id, documents.title, documents.author, documents.published_on, documents.created_at, revisions.excerpt, revisions.passage_count").
		Joins("JOIN revisions ON revisions.id = documents.current_revision_id").
		Where("documents.id IN ?", ids).Scan(&docs).Error
	if err != nil {
		return nil, err
	}
	for i := range docs {
		docs[i].Snippet = q.Snippet(docs[i].Title, 64)
	}
	return inOrder(ids, docs, func(d DocumentHit) uint { return d.ID }), nil
}

func searchPassages(db *gorm.DB, eng searchEngine, q ftsquery.Query, f SearchFilter) ([]PassageHit, error) {
	current := func(p *gorm.DB) *gorm.DB {
		p = p.Joins("JOIN documents ON documents.current_revision_id = passages.revision_id")
		if f.DocumentID != 0 {
			p = p.Where("documents.id = ?", f.DocumentID)
		}
		return p
	}
	ids, _, err := rankedPage(eng, func() *gorm.DB { return db.Model(&Passage{}).Scopes(current) }, passagesIndex, q, sideWindow, 0, searchSideHits)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	var hits []PassageHit
	err = db.Model(&Passage{}).Scopes(current).
		Select("passages.id, documents.id AS document_id, documents.title, passages.number, passages.text").
		Where("passages.id IN ?", ids).Scan(&hits).Error
	if err != nil {
		return nil, err
	}
	for i := range hits {
		hits[i].Snippet = q.Snippet(hits[i].Text, snippetWords)
	}
	return inOrder(ids, hits, func(p PassageHit) uint { return p.ID }), nil
}

// snippetWords is about how long an extract is.
const snippetWords = 24

// noteSnippet is the extract of the first of the note's texts that holds
// a match: its words, its counterpoint, the phrase it quotes.
func noteSnippet(q ftsquery.Query, n *Annotation) Snippet {
	for _, text := range []string{n.Body, n.Counterpoint, n.Exact} {
		if q.HasMatch(text) {
			return q.Snippet(text, snippetWords)
		}
	}
	return q.Snippet(n.Body, snippetWords)
}

// inOrder arranges rows in the order of ids.
func inOrder[T any](ids []uint, rows []T, id func(T) uint) []T {
	byID := make(map[uint]T, len(rows))
	for _, r := range rows {
		byID[id(r)] = r
	}
	out := make([]T, 0, len(ids))
	for _, i := range ids {
		if r, ok := byID[i]; ok {
			out = append(out, r)
		}
	}
	return out
}

// orEmpty keeps "IN ?" valid for an empty list (no id is 0).
func orEmpty(ids []uint) []uint {
	if len(ids) == 0 {
		return []uint{0}
	}
	return ids
}
