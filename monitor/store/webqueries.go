package store

import (
	"context"

	"github.com/shouwang/shouwang/monitor"
)

// Audit actions of the work done in the web app: case steps, measures,
// cadres, loans, leads, rules and parameters.
const (
	AuditCaseOpen      = "case_open"
	AuditCaseStep      = "case_step"
	AuditCaseCancel    = "case_cancel"
	AuditMeasureAdd    = "measure_add"
	AuditMeasureEdit   = "measure_edit"
	AuditMeasureEnd    = "measure_end"
	AuditCadreSet      = "cadre_set"
	AuditLoanAdd       = "loan_add"
	AuditLoanRepayment = "loan_repayment"
	AuditLoanExtend    = "loan_extend"
	AuditLoanSettle    = "loan_settle"
	AuditLeadStatus    = "lead_status"
	AuditRulesSave     = "rules_save"
	AuditParamsSave    = "params_save"
)

// FindFlag returns one flag of a household of scope, with its household's
// place and head. A flag outside scope is ENOTFOUND, like one that does not
// exist.
func (db *DB) FindFlag(ctx context.Context, scope Scope, id int64) (*monitor.Flag, error) {
	sw, sargs := scope.where("h.")
	var fs []monitor.Flag
	err := db.x.SelectContext(ctx, &fs, db.rebind(`SELECT f.id, f.household_id, h.code AS household_code, h.head_name, h.township, h.village,
		f.rule_code, f.rule_name, f.risk_type, f.severity, f.kind, f.explanation, f.status, f.first_seen, f.last_seen, f.closed_on, f.config_version,
		COALESCE((SELECT c.status FROM cases c WHERE c.household_id = f.household_id ORDER BY c.id DESC LIMIT 1), '') AS case_status
		FROM flags f JOIN households h ON h.id = f.household_id WHERE f.id = ? AND `+sw), append([]any{id}, sargs...)...)
	if err != nil {
		return nil, mapError(err)
	}
	if len(fs) == 0 {
		return nil, monitor.Errorf(monitor.ENOTFOUND, "预警 %d 不存在", id)
	}
	return &fs[0], nil
}

// Coverage is one village's 帮扶措施落实率: its monitored households (a
// 监测对象类别 set, as the reports count them) and how many of them have at
// least one measure in place on the date asked.
type Coverage struct {
	Township    string `db:"township" json:"township"`
	Village     string `db:"village" json:"village"`
	Monitored   int    `db:"monitored" json:"monitored"`
	WithMeasure int    `db:"with_measure" json:"with_measure"`
}

// Rate is WithMeasure ÷ Monitored, 0 when nothing is monitored.
func (c Coverage) Rate() float64 {
	if c.Monitored == 0 {
		return 0
	}
	return float64(c.WithMeasure) / float64(c.Monitored)
}

// Missing is the monitored households without a measure in place.
func (c Coverage) Missing() int { return c.Monitored - c.WithMeasure }

// MeasureCoverage computes the coverage of every village of scope as of
// asOf. "In place" is monitor.Measure.ActiveOn written in SQL: not planned,
// started by asOf (or no start date), not ended before asOf. A test holds
// the two to the same answer.
func (db *DB) MeasureCoverage(ctx context.Context, scope Scope, asOf monitor.Date) ([]Coverage, error) {
	sw, sargs := scope.where("h.")
	args := append([]any{monitor.MeasurePlanned, asOf, asOf}, sargs...)
	var out []Coverage
	err := db.x.SelectContext(ctx, &out, db.rebind(`SELECT h.township, h.village, COUNT(*) AS monitored,
		SUM(CASE WHEN EXISTS (SELECT 1 FROM measures m WHERE m.household_id = h.id AND m.status <> ?
			AND (m.start_date IS NULL OR m.start_date <= ?) AND (m.end_date IS NULL OR m.end_date >= ?)) THEN 1 ELSE 0 END) AS with_measure
		FROM households h WHERE h.category <> '' AND `+sw+`
		GROUP BY h.township, h.village ORDER BY h.township, h.village`), args...)
	if err != nil {
		return nil, mapError(err)
	}
	return out, nil
}

// OpenFlagsByRule counts the open flags of every household by rule code:
// what the rules in force flag now, beside a preview of changed rules.
func (db *DB) OpenFlagsByRule(ctx context.Context) (map[string]int, error) {
	var rows []struct {
		Code string `db:"rule_code"`
		N    int    `db:"n"`
	}
	if err := db.x.SelectContext(ctx, &rows, db.rebind(`SELECT rule_code, COUNT(*) AS n FROM flags WHERE status = ? GROUP BY rule_code`), monitor.FlagOpen); err != nil {
		return nil, mapError(err)
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.Code] = r.N
	}
	return out, nil
}

// HouseholdBrief is what a list shows of a household beside its records.
type HouseholdBrief struct {
	Code           string `db:"code"`
	HeadName       string `db:"head_name"`
	Township       string `db:"township"`
	Village        string `db:"village"`
	Category       string `db:"category"`
	RiskEliminated bool   `db:"risk_eliminated"`
}

// Monitored reports whether the household is a 监测对象 whose risk is not
// eliminated: it cannot be identified again.
func (b HouseholdBrief) Monitored() bool { return b.Category != "" && !b.RiskEliminated }

// FindHouseholdBriefs returns the households of scope among codes, by
// code (codes outside scope or unknown are left out).
func (db *DB) FindHouseholdBriefs(ctx context.Context, scope Scope, codes []string) (map[string]HouseholdBrief, error) {
	sw, sargs := scope.where("")
	out := make(map[string]HouseholdBrief, len(codes))
	for start := 0; start < len(codes); start += chunkSize {
		q, args, err := inQuery(`SELECT code, head_name, township, village, category, risk_eliminated FROM households WHERE code IN (?)`, codes[start:min(start+chunkSize, len(codes))])
		if err != nil {
			return nil, err
		}
		var rows []HouseholdBrief
		if err := db.x.SelectContext(ctx, &rows, db.rebind(q+` AND `+sw), append(args, sargs...)...); err != nil {
			return nil, mapError(err)
		}
		for _, r := range rows {
			out[r.Code] = r
		}
	}
	return out, nil
}
