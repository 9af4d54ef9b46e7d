package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"margin/models"
)

type searchPage struct {
	Query   string
	TooLong bool
	Problem string // a filter that could not be read
	Form    url.Values
	Kinds   []models.Kind
	Classes []models.ClassSummary
	Results models.SearchResults
	PrevURL string
	NextURL string
}

// maxSearchPage bounds how deep paging goes: each page further costs more.
const maxSearchPage = 200

// searchShow searches documents, passages and the notes the viewer may see.
func (a *App) searchShow(c echo.Context) error {
	viewer := a.currentUser(c)
	form := c.QueryParams()
	q := strings.TrimSpace(form.Get("q"))
	page := searchPage{Query: q, TooLong: len([]rune(q)) > models.MaxSearchLen, Form: form, Kinds: models.Kinds}
	if viewer != nil {
		var err error
		if page.Classes, err = models.ClassesOf(a.db, viewer.ID); err != nil {
			return err
		}
	}
	req, problem := searchRequest(form)
	page.Problem = problem
	status := http.StatusOK
	if page.TooLong || problem != "" {
		status = http.StatusBadRequest
	} else if q != "" {
		var err error
		if page.Results, err = models.Search(a.db, viewer, req); err != nil {
			return err
		}
		if req.Page > 1 {
			page.PrevURL = searchURL(form, req.Page-1)
		}
		if page.Results.More && req.Page < maxSearchPage {
			page.NextURL = searchURL(form, req.Page+1)
		}
	}
	title := "Search"
	if q != "" {
		title = "Search: " + q
	}
	return a.render(c, status, "search", a.newTemplateData(c, title, page))
}

// searchRequest reads the query and its filters; problem says what could not be read.
func searchRequest(form url.Values) (req models.SearchRequest, problem string) {
	req.Query = strings.TrimSpace(form.Get("q"))
	req.Page = 1
	if p := form.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > maxSearchPage {
			return req, "The page number must be between 1 and " + strconv.Itoa(maxSearchPage) + "."
		}
		req.Page = n
	}
	f := &req.Filter
	if k := models.Kind(form.Get("kind")); k != "" {
		if !k.Valid() {
			return req, "Choose a kind from the list."
		}
		f.Kind = k
	}
	f.Author = strings.TrimPrefix(strings.TrimSpace(form.Get("author")), "@")
	if len(f.Author) > 100 {
		return req, "No username is that long."
	}
	for _, id := range []struct {
		field string
		to    *uint
	}{{"document", &f.DocumentID}, {"class", &f.ClassID}} {
		if v := form.Get(id.field); v != "" {
			n, err := strconv.ParseUint(v, 10, 32)
			if err != nil {
				return req, "The " + id.field + " must be chosen from the list."
			}
			*id.to = uint(n)
		}
	}
	for _, d := range []struct {
		field string
		to    *time.Time
		add   time.Duration
	}{{"from", &f.From, 0}, {"to", &f.To, 24 * time.Hour}} {
		if v := form.Get(d.field); v != "" {
			t, err := time.Parse("2006-01-02", v)
			if err != nil {
				return req, "Write dates as year-month-day, like 2024-05-31."
			}
			*d.to = t.Add(d.add) // "to" takes in the whole of its day
		}
	}
	switch v := form.Get("quote"); v {
	case "", "with", "without":
		f.Quote = v
	default:
		return req, "Choose whether notes quote a phrase from the list."
	}
	switch v := form.Get("replies"); v {
	case "", "only", "none":
		f.Replies = v
	default:
		return req, "Choose notes or replies from the list."
	}
	return req, ""
}

// searchURL is the same search at another page.
func searchURL(form url.Values, page int) string {
	v := url.Values{}
	for k, vs := range form {
		if k != "page" && len(vs) > 0 && vs[0] != "" {
			v.Set(k, vs[0])
		}
	}
	v.Set("page", strconv.Itoa(page))
	return "/search?" + v.Encode()
}
