package models_test

import (
	"strings"
	"testing"

	"gorm.io/gorm"

	"margin/models/modeltest"
)

// TestTransactionStatementsOutliveTheTransaction checks that a statement GORM
// prepares inside a transaction belongs to the pool. GORM keeps the first
// statement it prepares for a query and gives it to every later
// transaction; one bound to its first transaction is closed when that ends,
// and database/sql then prepares it again on every use.
func TestTransactionStatementsOutliveTheTransaction(t *testing.T) {
	db := modeltest.Open(t)
	const query = "SELECT count(*) FROM users WHERE id > ? AND id < ?"
	for range 2 {
		err := db.Transaction(func(tx *gorm.DB) error {
			var n int64
			return tx.Raw(query, 0, 1000).Scan(&n).Error
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	cache, ok := db.Statement.ConnPool.(*gorm.PreparedStmtDB)
	if !ok {
		t.Fatalf("GORM's pool is %T, want prepared statements", db.Statement.ConnPool)
	}
	var kept []string // PostgreSQL's form says $1 where SQLite's says ?
	for _, key := range cache.Stmts.Keys() {
		if strings.HasPrefix(key, "SELECT count(*) FROM users WHERE id >") {
			kept = append(kept, key)
		}
	}
	if len(kept) != 1 {
		t.Fatalf("kept statements %q, want the transaction's one", kept)
	}
	stmt, _ := cache.Stmts.Get(kept[0])
	var n int64
	if err := stmt.QueryRowContext(t.Context(), 0, 1000).Scan(&n); err != nil {
		t.Fatalf("the kept statement after its transaction ended: %v", err)
	}
}
