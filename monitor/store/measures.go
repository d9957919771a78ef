package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shouwang/shouwang/monitor"
)

// MeasureImport is one measure of a ledger with where it came from. The
// store finds the household by Measure.HouseholdCode, or else by the
// head's ID number.
type MeasureImport struct {
	Measure      monitor.Measure
	Row          int
	HeadIDNumber string
	KeyColumn    string // the header of the column the household is found by
}

// CadreImport is one 帮扶责任人 of a cadre list with where it came from.
type CadreImport struct {
	Cadre        monitor.Cadre
	Row          int
	HeadIDNumber string
	KeyColumn    string
}

// MeasureFilter narrows FindMeasures; the zero filter is every measure.
type MeasureFilter struct {
	HouseholdCode string
	Township      string
	Village       string
	Category      string
	Status        string
}

// MeasureKey is a measure's natural key: the household, category,
// sub-type, member and start date. Amount, end date, months, status and
// note are what a re-import updates.
func MeasureKey(m *monitor.Measure) string {
	return strings.Join([]string{m.HouseholdCode, m.Category, m.SubType, m.MemberID, m.Start.String()}, "|")
}

func measureLabel(m *monitor.Measure) string {
	s := m.Category
	if m.SubType != "" {
		s += "/" + m.SubType
	}
	if !m.Start.IsZero() {
		s += " " + m.Start.String()
	}
	return s
}

var measureStatusLabel = monitor.MeasureStatusLabels

func measureFields(m *monitor.Measure) []monitor.Field {
	return []monitor.Field{
		{Name: "帮扶措施类别", Value: m.Category}, {Name: "具体措施", Value: m.SubType}, {Name: "受益成员身份证号", Value: m.MemberID},
		{Name: "开始日期", Value: m.Start.String()}, {Name: "结束日期", Value: m.End.String()}, {Name: "金额", Value: m.Amount.String()},
		{Name: "月数", Value: strconv.Itoa(m.Months)}, {Name: "状态", Value: measureStatusLabel[m.Status]}, {Name: "备注", Value: m.Note},
	}
}

type storedMeasure struct {
	monitor.Measure
	Key string `db:"natural_key"`
}

// householdRef is a household as the record imports find it.
type householdRef struct {
	ID       int64  `db:"id"`
	Code     string `db:"code"`
	HeadName string `db:"head_name"`
	Township string `db:"township"`
	Village  string `db:"village"`
}

// recordHouseholds finds households by code and by the ID numbers of their
// members (heads, for the files that name a household by its head).
func (db *DB) recordHouseholds(ctx context.Context, q querier, codes, ids []string) (map[string]householdRef, map[string]person, error) {
	byCode := map[string]householdRef{}
	codes = uniqueStrings(codes)
	for start := 0; start < len(codes); start += lookupChunk {
		query, args, err := sqlx.In(`SELECT id, code, head_name, township, village FROM households WHERE code IN (?)`, codes[start:min(start+lookupChunk, len(codes))])
		if err != nil {
			return nil, nil, err
		}
		var rows []householdRef
		if err := q.SelectContext(ctx, &rows, db.rebind(query), args...); err != nil {
			return nil, nil, mapError(err)
		}
		for _, r := range rows {
			byCode[r.Code] = r
		}
	}
	people, err := db.findPeople(ctx, q, ids)
	return byCode, people, err
}

