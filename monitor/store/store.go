// Package store is the one place that speaks SQL. The same code runs on the
// embedded SQLite default and on PostgreSQL (and the PostgreSQL-compatible
// distributed engines), so it stays inside the SQL both share.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/shouwang/shouwang/migrations"
	"github.com/shouwang/shouwang/monitor"
)

// Dialects.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// DefaultDSN is used when neither --db nor SHOUWANG_DB says otherwise: a
// file beside the user, so a township laptop needs nothing else.
const DefaultDSN = "sqlite:shouwang.db"

// DB is the registry database.
type DB struct {
	x *sqlx.DB
	// rx serves long reads (evaluation) beside the writer: for SQLite a
	// second pool of read connections (WAL lets readers run while the one
	// writer writes); for PostgreSQL the same pool as x.
	rx      *sqlx.DB
	Dialect string
	// Now is the clock for timestamps; tests replace it.
	Now func() time.Time
}

// Open connects to dsn ("sqlite:PATH" or "postgres://…") and applies the
// embedded migrations that have not run yet.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if dsn == "" {
		dsn = DefaultDSN
	}
	var driver, source, dialect string
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		driver, source, dialect = "postgres", withBinaryParameters(dsn), Postgres
	case strings.HasPrefix(dsn, "sqlite:"):
		driver, source, dialect = "sqlite", sqliteSource(strings.TrimPrefix(dsn, "sqlite:")), SQLite
	default:
		return nil, monitor.Errorf(monitor.EINVALID, "无法识别的数据库地址 %q：请使用 sqlite:文件路径 或 postgres://用户@主机/库", dsn)
	}
	x, err := sqlx.Open(driver, source)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dialect, err)
	}
	if dialect == SQLite {
		// One connection: SQLite has one writer, and a pool of writers
		// only produces "database is locked".
		x.SetMaxOpenConns(1)
	} else {
		x.SetMaxOpenConns(16)
		x.SetMaxIdleConns(16)
	}
	if err := x.PingContext(ctx); err != nil {
		x.Close()
		return nil, monitor.Errorf(monitor.EINTERNAL, "无法连接数据库（%s）：%v", dialect, err)
	}
	db := &DB{x: x, rx: x, Dialect: dialect, Now: func() time.Time { return time.Now().UTC() }}
	if err := db.migrate(ctx); err != nil {
		x.Close()
		return nil, err
	}
	if dialect == SQLite {
		rx, err := sqlx.Open(driver, source+"&_pragma=query_only(1)")
		if err != nil {
			x.Close()
			return nil, fmt.Errorf("open sqlite readers: %w", err)
		}
		rx.SetMaxOpenConns(readers)
		rx.SetMaxIdleConns(readers)
		db.rx = rx
	}
	return db, nil
}

// withBinaryParameters asks lib/pq to send parameters in one round trip
// instead of two (prepare, then execute) unless the DSN says otherwise: it
// took the search page's p99 from 126 to 95 ms under load.
func withBinaryParameters(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	if q.Get("binary_parameters") != "" {
		return dsn
	}
	q.Set("binary_parameters", "yes")
	u.RawQuery = q.Encode()
	return u.String()
}

func sqliteSource(p string) string {
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	// A writer waits this long for another process's write to end: an
	// import holds the writer for tens of seconds (40 s for 100,000
	// households), and a web form or a CLI import's follow-up evaluation
	// should wait that out rather than fail with "database is locked".
	// Bookkeeping writes wait far less (touchWait).
	q.Add("_pragma", "busy_timeout(120000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	q.Set("_time_format", "sqlite")
	return "file:" + p + "?" + q.Encode()
}

// Close closes the database.
func (db *DB) Close() error {
	if db.rx != db.x {
		db.rx.Close()
	}
	return db.x.Close()
}

// readers is how many batches evaluation loads at once: one per core of
// the machine this runs on is the point of diminishing returns.
var readers = max(2, min(runtime.NumCPU(), 8))

// rebind turns the ? placeholders of portable SQL into the dialect's own.
func (db *DB) rebind(q string) string {
	if db.Dialect == Postgres {
		return sqlx.Rebind(sqlx.DOLLAR, q)
	}
	return q
}

func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.x.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMP NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	var done []string
	if err := db.x.SelectContext(ctx, &done, `SELECT name FROM schema_migrations`); err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	applied := map[string]bool{}
	for _, n := range done {
		applied[n] = true
	}
	names, err := MigrationNames(db.Dialect)
	if err != nil {
		return err
	}
	for _, name := range names {
		if applied[name] {
			continue
		}
		body, err := fs.ReadFile(migrations.FS, path.Join(db.Dialect, name))
		if err != nil {
			return err
		}
		if err := db.inTx(ctx, func(tx *sqlx.Tx) error {
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return fmt.Errorf("migration %s: %w", name, err)
			}
			_, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`), name, db.Now())
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

// MigrationNames lists a dialect's migration files in the order they apply.
func MigrationNames(dialect string) ([]string, error) {
	entries, err := fs.ReadDir(migrations.FS, dialect)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// inTx runs fn in a transaction that is committed only when fn succeeds.
func (db *DB) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := db.x.BeginTxx(ctx, nil)
	if err != nil {
		return mapError(err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return mapError(tx.Commit())
}

// mapError turns driver errors into domain errors by their codes, never by
// their text.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	var pe *pq.Error
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return &monitor.Error{Code: monitor.ECONFLICT, Message: "记录已存在（唯一性冲突）"}
		case "23503", "23514", "23502":
			return &monitor.Error{Code: monitor.EINVALID, Message: "数据不满足约束条件"}
		}
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &monitor.Error{Code: monitor.ECONFLICT, Message: "记录已存在（唯一性冲突）"}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY, sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return &monitor.Error{Code: monitor.EINVALID, Message: "数据不满足约束条件"}
		}
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &monitor.Error{Code: monitor.ENOTFOUND, Message: "记录不存在"}
	}
	return err
}

// Columns lists every table's columns, for the test that proves both
// dialects build the same schema.
func (db *DB) Columns(ctx context.Context) (map[string][]string, error) {
	var rows []struct {
		Table  string `db:"t"`
		Column string `db:"c"`
	}
	var q string
	if db.Dialect == Postgres {
		q = `SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, column_name`
	} else {
		q = `SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.name`
	}
	if err := db.x.SelectContext(ctx, &rows, q); err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, r := range rows {
		out[r.Table] = append(out[r.Table], r.Column)
	}
	return out, nil
}

// Analyze refreshes the query planner's statistics; worth running after a
// bulk import changed a large share of the registry.
func (db *DB) Analyze(ctx context.Context) error {
	_, err := db.x.ExecContext(ctx, `ANALYZE`)
	return mapError(err)
}
