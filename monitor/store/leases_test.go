package store_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/store/storetest"
	"github.com/shouwang/shouwang/synth"
)

// TestLeaseBlocksAnotherHolder: a lease acquired by one holder keeps
// another out until it is released, or until it expired unrenewed; the
// holder that lost it cannot renew it.
func TestLeaseBlocksAnotherHolder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		acquire := func(holder string, want bool) {
			t.Helper()
			got, err := db.AcquireLease(ctx, "job", holder, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("%s acquiring: got %v, want %v", holder, got, want)
			}
		}
		acquire("a", true)
		acquire("b", false)
		acquire("a", false) // no re-entry: one acquisition, one holder id
		if err := db.RenewLease(ctx, "job", "b", time.Minute); monitor.ErrorCode(err) != monitor.ECONFLICT {
			t.Fatalf("b renewing a's lease: err = %v, want conflict", err)
		}
		if err := db.RenewLease(ctx, "job", "a", time.Minute); err != nil {
			t.Fatalf("a renewing: %v", err)
		}
		if err := db.ReleaseLease(ctx, "job", "b"); err != nil {
			t.Fatal(err)
		}
		acquire("b", false) // b's release freed nothing of a's
		if err := db.ReleaseLease(ctx, "job", "a"); err != nil {
			t.Fatal(err)
		}
		acquire("b", true)

		// b crashes: its lease expires a minute later.
		real := db.Now
		defer func() { db.Now = real }()
		db.Now = func() time.Time { return real().Add(59 * time.Second) }
		acquire("c", false)
		db.Now = func() time.Time { return real().Add(61 * time.Second) }
		acquire("c", true)
		if err := db.RenewLease(ctx, "job", "b", time.Minute); monitor.ErrorCode(err) != monitor.ECONFLICT {
			t.Fatalf("b renewing after c took over: err = %v, want conflict", err)
		}
		l, err := db.FindLease(ctx, "job")
		if err != nil {
			t.Fatal(err)
		}
		if l.Holder != "c" {
			t.Fatalf("holder = %q, want c", l.Holder)
		}
	})
}

// TestHoldLeaseWaits: a second HoldLease waits while the first is held and
// gets the lease once it is released; past its wait it answers ECONFLICT.
// The holder keeps the lease alive beyond its TTL by renewing it.
func TestHoldLeaseWaits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		opt := store.LeaseOptions{TTL: 400 * time.Millisecond, Wait: 100 * time.Millisecond}
		first, err := db.HoldLease(ctx, "job", opt)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * opt.TTL) // renewed meanwhile
		if _, err := db.HoldLease(ctx, "job", opt); monitor.ErrorCode(err) != monitor.ECONFLICT {
			t.Fatalf("second holder while the first holds: err = %v, want conflict", err)
		}
		if first.Lost() || first.Context().Err() != nil {
			t.Fatal("the first holder lost a lease it was renewing")
		}
		released := make(chan struct{})
		go func() {
			time.Sleep(300 * time.Millisecond)
			first.Release()
			close(released)
		}()
		opt.Wait = 10 * time.Second
		second, err := db.HoldLease(ctx, "job", opt)
		if err != nil {
			t.Fatalf("second holder after the first released: %v", err)
		}
		select {
		case <-released:
		default:
			t.Fatal("the second holder got the lease before the first released it")
		}
		if err := second.Release(); err != nil {
			t.Fatal(err)
		}
	})
}

// rawDB opens a second, plain connection to the database of dsn: what
// another process would do.
func rawDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	driver, source := "postgres", dsn
	if p, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		driver, source = "sqlite", "file:"+p+"?_pragma=busy_timeout(10000)"
	}
	raw, err := sql.Open(driver, source)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

// eachEngine is storetest.Each with the DSN, for tests that also open a
// connection of their own.
func eachEngine(t *testing.T, fn func(t *testing.T, db *store.DB, raw *sql.DB)) {
	for _, e := range storetest.DSNs(t) {
		t.Run(e.Name, func(t *testing.T) {
			db, err := store.Open(context.Background(), e.DSN)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			fn(t, db, rawDB(t, e.DSN))
		})
	}
}

