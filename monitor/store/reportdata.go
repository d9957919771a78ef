package store

import (
	"cmp"
	"context"
	"database/sql"
	"iter"
	"slices"
	"strings"
	"sync"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/reports"
)

// The feeds of the reports: each streams its rows as an iterator, a batch
// of households at a time on the read connections, so a report of the
// whole registry holds the list of its household ids and a few batches,
// never the registry. Rows come ordered by township, village and 户编号, as
// the reports take their subtotals. Each batch is read on its own, so a
// report written while an import commits may show some households before
// it and some after.

// ReportFilter narrows a report to a place inside the caller's scope and
// says what it is as of.
type ReportFilter struct {
	Township, Village string
	// AsOf is the date of current cadres, loans issued, balances and flags
	// open (zero: no bound).
	AsOf monitor.Date
	// Year is the year of the year's figures and of the ledger's subsidy.
	Year int
	// All lists every household in the roster, not only 监测对象, and
	// closed flags beside the open ones.
	All bool
	// Subsidy is the 财政贴息 table the loan ledger's 应贴息金额 is
	// computed with; none when nil.
	Subsidy monitor.SubsidyTable
}

// where is the condition keeping the households (aliased h) of scope and f.
func (f ReportFilter) where(scope Scope) (string, []any) {
	sw, args := scope.where("h.")
	where := []string{sw}
	if f.Township != "" {
		where, args = append(where, "h.township = ?"), append(args, f.Township)
	}
	if f.Village != "" {
		where, args = append(where, "h.village = ?"), append(args, f.Village)
	}
	return strings.Join(where, " AND "), args
}

// reportBatch is how many households a feed loads at a time.
const reportBatch = 2000

// reportIDs lists the households of scope and f meeting cond (a condition
// on households aliased h), in report order.
func (db *DB) reportIDs(ctx context.Context, scope Scope, f ReportFilter, cond string, args ...any) ([]int64, error) {
	w, wargs := f.where(scope)
	if cond != "" {
		w += " AND " + cond
	}
	var ids []int64
	err := db.rx.SelectContext(ctx, &ids, db.rebind(`SELECT h.id FROM households h WHERE `+w+` ORDER BY h.township, h.village, h.code`), append(wargs, args...)...)
	return ids, mapError(err)
}

// streamBatches yields the rows load gives for the ids, reportBatch ids at
// a time and in their order. Batches load ahead on the read connections
// while the caller writes (at most readers+1 at once), so the database
// and the workbook work side by side and memory holds a few batches.
func streamBatches[T any](ctx context.Context, ids func(context.Context) ([]int64, error), load func(context.Context, []int64) ([]T, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		all, err := ids(ctx)
		if err != nil {
			yield(zero, err)
			return
		}
		n := (len(all) + reportBatch - 1) / reportBatch
		type result struct {
			rows []T
			err  error
		}
		ctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		defer func() {
			cancel()
			wg.Wait() // no query outlives the iteration
		}()
		out := make([]chan result, n)
		for i := range out {
			out[i] = make(chan result, 1)
		}
		sem := make(chan struct{}, readers+1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range n {
				select {
				case sem <- struct{}{}:
				case <-ctx.Done():
					return
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					rows, err := load(ctx, all[i*reportBatch:min((i+1)*reportBatch, len(all))])
					out[i] <- result{rows, err}
				}()
			}
		}()
		for i := range n {
			var r result
			select {
			case r = <-out[i]:
			case <-ctx.Done():
				yield(zero, ctx.Err())
				return
			}
			<-sem
			if r.err != nil {
				yield(zero, r.err)
				return
			}
			for _, row := range r.rows {
				if !yield(row, nil) {
					return
				}
			}
		}
	}
}

// idList is "col IN (?, …)" for ids, with its arguments.
func idList(col string, ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return col + " IN (" + placeholders(len(ids)) + ")", args
}

// positions maps each id to its place in ids.
func positions(ids []int64) map[int64]int {
	pos := make(map[int64]int, len(ids))
	for i, id := range ids {
		pos[id] = i
	}
	return pos
}

// ───────────── 花名册 ─────────────