// resolveHousehold finds the household of one record by its code or its
// head's ID number; ok=false adds an error.
func resolveHousehold(rep *monitor.ImportReport, opt ImportOptions, row int, col, code, head string, byCode map[string]householdRef, people map[string]person) (householdRef, bool) {
	issue := func(c, val, msg string) monitor.Issue {
		return monitor.Issue{Sheet: opt.Sheet, Row: row, Column: col, Value: val, Code: c, Message: msg, Household: code}
	}
	if code != "" {
		h, ok := byCode[code]
		if !ok {
			rep.Errors = append(rep.Errors, issue(CodeHouseholdNotFound, code, fmt.Sprintf("第 %d 行：户编号 %s 不在系统中，本行未导入。请先导入该户的花名册，或核对户编号", row, code)))
			return h, false
		}
		if msg, out := opt.outOfScope(row, h.Township, h.Village); out {
			rep.Errors = append(rep.Errors, issue(monitor.CodeOutOfScope, code, msg))
			return h, false
		}
		if p, ok := people[head]; head != "" && ok && p.HouseholdID != h.ID {
			rep.Warnings = append(rep.Warnings, issue(CodeHouseholdMismatch, code, fmt.Sprintf("户主身份证号 %s 登记在户编号 %s（户主 %s），与本行户编号 %s（户主 %s）不一致；按户编号记录", monitor.MaskID(head), p.Code, p.HeadName, code, h.HeadName)))
		}
		return h, true
	}
	p, ok := people[head]
	if !ok {
		rep.Errors = append(rep.Errors, issue(CodeHouseholdNotFound, head, fmt.Sprintf("第 %d 行：户主身份证号 %s 不在任何一户中，本行未导入。请填写户编号，或核对身份证号", row, monitor.MaskID(head))))
		return householdRef{}, false
	}
	if p.IDNumber != p.HeadID && p.HeadID != "" {
		rep.Warnings = append(rep.Warnings, issue(CodeHouseholdMismatch, head, fmt.Sprintf("身份证号 %s 是户编号 %s 的成员 %s，不是户主（户主 %s）；按其所在的户记录", monitor.MaskID(head), p.Code, p.Name, p.HeadName)))
	}
	if msg, out := opt.outOfScope(row, p.Township, p.Village); out {
		rep.Errors = append(rep.Errors, issue(monitor.CodeOutOfScope, head, msg))
		return householdRef{}, false
	}
	return householdRef{ID: p.HouseholdID, Code: p.Code, HeadName: p.HeadName, Township: p.Township, Village: p.Village}, true
}

