package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shouwang/shouwang/monitor"
)

// ImportOptions says how to commit a parsed household file.
type ImportOptions struct {
	FileName string
	SHA256   string
	Actor    string
	Sheet    string
	IDColumn string // the header of the ID-number column, for issues found here
	Year     int    // the income year the file reports
	DryRun   bool
	// SkipInvalid writes the valid households when some are rejected;
	// without it one rejected household means nothing is written.
	SkipInvalid bool
	// Release lets ImportHouseholds drop each accepted household once
	// written (Household set to nil), so a large file is held in memory
	// once; for callers that look only at rejected ones afterwards.
	Release bool
	// Scope, when set, is the uploader's place: records (loans, measures,
	// cadres) of households outside it are rejected as out_of_scope.
	// Rosters are kept to the place by RejectOutOfScope before the store.
	Scope *Scope
	// DataDate is the date the file's data describes (the date it states,
	// or --as-of); the changes it brings hold from then. Zero: the end of
	// the income year when that is past, else the day of the import.
	DataDate monitor.Date
}

// importDates are the dates from which an import's changes hold.
type importDates struct {
	changed monitor.Date // changes to registered households
	created monitor.Date // households it creates
}

// effectiveDates works out from when the import's changes hold: the data's
// date; a household it creates existed from the start of the income year
// the file reports on (a roster of 2022 incomes describes households of
// 2022), or from the data's date when it states no income year.
func (o ImportOptions) effectiveDates(now time.Time) importDates {
	today := monitor.DateOf(now.In(time.Local))
	d := o.DataDate
	if d.IsZero() {
		d = today
		if o.Year > 0 {
			if end := (monitor.Date{Year: o.Year, Month: 12, Day: 31}); end.Before(today) {
				d = end
			}
		}
	}
	created := d
	if o.Year > 0 {
		if jan1 := (monitor.Date{Year: o.Year, Month: 1, Day: 1}); jan1.Before(created) {
			created = jan1
		}
	}
	return importDates{changed: d, created: created}
}

// outOfScope reports whether a household of township and village is
// outside the import's place, with the message that says so.
func (o ImportOptions) outOfScope(row int, township, village string) (string, bool) {
	if o.Scope == nil || o.Scope.Contains(township, village) {
		return "", false
	}
	// The household's registered place is not named: the uploader may not
	// learn where a household outside its place is.
	return fmt.Sprintf("第 %d 行：该户不属于您管辖的村（社区）（%s），本行未导入", row, o.Scope), true
}

// memberUpdate is one existing member whose fields changed.
type memberUpdate struct {
	id  int64
	m   *monitor.Member
	pos int
}

// householdPlan is what an import does to one household.
type householdPlan struct {
	in       *monitor.ImportHousehold
	old      *monitor.Household // nil when new
	changes  []monitor.Change   // household, member and income changes
	fields   bool               // household fields changed
	newMems  []int              // indexes into in.Household.Members
	updMems  []memberUpdate
	missing  []int64 // ids of members now absent
	income   bool    // income row to upsert
	memberCh int     // members updated
	// conflicts are the procedure fields on which the file disagreed with
	// a case's decision (kept as the case decided).
	conflicts []monitor.ProcedureConflict
}

