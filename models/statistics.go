package models

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"gorm.io/gorm"
)

// The query planners choose an index by what they know of the data. Told
// nothing, SQLite guesses, and in a database of a million notes it read
// the reading view's notes by status (every published note of every
// document, 462 ms) rather than by document (9 ms). Margin keeps their
// statistics current: after a migration, at start while SQLite has none of
// the notes, after an import of annotations, and every StatisticsInterval
// while serving.

// StatisticsInterval is how often a serving Margin refreshes the planner's
// statistics (KeepStatistics).
const StatisticsInterval = 6 * time.Hour

// RefreshStatistics brings the planner's statistics up to date with
// ANALYZE. On SQLite it reads every index in full (3 s of one core at a
// million notes): a sampled ANALYZE (analysis_limit) sees a few thousand
// entries of the status index, all of one status, and took it for a
// selective index, which is the very plan this is to prevent. SQLite
// reads the statistics when a connection opens, so the pool's idle
// connections are closed for new ones to read them. PostgreSQL samples on
// its own, and autovacuum re-analyzes tables as they change.
func RefreshStatistics(db *gorm.DB) error {
	if IsPostgres(db) {
		// Margin's own tables: a bare ANALYZE reads every schema of the
		// database, whoever else keeps tables there.
		var tables []string
		if err := db.Raw("SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = current_schema()").Scan(&tables).Error; err != nil || len(tables) == 0 {
			return err
		}
		return db.Exec("ANALYZE " + strings.Join(tables, ", ")).Error
	}
	if err := db.Exec("ANALYZE").Error; err != nil {
		return err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	sqlDB.SetMaxIdleConns(0)
	sqlDB.SetMaxIdleConns(sqlitePoolSize)
	return nil
}

// needsStatistics tells whether SQLite lacks statistics of an index on the
// notes: a new database, one that had no notes when they were taken, or
// an index added since (an upgrade's AutoMigrate).
func needsStatistics(db *gorm.DB) (bool, error) {
	if IsPostgres(db) {
		return false, nil
	}
	var n int64
	if err := db.Raw("SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").Scan(&n).Error; err != nil || n == 0 {
		return true, err
	}
	err := db.Raw(`SELECT COUNT(*) FROM sqlite_master m WHERE m.type = 'index' AND m.tbl_name = 'annotations'
		AND NOT EXISTS (SELECT 1 FROM sqlite_stat1 s WHERE s.tbl = 'annotations' AND s.idx = m.name)`).Scan(&n).Error
	return n > 0, err
}

// KeepStatistics refreshes the planner's statistics every interval until
// ctx ends, so they follow a database that grows from a few notes to
// millions while Margin runs. A failure is logged and tried again at the
// next tick.
func KeepStatistics(ctx context.Context, db *gorm.DB, interval time.Duration, log *slog.Logger) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			began := time.Now()
			if err := RefreshStatistics(db); err != nil {
				if log != nil {
					log.Warn("refresh query planner statistics", "err", err)
				}
				continue
			}
			if log != nil {
				log.Debug("refreshed query planner statistics", "took", time.Since(began))
			}
		}
	}
}
