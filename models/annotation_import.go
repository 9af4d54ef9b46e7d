package models

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"margin/models/markup"
	"margin/models/w3c"
)

// InputFromW3C is the composer's input an incoming annotation amounts to:
// its kind, text (HTML reduced to text), counterpoint and citations, public.
func InputFromW3C(in w3c.Incoming) AnnotationInput {
	body, counterpoint := in.BodyAndCounterpoint()
	text := body.Value
	if body.Format == "text/html" {
		text = markup.TextOfHTML(text)
	}
	out := AnnotationInput{Kind: Kind(in.Kind()), Body: text, Counterpoint: counterpoint, Visibility: VisibilityPublic, QuoteHint: -1}
	for _, l := range in.Links {
		out.Citations = append(out.Citations, Citation{Title: l.Title, URL: l.URL})
	}
	if out.Kind == KindReference && len(out.Citations) > MaxCitations {
		out.Citations = out.Citations[:MaxCitations]
	}
	return out
}

// OriginFromW3C is what is kept of an incoming annotation as it came.
func OriginFromW3C(in w3c.Incoming, unplaced bool) *AnnotationOrigin {
	o := &AnnotationOrigin{Canonical: in.Canonical, Via: in.Via}
	if o.Via == "" {
		o.Via = in.ID // an id from elsewhere; Margin gives its own
	}
	o.SetTags(in.Tags)
	if unplaced {
		o.Target = string(in.RawTarget)
	}
	return o
}

// HintOf is what one incoming target's selectors say, for Place.
func HintOf(t w3c.IncomingTarget, revision int) TargetHint {
	h := TargetHint{Exact: t.Exact, Prefix: t.Prefix, Suffix: t.Suffix, Start: t.Start, End: t.End, HasPosition: t.HasPosition, Revision: revision}
	if n, ok := strings.CutPrefix(t.Fragment, "p-"); ok {
		h.Passage, _ = strconv.Atoi(n)
	}
	if r, ok := strings.CutPrefix(t.Fragment, "char="); ok && !h.HasPosition {
		a, b, _ := strings.Cut(r, ",")
		s, e1 := strconv.Atoi(a)
		e, e2 := strconv.Atoi(b)
		if e1 == nil && e2 == nil && 0 <= s && s <= e {
			h.Start, h.End, h.HasPosition = s, e, true
		}
	}
	return h
}

// ImportOptions says where imported annotations go and who writes them.
type ImportOptions struct {
	// Document, when set, receives every annotation; otherwise each goes
	// to the document its target names (one of Site's IRIs) or whose
	// source URL it is.
	Document *Document
	Author   *User
	Site     w3c.Site
	// Screen, when set, judges each note (an import through the API);
	// without it notes are published (an operator's import).
	Screen func(docID uint, parent *Annotation, in AnnotationInput) (Verdict, error)
	// Progress, when set, hears after each annotation.
	Progress func(done, total int)
}

// ImportReport says what an import did: every annotation is counted once.
type ImportReport struct {
	Placed, Replies, Orphaned, Existing, Held int
	// Problems lists, per annotation not imported, why; Orphans the notes
	// kept although their target was not found.
	Problems, Orphans []string
}

// Imported is how many annotations were stored.
func (r ImportReport) Imported() int { return r.Placed + r.Replies + r.Orphaned }

// ImportAnnotations stores W3C or Hypothesis annotations onto documents,
// anchored as a revision anchors its notes. A target not found in the text
// keeps the note as an orphan of the document (reported, never dropped);
// an annotation imported before onto the same document is found again,
// not copied. Parents come before their replies whatever the file's order.
func ImportAnnotations(db *gorm.DB, notes []w3c.Incoming, opt ImportOptions) (ImportReport, error) {
	var rep ImportReport
	ids := map[string]bool{}
	for _, n := range notes {
		if n.ID != "" {
			ids[n.ID] = true
		}
	}
	// A W3C reply in the same file targets its parent's id.
	for i := range notes {
		for _, t := range notes[i].Targets {
			if notes[i].ReplyTo == "" && ids[t.Source] {
				notes[i].ReplyTo = t.Source
			}
		}
	}
	order := threadOrder(notes)
	made := map[string]*Annotation{} // source id -> the note it became
	for done, i := range order {
		n := notes[i]
		if err := importOne(db, n, opt, made, &rep); err != nil {
			var fe FieldErrors
			if !errors.As(err, &fe) && !errors.Is(err, ErrNotFound) {
				return rep, err
			}
			rep.Problems = append(rep.Problems, fmt.Sprintf("%s: %v", describe(n, i), err))
		}
		if opt.Progress != nil {
			opt.Progress(done+1, len(order))
		}
	}
	return rep, nil
}

func describe(n w3c.Incoming, i int) string {
	if n.ID != "" {
		return n.ID
	}
	return fmt.Sprintf("annotation %d", i+1)
}

