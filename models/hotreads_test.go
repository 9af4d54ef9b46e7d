package models_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"margin/models"
	"margin/models/modeltest"
	"margin/models/passhash"
	"margin/models/textimport"
)

func splitColumns(list string) []string { return strings.Split(list, ", ") }

// The rows every request reads are scanned by hand (SessionByKey,
// DocumentByID): they must read what GORM reads, every column included.
func TestHandScannedRowsMatchGORM(t *testing.T) {
	f := newClassFixture(t)
	db, u := f.db, f.educator
	until := time.Now().UTC().Add(-time.Hour).Truncate(time.Microsecond)
	if err := db.Model(u).Updates(map[string]any{"email": "s@example.org", "banned_until": until, "feed_epoch": 3}).Error; err != nil {
		t.Fatal(err)
	}
	key, _, err := models.StartSession(db, u, time.Now().UTC(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	got, err := models.SessionByKey(db, key, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	var want models.Session
	if err := db.Joins("User").Where("sessions.id = ?", got.ID).Take(&want).Error; err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("SessionByKey = %+v\nGORM reads %+v", *got, want)
	}
	if _, err := models.SessionByKey(db, key+"x", time.Now().UTC()); err != models.ErrNotFound {
		t.Errorf("an unknown key: %v, want ErrNotFound", err)
	}
	if _, err := models.SessionByKey(db, key, time.Now().UTC().Add(2*time.Hour)); err != models.ErrNotFound {
		t.Errorf("an expired session: %v, want ErrNotFound", err)
	}

	doc := f.doc
	gotDoc, err := models.DocumentByID(db, doc.ID)
	if err != nil {
		t.Fatal(err)
	}
	var wantDoc models.Document
	if err := db.First(&wantDoc, doc.ID).Error; err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*gotDoc, wantDoc) {
		t.Errorf("DocumentByID = %+v\nGORM reads %+v", *gotDoc, wantDoc)
	}
	if _, err := models.DocumentByID(db, doc.ID+1000); err != models.ErrNotFound {
		t.Errorf("a missing document: %v, want ErrNotFound", err)
	}

	// A column added to either table must be added to its scan as well.
	for _, m := range []struct {
		model   any
		columns string
	}{{&models.User{}, models.UserColumns}, {&models.Document{}, models.DocumentColumns}} {
		stmt := &gorm.Statement{DB: db}
		if err := stmt.Parse(m.model); err != nil {
			t.Fatal(err)
		}
		if want := len(stmt.Schema.DBNames); len(splitColumns(m.columns)) != want {
			t.Errorf("%T: the hand scan reads %q, the table has %d columns %v", m.model, m.columns, want, stmt.Schema.DBNames)
		}
	}
}

// BenchmarkHotReads is the rows every logged-in request reads, scanned by
// hand as Margin does and through GORM as before (`go test ./models -run
// '^$' -bench HotReads`).
func BenchmarkHotReads(b *testing.B) {
	db := modeltest.Open(b)
	u, err := models.CreateUser(db, models.NewUser{Username: "hot", Password: "a long enough password 1", Role: models.RoleReader}, passhash.Fast)
	if err != nil {
		b.Fatal(err)
	}
	parsed, err := textimport.Parse("x.txt", []byte("# Hot\n\nOne passage."), textimport.FormatMarkdown, 0)
	if err != nil {
		b.Fatal(err)
	}
	res, err := models.ImportDocument(db, parsed, nil)
	if err != nil {
		b.Fatal(err)
	}
	key, s, err := models.StartSession(db, u, time.Now().UTC(), time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	for _, bench := range []struct {
		name string
		read func() error
	}{
		{"session", func() error { _, err := models.SessionByKey(db, key, now); return err }},
		{"session-gorm", func() error {
			var got models.Session
			return db.Joins("User").Where("sessions.id = ? AND sessions.expires_at > ?", s.ID, now).Take(&got).Error
		}},
		{"document", func() error { _, err := models.DocumentByID(db, res.Document.ID); return err }},
		{"document-gorm", func() error { var d models.Document; return db.First(&d, res.Document.ID).Error }},
	} {
		b.Run(bench.name, func(b *testing.B) {
			for range b.N {
				if err := bench.read(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