// RosterRows streams the roster: the 监测对象 of scope and f (every
// household with f.All), each with its members and its 帮扶责任人 on
// f.AsOf. With f.AsOf the households are as they stood at the end of that
// day: those registered later are left out, and category, risks,
// identification and elimination are as the history had them then.
func (db *DB) RosterRows(ctx context.Context, scope Scope, f ReportFilter) iter.Seq2[reports.RosterHousehold, error] {
	cond := "h.category <> ''"
	if f.All || !f.AsOf.IsZero() {
		cond = "" // as of a date, who was monitored is known once the history is read
	}
	return streamBatches(ctx,
		func(ctx context.Context) ([]int64, error) { return db.reportIDs(ctx, scope, f, cond) },
		func(ctx context.Context, ids []int64) ([]reports.RosterHousehold, error) {
			rows, err := db.loadRosterBatch(ctx, ids, f.AsOf)
			if err != nil || f.All {
				return rows, err
			}
			return slices.DeleteFunc(rows, func(r reports.RosterHousehold) bool { return !r.H.Monitored() }), nil
		})
}

func (db *DB) loadRosterBatch(ctx context.Context, ids []int64, asOf monitor.Date) ([]reports.RosterHousehold, error) {
	pos := positions(ids)
	hs := make([]monitor.Household, len(ids))
	in, args := idList("id", ids)
	rows, err := db.rx.QueryContext(ctx, db.rebind(`SELECT id, code, township, village, grp, head_name, size, household_type, category,
		identified_ym, risks, risk_eliminated, elimination_method, eliminated_on FROM households WHERE `+in), args...)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var h monitor.Household
		var risks string
		if err := rows.Scan(&h.ID, &h.Code, &h.Township, &h.Village, &h.Group, &h.HeadName, &h.Size, &h.Type, &h.Category,
			&h.IdentifiedIn, &risks, &h.RiskEliminated, &h.EliminationMethod, &h.EliminatedOn); err != nil {
			return nil, mapError(err)
		}
		h.Risks = splitRisks(risks)
		hs[pos[h.ID]] = h
	}
	if err := rows.Err(); err != nil {
		return nil, mapError(err)
	}
	rows.Close()

	// Members: the current ones (not missing from the latest roster),
	// scanned by hand, as they are the bulk of the report. As of a date the
	// missing ones are read too: one missing only since then was there.
	in, args = idList("household_id", ids)
	present := " AND missing = ?"
	if !asOf.IsZero() {
		present = " AND missing IN (?, ?)"
		args = append(args, true)
	}
	rows, err = db.rx.QueryContext(ctx, db.rebind(`SELECT household_id, id_number, name, relation, sex, birth_date, health, labor_skill,
		school_status, missing FROM members WHERE `+in+present+` ORDER BY household_id, position`), append(args, false)...)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	args = args[:len(ids)]
	for rows.Next() {
		var m monitor.Member
		if err := rows.Scan(&m.HouseholdID, &m.IDNumber, &m.Name, &m.Relation, &m.Sex, &m.BirthDate, &m.Health, &m.LaborSkill, &m.SchoolStatus, &m.Missing); err != nil {
			return nil, mapError(err)
		}
		if i, ok := pos[m.HouseholdID]; ok {
			hs[i].Members = append(hs[i].Members, m)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, mapError(err)
	}
	rows.Close()

	rows, err = db.rx.QueryContext(ctx, db.rebind(`SELECT household_id, year, net, per_capita FROM incomes WHERE `+in), args...)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var in monitor.Income
		var net, pc int64
		if err := rows.Scan(&in.HouseholdID, &in.Year, &net, &pc); err != nil {
			return nil, mapError(err)
		}
		in.Net, in.PerCapita = monitor.Money(net), monitor.Money(pc)
		if i, ok := pos[in.HouseholdID]; ok {
			hs[i].Incomes = append(hs[i].Incomes, in)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, mapError(err)
	}
	rows.Close()

	cadres, err := db.currentCadres(ctx, ids, asOf)
	if err != nil {
		return nil, err
	}
	exists := make([]bool, len(hs))
	if asOf.IsZero() {
		for i := range exists {
			exists[i] = true
		}
	} else if exists, err = db.asOfHouseholds(ctx, hs, asOf); err != nil {
		return nil, err
	}
	out := make([]reports.RosterHousehold, 0, len(hs))
	for i := range hs {
		if exists[i] {
			out = append(out, reports.RosterHousehold{H: &hs[i], Cadre: cadres[hs[i].ID]})
		}
	}
	return out, nil
}

