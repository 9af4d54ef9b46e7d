package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"margin/models"
)

// Atom (RFC 4287) documents, as encoding/xml writes them.
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  atomPerson  `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomEntry struct {
	ID        string     `xml:"id"`
	Title     string     `xml:"title"`
	Published string     `xml:"published"`
	Updated   string     `xml:"updated"`
	Author    atomPerson `xml:"author"`
	Link      atomLink   `xml:"link"`
	Content   atomText   `xml:"content"`
}

// feedLink is a <link rel="alternate"> a page offers in its head.
type feedLink struct {
	Title string
	Href  string
}

const atomType = "application/atom+xml"

// siteFeed is every page's feed: the site's newest public notes.
var siteFeed = feedLink{Title: "Margin: newest notes", Href: "/feeds/notes"}

func (a *App) feedSite(c echo.Context) error {
	return a.serveFeed(c, nil, models.FeedFilter{}, "Margin: newest notes", "/")
}

func (a *App) feedDocument(c echo.Context) error {
	doc, err := a.documentParam(c)
	if err != nil {
		return err
	}
	return a.serveFeed(c, nil, models.FeedFilter{DocumentID: doc.ID}, "Notes on "+doc.Title, fmt.Sprintf("/documents/%d", doc.ID))
}

func (a *App) feedUser(c echo.Context) error {
	u, err := models.UserByName(a.db, c.Param("name"))
	if err != nil {
		return err
	}
	// Public notes only, whoever asks: the feed is the profile as anyone sees it.
	return a.serveFeed(c, nil, models.FeedFilter{AuthorID: u.ID}, "Notes by "+u.Username, "/users/"+u.Username)
}

// feedOwner is the user whose private feed key the address holds.
func (a *App) feedOwner(c echo.Context) (*models.User, error) {
	u, err := models.UserByFeedKey(a.db, a.cfg.SessionHashKey, c.Param("key"))
	if err != nil || u.IsBanned(a.now()) {
		return nil, echo.NewHTTPError(http.StatusNotFound, "This feed address is not valid any more.")
	}
	return u, nil
}

func (a *App) feedReplies(c echo.Context) error {
	u, err := a.feedOwner(c)
	if err != nil {
		return err
	}
	return a.serveFeed(c, u, models.FeedFilter{RepliesTo: u.ID}, "Replies to "+u.Username, "/inbox")
}

func (a *App) feedClass(c echo.Context) error {
	u, err := a.feedOwner(c)
	if err != nil {
		return err
	}
	id, err := strconv.ParseUint(c.Param("id"), 10, 32)
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	role, err := models.MembershipOf(a.db, uint(id), u.ID)
	if err != nil {
		return err
	}
	if role == "" {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	class, err := models.ClassByID(a.db, uint(id))
	if err != nil {
		return err
	}
	return a.serveFeed(c, u, models.FeedFilter{ClassID: class.ID}, "Notes in "+class.Name, classPath(class.ID))
}

// serveFeed writes the notes f selects that viewer may see as Atom, with
// an ETag of the bytes, answering 304 when the reader has them already.
func (a *App) serveFeed(c echo.Context, viewer *models.User, f models.FeedFilter, title, page string) error {
	notes, err := models.FeedNotes(a.db, viewer, f)
	if err != nil {
		return err
	}
	ids := make([]uint, len(notes))
	for i, n := range notes {
		ids[i] = n.DocumentID
	}
	titles, err := models.DocumentTitles(a.db, ids)
	if err != nil {
		return err
	}
	self := a.absoluteURL(c, c.Request().URL.Path)
	feed := atomFeed{ID: self, Title: title, Updated: atomTime(time.Unix(0, 0)), Author: atomPerson{Name: "Margin"},
		Links: []atomLink{{Rel: "self", Type: atomType, Href: self}, {Rel: "alternate", Type: "text/html", Href: a.absoluteURL(c, page)}}}
	latest := time.Unix(0, 0)
	for _, n := range notes {
		updated := n.CreatedAt
		if n.EditedAt != nil {
			updated = *n.EditedAt
		}
		if updated.After(latest) {
			latest = updated
			feed.Updated = atomTime(updated)
		}
		link := a.absoluteURL(c, fmt.Sprintf("/annotations/%d", n.ID))
		what := n.Kind.Label()
		if n.IsReply() {
			what = "Reply"
		}
		feed.Entries = append(feed.Entries, atomEntry{
			ID: link, Title: fmt.Sprintf("%s by %s on %s, passage %d", what, n.Author.Username, titles[n.DocumentID], n.PassageNumber),
			Published: atomTime(n.CreatedAt), Updated: atomTime(updated),
			Author: atomPerson{Name: n.Author.Username, URI: a.absoluteURL(c, "/users/"+n.Author.Username)},
			Link:   atomLink{Rel: "alternate", Type: "text/html", Href: link},
			// BodyHTML is the sanitised rendering the note's page shows.
			Content: atomText{Type: "html", Body: n.BodyHTML},
		})
	}
	body, err := xml.MarshalIndent(feed, "", "  ")
	if err != nil {
		return err
	}
	body = append([]byte(xml.Header), body...)
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	h := c.Response().Header()
	h.Set("ETag", etag)
	if viewer != nil {
		h.Set("Cache-Control", "private, no-cache")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	if match := c.Request().Header.Get("If-None-Match"); match != "" && etagMatches(match, etag) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, atomType+"; charset=utf-8", body)
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// feedRenew retires the user's private feed addresses and makes new ones.
func (a *App) feedRenew(c echo.Context) error {
	if err := models.RenewFeedKey(a.db, a.currentUser(c)); err != nil {
		return err
	}
	a.setFlash(c, "Your private feeds have new addresses; the old ones no longer work.")
	return redirect(c, "/account#feeds")
}
