package spamfilter

import (
	"errors"
	"fmt"
	"sync"
)

// Counts is how many learnt spam and ham messages contained a feature.
type Counts struct{ Spam, Ham int64 }

// Store is where the model's state lives, in memory or in a database. Each
// feature is a row of two counters (say `feature TEXT PRIMARY KEY, spam
// BIGINT, ham BIGINT`) and the store keeps the number of spam and ham
// messages learnt (a one-row table). Add must change the feature counters
// and the matching total together: one transaction of
// `INSERT ... ON CONFLICT (feature) DO UPDATE SET spam = spam + delta`
// and `UPDATE totals SET spam_docs = spam_docs + delta` keeps concurrent
// learners from losing updates.
//
// The classifier needs nothing else from a store. Features are strings of
// under 256 bytes; among them are reserved ones starting
// with "#" (the binary digits of each message's feature count) which a
// store treats like any other. Lookup is asked for a few hundred features
// at a time. A row whose counters are both zero may be kept or deleted.
type Store interface {
	Totals() (spamDocs, hamDocs int64, err error)
	// Lookup returns the counts of the features it knows; unknown ones are
	// absent from the map.
	Lookup(features []string) (map[string]Counts, error)
	// Add adds delta (+1 to learn a message, -1 to unlearn it) to each
	// feature's spam or ham counter and to the matching total.
	Add(features []string, spam bool, delta int64) error
}

// Snapshotter is a Store that can read the totals and the counts of some
// features together. Score prefers it: one consistent read (a single round
// trip to a database) instead of two, so a concurrent Learn is seen either
// entirely or not at all, and scoring stays fast.
type Snapshotter interface {
	Snapshot(features []string) (spamDocs, hamDocs int64, counts map[string]Counts, err error)
}

// ErrNegativeCount is returned when unlearning would take a counter below
// zero, which means the message was never learnt with that label.
var ErrNegativeCount = errors.New("spamfilter: count would become negative")

// MemoryStore is a Store held in memory, safe for concurrent use. Features
// whose counts fall back to zero are forgotten, so unlearning a message
// leaves the store exactly as it was before it was learnt.
type MemoryStore struct {
	mu       sync.RWMutex
	counts   map[string]Counts
	spamDocs int64
	hamDocs  int64
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{counts: make(map[string]Counts)}
}

// Totals reports the number of spam and ham messages learnt.
func (s *MemoryStore) Totals() (int64, int64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.spamDocs, s.hamDocs, nil
}

// Lookup returns the counts of the known features among features.
func (s *MemoryStore) Lookup(features []string) (map[string]Counts, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	found := make(map[string]Counts, len(features))
	for _, f := range features {
		if c, ok := s.counts[f]; ok {
			found[f] = c
		}
	}
	return found, nil
}

// Add changes the counters of features and the matching total by delta. It
// changes nothing and returns ErrNegativeCount if any counter would drop
// below zero.
func (s *MemoryStore) Add(features []string, spam bool, delta int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	total := &s.hamDocs
	if spam {
		total = &s.spamDocs
	}
	if *total+delta < 0 {
		return fmt.Errorf("%w: message total", ErrNegativeCount)
	}
	if delta < 0 {
		for _, f := range features {
			c := s.counts[f]
			if (spam && c.Spam+delta < 0) || (!spam && c.Ham+delta < 0) {
				return fmt.Errorf("%w: feature %q", ErrNegativeCount, f)
			}
		}
	}
	*total += delta
	for _, f := range features {
		c := s.counts[f]
		if spam {
			c.Spam += delta
		} else {
			c.Ham += delta
		}
		if c == (Counts{}) {
			delete(s.counts, f)
		} else {
			s.counts[f] = c
		}
	}
	return nil
}

// Len reports how many features the store knows.
func (s *MemoryStore) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.counts)
}

// Each calls fn for every known feature, in no particular order; it is the
// way to copy a trained MemoryStore into another store.
func (s *MemoryStore) Each(fn func(feature string, c Counts)) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for f, c := range s.counts {
		fn(f, c)
	}
}
