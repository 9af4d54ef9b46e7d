package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"margin/models"
)

const (
	sessionCookie = "margin_session"
	sessionMaxAge = 30 * 24 * 3600
	// keySession holds the key of the server-side session (models.Session)
	// of a logged-in browser; a visitor's cookie has none.
	keySession = "sid"
	keyCSRF    = "csrf"
	keyFlash   = "flash"
	stateKey   = "margin.state"
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
	// login is the logged-in user's session row, nil for a visitor.
	login  *models.Session
	user   *models.User
	dirty  bool
	unread *int64
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

// loadSession decodes the cookie, looks up its server-side session (one
// query, with the user), checks the user's ban, and saves the cookie before
// the response is written if anything changed.
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
		if key, ok := sess.Values[keySession].(string); ok {
			login, err := models.SessionByKey(a.db, key, a.now())
			switch {
			case errors.Is(err, models.ErrNotFound):
				// Logged out, on this instance or another, or expired; or
				// banned, which the reader is told on this very page.
				a.clearLogin(st)
				banned, err := models.BannedSessionUser(a.db, key, a.now())
				if err != nil {
					return err
				}
				if banned != nil {
					st.session.Values[keyFlash] = banMessage(banned)
				}
			case err != nil:
				return err
			case login.User.IsBanned(a.now()):
				a.clearLogin(st)
				st.session.Values[keyFlash] = banMessage(&login.User)
			default:
				st.login, st.user = login, &login.User
			}
		}
		if st.user != nil {
			// Every page made for a logged-in user (the inbox, the account,
			// assignments, the moderation queues) stays out of every cache,
			// the browser's disk included. A handler that knows better (the
			// reading view, revalidated by its ETag) sets its own policy.
			c.Response().Header().Set("Cache-Control", "private, no-store")
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
	delete(st.session.Values, keySession)
	st.login, st.user = nil, nil
	st.dirty = true
}

// login starts a new server-side session for u, ending the one this
// browser had. The new session has a CSRF token of its own, so a token
// seen before login is worthless after it.
func (a *App) login(c echo.Context, u *models.User) error {
	if err := a.logout(c); err != nil {
		return err
	}
	key, login, err := models.StartSession(a.db, u, a.now(), sessionMaxAge*time.Second)
	if err != nil {
		return err
	}
	st := a.state(c)
	st.session.Values[keySession] = key
	st.login, st.user = login, &login.User
	st.dirty = true
	return nil
}

// logout ends the browser's session in the database, so a copy of the
// cookie is anonymous from now on, on every instance.
func (a *App) logout(c echo.Context) error {
	st := a.state(c)
	if key, ok := st.session.Values[keySession].(string); ok {
		if err := models.EndSession(a.db, key); err != nil {
			return err
		}
	}
	a.clearLogin(st)
	delete(st.session.Values, keyCSRF)
	return nil
}

// csrfToken is the token forms must send back. A logged-in user's is their
// session's, made at login and gone at logout. A visitor's is random, kept
// in the cookie, and made only when a page has a form: pages without one
// set no cookie.
func (a *App) csrfToken(c echo.Context) string {
	st := a.state(c)
	if st.login != nil {
		return st.login.CSRFToken
	}
	tok, ok := st.session.Values[keyCSRF].(string)
	if !ok {
		tok = models.RandomToken(32)
		st.session.Values[keyCSRF] = tok
		st.dirty = true
	}
	return tok
}

// sessionTag names the browser's session in page-cache keys: a cached page
// holds its CSRF token, which is the session's own.
func (a *App) sessionTag(c echo.Context) string {
	if login := a.state(c).login; login != nil {
		return fmt.Sprintf("s%d", login.ID)
	}
	return "s0"
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

// unread is the user's unread inbox count as the badge shows it (up to
// models.BadgeMost+1), looked up once per request.
func (a *App) unread(c echo.Context) int64 {
	st := a.state(c)
	if st.user == nil {
		return 0
	}
	if st.unread == nil {
		n, err := models.UnreadBadge(a.db, st.user)
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

// banMessage tells a banned user why they cannot use their account, and
// until when.
func banMessage(u *models.User) string {
	if u.BannedUntil == nil || u.BannedUntil.Year() >= 9999 {
		return "You have been logged out: a moderator suspended your account."
	}
	return "You have been logged out: a moderator suspended your account until " +
		u.BannedUntil.UTC().Format("2 January 2006 15:04 MST") + "."
}
