package main

import (
	"flag"
	"fmt"
	"os"

	"gorm.io/gorm"

	"margin/models"
)

// storeFlags are shared by every subcommand.
type storeFlags struct {
	dataDir     string
	databaseURL string
	sqliteSync  string
}

func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

func (s *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.dataDir, "data", envOr("MARGIN_DATA", "./margin-data"), "data `directory`: SQLite database and session keys (env MARGIN_DATA)")
	fs.StringVar(&s.sqliteSync, "sqlite-sync", envOr("MARGIN_SQLITE_SYNC", "full"), "SQLite `durability`: full (every acknowledged note survives a power cut) or normal (faster; may lose the last notes on a crash of the machine) (env MARGIN_SQLITE_SYNC)")
	fs.StringVar(&s.databaseURL, "database-url", os.Getenv("DATABASE_URL"), "PostgreSQL `URL` postgres://...; empty uses SQLite in the data directory (env DATABASE_URL)")
}

func (s *storeFlags) open(e cliEnv) (*gorm.DB, error) {
	db, err := models.Open(models.Options{DatabaseURL: s.databaseURL, DataDir: s.dataDir, Logger: e.logger(), SQLiteSync: s.sqliteSync})
	if err != nil {
		return nil, err
	}
	return db, nil
}

// parseAndOpen parses a subcommand's flags and opens the store they name.
func (s *storeFlags) parseAndOpen(e cliEnv, fs *flag.FlagSet, args []string) (*gorm.DB, error) {
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return s.open(e)
}

// newFlagSet makes a flag set whose -h prints a description first.
func newFlagSet(e cliEnv, name, synopsis, description string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s\n\n%s\n\nFlags:\n", synopsis, description)
		fs.PrintDefaults()
	}
	return fs
}
