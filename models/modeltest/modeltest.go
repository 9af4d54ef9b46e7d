// Package modeltest gives tests a fresh, real database: a temporary SQLite
// file by default, or a private schema in PostgreSQL when
// MARGIN_TEST_DB=postgres and MARGIN_TEST_POSTGRES holds a server URL.
package modeltest

import (
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"margin/models"
)

// PostgresURL returns the test server's URL, or "" when none is configured.
// Under CI=true a missing server fails the test instead of skipping it.
func PostgresURL(t testing.TB) string {
	u := os.Getenv("MARGIN_TEST_POSTGRES")
	if u == "" && os.Getenv("CI") == "true" {
		t.Fatal("CI=true but MARGIN_TEST_POSTGRES is not set: .ci/run must start PostgreSQL")
	}
	return u
}

// UsePostgres tells whether this run targets PostgreSQL.
func UsePostgres() bool { return os.Getenv("MARGIN_TEST_DB") == "postgres" }

var schemaSeq atomic.Int64

// Open returns a migrated database that only this test uses.
func Open(t testing.TB) *gorm.DB {
	t.Helper()
	return OpenShared(t, 1)[0]
}

// OpenShared returns n handles, each with a pool of its own, on one
// migrated database that only this test uses: n Margin instances sharing
// a database.
func OpenShared(t testing.TB, n int) []*gorm.DB {
	t.Helper()
	var opts models.Options
	if UsePostgres() {
		base := PostgresURL(t)
		if base == "" {
			t.Fatal("MARGIN_TEST_DB=postgres needs MARGIN_TEST_POSTGRES=postgres://...")
		}
		opts.DatabaseURL = WithSearchPath(base, newSchema(t, base))
	} else {
		opts.DataDir = t.TempDir()
	}
	handles := make([]*gorm.DB, n)
	for i := range handles {
		db, err := models.Open(opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { models.Close(db) })
		handles[i] = db
	}
	return handles
}

// newSchema creates an empty schema that is dropped after the test.
func newSchema(t testing.TB, base string) string {
	t.Helper()
	schema := fmt.Sprintf("t_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1_000_000_000, schemaSeq.Add(1))
	admin, err := gorm.Open(postgres.Open(base), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatalf("connect to test PostgreSQL: %v", err)
	}
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		models.Close(admin)
	})
	return schema
}

// WithSearchPath points a PostgreSQL URL at one schema.
func WithSearchPath(base, schema string) string {
	u, err := url.Parse(base)
	if err != nil {
		sep := "?"
		if strings.Contains(base, "?") {
			sep = "&"
		}
		return base + sep + "search_path=" + schema
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
