package models

// SetRankWindow lets tests page past the ranked window with a few notes.
func SetRankWindow(n int) (restore func()) {
	was := rankWindow
	rankWindow = n
	return func() { rankWindow = was }
}

// The hand-scanned column lists, for the test that they cover the tables.
const (
	UserColumns     = userColumns
	DocumentColumns = documentColumns
)

// SetChangeLogKept shortens the passages' change logs.
func SetChangeLogKept(n int64) (restore func()) {
	was := changeLogKept
	changeLogKept = n
	return func() { changeLogKept = was }
}
