package models

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"gorm.io/gorm"
)

// AkismetDefaultURL is Akismet's REST endpoint.
const AkismetDefaultURL = "https://rest.akismet.com"

// Akismet is a client of the Akismet spam service (REST API 1.1). It is the
// only part of Margin that calls out to another site, and only when an API
// key is configured.
type Akismet struct {
	Key string
	// BaseURL is AkismetDefaultURL unless tests point it elsewhere.
	BaseURL string
	// Blog is the site's public address, sent with every request.
	Blog string
	// HTTP is the client used; nil means one with a 5-second timeout.
	HTTP *http.Client
}

// AkismetComment is what Akismet is told about an annotation, in the
// fields its documentation lists for comment-check, submit-spam and
// submit-ham.
type AkismetComment struct {
	UserIP      string
	UserAgent   string
	Referrer    string
	Permalink   string
	CommentType string // "comment" for a note, "reply" for a reply
	Author      string
	AuthorEmail string
	Content     string
	Date        time.Time // when it was written
	// PostModified is when the document annotated last changed.
	PostModified time.Time
	UserRole     string
}

// AkismetVerdict is comment-check's answer.
type AkismetVerdict struct {
	Spam bool
	// Discard is Akismet's "blatant spam, no need to review" hint.
	Discard bool
}

// ErrAkismet wraps every failure to get an answer from Akismet.
var ErrAkismet = errors.New("akismet")

func (k *Akismet) form(c AkismetComment) url.Values {
	v := url.Values{}
	set := func(key, val string) {
		if val != "" {
			v.Set(key, val)
		}
	}
	set("api_key", k.Key)
	set("blog", k.Blog)
	set("user_ip", c.UserIP)
	set("user_agent", c.UserAgent)
	set("referrer", c.Referrer)
	set("permalink", c.Permalink)
	set("comment_type", c.CommentType)
	set("comment_author", c.Author)
	set("comment_author_email", c.AuthorEmail)
	set("comment_content", c.Content)
	if !c.Date.IsZero() {
		set("comment_date_gmt", c.Date.UTC().Format(time.RFC3339))
	}
	if !c.PostModified.IsZero() {
		set("comment_post_modified_gmt", c.PostModified.UTC().Format(time.RFC3339))
	}
	set("user_role", c.UserRole)
	set("blog_lang", "en")
	set("blog_charset", "UTF-8")
	return v
}

func (k *Akismet) post(ctx context.Context, method string, c AkismetComment) (string, http.Header, error) {
	base := strings.TrimRight(k.BaseURL, "/")
	if base == "" {
		base = AkismetDefaultURL
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/1.1/"+method, strings.NewReader(k.form(c).Encode()))
	if err != nil {
		return "", nil, fmt.Errorf("%w %s: %v", ErrAkismet, method, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
	req.Header.Set("User-Agent", "Margin/1.0 | Akismet-Go/1.0")
	client := k.HTTP
	if client == nil {
		client = &http.Client{Timeout: 5 * time.Second}
	}
	res, err := client.Do(req)
	if err != nil {
		return "", nil, fmt.Errorf("%w %s: %v", ErrAkismet, method, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 4096))
	if err != nil {
		return "", nil, fmt.Errorf("%w %s: %v", ErrAkismet, method, err)
	}
	text := strings.TrimSpace(string(body))
	if res.StatusCode != http.StatusOK {
		return "", nil, fmt.Errorf("%w %s: HTTP %d %s", ErrAkismet, method, res.StatusCode, text)
	}
	return text, res.Header, nil
}

// Check asks comment-check whether c is spam.
func (k *Akismet) Check(ctx context.Context, c AkismetComment) (AkismetVerdict, error) {
	text, h, err := k.post(ctx, "comment-check", c)
	if err != nil {
		return AkismetVerdict{}, err
	}
	switch text {
	case "true":
		return AkismetVerdict{Spam: true, Discard: h.Get("X-akismet-pro-tip") == "discard"}, nil
	case "false":
		return AkismetVerdict{}, nil
	}
	if help := h.Get("X-akismet-debug-help"); help != "" {
		text += " (" + help + ")"
	}
	return AkismetVerdict{}, fmt.Errorf("%w comment-check: unexpected answer %q", ErrAkismet, text)
}

// SubmitSpam reports a comment Akismet let through that a moderator judged spam.
func (k *Akismet) SubmitSpam(ctx context.Context, c AkismetComment) error {
	return k.submit(ctx, "submit-spam", c)
}

// SubmitHam reports a comment wrongly held as spam that a moderator published.
func (k *Akismet) SubmitHam(ctx context.Context, c AkismetComment) error {
	return k.submit(ctx, "submit-ham", c)
}

func (k *Akismet) submit(ctx context.Context, method string, c AkismetComment) error {
	text, _, err := k.post(ctx, method, c)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(text, "Thanks") {
		return fmt.Errorf("%w %s: unexpected answer %q", ErrAkismet, method, text)
	}
	return nil
}

// ReportDecision tells Akismet where a moderator's verdict differs from
// what Akismet last knew of a note: submit-spam for a note sent to spam
// that it had not called spam, submit-ham for a published note it had.
// It does nothing without a client, for notes whose sender's address was
// never recorded, or for decisions that leave Akismet right.
func ReportDecision(ctx context.Context, db *gorm.DB, k *Akismet, d *Decision) error {
	if k == nil || d.AnnotationID == nil {
		return nil
	}
	a, err := AnnotationByID(db, *d.AnnotationID)
	if err != nil {
		return err
	}
	scr, err := ScreeningOf(db, a)
	if err != nil || scr.IP == "" {
		return err
	}
	var submit func(context.Context, AkismetComment) error
	var now string
	switch {
	case a.Status == StatusSpam && scr.Akismet != "spam":
		submit, now = k.SubmitSpam, "spam"
	case a.Status == StatusPublished && scr.Akismet == "spam":
		submit, now = k.SubmitHam, "ham"
	default:
		return nil
	}
	permalink := strings.TrimSuffix(k.Blog, "/") + "/documents/" + itoa(int(a.DocumentID))
	c := akismetComment(&a.Author, a.IsReply(), AnnotationText(a), scr.IP, scr.UserAgent, scr.Referrer, permalink, scr.CreatedAt)
	if err := submit(ctx, c); err != nil {
		return err
	}
	return db.Model(&Screening{}).Where("annotation_id = ?", a.ID).Update("akismet", now).Error
}
