package importer

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/shouwang/shouwang/importer/sheet"
	"github.com/shouwang/shouwang/monitor"
)

// Options tune a parse.
type Options struct {
	// DefaultYear is the income year when the file does not state one.
	DefaultYear int
	// AsOf is the reference date for age checks (usually today).
	AsOf monitor.Date
	// Progress, when set, is told every 10,000 rows how many have been read.
	Progress func(rows int)
}

// HouseholdFile is a parsed roster: the valid households, and every issue.
type HouseholdFile struct {
	Report     *monitor.ImportReport
	Households []monitor.ImportHousehold // valid ones only
	IDColumn   string
	// rowResult says, per data row, "" for accepted or why it was not.
	RowResults map[int]string
	// LastCol is the last header column, for the error workbook's result column.
	LastCol    int
	HeaderRows []int
}

// cellRef is a cell value with where it came from.
type cellRef struct {
	val  string
	kind sheet.Kind
	row  int
	col  column
}

// draft gathers the rows of one household as they stream by.
type draft struct {
	code     string
	firstRow int
	values   map[string]cellRef   // household fields, first non-blank value
	risksN   []cellRef            // 风险1…5
	members  []map[string]cellRef // member fields per row
	rows     []int
	issues   []monitor.Issue
}

// ParseHouseholds reads a household roster: it finds the sheet and the
// header band, groups the member rows into households by 户编号, validates
// every value and explains each problem. A household with any error is
// rejected as a whole.
func ParseHouseholds(book *sheet.Book, file string, opt Options) (*HouseholdFile, error) {
	b, err := locate(book, rosterAliases, fCode, fName, fIDNumber, fVillage)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	rep := &monitor.ImportReport{File: file, Kind: monitor.KindHouseholds, Sheet: b.sheet, HeaderRows: b.header.Rows,
		Errors: []monitor.Issue{}, Warnings: []monitor.Issue{}}
	out := &HouseholdFile{Report: rep, RowResults: map[int]string{}, HeaderRows: b.header.Rows}
	idCol, _ := b.header.col(fIDNumber)
	out.IDColumn = idCol.Header
	for _, c := range b.header.Columns {
		out.LastCol = max(out.LastCol, c.Col)
	}
	for _, c := range b.header.Unknown {
		out.LastCol = max(out.LastCol, c.Col)
		rep.Warnings = append(rep.Warnings, monitor.Issue{Sheet: b.sheet, Row: b.header.Rows[len(b.header.Rows)-1], Column: c.Header,
			Col: c.Col, Code: "unknown_column", Message: fmt.Sprintf("未识别的列“%s”，该列内容未导入", c.Header)})
	}
	year := b.titleYr
	if year == 0 {
		year = opt.DefaultYear
		rep.Warnings = append(rep.Warnings, monitor.Issue{Sheet: b.sheet, Row: b.header.Rows[0], Code: monitor.CodeYearAssumed,
			Message: fmt.Sprintf("表头上方未写明统计年度（如“统计截止时间：2022年12月31日”），收入按 %d 年度记录", year)})
	}
	rep.IncomeYear = year

	p := &parser{file: out, band: b, sheetName: b.sheet, year: year, opt: opt, byCode: map[string]*draft{}}
	rs, err := book.Rows(b.sheet)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	headerEnd := b.header.Rows[len(b.header.Rows)-1]
	for rs.Next() {
		r := rs.Row()
		if r.Num <= headerEnd {
			continue
		}
		p.row(r)
		if opt.Progress != nil && r.Num%10000 == 0 {
			opt.Progress(r.Num)
		}
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("%s: 读取工作表“%s”出错: %w", file, b.sheet, err)
	}
	p.finish()
	return out, nil
}

type parser struct {
	file      *HouseholdFile
	band      *band
	sheetName string
	year      int
	opt       Options
	byCode    map[string]*draft
	order     []*draft
	cur       *draft
}

func (p *parser) issue(list *[]monitor.Issue, row int, c column, val, code, msg, household string) {
	*list = append(*list, monitor.Issue{Sheet: p.sheetName, Row: row, Column: c.Header, Col: c.Col,
		Value: val, Code: code, Message: msg, Household: household})
}

// notData recognises the rows under and between the data that are not
// members: 合计/小计 rows and signature lines.
func notData(r sheet.Row) bool {
	for _, c := range r.Cells {
		t := monitor.CompactText(c.Value)
		switch {
		case t == "合计" || t == "小计" || t == "总计" || t == "总合计":
			return true
		case strings.HasPrefix(t, "填表人") || strings.HasPrefix(t, "审核人") || strings.HasPrefix(t, "填报日期") ||
			strings.HasPrefix(t, "联系电话:") || strings.HasPrefix(t, "制表人") || strings.HasPrefix(t, "负责人") ||
			strings.HasPrefix(t, "填报人") || strings.HasPrefix(t, "单位负责人"):
			return true
		}
	}
	return false
}

