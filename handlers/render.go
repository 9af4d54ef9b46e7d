package handlers

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"margin/models"
	"margin/models/anchor"
	"margin/models/markup"
)

// templateData is what every page gets. Page holds the page's own typed data.
type templateData struct {
	Title string
	User  *models.User
	// Unread is the user's unread inbox count, for the navigation.
	Unread int64
	csrf   func() string
	Flash  string
	Path   string
	Errors models.FieldErrors
	Form   url.Values
	Page   any
	// Feeds are the page's Atom feeds, for <link rel="alternate">.
	Feeds   []feedLink
	Status  int
	Message string
	// stampLater, when set, is written where the form stamps go, for
	// servePage to replace (see formStamp).
	stampLater string
	// tmpl is the template set being executed, for ViewerPart and Part.
	tmpl *template.Template
	// share, when set, renders a passage for every reader at once (see
	// ViewerPart); shellNonce, when set, leaves the page's per-request
	// parts out (see Part).
	share      *fragmentRecorder
	shellNonce string
	// kept holds the parts of a page shell's per-request parts that the
	// shell's key already names (see Kept).
	kept *keptParts
}

// viewerPartArg is what a ViewerPart template gets: the page's data (or a
// stand-in reader's), and the note or passage it is about.
type viewerPartArg struct {
	D *templateData
	T *models.Thread
	P *models.PassageView
}

// ViewerPart renders the named template, the part of a note or passage
// that depends on who reads it (buttons, forms and their tokens). A
// passage rendered to be shared (share set) gets it once for each kind of
// reader, to be chosen, with the reader's CSRF token, when the page is
// put together (see sharedFragment).
func (d *templateData) ViewerPart(name string, t *models.Thread, p *models.PassageView) (template.HTML, error) {
	if d.share != nil {
		return d.share.hole(d, name, t, p)
	}
	return d.execute(name, viewerPartArg{D: d, T: t, P: p})
}

// Part renders the named template with the page's data, or, in a page
// shell (shellNonce set), leaves a mark where it goes: the part is
// rendered each time the page is put together (see documentAssemble).
func (d *templateData) Part(name string) (template.HTML, error) {
	if d.shellNonce != "" {
		return template.HTML(d.shellNonce + "s" + name + "."), nil
	}
	return d.execute(name, d)
}

func (d *templateData) execute(name string, arg any) (template.HTML, error) {
	if d.tmpl == nil {
		return "", fmt.Errorf("template %q: no template set", name)
	}
	// A part is rarely over a couple of kilobytes: written into one
	// allocation that becomes the string (a bytes.Buffer grew some five
	// times and then copied, a sixth of the cost of a passage's parts).
	var b strings.Builder
	b.Grow(2 << 10)
	if err := d.tmpl.ExecuteTemplate(&b, name, arg); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil
}

func (a *App) newTemplateData(c echo.Context, title string, page any) *templateData {
	d := &templateData{
		Title: title,
		User:  a.currentUser(c),
		csrf:  func() string { return a.csrfToken(c) },
		Flash: a.popFlash(c),
		Path:  c.Request().URL.Path,
		Page:  page,
		Feeds: []feedLink{siteFeed},
	}
	d.Unread = a.unread(c)
	return d
}

// CSRF is called by templates that contain a form; pages without one never
// create a visitor session.
func (d *templateData) CSRF() string {
	if d.csrf == nil {
		return ""
	}
	return d.csrf()
}

// render executes a page into a buffer first, so a template error becomes a
// clean 500 page instead of half a page.
func (a *App) render(c echo.Context, status int, page string, data *templateData) error {
	body, err := a.renderBytes(page, data)
	if err != nil {
		return err
	}
	if h := c.Response().Header(); h.Get("Cache-Control") == "" {
		// A visitor's page; a user's is private, no-store (see loadSession).
		h.Set("Cache-Control", "no-cache")
	}
	return c.HTMLBlob(status, body)
}

func (a *App) renderBytes(page string, data *templateData) ([]byte, error) {
	t, ok := a.pages[page]
	if !ok {
		return nil, fmt.Errorf("no page template %q", page)
	}
	var buf bytes.Buffer
	data.tmpl = t
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		return nil, fmt.Errorf("render %s: %w", page, err)
	}
	return buf.Bytes(), nil
}

