package models_test

import (
	"fmt"
	"testing"
	"time"

	"margin/models"
	"margin/models/modeltest"
	"margin/models/passhash"
)

// Many accounts naming one stranger's address get it a few confirmation
// links a day, not one each: the limit is the address's, not the account's.
func TestConfirmationsToOneAddressAreBoundedAcrossAccounts(t *testing.T) {
	db := modeltest.Open(t)
	now := time.Now().UTC()
	count := func(address string) int64 {
		t.Helper()
		var n int64
		if err := db.Model(&models.OutboxMessage{}).Where("kind = ? AND address = ?", models.OutboxConfirm, address).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	var first *models.User
	for i := range models.ConfirmationsPerAddress + 3 {
		u, err := models.CreateUser(db, models.NewUser{Username: fmt.Sprintf("sock%d", i), Password: "a long enough password"}, passhash.Fast)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = u
		}
		// The case of an address changes nothing.
		address := "Victim@example.org"
		if i%2 == 1 {
			address = "victim@example.org"
		}
		if err := models.SetEmail(db, u, address, now); err != nil {
			t.Fatal(err)
		}
	}
	if n := count("Victim@example.org") + count("victim@example.org"); n != models.ConfirmationsPerAddress {
		t.Fatalf("the address got %d confirmations from %d accounts, want %d", n, models.ConfirmationsPerAddress+3, models.ConfirmationsPerAddress)
	}
	// Sending again within the hour queues nothing and uses none of the address's share.
	if err := models.QueueConfirmation(db, first, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	// A day later the address has its share again, and another address never lost it.
	if err := models.QueueConfirmation(db, first, now.Add(25*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := count("Victim@example.org") + count("victim@example.org"); n != models.ConfirmationsPerAddress+1 {
		t.Errorf("a day later: %d confirmations, want %d", n, models.ConfirmationsPerAddress+1)
	}
	other, err := models.CreateUser(db, models.NewUser{Username: "someone", Email: "someone@example.org", Password: "a long enough password"}, passhash.Fast)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(other.Email); n != 1 {
		t.Errorf("another address got %d confirmations", n)
	}
}

// A confirmation link followed again, a day later, leaves the digest's
// window where it was: the notes since the last digest are still to come.
func TestConfirmingAgainKeepsTheDigestWindow(t *testing.T) {
	db := modeltest.Open(t)
	now := time.Now().UTC().Truncate(time.Second)
	u, err := models.CreateUser(db, models.NewUser{Username: "ada", Email: "ada@example.org", Password: "a long enough password"}, passhash.Fast)
	if err != nil {
		t.Fatal(err)
	}
	if err := models.ConfirmEmail(db, u, now); err != nil {
		t.Fatal(err)
	}
	if err := models.ConfirmEmail(db, u, now.Add(30*time.Hour)); err != nil {
		t.Fatal(err)
	}
	s, err := models.MailSettingsOf(db, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !s.DigestThrough.Equal(now) || !s.Confirmed(u.Email) {
		t.Errorf("after confirming again: digest through %v (want %v), confirmed %q", s.DigestThrough, now, s.ConfirmedEmail)
	}
	// A new address, once confirmed, starts its own window.
	if err := models.SetEmail(db, u, "ada@new.example", now.Add(31*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := models.ConfirmEmail(db, u, now.Add(32*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if s, _ = models.MailSettingsOf(db, u.ID); !s.DigestThrough.Equal(now.Add(32*time.Hour)) || !s.Confirmed("ada@new.example") {
		t.Errorf("after confirming a new address: %+v", s)
	}
}
