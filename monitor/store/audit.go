package store

import (
	"context"
	"strings"
	"time"
)

// Audit actions.
const (
	AuditLogin          = "login"
	AuditLoginFailed    = "login_failed"
	AuditLogout         = "logout"
	AuditPasswordChange = "password_change"
	AuditViewHousehold  = "view_household"
	AuditRevealIDs      = "reveal_ids" // a page or API answer with unmasked ID numbers
	AuditImport         = "import"
	AuditUserAdd        = "user_add"
	AuditUserPasswd     = "user_passwd"
	AuditUserDisable    = "user_disable"
	AuditUserEnable     = "user_enable"
	AuditTokenCreate    = "token_create"
)

// AuditEntry is one line of the audit log: who did or saw what, when, from
// where. Object names the thing, e.g. "household:5001190001000106".
type AuditEntry struct {
	ID       int64     `db:"id" json:"id"`
	At       time.Time `db:"at" json:"at"`
	UserID   *int64    `db:"user_id" json:"user_id,omitempty"`
	Username string    `db:"username" json:"username"`
	Action   string    `db:"action" json:"action"`
	Object   string    `db:"object" json:"object"`
	Detail   string    `db:"detail" json:"detail"`
	IP       string    `db:"ip" json:"ip"`
}

// Audit records an entry; At is set here.
func (db *DB) Audit(ctx context.Context, e AuditEntry) error {
	_, err := db.x.ExecContext(ctx, db.rebind(`INSERT INTO audit_log (at, user_id, username, action, object, detail, ip) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		db.Now(), e.UserID, e.Username, e.Action, e.Object, e.Detail, e.IP)
	return mapError(err)
}

// AuditFilter narrows FindAudit.
type AuditFilter struct {
	Username string
	Action   string
	Object   string
	// Since and Until keep the entries at or after Since and before Until
	// (zero: no bound).
	Since, Until time.Time
	Limit        int
	Offset       int
}

// FindAudit lists audit entries, newest first, with the total before paging.
func (db *DB) FindAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, int, error) {
	where, args := []string{"1 = 1"}, []any{}
	for _, c := range []struct{ col, val string }{{"username", f.Username}, {"action", f.Action}, {"object", f.Object}} {
		if c.val != "" {
			where, args = append(where, c.col+" = ?"), append(args, c.val)
		}
	}
	if !f.Since.IsZero() {
		where, args = append(where, "at >= ?"), append(args, f.Since.UTC())
	}
	if !f.Until.IsZero() {
		where, args = append(where, "at < ?"), append(args, f.Until.UTC())
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	var rows []struct {
		AuditEntry
		Total int `db:"total"`
	}
	err := db.x.SelectContext(ctx, &rows, db.rebind(`SELECT id, at, user_id, username, action, object, detail, ip, COUNT(*) OVER () AS total
		FROM audit_log WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT ? OFFSET ?`), append(args, limit, f.Offset)...)
	if err != nil {
		return nil, 0, mapError(err)
	}
	out := make([]AuditEntry, len(rows))
	total := 0
	for i, r := range rows {
		out[i], total = r.AuditEntry, r.Total
	}
	return out, total, nil
}
