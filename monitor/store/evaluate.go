package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shouwang/shouwang/monitor"
)

// HouseholdData is everything the rules see of one household.
type HouseholdData struct {
	Household *monitor.Household // with Members and Incomes
	Measures  []monitor.Measure
	Loans     []monitor.Loan // with Repayments
	Dept      []monitor.DeptRecord
	// open holds the household's open flags, read with the batch so the
	// single writer only writes.
	open []openFlag
	// hits are the rules that fire, evaluated where the batch was loaded.
	hits []monitor.Hit
	// facts is the household's rebuilt facts row (at rev) for the writer
	// to keep; nil when the stored one was current.
	facts []byte
	rev   int64
	// pending is the household's eval_pending mark as loaded, cleared
	// when its flags are written.
	pending bool
}

// Evaluator returns the rules that fire for one household. The store calls
// it for every household in scope and keeps the flags; it knows nothing of
// how rules work. The slice it returns may be reused by its next call.
type Evaluator func(d *HouseholdData) []monitor.Hit

// NewEvaluator makes an Evaluator; evaluation runs one per loading
// goroutine, so an Evaluator need not be safe for concurrent use.
type NewEvaluator func() Evaluator

// Constant is the NewEvaluator of an Evaluator that is safe for concurrent
// use (one that keeps no state).
func Constant(eval Evaluator) NewEvaluator { return func() Evaluator { return eval } }

// EvalScope limits an evaluation; the zero scope is every household.
type EvalScope struct {
	HouseholdIDs []int64
	Township     string
	Village      string
}

// evalBatch is how many households are loaded and reconciled at a time.
const evalBatch = 2000

// EvaluationLease is the lease every evaluation that writes flags holds:
// two evaluations reconciling the same households at once would each open
// the flags the other had not yet written.
const EvaluationLease = "evaluation"

// DefaultEvalWait is how long Evaluate waits for another evaluation to
// end: several full runs of a million households.
const DefaultEvalWait = 2 * time.Minute

// evalLeaseTTL is how long the evaluation lease outlives its last
// renewal: a crashed evaluation holds up the next one this long at most,
// and a live one renews it four times as often (and in every batch it
// writes), so a writer busy for tens of seconds does not lose it.
const evalLeaseTTL = time.Minute

// Evaluate runs eval over the households in scope as of asOf and reconciles
// their flags: a rule firing for the first time opens a flag, one that
// still fires keeps its flag (with the latest explanation), one that stopped
// firing closes its flag on asOf. Closed flags are never reopened: a rule
// that fires again opens a new one, so history is not overwritten.
//
// Households marked by MarkEvalPending (an import whose follow-up
// evaluation failed) are evaluated too, whatever the scope, and their mark
// cleared. One evaluation runs at a time (EvaluationLease): Evaluate waits
// up to DefaultEvalWait for another to end, then answers ECONFLICT.
//
// The rules run beside the loading, one evaluator per loading goroutine;
// the single writer only writes. Each run is recorded in evaluations.
func (db *DB) Evaluate(ctx context.Context, asOf monitor.Date, configVersion int64, scope EvalScope, newEval NewEvaluator) (*monitor.EvaluationCounts, error) {
	return db.EvaluateWaiting(ctx, DefaultEvalWait, asOf, configVersion, scope, newEval)
}

// EvaluateWaiting is Evaluate waiting at most wait for another evaluation
// to end (zero: not at all).
func (db *DB) EvaluateWaiting(ctx context.Context, wait time.Duration, asOf monitor.Date, configVersion int64, scope EvalScope, newEval NewEvaluator) (*monitor.EvaluationCounts, error) {
	lease, err := db.HoldLease(ctx, EvaluationLease, LeaseOptions{TTL: evalLeaseTTL, Wait: wait, Busy: evaluationBusy})
	if err != nil {
		return nil, err
	}
	defer func() {
		if err := lease.Release(); err != nil {
			slog.Debug("releasing the evaluation lease failed; it expires by itself", "err", err)
		}
	}()
	counts, err := db.evaluate(lease.Context(), lease, asOf, configVersion, scope, newEval)
	if err != nil && lease.Lost() {
		return nil, monitor.Errorf(monitor.ECONFLICT, "风险评估长时间未能续期，已由另一项评估接手，本次评估已停止（已写入的部分有效），请稍后重新运行评估")
	}
	return counts, err
}

