package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// schemaModels are the tables GORM keeps in shape. AutoMigrate only ever adds
// tables, columns and indexes: it never drops a column, so user data survives
// every upgrade. Work AutoMigrate cannot do (backfills, renames by copy) goes in
// dataMigrations.
func schemaModels() []any {
	return []any{
		&SchemaVersion{},
		&User{}, &Session{}, &SetupToken{}, &RateEvent{},
		&Document{}, &Revision{}, &Passage{},
		&Annotation{}, &Citation{}, &AnnotationEdit{}, &Reaction{}, &Notification{},
		&Class{}, &ClassMember{}, &Assignment{}, &Grade{}, &Feedback{},
		&SpamFeature{}, &SpamTotal{}, &Screening{}, &Decision{}, &Flag{}, &Claim{},
		&ModerationSetting{}, &PremoderatedDocument{}, &BlockedTerm{},
		&APIToken{}, &HealthProbe{}, &AnnotationOrigin{},
		&MailSettings{}, &OutboxMessage{}, &Follow{}, &PassageChange{},
	}
}

// dataMigrations is append-only: the schema version is its length. Each runs
// once, in its own transaction, after AutoMigrate.
var dataMigrations = []func(tx *gorm.DB) error{
	func(tx *gorm.DB) error { return nil }, // 1: initial schema, created by AutoMigrate
	// 2: screenings had an index on author_id beside one on (author_id,
	// created_at), which serves every query the first did; each post paid
	// for both. Dropping an index loses no data.
	func(tx *gorm.DB) error { return tx.Exec("DROP INDEX IF EXISTS idx_screenings_author_id").Error },
	// 3: the index on annotations (author_id, status) became (author_id,
	// status, visibility) under a new name, which AutoMigrate created; the
	// old one serves nothing the new one does not.
	func(tx *gorm.DB) error { return tx.Exec("DROP INDEX IF EXISTS idx_annotation_author_status").Error },
	// 4: full-text indexes of notes, passages and titles, with the triggers
	// that keep them in step, filled from the rows already there.
	installSearch,
	// 5: SQLite's full-text indexes keep the newest first (FTS4 order=DESC),
	// which search reads; PostgreSQL has nothing to change.
	rebuildSearch,
	// 6: SQLite's full-text indexes hold the text folded for case and
	// accents (margin_fold), so "cafe" finds "café"; PostgreSQL's folds
	// with unaccent already.
	rebuildSearch,
	// 7: on SQLite, an index holding what the reading view reads of every
	// note on a passage (ReadingView's outline), so a busy passage is read
	// from the index and not from its rows, which carry the notes' text.
	passageOutlineIndex,
}

// passageOutlineIndex covers outlineColumns and VisibleTo's columns for a
// visitor or a reader (exact, for whether a note quotes a phrase). Not
// on PostgreSQL: a quote (exact) can be longer than its index rows may be.
func passageOutlineIndex(tx *gorm.DB) error {
	if IsPostgres(tx) {
		return nil
	}
	return tx.Exec(`CREATE INDEX IF NOT EXISTS idx_annotation_passage_outline ON annotations
		(document_id, revision_id, passage_number, status, visibility, purged_at, id, parent_id,
		author_id, kind, class_id, helpful_count, deleted_at, start, "end", exact)`).Error
}

// SchemaVersion records which data migrations have run.
type SchemaVersion struct {
	Version   int `gorm:"primaryKey;autoIncrement:false"`
	AppliedAt time.Time
}

// Migrate brings the schema up to date. Several instances may start at once on
// one PostgreSQL, so the whole step runs under a database-wide lock there.
func Migrate(db *gorm.DB) error {
	return withMigrationLock(db, func(tx *gorm.DB) error {
		if err := tx.AutoMigrate(schemaModels()...); err != nil {
			return fmt.Errorf("migrate schema: %w", err)
		}
		if err := installPrivacyFunctions(tx); err != nil {
			return fmt.Errorf("install privacy functions: %w", err)
		}
		var current int
		if err := tx.Model(&SchemaVersion{}).Select("COALESCE(MAX(version), 0)").Scan(&current).Error; err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		for v := current + 1; v <= len(dataMigrations); v++ {
			err := tx.Transaction(func(tx *gorm.DB) error {
				if err := dataMigrations[v-1](tx); err != nil {
					return err
				}
				return tx.Create(&SchemaVersion{Version: v, AppliedAt: time.Now().UTC()}).Error
			})
			if err != nil {
				return fmt.Errorf("data migration %d: %w", v, err)
			}
		}
		if err := searchEngineFor(tx).repair(tx); err != nil {
			return fmt.Errorf("repair search index: %w", err)
		}
		// A new index is used well once the planner knows the data.
		stale, err := needsStatistics(tx)
		if err != nil {
			return fmt.Errorf("read planner statistics: %w", err)
		}
		if stale || current < len(dataMigrations) {
			if err := RefreshStatistics(tx); err != nil {
				return fmt.Errorf("refresh planner statistics: %w", err)
			}
		}
		return nil
	})
}
