package models

import (
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// HealthProbe is the one row the health check writes: a store that answers
// reads but cannot write (a full disk, a file system remounted read-only, a
// PostgreSQL in recovery) fails to commit it.
type HealthProbe struct {
	ID        uint `gorm:"primaryKey;autoIncrement:false"`
	CheckedAt time.Time
}

// CheckWrite proves the store can write now: the pool answers, and a
// change to the probe row commits through the same transactions (and, on
// SQLite, the same commit groups and durability setting) as every other
// write.
func CheckWrite(db *gorm.DB, now time.Time) error {
	// The ping catches a closed pool, which SQLite's writer connection,
	// held apart from the pool, would otherwise outlive.
	if err := Ping(db); err != nil {
		return err
	}
	return db.Transaction(func(tx *gorm.DB) error {
		return tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "id"}},
			DoUpdates: clause.AssignmentColumns([]string{"checked_at"}),
		}).Create(&HealthProbe{ID: 1, CheckedAt: now}).Error
	})
}
