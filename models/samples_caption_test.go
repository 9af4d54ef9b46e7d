package models_test

import (
	"strings"
	"testing"

	"margin/models"
	"margin/models/modeltest"
	"margin/models/textimport"
)

// The sample article's photo caption is a caption, not body text (issue 12
// item 16), and an HTML <figcaption> is one too.
func TestCaptionsAreCaptions(t *testing.T) {
	db := modeltest.Open(t)
	if _, err := models.SeedSamples(db); err != nil {
		t.Fatal(err)
	}
	docs, err := models.ListDocuments(db)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range docs {
		doc, _ := models.DocumentByID(db, d.ID)
		ps, err := models.Passages(db, doc.CurrentRevisionID)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			isCaption := strings.HasPrefix(p.Text, "Meeting between NATO Secretary General")
			if isCaption != (p.Kind == string(textimport.Caption)) {
				t.Errorf("%s passage %d is %s: %.50q", d.Title, p.Number, p.Kind, p.Text)
			}
			found = found || isCaption
		}
	}
	if !found {
		t.Fatal("the sample article's caption is gone")
	}
	parsed, err := textimport.Parse("a.html", []byte(`<html><body><figure><img src="x.jpg"><figcaption>Yeltsin and Woerner, 1993.</figcaption></figure><p>Text.</p></body></html>`), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(parsed.Passages) != 2 || parsed.Passages[0].Kind != textimport.Caption || parsed.Passages[1].Kind != textimport.Paragraph {
		t.Errorf("figure: %+v", parsed.Passages)
	}
}
