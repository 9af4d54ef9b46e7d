package models

import (
	"strings"

	"gorm.io/gorm"

	"margin/models/anchor"
)

// locateError is a quote that does not fit its passage: the user's mistake.
type locateError struct{ error }

func (e locateError) Unwrap() error { return e.error }

// contextWindow is how many passages on each side of the annotated one are
// read to build the quote's prefix and suffix, instead of the whole text.
const contextWindow = 3

// locateInRevision anchors a quote in passage n of a revision. It reads the
// passage and a few neighbours rather than the whole revision text, and
// falls back to the whole text only when the neighbours are too short to
// give the full 32 characters of context.
func locateInRevision(db *gorm.DB, revID uint, n int, quote string, hint int) (anchor.Selector, error) {
	var window []Passage
	err := db.Where("revision_id = ? AND number BETWEEN ? AND ?", revID, n-contextWindow, n+contextWindow).
		Order("number").Find(&window).Error
	if err != nil {
		return anchor.Selector{}, err
	}
	var target *Passage
	for i := range window {
		if window[i].Number == n {
			target = &window[i]
		}
	}
	if target == nil {
		_, err := anchor.Locate("", nil, n, quote, hint)
		return anchor.Selector{}, locateError{err}
	}
	first, last := window[0], window[len(window)-1]
	atStart := first.Start == 0
	atEnd := last.Number < n+contextWindow
	if (!atStart && target.Start-first.Start < anchor.ContextLen) || (!atEnd && last.End-target.End < anchor.ContextLen) {
		rev, err := RevisionByID(db, revID)
		if err != nil {
			return anchor.Selector{}, err
		}
		all, err := Passages(db, revID)
		if err != nil {
			return anchor.Selector{}, err
		}
		sel, err := anchor.Locate(rev.Text, anchorPassages(all), n, quote, hint)
		if err != nil {
			return sel, locateError{err}
		}
		return sel, nil
	}
	base := first.Start
	var text strings.Builder
	local := make([]anchor.Passage, len(window))
	for i, p := range window {
		if i > 0 {
			text.WriteString(PassageSeparator)
		}
		text.WriteString(p.Text)
		local[i] = anchor.Passage{Number: p.Number, Start: p.Start - base, End: p.End - base}
	}
	if hint >= 0 {
		hint -= base
	}
	sel, err := anchor.Locate(text.String(), local, n, quote, hint)
	if err != nil {
		return sel, locateError{err}
	}
	sel.Position.Start += base
	sel.Position.End += base
	return sel, nil
}
