package models_test

import (
	"strings"
	"testing"

	"margin/models"
)

func TestSQLiteDurableByDefault(t *testing.T) {
	for setting, want := range map[string]int{"": 2, "full": 2, "normal": 1} {
		db, err := models.Open(models.Options{DataDir: t.TempDir(), SQLiteSync: setting})
		if err != nil {
			t.Fatal(err)
		}
		var got int
		if err := db.Raw("PRAGMA synchronous").Scan(&got).Error; err != nil {
			t.Fatal(err)
		}
		models.Close(db)
		if got != want {
			t.Errorf("MARGIN_SQLITE_SYNC=%q: synchronous=%d, want %d", setting, got, want)
		}
	}
	if _, err := models.Open(models.Options{DataDir: t.TempDir(), SQLiteSync: "off"}); err == nil {
		t.Error("an unknown durability setting was accepted")
	}
}

func TestUnwritableDataDirectorySaysSo(t *testing.T) {
	// /proc exists and refuses new files even to root, as a read-only mount does.
	_, err := models.Open(models.Options{DataDir: "/proc"})
	if err == nil || !strings.Contains(err.Error(), "not writable") || !strings.Contains(err.Error(), "MARGIN_DATA") {
		t.Fatalf("got %v, want a message that the data directory is not writable and what to do", err)
	}
}
