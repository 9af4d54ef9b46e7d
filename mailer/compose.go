package mailer

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode/utf8"

	gomail "github.com/wneessen/go-mail"

	"margin/models"
)

//go:embed templates
var templateFiles embed.FS

// templates are each message's plain-text and HTML bodies.
type templates struct {
	text map[string]*texttemplate.Template
	html map[string]*htmltemplate.Template
}

func (w *Worker) parseTemplates() error {
	funcs := map[string]any{
		"site":     func(path string) string { return w.SiteURL + path },
		"noteLink": func(n models.MailNote) string { return fmt.Sprintf("%s/annotations/%d", w.SiteURL, n.Annotation.ID) },
		"noteLine": noteLine,
		"excerpt":  func(n models.MailNote) string { return cut(noteText(n), 300) },
		"more": func(g models.DigestGroup) string {
			if extra := g.Total - int64(len(g.Notes)); extra > 0 {
				return fmt.Sprintf("and %d more on the site.\n", extra)
			}
			return ""
		},
	}
	w.tmpl = templates{text: map[string]*texttemplate.Template{}, html: map[string]*htmltemplate.Template{}}
	for _, name := range []string{"note", "digest", "confirm"} {
		t, err := texttemplate.New(name+".txt").Funcs(funcs).ParseFS(templateFiles, "templates/"+name+".txt")
		if err != nil {
			return err
		}
		h, err := htmltemplate.New(name+".html").Funcs(funcs).ParseFS(templateFiles, "templates/"+name+".html")
		if err != nil {
			return err
		}
		w.tmpl.text[name], w.tmpl.html[name] = t, h
	}
	return nil
}

// noteLine says who wrote a note and why it is in the message.
func noteLine(n models.MailNote) string {
	who, doc := n.Annotation.Author.Username, "“"+n.Document.Title+"”"
	switch n.Reason {
	case models.ReasonReply:
		return who + " replied to your note on " + doc
	case models.ReasonMention:
		return who + " mentioned you on " + doc
	case models.ReasonFeedback:
		if n.Feedback != nil {
			return n.Feedback.Author.Username + " left feedback on your note on " + doc
		}
		return "Your educator left feedback on your note on " + doc
	}
	return who + " on " + doc
}

// noteText is what a message quotes: the note, or the feedback on it.
func noteText(n models.MailNote) string {
	if n.Feedback != nil {
		return n.Feedback.Body
	}
	return n.Annotation.Body
}

// cut shortens s to about n characters at a word boundary.
func cut(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	if i := strings.LastIndexAny(string(r), " \n"); i > n/2 {
		return strings.TrimSpace(string(r)[:i]) + " …"
	}
	return string(r) + "…"
}

// letter is what a message's templates are given.
type letter struct {
	Subject, Headline, Why string
	Site, Settings         string
	Unsubscribe            string
	Quote, Link, Username  string
	Digest                 *models.Digest
}

