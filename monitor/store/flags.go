package store

import (
	"context"
	"strings"

	"github.com/shouwang/shouwang/monitor"
)

// FlagFilter narrows FindFlags.
type FlagFilter struct {
	Status        string // open (default), closed or all
	Township      string
	Village       string
	HouseholdCode string
	RuleCode      string
	RiskType      string
	Severity      string // 高, 中 or 低
	Limit         int
	Offset        int
}

// FindFlags lists the flags of scope's households with their household's
// place and head, and the status of the household's newest open case, with
// the total before paging.
func (db *DB) FindFlags(ctx context.Context, scope Scope, f FlagFilter) ([]monitor.Flag, int, error) {
	sw, sargs := scope.where("h.")
	where, args := []string{sw}, sargs
	switch f.Status {
	case "", monitor.FlagOpen:
		where, args = append(where, "f.status = ?"), append(args, monitor.FlagOpen)
	case monitor.FlagClosed:
		where, args = append(where, "f.status = ?"), append(args, monitor.FlagClosed)
	case "all":
	default:
		return nil, 0, monitor.Errorf(monitor.EINVALID, "状态 %q 无效，可用 open、closed、all", f.Status)
	}
	for _, c := range []struct {
		col, val string
	}{{"h.township", f.Township}, {"h.village", f.Village}, {"h.code", f.HouseholdCode}, {"f.rule_code", f.RuleCode}, {"f.risk_type", f.RiskType}, {"f.severity", f.Severity}} {
		if c.val != "" {
			where, args = append(where, c.col+" = ?"), append(args, c.val)
		}
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 1 << 30
	}
	q := `SELECT f.id, f.household_id, h.code AS household_code, h.head_name, h.township, h.village, f.rule_code, f.rule_name,
		f.risk_type, f.severity, f.kind, f.explanation, f.status, f.first_seen, f.last_seen, f.closed_on, f.config_version,
		COALESCE((SELECT c.status FROM cases c WHERE c.household_id = f.household_id ORDER BY c.id DESC LIMIT 1), '') AS case_status,
		COUNT(*) OVER () AS total
		FROM flags f JOIN households h ON h.id = f.household_id
		WHERE ` + strings.Join(where, " AND ") + `
		ORDER BY h.township, h.village, h.code, f.rule_code, f.id LIMIT ? OFFSET ?`
	args = append(args, limit, f.Offset)
	var rows []struct {
		monitor.Flag
		Total int `db:"total"`
	}
	if err := db.x.SelectContext(ctx, &rows, db.rebind(q), args...); err != nil {
		return nil, 0, mapError(err)
	}
	out := make([]monitor.Flag, len(rows))
	total := 0
	for i, r := range rows {
		out[i], total = r.Flag, r.Total
	}
	return out, total, nil
}

// HouseholdIDsByCode maps household codes to ids (unknown codes are left out).
func (db *DB) HouseholdIDsByCode(ctx context.Context, codes []string) (map[string]int64, error) {
	out := map[string]int64{}
	for start := 0; start < len(codes); start += chunkSize {
		var rows []struct {
			ID   int64  `db:"id"`
			Code string `db:"code"`
		}
		q, args, err := inQuery(`SELECT id, code FROM households WHERE code IN (?)`, codes[start:min(start+chunkSize, len(codes))])
		if err != nil {
			return nil, err
		}
		if err := db.x.SelectContext(ctx, &rows, db.rebind(q), args...); err != nil {
			return nil, mapError(err)
		}
		for _, r := range rows {
			out[r.Code] = r.ID
		}
	}
	return out, nil
}
