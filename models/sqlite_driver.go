package models

import (
	"database/sql"

	"github.com/mattn/go-sqlite3"

	"margin/models/ftsquery"
)

// sqliteDriver is mattn/go-sqlite3 with what Margin's schema needs on
// every connection:
//
//   - margin_fold(text), the folding of the search index (ftsquery.Fold),
//     which its triggers and views call;
//   - legacy_alter_table: GORM's migrator changes a column by copying the
//     table, dropping it and renaming the copy, and SQLite otherwise
//     refuses that rename while a view (the index's folded text) names
//     the dropped table.
const sqliteDriver = "margin_sqlite3"

func init() {
	sql.Register(sqliteDriver, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		if err := c.RegisterFunc("margin_fold", foldSQL, true); err != nil {
			return err
		}
		_, err := c.Exec("PRAGMA legacy_alter_table = ON", nil)
		return err
	}})
}

// foldSQL folds a text value and returns any other (NULL, a number) as it is.
func foldSQL(v any) any {
	switch s := v.(type) {
	case string:
		return ftsquery.Fold(s)
	case []byte:
		if s == nil {
			return nil
		}
		return ftsquery.Fold(string(s))
	}
	return v
}
