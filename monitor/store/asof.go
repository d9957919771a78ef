package store

import (
	"context"

	"github.com/shouwang/shouwang/monitor"
)

// asOfHouseholds turns each household of hs into what it was at the end of
// asOf (monitor.Household.AsOf, from the change history) and reports which
// existed by then. Members must have been loaded with the missing ones.
// The history of a batch is read in one query.
func (db *DB) asOfHouseholds(ctx context.Context, hs []monitor.Household, asOf monitor.Date) ([]bool, error) {
	exists := make([]bool, len(hs))
	if len(hs) == 0 {
		return exists, nil
	}
	byCode := make(map[string]int, len(hs))
	args := make([]any, len(hs))
	for i := range hs {
		byCode[hs[i].Code] = i
		args[i] = hs[i].Code
	}
	history := make([][]monitor.Change, len(hs))
	rows, err := db.rx.QueryContext(ctx, db.rebind(`SELECT id, at, household_code, entity, entity_key, field, old_value, new_value, effective_on
		FROM changes WHERE household_code IN (`+placeholders(len(args))+`) AND entity IN ('household', 'member')`), args...)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var c monitor.Change
		if err := rows.Scan(&c.ID, &c.At, &c.HouseholdCode, &c.Entity, &c.EntityKey, &c.Field, &c.OldValue, &c.NewValue, &c.EffectiveOn); err != nil {
			return nil, mapError(err)
		}
		if !asOf.Before(c.EffectiveDate()) {
			continue // holds by asOf: nothing to take back
		}
		i := byCode[c.HouseholdCode]
		history[i] = append(history[i], c)
	}
	if err := rows.Err(); err != nil {
		return nil, mapError(err)
	}
	for i := range hs {
		h, ok := hs[i].AsOf(asOf, history[i])
		hs[i], exists[i] = h, ok
	}
	return exists, nil
}
