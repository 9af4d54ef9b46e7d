package models

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"margin/models/spamfilter"
)

// ScreenConfig tunes the check every new annotation and reply goes
// through. Zero values take the defaults of WithDefaults.
type ScreenConfig struct {
	// HoldScore and SpamScore are the classifier probabilities from which a
	// note is held for review and judged spam outright.
	HoldScore, SpamScore float64
	// MaxLinks is the most links a note may carry before it is held.
	MaxLinks int
	// NewAccountHeld is how many approved notes an account needs before its
	// notes publish at once: its first ones are held. Negative turns it off.
	NewAccountHeld int
	// TrustedAfter is how many approved notes, with no spam, make an author
	// trusted: the classifier and Akismet no longer hold their notes.
	TrustedAfter int
	// MinFormTime is the least time between showing the form and posting it
	// that a person needs; negative turns the check off.
	MinFormTime time.Duration
	// MaxFormAge is the longest a shown form stays good for posting; a bot
	// that fetched one form long ago cannot keep posting with it.
	MaxFormAge time.Duration
	// DuplicateWindow is how far back the same text counts as posted again.
	DuplicateWindow time.Duration
	// FlagThreshold is how many readers' flags hide a note pending review.
	FlagThreshold int
	// Akismet, when set, is asked about every note the local checks let pass.
	Akismet *Akismet
}

// WithDefaults fills in the defaults.
func (c ScreenConfig) WithDefaults() ScreenConfig {
	if c.HoldScore <= 0 {
		c.HoldScore = spamfilter.DefaultThreshold
	}
	if c.SpamScore <= 0 {
		c.SpamScore = 0.9
	}
	if c.MaxLinks <= 0 {
		c.MaxLinks = 3
	}
	if c.NewAccountHeld == 0 {
		c.NewAccountHeld = 1
	}
	if c.TrustedAfter <= 0 {
		c.TrustedAfter = 3
	}
	if c.MinFormTime == 0 {
		c.MinFormTime = 3 * time.Second
	}
	if c.MaxFormAge <= 0 {
		c.MaxFormAge = 48 * time.Hour
	}
	if c.DuplicateWindow <= 0 {
		c.DuplicateWindow = 24 * time.Hour
	}
	if c.FlagThreshold <= 0 {
		c.FlagThreshold = 3
	}
	return c
}

// Submission is a note about to be stored, with what the request tells
// about where it came from.
type Submission struct {
	Author     *User
	DocumentID uint
	Parent     *Annotation // set for a reply
	Input      AnnotationInput
	IP         string
	UserAgent  string
	Referrer   string
	Permalink  string // the annotated document's public address
	// Honeypot is the field people never see and robots fill in.
	Honeypot string
	// FormShownAt is when the form was rendered, from its signed stamp;
	// zero when the stamp was missing or forged.
	FormShownAt time.Time
	// FormReused tells that the same shown form already carried a note.
	FormReused bool
	// ByToken is a note sent with a personal API token rather than a form:
	// there is no form whose timing could be checked, and every other rule
	// applies as to a form.
	ByToken bool
	Now     time.Time
}

// Verdict is the outcome of screening: the status to store the note with,
// the classifier's score (-1 when it was not asked) and the reasons.
type Verdict struct {
	Status   Status
	Score    float64
	Reasons  []string
	Akismet  string // "", "spam", "ham" or "error"
	BodyHash string
	sub      Submission
}

