package models

import (
	"time"

	"gorm.io/gorm"
)

// RateEvent is one counted action (a failed login, a post) in a bucket such
// as "login-user:alice" or "post-ip:192.0.2.1". Limits live in the database
// so that every instance sharing it enforces the same budget.
type RateEvent struct {
	ID     uint      `gorm:"primaryKey"`
	Bucket string    `gorm:"size:128;not null;index:idx_rate_bucket_at,priority:1"`
	At     time.Time `gorm:"not null;index:idx_rate_bucket_at,priority:2"`
}

// Limit allows Max events per Window in Bucket.
type Limit struct {
	Bucket string
	Max    int
	Window time.Duration
}

// RateCheck returns the zero time when every limit has room, else the moment
// the tightest one frees up.
func RateCheck(db *gorm.DB, limits []Limit, now time.Time) (time.Time, error) {
	var until time.Time
	for _, l := range limits {
		// The Max-th most recent event inside the window, if there is one,
		// is when the bucket is full until.
		var times []time.Time
		err := db.Model(&RateEvent{}).Where("bucket = ? AND at > ?", l.Bucket, now.Add(-l.Window)).
			Order("at DESC").Offset(l.Max-1).Limit(1).Pluck("at", &times).Error
		if err != nil {
			return time.Time{}, err
		}
		if len(times) == 1 {
			free := times[0].Add(l.Window)
			if free.After(until) {
				until = free
			}
		}
	}
	return until, nil
}

// purgeEvery is how many events go by between clean-ups of expired ones, so
// the table stays small without a delete on every event.
const purgeEvery = 32

// RateRecord counts one event in each bucket.
func RateRecord(db *gorm.DB, limits []Limit, now time.Time) error {
	return db.Transaction(func(tx *gorm.DB) error {
		for _, l := range limits {
			ev := RateEvent{Bucket: l.Bucket, At: now}
			if err := tx.Create(&ev).Error; err != nil {
				return err
			}
			if ev.ID%purgeEvery == 0 {
				if err := tx.Where("at <= ?", now.Add(-l.Window)).Where("bucket = ?", l.Bucket).Delete(&RateEvent{}).Error; err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// RateClear forgets a bucket, as after a successful login.
func RateClear(db *gorm.DB, bucket string) error {
	return db.Where("bucket = ?", bucket).Delete(&RateEvent{}).Error
}
