package models

import (
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Options says where the store lives.
type Options struct {
	// DatabaseURL selects PostgreSQL when it starts with postgres:// or postgresql://.
	DatabaseURL string
	// DataDir holds the SQLite database when DatabaseURL is empty.
	DataDir string
	// Logger receives slow-query warnings; nil silences GORM.
	Logger *slog.Logger
}

// SQLitePath is where the embedded database lives inside a data directory.
func SQLitePath(dataDir string) string { return filepath.Join(dataDir, "margin.db") }

// Open connects to the configured database, tunes it and brings the schema up to date.
func Open(opts Options) (*gorm.DB, error) {
	cfg := &gorm.Config{
		TranslateError: true,
		// Every query Margin makes is prepared once per connection and reused.
		PrepareStmt: true,
		Logger:      logger.Discard,
		NowFunc:     func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) },
	}
	var db *gorm.DB
	if IsPostgresURL(opts.DatabaseURL) {
		pgCfg, err := pgx.ParseConfig(opts.DatabaseURL)
		if err != nil {
			return nil, fmt.Errorf("DATABASE_URL: %w", err)
		}
		sqlDB := stdlib.OpenDB(*pgCfg)
		db, err = gorm.Open(postgres.New(postgres.Config{Conn: newTxPool(sqlDB)}), cfg)
		if err != nil {
			sqlDB.Close()
			return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
		}
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(10)
		sqlDB.SetConnMaxLifetime(30 * time.Minute)
	} else {
		if opts.DatabaseURL != "" {
			return nil, fmt.Errorf("DATABASE_URL must start with postgres:// or postgresql:// (got %q)", redactURL(opts.DatabaseURL))
		}
		if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		sqlDB, err := sql.Open(sqlite.DriverName, sqliteDSN(SQLitePath(opts.DataDir)))
		if err != nil {
			return nil, fmt.Errorf("open SQLite database: %w", err)
		}
		db, err = gorm.Open(sqlite.New(sqlite.Config{DriverName: sqlite.DriverName, Conn: newSerialPool(sqlDB, 10*time.Second)}), cfg)
		if err != nil {
			return nil, fmt.Errorf("open SQLite database: %w", err)
		}
		// WAL allows many readers beside one writer; a small pool keeps writers from
		// queueing on SQLITE_BUSY more than the busy timeout absorbs.
		sqlDB.SetMaxOpenConns(8)
		sqlDB.SetMaxIdleConns(8)
	}
	if err := Migrate(db); err != nil {
		return nil, err
	}
	return db, nil
}

// sqliteDSN turns on WAL, foreign keys and a busy timeout for every pooled connection.
func sqliteDSN(path string) string {
	return "file:" + path + "?_journal_mode=WAL&_foreign_keys=on&_busy_timeout=10000&_synchronous=NORMAL&_txlock=immediate"
}

// SQLiteDSN is exported for tools (the benchmark) that need the exact same settings.
func SQLiteDSN(path string) string { return sqliteDSN(path) }

// IsPostgresURL tells whether a DATABASE_URL selects PostgreSQL.
func IsPostgresURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// IsPostgres tells which dialect a handle speaks.
func IsPostgres(db *gorm.DB) bool { return db.Dialector.Name() == "postgres" }

func redactURL(u string) string {
	if i := strings.Index(u, "@"); i > 0 {
		if j := strings.Index(u, "://"); j > 0 && j < i {
			return u[:j+3] + "…" + u[i:]
		}
	}
	return u
}

// Ping checks that the database answers.
func Ping(db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Ping()
}

// Close releases the pool.
func Close(db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	spamCaches.Delete(sqlDB)
	if prepared, ok := db.Statement.ConnPool.(*gorm.PreparedStmtDB); ok {
		if pool, ok := prepared.ConnPool.(*txPool); ok && pool.grouped {
			pool.close()
		}
	}
	return sqlDB.Close()
}
