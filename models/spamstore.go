package models

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"margin/models/spamfilter"
)

// SpamFeature is one row of the spam model: how many learnt spam and ham
// messages contained the feature.
type SpamFeature struct {
	Feature string `gorm:"primaryKey;size:255"`
	Spam    int64  `gorm:"not null;default:0"`
	Ham     int64  `gorm:"not null;default:0"`
}

// SpamTotal is the spam model's single row of message totals, with the
// feature vocabulary the counts were learnt under and a generation that
// every change to the model increments, in the transaction that makes it.
// The row is never deleted, so the generation only grows: counts read at a
// generation hold for as long as the generation stays.
type SpamTotal struct {
	ID             uint  `gorm:"primaryKey;autoIncrement:false"`
	SpamDocs       int64 `gorm:"not null;default:0"`
	HamDocs        int64 `gorm:"not null;default:0"`
	FeatureVersion int   `gorm:"not null;default:0"`
	Generation     int64 `gorm:"not null;default:0"`
}

const spamTotalsRow = 1

// spamBatch bounds the rows of one statement: three bound values a row stay
// far below SQLite's and PostgreSQL's limits on parameters.
const spamBatch = 300

// ErrSpamModelVersion means the stored counts were learnt under another
// feature vocabulary and must be reset before learning more.
var ErrSpamModelVersion = errors.New("the spam model was learnt with another feature vocabulary: run `margin spam reset` and train it again")

// SpamStore keeps the classifier's counters in the database, so every
// instance sharing it scores and learns against one model. It implements
// spamfilter.Store; every change is one transaction of atomic increments.
type SpamStore struct{ db *gorm.DB }

var (
	_ spamfilter.Store       = (*SpamStore)(nil)
	_ spamfilter.Snapshotter = (*SpamStore)(nil)
)

// NewSpamStore returns a store on db (which may be a transaction).
func NewSpamStore(db *gorm.DB) *SpamStore { return &SpamStore{db: db} }

// NewClassifier returns the spam classifier backed by the database.
// The seed shipped in the binary lies under the site's own counts, each of
// its moderators' decisions weighing spamfilter.SiteWeight seed messages.
func NewClassifier(db *gorm.DB) *spamfilter.Classifier {
	return &spamfilter.Classifier{Store: NewSpamStore(db), Seed: spamfilter.DefaultSeed()}
}

// Totals reports the number of spam and ham messages learnt. Counts learnt
// under another feature vocabulary count as nothing: the classifier then
// says it is untrained instead of scoring with meaningless counts.
func (s *SpamStore) Totals() (int64, int64, error) {
	spam, ham, _, _, err := s.read(nil, true)
	return spam, ham, err
}

// Lookup returns the counts of the known features among features.
func (s *SpamStore) Lookup(features []string) (map[string]spamfilter.Counts, error) {
	_, _, counts, _, err := s.read(features, false)
	return counts, err
}

// Snapshot returns the totals and the features' counts as of one state of
// the model. Outside a transaction it reads the model's generation and
// totals (one row), and takes the counts it has already read at that
// generation from memory; what it lacks it reads with the generation in
// one statement. A change made by any process sharing the database moves
// the generation, so the counts in memory are always those stored.
func (s *SpamStore) Snapshot(features []string) (int64, int64, map[string]spamfilter.Counts, error) {
	cache := s.cache()
	if cache == nil {
		spamDocs, hamDocs, counts, _, err := s.read(features, true)
		return spamDocs, hamDocs, counts, err
	}
	var head struct {
		SpamDocs, HamDocs, Generation int64
		FeatureVersion                int
	}
	if err := s.db.Raw("SELECT spam_docs, ham_docs, generation, feature_version FROM spam_totals WHERE id = ?", spamTotalsRow).
		Scan(&head).Error; err != nil {
		return 0, 0, nil, err
	}
	if head.FeatureVersion != spamfilter.FeatureVersion {
		return 0, 0, map[string]spamfilter.Counts{}, nil // untrained, or another vocabulary
	}
	counts, missing := cache.get(head.Generation, features)
	if len(missing) == 0 {
		return head.SpamDocs, head.HamDocs, counts, nil
	}
	spamDocs, hamDocs, read, generation, err := s.read(missing, true)
	if err != nil {
		return 0, 0, nil, err
	}
	if generation != head.Generation {
		// The model changed between the two reads: read everything at
		// the new generation, which the cache then starts from.
		if spamDocs, hamDocs, read, generation, err = s.read(features, true); err != nil {
			return 0, 0, nil, err
		}
		missing, counts = features, read
	} else {
		for f, c := range read {
			counts[f] = c
		}
	}
	cache.put(generation, missing, read)
	return spamDocs, hamDocs, counts, nil
}

