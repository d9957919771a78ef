package watch

import (
	"context"
	"fmt"
	"strings"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/rules"
)

// EliminationBlockers lists why the risk of a household of scope may not be
// eliminated as of asOf (empty when it may): income under the line, fewer stable months
// than required since identification, an open problem in the 三保障 or
// drinking water, or no labour ability (such households stay monitored
// after safety-net measures: 暂不标注消除).
func EliminationBlockers(ctx context.Context, db *store.DB, scope store.Scope, code string, asOf monitor.Date) ([]string, error) {
	l, err := Load(ctx, db)
	if err != nil {
		return nil, err
	}
	h, err := db.FindHouseholdByCode(ctx, scope, code)
	if err != nil {
		return nil, err
	}
	data, err := db.LoadHouseholdData(ctx, h.ID)
	if err != nil {
		return nil, err
	}
	h = data.Household
	var f rules.Facts
	loans := make([]rules.LoanFacts, len(data.Loans))
	for i := range data.Loans {
		loans[i] = rules.LoanFactsOf(&data.Loans[i], asOf)
	}
	line := l.Config.LineFor(h.Code, rules.IncomeYear(h, asOf))
	rules.BuildFacts(&f, h, asOf, rules.Inputs{Line: line, Params: l.Config.Params, Measures: data.Measures, Loans: loans, Dept: data.Dept})
	var why []string
	switch {
	case !f.Income.Has:
		why = append(why, "没有收入记录，无法确认收入稳定超过监测标准")
	case f.Income.PerCapita < line:
		why = append(why, fmt.Sprintf("家庭年人均纯收入 %.0f 元，低于 %d 年监测标准 %.0f 元", f.Income.PerCapita, f.Income.Year, line))
	}
	if stable := l.Config.Deadlines.StableMonths; f.Household.MonthsSinceIdentified >= 0 && f.Household.MonthsSinceIdentified < stable {
		why = append(why, fmt.Sprintf("纳入监测仅 %d 个月，原则上收入稳定须满 %d 个月", f.Household.MonthsSinceIdentified, stable))
	}
	if f.Household.HousingUnsafe || f.Dept.HousingUnsafe {
		why = append(why, "住房安全问题未解决")
	}
	if f.Household.WaterUnsafe || f.Dept.WaterUnsafe {
		why = append(why, "饮水安全问题未解决")
	}
	if f.Dropouts > 0 || f.Household.EducationGap {
		why = append(why, "有义务教育阶段适龄儿童少年失学辍学")
	}
	if f.Uninsured > 0 || f.Household.MedicalGap {
		why = append(why, "有家庭成员未参加基本医疗保险")
	}
	if len(f.Members) > 0 && f.Workers == 0 {
		why = append(why, "家庭无劳动能力：落实兜底保障后暂不标注风险消除")
	}
	return why, nil
}

// OpenCase starts an identification or elimination procedure for a
// household of scope. An elimination is refused when its conditions fail,
// unless override gives an authorised user's reason (recorded on the case).
func OpenCase(ctx context.Context, db *store.DB, scope store.Scope, c *monitor.Case, today monitor.Date) error {
	l, err := Load(ctx, db)
	if err != nil {
		return err
	}
	if c.OpenedOn.IsZero() {
		c.OpenedOn = today
	}
	if today.Before(c.OpenedOn) {
		return monitor.Errorf(monitor.EINVALID, "案件开始日期 %s 晚于今天", c.OpenedOn)
	}
	if c.Kind == monitor.CaseElimination {
		if err := checkElimination(ctx, db, scope, c, c.OpenedOn); err != nil {
			return err
		}
	}
	if c.Kind == monitor.CaseInclusion {
		if cat, ok := monitor.NormalizeCategory(c.Category); ok && cat != "" {
			c.Category = cat
		} else {
			return monitor.Errorf(monitor.EINVALID, "识别纳入须指定监测对象类别：%s", strings.Join(monitor.Categories, "、"))
		}
	}
	return db.OpenCase(ctx, scope, c, l.Config.Deadlines.IdentifyDays)
}

func checkElimination(ctx context.Context, db *store.DB, scope store.Scope, c *monitor.Case, on monitor.Date) error {
	ok := false
	for _, m := range monitor.EliminationMethods {
		ok = ok || c.Method == m
	}
	if !ok {
		return monitor.Errorf(monitor.EINVALID, "请指定风险消除方式：%s", strings.Join(monitor.EliminationMethods, "或"))
	}
	why, err := EliminationBlockers(ctx, db, scope, c.HouseholdCode, on)
	if err != nil {
		return err
	}
	if len(why) > 0 && strings.TrimSpace(c.OverrideReason) == "" {
		return monitor.Errorf(monitor.EINVALID, "不符合风险消除条件：%s。确需消除的，须由有权限的人员填写理由后办理", strings.Join(why, "；"))
	}
	return nil
}

// RecordStep records the next step of a case of scope as the account
// s.RecordedBy of role s.RecordedRole, checking who may record it
// (monitor.MayRecordStep), the procedure (order, dates, the public notice's
// length) and, for the last step of an elimination, the conditions again
// as of that day. An override reason needs an account above the village.
func RecordStep(ctx context.Context, db *store.DB, scope store.Scope, caseID int64, s monitor.CaseStep, override string, today monitor.Date) (*monitor.Case, error) {
	l, err := Load(ctx, db)
	if err != nil {
		return nil, err
	}
	c, err := db.FindCase(ctx, scope, caseID)
	if err != nil {
		return nil, err
	}
	// Who may record it comes first: a village account asking for 县级审定
	// is told it never may, not that 公示 comes before.
	if err := monitor.MayRecordStep(c, s.Step, s.RecordedBy, s.RecordedRole); err != nil {
		return nil, err
	}
	if err := monitor.CheckStep(c, s, l.Config.Deadlines.NoticeDays, today); err != nil {
		return nil, err
	}
	if override != "" {
		if err := monitor.CheckOverride(s.RecordedRole); err != nil {
			return nil, err
		}
		c.OverrideReason = override
	}
	if c.Kind == monitor.CaseElimination && c.Step == len(monitor.CaseSteps)-1 {
		if err := checkElimination(ctx, db, scope, c, s.DoneOn); err != nil {
			return nil, err
		}
	}
	return db.RecordStep(ctx, scope, caseID, s, func(cur *monitor.Case) error {
		// Checked above; the transaction re-checks the order in case
		// another step was recorded meanwhile.
		if cur.Step != c.Step {
			return monitor.Errorf(monitor.ECONFLICT, "案件 %d 刚被他人更新，请刷新后再记录", caseID)
		}
		if err := monitor.MayRecordStep(cur, s.Step, s.RecordedBy, s.RecordedRole); err != nil {
			return err
		}
		cur.OverrideReason = c.OverrideReason
		return nil
	})
}
