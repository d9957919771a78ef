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
	// Progress, when set, is told the row number each time reading passes
	// another 10,000 rows.
	Progress func(rows int)
	// LoanChunks, when set, is given the loans ParseLoans accepts a few
	// thousand at a time, in file order, as it goes, with the number of
	// errors found so far — so that a caller can write them while the rest
	// is parsed. Only a ledger without a separate repayment sheet (whose
	// rows may yet reject a loan) is handed on this way; LoanFile.Streamed
	// says whether it was.
	LoanChunks func(sheet string, loans []LoanRecord, errors int)
	// LoanChunkSize is the number of loans per LoanChunks call (2,000 when
	// 0).
	LoanChunkSize int
}

// HouseholdFile is a parsed roster: the valid households, and every issue.
type HouseholdFile struct {
	Report     *monitor.ImportReport
	Households []monitor.ImportHousehold // valid ones only
	IDColumn   string
	// RowResults says, for each data row that was not imported as is, why;
	// DataRows lists every data row, so the error workbook can mark the rest.
	RowResults map[int]string
	DataRows   []int32
	// LastCol is the last header column; ResultCol the column of an earlier
	// 导入结果 (from an error workbook uploaded again), or 0.
	LastCol    int
	ResultCol  int
	HeaderRows []int
}

// cellRef is a cell value with where it came from; ci indexes the header's
// columns.
type cellRef struct {
	val  string
	row  int32
	ci   int16
	kind sheet.Kind
}

func (c cellRef) ok() bool { return c.row != 0 }

// draft gathers the rows of one household as they stream by. Member rows
// are validated as they arrive; only household values wait for the end.
type draft struct {
	code      string
	firstRow  int
	values    *[numHouseholdFields]cellRef // first non-blank value of each household field; nil once built
	risksN    []cellRef                    // 风险1…5
	hh        monitor.Household            // members are appended here
	rows      []int
	extraRows []int   // rows of the household with no member on them
	sizeRef   cellRef // the stated 人口数, checked against the members at the end
	reopened  bool
	issues    []monitor.Issue
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
		if c.Field == fResult {
			out.ResultCol = c.Col
			continue
		}
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

	p := &parser{file: out, hdr: b.header, sheetName: b.sheet, year: year, opt: opt, byCode: map[string]*draft{}, date1904: book.Date1904()}
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
		if opt.Progress != nil && r.Num/10000 > p.read {
			p.read = r.Num / 10000
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
	hdr       *header
	sheetName string
	year      int
	opt       Options
	byCode    map[string]*draft
	order     []*draft
	cur       *draft
	vals      [numFields]cellRef // the current row, reused
	risksN    []cellRef
	date1904  bool
	interned  map[string]string
	read      int // the last ten-thousand of rows reported to Progress
}

func (p *parser) colOf(ref cellRef) column {
	if ref.ci < 0 || !ref.ok() {
		return column{}
	}
	return p.hdr.Columns[ref.ci]
}

func (p *parser) issue(list *[]monitor.Issue, row int, c column, val, code, msg, household string) {
	*list = append(*list, monitor.Issue{Sheet: p.sheetName, Row: row, Column: c.Header, Col: c.Col,
		Value: val, Code: code, Message: msg, Household: household})
}

// bad records an issue on the cell ref.
func (p *parser) bad(d *draft, ref cellRef, code, msg string) {
	p.issue(&d.issues, int(ref.row), p.colOf(ref), ref.val, code, msg, d.code)
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

func isBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' {
			return monitor.CompactText(s) == ""
		}
	}
	return true
}