// currentCadres returns each household's 帮扶责任人 on asOf: started by
// then (or with no start) and not ended before it, the latest to start.
func (db *DB) currentCadres(ctx context.Context, ids []int64, asOf monitor.Date) (map[int64]*monitor.Cadre, error) {
	in, args := idList("household_id", ids)
	rows, err := db.rx.QueryContext(ctx, db.rebind(`SELECT household_id, name, unit, phone, from_date, to_date FROM cadres WHERE `+in), args...)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	out := map[int64]*monitor.Cadre{}
	for rows.Next() {
		var c monitor.Cadre
		if err := rows.Scan(&c.HouseholdID, &c.Name, &c.Unit, &c.Phone, &c.From, &c.To); err != nil {
			return nil, mapError(err)
		}
		if !asOf.IsZero() && (asOf.Before(c.From) || (!c.To.IsZero() && c.To.Before(asOf))) {
			continue
		}
		if cur := out[c.HouseholdID]; cur == nil || !c.From.Before(cur.From) {
			out[c.HouseholdID] = &c
		}
	}
	return out, mapError(rows.Err())
}

// ───────────── 风险预警清单 ─────────────

// FlagRows streams the open flags of scope and f (all of them with f.All)
// with their household's place and head and the status of its newest
// case, by place, household, rule. Flags are one table: one query streams
// them, read ahead while the caller writes.
//
// With f.AsOf the flags are those raised by then, and without f.All only
// those open on that day (a flag closed later shows as open, as it was).
func (db *DB) FlagRows(ctx context.Context, scope Scope, f ReportFilter) iter.Seq2[monitor.Flag, error] {
	w, args := f.where(scope)
	switch {
	case !f.AsOf.IsZero():
		w, args = w+" AND f.first_seen <= ?", append(args, f.AsOf)
		if !f.All {
			w, args = w+" AND (f.status = ? OR f.closed_on > ?)", append(args, monitor.FlagOpen, f.AsOf)
		}
	case !f.All:
		w, args = w+" AND f.status = ?", append(args, monitor.FlagOpen)
	}
	q := `SELECT f.id, f.household_id, h.code, h.head_name, h.township, h.village, f.rule_code, f.rule_name, f.risk_type,
		f.severity, f.kind, f.explanation, f.status, f.first_seen, f.last_seen, f.closed_on, f.config_version, COALESCE(c.status, '')
		FROM flags f JOIN households h ON h.id = f.household_id
		LEFT JOIN (SELECT household_id, MAX(id) AS id FROM cases GROUP BY household_id) lc ON lc.household_id = f.household_id
		LEFT JOIN cases c ON c.id = lc.id
		WHERE ` + w + ` ORDER BY h.township, h.village, h.code, f.rule_code, f.id`
	return streamQuery(ctx, db, q, args, func(rows *sql.Rows, fl *monitor.Flag) error {
		err := rows.Scan(&fl.ID, &fl.HouseholdID, &fl.HouseholdCode, &fl.HeadName, &fl.Township, &fl.Village, &fl.RuleCode,
			&fl.RuleName, &fl.RiskType, &fl.Severity, &fl.Kind, &fl.Explanation, &fl.Status, &fl.FirstSeen, &fl.LastSeen,
			&fl.ClosedOn, &fl.ConfigVersion, &fl.CaseStatus)
		if !f.AsOf.IsZero() && fl.Status == monitor.FlagClosed && f.AsOf.Before(fl.ClosedOn) {
			fl.Status, fl.ClosedOn = monitor.FlagOpen, monitor.Date{}
		}
		return err
	})
}

