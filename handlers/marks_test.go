package handlers

import (
	"bytes"
	"fmt"
	"html/template"
	"regexp"
	"strings"
	"testing"

	"margin/models"
	"margin/models/anchor"
)

// notesOnOnePhrase adds n published notes to the given passage of the
// sample article, every one quoting the same words of it (its third to
// fifth), oldest first, and one more on the two words after them (a
// phrase only the oldest thread quotes); it returns the notes and the
// shared quote.
func (ts *testServer) notesOnOnePhrase(n, passage int) ([]*models.Annotation, string) {
	ts.t.Helper()
	doc, err := models.DocumentByID(ts.db, ts.articleID())
	if err != nil {
		ts.t.Fatal(err)
	}
	p, err := models.PassageByNumber(ts.db, doc.CurrentRevisionID, passage)
	if err != nil {
		ts.t.Fatal(err)
	}
	words := strings.Fields(p.Text)
	quote, lone := strings.Join(words[2:5], " "), strings.Join(words[6:8], " ")
	author := ts.createUser("phrase_author", models.RoleReader)
	var out []*models.Annotation
	for i := range n + 1 {
		in := models.AnnotationInput{Kind: models.KindComment, Passage: passage, Quote: quote, QuoteHint: -1,
			Visibility: models.VisibilityPublic, Body: fmt.Sprintf("Phrase note %d.", i)}
		if i == 0 {
			in.Quote, in.Body = lone, "The oldest, on other words."
		}
		a, err := models.CreateAnnotation(ts.db, author, doc, in, models.StatusPublished)
		if err != nil {
			ts.t.Fatalf("phrase note %d: %v", i, err)
		}
		out = append(out, a)
	}
	return out, quote
}

// TestHighlightsNameRangesNotNotes: a highlight gives where it lies in its
// passage, and each card of a note on a phrase gives its quote's range, so
// the script pairs them by range: a mark is the same few bytes whether 2
// notes or 40 share its words, on the reading view and on the passage's
// own page, and every card (the 13th on one phrase too) holds its marks.
func TestHighlightsNameRangesNotNotes(t *testing.T) {
	ts := newTestServer(t)
	notes, quote := ts.notesOnOnePhrase(40, 5)
	doc := notes[0].DocumentID
	markRe := regexp.MustCompile(`<mark class="hl[^"]*"[^>]*>([^<]*)</mark>`)
	rangeRe := regexp.MustCompile(`data-range="(\d+)-(\d+)"`)
	for _, path := range []string{fmt.Sprintf("/documents/%d", doc), fmt.Sprintf("/documents/%d/passages/5", doc)} {
		section := sectionOf(ts.client().get(path).body, 5)
		marks := markRe.FindAllStringSubmatch(section, -1)
		if len(marks) != 2 {
			t.Fatalf("%s: %d highlights in passage 5, want 2: %q", path, len(marks), marks)
		}
		var shared string
		for _, m := range marks {
			if len(m[0]) > 80 || strings.Contains(m[0], "data-notes") {
				t.Errorf("%s: a highlight of %d bytes: %s", path, len(m[0]), m[0])
			}
			if m[1] == quote {
				shared = rangeRe.FindString(m[0])
			}
		}
		if shared == "" {
			t.Fatalf("%s: no highlight of %q with a range: %q", path, quote, marks)
		}
		cards := strings.Count(section, shared)
		want := 1 + marginPreview // the mark, the first threads
		if strings.Contains(path, "/passages/") {
			want = 1 + len(notes) - 1 // every note on the phrase: the 13th and on too
			mustContain(t, section, fmt.Sprintf(`id="a-%d" %s`, notes[1].ID, shared))
		}
		if cards != want {
			t.Errorf("%s: %q is on %d elements, want %d", path, shared, cards, want)
		}
		mustContain(t, section, `<h2 class="notes__sheet-title" id="notes-5-title">Notes on passage 5</h2>`, `data-notes-close>Close</button>`)
	}
}

// marks writes what the segments template wrote with html/template, text
// escaped alike (html/template also spells "+" as &#43;; both are safe).
func TestMarksMatchTheTemplate(t *testing.T) {
	templated := template.Must(template.New("segments").Parse(
		`{{range .}}{{if .IDs}}<mark class="hl{{if gt (len .IDs) 1}} hl--overlap{{end}}" data-range="{{.Start}}-{{.End}}">{{.Text}}</mark>{{else}}{{.Text}}{{end}}{{end}}`))
	segments := []anchor.Segment{
		{Text: "Plain words, "},
		{Text: `<script>alert("x")</script> & 'quoted'`, IDs: []uint{4}, Start: 13, End: 52},
		{Text: " overlap ", IDs: []uint{4, 9}, Start: 52, End: 61},
		{Text: "\x00 nul and é ", Start: 61, End: 73},
		{Text: "", IDs: []uint{2}, Start: 73, End: 73},
	}
	var want bytes.Buffer
	if err := templated.Execute(&want, segments); err != nil {
		t.Fatal(err)
	}
	if got := string(marks(segments)); got != want.String() {
		t.Errorf("marks:\n%s\nthe template:\n%s", got, want.String())
	}
}

// BenchmarkMarks is a busy passage's highlights (200 segments), written out.
func BenchmarkMarks(b *testing.B) {
	var segments []anchor.Segment
	for i := range 200 {
		s := anchor.Segment{Text: "words of the text ", Start: i * 18, End: i*18 + 18}
		if i%2 == 0 {
			s.IDs = []uint{uint(i), uint(i + 1)}
		}
		segments = append(segments, s)
	}
	for range b.N {
		marks(segments)
	}
}
