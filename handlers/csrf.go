package handlers

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// errCSRF is what a forged or stale form gets.
var errCSRF = echo.NewHTTPError(http.StatusForbidden,
	"This form has expired or did not come from this site. Go back, reload the page and try again.")

// csrfExempt are the state-changing routes that take no CSRF token, each
// with why. Every other write needs one; the route table's tests
// (TestEveryStateChangingRouteRefusesForgedRequests) check the list is
// exactly this.
var csrfExempt = map[string]string{
	// RFC 8058 one-click unsubscribe: the recipient's mail client POSTs
	// "List-Unsubscribe=One-Click" with no cookie and so no token, from no
	// page of ours. The signed token in the path (a MAC under the site key
	// of the user and the list) is the credential, and all a request can do
	// is stop mail to that user, which a forger holding the link could do
	// by clicking it anyway.
	"POST /mail/unsubscribe/:token": "RFC 8058 one-click unsubscribe from a mail client",
}

// checkCSRF refuses state-changing requests that another site's page sent,
// as the browser tells (Origin, Sec-Fetch-Site), or that lack the session's
// token. The token is taken from the X-CSRF-Token header or the body only,
// never from the address, where it would end up in logs and Referer headers.
func (a *App) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !isWrite(c.Request().Method) {
			return next(c)
		}
		if _, exempt := csrfExempt[c.Request().Method+" "+c.Path()]; exempt {
			return next(c)
		}
		if fromOtherSite(c) {
			return errCSRF
		}
		st := a.state(c)
		want, _ := st.session.Values[keyCSRF].(string)
		if st.login != nil {
			want = st.login.CSRFToken
		}
		got := c.Request().Header.Get("X-CSRF-Token")
		if got == "" {
			got = c.Request().PostFormValue("_csrf")
		}
		if want == "" || got == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
			return errCSRF
		}
		return next(c)
	}
}

// fromOtherSite tells whether the browser says the request comes from a
// page of another site: an Origin that is not this host (or "null", as
// from a sandboxed frame), an http page posting to https, or, when a
// browser sends no Origin, Sec-Fetch-Site: cross-site. Behind a proxy the
// host is the Host header it passes on, or its X-Forwarded-Host: a page on
// another site cannot make a browser send that header (it is not one a
// cross-site form or fetch may set without asking this site first).
func fromOtherSite(c echo.Context) bool {
	r := c.Request()
	origin := r.Header.Get("Origin")
	if origin == "" {
		return r.Header.Get("Sec-Fetch-Site") == "cross-site"
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || u.Scheme != "http" && u.Scheme != "https" {
		return true
	}
	if c.Scheme() == "https" && u.Scheme != "https" {
		return true
	}
	if strings.EqualFold(u.Host, r.Host) {
		return false
	}
	forwarded, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Host"), ",")
	return !strings.EqualFold(u.Host, strings.TrimSpace(forwarded))
}
