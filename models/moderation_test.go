package models_test

import (
	"errors"
	"testing"
	"time"

	"margin/models"
	"margin/models/spamfilter"
)

func (f *modFixture) status(a *models.Annotation) models.Status {
	f.t.Helper()
	got, err := models.AnnotationByID(f.db, a.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return got.Status
}

func (f *modFixture) version() int64 {
	f.t.Helper()
	d, err := models.DocumentByID(f.db, f.doc.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return d.Version
}

func (f *modFixture) decide(a *models.Annotation, action models.Action) *models.Decision {
	f.t.Helper()
	d, err := models.Decide(f.db, f.mod, a.ID, action, "because", f.now)
	if err != nil {
		f.t.Fatalf("%s: %v", action, err)
	}
	return d
}

func totals(t *testing.T, f *modFixture) (int64, int64) {
	t.Helper()
	s, h, err := models.NewSpamStore(f.db).Totals()
	if err != nil {
		t.Fatal(err)
	}
	return s, h
}

// A held note reaches no one but its author and moderators: not pages,
// counts, permalinks, profiles or the inbox.
func TestHeldNotesStayOutOfSight(t *testing.T) {
	f := newModFixture(t)
	parentAuthor := f.user("parentauthor", models.RoleReader)
	f.approved(parentAuthor, 1)
	parents, _ := models.UserAnnotations(f.db, parentAuthor, nil, 1)
	parent, _ := models.AnnotationByID(f.db, parents[0].ID)
	spammer := f.user("spammer", models.RoleReader)
	sub := f.submission(spammer, "Cheap pills @parentauthor http://pills.example")
	sub.Parent = parent
	v := f.screen(sub)
	reply, err := models.CreateReply(f.db, spammer, parent, sub.Input, v.Status)
	if err != nil || v.Status != models.StatusPending {
		t.Fatalf("reply: %v, %s", err, v.Status)
	}
	models.RecordScreening(f.db, reply, v)
	for _, viewer := range []*models.User{nil, parentAuthor, f.reader} {
		if ok, _ := models.CanView(f.db, viewer, reply, false); ok {
			t.Errorf("viewer %v can open the held reply", viewer)
		}
		if ok, _ := models.CanView(f.db, viewer, reply, true); ok {
			t.Errorf("viewer %v can open the held reply asking for held notes", viewer)
		}
		rev, _ := models.RevisionByID(f.db, f.doc.CurrentRevisionID)
		ps, _ := models.Passages(f.db, rev.ID)
		views, _ := models.ReadingView(f.db, rev, ps, viewer, models.ReadingOptions{})
		for _, pv := range views {
			for _, th := range pv.Threads {
				for _, r := range th.Replies {
					if r.ID == reply.ID {
						t.Errorf("viewer %v sees the held reply in the reading view", viewer)
					}
				}
			}
			if pv.Passage.Number == parent.PassageNumber && pv.Total != 1 {
				t.Errorf("viewer %v: passage count %d includes the held reply", viewer, pv.Total)
			}
		}
		profile, _ := models.UserAnnotations(f.db, spammer, viewer, 10)
		if len(profile) != 0 {
			t.Errorf("viewer %v sees the held reply on the profile", viewer)
		}
	}
	if n, _ := models.UnreadCount(f.db, parentAuthor); n != 0 {
		t.Errorf("the parent's author has %d unread notifications about a held reply", n)
	}
	if items, _ := models.Inbox(f.db, parentAuthor, 10); len(items) != 0 {
		t.Errorf("inbox shows the held reply: %+v", items)
	}
	// Its author sees it, marked; a moderator sees it when asking for held notes.
	if ok, _ := models.CanView(f.db, spammer, reply, false); !ok {
		t.Error("the author cannot see their held reply")
	}
	if ok, _ := models.CanView(f.db, f.mod, reply, true); !ok {
		t.Error("a moderator cannot review the held reply")
	}
	if ok, _ := models.CanView(f.db, f.mod, reply, false); ok {
		t.Error("a moderator sees the held reply in ordinary pages")
	}
	// Approving publishes it and sends the notification it held back.
	before := f.version()
	f.decide(reply, models.ActionApprove)
	if n, _ := models.UnreadCount(f.db, parentAuthor); n != 1 {
		t.Errorf("after approval the parent's author has %d unread, want 1", n)
	}
	if f.version() == before {
		t.Error("approval did not bump the document's version")
	}
}

func TestDecisionsLearnAndUndo(t *testing.T) {
	f := newModFixture(t)
	f.train()
	spamDocs, hamDocs := totals(t, f)
	newcomer := f.user("newcomer", models.RoleReader)
	a, v := f.post(f.submission(newcomer, "Visit my site for free gift cards http://gifts.example/x"))
	if v.Status == models.StatusPublished {
		t.Fatalf("spam-like note from a new account published: %q", v.Reasons)
	}
	counts, _ := models.CountQueues(f.db, f.mod)
	if counts.Total() != 1 {
		t.Fatalf("queue counts %+v", counts)
	}
	items, err := models.QueueItems(f.db, f.mod, models.Queue(v.Status), 10, f.now)
	if err != nil || len(items) != 1 || items[0].Annotation.ID != a.ID || items[0].Screening == nil || items[0].Screening.Reasons == "" {
		t.Fatalf("queue items: %+v %v", items, err)
	}
	if items[0].Standing.Total != 1 || items[0].Document != f.doc.Title {
		t.Errorf("item details: %+v", items[0])
	}

	v0 := f.version()
	spamD := f.decide(a, models.ActionSpam)
	if s, h := totals(t, f); s != spamDocs+1 || h != hamDocs {
		t.Errorf("after spam: totals %d/%d, want %d/%d", s, h, spamDocs+1, hamDocs)
	}
	if f.status(a) != models.StatusSpam || f.version() == v0 {
		t.Errorf("after spam: status %s, version %d→%d", f.status(a), v0, f.version())
	}
	// Changing one's mind: not spam unlearns the spam and learns ham.
	hamD := f.decide(a, models.ActionNotSpam)
	if s, h := totals(t, f); s != spamDocs || h != hamDocs+1 {
		t.Errorf("after not-spam: totals %d/%d", s, h)
	}
	// Undo the not-spam: back to spam, learnt as spam again.
	if _, err := models.Undo(f.db, f.mod, hamD.ID, "", f.now); err != nil {
		t.Fatal(err)
	}
	if s, h := totals(t, f); s != spamDocs+1 || h != hamDocs || f.status(a) != models.StatusSpam {
		t.Errorf("after undoing not-spam: totals %d/%d status %s", s, h, f.status(a))
	}
	if _, err := models.Undo(f.db, f.mod, hamD.ID, "", f.now); !errors.Is(err, models.ErrConflict) {
		t.Errorf("undoing twice: %v", err)
	}
	// The spam decision is no longer current: the note moved since, then came back;
	// undoing it now returns the note to where it was before it.
	if _, err := models.Undo(f.db, f.mod, spamD.ID, "", f.now); err != nil {
		t.Fatal(err)
	}
	if s, h := totals(t, f); s != spamDocs || h != hamDocs || f.status(a) != v.Status {
		t.Errorf("after undoing spam: totals %d/%d status %s, want %s", s, h, f.status(a), v.Status)
	}
	// A decision overtaken by another cannot be undone.
	rej := f.decide(a, models.ActionReject)
	f.decide(a, models.ActionApprove)
	if _, err := models.Undo(f.db, f.mod, rej.ID, "", f.now); !errors.Is(err, models.ErrConflict) {
		t.Errorf("undoing an overtaken decision: %v", err)
	}
	log, _ := models.DecisionsAbout(f.db, a.ID)
	if len(log) != 6 || log[0].Moderator == nil || log[0].Moderator.Username != "moddy" || log[0].Note != "because" {
		t.Errorf("log about the note: %d entries, first %+v", len(log), log[0])
	}
}

func TestBanEndsSessionsAndSendsWaitingNotesToSpam(t *testing.T) {
	f := newModFixture(t)
	troll := f.user("troll", models.RoleReader)
	held, _ := f.post(f.submission(troll, "My first note, held as a new account's."))
	until := f.now.Add(7 * 24 * time.Hour)
	ban, err := models.Ban(f.db, f.mod, troll.ID, &until, "spamming", f.now)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := models.UserByID(f.db, troll.ID)
	if u.SessionEpoch != troll.SessionEpoch+1 || !u.IsBanned(f.now) || u.IsBanned(until.Add(time.Second)) {
		t.Fatalf("after a week's ban: epoch %d, banned until %v", u.SessionEpoch, u.BannedUntil)
	}
	if f.status(held) != models.StatusSpam {
		t.Fatalf("waiting note is %s", f.status(held))
	}
	if _, err := models.Undo(f.db, f.mod, ban.ID, "mistake", f.now); err != nil {
		t.Fatal(err)
	}
	u, _ = models.UserByID(f.db, troll.ID)
	if u.IsBanned(f.now) || f.status(held) != models.StatusPending {
		t.Fatalf("after undoing the ban: banned %v, note %s", u.IsBanned(f.now), f.status(held))
	}
	if _, err := models.Ban(f.db, f.mod, troll.ID, nil, "", f.now); err != nil {
		t.Fatal(err)
	}
	u, _ = models.UserByID(f.db, troll.ID)
	if !u.IsBanned(f.now.AddDate(500, 0, 0)) {
		t.Fatal("a ban for good ends")
	}
	if _, err := models.Unban(f.db, f.mod, troll.ID, "", f.now); err != nil {
		t.Fatal(err)
	}
	// Moderators do not ban moderators or admins; admins ban moderators.
	other := f.user("othermod", models.RoleModerator)
	admin := f.user("admin", models.RoleAdmin)
	if _, err := models.Ban(f.db, f.mod, other.ID, nil, "", f.now); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("moderator banned a moderator: %v", err)
	}
	if _, err := models.Ban(f.db, other, admin.ID, nil, "", f.now); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("moderator banned an admin: %v", err)
	}
	if _, err := models.Ban(f.db, admin, other.ID, nil, "", f.now); err != nil {
		t.Errorf("admin could not ban a moderator: %v", err)
	}
}

