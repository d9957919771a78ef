package importer

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/shouwang/shouwang/importer/sheet"
	"github.com/shouwang/shouwang/monitor"
)

// scanRows is how far down a sheet the header band is looked for.
const scanRows = 40

// band is the top of a sheet: the rows above and including the header.
type band struct {
	sheet  string
	rows   []sheet.Row // copies of the first rows
	header *header
	score  int
}

func rowText(r sheet.Row) map[int]string {
	m := make(map[int]string, len(r.Cells))
	for _, c := range r.Cells {
		if t := monitor.CompactText(c.Value); t != "" {
			m[c.Col] = c.Value
		}
	}
	return m
}

func copyRow(r sheet.Row) sheet.Row {
	return sheet.Row{Num: r.Num, Cells: append([]sheet.Cell(nil), r.Cells...)}
}

// findHeader looks at the first rows of one sheet for the row naming the
// most known columns, then decides whether the row above (group headers) or
// below (sub-headers) belongs to the band.
func findHeader(name string, rows []sheet.Row, aliases map[string]field) *band {
	best, bestN := -1, 0
	for i, r := range rows {
		if n := matchCount(rowText(r), aliases); n > bestN {
			best, bestN = i, n
		}
	}
	if best < 0 || bestN < 3 {
		return nil
	}
	b := &band{sheet: name, rows: rows, score: bestN}
	cur := rowText(rows[best])
	switch {
	case best > 0 && rows[best-1].Num == rows[best].Num-1 && isUpperBand(rowText(rows[best-1]), cur, aliases):
		b.header = buildHeader([]int{rows[best-1].Num, rows[best].Num}, rowText(rows[best-1]), cur, aliases)
	case best+1 < len(rows) && rows[best+1].Num == rows[best].Num+1 && isLowerBand(rowText(rows[best+1]), aliases):
		b.header = buildHeader([]int{rows[best].Num, rows[best+1].Num}, cur, rowText(rows[best+1]), aliases)
	default:
		b.header = buildHeader([]int{rows[best].Num}, cur, nil, aliases)
	}
	return b
}

// isUpperBand: a row of group headers has several text cells (a title has
// one) and names fewer columns than the header row below it; a unit/date
// line (填报单位：… 截止时间：…) is not a header.
func isUpperBand(upper, cur map[int]string, aliases map[string]field) bool {
	if len(upper) < 2 || matchCount(upper, aliases) >= matchCount(cur, aliases) {
		return false
	}
	for _, v := range upper {
		t := monitor.CompactText(v)
		if strings.ContainsAny(t, ":：") {
			return false
		}
		if _, err := strconv.ParseFloat(t, 64); err == nil {
			return false
		}
	}
	for c := range upper {
		if cur[c] == "" {
			return true // a single header merged down
		}
	}
	// Every column grouped: each group cell stands over sub-headers.
	return true
}

// isLowerBand: a row of sub-headers is text naming known columns, not data.
func isLowerBand(lower map[int]string, aliases map[string]field) bool {
	if len(lower) < 2 {
		return false
	}
	for _, v := range lower {
		if _, err := strconv.ParseFloat(monitor.CompactText(v), 64); err == nil {
			return false
		}
	}
	return matchCount(lower, aliases) >= 2
}

// locate picks the sheet holding the data: the one whose header band names
// the most known columns, wherever it stands in the workbook.
func locate(book *sheet.Book, aliases map[string]field, required ...field) (*band, error) {
	var best *band
	for _, name := range book.Sheets() {
		rs, err := book.Rows(name)
		if err != nil {
			return nil, err
		}
		var top []sheet.Row
		for len(top) < scanRows && rs.Next() {
			top = append(top, copyRow(rs.Row()))
		}
		err = rs.Err()
		rs.Close()
		if err != nil {
			return nil, err
		}
		if b := findHeader(name, top, aliases); b != nil && (best == nil || b.score > best.score) {
			best = b
		}
	}
	if best == nil {
		return nil, monitor.Errorf(monitor.EINVALID, "在文件的各个工作表前 %d 行中没有找到表头：至少需要能识别的列如“户编号”“姓名”“证件号码”。请确认上传的是花名册，或把表头改成常用名称", scanRows)
	}
	for _, f := range required {
		if _, ok := best.header.col(f); !ok {
			return nil, monitor.Errorf(monitor.EINVALID, "工作表“%s”第 %s 行的表头缺少必需的列“%s”。可用的列名：%s", best.sheet, joinInts(best.header.Rows), fieldLabel[f], aliasList(aliases, f))
		}
	}
	return best, nil
}

func joinInts(xs []int) string {
	s := ""
	for i, x := range xs {
		if i > 0 {
			s += "、"
		}
		s += strconv.Itoa(x)
	}
	return s
}

func aliasList(aliases map[string]field, f field) string {
	var names []string
	for k, g := range aliases {
		if g == f {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	return strings.Join(names, "、")
}

// fieldLabel names each field the way users know its column.
var fieldLabel = map[field]string{
	fTownship: "乡镇", fVillage: "村", fGroup: "组", fCode: "户编号", fHeadName: "户主姓名", fName: "姓名",
	fIDNumber: "证件号码", fType: "户类型", fCategory: "监测对象类别",
}

func cellName(col, row int) string {
	s := ""
	for c := col; c > 0; c = (c - 1) / 26 {
		s = string(rune('A'+(c-1)%26)) + s
	}
	return fmt.Sprintf("%s%d", s, row)
}
