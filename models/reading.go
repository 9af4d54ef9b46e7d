package models

import (
	"cmp"
	"database/sql"
	"slices"
	"sort"

	"gorm.io/gorm"

	"margin/models/anchor"
)

// Thread is an annotation with its replies, as a reader sees it.
type Thread struct {
	*Annotation
	Replies []*Thread
	// Marked is whether the viewer found it helpful.
	Marked bool
	// Missing stands in for a parent the viewer may not see.
	Missing bool
	// FlagHidden tells that readers' flags hid it and no moderator has
	// decided yet: its author must not read "hidden by a moderator".
	FlagHidden bool
	// Phrase is where the quote of a top-level note lies in its passage
	// in the reading view (End 0 for none): its card and the highlights
	// of the segments inside it name the same range, which is how the
	// script pairs them however many notes share a phrase.
	Phrase anchor.Range
}

// KindCount is how many annotations of one kind a passage has.
type KindCount struct {
	Kind  Kind
	Count int
}

// PassageView is one passage of the reading view with its annotations.
type PassageView struct {
	Passage  Passage
	Segments []anchor.Segment
	Threads  []*Thread
	Counts   []KindCount
	// Total counts the notes the view shows (of the filter's kind, if
	// any), All every note on the passage.
	Total int
	All   int
	// Contested is a dispute: two open disagreements, or one with a reply.
	Contested bool
	// More is how many threads Preview left out.
	More int
	// Tally counts the passage's notes the viewer may see, deleted ones
	// aside, by author, kind and audience, whatever the filter: what the
	// filter bar adds up (FacetsOf) without reading the notes again.
	Tally []NoteTally
}

// NoteTally is how many notes one author wrote of one kind for one audience.
type NoteTally struct {
	Username   string
	Kind       Kind
	Visibility Visibility
	ClassID    *uint
	N          int
}

// ReadingOptions filter and order the annotations shown.
type ReadingOptions struct {
	Kind Kind   // only threads with an annotation of this kind; "" for all
	Sort string // "helpful" or "newest"
	// Author (a username) and Class (shared with that class) keep only
	// threads with such a note; with Kind, a note must match all three.
	Author string
	Class  uint
	// Preview, when above 0, keeps only the first Preview threads of each
	// passage (in Sort's order); PassageView.More counts the rest. Counts,
	// totals and highlights still cover every thread.
	Preview int
	// Outlines holds what a visitor sees of the passages' notes between
	// calls, under the document's notes epoch Epoch as read on this
	// request (see OutlineCache): a visitor's view reads only what changed,
	// and so does a reader's when SeesVisitorsNotes says they see every
	// note a visitor does (no reading hides their classmates until they
	// post, see ReaderDifference.All), and their own few notes beside.
	Outlines          *OutlineCache
	Epoch             int64
	SeesVisitorsNotes bool
}

// ReadingView assembles the given passages of a revision with the
// annotations the viewer may see. Only those passages' notes are read
// (all of the revision's when there are more than idBatch passages), and
// of them only what the counts, highlights and order need; the text,
// citations and marks are read for the notes the view shows (under
// Preview, a few threads a passage), so a busy passage costs little more
// than a quiet one.
func ReadingView(db *gorm.DB, rev *Revision, passages []Passage, viewer *User, opts ReadingOptions) ([]PassageView, error) {
	anns, err := passageOutlines(db, rev, passages, viewer, opts)
	if err != nil {
		return nil, err
	}
	views := buildReadingView(passages, anns, nil, nil, opts)
	var shown []*Thread
	for i := range views {
		for _, t := range views[i].Threads {
			walk(t, func(x *Thread) {
				if !x.Missing {
					shown = append(shown, x)
				}
			})
		}
	}
	return views, completeThreads(db, viewer, shown)
}