func TestFlagsHideAtThresholdAndKeepAccuracy(t *testing.T) {
	f := newModFixture(t)
	f.approved(f.reader, 1)
	target, _ := f.post(f.submission(f.reader, "An opinion some readers dislike."))
	flaggers := []*models.User{f.user("flag1", models.RoleReader), f.user("flag2", models.RoleReader), f.user("flag3", models.RoleReader)}
	if _, err := models.FlagAnnotation(f.db, f.reader, target, models.FlagInput{Reason: models.FlagSpam}, 3, f.now); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("author flagged own note: %v", err)
	}
	if _, err := models.FlagAnnotation(f.db, flaggers[0], target, models.FlagInput{Reason: models.FlagOther}, 3, f.now); err == nil {
		t.Error("flag 'other' without a note accepted")
	}
	for i, u := range flaggers {
		hidden, err := models.FlagAnnotation(f.db, u, target, models.FlagInput{Reason: models.FlagAbusive, Note: "rude"}, 3, f.now)
		if err != nil {
			t.Fatal(err)
		}
		if hidden != (i == 2) {
			t.Fatalf("flag %d: hidden=%v", i+1, hidden)
		}
		if i < 2 && f.status(target) != models.StatusPublished {
			t.Fatalf("hidden after %d flags", i+1)
		}
	}
	if f.status(target) != models.StatusHidden {
		t.Fatalf("after 3 flags the note is %s", f.status(target))
	}
	if _, err := models.FlagAnnotation(f.db, flaggers[0], target, models.FlagInput{Reason: models.FlagSpam}, 3, f.now); !errors.Is(err, models.ErrConflict) {
		t.Errorf("flagging a hidden note again: %v", err)
	}
	counts, _ := models.CountQueues(f.db, f.mod)
	if counts.Flagged != 1 {
		t.Fatalf("flagged queue count %d", counts.Flagged)
	}
	items, _ := models.QueueItems(f.db, f.mod, models.QueueFlagged, 10, f.now)
	if len(items) != 1 || len(items[0].Flags) != 3 || items[0].Flags[0].User.Username != "flag1" {
		t.Fatalf("flagged item: %+v", items)
	}
	log, _ := models.DecisionLog(f.db, f.mod, 1, 0)
	if log[0].Action != models.ActionFlagHide || log[0].ModeratorID != nil {
		t.Errorf("automatic hide logged as %+v", log[0])
	}
	// The moderator restores it: the flags are dismissed, the flaggers' records show it.
	f.decide(target, models.ActionApprove)
	recs, _ := models.FlaggerRecords(f.db, []uint{flaggers[0].ID})
	if recs[flaggers[0].ID] != (models.FlaggerRecord{Dismissed: 1}) {
		t.Errorf("flagger record %+v", recs)
	}
	if counts, _ := models.CountQueues(f.db, f.mod); counts.Flagged != 0 || f.status(target) != models.StatusPublished {
		t.Errorf("after approval: %+v, %s", counts, f.status(target))
	}
	// A second wave, upheld this time.
	other, _ := f.post(f.submission(f.reader, "Great article, everyone should read it twice."))
	models.FlagAnnotation(f.db, flaggers[0], other, models.FlagInput{Reason: models.FlagSpam}, 3, f.now)
	f.decide(other, models.ActionSpam)
	recs, _ = models.FlaggerRecords(f.db, []uint{flaggers[0].ID})
	if r := recs[flaggers[0].ID]; r.Upheld != 1 || r.Dismissed != 1 || r.Percent() != 50 {
		t.Errorf("flagger record %+v", r)
	}
}