// Screening is what the check found about one annotation, kept for the
// moderators, for duplicate detection and for what the classifier learnt
// from the verdicts on it.
type Screening struct {
	AnnotationID uint    `gorm:"primaryKey;autoIncrement:false"`
	AuthorID     uint    `gorm:"not null;index:idx_screening_author_at,priority:1"`
	Score        float64 `gorm:"not null;default:-1"`
	Reasons      string  `gorm:"type:text"` // one per line
	BodyHash     string  `gorm:"size:64;index"`
	Akismet      string  `gorm:"size:8"`
	IP           string  `gorm:"size:64;index:idx_screening_ip_at,priority:1"`
	UserAgent    string  `gorm:"size:500"`
	Referrer     string  `gorm:"size:2000"`
	// Learnt is what the classifier holds about this annotation ("spam",
	// "ham" or ""), and LearntText the exact text it learnt, so that a
	// changed verdict unlearns exactly that.
	Learnt     string    `gorm:"size:8"`
	LearntText string    `gorm:"type:text"`
	CreatedAt  time.Time `gorm:"index:idx_screening_author_at,priority:2;index:idx_screening_ip_at,priority:2"`
}

// ReasonList splits the stored reasons.
func (s *Screening) ReasonList() []string {
	if s == nil || s.Reasons == "" {
		return nil
	}
	return strings.Split(s.Reasons, "\n")
}

// screen accumulates a verdict.
type screen struct {
	v         Verdict
	ruleHolds int // holds from the content rules, which the classifier may confirm
}

func (s *screen) hold(reason string, rule bool) {
	if s.v.Status == StatusPublished {
		s.v.Status = StatusPending
	}
	if rule {
		s.ruleHolds++
	}
	s.v.Reasons = append(s.v.Reasons, reason)
}

func (s *screen) spam(reason string) {
	s.v.Status = StatusSpam
	s.v.Reasons = append(s.v.Reasons, reason)
}

// Screen decides whether a note publishes at once, waits for a moderator,
// or is spam, in layers: rules (honeypot, posting speed, links, repeated
// text, blocked terms), the author's standing and pre-moderation, the
// classifier, and Akismet when configured. Private notes, which no one else
// sees, moderators' notes, and a class's educators' notes in that class
// publish at once. Approved notes build trust where they were seen: public
// ones everywhere, a class's notes in that class only, since its educators
// approve them (see screeningStanding).
func Screen(ctx context.Context, db *gorm.DB, cfg ScreenConfig, sub Submission) (Verdict, error) {
	cfg = cfg.WithDefaults()
	s := &screen{v: Verdict{Status: StatusPublished, Score: -1, sub: sub}}
	in := sub.Input
	s.v.BodyHash = bodyHash(in.Body)
	visibility, classID := in.Visibility, in.ClassID
	if sub.Parent != nil {
		visibility, classID = sub.Parent.Visibility, sub.Parent.ClassID
	}
	if visibility != VisibilityClass {
		classID = nil
	}
	switch {
	case visibility == VisibilityPrivate:
		s.v.Reasons = []string{"private note"}
		return s.v, nil
	case sub.Author.IsModerator():
		s.v.Reasons = []string{"written by a moderator"}
		return s.v, nil
	case classID != nil:
		role, err := MembershipOf(db, *classID, sub.Author.ID)
		if err != nil {
			return Verdict{}, err
		}
		if role == MemberEducator {
			s.v.Reasons = []string{"written by the class's educator"}
			return s.v, nil
		}
	}
	standing, err := screeningStanding(db, sub.Author.ID, classID, max(cfg.TrustedAfter, cfg.NewAccountHeld))
	if err != nil {
		return Verdict{}, err
	}
	trusted := standing.Approved >= cfg.TrustedAfter && standing.Spam == 0
	settings, err := ReadScreenSettings(db, sub.DocumentID)
	if err != nil {
		return Verdict{}, err
	}
	if err := s.rules(db, cfg, sub, settings.Terms, trusted); err != nil {
		return Verdict{}, err
	}
	s.standing(cfg, standing, settings, trusted)
	if err := s.classify(db, cfg, ScreenedText(in), trusted); err != nil {
		return Verdict{}, err
	}
	if cfg.Akismet != nil && !trusted && s.v.Status != StatusSpam {
		s.askAkismet(ctx, cfg.Akismet, sub)
	}
	return s.v, nil
}

