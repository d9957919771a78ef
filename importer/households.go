package importer

import (
	"fmt"
	"maps"
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
	// IDColumn is the ID number's header on the first roster sheet.
	IDColumn string
	// DataDate is the date the file states above its header (数据日期,
	// 导出时间, 统计截止时间 …), zero when it states none: the date its
	// values are of, for dating the changes an import makes.
	DataDate monitor.Date
	// Sheets are the roster sheets read, in workbook order, with what the
	// error workbook needs of each.
	Sheets []*RosterSheet
	// RowResults, DataRows, LastCol, ResultCol and HeaderRows are those of
	// the first roster sheet (Report.Sheet), for callers of one sheet.
	// RowResults is a copy: rows a caller marks there do not reach Sheets.
	RowResults map[int]string
	DataRows   []int32
	LastCol    int
	ResultCol  int
	HeaderRows []int

	// sheetOf gives, for households outside the first roster sheet, the
	// index of their sheet in Sheets (issues the store raises name the
	// first sheet; the error workbook moves them).
	sheetOf map[string]int
}

// RosterSheet is one sheet of a roster as the parse read it.
type RosterSheet struct {
	Name       string
	HeaderRows []int
	// RowResults says, for each data row that was not imported as is, why;
	// DataRows lists every data row, so the error workbook can mark the rest.
	RowResults map[int]string
	DataRows   []int32
	// LastCol is the last header column; ResultCol the column of an earlier
	// 导入结果 (from an error workbook uploaded again), or 0.
	LastCol   int
	ResultCol int
}

// cellRef is a cell value with where it came from: sh indexes the roster
// sheets, ci that sheet's header columns.
type cellRef struct {
	val  string
	row  int32
	ci   int16
	kind sheet.Kind
	sh   uint8
}

func (c cellRef) ok() bool { return c.row != 0 }

// draft gathers the rows of one household as they stream by. Member rows
// are validated as they arrive; only household values wait for the end.
type draft struct {
	code      string
	firstRow  int
	sh        uint8                        // the sheet of its first row
	values    *[numHouseholdFields]cellRef // the head's, else the first non-blank value of each household field; nil once built
	headRow   int32                        // the head's row, once seen
	hh        monitor.Household            // members are appended here
	rows      []int
	extraRows []int   // rows of the household with no member on them
	sizeRef   cellRef // the stated 人口数, checked against the members at the end
	reopened  bool
	issues    []monitor.Issue
	// otherDoc: a member is known by a document other than an ID card,
	// so members are also told apart by name and birth date.
	otherDoc bool
	// ghost, when set, is the reason this stand-in's rows are not read
	// (see elsewhere).
	ghost string
}

// ParseHouseholds reads a household roster: it finds every sheet with a
// roster header (one per village in a township's workbook; summaries,
// option lists and empty sheets are skipped with the reason), groups the
// member rows into households by 户编号, validates every value and
// explains each problem. A household with any error is rejected as a
// whole.
func ParseHouseholds(book *sheet.Book, file string, opt Options) (*HouseholdFile, error) {
	rb, err := findRosters(book)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	first := rb.rosters[0].band
	rep := &monitor.ImportReport{File: file, Kind: monitor.KindHouseholds, Sheet: first.sheet, HeaderRows: first.header.Rows,
		Sheets: rb.sheets, Errors: append([]monitor.Issue{}, rb.errors...), Warnings: append([]monitor.Issue{}, rb.skipped...)}
	out := &HouseholdFile{Report: rep, HeaderRows: first.header.Rows, DataDate: rb.stated.date}
	idCol, _ := first.header.col(fIDNumber)
	out.IDColumn = idCol.Header
	for _, rs := range rb.rosters {
		rs.out = newRosterSheet(rs, rep)
		out.Sheets = append(out.Sheets, rs.out)
	}
	year, how := rb.stated.incomeYear(opt.DefaultYear, first.sheet, first.header.Rows[0])
	if how != nil {
		rep.Warnings = append(rep.Warnings, *how)
	}
	rep.IncomeYear = year

	p := &parser{file: out, sheets: rb.rosters, year: year, opt: opt, byCode: map[string]*draft{}, date1904: book.Date1904()}
	for i, rs := range rb.rosters {
		if err := p.readSheet(book, uint8(i), rs); err != nil {
			return nil, fmt.Errorf("%s: 读取工作表“%s”出错: %w", file, rs.band.sheet, err)
		}
	}
	p.finish()
	s0 := out.Sheets[0]
	out.RowResults, out.DataRows, out.LastCol, out.ResultCol = maps.Clone(s0.RowResults), s0.DataRows, s0.LastCol, s0.ResultCol
	for i := range rep.Sheets {
		for _, s := range out.Sheets {
			if s.Name == rep.Sheets[i].Name && rep.Sheets[i].SkippedReason == "" {
				rep.Sheets[i].Households = p.perSheet[s.Name]
			}
		}
	}
	return out, nil
}

