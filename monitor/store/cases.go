package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/shouwang/shouwang/monitor"
)

const caseColumns = `c.id, c.household_id, h.code AS household_code, h.head_name, h.township, h.village, c.kind, c.channel,
	c.flag_id, c.status, c.step, c.emergency, c.opened_on, c.due_on, c.closed_on, c.category, c.risks, c.method,
	c.override_reason, c.opened_by, c.note`

const stepColumns = `id, case_id, step, done_on, person, note, notice_start, notice_end, recorded_by, recorded_role, recorded_at`

// OpenCase starts a procedure for a household of scope. A household has at
// most one open case of each kind. An emergency (先帮扶后认定) inclusion marks
// the household monitored at once, so help can be recorded before the steps.
func (db *DB) OpenCase(ctx context.Context, scope Scope, c *monitor.Case, identifyDays int) error {
	if c.Kind != monitor.CaseInclusion && c.Kind != monitor.CaseElimination {
		return monitor.Errorf(monitor.EINVALID, "案件类型 %q 无效：inclusion（识别纳入）或 elimination（风险消除）", c.Kind)
	}
	if c.Kind == monitor.CaseInclusion && c.Category != "" {
		if _, ok := monitor.NormalizeCategory(c.Category); !ok {
			return monitor.Errorf(monitor.EINVALID, "监测对象类别 %q 无效", c.Category)
		}
	}
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := db.lockRegistry(ctx, tx); err != nil {
			return err
		}
		var h householdRow
		if err := tx.GetContext(ctx, &h, db.rebind(`SELECT `+householdColumns+` FROM households WHERE code = ?`), c.HouseholdCode); err != nil {
			if monitor.ErrorCode(mapError(err)) == monitor.ENOTFOUND {
				return scopeNotFound(c.HouseholdCode)
			}
			return mapError(err)
		}
		if !scope.Contains(h.Township, h.Village) {
			return scopeNotFound(c.HouseholdCode)
		}
		if c.FlagID != nil {
			var n int
			if err := tx.GetContext(ctx, &n, db.rebind(`SELECT COUNT(*) FROM flags WHERE id = ? AND household_id = ?`), *c.FlagID, h.ID); err != nil {
				return mapError(err)
			}
			if n == 0 {
				return monitor.Errorf(monitor.EINVALID, "预警 %d 不属于户编号 %s", *c.FlagID, c.HouseholdCode)
			}
		}
		var open int
		if err := tx.GetContext(ctx, &open, db.rebind(`SELECT COUNT(*) FROM cases WHERE household_id = ? AND kind = ? AND status = ?`), h.ID, c.Kind, monitor.CaseOpen); err != nil {
			return mapError(err)
		}
		if open > 0 {
			return monitor.Errorf(monitor.ECONFLICT, "户编号 %s 已有一个未办结的%s案件", c.HouseholdCode, monitor.CaseKindLabel(c.Kind))
		}
		if c.Kind == monitor.CaseInclusion && h.Category != "" && !h.RiskEliminated {
			return monitor.Errorf(monitor.ECONFLICT, "户编号 %s 已是监测对象（%s），无需再识别纳入", c.HouseholdCode, h.Category)
		}
		if c.Kind == monitor.CaseElimination && (h.Category == "" || h.RiskEliminated) {
			return monitor.Errorf(monitor.EINVALID, "户编号 %s 不是未消除风险的监测对象，不能发起风险消除", c.HouseholdCode)
		}
		c.HouseholdID, c.Status, c.Step = h.ID, monitor.CaseOpen, 0
		c.DueOn = c.OpenedOn.AddDays(identifyDays)
		c.RisksText = strings.Join(c.Risks, "、")
		err := tx.GetContext(ctx, &c.ID, db.rebind(`INSERT INTO cases (household_id, kind, channel, flag_id, status, step, emergency,
			opened_on, due_on, closed_on, category, risks, method, override_reason, opened_by, note)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			c.HouseholdID, c.Kind, c.Channel, c.FlagID, c.Status, c.Step, c.Emergency, c.OpenedOn, c.DueOn, nil,
			c.Category, c.RisksText, c.Method, c.OverrideReason, c.OpenedBy, c.Note)
		if err != nil {
			return mapError(err)
		}
		if c.Emergency && c.Kind == monitor.CaseInclusion {
			return db.applyInclusion(ctx, tx, h.household(), c, c.OpenedOn, "先帮扶后认定：案件开启即纳入监测", c.OpenedBy)
		}
		return nil
	})
}

// RecordStep records the next step of a case of scope, with the account
// and role that record it (s.RecordedBy, s.RecordedRole). check sees the
// case with its steps, read under the registry lock, and may refuse (the
// procedure's rules, who may record the step, and for the last step of an
// elimination the conditions); the last step applies the outcome to the
// household, with its change history, in the same transaction.
func (db *DB) RecordStep(ctx context.Context, scope Scope, caseID int64, s monitor.CaseStep, check func(c *monitor.Case) error) (*monitor.Case, error) {
	var out *monitor.Case
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := db.lockRegistry(ctx, tx); err != nil {
			return err
		}
		c, err := db.findCase(ctx, tx, scope, caseID)
		if err != nil {
			return err
		}
		if err := check(c); err != nil {
			return err
		}
		s.CaseID, s.RecordedAt = c.ID, db.Now()
		err = tx.GetContext(ctx, &s.ID, db.rebind(`INSERT INTO case_steps (case_id, step, done_on, person, note, notice_start, notice_end, recorded_by, recorded_role, recorded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`), s.CaseID, s.Step, s.DoneOn, s.Person, s.Note, s.NoticeStart, s.NoticeEnd, s.RecordedBy, s.RecordedRole, s.RecordedAt)
		if err != nil {
			return mapError(err)
		}
		c.Steps = append(c.Steps, s)
		c.Step++
		if c.NextStep() == "" {
			if err := db.completeCase(ctx, tx, c, s); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE cases SET step = ?, status = ?, closed_on = ?, override_reason = ? WHERE id = ?`),
			c.Step, c.Status, c.ClosedOn, c.OverrideReason, c.ID); err != nil {
			return mapError(err)
		}
		out = c
		return nil
	})
	return out, err
}