func (p *parser) row(r sheet.Row) {
	if len(r.Cells) == 0 {
		return
	}
	vals := &p.vals
	*vals = [numFields]cellRef{}
	p.risksN = p.risksN[:0]
	data := false
	for _, c := range r.Cells {
		if c.Col >= len(p.hdr.ofCol) || p.hdr.ofCol[c.Col] < 0 || isBlank(c.Value) {
			continue
		}
		ci := p.hdr.ofCol[c.Col]
		f := p.hdr.Columns[ci].Field
		ref := cellRef{val: c.Value, kind: c.Kind, row: int32(r.Num), ci: ci}
		switch {
		case f == fRiskN:
			p.risksN = append(p.risksN, ref)
		case !vals[f].ok():
			vals[f] = ref
		}
		if f != fSeq && f != fIgnore && f != fNote && f != fResult {
			data = true
		}
	}
	if notData(r) {
		p.file.RowResults[r.Num] = "非数据行（合计或签名行），未导入"
		return
	}
	if !data {
		p.issue(&p.file.Report.Warnings, r.Num, column{}, "", "row_ignored", "该行没有户或成员信息，未导入", "")
		p.file.RowResults[r.Num] = "该行没有户或成员信息，未导入"
		return
	}
	code := ""
	if vals[fCode].ok() {
		code = normalizeCode(vals[fCode])
	}
	d := p.cur
	switch {
	case code != "":
		d = p.byCode[code]
		if d == nil {
			code = strings.Clone(code) // kept: not a slice of the row's text
			d = &draft{code: code, firstRow: r.Num, values: new([numHouseholdFields]cellRef)}
			if n, err := strconv.Atoi(monitor.CompactText(vals[fSize].val)); err == nil && n > 0 && n < 64 {
				d.hh.Members = make([]monitor.Member, 0, n)
				d.rows = make([]int, 0, n)
			}
			p.byCode[code] = d
			p.order = append(p.order, d)
		}
	case d == nil:
		col, _ := p.hdr.col(fCode)
		p.issue(&p.file.Report.Errors, r.Num, col, "", monitor.CodeMissingRequired, "户编号为空：每户的第一行必须填写户编号，本行不能归入任何一户", "")
		p.file.RowResults[r.Num] = "户编号为空，未导入"
		return
	default:
		if head := vals[fHeadName]; head.ok() && d.values != nil && d.values[fHeadName].ok() && monitor.CompactText(head.val) != monitor.CompactText(d.values[fHeadName].val) {
			col, _ := p.hdr.col(fCode)
			p.issue(&p.file.Report.Errors, r.Num, col, "", monitor.CodeMissingRequired,
				fmt.Sprintf("户编号为空，但户主“%s”与上一户（户编号 %s，户主“%s”）不同：请填写本户的户编号", head.val, d.code, d.values[fHeadName].val), "")
			p.file.RowResults[r.Num] = "户编号为空，未导入"
			// The rows below belong to this code-less household, not to
			// the one above: they are refused too, each named.
			p.cur = nil
			return
		}
	}
	if p.cur != nil && p.cur != d && p.cur.values != nil {
		// The rows of the previous household are over: build it now and let
		// its raw cells go, so memory holds one household's cells at a time.
		p.build(p.cur)
	}
	p.cur = d
	if d.values == nil {
		// Rows of an already built household, after other households'.
		if !d.reopened {
			d.reopened = true
			p.issue(&d.issues, r.Num, column{}, "", "rows_not_contiguous",
				fmt.Sprintf("户编号 %s 的行不连续（第 %d 行再次出现）：成员已合并到该户，户的信息以第一次出现的行为准", d.code, r.Num), d.code)
		}
		p.file.DataRows = append(p.file.DataRows, int32(r.Num))
		if hasMemberValue(vals) {
			p.member(d, vals, r.Num)
		} else {
			d.extraRows = append(d.extraRows, r.Num)
		}
		return
	}
	for f := fNone + 1; f < numHouseholdFields; f++ {
		ref := vals[f]
		if !ref.ok() {
			continue
		}
		prev := d.values[f]
		if !prev.ok() {
			if internable[f] {
				ref.val = p.intern(ref.val)
			}
			d.values[f] = ref
			continue
		}
		if f != fCode && !sameValue(prev, ref) {
			p.bad(d, ref, monitor.CodeInconsistent,
				fmt.Sprintf("同一户（户编号 %s）的“%s”前后不一致：第 %d 行为“%s”，本行为“%s”", d.code, p.colOf(ref).Header, prev.row, prev.val, ref.val))
		}
	}
	d.risksN = append(d.risksN, p.risksN...)
	p.file.DataRows = append(p.file.DataRows, int32(r.Num))
	if hasMemberValue(vals) {
		p.member(d, vals, r.Num)
	} else {
		d.extraRows = append(d.extraRows, r.Num)
	}
}

// hasMemberValue reports whether a row carries anything about a person, so
// a member row with a missing name and ID is reported, never dropped.
func hasMemberValue(vals *[numFields]cellRef) bool {
	for _, f := range []field{fName, fIDNumber, fRelation, fSex, fBirth, fHealth, fLabor, fSchool, fWorkMonths, fInsured} {
		if vals[f].ok() {
			return true
		}
	}
	return false
}

// internable are the household fields whose values repeat across a
// roster (places, enumerations): one copy of each is kept.
var internable = func() (m [numHouseholdFields]bool) {
	for _, f := range []field{fCounty, fTownship, fVillage, fGroup, fType, fCategory, fIdentified, fRisks, fEliminated,
		fElimMethod, fHousing, fWater, fEducation, fMedicalGap, fNoLabor} {
		m[f] = true
	}
	return m
}()

func (p *parser) intern(s string) string {
	if p.interned == nil {
		p.interned = map[string]string{}
	}
	if v, ok := p.interned[s]; ok {
		return v
	}
	if len(p.interned) < 100000 {
		s = strings.Clone(s) // not a slice of its row's text, which would stay with it
		p.interned[s] = s
	}
	return s
}

func sameValue(a, b cellRef) bool {
	if a.val == b.val {
		return true
	}
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
