package reports

import (
	"cmp"
	"fmt"
	"io"
	"iter"
	"slices"

	"github.com/shouwang/shouwang/monitor"
)

// MeasureRow is one measure of the 帮扶措施台账 with the household's place,
// head and 帮扶责任人.
type MeasureRow struct {
	monitor.Measure
	Township, Village, HeadName string
	Cadre                       string
}

// VillageCoverage is a village's 帮扶措施落实率: monitored households and
// those with at least one measure in place. Stats.Coverage gives it.
type VillageCoverage struct {
	Township, Village string
	Monitored         int
	WithMeasure       int
}

const (
	measuresName = "帮扶措施台账"
	coverageName = "落实率"
)

const (
	mTownship = iota
	mVillage
	mCode
	mHead
	mCategory
	mSubType
	mMemberID
	mStart
	mEnd
	mAmount
	mMonths
	mStatus
	mCadre
	mNote
)

var measureCols = []column{
	{"乡镇（街道）", kText}, {"村（社区）", kText}, {"户编号", kText}, {"户主姓名", kText},
	{"措施类别", kText}, {"具体措施", kText}, {"受益成员身份证号", kText}, {"开始日期", kDate}, {"结束日期", kDate},
	{"金额（元）", kYuan}, {"月数", kInt}, {"落实状态", kText}, {"帮扶责任人", kText}, {"备注", kLong},
}

var measureStatuses = map[string]string{
	monitor.MeasurePlanned: "计划", monitor.MeasureInPlace: "已落实", monitor.MeasureEnded: "已结束",
}

// Measures writes the 帮扶措施台账 (one row per measure, a subtotal per
// village with households, measures and amount, and a total) and, in a
// workbook, a second sheet 落实率 with each village's coverage, township
// subtotals and the total. Rows should arrive ordered by township and
// village. The CSV form has the ledger only.
func Measures(w io.Writer, m Meta, rows iter.Seq2[MeasureRow, error], coverage []VillageCoverage) error {
	if err := writeMeasures(w, m, rows, coverage); err != nil {
		return fmt.Errorf("reports: measures: %w", err)
	}
	return nil
}

func writeMeasures(w io.Writer, m Meta, rows iter.Seq2[MeasureRow, error], coverage []VillageCoverage) error {
	if m.Format == CSV {
		t, err := newCSVTable(w, measureCols)
		if err != nil {
			return err
		}
		if err := fillMeasures(t, m, rows); err != nil {
			return err
		}
		return t.close()
	}
	b, err := newBook()
	if err != nil {
		return err
	}
	defer b.close()
	t, err := b.newTable(measuresName, b.titleLines(m, measuresName, true), measureCols, nil)
	if err != nil {
		return err
	}
	if err := fillMeasures(t, m, rows); err != nil {
		return err
	}
	if err := t.close(); err != nil {
		return err
	}
	if err := writeCoverage(b, m, coverage); err != nil {
		return err
	}
	return b.write(w)
}

func fillMeasures(t *table, m Meta, rows iter.Seq2[MeasureRow, error]) error {
	var (
		cur                  placeKey
		started              bool
		seen                 = map[string]bool{}
		vn, all, allHH       int
		vAmount, totalAmount monitor.Money
	)
	subtotal := func() error {
		t.str(mTownship, cur.township)
		t.str(mVillage, cur.village+"小计")
		t.count(mCode, len(seen), "户")
		t.count(mCategory, vn, "项")
		t.money(mAmount, vAmount)
		return t.emit(rowSub)
	}
	for r, err := range rows {
		if err != nil {
			return err
		}
		if k := (placeKey{r.Township, r.Village}); !started || k != cur {
			if started {
				if err := subtotal(); err != nil {
					return err
				}
			}
			cur, started, vn, vAmount = k, true, 0, 0
			clear(seen)
		}
		if hk := householdKey(r.HouseholdCode, r.HouseholdID); !seen[hk] {
			seen[hk] = true
			allHH++
		}
		vn++
		all++
		vAmount += r.Amount
		totalAmount += r.Amount
		t.str(mTownship, r.Township)
		t.str(mVillage, r.Village)
		t.str(mCode, r.HouseholdCode)
		t.str(mHead, r.HeadName)
		t.str(mCategory, r.Category)
		t.str(mSubType, r.SubType)
		t.str(mMemberID, idText(m, r.MemberID))
		t.date(mStart, r.Start)
		t.date(mEnd, r.End)
		if r.Amount != 0 {
			t.money(mAmount, r.Amount)
		}
		if r.Months != 0 {
			t.num(mMonths, r.Months)
		}
		t.str(mStatus, label(measureStatuses, r.Status))
		t.str(mCadre, r.Cadre)
		t.str(mNote, r.Note)
		if err := t.emit(rowData); err != nil {
			return err
		}
	}
	if started {
		if err := subtotal(); err != nil {
			return err
		}
	}
	t.str(mTownship, "合计")
	t.count(mCode, allHH, "户")
	t.count(mCategory, all, "项")
	t.money(mAmount, totalAmount)
	return t.emit(rowTotal)
}

var coverageCols = []column{
	{"乡镇（街道）", kText}, {"村（社区）", kText}, {"监测对象（户）", kInt},
	{"已落实帮扶措施（户）", kInt}, {"未落实帮扶措施（户）", kInt}, {"帮扶措施落实率", kPct},
}

// writeCoverage writes the 落实率 sheet: villages sorted by township and
// village, a subtotal after each township and the total.
func writeCoverage(b *book, m Meta, coverage []VillageCoverage) error {
	t, err := b.newTable(coverageName, b.titleLines(m, "帮扶措施落实率", false), coverageCols, nil)
	if err != nil {
		return err
	}
	vs := slices.Clone(coverage)
	slices.SortStableFunc(vs, func(a, b VillageCoverage) int {
		return cmp.Or(cmp.Compare(a.Township, b.Township), cmp.Compare(a.Village, b.Village))
	})
	row := func(township, village string, monitored, with int, rk rowKind) error {
		t.str(0, township)
		t.str(1, village)
		t.num(2, monitored)
		t.num(3, with)
		t.num(4, monitored-with)
		t.ratio(5, ratio(int64(with), int64(monitored)))
		return t.emit(rk)
	}
	var tm, tw, am, aw int
	for i, v := range vs {
		if err := row(v.Township, v.Village, v.Monitored, v.WithMeasure, rowData); err != nil {
			return err
		}
		tm, tw = tm+v.Monitored, tw+v.WithMeasure
		if i == len(vs)-1 || vs[i+1].Township != v.Township {
			if err := row(v.Township, "小计", tm, tw, rowSub); err != nil {
				return err
			}
			am, aw, tm, tw = am+tm, aw+tw, 0, 0
		}
	}
	if err := row("合计", "", am, aw, rowTotal); err != nil {
		return err
	}
	return t.close()
}
