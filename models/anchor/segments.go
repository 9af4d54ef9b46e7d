package anchor

import (
	"slices"
)

// Range is a highlighted part of one passage, in code points relative to
// the passage start, End exclusive.
type Range struct {
	ID         uint
	Start, End int
}

// Segment is a run of passage text covered by the same set of ranges; IDs is
// empty for unhighlighted text and sorted otherwise. Start and End are where
// it lies in the passage, in code points (End exclusive), as a Range's: a
// range covers a segment whole or not at all.
type Segment struct {
	Text       string
	IDs        []uint
	Start, End int
}

// Segments cuts passageText at every range boundary so a template can wrap
// highlighted runs in <mark>. Overlapping and nested ranges give segments
// carrying every covering ID; ranges are clamped to the text and empty ones
// ignored. The segments' texts concatenate to passageText.
func Segments(passageText string, ranges []Range) []Segment {
	// at[i] is the byte offset of code point i; slicing the string by byte
	// keeps its bytes exactly, even invalid UTF-8.
	at := make([]int, 0, len(passageText)+1)
	for i := range passageText {
		at = append(at, i)
	}
	n := len(at)
	at = append(at, len(passageText))
	var live []Range
	cuts := []int{0, n}
	for _, r := range ranges {
		r.Start, r.End = max(0, min(r.Start, n)), max(0, min(r.End, n))
		if r.Start >= r.End {
			continue
		}
		live = append(live, r)
		cuts = append(cuts, r.Start, r.End)
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)

	var out []Segment
	lastFrom := 0 // code point where out's last segment starts
	for i := 0; i+1 < len(cuts); i++ {
		from, to := cuts[i], cuts[i+1]
		var ids []uint
		for _, r := range live {
			if r.Start <= from && to <= r.End {
				ids = append(ids, r.ID)
			}
		}
		slices.Sort(ids)
		ids = slices.Compact(ids)
		if k := len(out) - 1; k >= 0 && slices.Equal(out[k].IDs, ids) {
			out[k].Text, out[k].End = passageText[at[lastFrom]:at[to]], to
			continue
		}
		out = append(out, Segment{Text: passageText[at[from]:at[to]], IDs: ids, Start: from, End: to})
		lastFrom = from
	}
	return out
}
