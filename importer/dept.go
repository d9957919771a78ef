package importer

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/shouwang/shouwang/importer/sheet"
	"github.com/shouwang/shouwang/monitor"
)

// Department-list fields, numbered apart from the other kinds'.
const (
	dName field = numFields + 100 + iota
	dIDNumber
	dAmount
	dDate
	dStart
	dEnd
	dDetail
	dSeq
)

var deptAliases = aliasTable(map[field][]string{
	dName:     {"姓名", "患者姓名", "参保人姓名", "救助对象姓名", "学生姓名", "受灾人姓名", "户主姓名", "持证人姓名"},
	dIDNumber: {"身份证号", "身份证号码", "证件号码", "公民身份号码", "身份证件号码", "证件号"},
	dAmount: {"个人自付金额", "个人自付", "自付金额", "个人负担金额", "合规自付金额", "合规自付支出", "救助金额", "保障金额",
		"受灾损失金额", "损失金额", "学费", "费用金额", "金额"},
	dDate:   {"日期", "发生日期", "认定日期", "受灾日期", "辍学日期", "失业登记日期", "事故日期", "发证日期", "审批日期", "鉴定日期"},
	dStart:  {"入院日期", "开始日期"},
	dEnd:    {"出院日期", "结束日期", "结算日期"},
	dDetail: {"参保类型", "就诊类型", "疾病名称", "救助类型", "保障类型", "残疾类别", "残疾等级", "学校", "就读学校", "年级", "灾害类型", "事故类型", "险种", "备注", "类型", "类别", "原因"},
	dSeq:    {"序号"},
})

// deptKindWords says which department a list comes from by the words in
// its title and headers.
var deptKindWords = []struct {
	kind  string
	words []string
}{
	{monitor.DeptMedical, []string{"医疗", "自付", "医保", "住院"}},
	{monitor.DeptCivil, []string{"低保", "特困", "临时救助", "民政"}},
	{monitor.DeptDisability, []string{"残疾", "残联"}},
	{monitor.DeptEducation, []string{"辍学", "失学", "学校", "教育"}},
	{monitor.DeptDisaster, []string{"受灾", "灾害", "灾情", "应急"}},
	{monitor.DeptEmployment, []string{"失业", "人社", "就业"}},
	{monitor.DeptHousing, []string{"危房", "住房", "住建"}},
	{monitor.DeptWater, []string{"饮水", "供水", "水利"}},
	{monitor.DeptAccident, []string{"事故", "伤亡", "公安"}},
}

// DeptKinds lists the department kinds with their Chinese names.
var DeptKinds = map[string]string{
	monitor.DeptMedical: "医保局大额医疗费用", monitor.DeptCivil: "民政低保特困救助", monitor.DeptDisability: "残联残疾人",
	monitor.DeptEducation: "教育失学辍学", monitor.DeptDisaster: "应急管理受灾", monitor.DeptEmployment: "人社失业",
	monitor.DeptHousing: "住建危房", monitor.DeptWater: "水利饮水", monitor.DeptAccident: "公安意外事故",
}

// DeptRow is one row of a department list.
type DeptRow struct {
	Row    int
	Record monitor.DeptRecord
}

// DeptFile is a parsed department list.
type DeptFile struct {
	Report *monitor.ImportReport
	Kind   string
	Rows   []DeptRow // valid rows only
}

// ParseDeptList reads a department's monthly list (医保, 民政, 残联, …).
// kind may be "" to detect it from the title and headers. The period the
// list covers comes from its title (2022年第四季度 → 2022Q4, 2022年10月 →
// 2022-10), else from the latest date in it, else defaultPeriod.
func ParseDeptList(book *sheet.Book, file, kind, defaultPeriod string) (*DeptFile, error) {
	b, err := locate(book, deptAliases, dIDNumber)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	var title strings.Builder
	for _, r := range b.rows {
		if r.Num >= b.header.Rows[0] {
			break
		}
		for _, c := range r.Cells {
			title.WriteString(c.Value + " ")
		}
	}
	headers := ""
	for _, c := range append(append([]column{}, b.header.Columns...), b.header.Unknown...) {
		headers += c.Header + " "
	}
	if kind == "" {
		kind = detectDeptKind(title.String() + " " + headers)
		if kind == "" {
			return nil, monitor.Errorf(monitor.EINVALID, "%s：无法从标题和表头判断是哪个部门的名单，请用 --kind 指定（medical、civil、disability、education、disaster、employment、housing、water、accident）", file)
		}
	}
	if _, ok := DeptKinds[kind]; !ok {
		return nil, monitor.Errorf(monitor.EINVALID, "未知的名单类型 %q", kind)
	}
	rep := &monitor.ImportReport{File: file, Kind: kind, Sheet: b.sheet, HeaderRows: b.header.Rows, Errors: []monitor.Issue{}, Warnings: []monitor.Issue{}}
	out := &DeptFile{Report: rep, Kind: kind}
	period := periodIn(title.String())
	rs, err := book.Rows(b.sheet)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	last := b.header.Rows[len(b.header.Rows)-1]
	latest := monitor.Date{}
	p := &parser{hdr: b.header, sheetName: b.sheet, date1904: book.Date1904()}
	for rs.Next() {
		r := rs.Row()
		if r.Num <= last || notData(r) {
			continue
		}
		row, issues := p.deptRow(r)
		for _, is := range issues {
			rep.Errors = append(rep.Errors, is)
		}
		if row == nil {
			continue
		}
		if len(issues) > 0 {
			continue
		}
		if d := row.Record.Date; !d.IsZero() && latest.Before(d) {
			latest = d
		}
		out.Rows = append(out.Rows, *row)
	}
	if err := rs.Err(); err != nil {
		return nil, err
	}
	if period == "" && !latest.IsZero() {
		period = fmt.Sprintf("%04d-%02d", latest.Year, latest.Month)
	}
	if period == "" {
		period = defaultPeriod
	}
	for i := range out.Rows {
		out.Rows[i].Record.Period = period
	}
	sortIssues(rep.Errors)
	return out, nil
}