// newRosterSheet notes a sheet's columns for the error workbook and warns
// of the columns it does not read: each unknown one, and the 风险消除后…
// group once.
func newRosterSheet(rs *rosterSheet, rep *monitor.ImportReport) *RosterSheet {
	b := rs.band
	out := &RosterSheet{Name: b.sheet, HeaderRows: b.header.Rows, RowResults: map[int]string{}}
	last := b.header.Rows[len(b.header.Rows)-1]
	var after []column
	for _, c := range b.header.Columns {
		switch c.Field {
		case fResult:
			out.ResultCol = c.Col
			continue
		case fAfterElim:
			after = append(after, c)
		}
		out.LastCol = max(out.LastCol, c.Col)
	}
	for _, c := range b.header.Unknown {
		out.LastCol = max(out.LastCol, c.Col)
		rep.Warnings = append(rep.Warnings, monitor.Issue{Sheet: b.sheet, Row: last, Column: c.Header,
			Col: c.Col, Code: "unknown_column", Message: fmt.Sprintf("未识别的列“%s”，该列内容未导入", c.Header)})
	}
	if len(after) > 0 {
		names := make([]string, 0, len(after))
		for _, c := range after {
			names = append(names, c.Header)
		}
		rep.Warnings = append(rep.Warnings, monitor.Issue{Sheet: b.sheet, Row: last, Column: after[0].Header, Col: after[0].Col,
			Code: "unknown_column", Message: fmt.Sprintf("“风险消除后…”等 %d 列（%s）是风险消除时的情况，不是当前值；系统暂无存放之处，这些列未导入",
				len(after), strings.Join(names, "、"))})
	}
	var place []string
	if _, ok := b.header.col(fVillage); !ok {
		place = append(place, fmt.Sprintf("没有“村”列，村按工作表名记为“%s”", rs.village))
	}
	if _, ok := b.header.col(fTownship); !ok && rs.township != "" {
		place = append(place, fmt.Sprintf("没有“乡镇”列，乡镇按表头上方或其他工作表记为“%s”", rs.township))
	}
	if len(place) > 0 {
		rep.Warnings = append(rep.Warnings, monitor.Issue{Sheet: b.sheet, Row: last, Code: codePlaceInferred,
			Message: fmt.Sprintf("工作表“%s”%s", b.sheet, strings.Join(place, "；"))})
	}
	return out
}

// codePlaceInferred: a sheet's village or township was taken from its
// name or title, not from a column.
const codePlaceInferred = "place_inferred"

// readSheet streams one roster sheet's data rows into the parser.
func (p *parser) readSheet(book *sheet.Book, sh uint8, rs *rosterSheet) error {
	p.startSheet(sh, rs)
	r, err := book.Rows(rs.band.sheet)
	if err != nil {
		return err
	}
	defer r.Close()
	headerEnd := rs.band.header.Rows[len(rs.band.header.Rows)-1]
	last := 0
	for r.Next() {
		row := r.Row()
		last = row.Num
		if row.Num <= headerEnd {
			continue
		}
		p.row(row)
		if p.opt.Progress != nil && (p.rowsBefore+row.Num)/10000 > p.read {
			p.read = (p.rowsBefore + row.Num) / 10000
			p.opt.Progress(p.rowsBefore + row.Num)
		}
	}
	if err := r.Err(); err != nil {
		return err
	}
	// A household does not go on into the next sheet: its rows are over.
	if p.cur != nil && p.cur.values != nil {
		p.build(p.cur)
	}
	p.cur = nil
	p.rowsBefore += last
	return nil
}

