package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"margin/models"
)

// contentSecurityPolicy allows only this site's own scripts and styles: no
// inline script anywhere, no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if c.Scheme() == "https" {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		return next(c)
	}
}

// requireUser sends visitors to the login page, and back afterwards.
func (a *App) requireUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if a.currentUser(c) != nil {
			return next(c)
		}
		if c.Request().Method == http.MethodGet {
			return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
		}
		return echo.NewHTTPError(http.StatusUnauthorized, "Log in first.")
	}
}

// requireRole lets through only users for whom allowed is true; it implies
// requireUser.
func (a *App) requireRole(allowed func(*models.User) bool, what string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return a.requireUser(func(c echo.Context) error {
			if !allowed(a.currentUser(c)) {
				return echo.NewHTTPError(http.StatusForbidden, "Only "+what+" can do this.")
			}
			return next(c)
		})
	}
}

// checkText is the one check at the edge of every route for the text a
// request brings: path parameters, the query and the form. No text in Margin
// holds a NUL or bytes that are not UTF-8, and PostgreSQL refuses both with
// an error, so they are answered 400 here, naming the field, before any
// handler or database sees them. (Uploaded files are not form values: the
// importer repairs them as it documents.)
func checkText(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		for i, name := range c.ParamNames() {
			if v := c.ParamValues()[i]; badText(v) != "" {
				return echo.NewHTTPError(http.StatusBadRequest, "The address is not valid: its "+name+" "+badText(v)+".")
			}
		}
		if err := checkValues("query", c.QueryParams()); err != nil {
			return err
		}
		if c.Request().Method != http.MethodPost {
			return next(c)
		}
		form, err := c.FormParams()
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
		}
		if err := checkValues("form", form); err != nil {
			return err
		}
		return next(c)
	}
}

// checkValues refuses the first field of a query or form whose name or
// value is not text.
func checkValues(where string, values url.Values) error {
	for name, vs := range values {
		if why := badText(name); why != "" {
			return echo.NewHTTPError(http.StatusBadRequest, "The "+where+" has a field whose name "+why+".")
		}
		for _, v := range vs {
			if why := badText(v); why != "" {
				return echo.NewHTTPError(http.StatusBadRequest,
					"The "+where+" field \u201c"+name+"\u201d "+why+", which no text in Margin may hold. Correct it and try again.")
			}
		}
	}
	return nil
}

// badText says what is wrong with s, or "" when it is text Margin can store.
func badText(s string) string {
	switch {
	case !utf8.ValidString(s):
		return "holds bytes that are not UTF-8"
	case strings.IndexByte(s, 0) >= 0:
		return "holds a NUL character"
	}
	return ""
}
