package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// maxParams keeps one statement under SQLite's and PostgreSQL's limits on
// bound parameters (32766 and 65535).
const maxParams = 30000

// stmtParams is the size of one multi-row INSERT, prepared once and run
// for each chunk: SQLite takes a third of a second to parse a statement of
// maxParams placeholders, a few milliseconds for this one, and binding a
// row costs the same in either.
const stmtParams = 2000

// insertRows writes rows with multi-row INSERTs, as many rows per
// statement as the parameter limit allows; suffix is appended to each
// statement (an ON CONFLICT clause). The full-size statement is prepared
// once and reused: parsing a statement of 30,000 placeholders again for
// every chunk cost SQLite a fifth of a loan import.
func (db *DB) insertRows(ctx context.Context, tx *sqlx.Tx, table string, cols []string, rows [][]any, suffix string) error {
	if db.Dialect == Postgres && suffix == "" && len(rows) >= copyFrom {
		return copyRows(ctx, tx, table, cols, rows)
	}
	return db.eachChunk(ctx, tx, table, cols, rows, suffix, func(st *sql.Stmt, q string, args []any) error {
		var err error
		if st != nil {
			_, err = st.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, q, args...)
		}
		return mapError(err)
	})
}

// insertReturningIDs writes rows like insertRows and returns the new ids
// keyed by the value of keyCol, a text column that must be unique.
func (db *DB) insertReturningIDs(ctx context.Context, tx *sqlx.Tx, table string, cols []string, rows [][]any, keyCol string) (map[string]int64, error) {
	ids := make(map[string]int64, len(rows))
	if db.Dialect == Postgres && len(rows) >= copyFrom {
		// COPY returns nothing: the new ids are looked up by their keys.
		k := slices.Index(cols, keyCol)
		keys := make([]string, len(rows))
		for i, r := range rows {
			keys[i], _ = r[k].(string)
		}
		if err := copyRows(ctx, tx, table, cols, rows); err != nil {
			return nil, err
		}
		err := queryIn(ctx, db, tx, `SELECT id, `+keyCol+` FROM `+table+` WHERE `+keyCol+` IN (?)`, keys, func(rs *sql.Rows) error {
			var id int64
			var key string
			if err := rs.Scan(&id, &key); err != nil {
				return mapError(err)
			}
			ids[key] = id
			return nil
		})
		return ids, err
	}
	err := db.eachChunk(ctx, tx, table, cols, rows, " RETURNING id, "+keyCol, func(st *sql.Stmt, q string, args []any) error {
		var rs *sql.Rows
		var err error
		if st != nil {
			rs, err = st.QueryContext(ctx, args...)
		} else {
			rs, err = tx.QueryContext(ctx, q, args...)
		}
		if err != nil {
			return mapError(err)
		}
		defer rs.Close()
		for rs.Next() {
			var id int64
			var key string
			if err := rs.Scan(&id, &key); err != nil {
				return mapError(err)
			}
			ids[key] = id
		}
		return mapError(rs.Err())
	})
	return ids, err
}

// bulkCacheKiB is the SQLite writer's page cache while a record ledger is
// imported; 2 MB (SQLite's default) otherwise.
const bulkCacheKiB = 64 << 10

// bulkCache gives the SQLite writer a larger page cache for the rest of
// tx and returns the function that gives it back, to call once tx has
// ended. Loans go into five indexes in key orders unrelated to the ledger's
// rows, and with the default cache a third of the insert time was spent
// reading pages back. Rosters keep the default: their import is held to
// 300 MB, and the cache is memory outside Go's accounting.
func (db *DB) bulkCache(ctx context.Context, tx *sqlx.Tx) (restore func()) {
	if db.Dialect != SQLite {
		return func() {}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", bulkCacheKiB)); err != nil {
		return func() {}
	}
	return func() {
		// The writer pool holds one connection: this is tx's.
		db.x.ExecContext(context.WithoutCancel(ctx), "PRAGMA cache_size = -2000")
	}
}

// copyFrom is the number of rows from which PostgreSQL gets them through
// COPY rather than INSERTs: below it the two extra round trips of a COPY
// cost more than they save.
const copyFrom = 500