// ImportMeasures checks a parsed measures ledger against the registry and
// writes it in one transaction: each row's household must exist, each
// measure is created, updated (with history) or found unchanged by its
// natural key. Nothing is written on a dry run, or when there are errors
// without SkipInvalid.
func (db *DB) ImportMeasures(ctx context.Context, rep *monitor.ImportReport, batch []MeasureImport, opt ImportOptions) error {
	if rep.Measures == nil {
		rep.Measures = &monitor.RecordCounts{InFile: len(batch)}
	}
	tx, err := db.x.BeginTxx(ctx, nil)
	if err != nil {
		return mapError(err)
	}
	defer tx.Rollback()
	now := db.Now()
	if err := db.warnSameFile(ctx, tx, rep, opt); err != nil {
		return err
	}
	var codes, ids []string
	for _, in := range batch {
		codes = append(codes, in.Measure.HouseholdCode)
		ids = append(ids, in.HeadIDNumber, in.Measure.MemberID)
	}
	byCode, people, err := db.recordHouseholds(ctx, tx, codes, ids)
	if err != nil {
		return err
	}
	type plan struct {
		in      *MeasureImport
		key     string
		old     *storedMeasure
		changed bool
	}
	var plans []*plan
	firstRow := map[string]int{}
	for i := range batch {
		in := &batch[i]
		m := &in.Measure
		h, ok := resolveHousehold(rep, opt, in.Row, in.KeyColumn, m.HouseholdCode, in.HeadIDNumber, byCode, people)
		if !ok {
			rep.Measures.Rejected++
			continue
		}
		m.HouseholdID, m.HouseholdCode = h.ID, h.Code
		if id := m.MemberID; id != "" {
			if p, ok := people[id]; !ok || p.HouseholdID != h.ID {
				where := "不在系统中"
				if ok {
					where = fmt.Sprintf("属于另一户（户编号 %s，户主 %s）", p.Code, p.HeadName)
				}
				rep.Warnings = append(rep.Warnings, monitor.Issue{Sheet: opt.Sheet, Row: in.Row, Code: "member_not_in_household", Value: id, Household: h.Code,
					Message: fmt.Sprintf("受益成员身份证号 %s %s，不是户编号 %s 的成员；措施仍记入户 %s，请核对", monitor.MaskID(id), where, h.Code, h.Code)})
			}
		}
		key := MeasureKey(m)
		if r, dup := firstRow[key]; dup {
			rep.Errors = append(rep.Errors, monitor.Issue{Sheet: opt.Sheet, Row: in.Row, Code: CodeDuplicateRecord, Household: h.Code,
				Message: fmt.Sprintf("与第 %d 行是同一项措施（户、类别、具体措施、受益成员和开始日期都相同），本行未导入", r)})
			rep.Measures.Rejected++
			continue
		}
		firstRow[key] = in.Row
		plans = append(plans, &plan{in: in, key: key})
	}
	keys := make([]string, len(plans))
	for i, p := range plans {
		keys[i] = p.key
	}
	existing, err := db.loadStoredMeasures(ctx, tx, `m.natural_key IN (?)`, keys)
	if err != nil {
		return err
	}
	byKey := make(map[string]*storedMeasure, len(existing))
	for i := range existing {
		byKey[existing[i].Key] = &existing[i]
	}
	var newRows [][]any
	var changes []monitor.Change
	touched := map[int64]bool{}
	for _, p := range plans {
		m := &p.in.Measure
		change := func(field, o, n string) {
			changes = append(changes, monitor.Change{At: now, Actor: opt.Actor, HouseholdCode: m.HouseholdCode, Entity: "measure", EntityKey: measureLabel(m), Field: field, OldValue: o, NewValue: n})
		}
		p.old = byKey[p.key]
		if p.old == nil {
			rep.Measures.Created++
			touched[m.HouseholdID] = true
			change("新增帮扶措施", "", measureLabel(m)+"（"+measureStatusLabel[m.Status]+"）")
			newRows = append(newRows, measureValues(m, p.key, nil, now))
			continue
		}
		m.ID = p.old.ID
		for _, d := range monitor.DiffFields(measureFields(&p.old.Measure), measureFields(m)) {
			p.changed = true
			change(d[0].Name, d[0].Value, d[1].Value)
		}
		if p.changed {
			rep.Measures.Updated++
			touched[m.HouseholdID] = true
		} else {
			rep.Measures.Unchanged++
		}
	}
	if opt.DryRun || (len(rep.Errors) > 0 && !opt.SkipInvalid) {
		return nil
	}
	importID, err := db.insertRecordImport(ctx, tx, rep, opt, rep.Measures, now)
	if err != nil {
		return err
	}
	for i := range newRows {
		newRows[i][len(newRows[i])-2] = importID
	}
	if err := db.insertRows(ctx, tx, "measures", measureInsertColumns, newRows, ""); err != nil {
		return err
	}
	for _, p := range plans {
		if p.changed {
			if _, err := tx.ExecContext(ctx, db.rebind(measureUpdate), append(measureValues(&p.in.Measure, p.key, &importID, now), p.in.Measure.ID)...); err != nil {
				return mapError(err)
			}
		}
	}
	if err := db.insertChanges(ctx, tx, &importID, changes); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return mapError(err)
	}
	rep.ImportID, rep.Committed = importID, true
	rep.Touched = sortedIDs(touched)
	return nil
}