func TestClaims(t *testing.T) {
	f := newModFixture(t)
	other := f.user("othermod", models.RoleModerator)
	a, _ := f.post(f.submission(f.user("newbie", models.RoleReader), "Held for review."))
	c, err := models.ClaimItem(f.db, f.mod, a.ID, f.now)
	if err != nil || c.ModeratorID != f.mod.ID {
		t.Fatalf("first claim: %+v %v", c, err)
	}
	c, _ = models.ClaimItem(f.db, other, a.ID, f.now.Add(time.Minute))
	if c.ModeratorID != f.mod.ID || c.Moderator.Username != "moddy" {
		t.Fatalf("a running claim was taken over: %+v", c)
	}
	items, _ := models.QueueItems(f.db, other, models.QueuePending, 10, f.now.Add(time.Minute))
	if len(items) != 1 || items[0].Claim == nil || items[0].Claim.Moderator.Username != "moddy" {
		t.Fatalf("the other moderator is not told about the claim: %+v", items)
	}
	c, _ = models.ClaimItem(f.db, other, a.ID, f.now.Add(models.ClaimLifetime+time.Second))
	if c.ModeratorID != other.ID {
		t.Fatalf("an expired claim was not taken over: %+v", c)
	}
	f.decide(a, models.ActionApprove)
	if claims, _ := models.ActiveClaims(f.db, []uint{a.ID}, f.now); len(claims) != 0 {
		t.Errorf("a decision did not release the claim: %+v", claims)
	}
}