// completeCase applies a finished procedure to the household. The history
// credits the account that recorded the deciding step (县级审定), and the
// change holds from that step's date.
func (db *DB) completeCase(ctx context.Context, tx *sqlx.Tx, c *monitor.Case, last monitor.CaseStep) error {
	var h householdRow
	if err := tx.GetContext(ctx, &h, db.rebind(`SELECT `+householdColumns+` FROM households WHERE id = ?`), c.HouseholdID); err != nil {
		return mapError(err)
	}
	c.Status, c.ClosedOn = monitor.CaseDone, last.DoneOn
	if c.Kind == monitor.CaseInclusion {
		return db.applyInclusion(ctx, tx, h.household(), c, last.DoneOn, "县级审定纳入监测", last.RecordedBy)
	}
	old := h.household()
	nh := *old
	nh.RiskEliminated, nh.EliminationMethod, nh.EliminatedOn = true, c.Method, last.DoneOn
	return db.updateHouseholdFields(ctx, tx, old, &nh, fmt.Sprintf("风险消除案件 %d：县级审定", c.ID), last.RecordedBy, last.DoneOn)
}

// applyInclusion marks the household monitored with the case's category
// and risks, identified in the month of on; actor is the account credited.
func (db *DB) applyInclusion(ctx context.Context, tx *sqlx.Tx, old *monitor.Household, c *monitor.Case, on monitor.Date, why, actor string) error {
	nh := *old
	nh.Category = c.Category
	if len(c.Risks) > 0 {
		nh.Risks = c.Risks
	}
	if old.IdentifiedIn.IsZero() || old.RiskEliminated || old.Category == "" {
		nh.IdentifiedIn = monitor.YearMonth{Year: on.Year, Month: on.Month}
	}
	nh.RiskEliminated, nh.EliminationMethod, nh.EliminatedOn = false, "", monitor.Date{}
	return db.updateHouseholdFields(ctx, tx, old, &nh, fmt.Sprintf("识别纳入案件 %d：%s", c.ID, why), actor, on)
}

// updateHouseholdFields writes a household's own fields and records each
// change; note says why (the case), actor who, on from when it holds.
func (db *DB) updateHouseholdFields(ctx context.Context, tx *sqlx.Tx, old, nh *monitor.Household, note, actor string, on monitor.Date) error {
	now := db.Now()
	diffs := monitor.DiffFields(old.Fields(), nh.Fields())
	if len(diffs) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, db.rebind(`UPDATE households SET category = ?, risks = ?, identified_ym = ?, risk_eliminated = ?,
		elimination_method = ?, eliminated_on = ?, updated_at = ?, rev = rev + 1 WHERE id = ?`),
		nh.Category, strings.Join(nh.Risks, "、"), nh.IdentifiedIn, nh.RiskEliminated, nh.EliminationMethod, nh.EliminatedOn, now, old.ID); err != nil {
		return mapError(err)
	}
	cs := make([]monitor.Change, len(diffs))
	for i, d := range diffs {
		cs[i] = monitor.Change{At: now, Actor: actor, HouseholdCode: old.Code, Entity: "household", EntityKey: old.Code,
			Field: d[0].Name, OldValue: d[0].Value, NewValue: d[1].Value, EffectiveOn: on, Note: note}
	}
	return db.insertChanges(ctx, tx, nil, cs)
}

// CancelCase closes an open case of scope without an outcome.
func (db *DB) CancelCase(ctx context.Context, scope Scope, id int64, on monitor.Date, reason string) error {
	if strings.TrimSpace(reason) == "" {
		return monitor.Errorf(monitor.EINVALID, "撤销案件须填写原因")
	}
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		c, err := db.findCase(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		if c.Status != monitor.CaseOpen {
			return monitor.Errorf(monitor.EINVALID, "案件 %d 不是办理中，不能撤销", id)
		}
		_, err = tx.ExecContext(ctx, db.rebind(`UPDATE cases SET status = ?, closed_on = ?, note = ? WHERE id = ?`),
			monitor.CaseCancelled, on, strings.TrimSpace(c.Note+" 撤销原因："+reason), id)
		return mapError(err)
	})
}

