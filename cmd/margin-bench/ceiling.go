package main

import (
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	_ "github.com/mattn/go-sqlite3" // the driver gorm's sqlite dialector uses

	"margin/models"
)

// server is an http.Server on a loopback port of its own.
type server struct {
	srv  *http.Server
	base string
}

func serve(h http.Handler) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &server{srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second},
		base: "http://" + ln.Addr().String()}
	go s.srv.Serve(ln)
	return s, nil
}

func (s *server) close() { s.srv.Close() }

// bareHandler serves body from memory and nothing else: the most a Go HTTP
// server on this machine can do with this page, for this client.
func bareHandler(body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.Write(body)
	})
}

// pageCeiling starts the bare handler and returns its load loops, with the
// same client settings and client count as the Margin run it bounds.
func pageCeiling(name string, body []byte, clients int, wrap func(http.Handler) http.Handler) ([]request, func(), error) {
	s, err := serve(wrap(bareHandler(body)))
	if err != nil {
		return nil, nil, err
	}
	tr := newTransport(clients)
	loops := make([]request, clients)
	for i := range loops {
		loops[i] = getLoop(newClient(tr), s.base+"/", name, len(body))
	}
	return loops, func() { tr.CloseIdleConnections(); s.close() }, nil
}

// insertCeiling prepares single-row write transactions on a separate SQLite
// file opened with Margin's exact DSN (durability included) and pool size:
// BEGIN (IMMEDIATE, per the DSN), one INSERT, COMMIT, one loop per goroutine.
func insertCeiling(dir, sync string, clients, maxOpen int) ([]request, func(), error) {
	dsn, err := models.SQLiteDSNSync(filepath.Join(dir, "ceiling.db"), sync)
	if err != nil {
		return nil, nil, err
	}
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, nil, err
	}
	db.SetMaxOpenConns(maxOpen)
	db.SetMaxIdleConns(maxOpen)
	_, err = db.Exec(`CREATE TABLE notes (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		document_id INTEGER NOT NULL,
		author_id INTEGER NOT NULL,
		kind TEXT NOT NULL,
		body TEXT NOT NULL,
		created_at DATETIME NOT NULL)`)
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("create ceiling table: %w", err)
	}
	loops := make([]request, clients)
	for i := range loops {
		w := newWriter(uint64(1000+i), nil, userNames)
		loops[i] = func() error {
			tx, err := db.Begin()
			if err != nil {
				return err
			}
			_, err = tx.Exec(`INSERT INTO notes (document_id, author_id, kind, body, created_at) VALUES (?, ?, ?, ?, ?)`,
				1, 1+w.rng.IntN(seedUsers), "comment", w.body("comment"), time.Now().UTC())
			if err != nil {
				tx.Rollback()
				return err
			}
			return tx.Commit()
		}
	}
	return loops, func() { db.Close() }, nil
}