func TestPurgeKeepsThirtyDays(t *testing.T) {
	f := newModFixture(t)
	newbie := f.user("newbie", models.RoleReader)
	oldSpam, _ := f.post(f.submission(newbie, "Old spam to be purged eventually."))
	recent, _ := f.post(f.submission(newbie, "Recent rejection, still restorable."))
	f.decide(oldSpam, models.ActionSpam)
	f.decide(recent, models.ActionReject)
	f.db.Model(&models.Annotation{}).Where("id = ?", oldSpam.ID).UpdateColumn("updated_at", f.now.AddDate(0, 0, -31))
	cutoff := f.now.AddDate(0, 0, -30)
	if res, _ := models.PurgeModerated(f.db, cutoff, true); res.Annotations != 1 {
		t.Fatalf("dry run counts %d", res.Annotations)
	}
	if _, err := models.AnnotationByID(f.db, oldSpam.ID); err != nil {
		t.Fatal("the dry run deleted")
	}
	v := f.version()
	res, err := models.PurgeModerated(f.db, cutoff, false)
	if err != nil || res.Annotations != 1 {
		t.Fatalf("purge: %+v %v", res, err)
	}
	if _, err := models.AnnotationByID(f.db, oldSpam.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("old spam survived: %v", err)
	}
	if f.status(recent) != models.StatusRejected || f.version() == v {
		t.Errorf("recent rejection %s; version %d→%d", f.status(recent), v, f.version())
	}
	// The log keeps its entry, and says the note is gone when asked to undo.
	log, _ := models.DecisionsAbout(f.db, oldSpam.ID)
	if len(log) != 1 {
		t.Fatalf("log entries about the purged note: %d", len(log))
	}
	if _, err := models.Undo(f.db, f.mod, log[0].ID, "", f.now); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("undoing a purged note's decision: %v", err)
	}
	// Undo of the recent rejection works within the 30 days.
	recentLog, _ := models.DecisionsAbout(f.db, recent.ID)
	if _, err := models.Undo(f.db, f.mod, recentLog[0].ID, "", f.now); err != nil || f.status(recent) != models.StatusPending {
		t.Errorf("restoring the recent rejection: %v, %s", err, f.status(recent))
	}
}

// Resetting the model forgets what decisions taught, so undoing them
// afterwards does not fail on counts that are gone.
func TestResetThenUndo(t *testing.T) {
	f := newModFixture(t)
	f.train()
	a, _ := f.post(f.submission(f.user("newbie", models.RoleReader), "Gift cards for everyone http://gifts.example"))
	d := f.decide(a, models.ActionSpam)
	if err := models.ResetSpamModel(f.db); err != nil {
		t.Fatal(err)
	}
	if _, err := models.Undo(f.db, f.mod, d.ID, "", f.now); err != nil {
		t.Fatal(err)
	}
	if s, h := totals(t, f); s != 0 || h != 0 {
		t.Errorf("totals after reset and undo: %d/%d", s, h)
	}
	if err := models.NewClassifier(f.db).Unlearn("never", true); !errors.Is(err, spamfilter.ErrNegativeCount) {
		t.Errorf("the model is not empty: %v", err)
	}
}

