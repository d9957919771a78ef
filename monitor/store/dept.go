package store

import (
	"context"
	"database/sql"

	"github.com/shouwang/shouwang/monitor"
)

// DeptImport is a department list to record.
type DeptImport struct {
	Kind     string
	FileName string
	SHA256   string
	Actor    string
	DryRun   bool
	Records  []monitor.DeptRecord
	Rows     []int // the worksheet row of each record
}

// ImportDept matches a department list to members by ID number in one
// transaction. Matched rows become department records of the member's
// household (facts the rules see); people in no household become leads for
// the village to check. Importing the same list twice doubles nothing: a
// record is keyed by kind, ID number, period and its details.
func (db *DB) ImportDept(ctx context.Context, rep *monitor.ImportReport, in DeptImport) (touched []int64, err error) {
	tx, err := db.x.BeginTxx(ctx, nil)
	if err != nil {
		return nil, mapError(err)
	}
	defer tx.Rollback()
	if err := db.warnSameFile(ctx, tx, rep, ImportOptions{SHA256: in.SHA256, Sheet: rep.Sheet}); err != nil {
		return nil, err
	}
	ids := make([]string, len(in.Records))
	for i, r := range in.Records {
		ids[i] = r.IDNumber
	}
	owner := map[string]int64{}
	err = queryIn(ctx, db, tx, `SELECT id_number, household_id FROM members WHERE id_number IN (?)`, uniqueStrings(ids), func(rows *sql.Rows) error {
		var id string
		var h int64
		if err := rows.Scan(&id, &h); err != nil {
			return mapError(err)
		}
		owner[id] = h
		return nil
	})
	if err != nil {
		return nil, err
	}
	// A list may name the same person twice for one period and detail (and
	// a lead twice): keep one row per key, or the upsert would touch a row
	// twice in one statement.
	type key struct{ id, period, detail string }
	keep := map[key]int{}
	for i, r := range in.Records {
		keep[key{r.IDNumber, r.Period, r.Detail}] = i
	}
	leadKeep := map[key]int{}
	for i, r := range in.Records {
		leadKeep[key{r.IDNumber, r.Period, ""}] = i
	}
	matched := 0
	rep.Unmatched = []monitor.Unmatched{}
	var recRows, leadRows [][]any
	seen := map[int64]bool{}
	now := db.Now()
	for i, r := range in.Records {
		h, ok := owner[r.IDNumber]
		if !ok {
			rep.Unmatched = append(rep.Unmatched, monitor.Unmatched{Row: in.Rows[i], IDNumber: r.IDNumber, Name: r.Name})
			if leadKeep[key{r.IDNumber, r.Period, ""}] == i {
				leadRows = append(leadRows, []any{in.Kind, r.IDNumber, r.Name, r.Period, r.Detail, in.Rows[i], "open", nil, now})
			}
			continue
		}
		matched++
		if !seen[h] {
			seen[h] = true
			touched = append(touched, h)
		}
		if keep[key{r.IDNumber, r.Period, r.Detail}] != i {
			continue
		}
		recRows = append(recRows, []any{in.Kind, r.IDNumber, r.Name, h, r.Period, r.Date, r.Amount, r.Detail, nil, in.Rows[i]})
	}
	rep.Matched = &matched
	rep.Touched = touched
	if in.DryRun {
		return touched, nil
	}
	importID, err := db.insertImport(ctx, tx, rep, ImportOptions{FileName: in.FileName, SHA256: in.SHA256, Actor: in.Actor}, now)
	if err != nil {
		return nil, err
	}
	for _, r := range recRows {
		r[8] = importID
	}
	for _, r := range leadRows {
		r[7] = importID
	}
	if err := db.insertRows(ctx, tx, "dept_records", []string{"kind", "id_number", "name", "household_id", "period", "event_date", "amount", "detail", "import_id", "row_num"}, recRows,
		` ON CONFLICT (kind, id_number, period, detail) DO UPDATE SET name = excluded.name, household_id = excluded.household_id, event_date = excluded.event_date, amount = excluded.amount`); err != nil {
		return nil, err
	}
	if err := db.insertRows(ctx, tx, "leads", []string{"kind", "id_number", "name", "period", "detail", "row_num", "status", "import_id", "created_at"}, leadRows,
		` ON CONFLICT (kind, id_number, period) DO UPDATE SET name = excluded.name, detail = excluded.detail, row_num = excluded.row_num`); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, mapError(err)
	}
	rep.ImportID = importID
	rep.Committed = true
	return touched, nil
}

// FindLeads lists the people on department lists who are in no household.
// A lead belongs to no place, so only the Everywhere scope sees them; any
// other scope gets an empty list.
func (db *DB) FindLeads(ctx context.Context, scope Scope, status string) ([]monitor.Lead, error) {
	if !scope.All {
		return []monitor.Lead{}, nil
	}
	q := `SELECT id, kind, id_number, name, period, detail, row_num, status, created_at FROM leads`
	var args []any
	if status != "" && status != "all" {
		q, args = q+` WHERE status = ?`, append(args, status)
	}
	var ls []monitor.Lead
	err := db.x.SelectContext(ctx, &ls, db.rebind(q+` ORDER BY id`), args...)
	return ls, mapError(err)
}

// SetLeadStatus records that a village checked (or dismissed) a lead.
func (db *DB) SetLeadStatus(ctx context.Context, id int64, status string) error {
	if status != "open" && status != "checked" && status != "dismissed" {
		return monitor.Errorf(monitor.EINVALID, "线索状态 %q 无效", status)
	}
	res, err := db.x.ExecContext(ctx, db.rebind(`UPDATE leads SET status = ? WHERE id = ?`), status, id)
	if err != nil {
		return mapError(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return monitor.Errorf(monitor.ENOTFOUND, "线索 %d 不存在", id)
	}
	return nil
}

// MonitoringDate is the latest date the registry was evaluated as of, or
// ok=false when it never was.
func (db *DB) MonitoringDate(ctx context.Context) (monitor.Date, bool, error) {
	var d []monitor.Date
	if err := db.x.SelectContext(ctx, &d, `SELECT MAX(as_of) FROM evaluations`); err != nil {
		return monitor.Date{}, false, mapError(err)
	}
	if len(d) == 0 || d[0].IsZero() {
		return monitor.Date{}, false, nil
	}
	return d[0], true, nil
}
