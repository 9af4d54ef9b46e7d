package models

import (
	"sort"

	"gorm.io/gorm"
)

// ValidUsername tells whether s could name an account, so a filter's
// author that could not is dropped before it reaches a query or a key.
func ValidUsername(s string) bool { return usernamePattern.MatchString(s) }

// Filtered tells whether the options leave some notes out.
func (o ReadingOptions) Filtered() bool { return o.Kind != "" || o.Author != "" || o.Class != 0 }

// matches tells whether a note is one the filter asks for; placeholders
// and tombstones never are.
func (o ReadingOptions) matches(x *Thread) bool {
	if x.Missing || x.IsDeleted() {
		return false
	}
	return o.matchesNote(x.Kind, x.Author.Username, x.Visibility, x.ClassID)
}

func (o ReadingOptions) matchesNote(kind Kind, author string, vis Visibility, class *uint) bool {
	return o.matchesAudience(author, vis, class) && (o.Kind == "" || kind == o.Kind)
}

// matchesAudience is the filter less its kind: who wrote it, and for whom.
func (o ReadingOptions) matchesAudience(author string, vis Visibility, class *uint) bool {
	if o.Author != "" && author != o.Author {
		return false
	}
	return o.Class == 0 || (vis == VisibilityClass && class != nil && *class == o.Class)
}

// hasMatch tells whether a thread holds a note the filter asks for.
func (o ReadingOptions) hasMatch(t *Thread) bool {
	found := false
	walk(t, func(x *Thread) { found = found || o.matches(x) })
	return found
}

// AuthorCount is an author the reading view's filter offers, with how many
// of their notes on the text the viewer may see (under the filter's kind
// and class).
type AuthorCount struct {
	Username string
	Count    int
}

// ReadingFacets is what the reading view's filter bar says: the authors to
// choose from, how many notes the filter shows and how many there are.
// Everything counted is what the viewer may see (VisibleTo): an author's
// private or class notes never show here to anyone who may not read them,
// not even as a number.
type ReadingFacets struct {
	Authors  []AuthorCount // most notes first, then by name
	Matching int
	All      int
}

// maxFilterAuthors bounds the author list; a selected author is always in it.
const maxFilterAuthors = 100

// ReadingFacetsOf counts the notes on a revision the viewer may see, by
// author, kind and audience, in one grouped query whose answer is as long
// as the number of (author, kind, audience) pairs, not of notes.
func ReadingFacetsOf(db *gorm.DB, rev *Revision, viewer *User, opts ReadingOptions) (ReadingFacets, error) {
	var rows []struct {
		AuthorID   uint
		Kind       Kind
		Visibility Visibility
		ClassID    *uint
		N          int
	}
	// Grouped by the author's id, then named: no join per note.
	err := db.Model(&Annotation{}).Scopes(VisibleTo(viewer, false)).
		Select("annotations.author_id, annotations.kind, annotations.visibility, annotations.class_id, COUNT(*) AS n").
		Where("annotations.document_id = ? AND annotations.revision_id = ? AND annotations.deleted_at IS NULL", rev.DocumentID, rev.ID).
		Group("annotations.author_id, annotations.kind, annotations.visibility, annotations.class_id").Scan(&rows).Error
	if err != nil {
		return ReadingFacets{}, err
	}
	var ids []uint
	seen := map[uint]bool{}
	for _, r := range rows {
		if !seen[r.AuthorID] {
			seen[r.AuthorID] = true
			ids = append(ids, r.AuthorID)
		}
	}
	names := make(map[uint]string, len(ids))
	err = inBatches(ids, func(batch []uint) error {
		var us []User
		if err := db.Select("id", "username").Where("id IN ?", batch).Find(&us).Error; err != nil {
			return err
		}
		for _, u := range us {
			names[u.ID] = u.Username
		}
		return nil
	})
	if err != nil {
		return ReadingFacets{}, err
	}
	tally := make([]NoteTally, len(rows))
	for i, r := range rows {
		tally[i] = NoteTally{Username: names[r.AuthorID], Kind: r.Kind, Visibility: r.Visibility, ClassID: r.ClassID, N: r.N}
	}
	return FacetsOf(tally, opts), nil
}

// FacetsOf adds up tallies of the notes a viewer may see (their passages'
// PassageView.Tally, or ReadingFacetsOf's query) into what the filter bar says.
func FacetsOf(rows []NoteTally, opts ReadingOptions) ReadingFacets {
	var f ReadingFacets
	byAuthor := map[string]int{}
	others := opts
	others.Author = ""
	for _, r := range rows {
		f.All += r.N
		if opts.matchesNote(r.Kind, r.Username, r.Visibility, r.ClassID) {
			f.Matching += r.N
		}
		if others.matchesNote(r.Kind, r.Username, r.Visibility, r.ClassID) {
			byAuthor[r.Username] += r.N
		}
	}
	for name, n := range byAuthor {
		f.Authors = append(f.Authors, AuthorCount{Username: name, Count: n})
	}
	sort.Slice(f.Authors, func(i, j int) bool {
		a, b := f.Authors[i], f.Authors[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Username < b.Username
	})
	if len(f.Authors) > maxFilterAuthors {
		f.Authors = f.Authors[:maxFilterAuthors]
	}
	if opts.Author != "" && byAuthor[opts.Author] == 0 {
		f.Authors = append(f.Authors, AuthorCount{Username: opts.Author})
	} else if opts.Author != "" && !containsAuthor(f.Authors, opts.Author) {
		f.Authors = append(f.Authors, AuthorCount{Username: opts.Author, Count: byAuthor[opts.Author]})
	}
	return f
}

func containsAuthor(as []AuthorCount, name string) bool {
	for _, a := range as {
		if a.Username == name {
			return true
		}
	}
	return false
}