// streamQuery yields the rows of one query, scanned by scan. A goroutine
// reads them on a read connection a chunk ahead of the caller, so the
// database and the workbook work side by side; memory holds a few chunks.
func streamQuery[T any](ctx context.Context, db *DB, query string, args []any, scan func(*sql.Rows, *T) error) iter.Seq2[T, error] {
	const chunk = 1024
	return func(yield func(T, error) bool) {
		type part struct {
			rows []T
			err  error
		}
		parent := ctx
		ctx, cancel := context.WithCancel(ctx)
		parts := make(chan part, 4)
		go func() {
			defer close(parts)
			send := func(p part) bool {
				select {
				case parts <- p:
					return true
				case <-ctx.Done():
					return false
				}
			}
			rows, err := db.rx.QueryContext(ctx, db.rebind(query), args...)
			if err != nil {
				send(part{err: mapError(err)})
				return
			}
			defer rows.Close()
			buf := make([]T, 0, chunk)
			for rows.Next() {
				buf = buf[:len(buf)+1]
				if err := scan(rows, &buf[len(buf)-1]); err != nil {
					send(part{err: mapError(err)})
					return
				}
				if len(buf) == chunk {
					if !send(part{rows: buf}) {
						return
					}
					buf = make([]T, 0, chunk)
				}
			}
			if err := rows.Err(); err != nil {
				send(part{err: mapError(err)})
				return
			}
			send(part{rows: buf})
		}()
		defer func() {
			cancel()
			for range parts { // the reader ends with the query
			}
		}()
		var zero T
		for p := range parts {
			if p.err != nil {
				yield(zero, p.err)
				return
			}
			for _, r := range p.rows {
				if !yield(r, nil) {
					return
				}
			}
		}
		if err := parent.Err(); err != nil { // the reader may have stopped without saying why
			yield(zero, err)
		}
	}
}

// ───────────── 帮扶措施台账 ─────────────

// MeasureRows streams the measures of scope and f with their household's
// place and head and its 帮扶责任人 on f.AsOf, by place, household and
// start date.
//
// With f.AsOf, measures that started after it are left out.
func (db *DB) MeasureRows(ctx context.Context, scope Scope, f ReportFilter) iter.Seq2[reports.MeasureRow, error] {
	started, sargs := "", []any{}
	if !f.AsOf.IsZero() {
		started, sargs = " AND (m.start_date IS NULL OR m.start_date <= ?)", []any{f.AsOf}
	}
	return streamBatches(ctx,
		func(ctx context.Context) ([]int64, error) {
			return db.reportIDs(ctx, scope, f, `EXISTS (SELECT 1 FROM measures m WHERE m.household_id = h.id`+started+`)`, sargs...)
		},
		func(ctx context.Context, ids []int64) ([]reports.MeasureRow, error) {
			cadres, err := db.currentCadres(ctx, ids, f.AsOf)
			if err != nil {
				return nil, err
			}
			in, args := idList("m.household_id", ids)
			var rows []struct {
				monitor.Measure
				Township string `db:"township"`
				Village  string `db:"village"`
				HeadName string `db:"head_name"`
			}
			if err := db.rx.SelectContext(ctx, &rows, db.rebind(`SELECT `+measureColumns+`, h.township, h.village, h.head_name
				FROM measures m JOIN households h ON h.id = m.household_id WHERE `+in+started+`
				ORDER BY m.household_id, COALESCE(m.start_date, '0001-01-01'), m.id`), append(args, sargs...)...); err != nil {
				return nil, mapError(err)
			}
			by := map[int64][]reports.MeasureRow{}
			for _, r := range rows {
				mr := reports.MeasureRow{Measure: r.Measure, Township: r.Township, Village: r.Village, HeadName: r.HeadName}
				if c := cadres[r.HouseholdID]; c != nil {
					mr.Cadre = c.Name
				}
				by[r.HouseholdID] = append(by[r.HouseholdID], mr)
			}
			out := make([]reports.MeasureRow, 0, len(rows))
			for _, id := range ids {
				out = append(out, by[id]...)
			}
			return out, nil
		})
}

// ───────────── 小额信贷台账 ─────────────

