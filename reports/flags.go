package reports

import (
	"fmt"
	"io"
	"iter"

	"github.com/shouwang/shouwang/monitor"
)

const flagsName = "风险预警清单"

const (
	fTownship = iota
	fVillage
	fCode
	fHead
	fRule
	fRuleName
	fKind
	fRisk
	fSeverity
	fExplain
	fFirst
	fLast
	fStatus
	fClosed
	fCase
)

var flagCols = []column{
	{"乡镇（街道）", kText}, {"村（社区）", kText}, {"户编号", kText}, {"户主姓名", kText},
	{"规则代码", kText}, {"规则名称", kText}, {"预警类别", kText}, {"风险类型", kText}, {"严重程度", kText},
	{"预警说明", kLong}, {"首次发现", kDate}, {"最近发现", kDate}, {"状态", kText}, {"关闭日期", kDate},
	{"案件状态", kText},
}

// Flag kinds, statuses and case statuses as staff read them.
var (
	flagKinds    = map[string]string{"risk": "致贫返贫风险", "quality": "数据质量核查", "loan": "小额信贷核查"}
	flagStatuses = map[string]string{monitor.FlagOpen: "预警中", monitor.FlagClosed: "已关闭"}
	caseStatuses = map[string]string{"open": "办理中", "done": "已办结", "cancelled": "已撤销"}
)

// label is the Chinese label of a code, or the code itself when unknown.
func label(labels map[string]string, code string) string {
	if l, ok := labels[code]; ok {
		return l
	}
	return code
}

// Flags writes the 风险预警清单: one row per flag as given (the caller
// chooses open flags or all), a subtotal per village (户数 and 条数) and a
// total. Rows should arrive ordered by township and village; the household
// count of a village is of the distinct households among its rows.
func Flags(w io.Writer, m Meta, flags iter.Seq2[monitor.Flag, error]) error {
	err := writeTable(w, m, flagsName, false, flagCols, func(t *table) error {
		var (
			cur            placeKey
			started        bool
			seen           = map[string]bool{} // households of the current village
			vn, all, allHH int
		)
		subtotal := func() error {
			t.str(fTownship, cur.township)
			t.str(fVillage, cur.village+"小计")
			t.count(fCode, len(seen), "户")
			t.count(fRule, vn, "条")
			return t.emit(rowSub)
		}
		for f, err := range flags {
			if err != nil {
				return err
			}
			if k := (placeKey{f.Township, f.Village}); !started || k != cur {
				if started {
					if err := subtotal(); err != nil {
						return err
					}
				}
				cur, started, vn = k, true, 0
				clear(seen)
			}
			hk := householdKey(f.HouseholdCode, f.HouseholdID)
			if !seen[hk] {
				seen[hk] = true
				allHH++
			}
			vn++
			all++
			t.str(fTownship, f.Township)
			t.str(fVillage, f.Village)
			t.str(fCode, f.HouseholdCode)
			t.str(fHead, f.HeadName)
			t.str(fRule, f.RuleCode)
			t.str(fRuleName, f.RuleName)
			t.str(fKind, label(flagKinds, f.Kind))
			t.str(fRisk, f.RiskType)
			t.str(fSeverity, f.Severity)
			t.str(fExplain, f.Explanation)
			t.date(fFirst, f.FirstSeen)
			t.date(fLast, f.LastSeen)
			t.str(fStatus, label(flagStatuses, f.Status))
			t.date(fClosed, f.ClosedOn)
			t.str(fCase, label(caseStatuses, f.CaseStatus))
			if err := t.emit(rowData); err != nil {
				return err
			}
		}
		if started {
			if err := subtotal(); err != nil {
				return err
			}
		}
		t.str(fTownship, "合计")
		t.count(fCode, allHH, "户")
		t.count(fRule, all, "条")
		return t.emit(rowTotal)
	})
	if err != nil {
		return fmt.Errorf("reports: flags: %w", err)
	}
	return nil
}

// householdKey identifies a household by its code, or by its id when a
// record carries no code.
func householdKey(code string, id int64) string {
	if code != "" {
		return code
	}
	return fmt.Sprintf("#%d", id)
}
