package web

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/store/storetest"
)

// holdWriter starts, on a connection of its own (another process, say a
// CLI import), a transaction that has written the rows a request's
// bookkeeping writes: on SQLite it holds the one write lock, on
// PostgreSQL those rows' locks. It returns the function that ends it.
func holdWriter(t *testing.T, dsn string) func() {
	t.Helper()
	driver, source := "postgres", dsn
	if p, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		driver, source = "sqlite", "file:"+p+"?_pragma=busy_timeout(10000)"
	}
	raw, err := sql.Open(driver, source)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := raw.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE api_tokens SET name = name`, `UPDATE sessions SET ip = ip`} {
		if _, err := tx.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return func() {
		tx.Rollback()
		raw.Close()
	}
}

// TestReadsWhileAnotherWriterHoldsTheDatabase: a token's API call and a
// session's page view answer while another connection holds the writer,
// though each would record its last use: that bookkeeping is given up,
// not waited for and never the request's failure.
func TestReadsWhileAnotherWriterHoldsTheDatabase(t *testing.T) {
	for _, eng := range storetest.DSNs(t) {
		t.Run(eng.Name, func(t *testing.T) {
			e := newEnv(t, eng.DSN, Config{})
			ctx := context.Background()
			e.user(t, "county", store.RoleCounty, "")
			token, err := e.db.CreateToken(ctx, "county", "test")
			if err != nil {
				t.Fatal(err)
			}
			c := e.client(t)
			c.login("county", samplePW)
			// A minute on, the session's last use is due to be written.
			real := e.db.Now
			e.db.Now = func() time.Time { return real().Add(2 * time.Minute) }
			defer func() { e.db.Now = real }()

			release := holdWriter(t, eng.DSN)
			defer release()
			hc := &http.Client{Timeout: 8 * time.Second, CheckRedirect: c.hc.CheckRedirect, Jar: c.jar}
			get := func(path, token string) (int, string, time.Duration) {
				t.Helper()
				req, _ := http.NewRequest("GET", e.ts.URL+path, nil)
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				start := time.Now()
				res, err := hc.Do(req)
				if err != nil {
					t.Fatalf("GET %s while another writer holds the database: %v", path, err)
				}
				defer res.Body.Close()
				b, _ := io.ReadAll(res.Body)
				return res.StatusCode, string(b), time.Since(start)
			}
			if st, body, took := get("/api/v1/households", token); st != http.StatusOK {
				t.Fatalf("API GET with a token: status %d after %s, want 200\n%s", st, took, body)
			}
			if st, body, took := get("/households", ""); st != http.StatusOK {
				t.Fatalf("page with a session: status %d after %s, want 200\n%s", st, took, body)
			}
		})
	}
}