// FindCase returns a case of scope with its steps. A case of a household
// outside scope is ENOTFOUND, like one that does not exist.
func (db *DB) FindCase(ctx context.Context, scope Scope, id int64) (*monitor.Case, error) {
	return db.findCase(ctx, db.x, scope, id)
}

func (db *DB) findCase(ctx context.Context, q querier, scope Scope, id int64) (*monitor.Case, error) {
	var c monitor.Case
	sw, sargs := scope.where("h.")
	if err := q.GetContext(ctx, &c, db.rebind(`SELECT `+caseColumns+` FROM cases c JOIN households h ON h.id = c.household_id WHERE c.id = ? AND `+sw),
		append([]any{id}, sargs...)...); err != nil {
		if monitor.ErrorCode(mapError(err)) == monitor.ENOTFOUND {
			return nil, monitor.Errorf(monitor.ENOTFOUND, "案件 %d 不存在", id)
		}
		return nil, mapError(err)
	}
	c.Risks = splitRisks(c.RisksText)
	if err := q.SelectContext(ctx, &c.Steps, db.rebind(`SELECT `+stepColumns+` FROM case_steps WHERE case_id = ? ORDER BY id`), id); err != nil {
		return nil, mapError(err)
	}
	return &c, nil
}

// CaseFilter narrows FindCases.
type CaseFilter struct {
	Status        string // open (default), done, cancelled or all
	Township      string
	Village       string
	HouseholdCode string
	Kind          string       // monitor.CaseInclusion or monitor.CaseElimination; "" for both
	NextStep      string       // only open cases whose next step is this one (monitor.CaseSteps)
	OverdueOn     monitor.Date // only cases past their deadline on this date
}

// FindCases lists the cases of scope's households, overdue first then by
// deadline, each with its steps; Overdue is set against asOf.
func (db *DB) FindCases(ctx context.Context, scope Scope, f CaseFilter, asOf monitor.Date) ([]monitor.Case, error) {
	sw, sargs := scope.where("h.")
	where, args := []string{sw}, sargs
	switch f.Status {
	case "":
		where, args = append(where, "c.status = ?"), append(args, monitor.CaseOpen)
	case "all":
	case monitor.CaseOpen, monitor.CaseDone, monitor.CaseCancelled:
		where, args = append(where, "c.status = ?"), append(args, f.Status)
	default:
		return nil, monitor.Errorf(monitor.EINVALID, "案件状态 %q 无效，可用 open、done、cancelled、all", f.Status)
	}
	for _, c := range []struct{ col, val string }{{"h.township", f.Township}, {"h.village", f.Village}, {"h.code", f.HouseholdCode}, {"c.kind", f.Kind}} {
		if c.val != "" {
			where, args = append(where, c.col+" = ?"), append(args, c.val)
		}
	}
	if f.NextStep != "" {
		i := slices.Index(monitor.CaseSteps, f.NextStep)
		if i < 0 {
			return nil, monitor.Errorf(monitor.EINVALID, "步骤 %q 无效，可用：%s", f.NextStep, strings.Join(monitor.CaseSteps, "、"))
		}
		where, args = append(where, "c.status = ? AND c.step = ?"), append(args, monitor.CaseOpen, i)
	}
	if !f.OverdueOn.IsZero() {
		where, args = append(where, "c.status = ? AND c.due_on < ?"), append(args, monitor.CaseOpen, f.OverdueOn)
	}
	var cs []monitor.Case
	if err := db.x.SelectContext(ctx, &cs, db.rebind(`SELECT `+caseColumns+` FROM cases c JOIN households h ON h.id = c.household_id WHERE `+
		strings.Join(where, " AND ")+` ORDER BY c.due_on, c.id`), args...); err != nil {
		return nil, mapError(err)
	}
	if len(cs) == 0 {
		return cs, nil
	}
	ids := make([]int64, len(cs))
	idx := map[int64]int{}
	for i := range cs {
		ids[i], idx[cs[i].ID] = cs[i].ID, i
		cs[i].Risks = splitRisks(cs[i].RisksText)
		cs[i].Overdue = cs[i].OverdueOn(asOf)
	}
	for start := 0; start < len(ids); start += chunkSize {
		q, a, _ := sqlx.In(`SELECT `+stepColumns+` FROM case_steps WHERE case_id IN (?) ORDER BY id`, ids[start:min(start+chunkSize, len(ids))])
		var steps []monitor.CaseStep
		if err := db.x.SelectContext(ctx, &steps, db.rebind(q), a...); err != nil {
			return nil, mapError(err)
		}
		for _, s := range steps {
			c := &cs[idx[s.CaseID]]
			c.Steps = append(c.Steps, s)
		}
	}
	// Overdue first, then by deadline.
	out := make([]monitor.Case, 0, len(cs))
	for _, c := range cs {
		if c.Overdue {
			out = append(out, c)
		}
	}
	for _, c := range cs {
		if !c.Overdue {
			out = append(out, c)
		}
	}
	return out, nil
}
