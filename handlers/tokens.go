package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"margin/models"
)

// Personal API tokens: made and revoked on the account page, listed and
// revoked by admins, and accepted by the API as "Authorization: Bearer".

// accountPage is the account page's own data: the user's tokens, and a
// token's secret on the one answer that shows it.
type accountPage struct {
	Tokens    []models.APIToken
	NewSecret string
	Now       time.Time
	// Private feed addresses: replies to me, and each of my classes.
	RepliesFeed string
	ClassFeeds  []feedLink
	// Mail is the e-mail section: the address and what is sent to it.
	Mail mailAccount
}

func (a *App) accountData(c echo.Context) (*accountPage, error) {
	u := a.currentUser(c)
	tokens, err := models.UserTokens(a.db, u.ID)
	if err != nil {
		return nil, err
	}
	classes, err := models.ClassesOf(a.db, u.ID)
	if err != nil {
		return nil, err
	}
	key := models.FeedKey(a.cfg.SessionHashKey, u)
	page := &accountPage{Tokens: tokens, Now: a.now(), RepliesFeed: a.absoluteURL(c, "/feeds/private/"+key+"/replies")}
	for _, cl := range classes {
		page.ClassFeeds = append(page.ClassFeeds, feedLink{Title: cl.Name, Href: a.absoluteURL(c, fmt.Sprintf("/feeds/private/%s/classes/%d", key, cl.ID))})
	}
	if page.Mail, err = a.mailAccountData(u); err != nil {
		return nil, err
	}
	return page, nil
}

// tokenCreate makes a token and shows its secret once, in this answer
// only: it is not put in a flash (a cookie) nor kept anywhere.
func (a *App) tokenCreate(c echo.Context) error {
	page, err := a.accountData(c)
	if err != nil {
		return err
	}
	in := models.NewToken{Name: c.FormValue("name"), Scope: models.TokenScope(c.FormValue("scope"))}
	fe := models.FieldErrors{}
	if days := c.FormValue("expires"); days != "never" {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 || n > 3660 {
			fe["expires"] = "Choose when the token expires."
		} else {
			at := a.now().AddDate(0, 0, n)
			in.ExpiresAt = &at
		}
	}
	if len(fe) > 0 {
		return a.renderForm(c, "account", "Your account", fe, page)
	}
	secret, _, err := models.CreateAPIToken(a.db, a.currentUser(c), in, a.now())
	if a.formFailed(err, &fe) {
		return a.renderForm(c, "account", "Your account", fe, page)
	}
	if err != nil {
		return err
	}
	if page, err = a.accountData(c); err != nil {
		return err
	}
	page.NewSecret = secret
	body, err := a.renderBytes("account", a.newTemplateData(c, "Your account", page))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(http.StatusOK, body)
}

func (a *App) tokenRevoke(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	u := a.currentUser(c)
	// The account page revokes the user's own tokens only, admins included.
	var tok models.APIToken
	if err := a.db.Select("id", "user_id").First(&tok, id).Error; err != nil || tok.UserID != u.ID {
		return models.ErrNotFound
	}
	if err := models.RevokeToken(a.db, u, id, a.now()); err != nil {
		return err
	}
	a.setFlash(c, "The token is revoked: anything still using it is refused from now on.")
	return redirect(c, "/account#tokens")
}

type adminTokensPage struct {
	Tokens []models.APIToken
	// Origins are those admins listed; Configured those of -cors-origins.
	Origins, Configured []string
}

func (a *App) adminTokensPage() (adminTokensPage, error) {
	tokens, err := models.AllTokens(a.db, a.now())
	if err != nil {
		return adminTokensPage{}, err
	}
	origins, err := models.APIOrigins(a.db)
	return adminTokensPage{Tokens: tokens, Origins: origins, Configured: a.cfg.CORSOrigins}, err
}

func (a *App) adminTokensShow(c echo.Context) error {
	page, err := a.adminTokensPage()
	if err != nil {
		return err
	}
	data := a.newTemplateData(c, "API tokens", page)
	data.Form = map[string][]string{"origins": {strings.Join(page.Origins, "\n")}}
	return a.render(c, http.StatusOK, "admin_tokens", data)
}

// adminOriginsSubmit replaces the origins allowed to write to the API.
func (a *App) adminOriginsSubmit(c echo.Context) error {
	origins, msg := models.ParseOrigins(c.FormValue("origins"))
	if msg != "" {
		page, err := a.adminTokensPage()
		if err != nil {
			return err
		}
		return a.renderForm(c, "admin_tokens", "API tokens", models.FieldErrors{"origins": msg}, page)
	}
	if err := models.SetAPIOrigins(a.db, a.currentUser(c), origins, a.now()); err != nil {
		return err
	}
	a.setFlash(c, "The allowed origins are saved.")
	return redirect(c, "/admin/tokens#origins")
}

func (a *App) adminTokenRevoke(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := models.RevokeToken(a.db, a.currentUser(c), id, a.now()); err != nil {
		return err
	}
	a.setFlash(c, "The token is revoked.")
	return redirect(c, "/admin/tokens")
}

const tokenKey = "margin.token"

// apiToken is the token the request came with, or nil.
func apiToken(c echo.Context) *models.APIToken {
	t, _ := c.Get(tokenKey).(*models.APIToken)
	return t
}

// errTokenScope is a read-only token asked to write.
var errTokenScope = echo.NewHTTPError(http.StatusForbidden, "This token may only read: make a read and write token on your account page.")

// loadSessionOrToken authenticates an API request. With an Authorization
// header the token alone decides: the session cookie is neither read nor
// written, so a token request never acts with a browser's cookie, and a bad
// token is a 401, never a fall back to the cookie. Without one, the browser
// session applies as on every page.
func (a *App) loadSessionOrToken(next echo.HandlerFunc) echo.HandlerFunc {
	withSession := a.loadSession(next)
	return func(c echo.Context) error {
		auth := c.Request().Header.Get("Authorization")
		if auth == "" {
			return withSession(c)
		}
		scheme, secret, _ := strings.Cut(auth, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="margin"`)
			return echo.NewHTTPError(http.StatusUnauthorized, "Send a personal API token as “Authorization: Bearer TOKEN”.")
		}
		tok, err := models.AuthenticateToken(a.db, strings.TrimSpace(secret), a.now())
		if errors.Is(err, models.ErrTokenInvalid) {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="margin", error="invalid_token"`)
			return echo.NewHTTPError(http.StatusUnauthorized, "This token is unknown, revoked or expired.")
		}
		if err != nil {
			return err
		}
		user := tok.User
		c.Set(stateKey, &requestState{session: sessions.NewSession(a.sessions, sessionCookie), user: &user})
		c.Set(tokenKey, tok)
		if isWrite(c.Request().Method) && !tok.MayWrite() {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="margin", error="insufficient_scope", scope="write"`)
			return errTokenScope
		}
		return next(c)
	}
}

// checkCSRFUnlessToken asks browser sessions for the CSRF token; a request
// authenticated by an API token carries no cookie a forger could borrow.
func (a *App) checkCSRFUnlessToken(next echo.HandlerFunc) echo.HandlerFunc {
	withCSRF := a.checkCSRF(next)
	return func(c echo.Context) error {
		if apiToken(c) != nil {
			return next(c)
		}
		return withCSRF(c)
	}
}

func isWrite(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}