// LoanRows streams the loans of scope and f issued by f.AsOf, with their
// repayments, the household's place, head and head's ID number, and the
// subsidy due in f.Year (to f.AsOf when that is earlier) by f.Subsidy, the
// part of a micro-loan above monitor.MicroLoanCap earning none. Loans come
// by place, household and issue date.
func (db *DB) LoanRows(ctx context.Context, scope Scope, f ReportFilter) iter.Seq2[reports.LoanRow, error] {
	issued, iargs := "", []any{}
	if !f.AsOf.IsZero() {
		issued, iargs = " AND l.issue_date <= ?", []any{f.AsOf}
	}
	from, to := monitor.Date{Year: f.Year, Month: 1, Day: 1}, monitor.Date{Year: f.Year, Month: 12, Day: 31}
	if !f.AsOf.IsZero() && f.AsOf.Before(to) {
		to = f.AsOf
	}
	return streamBatches(ctx,
		func(ctx context.Context) ([]int64, error) {
			return db.reportIDs(ctx, scope, f, `EXISTS (SELECT 1 FROM loans l WHERE l.household_id = h.id`+issued+`)`, iargs...)
		},
		func(ctx context.Context, ids []int64) ([]reports.LoanRow, error) {
			rows, err := db.loadLoanBatch(ctx, ids, issued, iargs)
			if err != nil {
				return nil, err
			}
			for i := range rows {
				l := &rows[i].Loan
				cap := monitor.Money(0)
				if l.Product == monitor.ProductMicro {
					cap = monitor.MicroLoanCap
				}
				if f.Year > 0 && f.Subsidy != nil {
					rows[i].Subsidy = l.Subsidy(from, to, f.Subsidy, cap)
				}
			}
			return rows, nil
		})
}

// loadLoanBatch loads the loans (with repayments) of a batch of
// households, in the order of ids.
func (db *DB) loadLoanBatch(ctx context.Context, ids []int64, issued string, iargs []any) ([]reports.LoanRow, error) {
	in, args := idList("l.household_id", ids)
	var rows []struct {
		monitor.Loan
		Township     string `db:"township"`
		Village      string `db:"village"`
		Group        string `db:"grp"`
		HeadName     string `db:"head_name"`
		HeadIDNumber string `db:"head_id_number"`
	}
	if err := db.rx.SelectContext(ctx, &rows, db.rebind(`SELECT `+loanColumns+`, h.township, h.village, h.grp, h.head_name, h.head_id_number
		FROM loans l JOIN households h ON h.id = l.household_id WHERE `+in+issued+` ORDER BY l.household_id, l.issue_date, l.id`),
		append(args, iargs...)...); err != nil {
		return nil, mapError(err)
	}
	loans := make([]*monitor.Loan, len(rows))
	for i := range rows {
		loans[i] = &rows[i].Loan
	}
	if err := db.loadRepayments(ctx, db.rx, loans); err != nil {
		return nil, err
	}
	by := map[int64][]reports.LoanRow{}
	for _, r := range rows {
		by[r.HouseholdID] = append(by[r.HouseholdID], reports.LoanRow{Loan: r.Loan, Township: r.Township, Village: r.Village,
			Group: r.Group, HeadName: r.HeadName, HeadIDNumber: r.HeadIDNumber})
	}
	out := make([]reports.LoanRow, 0, len(rows))
	for _, id := range ids {
		out = append(out, by[id]...)
	}
	return out, nil
}

// ───────────── 统计汇总 ─────────────