// spamCache holds counts read at one generation of the model, for one
// database (every store on the same pool shares it).
type spamCache struct {
	mu         sync.Mutex
	generation int64
	counts     map[string]spamfilter.Counts // zero for a feature the model lacks
}

// maxCachedFeatures bounds the memory the cache takes (some 100 bytes a
// feature); past it the cache starts again.
const maxCachedFeatures = 200_000

var spamCaches sync.Map // *sql.DB → *spamCache

// cache returns the database's cache, or nil inside a transaction, whose
// reads may see its own changes that are not committed (and may never be).
func (s *SpamStore) cache() *spamCache {
	if _, inTx := s.db.Statement.ConnPool.(gorm.TxCommitter); inTx {
		return nil
	}
	sqlDB, err := s.db.DB()
	if err != nil {
		return nil
	}
	c, _ := spamCaches.LoadOrStore(sqlDB, &spamCache{generation: -1})
	return c.(*spamCache)
}

// get returns the cached counts of features at generation, and the
// features it does not hold.
func (c *spamCache) get(generation int64, features []string) (map[string]spamfilter.Counts, []string) {
	counts := make(map[string]spamfilter.Counts, len(features))
	var missing []string
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.generation != generation {
		return counts, features
	}
	for _, f := range features {
		n, ok := c.counts[f]
		switch {
		case !ok:
			missing = append(missing, f)
		case n != spamfilter.Counts{}:
			counts[f] = n
		}
	}
	return counts, missing
}

// put records the counts of features read at generation; a feature absent
// from read is one the model lacks.
func (c *spamCache) put(generation int64, features []string, read map[string]spamfilter.Counts) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if generation < c.generation {
		return // a slower reader of an older model
	}
	if generation != c.generation || len(c.counts)+len(features) > maxCachedFeatures {
		c.generation, c.counts = generation, make(map[string]spamfilter.Counts, len(features))
	}
	for _, f := range features {
		c.counts[f] = read[f]
	}
}

// read runs one query for the features' counts and, when asked, the
// totals row (the row whose kind is 1) with the model's generation, all
// from one state of the model. Rows are scanned by hand: this is on the
// path of every post.
func (s *SpamStore) read(features []string, totals bool) (spamDocs, hamDocs int64, counts map[string]spamfilter.Counts, generation int64, err error) {
	counts = make(map[string]spamfilter.Counts, len(features))
	generation = -1
	var parts []string
	var args []any
	if len(features) > 0 {
		cond, list := inStrings(s.db, "feature", features)
		parts = append(parts, "SELECT 0, feature, spam, ham, 0 FROM spam_features WHERE "+cond)
		args = append(args, list)
	}
	if totals {
		parts = append(parts, "SELECT 1, '', spam_docs, ham_docs, generation FROM spam_totals WHERE id = ? AND feature_version = ?")
		args = append(args, spamTotalsRow, spamfilter.FeatureVersion)
	}
	if len(parts) == 0 {
		return 0, 0, counts, generation, nil
	}
	rows, err := s.db.Raw(strings.Join(parts, " UNION ALL "), args...).Rows()
	if err != nil {
		return 0, 0, nil, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var kind int
		var feature string
		var spam, ham, gen int64
		if err := rows.Scan(&kind, &feature, &spam, &ham, &gen); err != nil {
			return 0, 0, nil, 0, err
		}
		if kind == 1 {
			spamDocs, hamDocs, generation = spam, ham, gen
		} else {
			counts[feature] = spamfilter.Counts{Spam: spam, Ham: ham}
		}
	}
	return spamDocs, hamDocs, counts, generation, rows.Err()
}

