package models

import (
	"time"

	"gorm.io/gorm"
)

// PostLimits bound how many notes and replies one account, and one address,
// may post per window.
type PostLimits struct {
	PerUser, PerIP int
	Window         time.Duration
}

// PostRateCheck returns the zero time when the author and the address may
// post now, else when they may again. Every post leaves a screening record
// with its author, address and time, so the records are the rate log: no
// counter to write beside each post, and every instance sees the same.
func PostRateCheck(db *gorm.DB, authorID uint, ip string, l PostLimits, now time.Time) (time.Time, error) {
	var until time.Time
	for _, q := range []struct {
		column string
		value  any
		max    int
	}{{"author_id", authorID, l.PerUser}, {"ip", ip, l.PerIP}} {
		if q.max <= 0 {
			continue
		}
		var times []time.Time
		err := db.Model(&Screening{}).Where(q.column+" = ? AND created_at > ?", q.value, now.Add(-l.Window)).
			Order("created_at DESC").Offset(q.max-1).Limit(1).Pluck("created_at", &times).Error
		if err != nil {
			return time.Time{}, err
		}
		if len(times) == 1 && times[0].Add(l.Window).After(until) {
			until = times[0].Add(l.Window)
		}
	}
	return until, nil
}