// FeedStats feeds a the households of scope and f, the flags open on
// f.AsOf, every measure and the loans issued by f.AsOf (with repayments),
// each streamed once.
func (db *DB) FeedStats(ctx context.Context, scope Scope, f ReportFilter, a *reports.Aggregator) error {
	w, args := f.where(scope)
	if err := db.eachHousehold(ctx, scope, f, a.AddHousehold); err != nil {
		return err
	}

	var fl monitor.Flag
	fq, fargs := `SELECT h.township, h.village, f.risk_type, f.status, f.first_seen, f.closed_on FROM flags f JOIN households h ON h.id = f.household_id
		WHERE `+w, args
	if !f.AsOf.IsZero() {
		fq += ` AND f.first_seen <= ? AND (f.status = 'open' OR f.closed_on > ?)`
		fargs = append(append([]any{}, args...), f.AsOf, f.AsOf)
	} else {
		fq += ` AND f.status = 'open'`
	}
	if err := db.eachRow(ctx, fq, fargs, []any{&fl.Township, &fl.Village, &fl.RiskType, &fl.Status, &fl.FirstSeen, &fl.ClosedOn},
		func() { a.AddFlag(fl) }); err != nil {
		return err
	}

	var m monitor.Measure
	if err := db.eachRow(ctx, `SELECT m.household_id, h.code, m.category, m.status, m.start_date, m.end_date FROM measures m
		JOIN households h ON h.id = m.household_id WHERE `+w, args, []any{&m.HouseholdID, &m.HouseholdCode, &m.Category, &m.Status, &m.Start, &m.End},
		func() { a.AddMeasure(m) }); err != nil {
		return err
	}

	for r, err := range db.LoanRows(ctx, scope, ReportFilter{Township: f.Township, Village: f.Village, AsOf: f.AsOf}) {
		if err != nil {
			return err
		}
		a.AddLoan(r.Loan, r.Township, r.Village)
	}
	return nil
}

// eachHousehold calls fn with each household of scope and f (its own
// fields, no members) — as it stood at the end of f.AsOf when that is set:
// in batches, each first turned into what it was then (asOfHouseholds),
// leaving out those registered later.
func (db *DB) eachHousehold(ctx context.Context, scope Scope, f ReportFilter, fn func(*monitor.Household)) error {
	w, args := f.where(scope)
	var h monitor.Household
	var risks string
	var batch []monitor.Household
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		exists, err := db.asOfHouseholds(ctx, batch, f.AsOf)
		if err != nil {
			return err
		}
		for i := range batch {
			if exists[i] {
				fn(&batch[i])
			}
		}
		batch = batch[:0]
		return nil
	}
	var flushErr error
	err := db.eachRow(ctx, `SELECT h.id, h.code, h.township, h.village, h.size, h.category, h.identified_ym, h.risks, h.risk_eliminated,
		h.elimination_method, h.eliminated_on FROM households h WHERE `+w, args, []any{&h.ID, &h.Code, &h.Township, &h.Village, &h.Size, &h.Category,
		&h.IdentifiedIn, &risks, &h.RiskEliminated, &h.EliminationMethod, &h.EliminatedOn}, func() {
		h.Risks = splitRisks(risks)
		if f.AsOf.IsZero() {
			fn(&h)
			return
		}
		batch = append(batch, h)
		if len(batch) == reportBatch && flushErr == nil {
			flushErr = flush()
		}
	})
	if err == nil {
		err = flushErr
	}
	if err == nil {
		err = flush()
	}
	return err
}

// eachRow runs query on the read connections and calls fn after scanning
// each row into dest, one row at a time.
func (db *DB) eachRow(ctx context.Context, query string, args, dest []any, fn func()) error {
	rows, err := db.rx.QueryContext(ctx, db.rebind(query), args...)
	if err != nil {
		return mapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return mapError(err)
		}
		fn()
	}
	return mapError(rows.Err())
}

// ReportStats is the statistics of scope and f as of f.AsOf for f.Year:
// an Aggregator fed by FeedStats.
func (db *DB) ReportStats(ctx context.Context, scope Scope, f ReportFilter) (*reports.Stats, error) {
	a := reports.NewAggregator(f.AsOf, f.Year)
	if err := db.FeedStats(ctx, scope, f, a); err != nil {
		return nil, err
	}
	return a.Stats(), nil
}