func detectDeptKind(text string) string {
	for _, k := range deptKindWords {
		for _, w := range k.words {
			if strings.Contains(text, w) {
				return k.kind
			}
		}
	}
	return ""
}

var (
	reQuarter  = regexp.MustCompile(`(20\d\d)\s*年\s*第?\s*([一二三四1-4])\s*季度`)
	reMonth    = regexp.MustCompile(`(20\d\d)\s*年\s*(\d{1,2})\s*月`)
	reYearOnly = regexp.MustCompile(`(20\d\d)\s*年度?`)
)

func periodIn(title string) string {
	t := monitor.NormalizeText(title)
	if m := reQuarter.FindStringSubmatch(t); m != nil {
		q := strings.IndexAny("一二三四", m[2])
		if q >= 0 {
			q = q/3 + 1 // a Chinese numeral is 3 bytes
		} else {
			q, _ = strconv.Atoi(m[2])
		}
		return fmt.Sprintf("%sQ%d", m[1], q)
	}
	if m := reMonth.FindStringSubmatch(t); m != nil {
		mo, _ := strconv.Atoi(m[2])
		return fmt.Sprintf("%s-%02d", m[1], mo)
	}
	if m := reYearOnly.FindStringSubmatch(t); m != nil {
		return m[1]
	}
	return ""
}

// deptRow reads one row; nil when the row carries no person.
func (p *parser) deptRow(r sheet.Row) (*DeptRow, []monitor.Issue) {
	var issues []monitor.Issue
	out := &DeptRow{Row: r.Num}
	rec := &out.Record
	var details []string
	any := false
	var start, end monitor.Date
	for _, c := range r.Cells {
		if c.Col >= len(p.hdr.ofCol) || p.hdr.ofCol[c.Col] < 0 || isBlank(c.Value) {
			continue
		}
		col := p.hdr.Columns[p.hdr.ofCol[c.Col]]
		ref := cellRef{val: c.Value, kind: c.Kind, row: int32(r.Num), ci: p.hdr.ofCol[c.Col]}
		bad := func(code, msg string) {
			issues = append(issues, monitor.Issue{Sheet: p.sheetName, Row: r.Num, Column: col.Header, Col: col.Col, Value: c.Value, Code: code, Message: msg})
		}
		switch col.Field {
		case dName:
			rec.Name = monitor.CompactText(c.Value)
			any = true
		case dIDNumber:
			any = true
			id, _, _, prob := monitor.ParseIDNumber(c.Value, c.Kind == sheet.Number)
			if prob != nil {
				bad(prob.Code, prob.Message)
			}
			rec.IDNumber = id
		case dAmount:
			m, err := monitor.ParseMoney(c.Value, col.Scale)
			switch {
			case err != nil:
				bad(monitor.CodeNumberFormat, fmt.Sprintf("“%s”不是金额", c.Value))
			case m < 0:
				bad(monitor.CodeNegativeAmount, "金额不能为负")
			default:
				rec.Amount = m
			}
		case dDate, dStart, dEnd:
			d, err := p.parseDate(ref)
			if err != nil {
				bad(monitor.CodeDateFormat, fmt.Sprintf("日期“%s”无法识别，请写作 2022-10-08 或日期格式单元格", c.Value))
				continue
			}
			switch col.Field {
			case dStart:
				start = d
			case dEnd:
				end = d
			default:
				rec.Date = d
			}
			details = append(details, col.Header+":"+d.String())
		case dDetail:
			details = append(details, col.Header+":"+monitor.CompactText(c.Value))
		}
	}
	if !any {
		return nil, nil
	}
	if rec.IDNumber == "" {
		issues = append(issues, monitor.Issue{Sheet: p.sheetName, Row: r.Num, Code: monitor.CodeMissingRequired, Message: "身份证号码为空，无法与农户成员比对"})
	}
	if rec.Date.IsZero() {
		if !end.IsZero() {
			rec.Date = end
		} else {
			rec.Date = start
		}
	}
	rec.Detail = strings.Join(details, "；")
	return out, issues
}
