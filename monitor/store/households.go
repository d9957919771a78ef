package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"github.com/shouwang/shouwang/monitor"
)

const householdColumns = `id, code, place_id, township, village, grp, head_name, head_id_number, size,
	household_type, category, identified_ym, risks, risk_eliminated, elimination_method, eliminated_on,
	phone, address, housing_unsafe, water_unsafe, education_gap, medical_gap, no_labor_support, note, updated_at`

const memberColumns = `id, household_id, id_number, name, relation, sex, birth_date, health, labor_skill,
	school_status, work_months, medical_insured, missing`

const incomeColumns = `household_id, year, wage, business, property, transfer, business_cost, net, per_capita,
	medical_oop, insurance_payout`

// householdRow adds the columns that the domain type keeps in another shape.
type householdRow struct {
	monitor.Household
	RisksText string `db:"risks"`
}

func (r *householdRow) household() *monitor.Household {
	h := r.Household
	h.Risks = splitRisks(r.RisksText)
	return &h
}

func splitRisks(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "、")
}

// querier is what both *sqlx.DB and *sqlx.Tx offer for reading.
type querier interface {
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// HouseholdFilter narrows FindHouseholds.
type HouseholdFilter struct {
	Township string
	Village  string
	Category string // one category, or "any" for every monitored household
	Query    string // name, 户编号 or the last digits of an ID number
	// Flag keeps the households with an open flag of this risk type, or
	// with any open flag when "any".
	Flag   string
	Limit  int
	Offset int
}

// FindHouseholdByCode returns a household of scope with its members and
// incomes. A household outside scope is ENOTFOUND, like one that does not
// exist.
func (db *DB) FindHouseholdByCode(ctx context.Context, scope Scope, code string) (*monitor.Household, error) {
	hs, err := db.loadHouseholds(ctx, db.x, []string{code})
	if err != nil {
		return nil, err
	}
	h, ok := hs[code]
	if !ok || !scope.Contains(h.Township, h.Village) {
		return nil, scopeNotFound(code)
	}
	return h, nil
}

// FindHouseholds lists the households of scope (without members) matching
// f, with the total before paging.
func (db *DB) FindHouseholds(ctx context.Context, scope Scope, f HouseholdFilter) ([]*monitor.Household, int, error) {
	sw, sargs := scope.where("")
	where, args := []string{sw}, sargs
	if f.Township != "" {
		where, args = append(where, "township = ?"), append(args, f.Township)
	}
	if f.Village != "" {
		where, args = append(where, "village = ?"), append(args, f.Village)
	}
	switch f.Category {
	case "":
	case "any":
		where = append(where, "category <> ''")
	default:
		where, args = append(where, "category = ?"), append(args, f.Category)
	}
	switch f.Flag {
	case "":
	case "any":
		where, args = append(where, "id IN (SELECT household_id FROM flags WHERE status = ?)"), append(args, monitor.FlagOpen)
	default:
		where, args = append(where, "id IN (SELECT household_id FROM flags WHERE status = ? AND risk_type = ?)"), append(args, monitor.FlagOpen, f.Flag)
	}
	if f.Query = monitor.CompactText(f.Query); f.Query != "" {
		cond, cargs := db.searchCondition(f.Query)
		where, args = append(where, cond), append(args, cargs...)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	cond := strings.Join(where, " AND ")
	if f.Query == "" {
		return db.pageHouseholds(ctx, scope, f, cond, args, limit)
	}
	// A search finds a few households: one statement pages them and
	// counts them all.
	q := `SELECT ` + householdColumns + `, COUNT(*) OVER () AS total FROM households WHERE ` + cond +
		` ORDER BY township, village, code LIMIT ? OFFSET ?`
	var rows []struct {
		householdRow
		Total int `db:"total"`
	}
	if err := db.x.SelectContext(ctx, &rows, db.rebind(q), append(args, limit, f.Offset)...); err != nil {
		return nil, 0, mapError(err)
	}
	out := make([]*monitor.Household, len(rows))
	total := 0
	for i := range rows {
		out[i] = rows[i].household()
		total = rows[i].Total
	}
	if len(rows) == 0 && f.Offset > 0 {
		// Past the last page: count separately so the pager still knows.
		if err := db.x.GetContext(ctx, &total, db.rebind(`SELECT COUNT(*) FROM households WHERE `+cond), args...); err != nil {
			return nil, 0, mapError(err)
		}
	}
	return out, total, nil
}

// pageHouseholds lists a page of a list without a search, which may hold
// the whole registry: COUNT(*) OVER () would read and sort every row of it
// for each page, so the page is read in index order and the total counted
// apart, or taken from the dashboard's figures when they are the same
// count.
func (db *DB) pageHouseholds(ctx context.Context, scope Scope, f HouseholdFilter, cond string, args []any, limit int) ([]*monitor.Household, int, error) {
	var rows []householdRow
	if err := db.x.SelectContext(ctx, &rows, db.rebind(`SELECT `+householdColumns+` FROM households WHERE `+cond+
		` ORDER BY township, village, code LIMIT ? OFFSET ?`), append(args, limit, f.Offset)...); err != nil {
		return nil, 0, mapError(err)
	}
	out := make([]*monitor.Household, len(rows))
	for i := range rows {
		out[i] = rows[i].household()
	}
	total, ok, err := db.summaryTotal(ctx, scope, f)
	if err != nil {
		return nil, 0, err
	}
	if !ok {
		if err := db.x.GetContext(ctx, &total, db.rebind(`SELECT COUNT(*) FROM households WHERE `+cond), args...); err != nil {
			return nil, 0, mapError(err)
		}
	}
	return out, total, nil
}

// summaryTotal is the number of households of a list without a search from
// the dashboard's figures of scope, when they hold it: all, monitored or
// of one category, in scope or in some of its villages, or with an open
// flag in scope.
func (db *DB) summaryTotal(ctx context.Context, scope Scope, f HouseholdFilter) (int, bool, error) {
	places := f.Township != "" || f.Village != ""
	switch {
	case f.Query != "", f.Flag != "" && (f.Flag != "any" || places || f.Category != ""):
		return 0, false, nil
	case places && f.Category != "" && f.Category != "any":
		return 0, false, nil
	}
	s, err := db.cachedSummary(ctx, scope)
	if err != nil {
		return 0, false, err
	}
	if f.Flag == "any" {
		return s.Flagged, true, nil
	}
	if places {
		n := 0
		for _, v := range s.ByVillage {
			if (f.Township == "" || v.Township == f.Township) && (f.Village == "" || v.Village == f.Village) {
				if f.Category == "" {
					n += v.Households
				} else {
					n += v.Monitored
				}
			}
		}
		return n, true, nil
	}
	switch f.Category {
	case "":
		return s.Households, true, nil
	case "any":
		return s.Monitored, true, nil
	}
	for _, c := range s.ByCategory {
		if c.Label == f.Category {
			return c.N, true, nil
		}
	}
	return 0, false, nil
}

// FindChanges returns the change history of a household of scope, newest
// first.
func (db *DB) FindChanges(ctx context.Context, scope Scope, householdCode string) ([]monitor.Change, error) {
	q := `SELECT c.id, c.at, c.actor, c.import_id, c.household_code, c.entity, c.entity_key, c.field, c.old_value, c.new_value,
		c.effective_on, c.note FROM changes c WHERE c.household_code = ?`
	args := []any{householdCode}
	if !scope.All {
		sw, sargs := scope.where("h.")
		q += ` AND EXISTS (SELECT 1 FROM households h WHERE h.code = c.household_code AND ` + sw + `)`
		args = append(args, sargs...)
	}
	var cs []monitor.Change
	err := db.x.SelectContext(ctx, &cs, db.rebind(q+` ORDER BY c.id DESC`), args...)
	return cs, mapError(err)
}

// CountRegistry returns the number of households and active members.
func (db *DB) CountRegistry(ctx context.Context) (households, members int, err error) {
	if err = db.x.GetContext(ctx, &households, `SELECT COUNT(*) FROM households`); err != nil {
		return 0, 0, mapError(err)
	}
	err = db.x.GetContext(ctx, &members, db.rebind(`SELECT COUNT(*) FROM members WHERE missing = ?`), false)
	return households, members, mapError(err)
}

// chunkSize bounds the number of values in one IN (…) list, well under
// both engines' parameter limits.
const chunkSize = 900

// loadHouseholds loads the households with these codes, their members and
// incomes, keyed by code.
func (db *DB) loadHouseholds(ctx context.Context, q querier, codes []string) (map[string]*monitor.Household, error) {
	out := make(map[string]*monitor.Household, len(codes))
	byID := make(map[int64]*monitor.Household, len(codes))
	var ids []int64
	err := selectIn(ctx, db, q, `SELECT `+householdColumns+` FROM households WHERE code IN (?)`, codes, func(r *householdRow) {
		h := r.household()
		out[h.Code] = h
		byID[h.ID] = h
		ids = append(ids, h.ID)
	})
	if err != nil {
		return nil, err
	}
	// Ids in order, so that each household's members arrive together and
	// in position order.
	slices.Sort(ids)
	err = selectIn(ctx, db, q, `SELECT `+memberColumns+` FROM members WHERE household_id IN (?) ORDER BY household_id, position`, ids, func(m *monitor.Member) {
		h := byID[m.HouseholdID]
		h.Members = append(h.Members, *m)
	})
	if err != nil {
		return nil, err
	}
	err = selectIn(ctx, db, q, `SELECT `+incomeColumns+` FROM incomes WHERE household_id IN (?) ORDER BY household_id, year`, ids, func(in *monitor.Income) {
		h := byID[in.HouseholdID]
		h.Incomes = append(h.Incomes, *in)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