// Decisions go through when the stored model is from an older feature
// vocabulary: the classifier just does not learn until it is reset.
func TestDecisionsWithAStaleModel(t *testing.T) {
	f := newModFixture(t)
	f.train()
	f.db.Model(&models.SpamTotal{}).Where("id = 1").Update("feature_version", spamfilter.FeatureVersion-1)
	a, _ := f.post(f.submission(f.user("newbie", models.RoleReader), "Gift cards for everyone http://gifts.example"))
	d := f.decide(a, models.ActionSpam)
	if d.Learnt != "" || f.status(a) != models.StatusSpam {
		t.Errorf("decision on a stale model: learnt %q, status %s", d.Learnt, f.status(a))
	}
	if _, err := models.Undo(f.db, f.mod, d.ID, "", f.now); err != nil {
		t.Errorf("undo on a stale model: %v", err)
	}
}

// Undo is no back door: it asks for the permission the decision itself
// needed. A ban, or its lifting, is taken back only by someone who may ban
// its subject; a decision on a note only by a moderator who may see it.
func TestUndoNeedsTheDecisionsPermission(t *testing.T) {
	f := newModFixture(t)
	admin := f.user("admin", models.RoleAdmin)
	othermod := f.user("othermod", models.RoleModerator)
	ban, err := models.Ban(f.db, admin, othermod.ID, nil, "", f.now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.Undo(f.db, f.mod, ban.ID, "", f.now); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("a moderator undid an admin's ban of a moderator: %v", err)
	}
	if u, _ := models.UserByID(f.db, othermod.ID); !u.IsBanned(f.now) {
		t.Fatal("undo by a moderator lifted the ban of a moderator")
	}
	unban, err := models.Unban(f.db, admin, othermod.ID, "", f.now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.Undo(f.db, f.mod, unban.ID, "", f.now); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("a moderator banned a moderator again by undoing the unban: %v", err)
	}
	if u, _ := models.UserByID(f.db, othermod.ID); u.IsBanned(f.now) {
		t.Fatal("undo by a moderator banned a moderator again")
	}
	if _, err := models.Undo(f.db, admin, unban.ID, "", f.now); err != nil {
		t.Errorf("the admin could not undo their own unban: %v", err)
	}

	// A class note: only moderators in the class see it.
	educator := f.user("teacher", models.RoleEducator)
	class, err := models.CreateClass(f.db, educator, models.ClassInput{Name: "Seminar"}, f.now)
	if err != nil {
		t.Fatal(err)
	}
	student := f.user("student", models.RoleReader)
	member := f.user("classmod", models.RoleModerator)
	for _, u := range []*models.User{student, member} {
		if err := models.JoinClass(f.db, u, class, f.now); err != nil {
			t.Fatal(err)
		}
	}
	note, err := models.CreateAnnotation(f.db, student, f.doc, models.AnnotationInput{Kind: models.KindComment,
		Body: "For the seminar only.", Passage: 1, QuoteHint: -1, Visibility: models.VisibilityClass, ClassID: &class.ID},
		models.StatusPending)
	if err != nil {
		t.Fatal(err)
	}
	d, err := models.Decide(f.db, member, note.ID, models.ActionReject, "", f.now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.Undo(f.db, f.mod, d.ID, "", f.now); !errors.Is(err, models.ErrForbidden) {
		t.Errorf("a moderator outside the class undid a decision on its note: %v", err)
	}
	if f.status(note) != models.StatusRejected {
		t.Fatalf("the class note is %s", f.status(note))
	}
	if _, err := models.Undo(f.db, member, d.ID, "", f.now); err != nil || f.status(note) != models.StatusPending {
		t.Errorf("the class's moderator could not undo: %v, note %s", err, f.status(note))
	}
}

// The navigation's badge counts what waits for a decision, not the Spam folder.
func TestQueueCountsWaitingLeavesSpamOut(t *testing.T) {
	c := models.QueueCounts{Pending: 2, Flagged: 1, Spam: 5}
	if c.Waiting() != 3 || c.Total() != 8 {
		t.Fatalf("waiting %d total %d", c.Waiting(), c.Total())
	}
}
