package store

import (
	"context"
	"fmt"

	"github.com/shouwang/shouwang/monitor"
)

// RejectOutOfScope checks a parsed roster against the uploader's scope and
// returns the households that may go on to ImportHouseholds. A household
// the file places outside scope, whose 户编号 is registered outside scope,
// or with a member registered in a household outside scope, is rejected as
// out_of_scope with the same words ("不属于您管辖的村（社区）"), so that an
// upload cannot be used to learn whether a code or an ID number is on the
// registry elsewhere. Checks
// across the whole file (the same ID in two households) ran before, in the
// parser, on every row. rep's counts and errors grow with each rejection.
func (db *DB) RejectOutOfScope(ctx context.Context, rep *monitor.ImportReport, batch []monitor.ImportHousehold, scope Scope, idColumn string) ([]monitor.ImportHousehold, error) {
	if scope.All {
		return batch, nil
	}
	type place struct {
		Key      string `db:"k"`
		Code     string `db:"code"`
		Township string `db:"township"`
		Village  string `db:"village"`
	}
	lookup := func(query string, keys []string) (map[string]place, error) {
		out := map[string]place{}
		err := selectIn(ctx, db, db.x, query, uniqueStrings(keys), func(r *place) { out[r.Key] = *r })
		if err != nil {
			return nil, err
		}
		return out, nil
	}
	var codes, ids []string
	for _, in := range batch {
		codes = append(codes, in.Household.Code)
		for _, m := range in.Household.Members {
			ids = append(ids, m.IDNumber)
		}
	}
	registered, err := lookup(`SELECT code AS k, code, township, village FROM households WHERE code IN (?)`, codes)
	if err != nil {
		return nil, err
	}
	owners, err := lookup(`SELECT m.id_number AS k, h.code, h.township, h.village FROM members m JOIN households h ON h.id = m.household_id WHERE m.id_number IN (?)`, ids)
	if err != nil {
		return nil, err
	}

	kept := batch[:0:0]
	for _, in := range batch {
		h := in.Household
		var issues []monitor.Issue
		switch old, ok := registered[h.Code]; {
		case !scope.Contains(h.Township, h.Village):
			issues = append(issues, monitor.Issue{Sheet: rep.Sheet, Row: in.Row, Value: h.Township + "/" + h.Village,
				Code: monitor.CodeOutOfScope, Household: h.Code,
				Message: fmt.Sprintf("本户（文件中为%s/%s）不属于您管辖的村（社区）（%s），未导入；请由该村或乡镇的用户导入", h.Township, h.Village, scope)})
		case ok && !scope.Contains(old.Township, old.Village):
			issues = append(issues, monitor.Issue{Sheet: rep.Sheet, Row: in.Row, Value: h.Code,
				Code: monitor.CodeOutOfScope, Household: h.Code,
				Message: fmt.Sprintf("户编号 %s 不属于您管辖的村（社区）（%s），未导入；如有疑问请联系乡镇核实", h.Code, scope)})
		default:
			for j, m := range h.Members {
				o, ok := owners[m.IDNumber]
				if !ok || o.Code == h.Code || scope.Contains(o.Township, o.Village) {
					continue // in scope, ImportHouseholds' own check names the household
				}
				issues = append(issues, monitor.Issue{Sheet: rep.Sheet, Row: in.MemberRows[j], Column: idColumn, Value: m.IDNumber,
					Code: monitor.CodeOutOfScope, Household: h.Code,
					Message: fmt.Sprintf("身份证号码 %s（%s）不属于您管辖的村（社区）（%s），本户未导入；如有疑问请联系乡镇核实", monitor.MaskID(m.IDNumber), m.Name, scope)})
			}
		}
		if len(issues) == 0 {
			kept = append(kept, in)
			continue
		}
		rep.Errors = append(rep.Errors, issues...)
		rep.Households.Rejected++
		rep.RejectedHouseholds = append(rep.RejectedHouseholds, h.Code)
	}
	return kept, nil
}
