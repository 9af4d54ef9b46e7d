package models

import (
	"errors"
	"html/template"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"margin/models/markup"
)

// MaxCitations bounds a reference's list.
const MaxCitations = 10

// AnnotationInput is what the composer sends.
type AnnotationInput struct {
	Kind         Kind
	Body         string
	Counterpoint string
	Citations    []Citation
	Visibility   Visibility
	ClassID      *uint
	// Anchor, for a new top-level annotation.
	Passage   int
	Quote     string
	QuoteHint int // code point offset of the selection in the text, -1 if unknown

	// Unplaced keeps a note whose target was not found in the document (a
	// Protocol client's or an import's): it is stored as an orphan of the
	// current revision, passage 0, and its target in Origin.
	Unplaced bool
	// Origin, when set, is stored beside the note (see AnnotationOrigin).
	Origin *AnnotationOrigin

	// Verdict, when set, is the spam check's result, stored with the note.
	// Its record also counts the post against the posting limits.
	Verdict *Verdict
	// PostLimits, when set with Verdict, are checked in the post's own
	// transaction: a post past them is not stored (*RateLimitError).
	PostLimits *PostLimits
}

// reserveWith checks the posting limits in the note's transaction, before
// the note is written.
func (in *AnnotationInput) reserveWith(tx *gorm.DB, authorID uint) error {
	if in.Verdict == nil || in.PostLimits == nil {
		return nil
	}
	now := in.Verdict.sub.Now
	if now.IsZero() {
		now = tx.NowFunc()
	}
	return reservePost(tx, authorID, in.Verdict.sub.IP, *in.PostLimits, now)
}

// recordWith stores, in the note's own transaction, what the input asks to
// keep beside it: one write transaction per post.
func (in *AnnotationInput) recordWith(tx *gorm.DB, a *Annotation) error {
	if in.Origin != nil {
		o := *in.Origin
		o.AnnotationID, o.DocumentID = a.ID, a.DocumentID
		if err := tx.Create(&o).Error; err != nil {
			return err
		}
	}
	if in.Verdict != nil {
		at := in.Verdict.sub.Now
		if at.IsZero() {
			at = a.CreatedAt
		}
		return recordScreening(tx, a, *in.Verdict, at)
	}
	return nil
}

// validate checks the input and renders its body.
func (in *AnnotationInput) validate() (template.HTML, FieldErrors) {
	fe := FieldErrors{}
	if !in.Kind.Valid() {
		fe["kind"] = "Choose what kind of note this is."
	}
	in.Body = strings.TrimSpace(strings.ReplaceAll(in.Body, "\r\n", "\n"))
	in.Counterpoint = strings.TrimSpace(in.Counterpoint)
	var html template.HTML
	if utf8.RuneCountInString(in.Body) > markup.MaxBodyLen {
		fe["body"] = "Keep it under 10,000 characters (this has " + itoa(utf8.RuneCountInString(in.Body)) + ")."
	} else if in.Body == "" && in.Kind != KindReference {
		fe["body"] = "Write something first."
	} else if in.Body != "" {
		var err error
		html, err = markup.Render(in.Body)
		if errors.Is(err, markup.ErrEmpty) && in.Kind != KindReference {
			fe["body"] = "Nothing readable is left of this text once unsafe markup is removed."
		} else if err != nil && !errors.Is(err, markup.ErrEmpty) {
			fe["body"] = err.Error()
		}
	}
	if in.Kind == KindDisagreement && in.Counterpoint == "" {
		fe["counterpoint"] = "A disagreement states its counterpoint: what do you hold instead?"
	} else if utf8.RuneCountInString(in.Counterpoint) > 1000 {
		fe["counterpoint"] = "Keep the counterpoint under 1,000 characters."
	}
	if in.Kind != KindDisagreement {
		in.Counterpoint = ""
	}
	cites, msg := cleanCitations(in.Citations)
	in.Citations = cites
	if msg != "" {
		fe["citations"] = msg
	} else if in.Kind == KindReference && len(cites) == 0 {
		fe["citations"] = "A reference needs at least one citation: a title, with its link if it has one, or a bibliographic entry."
	}
	switch in.Visibility {
	case VisibilityPublic, VisibilityPrivate:
	case VisibilityClass:
		if in.ClassID == nil {
			fe["visibility"] = "Choose a class to share this with."
		}
	case "":
		in.Visibility = VisibilityPublic
	default:
		fe["visibility"] = "Choose who can see this."
	}
	if len(fe) > 0 {
		return "", fe
	}
	return html, nil
}

func cleanCitations(in []Citation) ([]Citation, string) {
	var out []Citation
	for _, c := range in {
		c.Title, c.URL, c.Text = strings.TrimSpace(c.Title), strings.TrimSpace(c.URL), strings.TrimSpace(c.Text)
		if c.Title == "" && c.URL == "" && c.Text == "" {
			continue
		}
		n := len(out) + 1
		if c.URL != "" {
			u, err := markup.ValidURL(c.URL)
			if err != nil {
				return nil, "Citation " + itoa(n) + ": " + err.Error()
			}
			c.URL = u
			if c.Title == "" {
				return nil, "Citation " + itoa(n) + ": give the linked source a title."
			}
		}
		// A title alone ("The North Atlantic Treaty, 1949") is a
		// bibliographic entry, as the form's legend says: it stands.
		if utf8.RuneCountInString(c.Title) > 500 || utf8.RuneCountInString(c.Text) > 2000 {
			return nil, "Citation " + itoa(n) + " is too long."
		}
		c.Position = n
		c.ID, c.AnnotationID = 0, 0
		out = append(out, c)
	}
	if len(out) > MaxCitations {
		return nil, "At most " + itoa(MaxCitations) + " citations per reference."
	}
	return out, ""
}
