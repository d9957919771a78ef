package reports

import (
	"fmt"
	"io"
	"math"
	"regexp"
	"strings"

	"github.com/shouwang/shouwang/monitor"
	"github.com/xuri/excelize/v2"
)

// FillTemplate fills a supervisor's own statistics form with s and writes
// it to w. It finds the header band by its 村（社区） (or 村, 行政村 …)
// header, reads each column's header path through the merged cells (e.g.
// 监测对象 › 合计（户）, 小额信贷（当年发放） › 金额（万元）), finds the rows
// of the villages, of township subtotals and of 合计 by the names under the
// township and village headers, and writes each figure into the cell where
// its row meets its column. Amounts go in the unit the header names (万元
// or 元). Header text is compared with full-width brackets and spaces
// folded. A 截止日期 (and a blank 填报单位) in the lines above the header is
// filled from m.AsOf (s.AsOf when zero) and m.Place.
//
// Only values are written (SetCellValue): merged cells, borders, styles,
// other sheets and formulas elsewhere stay exactly as they are. Headers it
// does not know, template villages with no data, and data villages missing
// from the template are left alone and listed in the returned warnings
// (the 合计 row holds the totals of all the data all the same). The first
// sheet with a village header is filled.
func FillTemplate(w io.Writer, template io.Reader, m Meta, s *Stats) (warnings []string, err error) {
	f, err := excelize.OpenReader(template)
	if err != nil {
		return nil, monitor.Errorf(monitor.EINVALID, "模板无法打开，请确认是 Excel 工作簿（.xlsx）：%v", err)
	}
	defer f.Close()
	for _, sheet := range f.GetSheetList() {
		g, err := readGrid(f, sheet)
		if err != nil {
			return nil, fmt.Errorf("reports: template: %w", err)
		}
		band, ok := g.findHeader()
		if !ok {
			continue
		}
		tf := &templateFill{f: f, sheet: sheet, g: g, band: band, m: m, s: s}
		if err := tf.fill(); err != nil {
			return nil, fmt.Errorf("reports: template: %w", err)
		}
		if err := f.Write(w); err != nil {
			return nil, fmt.Errorf("reports: template: write: %w", err)
		}
		return tf.warnings, nil
	}
	return nil, monitor.Errorf(monitor.EINVALID, "模板中找不到“村（社区）”表头：请确认表头有一列写“村（社区）”或“村”")
}

// grid is a sheet's text with each merged range's value copied into all of
// its cells, so a header or township name merged across cells is seen from
// each of them.
type grid struct {
	cells  [][]string
	merges []excelize.MergeCell
}

func readGrid(f *excelize.File, sheet string) (*grid, error) {
	rows, err := f.GetRows(sheet)
	if err != nil {
		return nil, err
	}
	merges, err := f.GetMergeCells(sheet)
	if err != nil {
		return nil, err
	}
	g := &grid{cells: rows, merges: merges}
	for _, mc := range merges {
		c0, r0, err1 := excelize.CellNameToCoordinates(mc.GetStartAxis())
		c1, r1, err2 := excelize.CellNameToCoordinates(mc.GetEndAxis())
		if err1 != nil || err2 != nil {
			continue
		}
		for r := r0; r <= r1; r++ {
			for c := c0; c <= c1; c++ {
				g.set(r-1, c-1, mc.GetCellValue())
			}
		}
	}
	return g, nil
}

func (g *grid) set(r, c int, v string) {
	for len(g.cells) <= r {
		g.cells = append(g.cells, nil)
	}
	for len(g.cells[r]) <= c {
		g.cells[r] = append(g.cells[r], "")
	}
	g.cells[r][c] = v
}

// at is the text of a cell (0-based), "" outside the grid.
func (g *grid) at(r, c int) string {
	if r < 0 || c < 0 || r >= len(g.cells) || c >= len(g.cells[r]) {
		return ""
	}
	return g.cells[r][c]
}

// headerBand is where the header is: rows r0..r1 (0-based) and the
// township and village columns (township -1 when the form has none).
type headerBand struct {
	r0, r1, township, village int
}

var (
	villageHeaders  = set("村(社区)", "村", "行政村", "社区", "村(居)", "村居", "村名", "村(社区)名称", "行政村(社区)", "村(社区)名")
	townshipHeaders = set("乡镇(街道)", "乡镇", "街道", "乡镇街道", "乡(镇、街道)", "乡镇(街道)名称", "镇街", "乡镇(街)")
	totalLabels     = set("合计", "总计", "汇总", "全区合计", "全县合计", "全市合计", "总合计")
)

func set(s ...string) map[string]bool {
	m := map[string]bool{}
	for _, v := range s {
		m[v] = true
	}
	return m
}

// norm folds a header or name for comparison: full-width to half-width,
// no spaces or line breaks.
func norm(s string) string { return monitor.CompactText(s) }

