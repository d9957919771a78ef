package store

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// lockRegistry takes the registry's row lock as the first statement of a
// transaction that changes households (an import, a case's outcome). On
// PostgreSQL and the engines like it a second such transaction waits here
// until the first commits, and its later statements read what the first
// wrote, so every plan is made against the rows it replaces and every
// history entry's old value is the value it replaced. SQLite has one
// writer already (transactions begin IMMEDIATE); the update costs nothing.
func (db *DB) lockRegistry(ctx context.Context, tx *sqlx.Tx) error {
	_, err := tx.ExecContext(ctx, db.rebind(`UPDATE locks SET n = n + 1 WHERE name = ?`), "registry")
	return mapError(err)
}