// ImportHouseholds checks the parsed households against the registry (an ID
// number registered in another household rejects the household), works out
// what is created, updated and unchanged, and writes it all in one
// transaction — or nothing, on a dry run or when households were rejected
// without SkipInvalid. rep arrives with the parser's issues and counts and
// leaves with the registry's. With opt.Release the members and incomes of
// the households it accepts are let go as it writes.
func (db *DB) ImportHouseholds(ctx context.Context, rep *monitor.ImportReport, batch []monitor.ImportHousehold, opt ImportOptions) error {
	tx, err := db.x.BeginTxx(ctx, nil)
	if err != nil {
		return mapError(err)
	}
	defer tx.Rollback()
	if !opt.DryRun {
		// First, so that everything below is read after any import or
		// case that was writing has committed (see lockRegistry).
		if err := db.lockRegistry(ctx, tx); err != nil {
			return err
		}
	}
	now := db.Now()
	dates := opt.effectiveDates(now)
	if rep.Changes == nil {
		rep.Changes = []monitor.ChangeEntry{}
	}

	if err := db.warnSameFile(ctx, tx, rep, opt); err != nil {
		return err
	}
	valid, err := db.rejectRegistryConflicts(ctx, tx, rep, batch, opt)
	if err != nil {
		return err
	}
	write := !opt.DryRun && (rep.Households.Rejected == 0 || opt.SkipInvalid)
	var importID int64
	if write {
		if importID, err = db.insertImport(ctx, tx, rep, opt, now); err != nil {
			return err
		}
	}
	// Households are compared and written a chunk at a time, so memory
	// holds one chunk of the registry, never the whole of it.
	cache := newPlaceCache()
	for start := 0; start < len(valid); start += importChunk {
		part := valid[start:min(start+importChunk, len(valid))]
		codes := make([]string, len(part))
		for i, in := range part {
			codes[i] = in.Household.Code
		}
		existing, err := db.loadHouseholds(ctx, tx, codes)
		if err != nil {
			return err
		}
		decided, err := db.decisions(ctx, tx, existing)
		if err != nil {
			return err
		}
		plans := make([]*householdPlan, 0, len(part))
		for _, in := range part {
			old := existing[in.Household.Code]
			var d *monitor.Decision
			if old != nil {
				d = decided[old.ID]
			}
			p := planHousehold(in, old, d, opt, now, dates)
			for _, c := range p.conflicts {
				w := monitor.ConflictIssue(in.Household.Code, *d, c)
				w.Sheet, w.Row = opt.Sheet, in.Row
				rep.Warnings = append(rep.Warnings, w)
			}
			plans = append(plans, p)
			countPlan(rep, p)
		}
		if write {
			if err := db.applyPlans(ctx, tx, cache, plans, opt, importID, now); err != nil {
				return err
			}
			for _, p := range plans {
				if p.old == nil || p.fields || p.income || len(p.newMems)+len(p.updMems)+len(p.missing) > 0 {
					rep.Touched = append(rep.Touched, p.in.Household.ID)
				}
			}
		}
		if opt.Release {
			release(part)
		}
	}
	if !write {
		return nil // tx rolls back: nothing written
	}
	if err := db.updateImportSummary(ctx, tx, rep, importID); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return mapError(err)
	}
	rep.ImportID = importID
	rep.Committed = true
	if rep.Households.Created+rep.Households.Updated >= analyzeAfter {
		// A bulk load leaves the planner's statistics stale, and the next
		// import or evaluation would plan its lookups blind.
		if err := db.Analyze(ctx); err != nil {
			return err
		}
	}
	return nil
}

// release lets the members and incomes of households already compared
// and written go, so a large import holds the parsed file only once: what
// is written no longer needs to be in memory. Rejected households keep
// theirs (their rows are reported).
func release(part []*monitor.ImportHousehold) {
	for _, in := range part {
		in.Household.Members, in.Household.Incomes, in.MemberRows = nil, nil, nil
		in.Household = nil
	}
}

func countPlan(rep *monitor.ImportReport, p *householdPlan) {
	switch {
	case p.old == nil:
		rep.Households.Created++
	case p.fields || p.income || len(p.newMems) > 0 || len(p.updMems) > 0 || len(p.missing) > 0:
		rep.Households.Updated++
	default:
		rep.Households.Unchanged++
	}
	if p.old != nil {
		listChanges(rep, p)
	}
	rep.Members.Created += len(p.newMems)
	rep.Members.Updated += len(p.updMems)
	rep.Members.Missing += len(p.missing)
	if p.old != nil {
		rep.Members.Unchanged += len(p.in.Household.Members) - len(p.newMems) - len(p.updMems)
	}
}

func (db *DB) warnSameFile(ctx context.Context, tx *sqlx.Tx, rep *monitor.ImportReport, opt ImportOptions) error {
	if opt.SHA256 == "" {
		return nil
	}
	var prev []struct {
		ID        int64     `db:"id"`
		StartedAt time.Time `db:"started_at"`
		Actor     string    `db:"actor"`
	}
	err := tx.SelectContext(ctx, &prev, db.rebind(`SELECT id, started_at, actor FROM imports WHERE sha256 = ? AND committed = ? ORDER BY id DESC LIMIT 1`), opt.SHA256, true)
	if err != nil {
		return mapError(err)
	}
	if len(prev) > 0 {
		rep.Warnings = append(rep.Warnings, monitor.Issue{
			Sheet: opt.Sheet, Code: monitor.CodeSameFile,
			Message: fmt.Sprintf("同一文件已于 %s 由 %s 导入过（导入批次 %d）；本次照常导入，内容未变的记录不会重复写入",
				prev[0].StartedAt.In(time.Local).Format("2006-01-02 15:04"), prev[0].Actor, prev[0].ID),
		})
	}
	return nil
}

