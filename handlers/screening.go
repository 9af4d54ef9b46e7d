package handlers

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"sync"
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
// A random part tells apart forms shown in the same second (tabs opened
// together), since each stamp may carry one note.
func (a *App) formStamp(u *models.User, at time.Time) string {
	if u == nil {
		return ""
	}
	signed := strconv.FormatInt(at.Unix(), 10) + "." + randomToken(9)
	return signed + "." + a.stampMAC(u.ID, signed)
}

func (a *App) stampMAC(userID uint, signed string) string {
	mac := hmac.New(sha256.New, a.cfg.SessionHashKey)
	fmt.Fprintf(mac, "form|%d|%s", userID, signed)
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:18])
}

// formShownAt checks a stamp and returns when its form was shown; zero
// when it is missing, forged, another user's or from the future. (A stamp
// too old to post with is the spam check's business: it says how old.)
// Stamps without the random part, from before it was added, still pass.
func (a *App) formShownAt(stamp string, u *models.User) time.Time {
	i := strings.LastIndexByte(stamp, '.')
	if i < 0 || u == nil || !hmac.Equal([]byte(stamp[i+1:]), []byte(a.stampMAC(u.ID, stamp[:i]))) {
		return time.Time{}
	}
	unix, _, _ := strings.Cut(stamp[:i], ".")
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
		// The browser's headers are kept for the spam check, not shown as
		// anyone's words: bad bytes in them are repaired, not refused.
		IP: c.RealIP(), UserAgent: headerText(r.UserAgent()), Referrer: headerText(r.Referer()),
		Permalink:   c.Scheme() + "://" + r.Host + "/documents/" + strconv.FormatUint(uint64(docID), 10),
		Honeypot:    c.FormValue(honeypotField),
		FormShownAt: a.formShownAt(c.FormValue(stampField), u),
		Now:         a.now(),
	}
	if !sub.FormShownAt.IsZero() {
		sub.FormReused = a.usedStamps.use(c.FormValue(stampField), sub.FormShownAt, a.now(), a.cfg.Screen.MaxFormAge)
		if !sub.FormReused {
			c.Set(stampTakenKey, true)
		}
	}
	return models.Screen(r.Context(), a.db, a.cfg.Screen, sub)
}

// stampTakenKey marks a request whose form stamp this request recorded.
const stampTakenKey = "margin.stampTaken"

// releaseStamp gives back the form stamp this request recorded, when its
// note was not stored after all (a form to correct, an error).
func (a *App) releaseStamp(c echo.Context) {
	if taken, _ := c.Get(stampTakenKey).(bool); taken {
		a.usedStamps.release(c.FormValue(stampField))
	}
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
		// formStamp gives a page kept in the page cache a placeholder,
		// which servePage replaces with a stamp of the moment it is served.
		"formStamp": func(d *templateData) string {
			if d.stampLater != "" && d.User != nil {
				return d.stampLater
			}
			return a.formStamp(d.User, a.now())
		},
		// editMark names the version of a note a moderator was shown, so a
		// decision on words its author has since changed is refused.
		"editMark": func(ann *models.Annotation) string {
			if ann.EditedAt == nil {
				return "0"
			}
			return strconv.FormatInt(ann.EditedAt.UnixNano(), 10)
		},
		"modItem": func(d *templateData, it queueItemView, detail bool) modItemArg {
			return modItemArg{D: d, Item: it, Detail: detail}
		},
		"modFlag": func(d *templateData, it queueItemView, f models.Flag) modFlagArg {
			return modFlagArg{D: d, Item: it, Flag: f}
		},
		// context is a queue item's line of context: before and after the phrase.
		"context": func(it queueItemView) []string {
			before, after := it.Context()
			return []string{before, after}
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

// stampLedger remembers the form stamps that have carried a note, so one
// shown form carries one note: a bot that fetched a form once cannot post
// with it again and again. A stamp is forgotten once it is too old to post
// with anyway. The ledger is per process; behind several instances a
// stamp could serve once on each.
type stampLedger struct {
	mu    sync.Mutex
	used  map[string]time.Time // stamp -> when its form was shown
	prune int                  // size at which old stamps are next swept out
}

// use records stamp and tells whether it had already been used; release
// gives it back when its note was not stored after all.
func (l *stampLedger) use(stamp string, shown, now time.Time, maxAge time.Duration) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.used == nil {
		l.used = map[string]time.Time{}
	}
	if _, seen := l.used[stamp]; seen {
		return true
	}
	if len(l.used) >= l.prune {
		for s, at := range l.used {
			if now.Sub(at) > maxAge {
				delete(l.used, s)
			}
		}
		l.prune = max(1024, 2*len(l.used))
	}
	l.used[stamp] = shown
	return false
}

func (l *stampLedger) release(stamp string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.used, stamp)
}

// newStampNonce is a placeholder no note can contain, for a cached page's
// form stamps.
func newStampNonce() string { return "stamp-" + randomToken(16) }

// randomToken is n random bytes, URL-safe.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// headerText makes a request header storable: bytes that are not UTF-8
// become U+FFFD and NULs go (HTTP already refuses other control bytes).
func headerText(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}