// insertOpenFlag writes an open flag the way a second writer would,
// bypassing the store.
func insertOpenFlag(ctx context.Context, raw *sql.DB, dialect string, household int64, rule string) error {
	q := `INSERT INTO flags (household_id, rule_code, rule_name, risk_type, severity, kind, explanation, status, first_seen, last_seen, config_version)
		SELECT ?, ?, '测试规则', '收入', '高', 'risk', '', 'open', '2022-12-31', '2022-12-31', MAX(id) FROM config_versions`
	if dialect == store.Postgres {
		q = strings.Replace(strings.Replace(q, "?", "$1", 1), "?", "$2", 1)
	}
	_, err := raw.ExecContext(ctx, q, household, rule)
	return err
}

// TestOneOpenFlagPerHouseholdAndRule: the database refuses a second open
// flag of one household and rule; once the first is closed a new one may
// open. An evaluation that meets the refusal (another writer opened the
// flag after the batch was read) fails with a message saying so, and
// writes nothing of the batch.
func TestOneOpenFlagPerHouseholdAndRule(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB, raw *sql.DB) {
		ctx := context.Background()
		hs := synth.Households(synth.Config{Seed: 5, Households: 3})
		rows := make([]monitor.ImportHousehold, len(hs))
		for i, h := range hs {
			rows[i] = monitor.ImportHousehold{Household: h, Row: i + 2, MemberRows: make([]int, len(h.Members))}
		}
		if rep := run(t, db, store.ImportOptions{}, rows...); !rep.Committed {
			t.Fatalf("seed: %v", rep.Errors)
		}
		h, err := db.FindHouseholdByCode(ctx, store.Everywhere, hs[0].Code)
		if err != nil {
			t.Fatal(err)
		}
		cv, err := db.SaveConfig(ctx, "", "{}", "测试", "")
		if err != nil {
			t.Fatal(err)
		}
		if err := insertOpenFlag(ctx, raw, db.Dialect, h.ID, "r1"); err != nil {
			t.Fatalf("first open flag: %v", err)
		}
		if err := insertOpenFlag(ctx, raw, db.Dialect, h.ID, "r1"); err == nil {
			t.Fatal("a second open flag of the same household and rule was accepted")
		}
		if err := insertOpenFlag(ctx, raw, db.Dialect, h.ID, "r2"); err != nil {
			t.Fatalf("an open flag of another rule: %v", err)
		}
		if _, err := raw.ExecContext(ctx, `UPDATE flags SET status = 'closed', closed_on = last_seen WHERE rule_code = 'r1'`); err != nil {
			t.Fatal(err)
		}
		if err := insertOpenFlag(ctx, raw, db.Dialect, h.ID, "r1"); err != nil {
			t.Fatalf("a new open flag after the first was closed: %v", err)
		}

		// Another writer opens r3 for the household between the batch's
		// reading and its writing.
		hit := []monitor.Hit{{RuleCode: "r3", RuleName: "测试规则", RiskType: "收入", Severity: "高", Kind: "risk"}}
		_, err = db.Evaluate(ctx, monitor.Date{Year: 2022, Month: 12, Day: 31}, cv.ID, store.EvalScope{}, store.Constant(func(d *store.HouseholdData) []monitor.Hit {
			if d.Household.ID != h.ID {
				return nil
			}
			if err := insertOpenFlag(ctx, raw, db.Dialect, h.ID, "r3"); err != nil {
				t.Errorf("the other writer: %v", err)
			}
			return hit
		}))
		if monitor.ErrorCode(err) != monitor.ECONFLICT || !strings.Contains(monitor.ErrorMessage(err), "已有一条未解除的预警") {
			t.Fatalf("evaluation meeting a flag opened meanwhile: err = %v, want a conflict saying so", err)
		}
		var n int
		if err := raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM flags WHERE rule_code = 'r3'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Fatalf("%d flags of r3, want the other writer's one", n)
		}
		// The failed run released its lease: the next one runs.
		if _, err := db.Evaluate(ctx, monitor.Date{Year: 2022, Month: 12, Day: 31}, cv.ID, store.EvalScope{}, store.Constant(func(*store.HouseholdData) []monitor.Hit { return hit })); err != nil {
			t.Fatalf("the next evaluation: %v", err)
		}
	})
}