// conflictChunk is how many ID numbers rejectRegistryConflicts looks up
// per round, holding a map of them.
const conflictChunk = 20000

// rejectRegistryConflicts rejects households any of whose members is already
// registered in another household, and returns the rest.
func (db *DB) rejectRegistryConflicts(ctx context.Context, tx *sqlx.Tx, rep *monitor.ImportReport, batch []monitor.ImportHousehold, opt ImportOptions) ([]*monitor.ImportHousehold, error) {
	type owner struct {
		IDNumber string `db:"id_number"`
		Code     string `db:"code"`
		Head     string `db:"head_name"`
		Village  string `db:"village"`
	}
	type where struct{ h, m int }
	bad := make([]bool, len(batch))
	// Look the IDs up a chunk of households at a time, keeping only the
	// conflicts: a re-import finds every person registered already.
	for start := 0; start < len(batch); {
		at := map[string]where{}
		var ids []string
		end := start
		for ; end < len(batch) && len(ids) < conflictChunk; end++ {
			for j, m := range batch[end].Household.Members {
				at[m.IDNumber] = where{end, j}
				ids = append(ids, m.IDNumber)
			}
		}
		start = end
		err := queryIn(ctx, db, tx, `SELECT m.id_number, h.code, h.head_name, h.village FROM members m JOIN households h ON h.id = m.household_id WHERE m.id_number IN (?)`, ids, func(rows *sql.Rows) error {
			var o owner
			if err := rows.Scan(&o.IDNumber, &o.Code, &o.Head, &o.Village); err != nil {
				return mapError(err)
			}
			w := at[o.IDNumber]
			in := &batch[w.h]
			if o.Code == in.Household.Code {
				return nil
			}
			m := in.Household.Members[w.m]
			bad[w.h] = true
			rep.Errors = append(rep.Errors, monitor.Issue{
				Sheet: opt.Sheet, Row: in.MemberRows[w.m], Column: opt.IDColumn, Value: m.IDNumber,
				Code: monitor.CodeIDDuplicate, Household: in.Household.Code,
				Message: fmt.Sprintf("身份证号码 %s（%s）已登记在系统中另一户：户编号 %s（%s，户主 %s）。一人只能属于一户，请先核实并在原户中办理迁出", monitor.MaskID(m.IDNumber), m.Name, o.Code, o.Village, o.Head),
			})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	valid := make([]*monitor.ImportHousehold, 0, len(batch))
	for i := range batch {
		if bad[i] {
			rep.Households.Rejected++
			rep.RejectedHouseholds = append(rep.RejectedHouseholds, batch[i].Household.Code)
			continue
		}
		valid = append(valid, &batch[i])
	}
	return valid, nil
}

// planHousehold compares a parsed household with its registry version.
// When a case has decided the household's procedure fields (d), the
// registry's values stand and each disagreement is kept in p.conflicts.
func planHousehold(in *monitor.ImportHousehold, old *monitor.Household, d *monitor.Decision, opt ImportOptions, now time.Time, dates importDates) *householdPlan {
	h := in.Household
	h.Clean()
	p := &householdPlan{in: in, old: old}
	change := func(entity, key, field, o, n string) {
		p.changes = append(p.changes, monitor.Change{At: now, Actor: opt.Actor, HouseholdCode: h.Code,
			Entity: entity, EntityKey: key, Field: field, OldValue: o, NewValue: n, EffectiveOn: dates.changed})
	}
	if old == nil {
		// One history row for a new household and its members: the
		// creation is one event, and 350,000 member rows would double the
		// cost of a first import for nothing a reader needs.
		change("household", h.Code, monitor.FieldCreated, "", fmt.Sprintf("户主 %s，%d 名成员", h.HeadName, len(h.Members)))
		p.changes[0].EffectiveOn = createdOn(h, dates.created)
		for i := range h.Members {
			p.newMems = append(p.newMems, i)
		}
		p.income = len(h.Incomes) > 0
		return p
	}
	h.ID = old.ID
	if d != nil {
		p.conflicts = monitor.KeepDecided(old, h)
	}
	for _, d := range monitor.DiffFields(old.Fields(), h.Fields()) {
		p.fields = true
		change("household", h.Code, d[0].Name, d[0].Value, d[1].Value)
	}
	oldByID := make(map[string]*monitor.Member, len(old.Members))
	for i := range old.Members {
		oldByID[old.Members[i].IDNumber] = &old.Members[i]
	}
	seen := make(map[string]bool, len(h.Members))
	for i := range h.Members {
		m := &h.Members[i]
		seen[m.IDNumber] = true
		om, ok := oldByID[m.IDNumber]
		if !ok {
			p.newMems = append(p.newMems, i)
			change("member", m.IDNumber, monitor.FieldMemberAdded, "", m.Name)
			continue
		}
		diffs := monitor.DiffFields(om.Fields(), m.Fields())
		if om.Missing {
			change("member", m.IDNumber, monitor.FieldMemberReappears, "缺失", m.Name)
		}
		for _, d := range diffs {
			change("member", m.IDNumber, d[0].Name, d[0].Value, d[1].Value)
		}
		if len(diffs) > 0 || om.Missing {
			p.updMems = append(p.updMems, memberUpdate{id: om.ID, m: m, pos: i})
		}
	}
	for _, om := range old.Members {
		if !seen[om.IDNumber] && !om.Missing {
			p.missing = append(p.missing, om.ID)
			change("member", om.IDNumber, monitor.FieldMemberMissing, om.Name, "本次导入的文件中没有此人，未删除，请核实（迁出、死亡或漏填）")
		}
	}
	for _, in := range h.Incomes {
		var prev *monitor.Income
		for i := range old.Incomes {
			if old.Incomes[i].Year == in.Year {
				prev = &old.Incomes[i]
			}
		}
		if prev == nil {
			p.income = true
			change("income", strconv.Itoa(in.Year), "新增年度收入", "", strconv.Itoa(in.Year)+"年")
			continue
		}
		for _, d := range monitor.DiffFields(prev.Fields(), in.Fields()) {
			p.income = true
			change("income", strconv.Itoa(in.Year), strconv.Itoa(in.Year)+"年"+d[0].Name, d[0].Value, d[1].Value)
		}
	}
	return p
}

func importSummary(rep *monitor.ImportReport) string {
	summary, _ := json.Marshal(struct {
		Sheet      string                  `json:"sheet"`
		Households monitor.HouseholdCounts `json:"households"`
		Members    monitor.MemberCounts    `json:"members"`
		Errors     int                     `json:"errors"`
		Warnings   int                     `json:"warnings"`
	}{rep.Sheet, rep.Households, rep.Members, len(rep.Errors), len(rep.Warnings)})
	return string(summary)
}

// updateImportSummary writes the final counts onto the import's record.
func (db *DB) updateImportSummary(ctx context.Context, tx *sqlx.Tx, rep *monitor.ImportReport, id int64) error {
	_, err := tx.ExecContext(ctx, db.rebind(`UPDATE imports SET summary = ? WHERE id = ?`), importSummary(rep), id)
	return mapError(err)
}

func (db *DB) insertImport(ctx context.Context, tx *sqlx.Tx, rep *monitor.ImportReport, opt ImportOptions, now time.Time) (int64, error) {
	summary := importSummary(rep)
	var id int64
	err := tx.GetContext(ctx, &id, db.rebind(`INSERT INTO imports (kind, file_name, sha256, actor, started_at, dry_run, committed, summary)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`), rep.Kind, opt.FileName, opt.SHA256, opt.Actor, now, false, true, summary)
	return id, mapError(err)
}

// analyzeAfter is how many households an import must write before the
// planner's statistics are refreshed.
const analyzeAfter = 10000

// importChunk is how many households are compared and written at a time.
const importChunk = 2000

func (db *DB) applyPlans(ctx context.Context, tx *sqlx.Tx, cache placeCache, plans []*householdPlan, opt ImportOptions, importID int64, now time.Time) error {
	var newRows [][]any
	for _, p := range plans {
		h := p.in.Household
		if p.old != nil && !p.fields {
			continue
		}
		names := []string{h.Township, h.Village}
		if h.Group != "" {
			names = append(names, h.Group)
		}
		place, err := db.ensurePlace(ctx, tx, cache, names)
		if err != nil {
			return err
		}
		h.PlaceID = place.ID
		if p.old == nil {
			newRows = append(newRows, householdValues(h, now))
			continue
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE households SET place_id = ?, township = ?, village = ?, grp = ?,
			head_name = ?, head_id_number = ?, size = ?, household_type = ?, category = ?, identified_ym = ?, risks = ?,
			risk_eliminated = ?, elimination_method = ?, eliminated_on = ?, phone = ?, address = ?, housing_unsafe = ?,
			water_unsafe = ?, education_gap = ?, medical_gap = ?, no_labor_support = ?, note = ?, updated_at = ? WHERE id = ?`),
			updateArgs(householdValues(h, now), h.ID)...); err != nil {
			return mapError(err)
		}
	}
	ids, err := db.insertReturningIDs(ctx, tx, "households", householdInsertColumns, newRows, "code")
	if err != nil {
		return err
	}
	var memberRows, incomeRows [][]any
	for _, p := range plans {
		h := p.in.Household
		if p.old == nil {
			h.ID = ids[h.Code]
		}
		for _, i := range p.newMems {
			memberRows = append(memberRows, memberValues(h.ID, &h.Members[i], i))
		}
		for _, u := range p.updMems {
			m := u.m
			if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE members SET name = ?, relation = ?, sex = ?, birth_date = ?, health = ?,
				labor_skill = ?, school_status = ?, work_months = ?, medical_insured = ?, missing = ?, position = ? WHERE id = ?`),
				m.Name, m.Relation, m.Sex, m.BirthDate, m.Health, m.LaborSkill, m.SchoolStatus, m.WorkMonths, m.MedicalInsured, false, u.pos, u.id); err != nil {
				return mapError(err)
			}
		}
		for _, id := range p.missing {
			if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE members SET missing = ? WHERE id = ?`), true, id); err != nil {
				return mapError(err)
			}
		}
		if p.income {
			for _, in := range h.Incomes {
				incomeRows = append(incomeRows, []any{h.ID, in.Year, in.Wage, in.Business, in.Property, in.Transfer,
					in.BusinessCost, in.Net, in.PerCapita, in.MedicalOOP, in.InsurancePay})
			}
		}
	}
	if err := db.insertRows(ctx, tx, "members", memberInsertColumns, memberRows, ""); err != nil {
		return err
	}
	incomeCols := strings.Split(strings.Join(strings.Fields(incomeColumns), ""), ",")
	if err := db.insertRows(ctx, tx, "incomes", incomeCols, incomeRows, ` ON CONFLICT (household_id, year) DO UPDATE SET
		wage = excluded.wage, business = excluded.business, property = excluded.property, transfer = excluded.transfer,
		business_cost = excluded.business_cost, net = excluded.net, per_capita = excluded.per_capita,
		medical_oop = excluded.medical_oop, insurance_payout = excluded.insurance_payout`); err != nil {
		return err
	}
	// Every household changed here has its rev raised, so that evaluation
	// rebuilds its facts row (see facts.go).
	var changed []int64
	for _, p := range plans {
		if p.old != nil && (p.fields || p.income || len(p.newMems)+len(p.updMems)+len(p.missing) > 0) {
			changed = append(changed, p.in.Household.ID)
		}
	}
	if err := db.execIn(ctx, tx, `UPDATE households SET rev = rev + ? WHERE id IN (?)`, 1, changed); err != nil {
		return err
	}
	var cs []monitor.Change
	for _, p := range plans {
		cs = append(cs, p.changes...)
	}
	return db.insertChanges(ctx, tx, &importID, cs)
}

var householdInsertColumns = []string{"code", "place_id", "township", "village", "grp", "head_name", "head_id_number", "size",
	"household_type", "category", "identified_ym", "risks", "risk_eliminated", "elimination_method", "eliminated_on",
	"phone", "address", "housing_unsafe", "water_unsafe", "education_gap", "medical_gap", "no_labor_support", "note",
	"updated_at", "created_at"}

// householdValues lists h in householdInsertColumns order.
func householdValues(h *monitor.Household, now time.Time) []any {
	return []any{h.Code, h.PlaceID, h.Township, h.Village, h.Group, h.HeadName, h.HeadIDNumber, h.Size,
		h.Type, h.Category, h.IdentifiedIn, strings.Join(h.Risks, "、"), h.RiskEliminated, h.EliminationMethod, h.EliminatedOn,
		h.Phone, h.Address, h.HousingUnsafe, h.WaterUnsafe, h.EducationGap, h.MedicalGap, h.NoLaborSupport, h.Note,
		now, now}
}

// updateArgs drops the code (first) and created_at (last) of
// householdValues and appends the id for the WHERE clause.
func updateArgs(vals []any, id int64) []any {
	out := append([]any{}, vals[1:len(vals)-1]...)
	return append(out, id)
}

var memberInsertColumns = []string{"household_id", "id_number", "name", "relation", "sex", "birth_date", "health",
	"labor_skill", "school_status", "work_months", "medical_insured", "missing", "position"}

func memberValues(householdID int64, m *monitor.Member, pos int) []any {
	return []any{householdID, m.IDNumber, m.Name, m.Relation, m.Sex, m.BirthDate, m.Health, m.LaborSkill,
		m.SchoolStatus, m.WorkMonths, m.MedicalInsured, false, pos}
}

// createdOn is the date from which a household a file brings existed: the
// import's date for created households, or earlier when its own data
// says so (the first income year it reports, its identification month).
func createdOn(h *monitor.Household, d monitor.Date) monitor.Date {
	for _, in := range h.Incomes {
		if jan1 := (monitor.Date{Year: in.Year, Month: 1, Day: 1}); in.Year > 0 && jan1.Before(d) {
			d = jan1
		}
	}
	if first := h.IdentifiedIn.FirstDay(); !h.IdentifiedIn.IsZero() && first.Before(d) {
		d = first
	}
	return d
}

// decisions returns, by household id, the latest case that decided the
// procedure fields of the households: one done, or an emergency inclusion
// (先帮扶后认定) still open, which applied its outcome when it opened.
func (db *DB) decisions(ctx context.Context, q querier, hs map[string]*monitor.Household) (map[int64]*monitor.Decision, error) {
	ids := make([]int64, 0, len(hs))
	for _, h := range hs {
		ids = append(ids, h.ID)
	}
	slices.Sort(ids)
	out := map[int64]*monitor.Decision{}
	err := queryIn(ctx, db, q, `SELECT id, household_id, kind, status, emergency, opened_on, closed_on FROM cases WHERE household_id IN (?)`, ids, func(rows *sql.Rows) error {
		var (
			id, hid          int64
			kind, status     string
			emergency        bool
			opened, closedOn monitor.Date
		)
		if err := rows.Scan(&id, &hid, &kind, &status, &emergency, &opened, &closedOn); err != nil {
			return mapError(err)
		}
		d := monitor.Decision{CaseID: id, Kind: kind, On: closedOn}
		switch {
		case status == monitor.CaseDone:
		case status == monitor.CaseOpen && emergency && kind == monitor.CaseInclusion:
			d.On = opened
		default:
			return nil
		}
		if cur := out[hid]; cur == nil || cur.CaseID < id {
			out[hid] = &d
		}
		return nil
	})
	return out, err
}

// listChanges lists a registered household's planned changes in the report.
func listChanges(rep *monitor.ImportReport, p *householdPlan) {
	var names map[string]string
	for _, c := range p.changes {
		e := monitor.ChangeEntry{HouseholdCode: c.HouseholdCode, Field: c.Field, Old: c.OldValue, New: c.NewValue}
		switch c.Entity {
		case "member":
			if names == nil {
				names = map[string]string{}
				for _, m := range p.in.Household.Members {
					names[m.IDNumber] = m.Name
				}
				for _, m := range p.old.Members {
					if names[m.IDNumber] == "" {
						names[m.IDNumber] = m.Name
					}
				}
			}
			e.MemberIDMasked, e.MemberName = monitor.MaskID(c.EntityKey), names[c.EntityKey]
		}
		rep.AddChange(e)
	}
}