// findHeader finds the first row with a village header; the band reaches
// down to the bottom of the tallest merged header cell starting on it.
func (g *grid) findHeader() (headerBand, bool) {
	for r := range g.cells {
		b := headerBand{r0: r, r1: r, township: -1, village: -1}
		for c := range g.cells[r] {
			switch t := norm(g.cells[r][c]); {
			case villageHeaders[t] && b.village < 0:
				b.village = c
			case townshipHeaders[t] && b.township < 0:
				b.township = c
			}
		}
		if b.village < 0 {
			continue
		}
		for _, mc := range g.merges {
			_, top, err1 := excelize.CellNameToCoordinates(mc.GetStartAxis())
			_, bottom, err2 := excelize.CellNameToCoordinates(mc.GetEndAxis())
			if err1 == nil && err2 == nil && top-1 == r {
				b.r1 = max(b.r1, bottom-1)
			}
		}
		return b, true
	}
	return headerBand{}, false
}

// templateFill is one fill in progress.
type templateFill struct {
	f        *excelize.File
	sheet    string
	g        *grid
	band     headerBand
	m        Meta
	s        *Stats
	warnings []string
}

func (tf *templateFill) warn(format string, args ...any) {
	tf.warnings = append(tf.warnings, fmt.Sprintf(format, args...))
}

// getter reads one figure of a row; ok=false leaves the cell blank.
type getter func(f *Figures, cell string) (v any, ok bool)

func (tf *templateFill) fill() error {
	g, b := tf.g, tf.band
	width := 0
	for r := b.r0; r <= b.r1; r++ {
		width = max(width, len(g.cells[r]))
	}
	getters := map[int]getter{}
	for c := 0; c < width; c++ {
		if c == b.village || c == b.township {
			continue
		}
		var path []string
		for r := b.r0; r <= b.r1; r++ {
			if t := norm(g.at(r, c)); t != "" && (len(path) == 0 || path[len(path)-1] != t) {
				path = append(path, t)
			}
		}
		if len(path) == 0 {
			continue
		}
		if get := tf.column(path, c); get != nil {
			getters[c] = get
		}
	}

	seen := map[*Figures]bool{}
	for r := b.r1 + 1; r < len(g.cells); r++ {
		fig, stop := tf.rowFigures(r)
		if fig == nil {
			if stop {
				break
			}
			continue
		}
		seen[fig] = true
		for c, get := range getters {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			v, ok := get(fig, cell)
			if !ok {
				continue
			}
			if err := tf.f.SetCellValue(tf.sheet, cell, v); err != nil {
				return err
			}
		}
		if fig.Level == LevelTotal {
			break
		}
	}
	for i := range tf.s.Villages {
		if v := &tf.s.Villages[i]; !seen[v] {
			tf.warn("数据中的%s%s不在模板中，其数字只计入合计", v.Township, v.Village)
		}
	}
	return tf.fillDateLine()
}

// rowFigures finds the figures of a data row: a village, a township
// subtotal or the total. stop is true past the table (a 填表人 line).
func (tf *templateFill) rowFigures(r int) (fig *Figures, stop bool) {
	b := tf.band
	vil := norm(tf.g.at(r, b.village))
	twn := ""
	if b.township >= 0 {
		twn = norm(tf.g.at(r, b.township))
	}
	switch {
	case totalLabels[vil] || (vil == "" && totalLabels[twn]):
		return &tf.s.Total, false
	case vil == "" && twn == "":
		return nil, false
	case strings.Contains(twn, "：") || strings.Contains(twn, ":") || strings.Contains(vil, "："):
		return nil, true // 填表人：… under the table
	case vil == "小计" || (vil == "" && twn != ""):
		if t := tf.township(twn); t != nil {
			return t, false
		}
	case strings.HasSuffix(vil, "小计"):
		if t := tf.township(strings.TrimSuffix(vil, "小计")); t != nil {
			return t, false
		}
	default:
		if v := tf.village(twn, vil); v != nil {
			return v, false
		}
		if t := tf.township(vil); t != nil && twn == "" {
			return t, false
		}
	}
	tf.warn("模板第%d行“%s”在数据中没有对应的村或乡镇，已留空", r+1, strings.TrimSpace(twn+" "+vil))
	return nil, false
}

// placeSuffixes are dropped when a name does not match as written
// (皂角井 for 皂角井社区, 东城 for 东城街道).
var placeSuffixes = []string{"村民委员会", "居民委员会", "村委会", "居委会", "社区", "村", "街道办事处", "街道", "镇", "乡"}

func stripPlace(s string) string {
	for _, suf := range placeSuffixes {
		if t := strings.TrimSuffix(s, suf); t != s && t != "" {
			return t
		}
	}
	return s
}