// passageOutlines is the outline of the notes on passages the viewer may
// see, oldest first.
func passageOutlines(db *gorm.DB, rev *Revision, passages []Passage, viewer *User, opts ReadingOptions) ([]*Annotation, error) {
	where, args := "annotations.document_id = ? AND annotations.revision_id = ?", []any{rev.DocumentID, rev.ID}
	if len(passages) <= idBatch {
		numbers := make([]int, len(passages))
		for i, p := range passages {
			numbers[i] = p.Number
		}
		where, args = where+" AND annotations.passage_number IN ?", append(args, numbers)
	}
	if opts.Outlines == nil || (viewer != nil && !opts.SeesVisitorsNotes) {
		if viewer != nil {
			db = byOutlineIndex(db)
		}
		return noteOutlines(db, rev, viewer, where, args...)
	}
	anns, err := opts.Outlines.visitorOutlines(db, rev, passages, opts.Epoch)
	if err != nil || viewer == nil {
		return anns, err
	}
	// Every other note the reader may see is one a visitor may not: the
	// rest of VisibleTo's notes (see ReaderDifferenceOn).
	theirs, err := noteOutlines(byOutlineIndex(db), rev, viewer, where+" AND NOT (annotations.status = ? AND annotations.visibility = ?)",
		append(args, StatusPublished, VisibilityPublic)...)
	if err != nil || len(theirs) == 0 {
		return anns, err
	}
	anns = append(anns, theirs...)
	slices.SortFunc(anns, func(a, b *Annotation) int { return cmp.Compare(a.ID, b.ID) })
	return anns, nil
}

// byOutlineIndex has SQLite read a passage's notes for a reader by the
// passage outline index, which holds every column the outline and the
// rule read: left to choose, SQLite takes idx_annotation_passage (or the
// reader's own notes on the document, by idx_annotation_doc_author) and
// looks up each of a busy passage's rows, about a microsecond a note (1 ms
// on 867 notes, 0.12 ms by this index). PostgreSQL has no such index.
func byOutlineIndex(db *gorm.DB) *gorm.DB {
	if IsPostgres(db) {
		return db
	}
	return db.Table("annotations INDEXED BY idx_annotation_passage_outline")
}

// completeThreads reads the rest of what the shown notes show (their text,
// dates, citations) and the viewer's marks and the readers' flags on them.
func completeThreads(db *gorm.DB, viewer *User, shown []*Thread) error {
	if len(shown) == 0 {
		return nil
	}
	ids := make([]uint, len(shown))
	byID := make(map[uint]*Annotation, len(shown))
	anns := make([]*Annotation, len(shown))
	for i, t := range shown {
		ids[i], byID[t.ID], anns[i] = t.ID, t.Annotation, t.Annotation
	}
	if err := inBatches(ids, func(batch []uint) error { return withTexts(db, batch, byID) }); err != nil {
		return err
	}
	flagHidden, err := hiddenByFlags(db, anns)
	if err != nil {
		return err
	}
	var marked map[uint]bool
	if viewer != nil {
		if marked, err = HelpfulMarks(db, viewer.ID, ids); err != nil {
			return err
		}
	}
	for _, t := range shown {
		t.Marked, t.FlagHidden = marked[t.ID], flagHidden[t.ID]
	}
	return nil
}

// withTexts reads what the outlines of the notes ids leave out, their
// citations in the same query: it is asked for every passage rendered, so
// it is one query, written out and scanned by hand (GORM's two took a
// tenth of a busy passage's render, BenchmarkPassageRender).
func withTexts(db *gorm.DB, ids []uint, byID map[uint]*Annotation) error {
	rows, err := db.Raw(`SELECT a.id, a.exact, a.root_id, a.counterpoint, a.body_html, a.anchor_status, a.previous_exact,
		a.edited_at, a.created_at, c.id, c.position, c.title, c.url, c.text
		FROM annotations a LEFT JOIN citations c ON c.annotation_id = a.id
		WHERE a.id IN ? ORDER BY a.id, c.position`, ids).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var r Annotation
		var exact, counterpoint, previous sql.NullString // nullable: NULL reads as "", as GORM had it
		var cid, position sql.NullInt64
		var title, url, text sql.NullString
		if err := rows.Scan(&id, &exact, &r.RootID, &counterpoint, &r.BodyHTML, &r.AnchorStatus, &previous,
			&r.EditedAt, &r.CreatedAt, &cid, &position, &title, &url, &text); err != nil {
			return err
		}
		a := byID[uint(id)]
		a.Exact, a.RootID = exact.String, r.RootID
		a.Counterpoint, a.BodyHTML, a.AnchorStatus, a.PreviousExact = counterpoint.String, r.BodyHTML, r.AnchorStatus, previous.String
		a.EditedAt, a.CreatedAt = r.EditedAt, r.CreatedAt
		if cid.Valid {
			a.Citations = append(a.Citations, Citation{ID: uint(cid.Int64), AnnotationID: a.ID, Position: int(position.Int64),
				Title: title.String, URL: url.String, Text: text.String})
		}
	}
	return rows.Err()
}

