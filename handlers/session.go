package handlers

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"margin/models"
)

const (
	sessionCookie = "margin_session"
	sessionMaxAge = 30 * 24 * 3600
	keyUserID     = "uid"
	keyEpoch      = "epoch"
	keyCSRF       = "csrf"
	keyFlash      = "flash"
	stateKey      = "margin.state"
)

func newSessionStore(hashKey, blockKey []byte) *sessions.CookieStore {
	store := sessions.NewCookieStore(hashKey, blockKey)
	store.Options = &sessions.Options{Path: "/", MaxAge: sessionMaxAge, HttpOnly: true, SameSite: http.SameSiteLaxMode}
	store.MaxAge(sessionMaxAge)
	return store
}

// requestState is what the session middleware learns about a request.
type requestState struct {
	session *sessions.Session
	user    *models.User
	dirty   bool
	unread  *int64
}

func (a *App) state(c echo.Context) *requestState {
	if st, ok := c.Get(stateKey).(*requestState); ok {
		return st
	}
	// Routes outside the session middleware (assets, healthz) have none.
	return &requestState{session: sessions.NewSession(a.sessions, sessionCookie)}
}

// currentUser is the logged-in user, or nil.
func (a *App) currentUser(c echo.Context) *models.User { return a.state(c).user }

// loadSession decodes the cookie, checks the user's session epoch and ban,
// makes sure a CSRF token exists, and saves the session before the response
// is written if anything changed.
func (a *App) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		sess, err := a.openSession(r)
		st := &requestState{session: sess}
		if err != nil {
			// A cookie from old keys or tampered with: start afresh.
			st.dirty = true
		}
		sess.Options.Secure = c.Scheme() == "https"
		if uid, ok := sess.Values[keyUserID].(uint); ok {
			u, err := models.UserByID(a.db, uid)
			switch {
			case errors.Is(err, models.ErrNotFound):
				a.clearLogin(st)
			case err != nil:
				return err
			case sess.Values[keyEpoch] != u.SessionEpoch || u.IsBanned(a.now()):
				a.clearLogin(st)
			default:
				st.user = u
			}
		}
		c.Set(stateKey, st)
		c.Response().Before(func() {
			if st.dirty {
				if err := a.sessions.Save(r, c.Response().Writer, st.session); err != nil {
					a.log.Error("save session", "err", err)
				}
			}
		})
		return next(c)
	}
}

func (a *App) clearLogin(st *requestState) {
	delete(st.session.Values, keyUserID)
	delete(st.session.Values, keyEpoch)
	st.user = nil
	st.dirty = true
}

// login binds the session to u. The CSRF token changes with it, so a token
// seen before login is worthless after it.
func (a *App) login(c echo.Context, u *models.User) {
	st := a.state(c)
	st.session.Values[keyUserID] = u.ID
	st.session.Values[keyEpoch] = u.SessionEpoch
	delete(st.session.Values, keyCSRF)
	st.user = u
	st.dirty = true
}

func (a *App) logout(c echo.Context) {
	st := a.state(c)
	a.clearLogin(st)
	delete(st.session.Values, keyCSRF)
}

// csrfToken is the token forms must send back. A logged-in user's token is
// derived from their id and session epoch, so it is the same in every page
// cached for them and dies with "log out everywhere". A visitor's is random,
// kept in the session, and made only when a page has a form: pages without
// one set no cookie.
func (a *App) csrfToken(c echo.Context) string {
	st := a.state(c)
	if st.user != nil {
		mac := hmac.New(sha256.New, a.cfg.SessionHashKey)
		fmt.Fprintf(mac, "csrf|%d|%d", st.user.ID, st.user.SessionEpoch)
		return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	}
	tok, ok := st.session.Values[keyCSRF].(string)
	if !ok {
		tok = models.RandomToken(32)
		st.session.Values[keyCSRF] = tok
		st.dirty = true
	}
	return tok
}

// setFlash leaves a one-time message for the next page.
func (a *App) setFlash(c echo.Context, msg string) {
	st := a.state(c)
	st.session.Values[keyFlash] = msg
	st.dirty = true
}

func (a *App) popFlash(c echo.Context) string {
	st := a.state(c)
	msg, ok := st.session.Values[keyFlash].(string)
	if ok {
		delete(st.session.Values, keyFlash)
		st.dirty = true
	}
	return msg
}

// errCSRF is what a forged or stale form gets.
var errCSRF = echo.NewHTTPError(http.StatusForbidden,
	"This form has expired or did not come from this site. Go back, reload the page and try again.")

// checkCSRF refuses state-changing requests without the session's token.
func (a *App) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		st := a.state(c)
		want, _ := st.session.Values[keyCSRF].(string)
		if st.user != nil {
			want = a.csrfToken(c)
		}
		got := c.Request().Header.Get("X-CSRF-Token")
		if got == "" {
			got = c.FormValue("_csrf")
		}
		if want == "" || got == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
			return errCSRF
		}
		return next(c)
	}
}

// unread is the user's unread inbox count, looked up once per request.
func (a *App) unread(c echo.Context) int64 {
	st := a.state(c)
	if st.user == nil {
		return 0
	}
	if st.unread == nil {
		n, err := models.UnreadCount(a.db, st.user)
		if err != nil {
			a.log.Error("count unread", "err", err)
		}
		st.unread = &n
	}
	return *st.unread
}

func (a *App) hasFlash(c echo.Context) bool {
	_, ok := a.state(c).session.Values[keyFlash].(string)
	return ok
}