// threadOrder lists the notes so that each comes after the one it replies
// to (depth first by thread length, else file order).
func threadOrder(notes []w3c.Incoming) []int {
	byID := map[string]int{}
	for i, n := range notes {
		if n.ID != "" {
			byID[n.ID] = i
		}
	}
	depth := func(i int) int {
		d := 0
		for seen := map[int]bool{}; notes[i].ReplyTo != "" && !seen[i]; d++ {
			seen[i] = true
			j, ok := byID[notes[i].ReplyTo]
			if !ok {
				break
			}
			i = j
		}
		return d
	}
	order := make([]int, len(notes))
	depths := make([]int, len(notes))
	for i := range notes {
		order[i], depths[i] = i, depth(i)
	}
	sort.SliceStable(order, func(a, b int) bool { return depths[order[a]] < depths[order[b]] })
	return order
}

func importOne(db *gorm.DB, n w3c.Incoming, opt ImportOptions, made map[string]*Annotation, rep *ImportReport) error {
	var parent *Annotation
	if n.ReplyTo != "" {
		parent = made[n.ReplyTo]
		if parent == nil {
			return fmt.Errorf("%w: it replies to %s, which is neither in the file nor imported before", ErrNotFound, n.ReplyTo)
		}
	}
	doc, rev, err := importDocument(db, n, opt)
	if parent != nil {
		doc, err = DocumentByID(db, parent.DocumentID)
	}
	if err != nil {
		return err
	}
	key := SourceKeyOf(firstNonEmpty(n.ID, n.Canonical))
	if o, err := OriginByKey(db, doc.ID, key); err == nil {
		rep.Existing++
		if a, err := AnnotationByID(db, o.AnnotationID); err == nil {
			made[n.ID] = a
		}
		return nil
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	in := InputFromW3C(n)
	for _, t := range n.Targets {
		if kind, _, annID, _ := opt.Site.MatchIRI(t.Source); parent == nil && kind == w3c.IRIAnnotation {
			if p, err := AnnotationByID(db, annID); err == nil && p.DocumentID == doc.ID {
				parent = p
			}
		}
	}
	var placed Placement
	if parent == nil {
		for _, t := range n.Targets {
			if placed, err = Place(db, doc, HintOf(t, rev)); err != nil {
				return err
			}
			if placed.Passage > 0 {
				break
			}
		}
		in.Passage, in.Quote, in.QuoteHint, in.Unplaced = placed.Passage, placed.Quote, placed.Hint, placed.Passage == 0
	} else if in.Kind == KindReference && len(in.Citations) == 0 {
		in.Kind = KindComment
	}
	in.Origin = OriginFromW3C(n, in.Unplaced)
	in.Origin.SourceKey = key
	status := StatusPublished
	if opt.Screen != nil {
		v, err := opt.Screen(doc.ID, parent, in)
		if err != nil {
			return err
		}
		in.Verdict, status = &v, v.Status
	}
	var a *Annotation
	if parent != nil {
		a, err = CreateReply(db, opt.Author, parent, in, status)
	} else {
		a, err = CreateAnnotation(db, opt.Author, doc, in, status)
	}
	if err != nil {
		return err
	}
	made[n.ID] = a
	switch {
	case status != StatusPublished:
		rep.Held++
	}
	switch {
	case parent != nil:
		rep.Replies++
	case in.Unplaced:
		rep.Orphaned++
		rep.Orphans = append(rep.Orphans, fmt.Sprintf("%s: kept as an orphan of document %d: %s not found in its text", describe(n, 0), doc.ID, targetsOf(n)))
	default:
		rep.Placed++
	}
	return nil
}

// importDocument is the document an annotation goes to, and the revision
// its selectors name (0 when they name none).
func importDocument(db *gorm.DB, n w3c.Incoming, opt ImportOptions) (*Document, int, error) {
	for _, t := range n.Targets {
		if kind, docID, _, rev := opt.Site.MatchIRI(t.Source); kind == w3c.IRIDocument {
			if opt.Document != nil && opt.Document.ID != docID {
				continue
			}
			doc, err := DocumentByID(db, docID)
			if err == nil {
				return doc, rev, nil
			}
		}
	}
	if opt.Document != nil {
		return opt.Document, 0, nil
	}
	for _, t := range n.Targets {
		if t.Source == "" {
			continue
		}
		var doc Document
		err := db.Where("source_url IN ?", []string{t.Source, strings.TrimSuffix(t.Source, "/"), t.Source + "/"}).Order("id").First(&doc).Error
		if err == nil {
			return &doc, 0, nil
		}
	}
	return nil, 0, fmt.Errorf("%w: no document here is %s; name one with -document", ErrNotFound, targetsOf(n))
}

func targetsOf(n w3c.Incoming) string {
	var s []string
	for _, t := range n.Targets {
		s = append(s, t.Source)
	}
	if len(s) == 0 {
		return "(no target)"
	}
	return strings.Join(s, ", ")
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
