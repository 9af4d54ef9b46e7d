package handlers

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"margin/models"
)

// Form fields the composer carries for the spam check.
const (
	// stampField holds when the form was rendered, signed.
	stampField = "rendered"
	// honeypotField is hidden from people; robots fill it in.
	honeypotField = "homepage"
)

// formStamp signs the moment a composer is rendered for a user. It is
// signed with the session hash key, so any instance sharing the keys can
// check it, and bound to the user, so one stamp cannot serve many accounts.
func (a *App) formStamp(u *models.User, at time.Time) string {
	if u == nil {
		return ""
	}
	unix := strconv.FormatInt(at.Unix(), 10)
	return unix + "." + a.stampMAC(u.ID, unix)
}

func (a *App) stampMAC(userID uint, unix string) string {
	mac := hmac.New(sha256.New, a.cfg.SessionHashKey)
	fmt.Fprintf(mac, "form|%d|%s", userID, unix)
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:18])
}

// formShownAt checks a stamp and returns when its form was shown; zero
// when it is missing, forged, another user's or from the future.
func (a *App) formShownAt(stamp string, u *models.User) time.Time {
	unix, mac, ok := strings.Cut(stamp, ".")
	if !ok || u == nil || !hmac.Equal([]byte(mac), []byte(a.stampMAC(u.ID, unix))) {
		return time.Time{}
	}
	secs, err := strconv.ParseInt(unix, 10, 64)
	if err != nil {
		return time.Time{}
	}
	at := time.Unix(secs, 0).UTC()
	if at.After(a.now().Add(time.Minute)) {
		return time.Time{}
	}
	return at
}

// screen runs the spam check on a note about to be posted on a document,
// or in reply to parent.
func (a *App) screen(c echo.Context, u *models.User, docID uint, parent *models.Annotation, in models.AnnotationInput) (models.Verdict, error) {
	r := c.Request()
	sub := models.Submission{
		Author: u, DocumentID: docID, Parent: parent, Input: in,
		IP: c.RealIP(), UserAgent: r.UserAgent(), Referrer: r.Referer(),
		Permalink:   c.Scheme() + "://" + r.Host + "/documents/" + strconv.FormatUint(uint64(docID), 10),
		Honeypot:    c.FormValue(honeypotField),
		FormShownAt: a.formShownAt(c.FormValue(stampField), u),
		Now:         a.now(),
	}
	return models.Screen(r.Context(), a.db, a.cfg.Screen, sub)
}

// flashScreening tells an author whose note waits for a moderator.
func (a *App) flashScreening(c echo.Context, v models.Verdict) {
	if v.Status != models.StatusPublished {
		a.setFlash(c, "Thank you. Your note will appear to others once a moderator has looked at it; until then only you can see it.")
	}
}

// moderationFuncs are the template functions of the spam check and the
// moderation queues.
func (a *App) moderationFuncs() map[string]any {
	return map[string]any{
		"formStamp": func(d *templateData) string { return a.formStamp(d.User, a.now()) },
		"modItem": func(d *templateData, it queueItemView, detail bool) modItemArg {
			return modItemArg{D: d, Item: it, Detail: detail}
		},
		"mayModerate": a.mayModerate,
		// queueCounts feeds the navigation's badge; a failure to count must
		// not take the page down with it.
		"queueCounts": func(u *models.User) models.QueueCounts {
			counts, err := models.CountQueues(a.db, u)
			if err != nil {
				a.log.Error("count moderation queues", "err", err)
			}
			return counts
		},
	}
}

// mayModerate tells whether u works the moderation queues: a site
// moderator, or an educator of a class. A failure to check is logged and
// refuses, like a role that does not fit.
func (a *App) mayModerate(u *models.User) bool {
	ok, err := models.MayModerate(a.db, u)
	if err != nil {
		a.log.Error("check who may moderate", "err", err)
	}
	return ok
}

// withFuncs adds more template functions to a set.
func withFuncs(funcs template.FuncMap, more map[string]any) template.FuncMap {
	for name, fn := range more {
		funcs[name] = fn
	}
	return funcs
}
