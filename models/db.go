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
	// SQLiteSync is SQLite's synchronous setting: "full" (the default) makes
	// every acknowledged write survive a power cut; "normal" is faster but may
	// lose the last acknowledged writes when the machine or its disk fails.
	SQLiteSync string
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
		if err := checkWritable(opts.DataDir); err != nil {
			return nil, err
		}
		sync, err := sqliteSync(opts.SQLiteSync)
		if err != nil {
			return nil, err
		}
		sqlDB, err := sql.Open(sqliteDriver, sqliteDSNSync(SQLitePath(opts.DataDir), sync))
		if err != nil {
			return nil, fmt.Errorf("open SQLite database: %w", err)
		}
		db, err = gorm.Open(sqlite.New(sqlite.Config{DriverName: sqliteDriver, Conn: newSerialPool(sqlDB, 10*time.Second)}), cfg)
		if err != nil {
			return nil, fmt.Errorf("open SQLite database: %w", err)
		}
		// WAL allows many readers beside one writer; a small pool keeps writers from
		// queueing on SQLITE_BUSY more than the busy timeout absorbs.
		sqlDB.SetMaxOpenConns(sqlitePoolSize)
		sqlDB.SetMaxIdleConns(sqlitePoolSize)
		// A connection reads the planner's statistics when it opens; the
		// busy ones RefreshStatistics could not replace renew within the hour.
		sqlDB.SetConnMaxLifetime(time.Hour)
	}
	if err := Migrate(db); err != nil {
		return nil, err
	}
	return db, nil
}

// sqlitePoolSize is how many connections Margin keeps to SQLite.
const sqlitePoolSize = 8

// sqliteDSN turns on WAL, foreign keys and a busy timeout for every pooled
// connection, with the durable default synchronous=FULL.
func sqliteDSN(path string) string { return sqliteDSNSync(path, "FULL") }

func sqliteDSNSync(path, sync string) string {
	return "file:" + path + "?_journal_mode=WAL&_foreign_keys=on&_busy_timeout=10000&_synchronous=" + sync + "&_txlock=immediate"
}

// sqliteSync maps the MARGIN_SQLITE_SYNC setting to SQLite's pragma value.
func sqliteSync(setting string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(setting)) {
	case "", "full":
		return "FULL", nil
	case "normal":
		return "NORMAL", nil
	}
	return "", fmt.Errorf("MARGIN_SQLITE_SYNC must be full or normal (got %q)", setting)
}

// checkWritable says plainly when the data directory or its database cannot
// be written: SQLite's own message ("unable to open database file: no such
// file or directory") names neither the cause nor the cure.
func checkWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".write-check-*")
	if err != nil {
		return fmt.Errorf("data directory %s is not writable (%v): Margin keeps its database there; make it writable by the user running Margin, mount it read-write, free disk space, or choose another directory with -data or MARGIN_DATA", dir, err)
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	for _, suffix := range []string{"", "-wal", "-shm"} {
		path := SQLitePath(dir) + suffix
		g, err := os.OpenFile(path, os.O_RDWR, 0)
		if err == nil {
			g.Close()
			continue
		}
		if !os.IsNotExist(err) {
			return fmt.Errorf("database file %s cannot be opened for writing (%v): give the user running Margin write access to it (chmod u+w, chown)", path, err)
		}
	}
	return nil
}

// SQLiteDSN is exported for tools (the benchmark) that need the exact same settings.
func SQLiteDSN(path string) string { return sqliteDSN(path) }

// SQLiteDSNSync is SQLiteDSN with a durability setting as Options.SQLiteSync
// takes it ("full", "normal").
func SQLiteDSNSync(path, setting string) (string, error) {
	sync, err := sqliteSync(setting)
	if err != nil {
		return "", err
	}
	return sqliteDSNSync(path, sync), nil
}

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

// scanOne reads the first row of a query written out into dest, and is
// ErrNotFound when there is none: for the rows every request reads, where
// GORM's statement building and reflection cost more than the query.
func scanOne(db *gorm.DB, query string, args []any, dest ...any) error {
	rows, err := db.Raw(query, args...).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return ErrNotFound
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	return rows.Close()
}