func sortedIDs(m map[int64]bool) []int64 {
	out := make([]int64, 0, len(m))
	for id := range m {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

var measureInsertColumns = []string{"household_id", "category", "sub_type", "member_id_number", "start_date", "end_date", "amount",
	"months", "status", "note", "natural_key", "import_id", "updated_at"}

func measureValues(m *monitor.Measure, key string, importID any, now time.Time) []any {
	return []any{m.HouseholdID, m.Category, m.SubType, m.MemberID, m.Start, m.End, m.Amount, m.Months, m.Status, m.Note, key, importID, now}
}

const measureUpdate = `UPDATE measures SET household_id = ?, category = ?, sub_type = ?, member_id_number = ?, start_date = ?,
	end_date = ?, amount = ?, months = ?, status = ?, note = ?, natural_key = ?, import_id = ?, updated_at = ? WHERE id = ?`

func (db *DB) loadStoredMeasures(ctx context.Context, q querier, where string, vals any) ([]storedMeasure, error) {
	var out []storedMeasure
	load := func(part any) error {
		query, args, err := sqlx.In(`SELECT `+measureColumns+`, m.natural_key FROM measures m JOIN households h ON h.id = m.household_id WHERE `+where, part)
		if err != nil {
			return err
		}
		var rows []storedMeasure
		if err := q.SelectContext(ctx, &rows, db.rebind(query), args...); err != nil {
			return mapError(err)
		}
		out = append(out, rows...)
		return nil
	}
	switch v := vals.(type) {
	case []string:
		for start := 0; start < len(v); start += lookupChunk {
			if err := load(v[start:min(start+lookupChunk, len(v))]); err != nil {
				return nil, err
			}
		}
	case []int64:
		for start := 0; start < len(v); start += lookupChunk {
			if err := load(v[start:min(start+lookupChunk, len(v))]); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// FindMeasures lists the measures of scope's households with their
// household codes, by place, household and start date.
func (db *DB) FindMeasures(ctx context.Context, scope Scope, f MeasureFilter) ([]monitor.Measure, error) {
	sw, sargs := scope.where("h.")
	where, args := []string{sw}, sargs
	for _, c := range []struct{ col, val string }{
		{"h.code", f.HouseholdCode}, {"h.township", f.Township}, {"h.village", f.Village}, {"m.category", f.Category}, {"m.status", f.Status},
	} {
		if c.val != "" {
			where, args = append(where, c.col+" = ?"), append(args, c.val)
		}
	}
	var out []monitor.Measure
	err := db.x.SelectContext(ctx, &out, db.rebind(`SELECT `+measureColumns+` FROM measures m JOIN households h ON h.id = m.household_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY h.township, h.village, h.code, COALESCE(m.start_date, '0001-01-01'), m.id`), args...)
	return out, mapError(err)
}

// measureHousehold checks the measure's household (in scope) and member.
func (db *DB) measureHousehold(ctx context.Context, q querier, scope Scope, m *monitor.Measure) error {
	byCode, people, err := db.recordHouseholds(ctx, q, []string{m.HouseholdCode}, []string{m.MemberID})
	if err != nil {
		return err
	}
	h, ok := byCode[m.HouseholdCode]
	if !ok || !scope.Contains(h.Township, h.Village) {
		return scopeNotFound(m.HouseholdCode)
	}
	if p, ok := people[m.MemberID]; m.MemberID != "" && (!ok || p.HouseholdID != h.ID) {
		return monitor.Errorf(monitor.EINVALID, "受益成员身份证号 %s 不是户编号 %s 的成员", monitor.MaskID(m.MemberID), m.HouseholdCode)
	}
	m.HouseholdID = h.ID
	return nil
}

// CreateMeasure records a measure typed into a form for a household of
// scope.
func (db *DB) CreateMeasure(ctx context.Context, scope Scope, m *monitor.Measure, actor string) error {
	if err := m.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := db.measureHousehold(ctx, tx, scope, m); err != nil {
			return err
		}
		now := db.Now()
		key := MeasureKey(m)
		err := tx.GetContext(ctx, &m.ID, db.rebind(`INSERT INTO measures (`+strings.Join(measureInsertColumns, ", ")+`) VALUES (`+placeholders(len(measureInsertColumns))+`) RETURNING id`),
			measureValues(m, key, nil, now)...)
		if monitor.ErrorCode(mapError(err)) == monitor.ECONFLICT {
			return monitor.Errorf(monitor.ECONFLICT, "户编号 %s 已有同一项措施（%s）", m.HouseholdCode, measureLabel(m))
		} else if err != nil {
			return mapError(err)
		}
		return db.insertChanges(ctx, tx, nil, []monitor.Change{{At: now, Actor: actor, HouseholdCode: m.HouseholdCode, Entity: "measure",
			EntityKey: measureLabel(m), Field: "新增帮扶措施", NewValue: measureLabel(m) + "（" + measureStatusLabel[m.Status] + "）"}})
	})
}

// UpdateMeasure saves an edited measure of scope, recording each changed
// field.
func (db *DB) UpdateMeasure(ctx context.Context, scope Scope, m *monitor.Measure, actor string) error {
	if err := m.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		old, err := db.scopedMeasure(ctx, tx, scope, m.ID)
		if err != nil {
			return err
		}
		if m.HouseholdCode == "" {
			m.HouseholdCode = old[0].HouseholdCode
		}
		if err := db.measureHousehold(ctx, tx, scope, m); err != nil {
			return err
		}
		now := db.Now()
		var cs []monitor.Change
		if old[0].HouseholdCode != m.HouseholdCode {
			cs = append(cs, monitor.Change{At: now, Actor: actor, HouseholdCode: m.HouseholdCode, Entity: "measure", EntityKey: measureLabel(m), Field: "户编号", OldValue: old[0].HouseholdCode, NewValue: m.HouseholdCode})
		}
		for _, d := range monitor.DiffFields(measureFields(&old[0].Measure), measureFields(m)) {
			cs = append(cs, monitor.Change{At: now, Actor: actor, HouseholdCode: m.HouseholdCode, Entity: "measure", EntityKey: measureLabel(m), Field: d[0].Name, OldValue: d[0].Value, NewValue: d[1].Value})
		}
		if len(cs) == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, db.rebind(measureUpdate), append(measureValues(m, MeasureKey(m), nil, now), m.ID)...); err != nil {
			if monitor.ErrorCode(mapError(err)) == monitor.ECONFLICT {
				return monitor.Errorf(monitor.ECONFLICT, "户编号 %s 已有同一项措施（%s）", m.HouseholdCode, measureLabel(m))
			}
			return mapError(err)
		}
		return db.insertChanges(ctx, tx, nil, cs)
	})
}

