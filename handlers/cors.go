package handlers

import (
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"margin/models"
)

// CORS on the API: anyone may read public annotations from any origin,
// without credentials. Requests with credentials (a session cookie, or a
// token in Authorization) and writes are allowed only from the site itself
// and the origins an admin lists (Config.CORSOrigins). Even then a cookie
// from another origin cannot write: it has no CSRF token; writes from other
// origins use tokens, which need no credentials mode.

const (
	corsExposed     = "ETag, Link, Location, Content-Location, Allow, Accept-Post, Preference-Applied, Vary, WWW-Authenticate, Retry-After"
	corsReadHeaders = "Accept, Prefer, If-None-Match"
	corsAllHeaders  = "Accept, Prefer, If-None-Match, If-Match, Content-Type, Authorization"
)

// originTrusted tells whether credentialed and write requests from origin
// are allowed: the site itself, an origin in the configuration, or one an
// admin listed on the API tokens page (read from the database, so every
// instance agrees at once).
func (a *App) originTrusted(c echo.Context, origin string) bool {
	if origin == c.Scheme()+"://"+c.Request().Host || slices.Contains(a.cfg.CORSOrigins, origin) {
		return true
	}
	listed, err := models.APIOrigins(a.db)
	if err != nil {
		a.log.Error("read the API's allowed origins", "err", err)
		return false
	}
	return slices.Contains(listed, strings.ToLower(origin))
}

func (a *App) cors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		origin := r.Header.Get("Origin")
		if origin == "" {
			return next(c)
		}
		h := c.Response().Header()
		h.Add("Vary", "Origin")
		trusted := a.originTrusted(c, origin)
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			return a.preflight(c, origin, trusted)
		}
		if !trusted && isWrite(r.Method) {
			return echo.NewHTTPError(http.StatusForbidden, "This request did not come from this site or an origin its admin allows ("+origin+").")
		}
		h.Set("Access-Control-Expose-Headers", corsExposed)
		switch {
		case trusted && r.Header.Get("Authorization") == "":
			// A browser session from a trusted origin reads as itself.
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Credentials", "true")
		case trusted:
			h.Set("Access-Control-Allow-Origin", origin)
		default:
			h.Set("Access-Control-Allow-Origin", "*")
		}
		return next(c)
	}
}

// preflight answers a browser's CORS preflight: reads for everyone, and
// writes, credentials and Authorization for trusted origins only.
func (a *App) preflight(c echo.Context, origin string, trusted bool) error {
	r := c.Request()
	h := c.Response().Header()
	method := r.Header.Get("Access-Control-Request-Method")
	asked := strings.ToLower(r.Header.Get("Access-Control-Request-Headers"))
	if !trusted && (isWrite(method) || strings.Contains(asked, "authorization")) {
		// No Access-Control-Allow-Origin: the browser refuses the request.
		return c.NoContent(http.StatusNoContent)
	}
	if trusted {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS, POST, PUT, DELETE")
		h.Set("Access-Control-Allow-Headers", corsAllHeaders)
		if !strings.Contains(asked, "authorization") {
			h.Set("Access-Control-Allow-Credentials", "true")
		}
	} else {
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
		h.Set("Access-Control-Allow-Headers", corsReadHeaders)
	}
	h.Set("Access-Control-Max-Age", "600")
	return c.NoContent(http.StatusNoContent)
}
