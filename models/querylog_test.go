package models_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm"

	"margin/models"
)

// recordedQuery is one statement a test saw Margin send, with its values.
type recordedQuery struct {
	SQL  string
	Vars []any
}

// queryRecorder keeps the statements sent through a handle between start
// and stop, by GORM callbacks after every query, row and raw statement.
type queryRecorder struct {
	mu      sync.Mutex
	on      bool
	queries []recordedQuery
}

func recordQueries(db *gorm.DB) *queryRecorder {
	r := &queryRecorder{}
	keep := func(tx *gorm.DB) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.on {
			r.queries = append(r.queries, recordedQuery{tx.Statement.SQL.String(), slices.Clone(tx.Statement.Vars)})
		}
	}
	name := fmt.Sprintf("test:record_%p", r)
	db.Callback().Query().After("gorm:query").Register(name, keep)
	db.Callback().Row().After("gorm:row").Register(name, keep)
	db.Callback().Raw().After("gorm:raw").Register(name, keep)
	return r
}

func (r *queryRecorder) start() {
	r.mu.Lock()
	r.on, r.queries = true, nil
	r.mu.Unlock()
}

func (r *queryRecorder) stop() []recordedQuery {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.on = false
	return r.queries
}

// queryPlan is how the database would run q: SQLite's EXPLAIN QUERY PLAN,
// PostgreSQL's EXPLAIN ANALYZE (q is a read: it runs it).
func queryPlan(t testing.TB, db *gorm.DB, q recordedQuery) []string {
	t.Helper()
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	explain, column := "EXPLAIN QUERY PLAN ", 3
	if models.IsPostgres(db) {
		explain, column = "EXPLAIN ANALYZE ", 0
	}
	rows, err := sqlDB.Query(explain+q.SQL, driverValues(q.Vars)...)
	if err != nil {
		t.Fatalf("explain %s: %v", q.SQL, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(vals[min(column, len(vals)-1)]))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// driverValues turns Margin's named string types into strings.
func driverValues(vars []any) []any {
	out := make([]any, len(vars))
	for i, v := range vars {
		switch x := v.(type) {
		case models.Kind:
			out[i] = string(x)
		case models.Status:
			out[i] = string(x)
		case models.Visibility:
			out[i] = string(x)
		case models.MemberRole:
			out[i] = string(x)
		default:
			out[i] = v
		}
	}
	return out
}

// planUses tells whether any step of a plan names index.
func planUses(plan []string, index string) bool {
	return slices.ContainsFunc(plan, func(s string) bool { return strings.Contains(s, index) })
}