type parser struct {
	file       *HouseholdFile
	sheets     []*rosterSheet
	sh         uint8 // the sheet being read
	sheetName  string
	hdr        *header
	out        *RosterSheet
	year       int
	opt        Options
	byCode     map[string]*draft
	order      []*draft
	cur        *draft
	vals       [numFields]cellRef // the current row, reused
	date1904   bool
	interned   map[string]string
	read       int // the last ten-thousand of rows reported to Progress
	rowsBefore int // rows of the sheets already read, for Progress
	perSheet   map[string]int
}

func (p *parser) startSheet(sh uint8, rs *rosterSheet) {
	p.sh, p.sheetName, p.hdr, p.out = sh, rs.band.sheet, rs.band.header, rs.out
}

func (p *parser) colOf(ref cellRef) column {
	if ref.ci < 0 || !ref.ok() {
		return column{}
	}
	return p.sheets[ref.sh].band.header.Columns[ref.ci]
}

// issue records an issue on the current sheet.
func (p *parser) issue(list *[]monitor.Issue, row int, c column, val, code, msg, household string) {
	p.issueOn(list, p.sh, row, c, val, code, msg, household)
}

func (p *parser) issueOn(list *[]monitor.Issue, sh uint8, row int, c column, val, code, msg, household string) {
	*list = append(*list, monitor.Issue{Sheet: p.sheets[sh].band.sheet, Row: row, Column: c.Header, Col: c.Col,
		Value: val, Code: code, Message: msg, Household: household})
}

// bad records an issue on the cell ref.
func (p *parser) bad(d *draft, ref cellRef, code, msg string) {
	p.issueOn(&d.issues, ref.sh, int(ref.row), p.colOf(ref), ref.val, code, msg, d.code)
}

// colOn is the column of field f on the household's sheet, for issues about
// a value that is missing.
func (p *parser) colOn(d *draft, f field) column {
	c, _ := p.sheets[d.sh].band.header.col(f)
	return c
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
	return noteRow(r)
}