// renderForm re-renders a form page with its errors and the input kept.
func (a *App) renderForm(c echo.Context, page, title string, fe models.FieldErrors, pageData any) error {
	data := a.newTemplateData(c, title, pageData)
	data.Errors = fe
	form, _ := c.FormParams()
	data.Form = form
	status := http.StatusOK
	switch {
	case storeFailed(c, fe):
		status = http.StatusServiceUnavailable
	case fe != nil:
		status = http.StatusUnprocessableEntity
	}
	return a.render(c, status, page, data)
}

// redirect sends the browser on after a successful form (303: GET the result).
// A form the page's script sends itself (the inline composer, so that its
// errors stay in place) asks with fetchHeader to be told where to go instead:
// a followed redirect would lose the address's #fragment.
func redirect(c echo.Context, to string) error {
	if c.Request().Header.Get(fetchHeader) != "" {
		c.Response().Header().Set(locationHeader, to)
		return c.NoContent(http.StatusNoContent)
	}
	return c.Redirect(http.StatusSeeOther, to)
}

const (
	fetchHeader    = "X-Margin-Fetch"
	locationHeader = "X-Margin-Location"
)

// safeNext keeps post-login redirects on this site.
func safeNext(next string) string { return safeLocalPath(next, "/") }

func (a *App) templateFuncs() template.FuncMap {
	// badges are the kinds' badges, each rendered once through the
	// "kind-badge" template for every note card that shows it: the
	// template's method calls and escapes were a tenth of a card.
	var badges sync.Map // models.Kind → template.HTML
	return template.FuncMap{
		"kindBadge": func(k models.Kind) (template.HTML, error) {
			if b, ok := badges.Load(k); ok {
				return b.(template.HTML), nil
			}
			var buf bytes.Buffer
			if err := a.pages["document"].ExecuteTemplate(&buf, "kind-badge", k); err != nil {
				return "", err
			}
			b := template.HTML(buf.String())
			if k.Valid() {
				badges.Store(k, b)
			}
			return b, nil
		},
		"asset": a.assets.URL,
		"marks": marks,
		"date": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.UTC().Format("2 January 2006")
		},
		"isoTime": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"plural": func(n int, one, many string) string {
			if n == 1 {
				return fmt.Sprintf("%d %s", n, one)
			}
			return fmt.Sprintf("%d %s", n, many)
		},
		"value":     func(form url.Values, key string) string { return form.Get(key) },
		"hasPrefix": strings.HasPrefix,
		"field":     newFormField,
		// sanitized marks HTML that bluemonday cleaned when it was written.
		"sanitized":  func(s string) template.HTML { return template.HTML(s) },
		"thread":     newThreadArg,
		"threads":    newThreadArgs,
		"kindCounts": newKindCounts,
		"composer":   func(d *templateData, p composerPage) composerArg { return composerArg{D: d, P: p} },
		"add":        func(a, b int) int { return a + b },
		"follow": func(d *templateData, action string, following bool) followArg {
			return followArg{Data: d, Action: action, Following: following}
		},
		"int": func(n int64) int { return int(n) },
		"formIndex": func(form url.Values, key string, i int) string {
			if vs := form[key]; i < len(vs) {
				return vs[i]
			}
			return ""
		},
		"when":    when,
		"lower":   strings.ToLower,
		"excerpt": func(md string) string { return markup.Plain(md, 240) },
		"excerptText": func(text string, n int) string {
			if r := []rune(text); len(r) > n {
				return string(r[:n-1]) + "…"
			}
			return text
		},
		"inlineComposer": func(doc *models.Document) composerPage {
			p := newComposer(doc, &models.Passage{})
			p.ID = "inline"
			return p
		},
		// classChoices lists the viewer's classes for the composer's "Who can see it".
		"classChoices": func(u *models.User, doc *models.Document) ([]models.ClassChoice, error) {
			if u == nil || doc == nil {
				return nil, nil
			}
			return models.ClassChoices(a.db, u, doc.ID)
		},
	}
}

// threadArg is what the recursive "thread" template gets: the thread, and
// what its card asks of the note worked out once, here. html/template calls
// every function and method through reflection, about a microsecond each,
// and finds a field of the note by searching the Thread's embedded
// Annotation: the cards' print, eq and method calls were most of a busy
// passage's render (BenchmarkPassageRender).
type threadArg struct {
	D       *templateData
	T       *models.Thread
	Note    *models.Annotation // T's, to read its fields directly
	Replies []threadArg
	// Removed: deleted, or missing (a parent the viewer may not see).
	Removed, Deleted, Reply bool
	// Top is a note at the head of what is shown (depth 0): it shows its
	// quote (Quotes, when it is on a phrase) and whether its text changed
	// (Reanchored: the words around it were edited).
	Top, Quotes, Reanchored                    bool
	Private, Class, Awaiting, Hidden, Rejected bool
	Created, CreatedISO                        string
}