// YearFigures are the year's figures of scope and f for f.Year, counted in
// the database: 监测对象 identified in the year (households and their
// people), risks eliminated in the year, 脱贫人口小额信贷 (a blank product
// counts as one) and 创业担保贷款 issued in the year and by f.AsOf
// (distinct households and amounts), 公益岗位帮扶 measures started in the
// year, and per measure category the households with such a measure in
// place at some time in the year. Planned measures count nowhere.
func (db *DB) YearFigures(ctx context.Context, scope Scope, f ReportFilter) (reports.YearFigures, error) {
	y := reports.YearFigures{Year: f.Year, MeasuresByCategory: map[string]int{}}
	w, args := f.where(scope)
	jan1, dec31 := monitor.Date{Year: f.Year, Month: 1, Day: 1}, monitor.Date{Year: f.Year, Month: 12, Day: 31}
	issuedTo := dec31
	if !f.AsOf.IsZero() && f.AsOf.Before(issuedTo) {
		issuedTo = f.AsOf
	}
	get := func(dest any, query string, extra ...any) error {
		return mapError(db.rx.GetContext(ctx, dest, db.rebind(query), append(append([]any{}, args...), extra...)...))
	}
	if !f.AsOf.IsZero() {
		// As of a date: who was identified and eliminated in the year by
		// then, as the history had it (eachHousehold).
		err := db.eachHousehold(ctx, scope, f, func(h *monitor.Household) {
			if !h.Monitored() {
				return
			}
			if h.IdentifiedIn.Year == f.Year {
				y.NewMonitoredHouseholds++
				y.NewMonitoredPeople += h.Size
			}
			if h.RiskEliminated && h.EliminatedOn.Year == f.Year {
				y.Eliminated++
			}
		})
		if err != nil {
			return y, err
		}
	} else {
		var hp struct {
			N      int   `db:"n"`
			People int64 `db:"people"`
		}
		if err := get(&hp, `SELECT COUNT(*) AS n, COALESCE(SUM(h.size), 0) AS people FROM households h WHERE `+w+
			` AND h.category <> '' AND h.identified_ym >= ? AND h.identified_ym <= ?`,
			monitor.YearMonth{Year: f.Year, Month: 1}, monitor.YearMonth{Year: f.Year, Month: 12}); err != nil {
			return y, err
		}
		y.NewMonitoredHouseholds, y.NewMonitoredPeople = hp.N, int(hp.People)
		if err := get(&y.Eliminated, `SELECT COUNT(*) FROM households h WHERE `+w+
			` AND h.category <> '' AND h.risk_eliminated = ? AND h.eliminated_on >= ? AND h.eliminated_on <= ?`, true, jan1, dec31); err != nil {
			return y, err
		}
	}
	var loans struct {
		N      int   `db:"n"`
		Amount int64 `db:"amount"`
	}
	loanQuery := `SELECT COUNT(DISTINCT l.household_id) AS n, COALESCE(SUM(l.amount), 0) AS amount FROM loans l JOIN households h ON h.id = l.household_id
		WHERE ` + w + ` AND l.issue_date >= ? AND l.issue_date <= ?`
	if err := get(&loans, loanQuery+` AND l.product IN (?, ?)`, jan1, issuedTo, monitor.ProductMicro, ""); err != nil {
		return y, err
	}
	y.MicroLoanHouseholds, y.MicroLoanAmount = loans.N, monitor.Money(loans.Amount)
	if err := get(&loans, loanQuery+` AND l.product = ?`, jan1, issuedTo, monitor.ProductStartup); err != nil {
		return y, err
	}
	y.StartupLoanHouseholds, y.StartupLoanAmount = loans.N, monitor.Money(loans.Amount)
	if err := get(&y.PublicJobs, `SELECT COUNT(*) FROM measures m JOIN households h ON h.id = m.household_id WHERE `+w+
		` AND m.category = ? AND m.status <> ? AND m.start_date >= ? AND m.start_date <= ?`, "公益岗位帮扶", monitor.MeasurePlanned, jan1, dec31); err != nil {
		return y, err
	}
	var cats []struct {
		Category string `db:"category"`
		N        int    `db:"n"`
	}
	if err := db.rx.SelectContext(ctx, &cats, db.rebind(`SELECT m.category, COUNT(DISTINCT m.household_id) AS n FROM measures m
		JOIN households h ON h.id = m.household_id WHERE `+w+` AND m.status <> ? AND (m.start_date IS NULL OR m.start_date <= ?)
		AND (m.end_date IS NULL OR m.end_date >= ?) GROUP BY m.category`), append(append([]any{}, args...), monitor.MeasurePlanned, dec31, jan1)...); err != nil {
		return y, mapError(err)
	}
	for _, c := range cats {
		y.MeasuresByCategory[c.Category] = c.N
	}
	return y, nil
}

// ───────────── 公示名单 ─────────────

