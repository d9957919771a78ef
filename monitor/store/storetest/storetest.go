// Package storetest opens a fresh database on every engine a test should
// cover: SQLite always, PostgreSQL when SHOUWANG_TEST_POSTGRES holds a URL.
// Each PostgreSQL database is a schema of its own, dropped afterwards.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/lib/pq" // the PostgreSQL driver, for creating schemas

	"github.com/shouwang/shouwang/monitor/store"
)

// Engine is one database to run a test against.
type Engine struct {
	Name string // "sqlite" or "postgres"
	DSN  string
}

// PostgresURL returns the server to test against, or "".
func PostgresURL() string { return os.Getenv("SHOUWANG_TEST_POSTGRES") }

// DSNs returns a fresh, empty database of every engine for t.
func DSNs(t testing.TB) []Engine {
	t.Helper()
	out := []Engine{{Name: store.SQLite, DSN: "sqlite:" + filepath.Join(t.TempDir(), "test.db")}}
	if base := PostgresURL(); base != "" {
		out = append(out, Engine{Name: store.Postgres, DSN: freshSchema(t, base)})
	}
	return out
}

// freshSchema creates a schema on the server and returns a DSN whose
// search_path points into it.
func freshSchema(t testing.TB, base string) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("postgres", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		admin.Close()
		t.Fatalf("postgres at %s is not reachable or refuses CREATE SCHEMA: %v", base, err)
	}
	t.Cleanup(func() {
		admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("SHOUWANG_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	if q.Get("sslmode") == "" {
		q.Set("sslmode", "disable")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// Each runs fn as a subtest on a fresh database of every engine.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, e := range DSNs(t) {
		t.Run(e.Name, func(t *testing.T) {
			db, err := store.Open(context.Background(), e.DSN)
			if err != nil {
				t.Fatalf("open %s: %v", e.Name, err)
			}
			t.Cleanup(func() { db.Close() })
			fn(t, db)
		})
	}
}
