package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/shouwang/shouwang/monitor"
)

// tokenPrefix marks Shouwang API tokens, so a leaked one is recognisable
// (and secret scanners can look for it).
const tokenPrefix = "sw_"

// CreateToken makes an API token for a user and returns it; only its
// SHA-256 is stored, so it is shown this once.
func (db *DB) CreateToken(ctx context.Context, username, name string) (string, error) {
	u, err := db.FindUserByName(ctx, username)
	if err != nil {
		return "", err
	}
	if u.Disabled {
		return "", monitor.Errorf(monitor.EINVALID, "账号 %s 已停用，不能创建令牌", u.Username)
	}
	token := tokenPrefix + randomToken(32)
	_, err = db.x.ExecContext(ctx, db.rebind(`INSERT INTO api_tokens (token_hash, user_id, name, created_at, revoked) VALUES (?, ?, ?, ?, ?)`),
		tokenHash(token), u.ID, name, db.Now(), false)
	if err != nil {
		return "", mapError(err)
	}
	return token, nil
}

var errBadToken = &monitor.Error{Code: monitor.ENOTFOUND, Message: "令牌无效或已停用"}

// FindUserByToken returns the user of a live API token: not revoked, and
// its user not disabled.
func (db *DB) FindUserByToken(ctx context.Context, token string) (*User, error) {
	if !strings.HasPrefix(token, tokenPrefix) {
		return nil, errBadToken
	}
	var t struct {
		ID       int64      `db:"id"`
		UserID   int64      `db:"user_id"`
		Revoked  bool       `db:"revoked"`
		LastUsed *time.Time `db:"last_used_at"`
	}
	err := db.x.GetContext(ctx, &t, db.rebind(`SELECT id, user_id, revoked, last_used_at FROM api_tokens WHERE token_hash = ?`), tokenHash(token))
	if monitor.ErrorCode(mapError(err)) == monitor.ENOTFOUND {
		return nil, errBadToken
	} else if err != nil {
		return nil, mapError(err)
	}
	if t.Revoked {
		return nil, errBadToken
	}
	u, err := db.FindUserByID(ctx, t.UserID)
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, errBadToken
	}
	now := db.Now()
	if t.LastUsed == nil || now.Sub(*t.LastUsed) > time.Minute {
		// Bookkeeping: a call is not refused because its last use could
		// not be written (another writer holding SQLite).
		db.touch(ctx, fmt.Sprintf("token:%d", t.ID), `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, now, t.ID)
	}
	return u, nil
}
