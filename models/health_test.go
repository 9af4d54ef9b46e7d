package models_test

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"margin/models"
	"margin/models/modeltest"
)

// checkWriteWithin runs CheckWrite, failing the test rather than hanging
// when it does not return in time.
func checkWriteWithin(t *testing.T, db *gorm.DB) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- models.CheckWrite(db, time.Now().UTC()) }()
	select {
	case err := <-done:
		return err
	case <-time.After(15 * time.Second):
		t.Fatal("CheckWrite did not return within 15 s")
		return nil
	}
}

// A store that answers reads but cannot write fails the write probe: a
// SQLite file opened read-only (as on a file system remounted read-only),
// a PostgreSQL whose transactions are read-only (as on a standby or in
// recovery). A store that can write passes, again and again.
func TestCheckWriteFailsWhenTheStoreCannotWrite(t *testing.T) {
	var opts models.Options
	var readOnly func() *gorm.DB
	if modeltest.UsePostgres() {
		url := freshSchema(t, modeltest.PostgresURL(t))
		opts.DatabaseURL = url
		readOnly = func() *gorm.DB {
			db, err := gorm.Open(postgres.Open(url+"&default_transaction_read_only=on"), &gorm.Config{Logger: logger.Discard})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { models.Close(db) })
			return db
		}
	} else {
		opts.DataDir = t.TempDir()
		readOnly = func() *gorm.DB {
			sqlDB, err := sql.Open(sqlite.DriverName, "file:"+filepath.Join(opts.DataDir, "margin.db")+"?mode=ro&_busy_timeout=2000&_txlock=immediate")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { sqlDB.Close() })
			db, err := gorm.Open(sqlite.New(sqlite.Config{DriverName: sqlite.DriverName, Conn: sqlDB}), &gorm.Config{Logger: logger.Discard})
			if err != nil {
				t.Fatal(err)
			}
			return db
		}
	}
	db, err := models.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer models.Close(db)
	for range 2 {
		if err := checkWriteWithin(t, db); err != nil {
			t.Fatalf("a writable store failed the probe: %v", err)
		}
	}
	ro := readOnly()
	if err := ro.Exec("SELECT 1").Error; err != nil {
		t.Fatalf("the read-only handle cannot even read: %v", err)
	}
	err = checkWriteWithin(t, ro)
	if err == nil || !strings.Contains(strings.ToLower(err.Error()), "read") {
		t.Fatalf("a store that cannot write: probe says %v, want a read-only error", err)
	}
	if !models.Unavailable(err) {
		t.Errorf("a read-only store's error %v is not Unavailable", err)
	}
}