func (tf *templateFill) township(name string) *Figures {
	for _, exact := range []bool{true, false} {
		for i := range tf.s.Townships {
			t := &tf.s.Townships[i]
			if samePlace(t.Township, name, exact) {
				return t
			}
		}
	}
	return nil
}

func (tf *templateFill) village(township, name string) *Figures {
	for _, exact := range []bool{true, false} {
		var found *Figures
		n := 0
		for i := range tf.s.Villages {
			v := &tf.s.Villages[i]
			if !samePlace(v.Village, name, exact) {
				continue
			}
			if township != "" && !samePlace(v.Township, township, false) {
				continue
			}
			found, n = v, n+1
		}
		if n == 1 {
			return found
		}
		if n > 1 {
			tf.warn("模板中的“%s”在数据中有%d个同名村，请在模板中写明乡镇", name, n)
			return nil
		}
	}
	return nil
}

func samePlace(data, tmpl string, exact bool) bool {
	a, b := norm(data), norm(tmpl)
	if exact {
		return a == b
	}
	return a != "" && stripPlace(a) == stripPlace(b)
}

// unitRe takes the unit off a header: 合计(户) → 合计, 户.
var unitRe = regexp.MustCompile(`\((户|人|个|条|笔|项|万元|元|%|％)\)$`)

func splitUnit(h string) (base, unit string) {
	if m := unitRe.FindStringSubmatch(h); m != nil {
		return strings.TrimSuffix(h, m[0]), m[1]
	}
	return h, ""
}

// column recognises a header path (group › … › leaf) and returns how to
// read its figure; nil for a header it does not know (with a warning).
func (tf *templateFill) column(path []string, c int) getter {
	leaf, unit := splitUnit(path[len(path)-1])
	parent := strings.Join(path[:len(path)-1], "›")
	colRef, _ := excelize.ColumnNumberToName(c + 1)
	count := func(get func(f *Figures) int) getter {
		return func(f *Figures, _ string) (any, bool) { return get(f), true }
	}
	money := func(get func(f *Figures) monitor.Money) getter {
		if unit == "" {
			tf.warn("%s列“%s”未注明单位，按万元填写", colRef, strings.Join(path, "›"))
		}
		return func(f *Figures, _ string) (any, bool) {
			if unit == "元" {
				return float64(get(f)) / 100, true
			}
			return wanFloat(get(f)), true
		}
	}
	rate := func(get func(f *Figures) (float64, bool)) getter {
		return func(f *Figures, cell string) (any, bool) {
			r, ok := get(f)
			if !ok {
				return nil, false
			}
			if tf.percentCell(cell) {
				return math.Round(r*1e6) / 1e6, true
			}
			return fmt.Sprintf("%.2f%%", r*100), true
		}
	}
	loans := strings.Contains(parent, "贷") || strings.Contains(leaf, "贷")
	monitored := strings.Contains(parent, "监测")

	switch {
	case leaf == "序号" || leaf == "备注":
		return nil
	case loans && (leaf == "户数" || strings.HasSuffix(leaf, "发放户数") || leaf == "发放" && unit == "户"):
		return count(func(f *Figures) int { return f.LoanHouseholds })
	case loans && (leaf == "金额" || strings.HasSuffix(leaf, "发放金额")):
		return money(func(f *Figures) monitor.Money { return f.LoanAmount })
	case loans && strings.Contains(leaf, "余额") && !strings.Contains(leaf, "逾期"):
		return money(func(f *Figures) monitor.Money { return f.LoanBalance })
	case loans && strings.Contains(leaf, "逾期") && (unit == "笔" || strings.Contains(leaf, "笔数")):
		return count(func(f *Figures) int { return f.OverdueLoans })
	case loans && strings.Contains(leaf, "逾期") && (strings.Contains(leaf, "金额") || strings.Contains(leaf, "余额")):
		return money(func(f *Figures) monitor.Money { return f.OverdueBalance })
	case strings.Contains(strings.ToUpper(leaf), "PAR30") || leaf == "逾期率":
		return rate(func(f *Figures) (float64, bool) { return f.PAR30(), f.LoanBalance > 0 })
	case strings.Contains(leaf, "落实率"):
		return rate(func(f *Figures) (float64, bool) { return f.Coverage(), f.Monitored > 0 })
	case strings.Contains(leaf, "落实") && strings.Contains(leaf, "措施"):
		return count(func(f *Figures) int { return f.WithMeasure })
	case leaf == "农户总数" || leaf == "总户数" || leaf == "农户户数" || (leaf == "户数" && !monitored):
		return count(func(f *Figures) int { return f.Households })
	case leaf == "总人口" || leaf == "农户总人口" || leaf == "总人数" || (leaf == "人口数" || leaf == "人数") && !monitored:
		return count(func(f *Figures) int { return f.People })
	case monitored && (leaf == "合计" || leaf == "小计" || leaf == "户数" || leaf == "人数" || leaf == "人口数") ||
		leaf == "监测对象" || leaf == "监测对象户数" || leaf == "监测户数" || leaf == "监测对象人数":
		if unit == "人" || strings.HasSuffix(leaf, "人数") || leaf == "人口数" {
			return count(func(f *Figures) int { return f.MonitoredPeople })
		}
		return count(func(f *Figures) int { return f.Monitored })
	case strings.Contains(leaf, "新识别") || strings.Contains(leaf, "新纳入"):
		if unit == "人" {
			break
		}
		return count(func(f *Figures) int { return f.NewMonitored })
	case leaf == "风险已消除" || leaf == "已消除" || leaf == "消除风险" || leaf == "风险消除" && !strings.Contains(parent, "风险消除"):
		return count(func(f *Figures) int { return f.Eliminated })
	case leaf == "风险未消除" || leaf == "未消除":
		return count(func(f *Figures) int { return f.NotEliminated() })
	case strings.Contains(leaf, "预警"):
		return count(func(f *Figures) int { return f.OpenFlagsTotal })
	}
	if c, ok := monitor.NormalizeCategory(leaf); ok && c != "" && unit != "人" {
		return count(func(f *Figures) int { return f.Categories[c] })
	}
	if rs, bad := monitor.ParseRisks(leaf); len(rs) == 1 && len(bad) == 0 && !strings.Contains(parent, "预警") {
		return count(func(f *Figures) int { return f.Risks[rs[0]] })
	}
	tf.warn("%s列表头“%s”未能识别，已留空", colRef, strings.Join(path, "›"))
	return nil
}