// Add adds delta to each feature's spam or ham counter and to the matching
// total, all or nothing. Taking a counter below zero changes nothing and
// returns spamfilter.ErrNegativeCount.
func (s *SpamStore) Add(features []string, spam bool, delta int64) error {
	if delta == 0 {
		return nil
	}
	col, docs := "ham", "ham_docs"
	if spam {
		col, docs = "spam", "spam_docs"
	}
	features = distinct(features)
	return s.db.Transaction(func(tx *gorm.DB) error {
		if err := addTotal(tx, docs, delta); err != nil {
			return err
		}
		if delta > 0 {
			rows := make([]SpamFeature, len(features))
			for i, f := range features {
				rows[i] = SpamFeature{Feature: f}
				if spam {
					rows[i].Spam = delta
				} else {
					rows[i].Ham = delta
				}
			}
			return upsertFeatures(tx, rows, col)
		}
		for _, batch := range batches(features, spamBatch) {
			// Only rows that can take the decrement change; if any cannot,
			// the message was never learnt with this label.
			res := tx.Model(&SpamFeature{}).Where("feature IN ? AND "+col+" >= ?", batch, -delta).
				UpdateColumn(col, gorm.Expr(col+" + ?", delta))
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected != int64(len(batch)) {
				return fmt.Errorf("%w: %d of %d features", spamfilter.ErrNegativeCount, int64(len(batch))-res.RowsAffected, len(batch))
			}
			if err := tx.Where("feature IN ? AND spam = 0 AND ham = 0", batch).Delete(&SpamFeature{}).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// addTotal changes one message total, creating the totals row on first use
// and refusing counts learnt under another vocabulary.
func addTotal(tx *gorm.DB, col string, delta int64) error {
	row := SpamTotal{ID: spamTotalsRow, FeatureVersion: spamfilter.FeatureVersion}
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
		return err
	}
	res := tx.Model(&SpamTotal{}).Where("id = ? AND feature_version = ? AND "+col+" + ? >= 0", spamTotalsRow, spamfilter.FeatureVersion, delta).
		UpdateColumns(map[string]any{col: gorm.Expr(col+" + ?", delta), "generation": gorm.Expr("generation + 1")})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		var t SpamTotal
		if err := tx.First(&t, spamTotalsRow).Error; err != nil {
			return err
		}
		if t.FeatureVersion != spamfilter.FeatureVersion {
			return ErrSpamModelVersion
		}
		return fmt.Errorf("%w: message total", spamfilter.ErrNegativeCount)
	}
	return nil
}

// upsertFeatures inserts rows or adds their counters to the existing ones,
// in one atomic statement per batch, so concurrent learners lose nothing.
func upsertFeatures(tx *gorm.DB, rows []SpamFeature, cols ...string) error {
	set := map[string]any{}
	for _, c := range cols {
		set[c] = gorm.Expr("spam_features." + c + " + excluded." + c)
	}
	for start := 0; start < len(rows); start += spamBatch {
		batch := rows[start:min(start+spamBatch, len(rows))]
		err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "feature"}}, DoUpdates: clause.Assignments(set)}).
			Create(&batch).Error
		if err != nil {
			return err
		}
	}
	return nil
}

// MergeSpamModel adds every count of a model learnt in memory to the
// stored one, in one transaction: seeding from a corpus this way takes
// seconds instead of one transaction per message.
func MergeSpamModel(db *gorm.DB, mem *spamfilter.MemoryStore) error {
	spamDocs, hamDocs, _ := mem.Totals()
	rows := make([]SpamFeature, 0, mem.Len())
	mem.Each(func(f string, c spamfilter.Counts) {
		rows = append(rows, SpamFeature{Feature: f, Spam: c.Spam, Ham: c.Ham})
	})
	return db.Transaction(func(tx *gorm.DB) error {
		if err := addTotal(tx, "spam_docs", spamDocs); err != nil {
			return err
		}
		if err := addTotal(tx, "ham_docs", hamDocs); err != nil {
			return err
		}
		return upsertFeatures(tx, rows, "spam", "ham")
	})
}

// SpamModelStats describes the stored model.
type SpamModelStats struct {
	SpamDocs, HamDocs int64
	Features          int64
	FeatureVersion    int
}

// SpamModelInfo reports what the stored model holds.
func SpamModelInfo(db *gorm.DB) (SpamModelStats, error) {
	var t SpamTotal
	if err := db.Where("id = ?", spamTotalsRow).Limit(1).Find(&t).Error; err != nil {
		return SpamModelStats{}, err
	}
	st := SpamModelStats{SpamDocs: t.SpamDocs, HamDocs: t.HamDocs, FeatureVersion: t.FeatureVersion}
	err := db.Model(&SpamFeature{}).Count(&st.Features).Error
	return st, err
}

// ResetSpamModel forgets everything the classifier learnt.
func ResetSpamModel(db *gorm.DB) error {
	return db.Transaction(func(tx *gorm.DB) error {
		all := tx.Session(&gorm.Session{AllowGlobalUpdate: true})
		if err := all.Delete(&SpamFeature{}).Error; err != nil {
			return err
		}
		// The totals row stays, emptied, so that the generation keeps
		// growing and no cached count of the old model can pass for the new.
		err := all.Model(&SpamTotal{}).UpdateColumns(map[string]any{"spam_docs": 0, "ham_docs": 0,
			"feature_version": spamfilter.FeatureVersion, "generation": gorm.Expr("generation + 1")}).Error
		if err != nil {
			return err
		}
		// Decisions no longer have anything to unlearn.
		return all.Model(&Screening{}).Updates(map[string]any{"learnt": "", "learnt_text": ""}).Error
	})
}

func distinct(xs []string) []string {
	seen := make(map[string]struct{}, len(xs))
	out := xs[:0:0]
	for _, x := range xs {
		if _, ok := seen[x]; !ok {
			seen[x] = struct{}{}
			out = append(out, x)
		}
	}
	return out
}

func batches[T any](xs []T, n int) [][]T {
	var out [][]T
	for start := 0; start < len(xs); start += n {
		out = append(out, xs[start:min(start+n, len(xs))])
	}
	return out
}