// DeleteMeasure removes a measure of scope, keeping a history row that
// says what it was.
func (db *DB) DeleteMeasure(ctx context.Context, scope Scope, id int64, actor string) error {
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		old, err := db.scopedMeasure(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`DELETE FROM measures WHERE id = ?`), id); err != nil {
			return mapError(err)
		}
		m := &old[0].Measure
		return db.insertChanges(ctx, tx, nil, []monitor.Change{{At: db.Now(), Actor: actor, HouseholdCode: m.HouseholdCode, Entity: "measure",
			EntityKey: measureLabel(m), Field: "删除帮扶措施", OldValue: measureLabel(m) + "（" + measureStatusLabel[m.Status] + "）"}})
	})
}

// scopedMeasure loads a stored measure of scope.
func (db *DB) scopedMeasure(ctx context.Context, q querier, scope Scope, id int64) ([]storedMeasure, error) {
	sw, sargs := scope.where("h.")
	var out []storedMeasure
	if err := q.SelectContext(ctx, &out, db.rebind(`SELECT `+measureColumns+`, m.natural_key FROM measures m JOIN households h ON h.id = m.household_id WHERE m.id = ? AND `+sw),
		append([]any{id}, sargs...)...); err != nil {
		return nil, mapError(err)
	}
	if len(out) == 0 {
		return nil, monitor.Errorf(monitor.ENOTFOUND, "帮扶措施 %d 不存在", id)
	}
	return out, nil
}

// ───────────── 帮扶责任人 ─────────────

const cadreColumns = `c.id, c.household_id, h.code AS household_code, c.name, c.unit, c.phone, c.from_date, c.to_date`

func cadreLabel(c *monitor.Cadre) string {
	if c.From.IsZero() {
		return c.Name
	}
	return c.Name + " " + c.From.String() + "起"
}

func cadreFields(c *monitor.Cadre) []monitor.Field {
	return []monitor.Field{{Name: "工作单位", Value: c.Unit}, {Name: "联系电话", Value: c.Phone}, {Name: "帮扶结束时间", Value: c.To.String()}}
}

// cadreKey identifies a cadre of a household: name and start date.
func cadreKey(householdID int64, c *monitor.Cadre) string {
	return strconv.FormatInt(householdID, 10) + "|" + c.Name + "|" + c.From.String()
}