// screeningStanding is the part of an author's record screening needs, with
// approved notes counted only up to limit: the work stays the same however
// many notes a prolific author has written. Approved notes count when they
// are public, or, for a note in a class (classID), in that class: a class's
// educators approve its notes, and that must not make the author trusted
// across the site. Spam anywhere counts.
func screeningStanding(db *gorm.DB, userID uint, classID *uint, limit int) (Standing, error) {
	approved, args := "visibility = ?", []any{userID, StatusPublished, VisibilityPublic}
	if classID != nil {
		approved, args = "(visibility = ? OR (visibility = ? AND class_id = ?))", append(args, VisibilityClass, *classID)
	}
	var rows []struct{ K string }
	err := db.Raw(`SELECT k FROM (SELECT 'approved' AS k FROM annotations WHERE author_id = ? AND status = ? AND `+approved+` LIMIT ?) approved
		UNION ALL SELECT k FROM (SELECT 'spam' AS k FROM annotations WHERE author_id = ? AND visibility <> ? AND status = ? LIMIT 1) spam
		UNION ALL SELECT k FROM (SELECT 'any' AS k FROM annotations WHERE author_id = ? AND visibility <> ? LIMIT 1) anything`,
		append(args, limit,
			userID, VisibilityPrivate, StatusSpam,
			userID, VisibilityPrivate)...).Scan(&rows).Error
	var st Standing
	for _, r := range rows {
		switch r.K {
		case "approved":
			st.Approved++
		case "spam":
			st.Spam++
		case "any":
			st.Total = 1
		}
	}
	st.Total = max(st.Total, st.Approved)
	return st, err
}

// StandingFor is the author's record as screening would read it for a note
// like a now (approved notes counted up to limit, in a's class when it is a
// class note): a moderator's queue shows it as it is when the item is
// shown, not as it was when the note came in.
func StandingFor(db *gorm.DB, a *Annotation, limit int) (Standing, error) {
	var classID *uint
	if a.Visibility == VisibilityClass {
		classID = a.ClassID
	}
	return screeningStanding(db, a.AuthorID, classID, limit)
}

// untrainedReason is what screening records when the classifier had
// learnt nothing: the score beside it (0.5) means nothing.
const untrainedReason = "classifier untrained"

// abstainedPrefix starts the reason the classifier gives when a note is
// unlike anything it learnt: its 0.5 then is no opinion either.
const abstainedPrefix = "classifier abstains"

// Untrained tells whether the classifier had learnt nothing when it scored
// the note.
func (s *Screening) Untrained() bool {
	for _, r := range s.ReasonList() {
		if r == untrainedReason {
			return true
		}
	}
	return false
}

// Abstained tells whether the classifier gave no opinion on the note, as
// unlike anything it learnt.
func (s *Screening) Abstained() bool {
	for _, r := range s.ReasonList() {
		if strings.HasPrefix(r, abstainedPrefix) {
			return true
		}
	}
	return false
}

// isStandingReason tells the reasons that said what the author's record
// was when the note came in ("first post of a new account", "new account:
// 0 of 1 notes approved so far", "trusted author (…)"): true then, stale
// as soon as a moderator approves another of their notes.
func isStandingReason(r string) bool {
	return r == "first post of a new account" || strings.HasPrefix(r, "new account: ") || strings.HasPrefix(r, "trusted author (")
}

