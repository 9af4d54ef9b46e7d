package models

import (
	"fmt"
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

func recordEvents(tx *gorm.DB, limits []Limit, now time.Time) ([]uint, error) {
	ids := make([]uint, 0, len(limits))
	for _, l := range limits {
		ev := RateEvent{Bucket: l.Bucket, At: now}
		if err := tx.Create(&ev).Error; err != nil {
			return nil, err
		}
		ids = append(ids, ev.ID)
		if ev.ID%purgeEvery == 0 {
			if err := tx.Where("at <= ?", now.Add(-l.Window)).Where("bucket = ?", l.Bucket).Delete(&RateEvent{}).Error; err != nil {
				return nil, err
			}
		}
	}
	return ids, nil
}

// RateLimitError says a limit is full, and until when.
type RateLimitError struct{ Until time.Time }

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("rate limit reached until %s", e.Until.Format(time.RFC3339))
}

// Reservation is one try counted by RateReserve, to hand back with Release
// when the try turns out not to count (a login that succeeded).
type Reservation struct{ ids []uint }

// RateReserve counts one try in every bucket, atomically with the check that
// each has room: however many requests, on however many instances, reserve
// at once, no bucket goes past its limit. It is meant to run before the work
// it guards (a password hash), so tries in flight count. When a limit is
// full it counts nothing and returns a *RateLimitError.
func RateReserve(db *gorm.DB, limits []Limit, now time.Time) (Reservation, error) {
	var r Reservation
	err := db.Transaction(func(tx *gorm.DB) error {
		var err error
		r.ids, err = rateReserveIn(tx, limits, now)
		return err
	})
	return r, err
}

// rateReserveIn is RateReserve inside a transaction the caller holds, so the
// try is counted only if the caller's work commits with it.
func rateReserveIn(tx *gorm.DB, limits []Limit, now time.Time) ([]uint, error) {
	buckets := make([]string, len(limits))
	for i, l := range limits {
		buckets[i] = l.Bucket
	}
	if err := lockRateBuckets(tx, buckets); err != nil {
		return nil, err
	}
	until, err := RateCheck(tx, limits, now)
	if err != nil {
		return nil, err
	}
	if !until.IsZero() {
		return nil, &RateLimitError{Until: until}
	}
	return recordEvents(tx, limits, now)
}

// Release forgets the tries r counted.
func (r Reservation) Release(db *gorm.DB) error {
	if len(r.ids) == 0 {
		return nil
	}
	return db.Where("id IN ?", r.ids).Delete(&RateEvent{}).Error
}

// RateClear forgets a bucket, as after a successful login.
func RateClear(db *gorm.DB, bucket string) error {
	return db.Where("bucket = ?", bucket).Delete(&RateEvent{}).Error
}