// hiddenByFlags finds which of the hidden notes readers' flags hid and no
// moderator has looked at since: their flags are still open (a moderator's
// decision settles them). Most pages have no hidden note and ask nothing.
func hiddenByFlags(db *gorm.DB, anns []*Annotation) (map[uint]bool, error) {
	var hidden []uint
	for _, a := range anns {
		if a.Status == StatusHidden {
			hidden = append(hidden, a.ID)
		}
	}
	out := map[uint]bool{}
	if len(hidden) == 0 {
		return out, nil
	}
	err := inBatches(hidden, func(batch []uint) error {
		var ids []uint
		err := db.Model(&Flag{}).Distinct("annotation_id").
			Where("annotation_id IN ? AND resolved_at IS NULL", batch).Pluck("annotation_id", &ids).Error
		for _, id := range ids {
			out[id] = true
		}
		return err
	})
	return out, err
}

// viewableNotes loads the annotations matching where that the viewer may
// see, oldest first, with their authors and citations, and which of them
// the viewer found helpful. The authors, citations and marks are read in
// batches of idBatch ids, so no query grows with the number of notes (a
// single IN list of every id passes SQLite's limit of 32,766 variables).
func viewableNotes(db *gorm.DB, viewer *User, includeHeld bool, where string, args ...any) ([]*Annotation, map[uint]bool, error) {
	var anns []*Annotation
	err := db.Scopes(VisibleTo(viewer, includeHeld)).Select(threadColumns).Where(where, args...).
		Order("annotations.id").Find(&anns).Error
	if err != nil || len(anns) == 0 {
		return anns, nil, err
	}
	ids := make([]uint, len(anns))
	byID := make(map[uint]*Annotation, len(anns))
	for i, a := range anns {
		ids[i] = a.ID
		byID[a.ID] = a
	}
	if err := withAuthors(db, anns); err != nil {
		return nil, nil, err
	}
	if err := withCitations(db, ids, byID); err != nil || viewer == nil {
		return anns, nil, err
	}
	marked, err := HelpfulMarks(db, viewer.ID, ids)
	return anns, marked, err
}

// withAuthors reads the notes' authors, idBatch at a time.
func withAuthors(db *gorm.DB, anns []*Annotation) error {
	authorSeen := map[uint]bool{}
	var authorIDs []uint
	for _, a := range anns {
		if !authorSeen[a.AuthorID] {
			authorSeen[a.AuthorID] = true
			authorIDs = append(authorIDs, a.AuthorID)
		}
	}
	authors := make(map[uint]User, len(authorIDs))
	err := inBatches(authorIDs, func(batch []uint) error {
		var us []User
		if err := db.Select("id", "username", "role").Where("id IN ?", batch).Find(&us).Error; err != nil {
			return err
		}
		for _, u := range us {
			authors[u.ID] = u
		}
		return nil
	})
	for _, a := range anns {
		a.Author = authors[a.AuthorID]
	}
	return err
}

// withCitations reads the notes' citations, idBatch at a time.
func withCitations(db *gorm.DB, ids []uint, byID map[uint]*Annotation) error {
	return inBatches(ids, func(batch []uint) error {
		var cs []Citation
		if err := db.Where("annotation_id IN ?", batch).Order("annotation_id, position").Find(&cs).Error; err != nil {
			return err
		}
		for _, c := range cs {
			a := byID[c.AnnotationID]
			a.Citations = append(a.Citations, c)
		}
		return nil
	})
}

// threadColumns are what a thread shows and needs: not the Markdown source
// (the page shows the rendered body), nor the anchor's context.
var threadColumns = []string{"annotations.id", "annotations.document_id", "annotations.revision_id",
	"annotations.passage_number", "annotations.exact", "annotations.start", "annotations.end",
	"annotations.anchor_status", "annotations.previous_exact",
	"annotations.parent_id", "annotations.root_id", "annotations.author_id", "annotations.kind",
	"annotations.counterpoint", "annotations.body_html", "annotations.visibility", "annotations.class_id",
	"annotations.status", "annotations.helpful_count", "annotations.edited_at", "annotations.deleted_at",
	"annotations.created_at"}

// idBatch bounds the ids one query names.
const idBatch = 500

// inBatches calls fn with ids cut into runs of at most idBatch.
func inBatches(ids []uint, fn func([]uint) error) error {
	for _, batch := range batches(ids, idBatch) {
		if err := fn(batch); err != nil {
			return err
		}
	}
	return nil
}

