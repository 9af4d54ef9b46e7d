package models_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"margin/models"
	"margin/models/modeltest"
	"margin/models/passhash"
)

func TestAPITokenLifecycle(t *testing.T) {
	db := modeltest.Open(t)
	now := time.Date(2026, 4, 4, 12, 0, 0, 0, time.UTC)
	mk := func(name string, role models.Role) *models.User {
		u, err := models.CreateUser(db, models.NewUser{Username: name, Password: "correct horse battery staple", Role: role}, passhash.Fast)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	alice, bob, admin := mk("alice", models.RoleReader), mk("bob", models.RoleReader), mk("root", models.RoleAdmin)

	in := func(name string, scope models.TokenScope, exp *time.Time) models.NewToken {
		return models.NewToken{Name: name, Scope: scope, ExpiresAt: exp}
	}
	var fe models.FieldErrors
	if _, _, err := models.CreateAPIToken(db, alice, in(" ", "admin", nil), now); !errors.As(err, &fe) || fe["name"] == "" || fe["scope"] == "" {
		t.Fatalf("bad name and scope accepted: %v", err)
	}
	past := now.Add(-time.Hour)
	if _, _, err := models.CreateAPIToken(db, alice, in("x", models.ScopeRead, &past), now); !errors.As(err, &fe) || fe["expires"] == "" {
		t.Fatalf("expiry in the past accepted: %v", err)
	}

	secret, tok, err := models.CreateAPIToken(db, alice, in("script", models.ScopeWrite, nil), now)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "margin_") || len(secret) < 60 {
		t.Errorf("secret %q", secret)
	}
	// Only the hash is stored: no column holds the secret.
	var stored models.APIToken
	db.First(&stored, tok.ID)
	sum := sha256.Sum256([]byte(secret))
	if stored.Hash != hex.EncodeToString(sum[:]) || strings.Contains(stored.Hint+stored.Name, secret[10:]) {
		t.Errorf("stored %+v", stored)
	}

	got, err := models.AuthenticateToken(db, secret, now)
	if err != nil || got.UserID != alice.ID || got.User.Username != "alice" || !got.MayWrite() || got.LastUsedAt == nil {
		t.Fatalf("authenticate: %+v %v", got, err)
	}
	for _, bad := range []string{"", secret + "x", strings.TrimPrefix(secret, "margin_"), stored.Hash} {
		if _, err := models.AuthenticateToken(db, bad, now); !errors.Is(err, models.ErrTokenInvalid) {
			t.Errorf("%q: %v", bad, err)
		}
	}

	soon := now.Add(time.Hour)
	short, _, err := models.CreateAPIToken(db, alice, in("short", models.ScopeRead, &soon), now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.AuthenticateToken(db, short, now.Add(59*time.Minute)); err != nil {
		t.Errorf("before expiry: %v", err)
	}
	if _, err := models.AuthenticateToken(db, short, now.Add(time.Hour)); !errors.Is(err, models.ErrTokenInvalid) {
		t.Errorf("at expiry: %v", err)
	}

	// Another reader cannot revoke it; its owner and an admin can.
	if err := models.RevokeToken(db, bob, tok.ID, now); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("bob revoked alice's token: %v", err)
	}
	all, err := models.AllTokens(db, now)
	if err != nil || len(all) != 2 || all[0].User.Username != "alice" {
		t.Errorf("admin list: %+v %v", all, err)
	}
	if err := models.RevokeToken(db, admin, tok.ID, now); err != nil {
		t.Fatal(err)
	}
	if _, err := models.AuthenticateToken(db, secret, now); !errors.Is(err, models.ErrTokenInvalid) {
		t.Errorf("revoked token works: %v", err)
	}
	if err := models.RevokeToken(db, alice, tok.ID, now); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("revoked twice: %v", err)
	}
	mine, _ := models.UserTokens(db, alice.ID)
	if len(mine) != 1 || mine[0].Name != "short" {
		t.Errorf("alice's tokens: %+v", mine)
	}

	// A banned owner's tokens stop working.
	bobSecret, _, err := models.CreateAPIToken(db, bob, in("b", models.ScopeRead, nil), now)
	if err != nil {
		t.Fatal(err)
	}
	db.Model(bob).Update("banned_until", now.Add(24*time.Hour))
	if _, err := models.AuthenticateToken(db, bobSecret, now); !errors.Is(err, models.ErrTokenInvalid) {
		t.Errorf("banned owner's token works: %v", err)
	}
}
