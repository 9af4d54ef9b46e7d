package handlers

import (
	"net/http"
	"net/url"
	"strings"

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

// refuseNUL rejects forms whose fields contain a NUL character: no text in
// Margin has one, and PostgreSQL cannot store it.
func refuseNUL(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Request().Method != http.MethodPost {
			return next(c)
		}
		form, err := c.FormParams()
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read.")
		}
		for _, vs := range form {
			for _, v := range vs {
				if strings.ContainsRune(v, 0) {
					return echo.NewHTTPError(http.StatusBadRequest, "The form contains a NUL character, which no text may hold. Remove it and try again.")
				}
			}
		}
		return next(c)
	}
}
