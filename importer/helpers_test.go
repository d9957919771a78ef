package importer_test

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/shouwang/shouwang/importer"
	"github.com/shouwang/shouwang/importer/sheet"
	"github.com/shouwang/shouwang/monitor"
)

// dateCell is a number cell holding an Excel date serial, styled with a date
// number format (format "" is the built-in yyyy/m/d, id 14), as staff get
// when they type a date into Excel.
type dateCell struct {
	y, m, d int
	format  string
}

// sheetSpec is one worksheet of a test workbook: a grid from row 1 and
// column A (a nil row or cell stays blank) and merged ranges such as "A1:Z1".
type sheetSpec struct {
	name   string
	rows   [][]any
	merges []string
}

// bookSpec is a whole test workbook.
type bookSpec struct {
	sheets   []sheetSpec
	date1904 bool
}

// writeBook builds a workbook with excelize, saves it into t.TempDir() and
// returns its path.
func writeBook(t *testing.T, b bookSpec) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	if b.date1904 {
		yes := true
		must(f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}))
	}
	styles := map[string]int{}
	dateStyle := func(format string) int {
		if id, ok := styles[format]; ok {
			return id
		}
		st := &excelize.Style{NumFmt: 14}
		if format != "" {
			st = &excelize.Style{CustomNumFmt: &format}
		}
		id, err := f.NewStyle(st)
		must(err)
		styles[format] = id
		return id
	}
	for i, s := range b.sheets {
		if i == 0 {
			must(f.SetSheetName("Sheet1", s.name))
		} else {
			_, err := f.NewSheet(s.name)
			must(err)
		}
		for r, row := range s.rows {
			for c, v := range row {
				if v == nil {
					continue
				}
				cell, err := excelize.CoordinatesToCellName(c+1, r+1)
				must(err)
				switch v := v.(type) {
				case string:
					must(f.SetCellStr(s.name, cell, v))
				case dateCell:
					must(f.SetCellValue(s.name, cell, serial(v, b.date1904)))
					must(f.SetCellStyle(s.name, cell, cell, dateStyle(v.format)))
				default:
					must(f.SetCellValue(s.name, cell, v))
				}
			}
		}
		for _, m := range s.merges {
			from, to, _ := strings.Cut(m, ":")
			must(f.MergeCell(s.name, from, to))
		}
	}
	path := filepath.Join(t.TempDir(), "roster.xlsx")
	must(f.SaveAs(path))
	return path
}