// compose puts m together as it may be sent now, or says why there is
// nothing to send (*models.ErrNothingToSend).
func (w *Worker) compose(m *models.OutboxMessage) (*gomail.Msg, error) {
	db := w.DB
	r, err := models.RecipientOf(db, m, w.now())
	if err != nil {
		return nil, err
	}
	l := letter{Site: w.SiteURL, Settings: w.SiteURL + "/account#email"}
	var name, list string
	switch m.Kind {
	case models.OutboxConfirm:
		name = "confirm"
		l.Subject = "Confirm your e-mail address for Margin"
		l.Username = r.User.Username
		l.Link = w.SiteURL + "/mail/confirm/" + models.ConfirmToken(w.SiteKey, r.User, w.now().Add(7*24*time.Hour))
	case models.OutboxNote:
		n, err := models.NoteOf(db, r, m)
		if err != nil {
			return nil, err
		}
		name, list = "note", models.ListReplies
		l.Headline = noteLine(*n) + ":"
		l.Subject = l.Headline[:len(l.Headline)-1]
		l.Quote = cut(noteText(*n), 2000)
		l.Link = fmt.Sprintf("%s/annotations/%d", w.SiteURL, n.Annotation.ID)
		l.Why = "You get this message because " + noteLine(*n) +
			", and you chose to get replies, mentions and feedback by e-mail at once."
	case models.OutboxDigest:
		if m.WindowStart == nil || m.WindowEnd == nil {
			return nil, &models.ErrNothingToSend{Reason: "a digest without its window"}
		}
		d, err := models.DigestOf(db, r, *m.WindowStart, *m.WindowEnd)
		if err != nil {
			return nil, err
		}
		if d.Empty() {
			return nil, &models.ErrNothingToSend{Reason: "nothing new for the digest"}
		}
		name, list = "digest", models.ListDigest
		l.Digest = d
		l.Subject = "Your Margin digest: " + digestSummary(d)
		l.Headline = fmt.Sprintf("What happened on Margin from %s to %s (UTC):",
			m.WindowStart.UTC().Format("2 Jan 15:04"), m.WindowEnd.UTC().Format("2 Jan 15:04"))
		l.Why = "You get this daily digest because you chose it for " + digestReasons(r.Settings, d) + "."
	default:
		return nil, &models.ErrNothingToSend{Reason: "unknown kind " + string(m.Kind)}
	}
	if list != "" {
		l.Unsubscribe = w.SiteURL + "/mail/unsubscribe/" + models.UnsubscribeToken(w.SiteKey, r.User.ID, list)
	}
	return w.message(m, r.Address, name, l)
}

// message renders a letter into a message with its headers.
func (w *Worker) message(m *models.OutboxMessage, to, name string, l letter) (*gomail.Msg, error) {
	var text, html bytes.Buffer
	if err := w.tmpl.text[name].Execute(&text, l); err != nil {
		return nil, err
	}
	if err := w.tmpl.html[name].Execute(&html, l); err != nil {
		return nil, err
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(w.From); err != nil {
		return nil, fmt.Errorf("MARGIN_MAIL_FROM %q: %w", w.From, err)
	}
	if err := msg.To(to); err != nil {
		return nil, &models.ErrNothingToSend{Reason: "the address is not one a server takes: " + err.Error()}
	}
	msg.Subject(l.Subject)
	msg.SetMessageIDWithValue(strings.Trim(m.MessageID(w.host()), "<>"))
	msg.SetDateWithValue(w.now())
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	if l.Unsubscribe != "" {
		// RFC 8058: the mail client POSTs List-Unsubscribe=One-Click to the
		// address, with no cookie; it must be https for clients to offer it.
		msg.SetListUnsubscribe(l.Unsubscribe)
		if strings.HasPrefix(l.Unsubscribe, "https://") {
			msg.SetListUnsubscribePost()
		}
		msg.SetBulk()
	}
	msg.SetBodyString(gomail.TypeTextPlain, text.String())
	msg.AddAlternativeString(gomail.TypeTextHTML, html.String())
	return msg, nil
}

func (w *Worker) host() string {
	if u, err := url.Parse(w.SiteURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "margin.invalid"
}

func digestSummary(d *models.Digest) string {
	var parts []string
	if n := len(d.Replies); n > 0 {
		parts = append(parts, plural(int64(n), "reply or mention", "replies and mentions"))
	}
	var followed, taught int64
	for _, g := range d.Followed {
		followed += g.Total
	}
	for _, g := range d.Teaching {
		taught += g.Total
	}
	if followed > 0 {
		parts = append(parts, plural(followed, "new note you follow", "new notes you follow"))
	}
	if taught > 0 {
		parts = append(parts, plural(taught, "note in your classes", "notes in your classes"))
	}
	if d.Waiting > 0 {
		parts = append(parts, plural(d.Waiting, "note waiting for review", "notes waiting for review"))
	}
	return strings.Join(parts, ", ")
}

func digestReasons(s models.MailSettings, d *models.Digest) string {
	var parts []string
	if s.Replies == models.MailDigest && len(d.Replies) > 0 {
		parts = append(parts, "replies and mentions")
	}
	if len(d.Followed) > 0 {
		parts = append(parts, "the documents and classes you follow")
	}
	if len(d.Teaching) > 0 || d.Waiting > 0 {
		parts = append(parts, "the classes you teach")
	}
	return strings.Join(parts, ", ")
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