// newThreadArgs is the threads at the head of a passage's notes, made in
// one call.
func newThreadArgs(d *templateData, ts []*models.Thread) []threadArg {
	out := make([]threadArg, len(ts))
	for i, t := range ts {
		out[i] = newThreadArg(d, t, 0)
	}
	return out
}

func newThreadArg(d *templateData, t *models.Thread, depth int) threadArg {
	a := t.Annotation
	arg := threadArg{D: d, T: t, Note: a,
		Removed: t.Missing || a.IsDeleted(), Deleted: a.IsDeleted(), Reply: a.IsReply(),
		Top: depth == 0, Quotes: depth == 0 && a.IsPhrase(), Reanchored: a.AnchorStatus == "changed" || a.AnchorStatus == "fuzzy",
		Private: a.Visibility == models.VisibilityPrivate, Class: a.Visibility == models.VisibilityClass,
		Awaiting: a.Awaiting(), Hidden: a.Status == models.StatusHidden, Rejected: a.Status == models.StatusRejected,
		Created: when(a.CreatedAt), CreatedISO: a.CreatedAt.UTC().Format(time.RFC3339)}
	if len(t.Replies) > 0 {
		arg.Replies = make([]threadArg, len(t.Replies))
		for i, r := range t.Replies {
			arg.Replies[i] = newThreadArg(d, r, depth+1)
		}
	}
	return arg
}

// kindCount is how many notes of a kind a passage has, with the kind's
// icon and the noun for the number worked out once (see threadArg).
type kindCount struct {
	Kind  models.Kind
	Icon  string
	Count int
	Noun  string // "question", or "questions" when Count is not 1
}

func newKindCounts(counts []models.KindCount) []kindCount {
	out := make([]kindCount, len(counts))
	for i, c := range counts {
		noun := strings.ToLower(c.Kind.Label())
		if c.Count != 1 {
			noun += "s"
		}
		out[i] = kindCount{Kind: c.Kind, Icon: c.Kind.Icon(), Count: c.Count, Noun: noun}
	}
	return out
}

// composerArg is what the "composer-fields" template gets.
type composerArg struct {
	D *templateData
	P composerPage
}

// when formats a moment the same way on every render, so cached pages stay
// true; the browser's script turns it into local time.
func when(t time.Time) string { return t.UTC().Format("2 Jan 2006, 15:04 UTC") }

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// formField is the argument of the "field" template.
type formField struct {
	Name, Label, Type, Autocomplete, Hint, Value, Error string
	Required                                            bool
}

// newFormField is called from templates:
// {{template "field" (field . "username" "Username" "text" "username" "hint" true)}}
func newFormField(d *templateData, name, label, typ, autocomplete, hint string, required bool) formField {
	return formField{Name: name, Label: label, Type: typ, Autocomplete: autocomplete, Hint: hint,
		Value: d.Form.Get(name), Error: d.Errors[name], Required: required}
}

// marks writes a passage's text with each noted phrase in a mark, as the
// "segments" template describes. It is written out rather than templated:
// html/template's escaping took about 7 µs a segment, and a busy passage
// has hundreds (1.5 ms of each 200-segment passage's render).
func marks(segments []anchor.Segment) template.HTML {
	var b strings.Builder
	size := 0 // the text and its marks' tags, grown once (before escapes)
	for _, s := range segments {
		size += len(s.Text)
		if len(s.IDs) > 0 {
			size += len(`<mark class="hl hl--overlap" data-range="0000-0000"></mark>`)
		}
	}
	b.Grow(size)
	for _, s := range segments {
		if len(s.IDs) == 0 {
			b.WriteString(template.HTMLEscapeString(s.Text))
			continue
		}
		b.WriteString(`<mark class="hl`)
		if len(s.IDs) > 1 {
			b.WriteString(" hl--overlap")
		}
		b.WriteString(`" data-range="`)
		b.WriteString(strconv.Itoa(s.Start))
		b.WriteByte('-')
		b.WriteString(strconv.Itoa(s.End))
		b.WriteString(`">`)
		b.WriteString(template.HTMLEscapeString(s.Text))
		b.WriteString("</mark>")
	}
	return template.HTML(b.String())
}
