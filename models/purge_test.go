package models_test

import (
	"errors"
	"strings"
	"testing"

	"margin/models"
)

// A purge takes the text away but not the history moderation reads: a
// flagger's record and an author's standing are what they were, so a
// spammer does not become trusted again because their spam was purged.
func TestPurgeKeepsStandingAndFlaggerRecords(t *testing.T) {
	f := newModFixture(t)
	spammer := f.user("spammer", models.RoleReader)
	flagger := f.user("flagger", models.RoleReader)
	f.approved(spammer, 3)
	const marker = "zqxj-purged-text"
	var p models.Passage
	if err := f.db.Where("revision_id = ? AND number = 1", f.doc.CurrentRevisionID).First(&p).Error; err != nil {
		t.Fatal(err)
	}
	quote := strings.Fields(p.Text)[0]

	// Two notes the flagger was right about, one they were wrong about.
	spam := f.publish(spammer, models.AnnotationInput{Kind: models.KindDisagreement, Body: "Buy now " + marker,
		Counterpoint: "Cheap " + marker, Passage: 1, Quote: quote, QuoteHint: -1,
		Citations: []models.Citation{{Title: "Shop " + marker, URL: "https://example.com/shop"}}})
	in := models.AnnotationInput{Kind: models.KindDisagreement, Body: "Buy more now " + marker, Counterpoint: "Cheaper " + marker,
		Citations: []models.Citation{{Title: "Shop " + marker, URL: "https://example.com/shop"}}}
	if err := models.UpdateAnnotation(f.db, spammer, spam, in, nil, f.now); err != nil {
		t.Fatal(err)
	}
	rude := f.publish(spammer, models.AnnotationInput{Kind: models.KindComment, Body: "Rude " + marker, Passage: 1, QuoteHint: -1})
	fine := f.publish(spammer, models.AnnotationInput{Kind: models.KindComment, Body: "A fair point, flagged by mistake.", Passage: 1, QuoteHint: -1})
	for _, a := range []*models.Annotation{spam, rude, fine} {
		note := "quotes " + a.Body
		if _, err := models.FlagAnnotation(f.db, flagger, a, models.FlagInput{Reason: models.FlagOther, Note: note}, 3, f.now); err != nil {
			t.Fatal(err)
		}
	}
	f.decide(spam, models.ActionSpam)
	f.decide(rude, models.ActionReject)
	f.decide(fine, models.ActionApprove)

	links := f.submission(spammer, "Links: https://a.example https://b.example https://c.example https://d.example")
	figures := func() (models.FlaggerRecord, models.Standing, models.Verdict) {
		t.Helper()
		recs, err := models.FlaggerRecords(f.db, []uint{flagger.ID})
		if err != nil {
			t.Fatal(err)
		}
		st, err := models.AuthorStanding(f.db, f.mod, spammer.ID)
		if err != nil {
			t.Fatal(err)
		}
		return recs[flagger.ID], st, f.screen(links)
	}
	rec, st, v := figures()
	if rec != (models.FlaggerRecord{Upheld: 2, Dismissed: 1}) || st.Spam != 1 || st.Rejected != 1 || st.Approved != 4 {
		t.Fatalf("before the purge: %+v, %+v", rec, st)
	}
	if v.Status != models.StatusPending {
		t.Fatalf("a spammer's links were not held before the purge: %+v", v)
	}

	f.db.Model(&models.Annotation{}).Where("id IN ?", []uint{spam.ID, rude.ID}).UpdateColumn("updated_at", f.now.AddDate(0, 0, -31))
	res, err := models.PurgeModerated(f.db, f.now.AddDate(0, 0, -30), false)
	if err != nil || res.Annotations != 2 {
		t.Fatalf("purge: %+v %v", res, err)
	}
	rec2, st2, v2 := figures()
	if rec2 != rec || st2 != st {
		t.Errorf("the purge changed the figures: flagger %+v → %+v, standing %+v → %+v", rec, rec2, st, st2)
	}
	if v2.Status != v.Status || strings.Join(v2.Reasons, ";") != strings.Join(v.Reasons, ";") {
		t.Errorf("the purge changed how the spammer is screened: %s %q → %s %q", v.Status, v.Reasons, v2.Status, v2.Reasons)
	}
	if res, _ := models.PurgeModerated(f.db, f.now.AddDate(0, 0, -30), true); res.Annotations != 0 {
		t.Errorf("purged notes counted again: %d", res.Annotations)
	}

	// The text is gone from every table that held it.
	like := "%" + marker + "%"
	for _, q := range []struct{ table, where string }{
		{"annotations", "body LIKE ? OR body_html LIKE ? OR counterpoint LIKE ?"},
		{"annotation_edits", "body LIKE ? OR counterpoint LIKE ? OR citations LIKE ?"},
		{"citations", "title LIKE ? OR text LIKE ? OR url LIKE ?"},
		{"decisions", "learnt_text LIKE ? OR prev_learnt_text LIKE ? OR note LIKE ?"},
		{"flags", "note LIKE ? OR note LIKE ? OR note LIKE ?"},
	} {
		var n int64
		if err := f.db.Table(q.table).Where(q.where, like, like, like).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s: %d rows still hold the purged text", q.table, n)
		}
	}
	var screenings int64
	f.db.Model(&models.Screening{}).Where("annotation_id IN ?", []uint{spam.ID, rude.ID}).Count(&screenings)
	if screenings != 0 {
		t.Errorf("%d screenings of purged notes kept", screenings)
	}
	var row models.Annotation
	f.db.First(&row, spam.ID)
	if row.PurgedAt == nil || row.Exact != "" || row.Prefix != "" || row.Suffix != "" || row.Status != models.StatusSpam {
		t.Errorf("purged row: %+v", row)
	}

	// No one sees it, nothing restores it, and the log still tells what happened.
	for _, viewer := range []*models.User{spammer, f.mod} {
		if ok, _ := models.CanView(f.db, viewer, &row, true); ok {
			t.Errorf("%s can see the purged note", viewer.Username)
		}
	}
	if own, _ := models.UserAnnotations(f.db, spammer, spammer, 50); len(own) != 4 {
		t.Errorf("the author's own list shows %d notes, want their 4 published ones", len(own))
	}
	for _, q := range models.Queues {
		if items, _ := models.QueueItems(f.db, f.mod, q, 50, f.now); len(items) != 0 {
			t.Errorf("queue %s lists %d notes", q, len(items))
		}
	}
	if _, err := models.Decide(f.db, f.mod, spam.ID, models.ActionApprove, "", f.now); !errors.Is(err, models.ErrPurged) {
		t.Errorf("restoring a purged note: %v", err)
	}
	log, _ := models.DecisionsAbout(f.db, rude.ID)
	if len(log) != 1 || log[0].Action != models.ActionReject || log[0].FromStatus != models.StatusPublished ||
		log[0].ToStatus != models.StatusRejected || log[0].Note != "because" {
		t.Fatalf("log about the purged note: %+v", log)
	}
	if _, err := models.Undo(f.db, f.mod, log[0].ID, "", f.now); !errors.Is(err, models.ErrNotFound) || !strings.Contains(err.Error(), "purged") {
		t.Errorf("undoing a purged note's rejection: %v", err)
	}
}

// publish posts a note by a trusted author, screened as the handlers do.
func (f *modFixture) publish(u *models.User, in models.AnnotationInput) *models.Annotation {
	f.t.Helper()
	sub := f.submission(u, "")
	sub.Input = in
	a, v := f.post(sub)
	if a.Status != models.StatusPublished {
		f.t.Fatalf("%q was not published: %+v", in.Body, v)
	}
	return a
}