// percentCell reports whether the template formats the cell as a
// percentage: then a rate is written as a number, else as text "85.00%",
// since the template's styles are never changed.
func (tf *templateFill) percentCell(cell string) bool {
	id, err := tf.f.GetCellStyle(tf.sheet, cell)
	if err != nil || id == 0 {
		return false
	}
	st, err := tf.f.GetStyle(id)
	if err != nil {
		return false
	}
	if st.NumFmt == 9 || st.NumFmt == 10 {
		return true
	}
	return st.CustomNumFmt != nil && strings.Contains(*st.CustomNumFmt, "%")
}

var (
	sp         = `[\s\x{3000}]*`
	dateLineRe = regexp.MustCompile(`(截止日期|截至日期|截止时间|统计截止日期|截至)([:：]?)` + sp +
		`(?:\d{0,4}` + sp + `年` + sp + `\d{0,2}` + sp + `月` + sp + `\d{0,2}` + sp + `日)?`)
	unitLineRe = regexp.MustCompile(`(填报单位|填表单位)([:：])` + sp)
)

// fillDateLine fills 截止日期 and a blank 填报单位 in the lines above the
// header.
func (tf *templateFill) fillDateLine() error {
	asOf := tf.m.AsOf
	if asOf.IsZero() {
		asOf = tf.s.AsOf
	}
	done := map[string]bool{}
	for r := 0; r < tf.band.r0; r++ {
		for c, text := range tf.g.cells[r] {
			if !dateLineRe.MatchString(text) && !unitLineRe.MatchString(text) {
				continue
			}
			cell := tf.topLeft(r, c)
			if done[cell] {
				continue
			}
			done[cell] = true
			raw, err := tf.f.GetCellValue(tf.sheet, cell)
			if err != nil {
				return err
			}
			v := raw
			if !asOf.IsZero() {
				v = dateLineRe.ReplaceAllString(v, "${1}${2}"+cnDate(asOf))
			}
			if tf.m.Place != "" {
				if loc := unitLineRe.FindStringSubmatchIndex(v); loc != nil {
					rest := v[loc[1]:]
					if rest == "" || strings.HasPrefix(rest, "截") || strings.HasPrefix(rest, "统计") {
						v = v[:loc[3]] + v[loc[4]:loc[5]] + tf.m.Place + "　　　　" + rest
					}
				}
			}
			if v != raw {
				if err := tf.f.SetCellValue(tf.sheet, cell, v); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// topLeft is the cell holding the value of the merged range covering row
// r, column c (0-based), or that cell itself.
func (tf *templateFill) topLeft(r, c int) string {
	for _, mc := range tf.g.merges {
		c0, r0, err1 := excelize.CellNameToCoordinates(mc.GetStartAxis())
		c1, r1, err2 := excelize.CellNameToCoordinates(mc.GetEndAxis())
		if err1 == nil && err2 == nil && r+1 >= r0 && r+1 <= r1 && c+1 >= c0 && c+1 <= c1 {
			return mc.GetStartAxis()
		}
	}
	cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
	return cell
}