func (p *parser) row(r sheet.Row) {
	if len(r.Cells) == 0 {
		return
	}
	vals := make(map[string]cellRef, len(p.band.header.Columns))
	var risksN []cellRef
	byCol := make(map[int]sheet.Cell, len(r.Cells))
	for _, c := range r.Cells {
		byCol[c.Col] = c
	}
	any := false
	for _, col := range p.band.header.Columns {
		c, ok := byCol[col.Col]
		if !ok || monitor.CompactText(c.Value) == "" {
			continue
		}
		ref := cellRef{val: c.Value, kind: c.Kind, row: r.Num, col: col}
		if col.Field == fRiskN {
			risksN = append(risksN, ref)
		} else if _, seen := vals[col.Field]; !seen {
			vals[col.Field] = ref
		}
		if col.Field != fSeq && col.Field != fIgnore && col.Field != fNote {
			any = true
		}
	}
	if notData(r) {
		p.file.RowResults[r.Num] = "非数据行（合计或签名行），未导入"
		return
	}
	if !any {
		if len(vals) > 0 || len(r.Cells) > 0 {
			p.issue(&p.file.Report.Warnings, r.Num, column{}, "", "row_ignored", "该行没有户或成员信息，未导入", "")
		}
		return
	}
	_, hasName := vals[fName]
	_, hasID := vals[fIDNumber]
	code := ""
	if ref, ok := vals[fCode]; ok {
		code = normalizeCode(ref)
	}
	d := p.cur
	switch {
	case code != "":
		d = p.byCode[code]
		if d == nil {
			d = &draft{code: code, firstRow: r.Num, values: map[string]cellRef{}}
			p.byCode[code] = d
			p.order = append(p.order, d)
		}
	case d == nil:
		col, _ := p.band.header.col(fCode)
		p.issue(&p.file.Report.Errors, r.Num, col, "", monitor.CodeMissingRequired, "户编号为空：每户的第一行必须填写户编号", "")
		p.file.RowResults[r.Num] = "户编号为空"
		return
	default:
		if head, ok := vals[fHeadName]; ok && monitor.CompactText(head.val) != monitor.CompactText(d.values[fHeadName].val) && d.values[fHeadName].val != "" {
			col, _ := p.band.header.col(fCode)
			p.issue(&p.file.Report.Errors, r.Num, col, "", monitor.CodeMissingRequired,
				fmt.Sprintf("户编号为空，但户主“%s”与上一户（户编号 %s，户主“%s”）不同：请填写本户的户编号", head.val, d.code, d.values[fHeadName].val), "")
			p.file.RowResults[r.Num] = "户编号为空"
			return
		}
	}
	p.cur = d
	for f, ref := range vals {
		if !householdFields[f] {
			continue
		}
		prev, ok := d.values[f]
		if !ok {
			d.values[f] = ref
			continue
		}
		if f != fCode && !sameValue(prev, ref) {
			p.issue(&d.issues, ref.row, ref.col, ref.val, monitor.CodeInconsistent,
				fmt.Sprintf("同一户（户编号 %s）的“%s”前后不一致：第 %d 行为“%s”，本行为“%s”", d.code, ref.col.Header, prev.row, prev.val, ref.val), d.code)
		}
	}
	d.risksN = append(d.risksN, risksN...)
	if hasName || hasID {
		d.members = append(d.members, vals)
		d.rows = append(d.rows, r.Num)
	} else if code != "" {
		// A household line with no member on it is still this household's row.
		p.file.RowResults[r.Num] = ""
	}
}

func sameValue(a, b cellRef) bool {
	x, y := monitor.CompactText(a.val), monitor.CompactText(b.val)
	if x == y {
		return true
	}
	fx, e1 := strconv.ParseFloat(x, 64)
	fy, e2 := strconv.ParseFloat(y, 64)
	return e1 == nil && e2 == nil && fx == fy
}

// normalizeCode reads a 户编号. A code stored as a number keeps every digit
// (the raw XML text); one Excel already wrote in scientific notation cannot.
func normalizeCode(ref cellRef) string {
	t := monitor.CompactText(ref.val)
	if ref.kind == sheet.Number && strings.HasSuffix(t, ".0") {
		t = strings.TrimSuffix(t, ".0")
	}
	return t
}
