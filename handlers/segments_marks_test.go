package handlers

import (
	"bytes"
	"html/template"
	"testing"

	"margin/models/anchor"
)

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