// serial is the Excel day number of a date in the workbook's date system.
func serial(d dateCell, date1904 bool) int {
	day := time.Date(d.y, time.Month(d.m), d.d, 0, 0, 0, 0, time.UTC)
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	if date1904 {
		epoch = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return int(day.Sub(epoch).Hours() / 24)
}

// openBook opens a file the way an upload is opened.
func openBook(t *testing.T, path string) *sheet.Book {
	t.Helper()
	b, err := sheet.Open(path, sheet.Limits{})
	if err != nil {
		t.Fatalf("sheet.Open(%s): %v", filepath.Base(path), err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

var parseOptions = importer.Options{DefaultYear: 2021, AsOf: monitor.Date{Year: 2024, Month: 12, Day: 31}}

// parseFile opens and parses a roster, failing the test on a file error.
func parseFile(t *testing.T, path string) *importer.HouseholdFile {
	t.Helper()
	f, err := importer.ParseHouseholds(openBook(t, path), filepath.Base(path), parseOptions)
	if err != nil {
		t.Fatalf("ParseHouseholds(%s): %v", filepath.Base(path), err)
	}
	return f
}

// parseGrid writes one roster sheet named 花名册 and parses it.
func parseGrid(t *testing.T, s sheetSpec) *importer.HouseholdFile {
	t.Helper()
	if s.name == "" {
		s.name = "花名册"
	}
	return parseFile(t, writeBook(t, bookSpec{sheets: []sheetSpec{s}}))
}

// mkID makes a valid 18-character ID number of region 500119 (odd seq: male).
func mkID(birth string, seq int) string {
	first17 := fmt.Sprintf("500119%s%03d", birth, seq)
	return first17 + string(monitor.IDCheckChar(first17))
}

// member and household are the test roster before it is laid out on a sheet.
// Fields typed any may hold a string (a text cell), a number, a dateCell or
// nil (blank).
type member struct {
	name, rel, sex, labor, school, insured string
	id                                     any
}

type household struct {
	code                                              any
	township, village, group, head                    string
	size                                              any
	typ, category                                     string
	identified                                        any
	risks                                             string
	wage, business, property, transfer, cost, perHead any
	housing, water                                    string
	members                                           []member
}

var (
	idLuHua     = mkID("19561023", 193)
	idXiangXia  = mkID("19580831", 240)
	idLiang     = mkID("19620213", 362)
	idTang      = mkID("19661125", 647)
	idQianMin   = mkID("19670804", 488)
	idTangXiaoY = mkID("20120315", 171)
)

// fixture returns three valid households: two members, one member (not
// monitored), three members.
func fixture() []household {
	return []household{
		{code: "5001190001000100", township: "东城街道", village: "皂角井社区", group: "7组", head: "陆华", size: 2,
			typ: "脱贫户", category: "脱贫不稳定户", identified: "202203", risks: "因病",
			wage: 30000, business: 10000, property: 500, transfer: 1500, cost: 2000, perHead: 20000, housing: "否", water: "否",
			members: []member{
				{name: "陆华", id: idLuHua, rel: "户主", sex: "男", labor: "普通劳动力", insured: "是"},
				{name: "向霞", id: idXiangXia, rel: "配偶", sex: "女", labor: "弱劳动力或半劳动力", insured: "是"},
			}},
		{code: "5001190001000101", township: "东城街道", village: "皂角井社区", group: "3组", head: "梁光燕", size: 1,
			typ: "一般农户", wage: 12000, business: 0, property: 0, transfer: 600, cost: 0, perHead: 12600, housing: "是", water: "否",
			members: []member{
				{name: "梁光燕", id: idLiang, rel: "户主", sex: "女", labor: "普通劳动力", insured: "是"},
			}},
		{code: "5001190002000102", township: "东城街道", village: "长亭社区", group: "5组", head: "唐雨飞", size: 3,
			typ: "一般农户", category: "边缘易致贫户", identified: "2022年9月", risks: "因学、因病",
			wage: 20000, business: 5000, property: 0, transfer: 1000, cost: 3000, perHead: 7666.67, housing: "否", water: "否",
			members: []member{
				{name: "唐雨飞", id: idTang, rel: "户主", sex: "男", labor: "普通劳动力", insured: "是"},
				{name: "钱敏", id: idQianMin, rel: "配偶", sex: "女", labor: "普通劳动力", insured: "是"},
				{name: "唐小雨", id: idTangXiaoY, rel: "之子", sex: "男", labor: "无劳动力", school: "小学", insured: "否"},
			}},
	}
}

// stdCols are the roster columns in the order a township sheet has them,
// named by their canonical header; 26 columns, A to Z.
var stdCols = []string{"序号", "乡镇", "村", "组", "户编号", "户主姓名", "人口数", "户类型", "监测对象类别", "识别监测时间",
	"致贫返贫风险", "工资性收入", "生产经营性收入", "财产性收入", "转移性收入", "生产经营性支出", "人均纯收入",
	"是否住房出现安全问题", "是否饮水出现安全问题", "姓名", "证件号码", "与户主关系", "性别", "劳动技能", "在校生状况",
	"是否参加城乡居民基本医疗保险"}

var memberCols = map[string]bool{"姓名": true, "证件号码": true, "与户主关系": true, "性别": true, "劳动技能": true,
	"在校生状况": true, "是否参加城乡居民基本医疗保险": true}

func (h household) value(i int, m member, key string) any {
	switch key {
	case "序号":
		return i + 1
	case "乡镇":
		return h.township
	case "村":
		return h.village
	case "组":
		return h.group
	case "户编号":
		return h.code
	case "户主姓名":
		return h.head
	case "人口数":
		return h.size
	case "户类型":
		return h.typ
	case "监测对象类别":
		return h.category
	case "识别监测时间":
		return h.identified
	case "致贫返贫风险":
		return h.risks
	case "工资性收入":
		return h.wage
	case "生产经营性收入":
		return h.business
	case "财产性收入":
		return h.property
	case "转移性收入":
		return h.transfer
	case "生产经营性支出":
		return h.cost
	case "人均纯收入":
		return h.perHead
	case "是否住房出现安全问题":
		return h.housing
	case "是否饮水出现安全问题":
		return h.water
	case "姓名":
		return m.name
	case "证件号码":
		return m.id
	case "与户主关系":
		return m.rel
	case "性别":
		return m.sex
	case "劳动技能":
		return m.labor
	case "在校生状况":
		return m.school
	case "是否参加城乡居民基本医疗保险":
		return m.insured
	}
	panic("unknown column " + key)
}

// Household cells below a household's first row.
const (
	repeated = "repeated" // written again on every member row
	firstRow = "first"    // left blank
	merged   = "merged"   // merged down over the household's rows
)

// group is a group header of a two-row header band, over the given columns.
type group struct {
	text string
	keys []string
}

// layout says how the test roster is laid out on the sheet.
type layout struct {
	cols   []string          // column keys in order; stdCols when nil
	rename map[string]string // header text per key, when not the key itself
	above  [][]any           // rows above the header; the title and unit line when nil
	groups []group           // when set, a two-row header: groups over sub-headers, other headers merged down
	style  string            // household cells below the first row: repeated (default), firstRow or merged
	gap    int               // blank rows between households
	below  [][]any           // rows after the data (合计, signatures)
	merges []string          // extra merged ranges
}

// built is a laid-out roster: the sheet and where things ended up.
type built struct {
	sheet     sheetSpec
	headerEnd int     // last header row
	rows      [][]int // rows[i][j]: the row of household i's member j
	below     int     // first row after the data
}

func textRow(s string) []any { return []any{s} }

var (
	titleRow = textRow("南川区东城街道防止返贫监测对象花名册")
	unitRow  = textRow("填报单位（盖章）：东城街道办事处\u3000\u3000统计截止时间：2022年12月31日")
)

func colName(c int) string {
	s, _ := excelize.ColumnNumberToName(c)
	return s
}

// build lays households out on a sheet named 花名册.
func (l layout) build(hs []household) built {
	cols := l.cols
	if cols == nil {
		cols = stdCols
	}
	last := colName(len(cols))
	var b built
	s := sheetSpec{name: "花名册", merges: append([]string(nil), l.merges...)}
	above := l.above
	if above == nil {
		above = [][]any{titleRow, unitRow}
		s.merges = append(s.merges, "A1:"+last+"1", "A2:"+last+"2")
	}
	s.rows = append(s.rows, above...)
	header := func(key string) string {
		if t, ok := l.rename[key]; ok {
			return t
		}
		return key
	}
	if l.groups == nil {
		row := make([]any, len(cols))
		for c, k := range cols {
			row[c] = header(k)
		}
		s.rows = append(s.rows, row)
	} else {
		upper, lower := make([]any, len(cols)), make([]any, len(cols))
		top := len(s.rows) + 1
		inGroup := map[string]bool{}
		for _, g := range l.groups {
			first, lastCol := 0, 0
			for _, k := range g.keys {
				inGroup[k] = true
				c := indexOf(cols, k) + 1
				if first == 0 || c < first {
					first = c
				}
				lastCol = max(lastCol, c)
			}
			upper[first-1] = g.text
			if lastCol > first {
				s.merges = append(s.merges, fmt.Sprintf("%s%d:%s%d", colName(first), top, colName(lastCol), top))
			}
		}
		for c, k := range cols {
			if inGroup[k] {
				lower[c] = header(k)
				continue
			}
			upper[c] = header(k)
			s.merges = append(s.merges, fmt.Sprintf("%s%d:%s%d", colName(c+1), top, colName(c+1), top+1))
		}
		s.rows = append(s.rows, upper, lower)
	}
	b.headerEnd = len(s.rows)
	for i, h := range hs {
		if i > 0 {
			for g := 0; g < l.gap; g++ {
				s.rows = append(s.rows, nil)
			}
		}
		var rows []int
		for j, m := range h.members {
			row := make([]any, len(cols))
			for c, k := range cols {
				if j > 0 && !memberCols[k] && l.style != "" && l.style != repeated {
					continue
				}
				row[c] = h.value(i, m, k)
			}
			s.rows = append(s.rows, row)
			rows = append(rows, len(s.rows))
		}
		if l.style == merged && len(rows) > 1 {
			for c, k := range cols {
				if !memberCols[k] {
					s.merges = append(s.merges, fmt.Sprintf("%s%d:%s%d", colName(c+1), rows[0], colName(c+1), rows[len(rows)-1]))
				}
			}
		}
		b.rows = append(b.rows, rows)
	}
	b.below = len(s.rows) + 1
	s.rows = append(s.rows, l.below...)
	b.sheet = s
	return b
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	panic("no column " + x)
}

// colOf is the 1-based column of a key in the layout.
func (l layout) colOf(key string) int {
	cols := l.cols
	if cols == nil {
		cols = stdCols
	}
	return indexOf(cols, key) + 1
}

// households returns the parsed households without the rows they came from,
// for comparing the same roster laid out differently.
func households(f *importer.HouseholdFile) []monitor.Household {
	out := make([]monitor.Household, len(f.Households))
	for i, h := range f.Households {
		out[i] = *h.Household
	}
	return out
}

// find returns the valid household with the code.
func find(f *importer.HouseholdFile, code string) (*monitor.Household, bool) {
	for _, h := range f.Households {
		if h.Household.Code == code {
			return h.Household, true
		}
	}
	return nil, false
}

func codes(f *importer.HouseholdFile) []string {
	var out []string
	for _, h := range f.Households {
		out = append(out, h.Household.Code)
	}
	return out
}

// issuesText renders issues for failure messages.
func issuesText(is []monitor.Issue) string {
	var b strings.Builder
	for _, i := range is {
		fmt.Fprintf(&b, "\n  row %d col %d %q %s %q: %s", i.Row, i.Col, i.Column, i.Code, i.Value, i.Message)
	}
	return b.String()
}

// noIssues fails when the parse reported any error, or any warning other
// than the allowed codes.
func noIssues(t *testing.T, f *importer.HouseholdFile, allowedWarnings ...string) {
	t.Helper()
	if len(f.Report.Errors) > 0 {
		t.Fatalf("errors:%s", issuesText(f.Report.Errors))
	}
	for _, w := range f.Report.Warnings {
		ok := false
		for _, a := range allowedWarnings {
			ok = ok || w.Code == a
		}
		if !ok {
			t.Fatalf("warnings:%s", issuesText(f.Report.Warnings))
		}
	}
}

// sameHouseholds compares two parses of the same roster.
func sameHouseholds(t *testing.T, got, want *importer.HouseholdFile) {
	t.Helper()
	g, w := households(got), households(want)
	if len(g) != len(w) {
		t.Fatalf("got %d households %v, want %d %v", len(g), codes(got), len(w), codes(want))
	}
	for i := range g {
		if !reflect.DeepEqual(g[i], w[i]) {
			t.Fatalf("household %d:\n got %+v\nwant %+v", i, g[i], w[i])
		}
	}
}

// baseline parses the fixture in the default layout.
func baseline(t *testing.T) *importer.HouseholdFile {
	t.Helper()
	return parseGrid(t, layout{}.build(fixture()).sheet)
}
