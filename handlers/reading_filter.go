package handlers

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"margin/models"
)

// readingFilter is what, in the reading view's address, chooses the notes
// shown and their order: ?kind=, ?author= (a username), ?class= (notes
// shared with a class of the viewer's) and ?sort=. Anything unknown, and a
// class the viewer is not in, is the default: the page and its cache keys
// only ever name a filter the viewer may use.
type readingFilter struct {
	Kind   models.Kind
	Author string
	Class  uint
	Sort   string
}

func (a *App) readingFilter(c echo.Context, viewer *models.User) (readingFilter, error) {
	kind, order := readingQuery(c)
	f := readingFilter{Kind: kind, Sort: order, Author: models.NormalizeUsername(c.QueryParam("author"))}
	if !models.ValidUsername(f.Author) {
		f.Author = ""
	}
	if f.Author != "" {
		// A name of no account is no filter: the page and passage keys name
		// only authors who exist, so that made-up names cannot fill the
		// page cache with renders of the same page.
		if _, err := models.UserByName(a.db, f.Author); errors.Is(err, models.ErrNotFound) {
			f.Author = ""
		} else if err != nil {
			return f, err
		}
	}
	class, _ := strconv.ParseUint(c.QueryParam("class"), 10, 32)
	if class != 0 && viewer != nil {
		role, err := models.MembershipOf(a.db, uint(class), viewer.ID)
		if err != nil {
			return f, err
		}
		if role != "" {
			f.Class = uint(class)
		}
	}
	return f, nil
}

// key is the filter as a part of a cache key.
func (f readingFilter) key() string {
	return fmt.Sprintf("%s|%s|%s|c%d", f.Kind, f.Author, f.Sort, f.Class)
}

func (f readingFilter) options() models.ReadingOptions {
	return models.ReadingOptions{Kind: f.Kind, Author: f.Author, Class: f.Class, Sort: f.Sort}
}

// query is the filter as a query string, for links: empty for the default.
func (f readingFilter) query() string {
	q := url.Values{}
	if f.Kind != "" {
		q.Set("kind", string(f.Kind))
	}
	if f.Author != "" {
		q.Set("author", f.Author)
	}
	if f.Class != 0 {
		q.Set("class", strconv.FormatUint(uint64(f.Class), 10))
	}
	if f.Sort != "newest" {
		q.Set("sort", f.Sort)
	}
	return q.Encode()
}

// filterBar is what the reading view's filter bar shows beyond the links:
// the authors and classes to choose from, and how many notes the filter
// shows of how many the viewer may see.
type filterBar struct {
	models.ReadingFacets
	Mine    int // the viewer's own notes, offered as "My notes"
	Others  []models.AuthorCount
	Classes []models.ClassChoice
	// ClassName names the filter's class, Me the viewer.
	ClassName string
	Me        string
}

func (a *App) newFilterBar(rev *models.Revision, doc *models.Document, viewer *models.User, f readingFilter) (*filterBar, error) {
	facets, err := models.ReadingFacetsOf(a.db, rev, viewer, f.options())
	if err != nil {
		return nil, err
	}
	var classes []models.ClassChoice
	if viewer != nil {
		if classes, err = models.ClassChoices(a.db, viewer, doc.ID); err != nil {
			return nil, err
		}
	}
	return filterBarOf(facets, viewer, classes, f), nil
}

// filterBarOf is the bar for the viewer, from the facets of the notes they
// may see and their classes.
func filterBarOf(facets models.ReadingFacets, viewer *models.User, classes []models.ClassChoice, f readingFilter) *filterBar {
	bar := &filterBar{ReadingFacets: facets, Classes: classes}
	if viewer != nil {
		bar.Me = viewer.Username
	}
	for _, au := range facets.Authors {
		if au.Username == bar.Me {
			bar.Mine = au.Count
			continue
		}
		bar.Others = append(bar.Others, au)
	}
	for _, cl := range bar.Classes {
		if cl.ID == f.Class {
			bar.ClassName = cl.Name
		}
	}
	return bar
}

// Href is the page's address (the reading view's, or the passage's) with the filter changed by the given
// pairs ("kind", "question", "sort", "helpful", "author", ""...): the
// filter's other parts stay as they are.
func (p *documentPage) Href(pairs ...string) string {
	f := p.filter()
	for i := 0; i+1 < len(pairs); i += 2 {
		v := pairs[i+1]
		switch pairs[i] {
		case "kind":
			f.Kind = models.Kind(v)
		case "author":
			f.Author = v
		case "class":
			n, _ := strconv.ParseUint(v, 10, 32)
			f.Class = uint(n)
		case "sort":
			f.Sort = v
		}
	}
	href := fmt.Sprintf("/documents/%d", p.Document.ID)
	if p.Single {
		href += fmt.Sprintf("/passages/%d", p.Passage)
	}
	return withQuery(href, f.query())
}

func (p *documentPage) setFilter(f readingFilter) {
	p.Filter, p.Author, p.Class, p.Sort, p.Query = f.Kind, f.Author, f.Class, f.Sort, f.query()
}

func (p *documentPage) filter() readingFilter {
	return readingFilter{Kind: p.Filter, Author: p.Author, Class: p.Class, Sort: p.Sort}
}

// Filtered tells whether the page leaves notes out.
func (p *documentPage) Filtered() bool { return p.filter().options().Filtered() }

// PassageHref is passage n's own page under the same filter ("N more
// threads" leads there), TextHref the reading view under it.
func (p *documentPage) PassageHref(n int) string {
	return withQuery(fmt.Sprintf("/documents/%d/passages/%d", p.Document.ID, n), p.Query)
}

func (p *documentPage) TextHref() string {
	return withQuery(fmt.Sprintf("/documents/%d", p.Document.ID), p.Query)
}

func withQuery(path, query string) string {
	if query == "" {
		return path
	}
	return path + "?" + query
}
