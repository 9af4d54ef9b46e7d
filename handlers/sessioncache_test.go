package handlers

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gorilla/securecookie"
)

// A session cookie is decoded once, then served from the cache with the
// same values until the moment the cookie expires; what a handler does to
// its session does not reach the cache.
func TestSessionCache(t *testing.T) {
	store := newSessionStore(bytes.Repeat([]byte{1}, 64), bytes.Repeat([]byte{2}, 32))
	a := &App{sessions: store, sessionCache: newSessionCache()}
	encoded, err := securecookie.EncodeMulti(sessionCookie, map[any]any{keySession: "seven", keyFlash: []any{"hello"}}, store.Codecs...)
	if err != nil {
		t.Fatal(err)
	}
	issued, ok := cookieIssued(encoded)
	if !ok || time.Since(issued) > time.Minute || time.Since(issued) < -time.Minute {
		t.Fatalf("issued %v (%v), want about now", issued, ok)
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: encoded})
	for i := range 2 {
		sess, err := a.openSession(req)
		if err != nil || sess.IsNew || sess.Values[keySession] != "seven" {
			t.Fatalf("open %d: %v, new %v, values %v", i, err, sess.IsNew, sess.Values)
		}
		if _, cached := a.sessionCache.get(encoded, time.Now()); !cached {
			t.Fatalf("open %d: the decoded cookie was not kept", i)
		}
		// A handler takes the flash and adds another.
		sess.Flashes(keyFlash)
		sess.AddFlash("changed", keyFlash)
		sess.Values[keySession] = "eight"
	}
	if _, cached := a.sessionCache.get(encoded, issued.Add(sessionMaxAge*time.Second+time.Second)); cached {
		t.Error("a cookie past its age was served from the cache")
	}
	// A forged or foreign cookie is refused and not kept.
	bad := httptest.NewRequest(http.MethodGet, "/", nil)
	bad.AddCookie(&http.Cookie{Name: sessionCookie, Value: encoded[:len(encoded)-4] + "AAAA"})
	if sess, err := a.openSession(bad); err == nil || !sess.IsNew {
		t.Errorf("a tampered cookie opened a session: %v", err)
	}
	if len(a.sessionCache.entries) != 0 {
		t.Errorf("%d entries after the expired one went and a forged one was refused", len(a.sessionCache.entries))
	}
}
