package reports

import (
	"fmt"
	"io"
	"iter"

	"github.com/shouwang/shouwang/monitor"
)

// RosterHousehold is one household of the roster with its 帮扶责任人
// (nil when none is assigned).
type RosterHousehold struct {
	H     *monitor.Household
	Cadre *monitor.Cadre
}

const rosterName = "监测对象花名册"

// Roster columns: the household's, repeated on each member's row so that
// the sheet filters and sorts, then the member's.
const (
	rTownship = iota
	rVillage
	rGroup
	rCode
	rHead
	rSize
	rType
	rCategory
	rRisk1                                    // …风险5
	rIdentified = iota + monitor.MaxRisks - 1 // after 风险5
	rIncome
	rEliminated
	rMethod
	rEliminatedOn
	rCadre
	rCadrePhone
	rName // first member column
	rID
	rRelation
	rSex
	rAge
	rHealth
	rLabor
	rSchool
	rCols
)

var rosterCols = func() []column {
	cols := []column{
		{"乡镇（街道）", kText}, {"村（社区）", kText}, {"组", kText}, {"户编号", kText}, {"户主姓名", kText},
		{"人口数", kInt}, {"户类型", kText}, {"监测对象类别", kText},
	}
	for i := 1; i <= monitor.MaxRisks; i++ {
		cols = append(cols, column{fmt.Sprintf("风险%d", i), kText})
	}
	return append(cols,
		column{"识别监测时间", kMonth}, column{"人均纯收入（元）", kYuan}, column{"风险是否消除", kText},
		column{"风险消除方式", kText}, column{"风险消除时间", kDate}, column{"帮扶责任人", kText},
		column{"责任人联系电话", kText},
		column{"姓名", kText}, column{"身份证号", kText}, column{"与户主关系", kText}, column{"性别", kText},
		column{"年龄", kInt}, column{"健康状况", kText}, column{"劳动技能", kText}, column{"在校生状况", kText},
	)
}()

// Roster writes the 监测对象花名册: one row per member with the household's
// columns repeated (a household without members gets one row), a subtotal
// row per village (户数 and 人数, the people listed) and a total row.
//
// Rows should arrive ordered by township and village (a village met again
// later gets a second subtotal). Ages are as of m.AsOf; 人均纯收入 is from
// the latest income record of m.Year or before.
func Roster(w io.Writer, m Meta, rows iter.Seq2[RosterHousehold, error]) error {
	err := writeTable(w, m, rosterName, true, rosterCols, func(t *table) error {
		var (
			cur              placeKey
			started          bool
			vh, vp, all, ppl int
		)
		subtotal := func() error {
			t.str(rTownship, cur.township)
			t.str(rVillage, cur.village+"小计")
			t.count(rCode, vh, "户")
			t.count(rSize, vp, "人")
			return t.emit(rowSub)
		}
		hh := make([]cell, rName)
		for r, err := range rows {
			if err != nil {
				return err
			}
			h := r.H
			if h == nil {
				continue
			}
			if k := (placeKey{h.Township, h.Village}); !started || k != cur {
				if started {
					if err := subtotal(); err != nil {
						return err
					}
				}
				cur, started, vh, vp = k, true, 0, 0
			}
			vh++
			all++
			rosterHousehold(t, m, r)
			copy(hh, t.cur[:rName])
			for i := 0; i < max(1, len(h.Members)); i++ {
				copy(t.cur, hh)
				if i < len(h.Members) {
					rosterMember(t, m, &h.Members[i])
					vp++
					ppl++
				}
				if err := t.emit(rowData); err != nil {
					return err
				}
			}
		}
		if started {
			if err := subtotal(); err != nil {
				return err
			}
		}
		t.str(rTownship, "合计")
		t.count(rCode, all, "户")
		t.count(rSize, ppl, "人")
		return t.emit(rowTotal)
	})
	if err != nil {
		return fmt.Errorf("reports: roster: %w", err)
	}
	return nil
}

// rosterHousehold fills the household columns of the current row.
func rosterHousehold(t *table, m Meta, r RosterHousehold) {
	h := r.H
	t.str(rTownship, h.Township)
	t.str(rVillage, h.Village)
	t.str(rGroup, h.Group)
	t.str(rCode, h.Code)
	t.str(rHead, h.HeadName)
	if h.Size > 0 {
		t.num(rSize, h.Size)
	}
	t.str(rType, h.Type)
	t.str(rCategory, h.Category)
	for i, risk := range h.Risks {
		if i < monitor.MaxRisks {
			t.str(rRisk1+i, risk)
		}
	}
	t.month(rIdentified, h.IdentifiedIn)
	if in := incomeOf(h, m.Year); in != nil {
		pc := in.PerCapita
		if pc == 0 {
			pc = monitor.PerCapitaOf(in.Net, h.Size)
		}
		t.money(rIncome, pc)
	}
	if h.Monitored() {
		t.str(rEliminated, yesNo(h.RiskEliminated))
	}
	t.str(rMethod, h.EliminationMethod)
	t.date(rEliminatedOn, h.EliminatedOn)
	if c := r.Cadre; c != nil {
		t.str(rCadre, c.Name)
		t.str(rCadrePhone, c.Phone)
	}
}

// rosterMember fills the member columns of the current row.
func rosterMember(t *table, m Meta, p *monitor.Member) {
	t.str(rName, p.Name)
	t.str(rID, idText(m, p.IDNumber))
	t.str(rRelation, p.Relation)
	t.str(rSex, p.Sex)
	if !p.BirthDate.IsZero() && !m.AsOf.IsZero() {
		t.num(rAge, monitor.AgeOn(p.BirthDate, m.AsOf))
	}
	t.str(rHealth, p.Health)
	t.str(rLabor, p.LaborSkill)
	t.str(rSchool, p.SchoolStatus)
}

// incomeOf is the household's latest income record of year or before (any
// year when year is 0).
func incomeOf(h *monitor.Household, year int) *monitor.Income {
	var best *monitor.Income
	for i := range h.Incomes {
		in := &h.Incomes[i]
		if year > 0 && in.Year > year {
			continue
		}
		if best == nil || in.Year > best.Year {
			best = in
		}
	}
	return best
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// writeTable writes a one-table report, as a workbook or as CSV.
func writeTable(w io.Writer, m Meta, name string, hasIDs bool, cols []column, fill func(t *table) error) error {
	if m.Format == CSV {
		t, err := newCSVTable(w, cols)
		if err != nil {
			return err
		}
		if err := fill(t); err != nil {
			return err
		}
		return t.close()
	}
	b, err := newBook()
	if err != nil {
		return err
	}
	defer b.close()
	t, err := b.newTable(name, b.titleLines(m, name, hasIDs), cols, nil)
	if err != nil {
		return err
	}
	if err := fill(t); err != nil {
		return err
	}
	if err := t.close(); err != nil {
		return err
	}
	return b.write(w)
}