// rules are the checks that need no model.
func (s *screen) rules(db *gorm.DB, cfg ScreenConfig, sub Submission, terms []BlockedTerm, trusted bool) error {
	if strings.TrimSpace(sub.Honeypot) != "" {
		s.spam("hidden honeypot field filled in")
	}
	if !trusted && cfg.MinFormTime > 0 && !sub.ByToken {
		switch elapsed := sub.Now.Sub(sub.FormShownAt); {
		case sub.FormShownAt.IsZero():
			s.hold("form not shown by this site", true)
		case elapsed < cfg.MinFormTime:
			s.hold(fmt.Sprintf("posted %s after the form was shown", roundDuration(elapsed)), true)
		case elapsed > cfg.MaxFormAge:
			s.hold(fmt.Sprintf("posted %s after the form was shown", roundDuration(elapsed)), true)
		case sub.FormReused:
			s.hold("form already used for another note", true)
		}
	}
	if n := countLinks(sub.Input.Body); !trusted && n > cfg.MaxLinks {
		s.hold(plural(n, "link"), true)
	}
	if err := s.duplicates(db, cfg, sub, trusted); err != nil {
		return err
	}
	text := ScreenedText(sub.Input)
	for _, t := range terms {
		if containsTerm(text, t.Term) {
			reason := fmt.Sprintf("blocked term %q", t.Term)
			if t.Action == StatusSpam {
				s.spam(reason)
			} else {
				s.hold(reason, true)
			}
		}
	}
	return nil
}

// duplicates holds a text the same author posted recently, or that other
// accounts posted: one other account holds it, two or more make it spam.
func (s *screen) duplicates(db *gorm.DB, cfg ScreenConfig, sub Submission, trusted bool) error {
	if s.v.BodyHash == "" {
		return nil
	}
	var earlier []Screening
	err := db.Model(&Screening{}).Select("screenings.author_id", "screenings.created_at").
		Joins("JOIN annotations ON annotations.id = screenings.annotation_id").
		Where("screenings.body_hash = ? AND screenings.created_at > ? AND annotations.deleted_at IS NULL",
			s.v.BodyHash, sub.Now.Add(-cfg.DuplicateWindow)).
		Order("screenings.created_at DESC").Limit(50).Find(&earlier).Error
	if err != nil {
		return err
	}
	others := map[uint]bool{}
	var own *Screening
	for i, e := range earlier {
		if e.AuthorID == sub.Author.ID {
			if own == nil {
				own = &earlier[i]
			}
		} else {
			others[e.AuthorID] = true
		}
	}
	switch {
	case len(others) >= 2:
		s.spam(fmt.Sprintf("same text posted by %d other accounts", len(others)))
	case len(others) == 1:
		s.hold("same text posted by another account", true)
	}
	if own != nil && !trusted {
		s.hold("same text posted "+roundDuration(sub.Now.Sub(own.CreatedAt))+" ago", true)
	}
	return nil
}

// standing holds the first notes of new accounts and notes on documents
// (or a site) under pre-moderation.
func (s *screen) standing(cfg ScreenConfig, st Standing, settings ScreenSettings, trusted bool) {
	switch {
	case trusted:
		s.v.Reasons = append(s.v.Reasons, fmt.Sprintf("trusted author (%s approved)", plural(st.Approved, "note")))
	case cfg.NewAccountHeld > 0 && st.Approved < cfg.NewAccountHeld:
		if st.Approved == 0 && st.Total == 0 {
			s.hold("first post of a new account", false) // see isStandingReason
		} else {
			s.hold(fmt.Sprintf("new account: %d of %d notes approved so far", st.Approved, cfg.NewAccountHeld), false)
		}
	}
	if settings.Site {
		s.hold("the site is on pre-moderation", false)
	} else if settings.Document {
		s.hold("this document is on pre-moderation", false)
	}
}

