package store

import "context"

// LoadForTest loads households the way evaluation does (from their facts
// rows where current) and straight from the tables, for tests to compare.
func (db *DB) LoadForTest(ctx context.Context, ids []int64) (viaFacts, fromTables []*HouseholdData, err error) {
	if viaFacts, err = db.loadBatch(ctx, batchSel{ids: ids}); err != nil {
		return nil, nil, err
	}
	byID := map[int64]*HouseholdData{}
	for _, id := range ids {
		d := &HouseholdData{}
		byID[id] = d
		fromTables = append(fromTables, d)
	}
	return viaFacts, fromTables, db.loadRegistryRows(ctx, db.rx, batchSel{ids: ids}, byID)
}

// FactsRowsForTest counts the facts rows that are current.
func (db *DB) FactsRowsForTest(ctx context.Context) (current, all int, err error) {
	if err = db.x.GetContext(ctx, &all, `SELECT COUNT(*) FROM household_facts`); err != nil {
		return
	}
	err = db.x.GetContext(ctx, &current, `SELECT COUNT(*) FROM household_facts f JOIN households h ON h.id = f.household_id AND h.rev = f.rev`)
	return
}