func (db *DB) loadCadres(ctx context.Context, q querier, householdIDs []int64) ([]monitor.Cadre, error) {
	var out []monitor.Cadre
	householdIDs = slices.Compact(slices.Sorted(slices.Values(householdIDs)))
	for start := 0; start < len(householdIDs); start += lookupChunk {
		query, args, _ := sqlx.In(`SELECT `+cadreColumns+` FROM cadres c JOIN households h ON h.id = c.household_id WHERE c.household_id IN (?) ORDER BY c.household_id, COALESCE(c.from_date, '0001-01-01'), c.id`,
			householdIDs[start:min(start+lookupChunk, len(householdIDs))])
		var rows []monitor.Cadre
		if err := q.SelectContext(ctx, &rows, db.rebind(query), args...); err != nil {
			return nil, mapError(err)
		}
		out = append(out, rows...)
	}
	return out, nil
}

// cadreWork is what an import or SetCadre does to a household's cadres.
type cadreWork struct {
	inserts []monitor.Cadre
	updates []monitor.Cadre
	changes []monitor.Change
}

// succeed closes, on the day before c starts, every current cadre of c's
// household that started earlier and is not c: a household has one
// responsible cadre at a time, and the history keeps the earlier ones.
func succeed(w *cadreWork, c *monitor.Cadre, others []monitor.Cadre, keep map[string]bool, actor string, now time.Time) []monitor.Cadre {
	var closed []monitor.Cadre
	if c.From.IsZero() || !c.To.IsZero() {
		return nil
	}
	for _, o := range others {
		if o.HouseholdID != c.HouseholdID || !o.To.IsZero() || o.From.IsZero() || !o.From.Before(c.From) || keep[cadreKey(o.HouseholdID, &o)] {
			continue
		}
		o.To = c.From.AddDays(-1)
		w.updates = append(w.updates, o)
		w.changes = append(w.changes, monitor.Change{At: now, Actor: actor, HouseholdCode: c.HouseholdCode, Entity: "cadre", EntityKey: cadreLabel(&o),
			Field: "帮扶结束时间", NewValue: o.To.String() + "（由 " + c.Name + " 接替）"})
		closed = append(closed, o)
	}
	return closed
}

