package models_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"margin/models"
)

// The errors the stores really give when they fail for a while are
// Unavailable; the errors of a wrong request are not.
func TestUnavailableKnowsPassingFailures(t *testing.T) {
	// A full disk, as SQLite reports it: the file may not grow.
	sqlDB, err := sql.Open(sqlite.DriverName, "file:"+filepath.Join(t.TempDir(), "full.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer sqlDB.Close()
	sqlDB.SetMaxOpenConns(1)
	db, err := gorm.Open(sqlite.New(sqlite.Config{DriverName: sqlite.DriverName, Conn: sqlDB}), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("CREATE TABLE t (v TEXT)").Error; err != nil {
		t.Fatal(err)
	}
	var pages int
	db.Raw("PRAGMA page_count").Scan(&pages)
	db.Exec(fmt.Sprintf("PRAGMA max_page_count = %d", pages))
	full := db.Exec("INSERT INTO t VALUES (?)", strings.Repeat("x", 100_000)).Error
	if full == nil || !strings.Contains(full.Error(), "full") {
		t.Fatalf("insert into a full database: %v", full)
	}
	constraint := db.Exec("INSERT INTO nowhere VALUES (1)").Error

	// PostgreSQL that is not there at all.
	down, err := gorm.Open(postgres.Open("postgres://margin@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=2"), &gorm.Config{Logger: logger.Discard})
	var downErr error
	if err != nil {
		downErr = err
	} else {
		downErr = down.Exec("SELECT 1").Error
	}
	if downErr == nil {
		t.Fatal("a PostgreSQL on port 1 answered")
	}

	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"SQLite full", full, true},
		{"SQLite full, wrapped", errors.Join(errors.New("create note"), full), true},
		{"PostgreSQL down", downErr, true},
		{"deadline", errors.Join(errors.New("wait"), errTimeout()), true},
		{"no such table", constraint, false},
		{"not found", models.ErrNotFound, false},
		{"form", models.FieldErrors{"body": "Write something."}, false},
		{"nil", nil, false},
	} {
		if got := models.Unavailable(tc.err); got != tc.want {
			t.Errorf("%s (%v): Unavailable = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}

func errTimeout() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	return ctx.Err()
}