// classify asks the classifier. Its score alone holds or, when high,
// condemns a note; it turns a rule's hold into spam when it is well past
// the hold score too (half way to the spam score): a note with many links
// and a middling score waits for a moderator rather than going to Spam. A
// trusted author's note it never condemns, and holds only when a rule
// holds it too: the classifier's word alone is not enough against a
// record of approved notes.
func (s *screen) classify(db *gorm.DB, cfg ScreenConfig, text string, trusted bool) error {
	score, reasons, err := NewClassifier(db).Score(text)
	if err != nil {
		return err
	}
	s.v.Score = score
	switch {
	case len(reasons) == 1 && reasons[0] == untrainedReason:
		s.v.Reasons = append(s.v.Reasons, reasons[0])
	case score >= cfg.SpamScore && !trusted, score >= (cfg.HoldScore+cfg.SpamScore)/2 && s.ruleHolds > 0 && !trusted:
		s.v.Status = StatusSpam
		s.v.Reasons = append(s.v.Reasons, reasons...)
	case score >= cfg.HoldScore && trusted && s.ruleHolds == 0:
		s.v.Reasons = append(s.v.Reasons, reasons[0]+" (not held: trusted author, no other signal)")
	case score >= cfg.HoldScore:
		s.hold(reasons[0], false)
		s.v.Reasons = append(s.v.Reasons, reasons[1:]...)
	default:
		s.v.Reasons = append(s.v.Reasons, reasons[0])
	}
	return nil
}

func (s *screen) askAkismet(ctx context.Context, k *Akismet, sub Submission) {
	ctx, cancel := context.WithTimeout(ctx, 4*time.Second)
	defer cancel()
	verdict, err := k.Check(ctx, akismetComment(sub.Author, sub.Parent != nil, ScreenedText(sub.Input), sub.IP, sub.UserAgent, sub.Referrer, sub.Permalink, sub.Now))
	switch {
	case err != nil:
		s.v.Akismet = "error"
		s.v.Reasons = append(s.v.Reasons, "Akismet did not answer")
	case verdict.Discard:
		s.v.Akismet = "spam"
		s.spam("Akismet: blatant spam")
	case verdict.Spam:
		s.v.Akismet = "spam"
		s.spam("Akismet: spam")
	default:
		s.v.Akismet = "ham"
	}
}

func akismetComment(author *User, reply bool, text, ip, agent, referrer, permalink string, at time.Time) AkismetComment {
	kind := "comment"
	if reply {
		kind = "reply"
	}
	return AkismetComment{UserIP: ip, UserAgent: agent, Referrer: referrer, Permalink: permalink, CommentType: kind,
		Author: author.Username, AuthorEmail: author.Email, Content: text, Date: at, UserRole: string(author.Role)}
}

// RecordScreening keeps the verdict on a stored annotation, and tells the
// moderators' pages that a queue grew.
func RecordScreening(db *gorm.DB, a *Annotation, v Verdict) error {
	at := v.sub.Now
	if at.IsZero() {
		at = a.CreatedAt
	}
	return db.Transaction(func(tx *gorm.DB) error { return recordScreening(tx, a, v, at) })
}

// recordScreening is RecordScreening inside a transaction the caller holds.
func recordScreening(tx *gorm.DB, a *Annotation, v Verdict, at time.Time) error {
	// Written by hand: this runs on every post while the write turn is held
	// (TestScreeningRecordedInFull reads every column back).
	err := tx.Exec(`INSERT INTO screenings (annotation_id, author_id, score, reasons, body_hash, akismet, ip, user_agent, referrer, learnt, learnt_text, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', ?)`,
		a.ID, a.AuthorID, v.Score, strings.Join(v.Reasons, "\n"), v.BodyHash, v.Akismet, v.sub.IP,
		truncateRunes(v.sub.UserAgent, 500), truncateRunes(v.sub.Referrer, 2000), at).Error
	if err != nil {
		return err
	}
	if a.Status != StatusPublished {
		return touchModerators(tx, a.ID)
	}
	return nil
}

// ScreeningOf returns the screening of an annotation, or an empty one for
// notes written before screening was recorded.
func ScreeningOf(db *gorm.DB, a *Annotation) (*Screening, error) {
	var s Screening
	err := db.Where("annotation_id = ?", a.ID).Limit(1).Find(&s).Error
	if err != nil {
		return nil, err
	}
	if s.AnnotationID == 0 {
		s = Screening{AnnotationID: a.ID, AuthorID: a.AuthorID, Score: -1, CreatedAt: a.CreatedAt}
		if err := db.Create(&s).Error; err != nil {
			return nil, err
		}
	}
	return &s, nil
}
