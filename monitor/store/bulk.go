package store

import (
	"context"
	"strings"

	"github.com/jmoiron/sqlx"
)

// maxParams keeps one statement under SQLite's and PostgreSQL's limits on
// bound parameters (32766 and 65535).
const maxParams = 30000

// insertRows writes rows with multi-row INSERTs, as many rows per
// statement as the parameter limit allows; suffix is appended to each
// statement (an ON CONFLICT clause).
func (db *DB) insertRows(ctx context.Context, tx *sqlx.Tx, table string, cols []string, rows [][]any, suffix string) error {
	per := max(1, maxParams/len(cols))
	for start := 0; start < len(rows); start += per {
		part := rows[start:min(start+per, len(rows))]
		q, args := valuesStatement(table, cols, part)
		if _, err := tx.ExecContext(ctx, db.rebind(q+suffix), args...); err != nil {
			return mapError(err)
		}
	}
	return nil
}

// insertReturningIDs writes rows like insertRows and returns the new ids
// keyed by the value of keyCol, which must be unique.
func (db *DB) insertReturningIDs(ctx context.Context, tx *sqlx.Tx, table string, cols []string, rows [][]any, keyCol string) (map[string]int64, error) {
	ids := make(map[string]int64, len(rows))
	per := max(1, maxParams/len(cols))
	for start := 0; start < len(rows); start += per {
		part := rows[start:min(start+per, len(rows))]
		q, args := valuesStatement(table, cols, part)
		var got []struct {
			ID  int64  `db:"id"`
			Key string `db:"k"`
		}
		if err := tx.SelectContext(ctx, &got, db.rebind(q+" RETURNING id, "+keyCol+" AS k"), args...); err != nil {
			return nil, mapError(err)
		}
		for _, g := range got {
			ids[g.Key] = g.ID
		}
	}
	return ids, nil
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
