package models

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"

	"gorm.io/gorm"

	"margin/models/anchor"
)

// AnnotationOrigin keeps, beside a note that came through the Web
// Annotation Protocol or an import, what Margin does not model itself but
// must give back: the client's canonical IRI, the IRI the note had
// elsewhere (via), its tags, and a target Margin could not place in the
// document. SourceKey makes an import idempotent: the same annotation
// imported onto the same document again is found, not copied.
type AnnotationOrigin struct {
	AnnotationID uint    `gorm:"primaryKey;autoIncrement:false"`
	DocumentID   uint    `gorm:"not null;uniqueIndex:idx_origin_source,priority:1"`
	SourceKey    *string `gorm:"size:64;uniqueIndex:idx_origin_source,priority:2"`
	Canonical    string  `gorm:"size:2000"`
	Via          string  `gorm:"size:2000"`
	Target       string  `gorm:"type:text"` // JSON, only for a note not placed in the document
	Tags         string  `gorm:"type:text"` // JSON array of strings
}

// TagList decodes the tags.
func (o *AnnotationOrigin) TagList() []string {
	var tags []string
	if o != nil && o.Tags != "" {
		_ = json.Unmarshal([]byte(o.Tags), &tags)
	}
	return tags
}

// SetTags encodes the tags.
func (o *AnnotationOrigin) SetTags(tags []string) {
	o.Tags = ""
	if len(tags) > 0 {
		b, _ := json.Marshal(tags)
		o.Tags = string(b)
	}
}

// SourceKeyOf is the key an imported annotation is known by on a document.
func SourceKeyOf(sourceID string) *string {
	if sourceID == "" {
		return nil
	}
	sum := sha256.Sum256([]byte(sourceID))
	k := hex.EncodeToString(sum[:])
	return &k
}

// OriginByKey finds the note an earlier import made from the same
// annotation on this document.
func OriginByKey(db *gorm.DB, docID uint, key *string) (*AnnotationOrigin, error) {
	if key == nil {
		return nil, ErrNotFound
	}
	var o AnnotationOrigin
	err := db.Where("document_id = ? AND source_key = ?", docID, *key).First(&o).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &o, err
}

