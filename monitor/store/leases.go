package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/lib/pq"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/shouwang/shouwang/monitor"
)

// Lease is a named lease: one holder at a time, until it is released or
// its expiry passes unrenewed (a crashed holder frees it by itself).
// Leases serialise long work that is not one transaction, across
// processes and engines alike: a row in leases, taken with one INSERT … ON
// CONFLICT that only overwrites an expired row.
type Lease struct {
	Name       string    `db:"name"`
	Holder     string    `db:"holder"`
	AcquiredAt time.Time `db:"acquired_at"`
	ExpiresAt  time.Time `db:"expires_at"`
}

// execer runs a statement: the database or a transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// NewHolder returns a holder id unique to one acquisition, naming the
// machine and process for whoever looks at the table.
func NewHolder() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), randomToken(6))
}

// leaseNow is the clock of leases: UTC to the microsecond, which both
// engines store alike (on SQLite, as text that compares in time order).
func (db *DB) leaseNow() time.Time { return db.Now().UTC().Truncate(time.Microsecond) }

// AcquireLease takes the lease name for holder until ttl from now, when
// nobody holds it or its holder's expiry has passed. It reports whether it
// did; it never waits.
func (db *DB) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	now := db.leaseNow()
	res, err := db.x.ExecContext(ctx, db.rebind(`INSERT INTO leases (name, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
		WHERE leases.expires_at < ?`), name, holder, now, now.Add(ttl), now)
	if err != nil {
		return false, mapError(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, mapError(err)
	}
	return n == 1, nil
}

// errLeaseLost is RenewLease's answer when the lease is no longer the
// holder's: it expired and another took it, or it was released.
var errLeaseLost = &monitor.Error{Code: monitor.ECONFLICT, Message: "租约已失效：已超时未续期，或已被另一进程接手"}

// RenewLease extends holder's lease to ttl from now; ECONFLICT when the
// lease is no longer theirs.
func (db *DB) RenewLease(ctx context.Context, name, holder string, ttl time.Duration) error {
	return db.renewLease(ctx, db.x, name, holder, ttl)
}