func buildReadingView(passages []Passage, anns []*Annotation, marked, flagHidden map[uint]bool, opts ReadingOptions) []PassageView {
	// One allocation for a busy passage's hundreds of threads.
	threads := make(map[uint]*Thread, len(anns))
	slab := make([]Thread, len(anns))
	for i, a := range anns {
		slab[i] = Thread{Annotation: a, Marked: marked[a.ID], FlagHidden: flagHidden[a.ID]}
		threads[a.ID] = &slab[i]
	}
	byPassage := map[int][]*Thread{}
	for _, a := range anns {
		t := threads[a.ID]
		if a.ParentID == nil {
			byPassage[a.PassageNumber] = append(byPassage[a.PassageNumber], t)
			continue
		}
		parent, ok := threads[*a.ParentID]
		if !ok {
			// The parent is hidden from this viewer: keep the reply's place.
			parent = &Thread{Annotation: &Annotation{ID: *a.ParentID, PassageNumber: a.PassageNumber, Kind: KindComment}, Missing: true}
			threads[*a.ParentID] = parent
			byPassage[a.PassageNumber] = append(byPassage[a.PassageNumber], parent)
		}
		parent.Replies = append(parent.Replies, t)
	}
	out := make([]PassageView, len(passages))
	at := make(map[int]int, len(passages))
	for i, p := range passages {
		out[i] = buildPassage(p, byPassage[p.Number], opts)
		at[p.Number] = i
	}
	// A busy passage has as many tallies as authors times kinds: each
	// note finds its own by key, not by a walk along them.
	tallied := map[tallyKey]int{}
	for _, a := range anns {
		i, ok := at[a.PassageNumber]
		if !ok || a.IsDeleted() {
			continue
		}
		k := tallyKey{passage: uint(i), author: a.AuthorID, kind: a.Kind, visibility: a.Visibility}
		if a.ClassID != nil {
			k.class = *a.ClassID
		}
		if j, ok := tallied[k]; ok {
			out[i].Tally[j].N++
			continue
		}
		tallied[k] = len(out[i].Tally)
		out[i].Tally = append(out[i].Tally, NoteTally{Username: a.Author.Username, Kind: a.Kind, Visibility: a.Visibility, ClassID: a.ClassID, N: 1})
	}
	return out
}

// tallyKey is what one NoteTally counts, on one passage of the view (an
// author's id names them as well as their name does, and a class's id 0
// is none).
type tallyKey struct {
	passage, class uint
	author         uint
	kind           Kind
	visibility     Visibility
}

// buildPassage is one passage's view of its threads. Under a filter the
// counts and total are of the notes it asks for, in the threads shown;
// All still counts every note.
func buildPassage(p Passage, threads []*Thread, opts ReadingOptions) PassageView {
	pv := PassageView{Passage: p}
	counts := map[Kind]int{}
	var ranges []anchor.Range
	openDisagreements := 0
	for _, t := range threads {
		if !pruneDeleted(t) {
			continue
		}
		walk(t, func(x *Thread) {
			if x.Missing || x.IsDeleted() {
				return
			}
			if opts.matchesAudience(x.Author.Username, x.Visibility, x.ClassID) {
				counts[x.Kind]++
			}
			pv.All++
			if x.Kind == KindDisagreement && x.Status == StatusPublished {
				openDisagreements++
				if hasLiveReply(x) {
					pv.Contested = true
				}
			}
		})
		if opts.Filtered() && !opts.hasMatch(t) {
			continue
		}
		pv.Threads = append(pv.Threads, t)
		if !t.Missing && !t.IsDeleted() && t.Exact != "" {
			t.Phrase = anchor.Range{ID: t.ID, Start: t.Start - p.Start, End: t.End - p.Start}
			ranges = append(ranges, t.Phrase)
		}
	}
	// One disagreement is an objection; a dispute is two, or one answered.
	pv.Contested = pv.Contested || openDisagreements >= 2
	for _, k := range Kinds {
		if counts[k] > 0 && (opts.Kind == "" || opts.Kind == k) {
			pv.Counts = append(pv.Counts, KindCount{Kind: k, Count: counts[k]})
			pv.Total += counts[k]
		}
	}
	if opts.Preview > 0 && len(pv.Threads) > opts.Preview {
		pv.More = len(pv.Threads) - opts.Preview
		pv.Threads = firstThreads(pv.Threads, opts.Sort, opts.Preview)
	} else {
		sortThreads(pv.Threads, opts.Sort)
	}
	pv.Segments = anchor.Segments(p.Text, ranges)
	return pv
}