// Origins maps annotation ids to what their clients sent, for those that
// have any.
func Origins(db *gorm.DB, ids []uint) (map[uint]*AnnotationOrigin, error) {
	out := map[uint]*AnnotationOrigin{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []AnnotationOrigin
	if err := db.Where("annotation_id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, err
	}
	for i := range rows {
		out[rows[i].AnnotationID] = &rows[i]
	}
	return out, nil
}

// SaveOrigin replaces what is kept of a note's origin (after a Protocol PUT).
func SaveOrigin(db *gorm.DB, a *Annotation, o AnnotationOrigin) error {
	o.AnnotationID, o.DocumentID = a.ID, a.DocumentID
	if old, err := Origins(db, []uint{a.ID}); err == nil && old[a.ID] != nil {
		o.SourceKey = old[a.ID].SourceKey
	}
	return db.Save(&o).Error
}

// Placement is where a client's target puts a note in a document's current
// text: a passage, and a phrase in it, or nowhere.
type Placement struct {
	Passage int
	Quote   string
	Hint    int // code point offset of the phrase, -1 when unknown
	Status  anchor.Status
}

// TargetHint is what a client's selectors say about a target in a document.
type TargetHint struct {
	Exact, Prefix, Suffix string
	Start, End            int
	HasPosition           bool
	Passage               int // from a FragmentSelector p-N
	// Revision is the revision number the selectors count in, 0 when not
	// named: then they are taken to count in the current text.
	Revision int
}

// Place finds a target in doc's current text: the quote where its prefix
// and suffix fit best, nearest the position; a position alone; a passage by
// its fragment. Selectors made on an earlier revision are carried over as a
// revision re-anchors its notes. Nothing found is Status Orphaned.
func Place(db *gorm.DB, doc *Document, h TargetHint) (Placement, error) {
	none := Placement{Hint: -1, Status: anchor.Orphaned}
	cur, err := RevisionByID(db, doc.CurrentRevisionID)
	if err != nil {
		return none, err
	}
	var old *Revision
	if h.Revision > 0 && h.Revision != cur.Number {
		if old, err = RevisionByNumber(db, doc.ID, h.Revision); err != nil {
			return none, nil
		}
	}
	if h.Exact == "" && h.HasPosition {
		text := cur.Text
		if old != nil {
			text = old.Text
		} else if p, err := passageWithBounds(db, cur.ID, h.Start, h.End); err != nil || p > 0 {
			// The bounds of a passage: the whole passage, as Margin writes it.
			return Placement{Passage: p, Hint: -1, Status: anchor.Exact}, err
		}
		h.Exact = anchor.Slice(text, h.Start, h.End)
	}
	if h.Exact == "" {
		if h.Passage > 0 && h.Passage <= cur.PassageCount && old == nil {
			return Placement{Passage: h.Passage, Hint: -1, Status: anchor.Exact}, nil
		}
		return none, nil
	}
	passages, err := Passages(db, cur.ID)
	if err != nil {
		return none, err
	}
	if old != nil {
		oldPassages, err := Passages(db, old.ID)
		if err != nil {
			return none, err
		}
		sel := anchor.Selector{Passage: h.Passage, Quote: anchor.Quote{Exact: h.Exact, Prefix: h.Prefix, Suffix: h.Suffix},
			Position: anchor.Position{Start: h.Start, End: h.End}}
		found, status := anchor.Reanchor(sel, anchor.Text{Text: old.Text, Passages: anchorPassages(oldPassages)},
			anchor.Text{Text: cur.Text, Passages: anchorPassages(passages)})
		if status == anchor.Orphaned {
			return none, nil
		}
		return Placement{Passage: found.Passage, Quote: found.Quote.Exact, Hint: found.Position.Start, Status: status}, nil
	}
	hint := -1
	if h.HasPosition {
		hint = h.Start
	}
	return bestOccurrence(cur.Text, passages, h.Exact, h.Prefix, h.Suffix, hint), nil
}

// bestOccurrence picks, among the places exact occurs inside one passage,
// the one whose surroundings share most with prefix and suffix, then the
// one nearest hint.
func bestOccurrence(text string, passages []Passage, exact, prefix, suffix string, hint int) Placement {
	runes, ex := []rune(text), []rune(exact)
	pre, suf := []rune(prefix), []rune(suffix)
	best := Placement{Hint: -1, Status: anchor.Orphaned}
	bestScore, bestDist := -1, 0
	for i := 0; i+len(ex) <= len(runes) && len(ex) > 0; i++ {
		if runes[i] != ex[0] || string(runes[i:i+len(ex)]) != exact {
			continue
		}
		passage := 0
		for _, p := range passages {
			if p.Start <= i && i+len(ex) <= p.End {
				passage = p.Number
			}
		}
		if passage == 0 {
			continue
		}
		score := 0
		for k := 1; k <= len(pre) && i-k >= 0 && runes[i-k] == pre[len(pre)-k]; k++ {
			score++
		}
		for k := 0; k < len(suf) && i+len(ex)+k < len(runes) && runes[i+len(ex)+k] == suf[k]; k++ {
			score++
		}
		dist := 0
		if hint >= 0 {
			dist = abs(i - hint)
		}
		if score > bestScore || score == bestScore && dist < bestDist {
			best, bestScore, bestDist = Placement{Passage: passage, Quote: exact, Hint: i, Status: anchor.Exact}, score, dist
		}
	}
	return best
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// passageWithBounds is the number of the revision's passage that spans
// exactly start to end, 0 when none does.
func passageWithBounds(db *gorm.DB, revID uint, start, end int) (int, error) {
	var n []int
	err := db.Model(&Passage{}).Where("revision_id = ? AND start = ? AND \"end\" = ?", revID, start, end).Limit(1).Pluck("number", &n).Error
	if len(n) == 0 {
		return 0, err
	}
	return n[0], err
}
