package store

import (
	"context"
	"runtime"
	"sync"
	"time"
	"weak"

	"github.com/jmoiron/sqlx"

	"github.com/shouwang/shouwang/monitor"
)

// summaryTTL is how long a scope's dashboard figures are served from
// memory while no write the mark sees has happened; writes it does not see
// show within this time.
const summaryTTL = 15 * time.Second

// summaryMark tells whether the registry's figures may have changed. It is
// read on every page that shows them, with index look-ups and a count of
// the (small) imports table:
//   - every import adds a committed row to imports (counted: a count cannot
//     miss a transaction that commits out of id order);
//   - every change of a household or member, by an import or a case, adds
//     a row to changes;
//   - every evaluation run adds a row to evaluations;
//   - flags closed otherwise move the latest closing date or the number
//     closed on it.
//
// What it does not see shows within summaryTTL: a closing dated before the
// latest one, or rows of changes or flags committed out of id order by
// concurrent writers. Open leads and the monitoring date come with it and
// are never cached.
type summaryMark struct {
	Imports       int64        `db:"imports"`
	Changes       int64        `db:"changes"`
	Flags         int64        `db:"flags"`
	Evaluations   int64        `db:"evaluations"`
	AsOf          monitor.Date `db:"as_of"`
	ClosedOn      monitor.Date `db:"closed_on"`
	ClosedThatDay int64        `db:"closed_that_day"`
	Leads         int          `db:"leads"`
}

func (db *DB) summaryMark(ctx context.Context, scope Scope) (summaryMark, error) {
	st, err := db.summaries().markStmt(ctx, db, scope.All)
	if err != nil {
		return summaryMark{}, err
	}
	var m summaryMark
	err = st.GetContext(ctx, &m)
	return m, mapError(err)
}

// markStmt is the statement that reads the mark, prepared once: it is read
// on every page that shows figures, and planning its six look-ups costs
// more than running them.
func (c *summaryCache) markStmt(ctx context.Context, db *DB, leads bool) (*sqlx.Stmt, error) {
	c.stmtMu.Lock()
	defer c.stmtMu.Unlock()
	i := 0
	if leads {
		i = 1
	}
	if c.stmts[i] != nil {
		return c.stmts[i], nil
	}
	open := `-1`
	if leads {
		open = `(SELECT COUNT(*) FROM leads WHERE status = 'open')`
	}
	st, err := db.x.PreparexContext(ctx, `SELECT (SELECT COUNT(*) FROM imports) AS imports,
		(SELECT COALESCE(MAX(id), 0) FROM changes) AS changes, (SELECT COALESCE(MAX(id), 0) FROM flags) AS flags,
		(SELECT COALESCE(MAX(id), 0) FROM evaluations) AS evaluations, (SELECT MAX(as_of) FROM evaluations) AS as_of, (SELECT MAX(closed_on) FROM flags) AS closed_on,
		(SELECT COUNT(*) FROM flags WHERE closed_on = (SELECT MAX(closed_on) FROM flags)) AS closed_that_day, `+open+` AS leads`)
	if err != nil {
		return nil, mapError(err)
	}
	c.stmts[i] = st
	return st, nil
}

// same reports whether two marks see the same writes (leads are read
// afresh each time and do not count).
func (m summaryMark) same(o summaryMark) bool {
	m.Leads, o.Leads = 0, 0
	return m == o
}

// summaryEntry is one scope's figures, or their computation under way.
type summaryEntry struct {
	mark       summaryMark
	at         time.Time
	done       chan struct{} // closed once sum or err is set
	sum        *Summary
	err        error
	refreshing bool // a request is recomputing an expired entry
}

// summaryCache holds the figures of each scope recently asked for.
type summaryCache struct {
	mu sync.Mutex
	m  map[Scope]*summaryEntry

	stmtMu sync.Mutex
	stmts  [2]*sqlx.Stmt // the mark without and with open leads
}

// summaryCaches keeps each DB's cache beside it without holding the DB
// alive: the entry goes when the DB is garbage.
var summaryCaches sync.Map // weak.Pointer[DB] → *summaryCache

func (db *DB) summaries() *summaryCache {
	key := weak.Make(db)
	if c, ok := summaryCaches.Load(key); ok {
		return c.(*summaryCache)
	}
	c, loaded := summaryCaches.LoadOrStore(key, &summaryCache{m: map[Scope]*summaryEntry{}})
	if !loaded {
		runtime.AddCleanup(db, func(k weak.Pointer[DB]) { summaryCaches.Delete(k) }, key)
	}
	return c.(*summaryCache)
}

// cachedSummary returns the figures of scope: from memory when nothing the
// mark sees was written since they were computed and they are younger than
// summaryTTL; otherwise computed afresh, once for all the requests that
// ask meanwhile. An expired entry with the same mark is recomputed by one
// request while the others are still given it.
func (db *DB) cachedSummary(ctx context.Context, scope Scope) (*Summary, error) {
	mark, err := db.summaryMark(ctx, scope)
	if err != nil {
		return nil, err
	}
	c := db.summaries()
	now := db.Now()
	c.mu.Lock()
	e := c.m[scope]
	if e != nil && e.mark.same(mark) {
		select {
		case <-e.done:
			if e.err == nil && (now.Sub(e.at) < summaryTTL || e.refreshing) {
				c.mu.Unlock()
				return e.sum.withMark(mark), nil
			}
			if e.err == nil {
				e.refreshing = true
				c.mu.Unlock()
				return db.fillSummary(ctx, c, scope, mark, now, e)
			}
		default:
			c.mu.Unlock()
			return db.awaitSummary(ctx, e, mark)
		}
	}
	ne := &summaryEntry{mark: mark, at: now, done: make(chan struct{})}
	c.m[scope] = ne
	c.mu.Unlock()
	return db.fillSummary(ctx, c, scope, mark, now, ne)
}

// fillSummary computes the figures of scope into e, a new entry, or, when
// e is an expired entry being refreshed, into a new entry that replaces it
// (unless a newer one did already); a failed refresh leaves e in place.
func (db *DB) fillSummary(ctx context.Context, c *summaryCache, scope Scope, mark summaryMark, now time.Time, e *summaryEntry) (*Summary, error) {
	// The computation is shared: one request giving up must not fail the
	// others waiting for it.
	sum, err := db.summarize(context.WithoutCancel(ctx), scope)
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.sum != nil { // an expired entry being refreshed
		e.refreshing = false
		if err == nil && c.m[scope] == e {
			c.m[scope] = &summaryEntry{mark: mark, at: now, done: closed, sum: sum}
		}
		if err != nil {
			return nil, err
		}
		return sum.withMark(mark), nil
	}
	e.sum, e.err = sum, err
	close(e.done)
	if err != nil {
		if c.m[scope] == e {
			delete(c.m, scope)
		}
		return nil, err
	}
	return sum.withMark(mark), nil
}

var closed = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func (db *DB) awaitSummary(ctx context.Context, e *summaryEntry, mark summaryMark) (*Summary, error) {
	select {
	case <-e.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if e.err != nil {
		return nil, e.err
	}
	return e.sum.withMark(mark), nil
}

// withMark is a copy of s, for one caller, with the figures read afresh.
func (s *Summary) withMark(m summaryMark) *Summary {
	out := *s
	out.ByCategory = append([]Count(nil), s.ByCategory...)
	out.ByVillage = append([]VillageCount(nil), s.ByVillage...)
	out.FlagsByRisk = append([]Count(nil), s.FlagsByRisk...)
	out.LeadsOpen = m.Leads
	out.MonitoringDate = m.AsOf
	return &out
}