func (db *DB) applyCadreWork(ctx context.Context, tx *sqlx.Tx, w *cadreWork, importID *int64) error {
	var rows [][]any
	for _, c := range w.inserts {
		rows = append(rows, []any{c.HouseholdID, c.Name, c.Unit, c.Phone, c.From, c.To, importID})
	}
	if err := db.insertRows(ctx, tx, "cadres", []string{"household_id", "name", "unit", "phone", "from_date", "to_date", "import_id"}, rows, ""); err != nil {
		return err
	}
	for _, c := range w.updates {
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE cadres SET unit = ?, phone = ?, to_date = ? WHERE id = ?`), c.Unit, c.Phone, c.To, c.ID); err != nil {
			return mapError(err)
		}
	}
	return db.insertChanges(ctx, tx, importID, w.changes)
}

// ImportCadres checks a parsed cadre list against the registry and writes
// it in one transaction. A cadre is matched by household, name and start
// date; a changed unit, phone or end date updates it. A new cadre with a
// start date takes over from the household's current one, whose end date
// becomes the day before (with a warning), so each household keeps its
// history and has one current cadre.
func (db *DB) ImportCadres(ctx context.Context, rep *monitor.ImportReport, batch []CadreImport, opt ImportOptions) error {
	if rep.Cadres == nil {
		rep.Cadres = &monitor.RecordCounts{InFile: len(batch)}
	}
	tx, err := db.x.BeginTxx(ctx, nil)
	if err != nil {
		return mapError(err)
	}
	defer tx.Rollback()
	now := db.Now()
	if err := db.warnSameFile(ctx, tx, rep, opt); err != nil {
		return err
	}
	var codes, ids []string
	for _, in := range batch {
		codes = append(codes, in.Cadre.HouseholdCode)
		ids = append(ids, in.HeadIDNumber)
	}
	byCode, people, err := db.recordHouseholds(ctx, tx, codes, ids)
	if err != nil {
		return err
	}
	var valid []*CadreImport
	var hids []int64
	firstRow := map[string]int{}
	for i := range batch {
		in := &batch[i]
		c := &in.Cadre
		h, ok := resolveHousehold(rep, opt, in.Row, in.KeyColumn, c.HouseholdCode, in.HeadIDNumber, byCode, people)
		if !ok {
			rep.Cadres.Rejected++
			continue
		}
		c.HouseholdID, c.HouseholdCode = h.ID, h.Code
		key := cadreKey(h.ID, c)
		if r, dup := firstRow[key]; dup {
			rep.Errors = append(rep.Errors, monitor.Issue{Sheet: opt.Sheet, Row: in.Row, Code: CodeDuplicateRecord, Household: h.Code,
				Message: fmt.Sprintf("与第 %d 行是同一条帮扶责任人记录（户、姓名和开始时间都相同），本行未导入", r)})
			rep.Cadres.Rejected++
			continue
		}
		firstRow[key] = in.Row
		valid = append(valid, in)
		hids = append(hids, h.ID)
	}
	existing, err := db.loadCadres(ctx, tx, hids)
	if err != nil {
		return err
	}
	byKey := map[string]*monitor.Cadre{}
	for i := range existing {
		byKey[cadreKey(existing[i].HouseholdID, &existing[i])] = &existing[i]
	}
	w := &cadreWork{}
	touched := map[int64]bool{}
	for _, in := range valid {
		c := &in.Cadre
		old := byKey[cadreKey(c.HouseholdID, c)]
		if old == nil {
			rep.Cadres.Created++
			touched[c.HouseholdID] = true
			w.inserts = append(w.inserts, *c)
			w.changes = append(w.changes, monitor.Change{At: now, Actor: opt.Actor, HouseholdCode: c.HouseholdCode, Entity: "cadre", EntityKey: cadreLabel(c),
				Field: "新增帮扶责任人", NewValue: strings.TrimSpace(c.Name + " " + c.Unit + " " + c.Phone)})
			continue
		}
		c.ID = old.ID
		diffs := monitor.DiffFields(cadreFields(old), cadreFields(c))
		if len(diffs) == 0 {
			rep.Cadres.Unchanged++
			continue
		}
		rep.Cadres.Updated++
		touched[c.HouseholdID] = true
		w.updates = append(w.updates, *c)
		for _, d := range diffs {
			w.changes = append(w.changes, monitor.Change{At: now, Actor: opt.Actor, HouseholdCode: c.HouseholdCode, Entity: "cadre", EntityKey: cadreLabel(c), Field: d[0].Name, OldValue: d[0].Value, NewValue: d[1].Value})
		}
	}
	// Only the latest cadre of a household in the file takes over.
	inFile := map[string]bool{}
	latest := map[int64]*monitor.Cadre{}
	for _, in := range valid {
		c := &in.Cadre
		inFile[cadreKey(c.HouseholdID, c)] = true
		if l := latest[c.HouseholdID]; l == nil || l.From.Before(c.From) {
			latest[c.HouseholdID] = c
		}
	}
	for _, in := range valid {
		c := &in.Cadre
		if latest[c.HouseholdID] != c {
			continue
		}
		for _, o := range succeed(w, c, existing, inFile, opt.Actor, now) {
			rep.Warnings = append(rep.Warnings, monitor.Issue{Sheet: opt.Sheet, Row: in.Row, Code: "cadre_replaced", Household: c.HouseholdCode,
				Message: fmt.Sprintf("户编号 %s 原帮扶责任人 %s（%s起）由 %s 接替，其帮扶结束时间记为 %s", c.HouseholdCode, o.Name, o.From, c.Name, o.To)})
		}
	}
	if opt.DryRun || (len(rep.Errors) > 0 && !opt.SkipInvalid) {
		return nil
	}
	importID, err := db.insertRecordImport(ctx, tx, rep, opt, rep.Cadres, now)
	if err != nil {
		return err
	}
	if err := db.applyCadreWork(ctx, tx, w, &importID); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return mapError(err)
	}
	rep.ImportID, rep.Committed = importID, true
	rep.Touched = sortedIDs(touched)
	return nil
}

// SetCadre makes c the responsible cadre of a household of scope from
// c.From on (required): the current cadre who started earlier gets the day
// before as end date. A cadre of the same name and start date is updated
// instead.
func (db *DB) SetCadre(ctx context.Context, scope Scope, householdCode string, c *monitor.Cadre, actor string) error {
	c.Name = strings.TrimSpace(c.Name)
	switch {
	case c.Name == "":
		return monitor.Errorf(monitor.EINVALID, "帮扶责任人姓名必填")
	case c.From.IsZero():
		return monitor.Errorf(monitor.EINVALID, "帮扶开始时间必填")
	case !c.To.IsZero() && c.To.Before(c.From):
		return monitor.Errorf(monitor.EINVALID, "帮扶结束时间早于开始时间")
	}
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		byCode, _, err := db.recordHouseholds(ctx, tx, []string{householdCode}, nil)
		if err != nil {
			return err
		}
		h, ok := byCode[householdCode]
		if !ok || !scope.Contains(h.Township, h.Village) {
			return scopeNotFound(householdCode)
		}
		c.HouseholdID, c.HouseholdCode = h.ID, h.Code
		existing, err := db.loadCadres(ctx, tx, []int64{h.ID})
		if err != nil {
			return err
		}
		now := db.Now()
		w := &cadreWork{}
		key := cadreKey(h.ID, c)
		found := false
		for _, o := range existing {
			if cadreKey(o.HouseholdID, &o) != key {
				continue
			}
			found = true
			c.ID = o.ID
			for _, d := range monitor.DiffFields(cadreFields(&o), cadreFields(c)) {
				w.changes = append(w.changes, monitor.Change{At: now, Actor: actor, HouseholdCode: h.Code, Entity: "cadre", EntityKey: cadreLabel(c), Field: d[0].Name, OldValue: d[0].Value, NewValue: d[1].Value})
			}
			w.updates = append(w.updates, *c)
		}
		if !found {
			w.inserts = append(w.inserts, *c)
			w.changes = append(w.changes, monitor.Change{At: now, Actor: actor, HouseholdCode: h.Code, Entity: "cadre", EntityKey: cadreLabel(c),
				Field: "新增帮扶责任人", NewValue: strings.TrimSpace(c.Name + " " + c.Unit + " " + c.Phone)})
		}
		succeed(w, c, existing, map[string]bool{key: true}, actor, now)
		return db.applyCadreWork(ctx, tx, w, nil)
	})
}

// CadreList is a household's responsible cadres as of a date.
type CadreList struct {
	Current []monitor.Cadre `json:"current"` // no end date, or ending on or after the date
	History []monitor.Cadre `json:"history"` // ended before the date
}

// FindCadres returns the cadres of a household of scope, current (no end
// date, or one on or after asOf) and past, each newest first.
func (db *DB) FindCadres(ctx context.Context, scope Scope, householdCode string, asOf monitor.Date) (*CadreList, error) {
	byCode, _, err := db.recordHouseholds(ctx, db.x, []string{householdCode}, nil)
	if err != nil {
		return nil, err
	}
	h, ok := byCode[householdCode]
	if !ok || !scope.Contains(h.Township, h.Village) {
		return nil, scopeNotFound(householdCode)
	}
	cs, err := db.loadCadres(ctx, db.x, []int64{h.ID})
	if err != nil {
		return nil, err
	}
	out := &CadreList{Current: []monitor.Cadre{}, History: []monitor.Cadre{}}
	for i := len(cs) - 1; i >= 0; i-- {
		c := cs[i]
		if !c.To.IsZero() && c.To.Before(asOf) {
			out.History = append(out.History, c)
		} else {
			out.Current = append(out.Current, c)
		}
	}
	return out, nil
}
