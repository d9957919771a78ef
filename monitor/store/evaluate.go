package store

import (
	"context"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/shouwang/shouwang/monitor"
)

// HouseholdData is everything the rules see of one household.
type HouseholdData struct {
	Household *monitor.Household // with Members and Incomes
	Measures  []monitor.Measure
	Loans     []monitor.Loan // with Repayments
	Dept      []monitor.DeptRecord
}

// Evaluator returns the rules that fire for one household. The store calls
// it for every household in scope and keeps the flags; it knows nothing of
// how rules work.
type Evaluator func(d *HouseholdData) []monitor.Hit

// EvalScope limits an evaluation; the zero scope is every household.
type EvalScope struct {
	HouseholdIDs []int64
	Township     string
	Village      string
}

// evalBatch is how many households are loaded and reconciled at a time.
const evalBatch = 2000

// Evaluate runs eval over the households in scope as of asOf and reconciles
// their flags: a rule firing for the first time opens a flag, one that
// still fires keeps its flag (with the latest explanation), one that stopped
// firing closes its flag on asOf. Closed flags are never reopened: a rule
// that fires again opens a new one, so history is not overwritten.
func (db *DB) Evaluate(ctx context.Context, asOf monitor.Date, configVersion int64, scope EvalScope, eval Evaluator) (*monitor.EvaluationCounts, error) {
	counts := &monitor.EvaluationCounts{AsOf: asOf.String(), ConfigVersion: configVersion, OpenByRule: map[string]int{}}
	ids, err := db.scopeIDs(ctx, scope)
	if err != nil {
		return nil, err
	}
	for start := 0; start < len(ids); start += evalBatch {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		part := ids[start:min(start+evalBatch, len(ids))]
		err := db.inTx(ctx, func(tx *sqlx.Tx) error {
			data, err := db.loadData(ctx, tx, part)
			if err != nil {
				return err
			}
			return db.reconcile(ctx, tx, data, asOf, configVersion, eval, counts)
		})
		if err != nil {
			return nil, err
		}
		counts.Households += len(part)
	}
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

// ForEachData calls fn for every household in scope with everything the
// rules see of it, a batch at a time, writing nothing.
func (db *DB) ForEachData(ctx context.Context, scope EvalScope, fn func(d *HouseholdData) error) error {
	ids, err := db.scopeIDs(ctx, scope)
	if err != nil {
		return err
	}
	for start := 0; start < len(ids); start += evalBatch {
		data, err := db.loadData(ctx, db.x, ids[start:min(start+evalBatch, len(ids))])
		if err != nil {
			return err
		}
		for _, d := range data {
			if err := fn(d); err != nil {
				return err
			}
		}
	}
	return nil
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

// loadData loads the households with these ids and everything the rules
// need about them.
func (db *DB) loadData(ctx context.Context, q querier, ids []int64) ([]*HouseholdData, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	byID := make(map[int64]*HouseholdData, len(ids))
	out := make([]*HouseholdData, 0, len(ids))
	in := func(query string) (string, []any) {
		q, args, _ := sqlx.In(query, ids)
		return db.rebind(q), args
	}
	var rows []householdRow
	qs, args := in(`SELECT ` + householdColumns + ` FROM households WHERE id IN (?) ORDER BY id`)
	if err := q.SelectContext(ctx, &rows, qs, args...); err != nil {
		return nil, mapError(err)
	}
	for i := range rows {
		d := &HouseholdData{Household: rows[i].household()}
		byID[d.Household.ID] = d
		out = append(out, d)
	}
	var ms []monitor.Member
	qs, args = in(`SELECT ` + memberColumns + ` FROM members WHERE household_id IN (?) ORDER BY household_id, position`)
	if err := q.SelectContext(ctx, &ms, qs, args...); err != nil {
		return nil, mapError(err)
	}
	for _, m := range ms {
		h := byID[m.HouseholdID].Household
		h.Members = append(h.Members, m)
	}
	var incs []monitor.Income
	qs, args = in(`SELECT ` + incomeColumns + ` FROM incomes WHERE household_id IN (?) ORDER BY household_id, year`)
	if err := q.SelectContext(ctx, &incs, qs, args...); err != nil {
		return nil, mapError(err)
	}
	for _, x := range incs {
		h := byID[x.HouseholdID].Household
		h.Incomes = append(h.Incomes, x)
	}
	var meas []monitor.Measure
	qs, args = in(`SELECT ` + measureColumns + ` FROM measures m JOIN households h ON h.id = m.household_id WHERE m.household_id IN (?) ORDER BY m.household_id, m.id`)
	if err := q.SelectContext(ctx, &meas, qs, args...); err != nil {
		return nil, mapError(err)
	}
	for _, m := range meas {
		byID[m.HouseholdID].Measures = append(byID[m.HouseholdID].Measures, m)
	}
	loans, err := db.loadLoans(ctx, q, `l.household_id IN (?)`, ids)
	if err != nil {
		return nil, err
	}
	for _, l := range loans {
		byID[l.HouseholdID].Loans = append(byID[l.HouseholdID].Loans, l)
	}
	var dept []monitor.DeptRecord
	qs, args = in(`SELECT ` + deptColumns + ` FROM dept_records WHERE household_id IN (?) ORDER BY household_id, id`)
	if err := q.SelectContext(ctx, &dept, qs, args...); err != nil {
		return nil, mapError(err)
	}
	for _, r := range dept {
		byID[*r.HouseholdID].Dept = append(byID[*r.HouseholdID].Dept, r)
	}
	return out, nil
}

const measureColumns = `m.id, m.household_id, h.code AS household_code, m.category, m.sub_type, m.member_id_number,
	m.start_date, m.end_date, m.amount, m.months, m.status, m.note`

const deptColumns = `id, kind, id_number, name, household_id, period, event_date, amount, detail`

const loanColumns = `l.id, l.household_id, h.code AS household_code, l.borrower_id_number, l.borrower_name, l.relation,
	l.product, l.bank, l.contract, l.amount, l.credit_line, l.term_months, l.issue_date, l.maturity_date, l.extended_to,
	l.rate_pct, l.purpose, l.mode, l.interest_every_months, l.status, l.renewed_from, l.note`

// loadLoans loads loans (with repayments) matching where, a condition on
// the loans table aliased l whose single ? takes the IN list of args.
func (db *DB) loadLoans(ctx context.Context, q querier, where string, arg any) ([]monitor.Loan, error) {
	query := `SELECT ` + loanColumns + ` FROM loans l JOIN households h ON h.id = l.household_id WHERE ` + where + ` ORDER BY l.household_id, l.issue_date, l.id`
	var args []any
	if arg != nil {
		var err error
		if query, args, err = sqlx.In(query, arg); err != nil {
			return nil, err
		}
	}
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

// reconcile evaluates a batch and opens, keeps and closes its flags.
func (db *DB) reconcile(ctx context.Context, tx *sqlx.Tx, data []*HouseholdData, asOf monitor.Date, version int64, eval Evaluator, counts *monitor.EvaluationCounts) error {
	if len(data) == 0 {
		return nil
	}
	ids := make([]int64, len(data))
	for i, d := range data {
		ids[i] = d.Household.ID
	}
	q, args, _ := sqlx.In(`SELECT id, household_id, rule_code, explanation FROM flags WHERE status = ? AND household_id IN (?)`, monitor.FlagOpen, ids)
	var open []openFlag
	if err := tx.SelectContext(ctx, &open, db.rebind(q), args...); err != nil {
		return mapError(err)
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
	for _, d := range data {
		for _, hit := range eval(d) {
			k := key{d.Household.ID, hit.RuleCode}
			f, ok := existing[k]
			if !ok {
				newRows = append(newRows, []any{d.Household.ID, hit.RuleCode, hit.RuleName, hit.RiskType, hit.Severity, hit.Kind,
					hit.Explanation, monitor.FlagOpen, asOf, asOf, nil, version})
				counts.Opened++
				existing[k] = openFlag{ID: -1}
				continue
			}
			if f.ID == -1 {
				continue // the same rule reported twice in one run
			}
			delete(existing, k)
			counts.Kept++
			if f.Explanation != hit.Explanation {
				if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE flags SET explanation = ?, last_seen = ?, config_version = ? WHERE id = ?`),
					hit.Explanation, asOf, version, f.ID); err != nil {
					return mapError(err)
				}
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
	if err := db.execIn(ctx, tx, `UPDATE flags SET last_seen = ? WHERE id IN (?)`, asOf, kept); err != nil {
		return err
	}
	if err := db.execIn(ctx, tx, `UPDATE flags SET status = 'closed', closed_on = ? WHERE id IN (?)`, asOf, closed); err != nil {
		return err
	}
	return db.insertRows(ctx, tx, "flags", []string{"household_id", "rule_code", "rule_name", "risk_type", "severity", "kind",
		"explanation", "status", "first_seen", "last_seen", "closed_on", "config_version"}, newRows, "")
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