// hasLiveReply tells whether someone answered t in a reply still there.
func hasLiveReply(t *Thread) bool {
	for _, r := range t.Replies {
		if (!r.Missing && !r.IsDeleted()) || hasLiveReply(r) {
			return true
		}
	}
	return false
}

// pruneDeleted drops tombstones with nothing under them; it reports whether
// t itself is still worth showing.
func pruneDeleted(t *Thread) bool {
	kept := t.Replies[:0]
	for _, r := range t.Replies {
		if pruneDeleted(r) {
			kept = append(kept, r)
		}
	}
	t.Replies = kept
	return len(t.Replies) > 0 || !(t.IsDeleted() || t.Missing)
}

func walk(t *Thread, fn func(*Thread)) {
	fn(t)
	for _, r := range t.Replies {
		walk(r, fn)
	}
}

func sortThreads(ts []*Thread, order string) {
	sort.SliceStable(ts, func(i, j int) bool { return threadBefore(ts[i], ts[j], order) })
}

// threadBefore is the margin's order: the most helpful first under
// "helpful", then the newest. No two threads tie (their ids differ).
func threadBefore(a, b *Thread, order string) bool {
	if order == "helpful" && a.HelpfulCount != b.HelpfulCount {
		return a.HelpfulCount > b.HelpfulCount
	}
	return a.ID > b.ID
}

// firstThreads is the first n of ts in the margin's order, found in one
// pass instead of sorting a busy passage's hundreds of threads for the
// few the margin shows.
func firstThreads(ts []*Thread, order string, n int) []*Thread {
	top := make([]*Thread, 0, n+1)
	for _, t := range ts {
		if len(top) == n && !threadBefore(t, top[n-1], order) {
			continue
		}
		at := len(top)
		for at > 0 && threadBefore(t, top[at-1], order) {
			at--
		}
		top = slices.Insert(top, at, t)
		if len(top) > n {
			top = top[:n]
		}
	}
	return top
}

// ThreadOf loads the whole thread an annotation belongs to, as the viewer
// may see it, rooted at its top-level annotation.
func ThreadOf(db *gorm.DB, a *Annotation, viewer *User, includeHeld bool) (*Thread, error) {
	rootID := a.ID
	if a.RootID != nil {
		rootID = *a.RootID
	}
	anns, marked, err := viewableNotes(db, viewer, includeHeld, "annotations.id = ? OR annotations.root_id = ?", rootID, rootID)
	if err != nil {
		return nil, err
	}
	flagHidden, err := hiddenByFlags(db, anns)
	if err != nil {
		return nil, err
	}
	threads := map[uint]*Thread{}
	for _, x := range anns {
		threads[x.ID] = &Thread{Annotation: x, Marked: marked[x.ID], FlagHidden: flagHidden[x.ID]}
	}
	root, ok := threads[rootID]
	if !ok {
		root = &Thread{Annotation: &Annotation{ID: rootID, Kind: KindComment}, Missing: true}
		threads[rootID] = root
	}
	for _, x := range anns {
		if x.ParentID == nil {
			continue
		}
		parent, ok := threads[*x.ParentID]
		if !ok {
			parent = root
		}
		parent.Replies = append(parent.Replies, threads[x.ID])
	}
	return root, nil
}

// UserAnnotations lists what a profile shows: the author's annotations the
// viewer may see, newest first.
func UserAnnotations(db *gorm.DB, author *User, viewer *User, limit int) ([]Annotation, error) {
	var out []Annotation
	err := db.Scopes(VisibleTo(viewer, false)).
		Where("annotations.author_id = ? AND annotations.deleted_at IS NULL", author.ID).
		Order("annotations.id DESC").Limit(limit).Find(&out).Error
	return out, err
}

// DocumentTitles maps document ids to titles, for lists of annotations.
func DocumentTitles(db *gorm.DB, ids []uint) (map[uint]string, error) {
	var docs []Document
	out := map[uint]string{}
	if len(ids) == 0 {
		return out, nil
	}
	err := db.Select("id", "title").Where("id IN ?", ids).Find(&docs).Error
	for _, d := range docs {
		out[d.ID] = d.Title
	}
	return out, err
}
