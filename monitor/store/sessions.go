package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math/big"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shouwang/shouwang/monitor"
)

// Session is a logged-in browser. Only the SHA-256 of its token is stored.
type Session struct {
	ID         int64     `db:"id"`
	UserID     int64     `db:"user_id"`
	CSRFToken  string    `db:"csrf_token"`
	CreatedAt  time.Time `db:"created_at"`
	LastSeenAt time.Time `db:"last_seen_at"`
	ExpiresAt  time.Time `db:"expires_at"`
	User       *User     `db:"-"`
}

// randomToken returns n random bytes, URL-safe base64 encoded.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func randIntN(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		panic(err)
	}
	return int(v.Int64())
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateSession starts a session for a user who has just logged in, ending
// at the latest after lifetime, and returns its token for the cookie. A new
// token on every login is what prevents session fixation.
func (db *DB) CreateSession(ctx context.Context, userID int64, ip, userAgent string, lifetime time.Duration) (string, *Session, error) {
	token := randomToken(32)
	now := db.Now()
	s := &Session{UserID: userID, CSRFToken: randomToken(32), CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(lifetime)}
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &s.ID, db.rebind(`INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`), tokenHash(token), userID, s.CSRFToken, now, now, s.ExpiresAt, ip, userAgent); err != nil {
			return mapError(err)
		}
		_, err := tx.ExecContext(ctx, db.rebind(`UPDATE users SET last_login_at = ? WHERE id = ?`), now, userID)
		return mapError(err)
	})
	if err != nil {
		return "", nil, err
	}
	return token, s, nil
}

// errNoSession is the answer for a missing, expired or ended session.
var errNoSession = &monitor.Error{Code: monitor.ENOTFOUND, Message: "登录已过期，请重新登录"}

// FindSession returns the live session of token with its user. A session
// unused for idle, past its end, or whose user is disabled is ended and
// ENOTFOUND. Use is recorded at most once a minute, not on every request.
func (db *DB) FindSession(ctx context.Context, token string, idle time.Duration) (*Session, error) {
	if token == "" {
		return nil, errNoSession
	}
	var s Session
	hash := tokenHash(token)
	err := db.x.GetContext(ctx, &s, db.rebind(`SELECT id, user_id, csrf_token, created_at, last_seen_at, expires_at FROM sessions WHERE token_hash = ?`), hash)
	if monitor.ErrorCode(mapError(err)) == monitor.ENOTFOUND {
		return nil, errNoSession
	} else if err != nil {
		return nil, mapError(err)
	}
	now := db.Now()
	u, err := db.FindUserByID(ctx, s.UserID)
	if err != nil {
		return nil, err
	}
	if !now.Before(s.ExpiresAt) || now.Sub(s.LastSeenAt) >= idle || u.Disabled {
		// Ended all the same: PurgeSessions deletes what this leaves.
		db.touch(ctx, fmt.Sprintf("session:%d", s.ID), `DELETE FROM sessions WHERE id = ?`, s.ID)
		return nil, errNoSession
	}
	if now.Sub(s.LastSeenAt) > time.Minute {
		if db.touch(ctx, fmt.Sprintf("session:%d", s.ID), `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, now, s.ID) {
			s.LastSeenAt = now
		}
	}
	s.User = u
	return &s, nil
}

// touchWait bounds a bookkeeping write made while a request is read (a
// session's or token's last use): when another writer holds the database
// — an import can, for tens of seconds — it is given up, not waited for.
const touchWait = 250 * time.Millisecond

// touchRetry is how long a bookkeeping write given up is not tried again
// for the same key, so requests during a long import wait touchWait once
// a minute, not each time.
const touchRetry = time.Minute

// touchFailed holds, by key, when a bookkeeping write was last given up.
var touchFailed sync.Map

// touch makes a bookkeeping write, best-effort: it never fails the read it
// goes with. It reports whether the write was made.
func (db *DB) touch(ctx context.Context, key, query string, args ...any) bool {
	key = fmt.Sprintf("%p/%s", db, key)
	if t, ok := touchFailed.Load(key); ok && time.Since(t.(time.Time)) < touchRetry {
		return false
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), touchWait)
	defer cancel()
	if _, err := db.x.ExecContext(ctx, db.rebind(query), args...); err != nil {
		touchFailed.Store(key, time.Now())
		slog.Debug("bookkeeping write skipped", "key", key, "busy", IsBusy(err) || ctx.Err() != nil, "err", err)
		return false
	}
	touchFailed.Delete(key)
	return true
}

// DeleteSession ends the session of token (logout).
func (db *DB) DeleteSession(ctx context.Context, token string) error {
	_, err := db.x.ExecContext(ctx, db.rebind(`DELETE FROM sessions WHERE token_hash = ?`), tokenHash(token))
	return mapError(err)
}

// PurgeSessions deletes the sessions that ended or were unused for idle.
func (db *DB) PurgeSessions(ctx context.Context, idle time.Duration) (int64, error) {
	now := db.Now()
	res, err := db.x.ExecContext(ctx, db.rebind(`DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?`), now, now.Add(-idle))
	if err != nil {
		return 0, mapError(err)
	}
	return res.RowsAffected()
}
