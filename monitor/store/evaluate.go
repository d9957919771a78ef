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
	// open holds the household's open flags, read with the batch so the
	// single writer only writes.
	open []openFlag
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
	err := db.eachBatch(ctx, scope, func(data []*HouseholdData) error {
		counts.Households += len(data)
		return db.inTx(ctx, func(tx *sqlx.Tx) error {
			return db.reconcile(ctx, tx, data, asOf, configVersion, eval, counts)
		})
	})
	if err != nil {
		return nil, err
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
// one at a time.
func (db *DB) eachBatch(ctx context.Context, scope EvalScope, fn func([]*HouseholdData) error) error {
	sels, err := db.batches(ctx, scope)
	if err != nil {
		return err
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
		if err := fn(r.data); err != nil {
			return err
		}
	}
	return nil
}

// batches splits the scope into batches of about evalBatch households.
func (db *DB) batches(ctx context.Context, s EvalScope) ([]batchSel, error) {
	if s.HouseholdIDs == nil && s.Township == "" && s.Village == "" {
		var ids []int64
		if err := db.x.SelectContext(ctx, &ids, `SELECT id FROM households ORDER BY id`); err != nil {
			return nil, mapError(err)
		}
		var out []batchSel
		for start := 0; start < len(ids); start += evalBatch {
			part := ids[start:min(start+evalBatch, len(ids))]
			out = append(out, batchSel{lo: part[0], hi: part[len(part)-1]})
		}
		return out, nil
	}
	ids, err := db.scopeIDs(ctx, s)
	if err != nil {
		return nil, err
	}
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
	return db.eachBatch(ctx, scope, func(data []*HouseholdData) error {
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
	qs, args := where(`SELECT `+evalHouseholdColumns+` FROM households WHERE $COND ORDER BY id`, "id")
	hrows, err := q.QueryContext(ctx, qs, args...)
	if err != nil {
		return nil, mapError(err)
	}
	defer hrows.Close()
	for hrows.Next() {
		h := &monitor.Household{}
		var risks string
		if err := hrows.Scan(&h.ID, &h.Code, &h.Township, &h.Village, &h.Group, &h.HeadName, &h.Size, &h.Type, &h.Category,
			&h.IdentifiedIn, &risks, &h.RiskEliminated, &h.EliminationMethod, &h.EliminatedOn, &h.HousingUnsafe, &h.WaterUnsafe,
			&h.EducationGap, &h.MedicalGap, &h.NoLaborSupport); err != nil {
			return nil, mapError(err)
		}
		h.Risks = splitRisks(risks)
		d := &HouseholdData{Household: h}
		byID[h.ID] = d
		out = append(out, d)
	}
	if err := hrows.Err(); err != nil {
		return nil, mapError(err)
	}
	// Members are the bulk of a batch: scanned by hand, without sqlx's
	// reflection, which cost more than reading them.
	qs, args = where(`SELECT `+evalMemberColumns+` FROM members WHERE $COND ORDER BY household_id, position`, "household_id")
	mrows, err := q.QueryContext(ctx, qs, args...)
	if err != nil {
		return nil, mapError(err)
	}
	defer mrows.Close()
	for mrows.Next() {
		var m monitor.Member
		if err := mrows.Scan(&m.ID, &m.HouseholdID, &m.IDNumber, &m.Name, &m.Relation, &m.Sex, &m.Health,
			&m.LaborSkill, &m.SchoolStatus, &m.WorkMonths, &m.MedicalInsured, &m.Missing); err != nil {
			return nil, mapError(err)
		}
		m.BirthDate = birthFromID(m.IDNumber)
		if d := byID[m.HouseholdID]; d != nil {
			d.Household.Members = append(d.Household.Members, m)
		}
	}
	if err := mrows.Err(); err != nil {
		return nil, mapError(err)
	}
	qs, args = where(`SELECT `+incomeColumns+` FROM incomes WHERE $COND ORDER BY household_id, year`, "household_id")
	irows, err := q.QueryContext(ctx, qs, args...)
	if err != nil {
		return nil, mapError(err)
	}
	defer irows.Close()
	for irows.Next() {
		var x monitor.Income
		if err := irows.Scan(&x.HouseholdID, &x.Year, &x.Wage, &x.Business, &x.Property, &x.Transfer, &x.BusinessCost,
			&x.Net, &x.PerCapita, &x.MedicalOOP, &x.InsurancePay); err != nil {
			return nil, mapError(err)
		}
		if d := byID[x.HouseholdID]; d != nil {
			d.Household.Incomes = append(d.Household.Incomes, x)
		}
	}
	if err := irows.Err(); err != nil {
		return nil, mapError(err)
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
	var flags []openFlag
	qs, args = where(`SELECT id, household_id, rule_code, explanation FROM flags WHERE status = 'open' AND $COND`, "household_id")
	if err := q.SelectContext(ctx, &flags, qs, args...); err != nil {
		return nil, mapError(err)
	}
	for _, f := range flags {
		if d := byID[f.HouseholdID]; d != nil {
			d.open = append(d.open, f)
		}
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

// The columns evaluation reads: what the rules see and no more. A date or
// timestamp column costs a time parse per row on SQLite, so the birth date
// is taken from the ID number it was derived from.
const evalHouseholdColumns = `id, code, township, village, grp, head_name, size, household_type, category, identified_ym,
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

// reconcile evaluates a batch and opens, keeps and closes its flags.
func (db *DB) reconcile(ctx context.Context, tx *sqlx.Tx, data []*HouseholdData, asOf monitor.Date, version int64, eval Evaluator, counts *monitor.EvaluationCounts) error {
	if len(data) == 0 {
		return nil
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
