package handlers

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/sessions"
)

// sessionCache remembers what session cookies decoded to. A logged-in
// browser sends the same cookie with every request until the session
// changes, and decoding it (HMAC, AES, gob) is a noticeable part of a
// small request. Only cookies that decoded and verified are kept, under
// their whole value (which cannot be forged), until the moment the cookie
// itself expires; new keys at a restart start with an empty cache. The
// user's account row is still read on every request, so logging out
// everywhere, a password change or a ban take effect at once.
type sessionCache struct {
	mu      sync.Mutex
	entries map[string]cachedSession
}

type cachedSession struct {
	values  map[any]any
	expires time.Time
}

// maxCachedSessions bounds the cache (a few hundred bytes each); when full
// it starts again.
const maxCachedSessions = 10_000

func newSessionCache() *sessionCache {
	return &sessionCache{entries: map[string]cachedSession{}}
}

func (sc *sessionCache) get(cookie string, now time.Time) (map[any]any, bool) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	e, ok := sc.entries[cookie]
	if !ok {
		return nil, false
	}
	if now.After(e.expires) {
		delete(sc.entries, cookie)
		return nil, false
	}
	return copyValues(e.values), true
}

func (sc *sessionCache) put(cookie string, values map[any]any, expires time.Time) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if len(sc.entries) >= maxCachedSessions {
		clear(sc.entries)
	}
	sc.entries[cookie] = cachedSession{values: copyValues(values), expires: expires}
}

// copyValues copies a session's values deeply enough that a handler
// changing its session (flashes are appended to a slice) leaves the
// cached values as they were.
func copyValues(values map[any]any) map[any]any {
	out := make(map[any]any, len(values))
	for k, v := range values {
		if list, ok := v.([]any); ok {
			v = append([]any(nil), list...)
		}
		out[k] = v
	}
	return out
}

// cookieIssued reads when a securecookie value was issued: it is
// base64("date|payload|mac"), the date in Unix seconds.
func cookieIssued(value string) (time.Time, bool) {
	raw, err := base64.URLEncoding.DecodeString(value)
	if err != nil {
		return time.Time{}, false
	}
	date, _, found := bytes.Cut(raw, []byte("|"))
	if !found {
		return time.Time{}, false
	}
	secs, err := strconv.ParseInt(string(date), 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(secs, 0), true
}

// openSession decodes the session cookie, from the cache when the same
// cookie was decoded before. It behaves as the store's New.
func (a *App) openSession(r *http.Request) (*sessions.Session, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return a.sessions.New(r, sessionCookie)
	}
	// securecookie checks a cookie's age against the real clock; so does this.
	now := time.Now()
	if values, ok := a.sessionCache.get(c.Value, now); ok {
		sess := sessions.NewSession(a.sessions, sessionCookie)
		opts := *a.sessions.Options
		sess.Options = &opts
		sess.Values = values
		sess.IsNew = false
		return sess, nil
	}
	sess, err := a.sessions.New(r, sessionCookie)
	if err == nil && !sess.IsNew {
		if issued, ok := cookieIssued(c.Value); ok {
			a.sessionCache.put(c.Value, sess.Values, issued.Add(sessionMaxAge*time.Second))
		}
	}
	return sess, err
}