// copyRows writes rows with PostgreSQL's COPY FROM STDIN, which the server
// takes without parsing or planning a statement: the members of a
// 100,000-household roster went in several times faster than through
// multi-row INSERTs. PostgreSQL-compatible engines (Citus, YugabyteDB,
// CockroachDB) take COPY as well.
func copyRows(ctx context.Context, tx *sqlx.Tx, table string, cols []string, rows [][]any) error {
	st, err := tx.PrepareContext(ctx, pq.CopyIn(table, cols...))
	if err != nil {
		return mapError(err)
	}
	defer st.Close()
	for _, r := range rows {
		if _, err := st.ExecContext(ctx, r...); err != nil {
			return mapError(err)
		}
	}
	// The empty Exec ends the COPY and reports what the server refused.
	_, err = st.ExecContext(ctx)
	return mapError(err)
}

// eachChunk splits rows into multi-row statements and runs each with fn:
// with st, the full-size statement prepared once, or with the query text
// of a smaller last chunk.
func (db *DB) eachChunk(ctx context.Context, tx *sqlx.Tx, table string, cols []string, rows [][]any, suffix string, fn func(st *sql.Stmt, q string, args []any) error) error {
	per := max(1, stmtParams/len(cols))
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	for start := 0; start < len(rows); start += per {
		part := rows[start:min(start+per, len(rows))]
		q, args := valuesStatement(table, cols, part)
		q = db.rebind(q + suffix)
		if len(part) < per || len(rows) == per {
			if err := fn(nil, q, args); err != nil {
				return err
			}
			continue
		}
		if full == nil {
			st, err := tx.PrepareContext(ctx, q)
			if err != nil {
				return mapError(err)
			}
			full = st
		}
		if err := fn(full, q, args); err != nil {
			return err
		}
	}
	return nil
}

func valuesStatement(table string, cols []string, rows [][]any) (string, []any) {
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	args := make([]any, 0, len(rows)*len(cols))
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(tuple)
		args = append(args, r...)
	}
	return b.String(), args
}

// sqliteInList is how many keys one IN list of a look-up holds on SQLite,
// whose parser costs more for a long list than running it does: the list
// is prepared once at this length and reused (see queryIn).
const sqliteInList = 200

// queryIn runs query, whose one "IN (?)" takes keys, a chunk of keys at a
// time, and calls row for each row. On SQLite the statement is prepared
// once with sqliteInList placeholders and run for every chunk, the last
// chunk filled up by repeating its last key (which changes nothing in an IN
// list): parsing an IN list of 10,000 placeholders took SQLite longer than
// finding 10,000 members. PostgreSQL gets lookupChunk keys a statement as
// one array ("= ANY"), which PostgreSQL-compatible engines take too.
func queryIn[K any](ctx context.Context, db *DB, q querier, query string, keys []K, row func(*sql.Rows) error) error {
	if len(keys) == 0 {
		return nil
	}
	size := lookupChunk
	var st *sql.Stmt
	if db.Dialect == SQLite {
		size = min(sqliteInList, len(keys))
		var err error
		if st, err = q.PrepareContext(ctx, strings.Replace(query, "IN (?)", "IN ("+placeholders(size)+")", 1)); err != nil {
			return mapError(err)
		}
		defer st.Close()
	}
	args := make([]any, 0, size)
	for start := 0; start < len(keys); start += size {
		part := keys[start:min(start+size, len(keys))]
		var rows *sql.Rows
		var err error
		if st != nil {
			args = args[:0]
			for i := range size {
				args = append(args, part[min(i, len(part)-1)]) // the last key repeated to fill the list
			}
			rows, err = st.QueryContext(ctx, args...)
		} else {
			// One array parameter: PostgreSQL plans "= ANY($1)" at once,
			// where an IN list of 10,000 placeholders cost it 15 ms.
			rows, err = q.QueryContext(ctx, db.rebind(strings.Replace(query, " IN (?)", " = ANY(?)", 1)), pq.Array(part))
		}
		if err != nil {
			return mapError(err)
		}
		for rows.Next() {
			if err := row(rows); err != nil {
				rows.Close()
				return err
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return mapError(err)
		}
	}
	return nil
}

// selectIn is queryIn for rows scanned into a T by their db tags, as sqlx
// does; fn gets each row.
func selectIn[T, K any](ctx context.Context, db *DB, q querier, query string, keys []K, fn func(*T)) error {
	var sr *sqlx.Rows
	return queryIn(ctx, db, q, query, keys, func(rows *sql.Rows) error {
		if sr == nil || sr.Rows != rows {
			sr = &sqlx.Rows{Rows: rows, Mapper: db.x.Mapper}
		}
		var v T
		if err := sr.StructScan(&v); err != nil {
			return mapError(err)
		}
		fn(&v)
		return nil
	})
}

// inQuery expands the IN (?) of query for args.
func inQuery(query string, args ...any) (string, []any, error) { return sqlx.In(query, args...) }
