package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
)

// TestQueryInChunks looks up more keys than one prepared IN list holds,
// with the last list filled up by repetition, keys that match nothing and
// a key given twice: every row comes back exactly once.
func TestQueryInChunks(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "in.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.x.ExecContext(ctx, `CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for i := 0; i < 2*sqliteInList+50; i++ {
		k := fmt.Sprintf("k%04d", i)
		if _, err := db.x.ExecContext(ctx, `INSERT INTO t (k, v) VALUES (?, ?)`, k, i); err != nil {
			t.Fatal(err)
		}
		if i%7 != 0 { // every seventh row is not asked for
			keys = append(keys, k)
		}
	}
	keys = append(keys, "absent", keys[0])
	seen := map[string]int{}
	err = queryIn(ctx, db, db.x, `SELECT k, v FROM t WHERE k IN (?)`, uniqueStrings(keys), func(rows *sql.Rows) error {
		var k string
		var v int
		if err := rows.Scan(&k, &v); err != nil {
			return err
		}
		seen[k]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2*sqliteInList+50; i++ {
		k := fmt.Sprintf("k%04d", i)
		want := 1
		if i%7 == 0 {
			want = 0
		}
		if seen[k] != want {
			t.Fatalf("%s seen %d times, want %d", k, seen[k], want)
		}
	}
	if seen["absent"] != 0 || len(seen) != len(uniqueStrings(keys))-1 {
		t.Fatalf("rows seen: %d for %d keys asked (one absent)", len(seen), len(uniqueStrings(keys)))
	}
}