// evaluationBusy is the answer when another evaluation held on past the wait.
func evaluationBusy(cur *Lease) error {
	return monitor.Errorf(monitor.ECONFLICT, "另一项风险评估正在进行（%s 开始），请稍后再试", cur.AcquiredAt.Local().Format("2006-01-02 15:04:05"))
}

func (db *DB) evaluate(ctx context.Context, lease *HeldLease, asOf monitor.Date, configVersion int64, scope EvalScope, newEval NewEvaluator) (*monitor.EvaluationCounts, error) {
	counts := &monitor.EvaluationCounts{AsOf: asOf.String(), ConfigVersion: configVersion, OpenByRule: map[string]int{}}
	what := scope.String()
	if !scope.all() {
		// A whole-registry run takes up the marked households anyway;
		// a narrower one adds them to its scope.
		wider, extra, err := db.withPending(ctx, scope)
		if err != nil {
			return nil, err
		}
		if extra > 0 {
			scope, what = wider, fmt.Sprintf("%s，另含待评估 %d 户", what, extra)
		}
	}
	err := db.eachBatch(ctx, scope, newEval, func(sel batchSel, data []*HouseholdData) error {
		counts.Households += len(data)
		return db.inTx(ctx, func(tx *sqlx.Tx) error {
			if err := lease.check(ctx, tx); err != nil {
				return err
			}
			return db.reconcile(ctx, tx, sel, data, asOf, configVersion, counts)
		})
	})
	if err != nil {
		return nil, err
	}
	if _, err := db.x.ExecContext(ctx, db.rebind(`INSERT INTO evaluations (as_of, config_version, scope, households, opened, kept, closed, finished_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), asOf, configVersion, what, counts.Households, counts.Opened, counts.Kept, counts.Closed, db.Now()); err != nil {
		return nil, mapError(err)
	}
	if scope.all() {
		// Every household was evaluated: the open flags are the rules
		// that fired, counted as they were reconciled.
		return counts, nil
	}
	clear(counts.OpenByRule)
	var byRule []struct {
		Code string `db:"rule_code"`
		N    int    `db:"n"`
	}
	if err := db.x.SelectContext(ctx, &byRule, db.rebind(`SELECT rule_code, COUNT(*) AS n FROM flags WHERE status = ? GROUP BY rule_code`), monitor.FlagOpen); err != nil {
		return nil, mapError(err)
	}
	for _, r := range byRule {
		counts.OpenByRule[r.Code] = r.N
	}
	return counts, nil
}

// MarkEvalPending marks households whose evaluation is owed (an import
// changed them and its follow-up evaluation failed): the next evaluation,
// of any scope, takes them up and clears the mark.
func (db *DB) MarkEvalPending(ctx context.Context, ids []int64) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		return db.execIn(ctx, tx, `UPDATE households SET eval_pending = ? WHERE id IN (?)`, true, ids)
	})
}

// EvalPending lists the households marked by MarkEvalPending.
func (db *DB) EvalPending(ctx context.Context) ([]int64, error) {
	// TRUE, not a parameter, so that an index on the marked rows (WHERE
	// eval_pending = TRUE) can serve it; both engines read TRUE alike.
	var ids []int64
	err := db.rx.SelectContext(ctx, &ids, `SELECT id FROM households WHERE eval_pending = TRUE ORDER BY id`)
	return ids, mapError(err)
}

// withPending returns scope widened by the marked households, and how
// many of them it did not cover.
func (db *DB) withPending(ctx context.Context, scope EvalScope) (EvalScope, int, error) {
	pending, err := db.EvalPending(ctx)
	if err != nil || len(pending) == 0 {
		return scope, 0, err
	}
	ids, err := db.scopeIDs(ctx, scope)
	if err != nil {
		return scope, 0, err
	}
	all := uniqueIDs(append(slices.Clone(ids), pending...))
	return EvalScope{HouseholdIDs: all}, len(all) - len(uniqueIDs(slices.Clone(ids))), nil
}

// uniqueIDs sorts ids and drops repeats, in place: a household listed
// twice must not be reconciled in two batches, each opening its flags.
func uniqueIDs(ids []int64) []int64 {
	slices.Sort(ids)
	return slices.Compact(ids)
}

// all reports whether the scope is the whole registry.
func (s EvalScope) all() bool { return s.HouseholdIDs == nil && s.Township == "" && s.Village == "" }

// String says what the scope covers, for the record of a run.
func (s EvalScope) String() string {
	switch {
	case s.HouseholdIDs != nil:
		return fmt.Sprintf("%d 户", len(s.HouseholdIDs))
	case s.Village != "":
		return strings.TrimSpace(s.Township + " " + s.Village)
	case s.Township != "":
		return s.Township
	}
	return "全部"
}

// batchSel selects one batch of households: a range of ids (the whole
// registry, read as index ranges) or a list of them (a scope).
type batchSel struct {
	lo, hi int64
	ids    []int64
}

// cond is the batch's condition on a household-id column.
func (b batchSel) cond(col string) (string, []any) {
	if b.ids == nil {
		return col + " BETWEEN ? AND ?", []any{b.lo, b.hi}
	}
	q, args, _ := sqlx.In(col+" IN (?)", b.ids)
	return q, args
}

// eachBatch loads the households in scope a batch at a time — several
// batches at once on the read connections — and hands them to fn in order,
// one at a time. With newEval, each loaded batch is evaluated where it was
// loaded (HouseholdData.hits), so the rules use every core.
func (db *DB) eachBatch(ctx context.Context, scope EvalScope, newEval NewEvaluator, fn func(batchSel, []*HouseholdData) error) error {
	sels, err := db.batches(ctx, scope)
	if err != nil {
		return err
	}
	if len(sels) >= relaxGCBatches {
		defer relaxGC()()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		data []*HouseholdData
		err  error
	}
	out := make([]chan result, len(sels))
	for i := range out {
		out[i] = make(chan result, 1)
	}
	// A bounded window of batches in flight: readers load ahead while fn
	// works, and memory holds at most readers+1 batches.
	sem := make(chan struct{}, readers+1)
	go func() {
		for i, sel := range sels {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			go func(i int, sel batchSel) {
				data, err := db.loadBatch(ctx, sel)
				if err == nil && newEval != nil {
					eval := newEval()
					for _, d := range data {
						d.hits = slices.Clone(eval(d))
					}
				}
				out[i] <- result{data, err}
			}(i, sel)
		}
	}()
	for i := range sels {
		var r result
		select {
		case r = <-out[i]:
		case <-ctx.Done():
			return ctx.Err()
		}
		<-sem
		if r.err != nil {
			return r.err
		}
		if err := fn(sels[i], r.data); err != nil {
			return err
		}
	}
	return nil
}

// relaxGCBatches is the number of batches (20,000 households) from which
// an evaluation lets the collector run less often.
const relaxGCBatches = 10

var (
	gcMu    sync.Mutex
	gcCount int
	gcPrev  int
)

// relaxGC raises GOGC to 400 while a large evaluation runs and returns the
// function that restores it. The evaluation's live heap is a few batches
// (tens of MB), but it allocates several times the registry's size in
// short-lived rows, and at the default setting the collector took a
// quarter of the run. Concurrent evaluations share one setting.
func relaxGC() func() {
	gcMu.Lock()
	defer gcMu.Unlock()
	if gcCount == 0 {
		gcPrev = debug.SetGCPercent(400)
		if gcPrev < 0 || gcPrev > 400 {
			debug.SetGCPercent(gcPrev) // collection off or already rarer
		}
	}
	gcCount++
	return func() {
		gcMu.Lock()
		defer gcMu.Unlock()
		if gcCount--; gcCount == 0 {
			debug.SetGCPercent(gcPrev)
		}
	}
}

// batches splits the scope into batches of about evalBatch households.
func (db *DB) batches(ctx context.Context, s EvalScope) ([]batchSel, error) {
	if s.all() {
		// Ranges of evalBatch households, found by stepping through the
		// primary key: a million ids need not cross the driver to be split.
		st, err := db.rx.PreparexContext(ctx, db.rebind(`SELECT id FROM households WHERE id >= ? ORDER BY id LIMIT 1 OFFSET ?`))
		if err != nil {
			return nil, mapError(err)
		}
		defer st.Close()
		// Two queries: SQLite answers MIN or MAX alone from the key, both
		// together with a scan.
		var first, last sql.NullInt64
		if err := db.rx.QueryRowContext(ctx, `SELECT MIN(id) FROM households`).Scan(&first); err != nil {
			return nil, mapError(err)
		}
		if err := db.rx.QueryRowContext(ctx, `SELECT MAX(id) FROM households`).Scan(&last); err != nil {
			return nil, mapError(err)
		}
		var out []batchSel
		for lo := first.Int64; first.Valid && lo <= last.Int64; {
			var next int64
			err := st.GetContext(ctx, &next, lo, evalBatch)
			if err == sql.ErrNoRows {
				out = append(out, batchSel{lo: lo, hi: last.Int64})
				break
			}
			if err != nil {
				return nil, mapError(err)
			}
			out = append(out, batchSel{lo: lo, hi: next - 1})
			lo = next
		}
		return out, nil
	}
	ids, err := db.scopeIDs(ctx, s)
	if err != nil {
		return nil, err
	}
	ids = uniqueIDs(slices.Clone(ids))
	var out []batchSel
	for start := 0; start < len(ids); start += evalBatch {
		out = append(out, batchSel{ids: ids[start:min(start+evalBatch, len(ids))]})
	}
	return out, nil
}

// LoadHouseholdData loads one household with everything the rules see.
func (db *DB) LoadHouseholdData(ctx context.Context, id int64) (*HouseholdData, error) {
	ds, err := db.loadBatch(ctx, batchSel{ids: []int64{id}})
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, monitor.Errorf(monitor.ENOTFOUND, "农户不存在")
	}
	return ds[0], nil
}

// ForEachData calls fn for every household in scope with everything the
// rules see of it, a batch at a time, writing nothing.
func (db *DB) ForEachData(ctx context.Context, scope EvalScope, fn func(d *HouseholdData) error) error {
	return db.eachBatch(ctx, scope, nil, func(_ batchSel, data []*HouseholdData) error {
		for _, d := range data {
			if err := fn(d); err != nil {
				return err
			}
		}
		return nil
	})
}

func (db *DB) scopeIDs(ctx context.Context, s EvalScope) ([]int64, error) {
	if s.HouseholdIDs != nil {
		return s.HouseholdIDs, nil
	}
	where, args := []string{"1 = 1"}, []any{}
	if s.Township != "" {
		where, args = append(where, "township = ?"), append(args, s.Township)
	}
	if s.Village != "" {
		where, args = append(where, "village = ?"), append(args, s.Village)
	}
	var ids []int64
	err := db.x.SelectContext(ctx, &ids, db.rebind(`SELECT id FROM households WHERE `+strings.Join(where, " AND ")+` ORDER BY id`), args...)
	return ids, mapError(err)
}

// loadBatch loads one batch of households and everything the rules need
// about them, on the read connections.
func (db *DB) loadBatch(ctx context.Context, sel batchSel) ([]*HouseholdData, error) {
	q := db.rx
	out := make([]*HouseholdData, 0, evalBatch)
	byID := map[int64]*HouseholdData{}
	where := func(query, col string) (string, []any) {
		c, args := sel.cond(col)
		return db.rebind(strings.Replace(query, "$COND", c, 1)), args
	}
	// The households, from their facts rows where these are current; the
	// others are read from the tables and their rows rebuilt.
	dataCol := "f.data"
	if db.Dialect == SQLite {
		// Read as text, the value reaches Go in one copy instead of two
		// (SQLite casts a blob to text byte for byte).
		dataCol = "CAST(f.data AS TEXT)"
	}
	qs, args := where(`SELECT h.id, h.rev, h.eval_pending, f.rev, `+dataCol+` FROM households h LEFT JOIN household_facts f ON f.household_id = h.id
		WHERE $COND ORDER BY h.id`, "h.id")
	frows, err := q.QueryContext(ctx, qs, args...)
	if err != nil {
		return nil, mapError(err)
	}
	defer frows.Close()
	var stale []int64
	// One allocation for the batch's households, not two per household.
	slab := make([]householdSlot, 0, evalBatch)
	for frows.Next() {
		var id, rev int64
		var pending bool
		var frev sql.NullInt64
		var data sql.NullString
		if err := frows.Scan(&id, &rev, &pending, &frev, &data); err != nil {
			return nil, mapError(err)
		}
		if len(slab) == cap(slab) {
			slab = make([]householdSlot, 0, evalBatch)
		}
		slab = append(slab, householdSlot{h: monitor.Household{ID: id}})
		x := &slab[len(slab)-1]
		x.d.Household = &x.h
		d := &x.d
		d.pending = pending
		if !frev.Valid || frev.Int64 != rev || decodeFacts(data.String, d.Household) != nil {
			stale = append(stale, id)
		}
		byID[id] = d
		out = append(out, d)
	}
	if err := frows.Err(); err != nil {
		return nil, mapError(err)
	}
	frows.Close()
	if len(stale) > 0 {
		from := batchSel{ids: stale}
		if len(stale) == len(out) && sel.ids == nil {
			from = sel // a registry never evaluated: read the range
		}
		if err := db.loadRegistryRows(ctx, q, from, byID); err != nil {
			return nil, err
		}
		for _, id := range stale {
			d := byID[id]
			d.facts = encodeFacts(make([]byte, 0, 256), d.Household)
		}
	}
	var meas []monitor.Measure
	qs, args = where(`SELECT `+measureColumns+` FROM measures m JOIN households h ON h.id = m.household_id WHERE $COND ORDER BY m.household_id, m.id`, "m.household_id")
	if err := q.SelectContext(ctx, &meas, qs, args...); err != nil {
		return nil, mapError(err)
	}
	for _, m := range meas {
		if d := byID[m.HouseholdID]; d != nil {
			d.Measures = append(d.Measures, m)
		}
	}
	c, cargs := sel.cond("l.household_id")
	loans, err := db.loadLoans(ctx, q, c, cargs)
	if err != nil {
		return nil, err
	}
	for _, l := range loans {
		if d := byID[l.HouseholdID]; d != nil {
			d.Loans = append(d.Loans, l)
		}
	}
	qs, args = where(`SELECT id, household_id, rule_code, explanation FROM flags WHERE status = 'open' AND $COND`, "household_id")
	frows, err = q.QueryContext(ctx, qs, args...)
	if err != nil {
		return nil, mapError(err)
	}
	defer frows.Close()
	for frows.Next() {
		var f openFlag
		if err := frows.Scan(&f.ID, &f.HouseholdID, &f.RuleCode, &f.Explanation); err != nil {
			return nil, mapError(err)
		}
		if d := byID[f.HouseholdID]; d != nil {
			d.open = append(d.open, f)
		}
	}
	if err := frows.Err(); err != nil {
		return nil, mapError(err)
	}
	var dept []monitor.DeptRecord
	qs, args = where(`SELECT `+deptColumns+` FROM dept_records WHERE $COND ORDER BY household_id, id`, "household_id")
	if err := q.SelectContext(ctx, &dept, qs, args...); err != nil {
		return nil, mapError(err)
	}
	for _, r := range dept {
		if d := byID[*r.HouseholdID]; d != nil {
			d.Dept = append(d.Dept, r)
		}
	}
	return out, nil
}

// householdSlot holds a household and its data in one allocation.
type householdSlot struct {
	d HouseholdData
	h monitor.Household
}

// loadRegistryRows reads the households of sel with their members and
// incomes from the tables into byID, with the rev they were read at (read
// no later than the rows, so a facts row built from them is never newer
// than its rev says).
func (db *DB) loadRegistryRows(ctx context.Context, q *sqlx.DB, sel batchSel, byID map[int64]*HouseholdData) error {
	where := func(query, col string) (string, []any) {
		c, args := sel.cond(col)
		return db.rebind(strings.Replace(query, "$COND", c, 1)), args
	}
	qs, args := where(`SELECT `+evalHouseholdColumns+` FROM households WHERE $COND ORDER BY id`, "id")
	hrows, err := q.QueryContext(ctx, qs, args...)
	if err != nil {
		return mapError(err)
	}
	defer hrows.Close()
	for hrows.Next() {
		h := &monitor.Household{}
		var risks string
		var rev int64
		if err := hrows.Scan(&h.ID, &rev, &h.Code, &h.Township, &h.Village, &h.Group, &h.HeadName, &h.Size, &h.Type, &h.Category,
			&h.IdentifiedIn, &risks, &h.RiskEliminated, &h.EliminationMethod, &h.EliminatedOn, &h.HousingUnsafe, &h.WaterUnsafe,
			&h.EducationGap, &h.MedicalGap, &h.NoLaborSupport); err != nil {
			return mapError(err)
		}
		h.Risks = splitRisks(risks)
		if d := byID[h.ID]; d != nil {
			d.Household, d.rev = h, rev
		}
	}
	if err := hrows.Err(); err != nil {
		return mapError(err)
	}
	// Members are the bulk of a batch: scanned by hand, without sqlx's
	// reflection, which cost more than reading them.
	qs, args = where(`SELECT `+evalMemberColumns+` FROM members WHERE $COND ORDER BY household_id, position`, "household_id")
	mrows, err := q.QueryContext(ctx, qs, args...)
	if err != nil {
		return mapError(err)
	}
	defer mrows.Close()
	for mrows.Next() {
		var m monitor.Member
		if err := mrows.Scan(&m.ID, &m.HouseholdID, &m.IDNumber, &m.Name, &m.Relation, &m.Sex, &m.Health,
			&m.LaborSkill, &m.SchoolStatus, &m.WorkMonths, &m.MedicalInsured, &m.Missing); err != nil {
			return mapError(err)
		}
		m.BirthDate = birthFromID(m.IDNumber)
		if d := byID[m.HouseholdID]; d != nil {
			d.Household.Members = append(d.Household.Members, m)
		}
	}
	if err := mrows.Err(); err != nil {
		return mapError(err)
	}
	qs, args = where(`SELECT `+incomeColumns+` FROM incomes WHERE $COND ORDER BY household_id, year`, "household_id")
	irows, err := q.QueryContext(ctx, qs, args...)
	if err != nil {
		return mapError(err)
	}
	defer irows.Close()
	for irows.Next() {
		var x monitor.Income
		if err := irows.Scan(&x.HouseholdID, &x.Year, &x.Wage, &x.Business, &x.Property, &x.Transfer, &x.BusinessCost,
			&x.Net, &x.PerCapita, &x.MedicalOOP, &x.InsurancePay); err != nil {
			return mapError(err)
		}
		if d := byID[x.HouseholdID]; d != nil {
			d.Household.Incomes = append(d.Household.Incomes, x)
		}
	}
	if err := irows.Err(); err != nil {
		return mapError(err)
	}
	return nil
}

// keepFacts writes the facts rows a batch rebuilt.
func (db *DB) keepFacts(ctx context.Context, tx *sqlx.Tx, data []*HouseholdData) error {
	var rows [][]any
	for _, d := range data {
		if d.facts != nil {
			rows = append(rows, []any{d.Household.ID, d.rev, d.facts})
		}
	}
	return db.insertRows(ctx, tx, "household_facts", []string{"household_id", "rev", "data"}, rows,
		` ON CONFLICT (household_id) DO UPDATE SET rev = excluded.rev, data = excluded.data`)
}

// The columns evaluation reads: what the rules see and no more. A date or
// timestamp column costs a time parse per row on SQLite, so the birth date
// is taken from the ID number it was derived from.
const evalHouseholdColumns = `id, rev, code, township, village, grp, head_name, size, household_type, category, identified_ym,
	risks, risk_eliminated, elimination_method, eliminated_on, housing_unsafe, water_unsafe, education_gap, medical_gap,
	no_labor_support`

const evalMemberColumns = `id, household_id, id_number, name, relation, sex, health, labor_skill, school_status,
	work_months, medical_insured, missing`

// birthFromID reads the birth date in an 18-character ID number.
func birthFromID(id string) monitor.Date {
	if len(id) != 18 {
		return monitor.Date{}
	}
	n := func(s string) int {
		v := 0
		for i := 0; i < len(s); i++ {
			v = v*10 + int(s[i]-'0')
		}
		return v
	}
	d, _ := monitor.NewDate(n(id[6:10]), n(id[10:12]), n(id[12:14]))
	return d
}

const measureColumns = `m.id, m.household_id, h.code AS household_code, m.category, m.sub_type, m.member_id_number,
	m.start_date, m.end_date, m.amount, m.months, m.status, m.note`

const deptColumns = `id, kind, id_number, name, household_id, period, event_date, amount, detail`

const loanColumns = `l.id, l.household_id, h.code AS household_code, l.borrower_id_number, l.borrower_name, l.relation,
	l.product, l.bank, l.contract, l.amount, l.credit_line, l.term_months, l.issue_date, l.maturity_date, l.extended_to,
	l.rate_pct, l.purpose, l.mode, l.interest_every_months, l.status, l.renewed_from, l.note`

// loadLoans loads loans (with repayments) matching where, a condition on
// the loans table aliased l with its arguments.
func (db *DB) loadLoans(ctx context.Context, q querier, where string, args []any) ([]monitor.Loan, error) {
	query := `SELECT ` + loanColumns + ` FROM loans l JOIN households h ON h.id = l.household_id WHERE ` + where + ` ORDER BY l.household_id, l.issue_date, l.id`
	var loans []monitor.Loan
	if err := q.SelectContext(ctx, &loans, db.rebind(query), args...); err != nil {
		return nil, mapError(err)
	}
	if len(loans) == 0 {
		return loans, nil
	}
	idx := make(map[int64]int, len(loans))
	lids := make([]int64, len(loans))
	for i, l := range loans {
		idx[l.ID] = i
		lids[i] = l.ID
	}
	for start := 0; start < len(lids); start += chunkSize {
		qs, a, _ := sqlx.In(`SELECT id, loan_id, paid_on, principal, interest FROM repayments WHERE loan_id IN (?) ORDER BY loan_id, paid_on, id`, lids[start:min(start+chunkSize, len(lids))])
		var reps []monitor.Repayment
		if err := q.SelectContext(ctx, &reps, db.rebind(qs), a...); err != nil {
			return nil, mapError(err)
		}
		for _, r := range reps {
			l := &loans[idx[r.LoanID]]
			l.Repayments = append(l.Repayments, r)
		}
	}
	return loans, nil
}

type openFlag struct {
	ID          int64  `db:"id"`
	HouseholdID int64  `db:"household_id"`
	RuleCode    string `db:"rule_code"`
	Explanation string `db:"explanation"`
}

// reconcile opens, keeps and closes the flags of an evaluated batch.
func (db *DB) reconcile(ctx context.Context, tx *sqlx.Tx, sel batchSel, data []*HouseholdData, asOf monitor.Date, version int64, counts *monitor.EvaluationCounts) error {
	if len(data) == 0 {
		return nil
	}
	if err := db.keepFacts(ctx, tx, data); err != nil {
		return err
	}
	var open []openFlag
	for _, d := range data {
		open = append(open, d.open...)
	}
	type key struct {
		h    int64
		rule string
	}
	existing := make(map[key]openFlag, len(open))
	for _, f := range open {
		existing[key{f.HouseholdID, f.RuleCode}] = f
	}
	var newRows [][]any
	var kept []int64
	var explained []openFlag // kept, with a new explanation
	for _, d := range data {
		for _, hit := range d.hits {
			k := key{d.Household.ID, hit.RuleCode}
			f, ok := existing[k]
			if !ok {
				newRows = append(newRows, []any{d.Household.ID, hit.RuleCode, hit.RuleName, hit.RiskType, hit.Severity, hit.Kind,
					hit.Explanation, monitor.FlagOpen, asOf, asOf, nil, version})
				counts.Opened++
				counts.OpenByRule[hit.RuleCode]++
				existing[k] = openFlag{ID: -1}
				continue
			}
			if f.ID == -1 {
				continue // the same rule reported twice in one run
			}
			delete(existing, k)
			counts.Kept++
			counts.OpenByRule[hit.RuleCode]++
			if f.Explanation != hit.Explanation {
				f.Explanation = hit.Explanation
				explained = append(explained, f)
				continue
			}
			kept = append(kept, f.ID)
		}
	}
	var closed []int64
	for _, f := range existing {
		if f.ID > 0 {
			closed = append(closed, f.ID)
		}
	}
	counts.Closed += len(closed)
	if len(explained) > 0 {
		st, err := tx.PrepareContext(ctx, db.rebind(`UPDATE flags SET explanation = ?, last_seen = ?, config_version = ? WHERE id = ?`))
		if err != nil {
			return mapError(err)
		}
		defer st.Close()
		for _, f := range explained {
			if _, err := st.ExecContext(ctx, f.Explanation, asOf, version, f.ID); err != nil {
				return mapError(err)
			}
		}
	}
	if err := db.execIn(ctx, tx, `UPDATE flags SET status = 'closed', closed_on = ? WHERE id IN (?)`, asOf, closed); err != nil {
		return err
	}
	if sel.ids == nil {
		// A range of the registry: every flag still open in it was kept
		// (the closed ones are closed by now, the new ones come next), and
		// one statement over the range costs less than lists of ids.
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE flags SET last_seen = ? WHERE household_id BETWEEN ? AND ? AND status = 'open' AND last_seen <> ?`),
			asOf, sel.lo, sel.hi, asOf); err != nil {
			return mapError(err)
		}
	} else if err := db.execIn(ctx, tx, `UPDATE flags SET last_seen = ? WHERE id IN (?)`, asOf, kept); err != nil {
		return err
	}
	var pending []int64
	for _, d := range data {
		if d.pending {
			pending = append(pending, d.Household.ID)
		}
	}
	// Only marks seen when the batch was loaded are cleared: one set
	// later belongs to data this run may not have read.
	if err := db.execIn(ctx, tx, `UPDATE households SET eval_pending = ? WHERE id IN (?)`, false, pending); err != nil {
		return err
	}
	err := db.insertRows(ctx, tx, "flags", []string{"household_id", "rule_code", "rule_name", "risk_type", "severity", "kind",
		"explanation", "status", "first_seen", "last_seen", "closed_on", "config_version"}, newRows, "")
	if monitor.ErrorCode(err) == monitor.ECONFLICT {
		// The index flags_one_open refused a second open flag of one
		// household and rule: another writer opened it since the batch
		// was read. Nothing of the batch is written.
		return monitor.Errorf(monitor.ECONFLICT, "同一农户的同一规则已有一条未解除的预警，数据库拒绝重复开启；本批 %d 户未写入，请重新运行评估", len(data))
	}
	return err
}

// execIn runs a statement whose last placeholder is an IN list, in chunks.
func (db *DB) execIn(ctx context.Context, tx *sqlx.Tx, query string, first any, ids []int64) error {
	for start := 0; start < len(ids); start += chunkSize {
		q, args, err := sqlx.In(query, first, ids[start:min(start+chunkSize, len(ids))])
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.rebind(q), args...); err != nil {
			return mapError(err)
		}
	}
	return nil
}