// noteRow recognises a note written across the sheet: one text (a merged
// cell) beginning 注, 说明 or 备注.
func noteRow(r sheet.Row) bool {
	text := ""
	for _, c := range r.Cells {
		t := monitor.CompactText(c.Value)
		switch {
		case t == "":
		case text == "":
			text = t
		case t != text:
			return false
		}
	}
	for _, p := range []string{"注:", "注1", "注", "说明:", "填表说明", "备注:"} {
		if strings.HasPrefix(text, p) && (p != "注" || len([]rune(text)) > 8) {
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
	data := false
	ofCol := p.hdr.ofCol
	for _, c := range r.Cells {
		if c.Col >= len(ofCol) || ofCol[c.Col] < 0 {
			continue
		}
		ci := ofCol[c.Col]
		f := p.hdr.Columns[ci].Field
		if f == fIgnore || f == fAfterElim || vals[f].ok() || isBlank(c.Value) {
			continue
		}
		vals[f] = cellRef{val: c.Value, kind: c.Kind, row: int32(r.Num), ci: ci, sh: p.sh}
		if f != fSeq && f != fNote && f != fResult {
			data = true
		}
	}
	// A member's row names the person; the rest may be a 合计 row, a
	// signature line or a note (checked only then: it costs every cell).
	if !(vals[fName].ok() && vals[fIDNumber].ok()) && notData(r) {
		p.out.RowResults[r.Num] = "非数据行（合计、签名或说明行），未导入"
		return
	}
	if !data {
		p.issue(&p.file.Report.Warnings, r.Num, column{}, "", "row_ignored", "该行没有户或成员信息，未导入", "")
		p.out.RowResults[r.Num] = "该行没有户或成员信息，未导入"
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
		if d != nil && d.sh != p.sh {
			d = p.elsewhere(d, vals[fCode])
		}
		if d == nil {
			code = strings.Clone(code) // kept: not a slice of the row's text
			d = &draft{code: code, firstRow: r.Num, sh: p.sh, values: new([numHouseholdFields]cellRef)}
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
		p.out.RowResults[r.Num] = "户编号为空，未导入"
		return
	default:
		if head := vals[fHeadName]; head.ok() && d.values != nil && d.values[fHeadName].ok() && monitor.CompactText(head.val) != monitor.CompactText(d.values[fHeadName].val) {
			col, _ := p.hdr.col(fCode)
			p.issue(&p.file.Report.Errors, r.Num, col, "", monitor.CodeMissingRequired,
				fmt.Sprintf("户编号为空，但户主“%s”与上一户（户编号 %s，户主“%s”）不同：请填写本户的户编号", head.val, d.code, d.values[fHeadName].val), "")
			p.out.RowResults[r.Num] = "户编号为空，未导入"
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
	if d.ghost != "" {
		p.out.RowResults[r.Num] = d.ghost
		return
	}
	p.out.DataRows = append(p.out.DataRows, int32(r.Num))
	if d.values == nil {
		// Rows of an already built household, after other households'.
		if !d.reopened {
			d.reopened = true
			p.issue(&d.issues, r.Num, column{}, "", "rows_not_contiguous",
				fmt.Sprintf("户编号 %s 的行不连续（第 %d 行再次出现）：成员已合并到该户，户的信息以第一次出现的行为准", d.code, r.Num), d.code)
		}
	} else {
		p.householdValues(d, vals)
	}
	if hasMemberValue(vals) {
		p.member(d, vals, r.Num)
	} else {
		d.extraRows = append(d.extraRows, r.Num)
	}
}

// elsewhere answers a 户编号 seen on an earlier sheet: one household cannot
// be in two sheets (two villages). The household is refused, and this
// sheet's rows of it are marked and left out, through a stand-in draft.
func (p *parser) elsewhere(d *draft, ref cellRef) *draft {
	msg := fmt.Sprintf("户编号 %s 已在工作表“%s”第 %d 行出现：同一户不能分在两个工作表（两个村），请核实后只保留一处", d.code, p.sheets[d.sh].band.sheet, d.firstRow)
	p.bad(d, ref, monitor.CodeInconsistent, msg)
	return &draft{code: d.code, sh: p.sh, ghost: "整户未导入：" + msg}
}

// householdValues keeps the row's household fields, checking them against
// the household's other rows. The head's row speaks for the household: a
// value on it replaces one taken from an earlier member's row, and it is
// that earlier cell that is reported as inconsistent.
func (p *parser) householdValues(d *draft, vals *[numFields]cellRef) {
	isHead := false
	if ref := vals[fRelation]; ref.ok() && d.headRow == 0 {
		if rel, ok := monitor.NormalizeRelation(ref.val); ok && rel == "户主" {
			isHead, d.headRow = true, ref.row
		}
	}
	for f := fNone + 1; f < numHouseholdFields; f++ {
		ref := vals[f]
		if !ref.ok() {
			continue
		}
		if prev := d.values[f]; prev.ok() {
			if f == fCode || sameValue(prev, ref) {
				continue
			}
			if !isHead {
				p.bad(d, ref, monitor.CodeInconsistent,
					fmt.Sprintf("同一户（户编号 %s）的“%s”前后不一致：第 %d 行为“%s”，本行为“%s”", d.code, p.colOf(ref).Header, prev.row, prev.val, ref.val))
				continue
			}
			p.bad(d, prev, monitor.CodeInconsistent,
				fmt.Sprintf("同一户（户编号 %s）的“%s”前后不一致：户主所在的第 %d 行为“%s”，本行为“%s”", d.code, p.colOf(prev).Header, ref.row, ref.val, prev.val))
		}
		if internable[f] {
			ref.val = p.intern(ref.val)
		}
		d.values[f] = ref
	}
}

// hasMemberValue reports whether a row carries anything about a person, so
// a member row with a missing name and ID is reported, never dropped.
func hasMemberValue(vals *[numFields]cellRef) bool {
	for _, f := range []field{fName, fDocType, fIDNumber, fRelation, fSex, fBirth, fHealth, fLabor, fSchool, fWorkMonths, fInsured} {
		if vals[f].ok() {
			return true
		}
	}
	return false
}

// internable are the household fields whose values repeat across a
// roster (places, enumerations): one copy of each is kept.
var internable = func() (m [numHouseholdFields]bool) {
	for _, f := range []field{fCounty, fTownship, fVillage, fGroup, fType, fCategory, fIdentified, fRisks, fRisk1, fRisk2,
		fRisk3, fRisk4, fRisk5, fEliminated, fElimMethod, fElimDate, fHousing, fWater, fEducation, fMedicalGap, fNoLabor} {
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
