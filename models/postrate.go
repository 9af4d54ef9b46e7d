package models

import (
	"strconv"
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

// reservePost checks the posting limits inside the transaction that stores
// the post, under the buckets' locks (see lockRateBuckets): the post's
// screening record, written in the same transaction, is its count, so
// posts sent at once from any number of instances never pass the limits.
func reservePost(tx *gorm.DB, authorID uint, ip string, l PostLimits, now time.Time) error {
	var buckets []string
	if l.PerUser > 0 {
		buckets = append(buckets, "post-user:"+strconv.FormatUint(uint64(authorID), 10))
	}
	if l.PerIP > 0 {
		buckets = append(buckets, "post-ip:"+ip)
	}
	if err := lockRateBuckets(tx, buckets); err != nil {
		return err
	}
	until, err := PostRateCheck(tx, authorID, ip, l, now)
	if err != nil {
		return err
	}
	if !until.IsZero() {
		return &RateLimitError{Until: until}
	}
	return nil
}