func (db *DB) renewLease(ctx context.Context, q execer, name, holder string, ttl time.Duration) error {
	res, err := q.ExecContext(ctx, db.rebind(`UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ?`), db.leaseNow().Add(ttl), name, holder)
	if err != nil {
		return mapError(err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return mapError(err)
	} else if n != 1 {
		return errLeaseLost
	}
	return nil
}

// ReleaseLease gives up holder's lease; releasing a lease no longer held
// is not an error.
func (db *DB) ReleaseLease(ctx context.Context, name, holder string) error {
	_, err := db.x.ExecContext(ctx, db.rebind(`DELETE FROM leases WHERE name = ? AND holder = ?`), name, holder)
	return mapError(err)
}

// FindLease returns the lease name as it stands, expired or not;
// ENOTFOUND when nobody holds it.
func (db *DB) FindLease(ctx context.Context, name string) (*Lease, error) {
	var l Lease
	if err := db.rx.GetContext(ctx, &l, db.rebind(`SELECT name, holder, acquired_at, expires_at FROM leases WHERE name = ?`), name); err != nil {
		return nil, mapError(err)
	}
	return &l, nil
}

// LeaseOptions say how HoldLease waits for and keeps a lease.
type LeaseOptions struct {
	// TTL is how long the lease outlives its last renewal; it is renewed
	// every TTL/4 while held.
	TTL time.Duration
	// Wait bounds how long HoldLease polls while another holds the lease.
	Wait time.Duration
	// Busy makes the error returned when Wait has passed, from the lease
	// as it stands; nil for a plain ECONFLICT.
	Busy func(cur *Lease) error
}

// HeldLease is a lease held by this process and renewed in the background
// until Release.
type HeldLease struct {
	db     *DB
	name   string
	holder string
	ttl    time.Duration
	ctx    context.Context
	cancel context.CancelFunc
	stop   chan struct{}
	done   chan struct{}
	once   sync.Once
	mu     sync.Mutex
	lost   bool
}

// HoldLease acquires the lease name, polling while another holds it, for
// at most opt.Wait; then renews it every TTL/4 until Release. The work it
// guards runs under Context, which ends if a renewal finds the lease lost,
// so work that can no longer be sure of its lease stops instead of racing.
func (db *DB) HoldLease(ctx context.Context, name string, opt LeaseOptions) (*HeldLease, error) {
	holder := NewHolder()
	deadline := time.Now().Add(opt.Wait)
	pause := 50 * time.Millisecond
	for {
		// Read first: a waiter polls the table, not the single writer.
		cur, err := db.FindLease(ctx, name)
		if err != nil && monitor.ErrorCode(err) != monitor.ENOTFOUND {
			return nil, err
		}
		if cur == nil || cur.ExpiresAt.Before(db.leaseNow()) {
			ok, err := db.AcquireLease(ctx, name, holder, opt.TTL)
			if err != nil {
				return nil, err
			}
			if ok {
				break
			}
		}
		if time.Now().Add(pause).After(deadline) {
			if cur == nil {
				cur, _ = db.FindLease(ctx, name)
			}
			if cur != nil && opt.Busy != nil {
				return nil, opt.Busy(cur)
			}
			return nil, monitor.Errorf(monitor.ECONFLICT, "“%s”正被另一项工作占用，请稍后再试", name)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, time.Second)
	}
	h := &HeldLease{db: db, name: name, holder: holder, ttl: opt.TTL, stop: make(chan struct{}), done: make(chan struct{})}
	h.ctx, h.cancel = context.WithCancel(ctx)
	go h.renew()
	return h, nil
}

// renew keeps the lease until Release, and ends the work's context when
// the lease is found lost. A renewal that fails for another reason (the
// database busy) is tried again at the next tick: the lease is lost only
// when another holder could have taken it.
func (h *HeldLease) renew() {
	defer close(h.done)
	t := time.NewTicker(max(h.ttl/4, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-h.ctx.Done():
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(h.ctx, h.ttl/2)
		err := h.db.RenewLease(ctx, h.name, h.holder, h.ttl)
		cancel()
		if err == errLeaseLost {
			h.mu.Lock()
			h.lost = true
			h.mu.Unlock()
			h.cancel()
			return
		}
		if err != nil {
			slog.Debug("lease renewal failed", "lease", h.name, "err", err)
		}
	}
}

// Context is the context of the work the lease guards.
func (h *HeldLease) Context() context.Context { return h.ctx }

// Holder is the holder id of this acquisition.
func (h *HeldLease) Holder() string { return h.holder }

// Lost reports whether a renewal found the lease taken by another.
func (h *HeldLease) Lost() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lost
}

// Release stops the renewals and frees the lease, also when the work's
// context was cancelled.
func (h *HeldLease) Release() error {
	var err error
	h.once.Do(func() {
		close(h.stop)
		<-h.done
		h.cancel()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(h.ctx), 30*time.Second)
		defer cancel()
		err = h.db.ReleaseLease(ctx, h.name, h.holder)
	})
	return err
}

// check renews the lease inside tx, so whatever tx writes is written only
// while the lease is the holder's: on PostgreSQL the row stays locked to
// the commit, and one that takes the lease over waits for it and then sees
// it renewed; SQLite has one writer anyway.
func (h *HeldLease) check(ctx context.Context, tx execer) error {
	if err := h.db.renewLease(ctx, tx, h.name, h.holder, h.ttl); err != nil {
		if err == errLeaseLost {
			h.mu.Lock()
			h.lost = true
			h.mu.Unlock()
		}
		return err
	}
	return nil
}

// IsBusy reports whether err is the database refusing for a while because
// another writer holds it (SQLite busy or locked; a PostgreSQL lock not
// available, deadlock or serialisation failure): worth trying later,
// nothing wrong with the data.
func IsBusy(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return true
		}
		return false
	}
	var pe *pq.Error
	if errors.As(err, &pe) {
		switch pe.Code {
		case "40001", "40P01", "55P03":
			return true
		}
	}
	return false
}
