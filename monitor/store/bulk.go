package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// maxParams keeps one statement under SQLite's and PostgreSQL's limits on
// bound parameters (32766 and 65535).
const maxParams = 30000

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
// keyed by the value of keyCol, which must be unique.
func (db *DB) insertReturningIDs(ctx context.Context, tx *sqlx.Tx, table string, cols []string, rows [][]any, keyCol string) (map[string]int64, error) {
	ids := make(map[string]int64, len(rows))
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
	per := max(1, maxParams/len(cols))
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

// inQuery expands the IN (?) of query for args.
func inQuery(query string, args ...any) (string, []any, error) { return sqlx.In(query, args...) }