// NoticeEntries lists a village's households to put on the public notice:
// those with an open inclusion case at or past 民主评议 (its category and
// risks, the household's where the case gives none) and those with an open
// elimination case (its method and the household's risks), by group and
// 户编号. The village is f's, or scope's for a village user.
func (db *DB) NoticeEntries(ctx context.Context, scope Scope, f ReportFilter) ([]reports.NoticeEntry, error) {
	if f.Village == "" && scope.Village == "" {
		return nil, monitor.Errorf(monitor.EINVALID, "公示名单按村（社区）生成：请指定村（社区）")
	}
	w, args := f.where(scope)
	review := 0
	for i, s := range monitor.CaseSteps {
		if s == "民主评议" {
			review = i
		}
	}
	var rows []struct {
		Kind      string `db:"kind"`
		HeadName  string `db:"head_name"`
		Group     string `db:"grp"`
		Category  string `db:"category"`
		Risks     string `db:"risks"`
		Method    string `db:"method"`
		HCategory string `db:"h_category"`
		HRisks    string `db:"h_risks"`
	}
	err := db.rx.SelectContext(ctx, &rows, db.rebind(`SELECT c.kind, h.head_name, h.grp, c.category, c.risks, c.method,
		h.category AS h_category, h.risks AS h_risks FROM cases c JOIN households h ON h.id = c.household_id
		WHERE `+w+` AND c.status = ? AND ((c.kind = ? AND c.step >= ?) OR c.kind = ?) ORDER BY h.grp, h.code, c.id`),
		append(args, monitor.CaseOpen, monitor.CaseInclusion, review, monitor.CaseElimination)...)
	if err != nil {
		return nil, mapError(err)
	}
	out := make([]reports.NoticeEntry, 0, len(rows))
	for _, r := range rows {
		e := reports.NoticeEntry{HeadName: r.HeadName, Group: r.Group, Risks: splitRisks(r.HRisks)}
		if r.Kind == monitor.CaseElimination {
			e.Kind, e.Method = reports.NoticeElimination, r.Method
		} else {
			e.Kind, e.Category = reports.NoticeInclusion, cmp.Or(r.Category, r.HCategory)
			if r.Risks != "" {
				e.Risks = splitRisks(r.Risks)
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// ReportPlace checks f's place against scope and names it for a title:
// "东城街道皂角井社区", "东城街道", or for everything the county (when the
// places hold one) or 全部乡镇（街道）. A village given without its
// township gets it filled in; a place outside scope, or with no
// households, is ENOTFOUND.
func (db *DB) ReportPlace(ctx context.Context, scope Scope, f *ReportFilter) (string, error) {
	if f.Township == "" && f.Village == "" {
		switch {
		case scope.Village != "":
			return scope.Township + scope.Village, nil
		case scope.Township != "":
			return scope.Township, nil
		}
		ps, err := db.FindPlaces(ctx)
		if err != nil {
			return "", err
		}
		for _, p := range ps {
			if p.Level == monitor.LevelCounty {
				return p.Name, nil
			}
		}
		return "全部乡镇（街道）", nil
	}
	vs, err := db.VillagesIn(ctx, scope)
	if err != nil {
		return "", err
	}
	var towns []string
	for _, v := range vs {
		if (f.Township == "" || v.Township == f.Township) && (f.Village == "" || v.Village == f.Village) && !slices.Contains(towns, v.Township) {
			towns = append(towns, v.Township)
		}
	}
	where := strings.TrimSpace(f.Township + " " + f.Village)
	switch {
	case len(towns) == 0:
		return "", monitor.Errorf(monitor.ENOTFOUND, "%s 没有农户，或不在您的管辖范围（%s）内", where, scope)
	case len(towns) > 1:
		return "", monitor.Errorf(monitor.EINVALID, "有多个乡镇（街道）都有名为 %s 的村（社区）（%s），请同时指定乡镇（街道）", f.Village, strings.Join(towns, "、"))
	}
	f.Township = towns[0]
	if scope.Village != "" { // a village user asking for the township still gets the village
		return scope.Township + scope.Village, nil
	}
	return f.Township + f.Village, nil
}
