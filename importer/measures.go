package importer

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/xuri/excelize/v2"

	"github.com/shouwang/shouwang/importer/sheet"
	"github.com/shouwang/shouwang/monitor"
)

// Measures-ledger (帮扶措施台账) and cadre-list (帮扶责任人名单) fields,
// numbered after the loan ledger's.
const (
	fMeasureCategory field = numLoanFields + iota
	fSubType
	fMemberID
	fStart
	fEnd
	fMeasureAmount
	fMonths
	fMeasureStatus
	fCadreName
	fCadreUnit
	fCadrePhone
	numRecordFields
)

var measureAliases = aliasTable(map[field][]string{
	fSeq:             {"序号"},
	fTownship:        {"乡镇", "乡(镇)", "乡镇街道", "乡镇(街道)", "镇", "街道"},
	fVillage:         {"行政村", "村", "村(社区)", "社区", "村社区"},
	fGroup:           {"组别", "组", "村民小组", "社"},
	fCode:            {"户编号", "户码", "户号"},
	fHeadName:        {"户主姓名", "户主"},
	fHeadID:          {"户主身份证号", "户主身份证号码", "户主证件号码", "身份证号", "身份证号码"},
	fMeasureCategory: {"帮扶措施类别", "措施类别", "帮扶类别", "帮扶措施类型", "措施类型", "帮扶类型", "帮扶措施大类", "类别"},
	fSubType:         {"帮扶措施", "具体措施", "子类", "措施内容", "帮扶内容", "帮扶措施名称", "措施名称", "项目名称", "具体帮扶措施", "帮扶措施小类"},
	fMemberID:        {"受益成员身份证号", "受益人身份证号", "受益成员身份证号码", "受益人身份证号码", "成员身份证号", "受益对象身份证号"},
	fStart:           {"开始日期", "开始时间", "落实时间", "落实日期", "实施时间", "起始日期", "起始时间", "享受时间", "帮扶时间"},
	fEnd:             {"结束日期", "结束时间", "截止日期", "截止时间", "终止日期"},
	fMeasureAmount:   {"金额", "帮扶资金", "补助金额", "资金", "帮扶金额", "投入资金", "资金金额", "补贴金额", "享受金额"},
	fMonths:          {"公益岗位月数", "岗位月数", "务工月数", "就业月数", "在岗月数", "月数", "公益岗位工作月数"},
	fMeasureStatus:   {"状态", "落实状态", "措施状态", "落实情况", "是否落实"},
	fNote:            {"备注"},
	fResult:          {"导入结果"},
	fIgnore:          {"受益成员", "受益人", "受益人姓名", "受益成员姓名", "监测对象类别", "户类型", "联系电话", "人口数"},
})

var cadreAliases = aliasTable(map[field][]string{
	fSeq:      {"序号"},
	fTownship: {"乡镇", "乡(镇)", "乡镇街道", "乡镇(街道)", "镇", "街道"},
	fVillage:  {"行政村", "村", "村(社区)", "社区", "村社区"},
	fGroup:    {"组别", "组", "村民小组", "社"},
	fCode:     {"户编号", "户码", "户号"},
	fHeadName: {"户主姓名", "户主", "帮扶对象", "帮扶户户主"},
	fHeadID:   {"户主身份证号", "户主身份证号码", "户主证件号码", "身份证号", "身份证号码"},
	fCadreName: {"帮扶责任人", "帮扶责任人姓名", "帮扶人", "帮扶人姓名", "结对帮扶人", "帮扶干部", "帮扶干部姓名", "责任人",
		"帮扶联系人"},
	fCadreUnit:  {"工作单位", "单位", "帮扶单位", "帮扶责任人单位", "帮扶责任人工作单位", "所在单位", "派出单位"},
	fCadrePhone: {"联系电话", "帮扶责任人电话", "帮扶责任人联系电话", "帮扶人电话", "帮扶人联系电话", "手机号码", "电话", "手机"},
	fStart:      {"帮扶开始时间", "帮扶开始日期", "开始时间", "开始日期", "结对时间", "结对日期", "起始时间", "帮扶时间"},
	fEnd:        {"帮扶结束时间", "帮扶结束日期", "结束时间", "结束日期", "截止时间"},
	fNote:       {"备注"},
	fResult:     {"导入结果"},
	fIgnore:     {"职务", "户主联系电话", "监测对象类别", "户类型", "人口数", "政治面貌"},
})

func init() {
	for f, l := range map[field]string{fMeasureCategory: "帮扶措施类别", fCadreName: "帮扶责任人姓名", fStart: "开始日期", fEnd: "结束日期"} {
		recordLabel[f] = l
	}
}

// MeasureRecord is one measure read from a ledger; the store finds the
// household by 户编号, or else by 户主身份证号.
type MeasureRecord struct {
	Measure      monitor.Measure // HouseholdCode is the file's 户编号, "" when blank
	Row          int
	HeadIDNumber string
	KeyColumn    string // the header of the column the household is found by
}

// MeasureFile is a parsed measures ledger.
type MeasureFile struct {
	RecordFile
	Measures []MeasureRecord // valid ones only
}

// CadreRecord is one 帮扶责任人 of a household read from a cadre list.
type CadreRecord struct {
	Cadre        monitor.Cadre
	Row          int
	HeadIDNumber string
	KeyColumn    string
}

// CadreFile is a parsed cadre list.
type CadreFile struct {
	RecordFile
	Cadres []CadreRecord // valid ones only
}

// ParseMeasures reads a measures ledger (帮扶措施台账): one measure a row,
// its household by 户编号 or 户主身份证号, the category folded to the
// national list (with a sub-type from its own column or written after a
// slash: 就业帮扶/技能培训), the member it benefits, dates, amount in 元 or
// 万元, months of a public-welfare job, and status 计划/已落实/已结束
// (blank: in place from its start date).
func ParseMeasures(book *sheet.Book, file string, opt Options) (*MeasureFile, error) {
	b, err := locateRecords(book, file, measureAliases, "帮扶措施台账", fMeasureCategory)
	if err != nil {
		return nil, err
	}
	out := &MeasureFile{RecordFile: *newRecordFile(file, monitor.KindMeasures, b)}
	out.Report.Measures = &monitor.RecordCounts{}
	p := newRecordParser(&out.RecordFile, b, book, opt)
	scale := titleScale(b)
	err = p.each(book, b, func(r sheet.Row) {
		v := &p.vals
		m := monitor.Measure{}
		code, head, keyCol := p.household(r.Num)
		m.HouseholdCode = code
		if ref := v[fMeasureCategory]; ref.ok() {
			cat, sub, ok := normalizeMeasureCategory(ref.val)
			if !ok {
				p.bad(ref, monitor.CodeUnknownValue, fmt.Sprintf("帮扶措施类别“%s”无法识别，可填：%s（可在斜杠后写具体措施，如 就业帮扶/技能培训）", ref.val, strings.Join(monitor.MeasureCategories, "、")))
			}
			m.Category, m.SubType = cat, sub
		} else {
			p.missing(fMeasureCategory, r.Num, "帮扶措施类别为空")
		}
		if ref := v[fSubType]; ref.ok() {
			m.SubType = monitor.CompactText(ref.val)
		}
		if ref := v[fMemberID]; ref.ok() {
			m.MemberID, _ = p.idNumber(ref)
		}
		if ref := v[fStart]; ref.ok() {
			m.Start, _ = p.date(ref, "开始日期")
		}
		if ref := v[fEnd]; ref.ok() {
			m.End, _ = p.date(ref, "结束日期")
			if !m.End.IsZero() && !m.Start.IsZero() && m.End.Before(m.Start) {
				p.bad(ref, "date_order", fmt.Sprintf("结束日期 %s 早于开始日期 %s", m.End, m.Start))
			}
		}
		if ref := v[fMeasureAmount]; ref.ok() {
			m.Amount, _ = p.amount(ref, scale, false)
		}
		if ref := v[fMonths]; ref.ok() {
			if n, ok := p.count(ref, 0, 600); ok {
				m.Months = n
				if m.Category != "" && m.Category != "公益岗位帮扶" && m.Category != "就业帮扶" {
					p.warn(ref, "months_unexpected", fmt.Sprintf("“%s”类措施一般不填月数（月数用于公益岗位和就业帮扶），已照录", m.Category))
				}
			}
		}
		m.Status = monitor.MeasureInPlace
		if ref := v[fMeasureStatus]; ref.ok() {
			if s, ok := normalizeMeasureStatus(ref.val); ok {
				m.Status = s
			} else {
				p.bad(ref, monitor.CodeUnknownValue, fmt.Sprintf("状态“%s”无法识别，可填：计划、已落实、已结束", ref.val))
			}
		} else if !m.Start.IsZero() && !opt.AsOf.IsZero() && opt.AsOf.Before(m.Start) {
			m.Status = monitor.MeasurePlanned
		}
		m.Note = monitor.NormalizeText(v[fNote].val)
		if p.rowErrors() {
			p.reject(r.Num)
			return
		}
		p.flushWarnings()
		out.Measures = append(out.Measures, MeasureRecord{Measure: m, Row: r.Num, HeadIDNumber: head, KeyColumn: keyCol})
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	p.done()
	return out, nil
}

// ParseCadres reads a list of responsible cadres (帮扶责任人名单): a
// household by 户编号 or 户主身份证号, the cadre's name, unit and phone, and
// the dates the pairing began and ended.
func ParseCadres(book *sheet.Book, file string, opt Options) (*CadreFile, error) {
	b, err := locateRecords(book, file, cadreAliases, "帮扶责任人名单", fCadreName)
	if err != nil {
		return nil, err
	}
	out := &CadreFile{RecordFile: *newRecordFile(file, monitor.KindCadres, b)}
	out.Report.Cadres = &monitor.RecordCounts{}
	p := newRecordParser(&out.RecordFile, b, book, opt)
	err = p.each(book, b, func(r sheet.Row) {
		v := &p.vals
		c := monitor.Cadre{}
		code, head, keyCol := p.household(r.Num)
		c.HouseholdCode = code
		c.Name = monitor.CompactText(v[fCadreName].val)
		if c.Name == "" {
			p.missing(fCadreName, r.Num, "帮扶责任人姓名为空")
		}
		c.Unit = monitor.CompactText(v[fCadreUnit].val)
		if ref := v[fCadrePhone]; ref.ok() {
			c.Phone = phoneText(ref)
			if !plausiblePhone(c.Phone) {
				p.warn(ref, "phone_format", fmt.Sprintf("联系电话“%s”不像手机号（11位）或座机号，已照录，请核对", ref.val))
			}
		}
		if ref := v[fStart]; ref.ok() {
			c.From, _ = p.date(ref, "帮扶开始时间")
		}
		if ref := v[fEnd]; ref.ok() {
			c.To, _ = p.date(ref, "帮扶结束时间")
			if !c.To.IsZero() && !c.From.IsZero() && c.To.Before(c.From) {
				p.bad(ref, "date_order", fmt.Sprintf("帮扶结束时间 %s 早于开始时间 %s", c.To, c.From))
			}
		}
		if p.rowErrors() {
			p.reject(r.Num)
			return
		}
		p.flushWarnings()
		out.Cadres = append(out.Cadres, CadreRecord{Cadre: c, Row: r.Num, HeadIDNumber: head, KeyColumn: keyCol})
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	p.done()
	return out, nil
}

// household reads the row's 户编号 and 户主身份证号: one of them must be
// there for the store to find the household.
func (p *recordParser) household(row int) (code, head, keyCol string) {
	v := &p.vals
	if ref := v[fCode]; ref.ok() {
		code = normalizeCode(ref)
		if !validCode(code) {
			p.bad(ref, "code_format", fmt.Sprintf("户编号“%s”无效：应为最多30位的数字或字母；若显示为科学计数法，说明被 Excel 存成了数字，请把该列设为文本后重新录入", ref.val))
		}
		keyCol = p.colOf(ref).Header
	}
	if ref := v[fHeadID]; ref.ok() {
		id, _, _, prob := monitor.ParseIDNumber(ref.val, ref.kind == sheet.Number)
		switch {
		case prob != nil && code == "":
			p.bad(ref, prob.Code, prob.Message)
		case prob != nil:
			p.warn(ref, prob.Code, "户主身份证号有误，按户编号查找农户："+prob.Message)
		default:
			head = id
			if keyCol == "" {
				keyCol = p.colOf(ref).Header
			}
		}
	}
	if !v[fCode].ok() && !v[fHeadID].ok() {
		p.missing(fCode, row, "户编号和户主身份证号都为空：至少填写一项，才能找到农户")
	}
	return code, head, keyCol
}

// plausiblePhone accepts a mobile number (11 digits from 1), a number with
// its area code (10–12 digits from 0) or a local one (7–8 digits).
func plausiblePhone(s string) bool {
	t := strings.NewReplacer("-", "", " ", "", "(", "", ")", "").Replace(s)
	for _, r := range t {
		if r < '0' || r > '9' {
			return false
		}
	}
	switch {
	case t == "":
		return false
	case t[0] == '1':
		return len(t) == 11
	case t[0] == '0':
		return len(t) >= 10 && len(t) <= 12
	}
	return len(t) == 7 || len(t) == 8
}

var measureCategoryAliases = map[string][2]string{
	"产业": {"产业帮扶", ""}, "产业扶持": {"产业帮扶", ""}, "产业发展": {"产业帮扶", ""}, "产业扶贫": {"产业帮扶", ""},
	"就业": {"就业帮扶", ""}, "就业扶贫": {"就业帮扶", ""}, "务工就业": {"就业帮扶", ""}, "稳岗就业": {"就业帮扶", ""},
	"技能培训": {"就业帮扶", "技能培训"}, "劳务输出": {"就业帮扶", "劳务输出"}, "外出务工补贴": {"就业帮扶", "外出务工补贴"},
	"金融": {"金融帮扶", ""}, "金融扶贫": {"金融帮扶", ""}, "小额信贷": {"金融帮扶", "小额信贷"}, "信贷": {"金融帮扶", "小额信贷"},
	"公益岗位": {"公益岗位帮扶", ""}, "公益性岗位": {"公益岗位帮扶", ""}, "公益岗": {"公益岗位帮扶", ""}, "公益性岗位帮扶": {"公益岗位帮扶", ""},
	"健康": {"健康帮扶", ""}, "健康扶贫": {"健康帮扶", ""}, "医疗保障": {"健康帮扶", ""}, "医保资助": {"健康帮扶", "参保资助"},
	"义务教育": {"义务教育保障", ""}, "控辍保学": {"义务教育保障", "控辍保学"},
	"教育帮扶": {"其他教育帮扶", ""}, "教育": {"其他教育帮扶", ""}, "雨露计划": {"其他教育帮扶", "雨露计划"}, "教育资助": {"其他教育帮扶", ""},
	"住房安全": {"住房安全保障", ""}, "住房": {"住房安全保障", ""}, "危房改造": {"住房安全保障", "危房改造"},
	"饮水安全": {"饮水安全保障", ""}, "饮水": {"饮水安全保障", ""},
	"兜底保障": {"综合保障", ""}, "兜底": {"综合保障", ""}, "社会保障": {"综合保障", ""}, "低保": {"综合保障", "低保"},
	"特困": {"综合保障", "特困供养"}, "特困供养": {"综合保障", "特困供养"}, "临时救助": {"综合保障", "临时救助"},
	"残疾人补贴": {"综合保障", "残疾人补贴"}, "社会救助": {"综合保障", ""},
	"社会": {"社会帮扶", ""}, "东西部协作": {"社会帮扶", "东西部协作"}, "定点帮扶": {"社会帮扶", "定点帮扶"},
	"易地扶贫搬迁": {"搬迁", "易地扶贫搬迁"}, "易地搬迁": {"搬迁", "易地扶贫搬迁"},
	"基础设施": {"基础设施建设", ""}, "消费扶贫": {"消费帮扶", ""}, "消费": {"消费帮扶", ""},
}

// normalizeMeasureCategory folds a 帮扶措施类别 cell to a national category
// and a sub-type: "就业帮扶/技能培训", "技能培训", "低保" and "综合保障" all
// fold; ok=false when nothing does.
func normalizeMeasureCategory(s string) (cat, sub string, ok bool) {
	t := monitor.CompactText(s)
	if i := strings.IndexAny(t, "/-—－:："); i >= 0 {
		_, size := firstRune(t[i:])
		t, sub = t[:i], strings.Trim(t[i+size:], "/-—－:：")
	}
	for _, c := range monitor.MeasureCategories {
		if t == c {
			return c, sub, true
		}
	}
	if a, ok := measureCategoryAliases[t]; ok {
		if sub == "" {
			sub = a[1]
		}
		return a[0], sub, true
	}
	return "", sub, false
}

func firstRune(s string) (rune, int) {
	for i, r := range s {
		if i > 0 {
			return r, i
		}
	}
	return 0, len(s)
}

func normalizeMeasureStatus(s string) (string, bool) {
	switch monitor.CompactText(s) {
	case "计划", "拟实施", "计划实施", "未落实", "待落实", "计划中", "拟落实", "否":
		return monitor.MeasurePlanned, true
	case "已落实", "落实", "实施中", "进行中", "正在实施", "在岗", "享受中", "已实施", "是":
		return monitor.MeasureInPlace, true
	case "已结束", "结束", "已完成", "完成", "已退出", "退出", "已停止", "停止", "到期":
		return monitor.MeasureEnded, true
	}
	return "", false
}

// ───────────── one-row-per-record files, shared by the kinds above ─────────────

// RecordFile is what a parse of a one-row-per-record file (a loan ledger,
// measures ledger or cadre list) says besides its records: the report, and
// for the error workbook every data row and, for a row not imported, why
// (RowResults, the reason alone: the workbook adds “未导入：”).
type RecordFile struct {
	Report     *monitor.ImportReport
	RowResults map[int]string
	DataRows   []int32
	LastCol    int // the last header column
	ResultCol  int // the column of an earlier 导入结果, 0 when none
	HeaderRows []int

	hdr   *header
	extra []*extraSheet // other sheets read (a loan ledger's repayments)
}

// extraSheet is a second sheet of a file, for the error workbook.
type extraSheet struct {
	name       string
	header     *header
	lastCol    int
	resultCol  int
	results    map[int]string // data row → why it was not imported ("" when it was)
	attachedTo map[int]int    // data row → the main sheet's row it belongs to
}

func newRecordFile(file, kind string, b *band) *RecordFile {
	rep := &monitor.ImportReport{File: file, Kind: kind, Sheet: b.sheet, HeaderRows: b.header.Rows,
		Errors: []monitor.Issue{}, Warnings: []monitor.Issue{}}
	f := &RecordFile{Report: rep, RowResults: map[int]string{}, HeaderRows: b.header.Rows, hdr: b.header}
	f.LastCol, f.ResultCol = lastColumns(b.header)
	for _, c := range b.header.Unknown {
		rep.Warnings = append(rep.Warnings, monitor.Issue{Sheet: b.sheet, Row: b.header.Rows[len(b.header.Rows)-1], Column: c.Header,
			Col: c.Col, Code: "unknown_column", Message: fmt.Sprintf("未识别的列“%s”，该列内容未导入", c.Header)})
	}
	return f
}

func lastColumns(h *header) (last, result int) {
	for _, c := range h.Columns {
		if c.Field == fResult {
			result = c.Col
			continue
		}
		last = max(last, c.Col)
	}
	for _, c := range h.Unknown {
		last = max(last, c.Col)
	}
	return last, result
}

// Counts returns the figures of the file's kind.
func (f *RecordFile) Counts() *monitor.RecordCounts {
	switch f.Report.Kind {
	case monitor.KindLoans:
		return f.Report.Loans
	case monitor.KindMeasures:
		return f.Report.Measures
	case monitor.KindCadres:
		return f.Report.Cadres
	}
	return nil
}

// ColumnNumber returns the number of the main sheet's column headed
// header, 0 when there is none.
func (f *RecordFile) ColumnNumber(header string) int {
	for _, c := range f.hdr.Columns {
		if c.Header == header {
			return c.Col
		}
	}
	return 0
}

// AddStoreIssues takes in the issues the store appended to the report from
// errFrom and warnFrom on (a borrower in no household, a duplicate loan):
// their cells are located for the error workbook, the rows they reject are
// marked, and the lists are put back in sheet order.
func (f *RecordFile) AddStoreIssues(errFrom, warnFrom int) {
	rep := f.Report
	place := func(is []monitor.Issue) {
		for i := range is {
			if is[i].Col == 0 && is[i].Column != "" && is[i].Sheet == rep.Sheet {
				is[i].Col = f.ColumnNumber(is[i].Column)
			}
		}
	}
	place(rep.Errors[errFrom:])
	place(rep.Warnings[warnFrom:])
	for _, is := range rep.Errors[errFrom:] {
		if is.Row > 0 && f.RowResults[is.Row] == "" {
			f.RowResults[is.Row] = is.Message
			for _, x := range f.extra {
				for r, owner := range x.attachedTo {
					if owner == is.Row {
						x.results[r] = fmt.Sprintf("所属贷款（工作表“%s”第 %d 行）未导入", rep.Sheet, is.Row)
					}
				}
			}
		}
	}
	sortIssues(rep.Errors)
	sortIssues(rep.Warnings)
}

// extraResult records why a row of a second sheet was not imported.
func (f *RecordFile) extraResult(sheetName string, row int, result string) {
	for _, x := range f.extra {
		if x.name == sheetName {
			x.results[row] = result
		}
	}
}

// WriteRecordErrorWorkbook is WriteErrorWorkbook for a loan ledger,
// measures ledger or cadre list: the main sheet is marked the same way, and
// a second sheet that was read (repayments) gets its own red cells,
// comments and 导入结果 column.
func WriteRecordErrorWorkbook(src string, book *sheet.Book, f *RecordFile, dst string) error {
	rep := *f.Report
	rep.Errors, rep.Warnings = onSheet(f.Report.Errors, rep.Sheet), onSheet(f.Report.Warnings, rep.Sheet)
	hf := &HouseholdFile{Report: &rep, RowResults: f.RowResults, DataRows: f.DataRows, LastCol: f.LastCol, ResultCol: f.ResultCol, HeaderRows: f.HeaderRows}
	if err := WriteErrorWorkbook(src, book, hf, dst); err != nil {
		return err
	}
	if len(f.extra) == 0 {
		return nil
	}
	x, err := excelize.OpenFile(dst)
	if err != nil {
		return fmt.Errorf("error workbook: reopen %s: %w", dst, err)
	}
	defer x.Close()
	red, _ := x.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}}, Font: &excelize.Font{Color: "9C0006"}})
	yellow, _ := x.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFEB9C"}}})
	head, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9D9D9"}}})
	for _, xs := range f.extra {
		sh := xs.name
		if old, err := x.GetComments(sh); err == nil {
			for _, c := range old {
				if c.Author == commentAuthor {
					x.DeleteComment(sh, c.Cell)
				}
			}
		}
		comments := map[string][]string{}
		for _, list := range []struct {
			is    []monitor.Issue
			style int
		}{{onSheet(f.Report.Warnings, sh), yellow}, {onSheet(f.Report.Errors, sh), red}} {
			for _, is := range list.is {
				if is.Row <= 0 || is.Col <= 0 {
					continue
				}
				cell, _ := excelize.CoordinatesToCellName(is.Col, is.Row)
				comments[cell] = append(comments[cell], is.Code+"："+is.Message)
				x.SetCellStyle(sh, cell, cell, list.style)
			}
		}
		for cell, texts := range comments {
			if err := x.AddComment(sh, excelize.Comment{Cell: cell, Author: commentAuthor, Paragraph: []excelize.RichTextRun{{Text: strings.Join(texts, "\n")}}}); err != nil {
				return err
			}
		}
		col := xs.lastCol + 1
		if xs.resultCol > 0 {
			col = xs.resultCol
		}
		top, _ := excelize.CoordinatesToCellName(col, xs.header.Rows[len(xs.header.Rows)-1])
		x.SetCellStr(sh, top, ResultHeader)
		x.SetCellStyle(sh, top, top, head)
		for row, result := range xs.results {
			cell, _ := excelize.CoordinatesToCellName(col, row)
			text := "已通过校验"
			if rep.Committed {
				text = "已导入"
			}
			if result != "" {
				text = "未导入：" + result
				if strings.HasPrefix(result, "非数据行") {
					text = result
				} else {
					x.SetCellStyle(sh, cell, cell, red)
				}
			}
			x.SetCellStr(sh, cell, text)
		}
	}
	if err := x.Save(); err != nil {
		return fmt.Errorf("error workbook: save %s: %w", dst, err)
	}
	return nil
}

func onSheet(is []monitor.Issue, name string) []monitor.Issue {
	var out []monitor.Issue
	for _, x := range is {
		if x.Sheet == name {
			out = append(out, x)
		}
	}
	return out
}

// sheetTop is the first rows of a sheet, where its header is looked for.
type sheetTop struct {
	name string
	rows []sheet.Row
}

func sheetTops(book *sheet.Book) ([]sheetTop, error) {
	var out []sheetTop
	for _, name := range book.Sheets() {
		rs, err := book.Rows(name)
		if err != nil {
			return nil, err
		}
		t := sheetTop{name: name}
		for len(t.rows) < scanRows && rs.Next() {
			t.rows = append(t.rows, copyRow(rs.Row()))
		}
		err = rs.Err()
		rs.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func hasField(b *band, f field) bool {
	_, ok := b.header.col(f)
	return ok
}

// locateRecords finds the sheet of a measures ledger or cadre list: the
// best header naming the required field and a household column (户编号 or
// 户主身份证号).
func locateRecords(book *sheet.Book, file string, aliases map[string]field, what string, required field) (*band, error) {
	tops, err := sheetTops(book)
	if err != nil {
		return nil, err
	}
	var best *band
	for _, t := range tops {
		if b := findHeader(t.name, t.rows, aliases); b != nil && hasField(b, required) && (best == nil || b.score > best.score) {
			best = b
		}
	}
	if best == nil {
		return nil, monitor.Errorf(monitor.EINVALID, "%s：在各个工作表前 %d 行中没有找到%s的表头：需要“%s”列（可用：%s）和“户编号”或“户主身份证号”列", file, scanRows, what, recordLabel[required], aliasList(aliases, required))
	}
	if !hasField(best, fCode) && !hasField(best, fHeadID) {
		return nil, monitor.Errorf(monitor.EINVALID, "%s：工作表“%s”第 %s 行的表头没有“户编号”或“户主身份证号”列，无法确定每行属于哪一户", file, best.sheet, joinInts(best.header.Rows))
	}
	return best, nil
}

// recordParser reads the rows of one sheet of a one-row-per-record file.
// A row's issues gather in errs and warns until the row is decided.
type recordParser struct {
	file      *RecordFile
	hdr       *header
	sheetName string
	opt       Options
	dates     parser // for parseDate (its date system)
	vals      [numRecordFields]cellRef
	errs      []monitor.Issue
	warns     []monitor.Issue
	results   map[int]string // where rows are marked: the file's RowResults or an extra sheet's
	extra     *extraSheet    // nil for the main sheet
	units     []string       // the unit each header column states, by index into hdr.Columns
	read      int
}

func newRecordParser(f *RecordFile, b *band, book *sheet.Book, opt Options) *recordParser {
	p := &recordParser{file: f, hdr: b.header, sheetName: b.sheet, opt: opt, dates: parser{date1904: book.Date1904()}, results: f.RowResults}
	p.units = make([]string, len(b.header.Columns))
	for i, c := range b.header.Columns {
		p.units[i] = unitOf(c)
	}
	return p
}

// unit is the unit the header states for ref's column.
func (p *recordParser) unit(ref cellRef) string {
	if ref.ci < 0 || !ref.ok() {
		return ""
	}
	return p.units[ref.ci]
}

// newExtraParser reads a second sheet of the file (repayments).
func newExtraParser(f *RecordFile, b *band, book *sheet.Book, opt Options) *recordParser {
	x := &extraSheet{name: b.sheet, header: b.header, results: map[int]string{}, attachedTo: map[int]int{}}
	x.lastCol, x.resultCol = lastColumns(b.header)
	f.extra = append(f.extra, x)
	p := newRecordParser(f, b, book, opt)
	p.results, p.extra = x.results, x
	return p
}

// each streams the rows below the header through fn with p.vals loaded:
// blank rows are skipped; 合计 and signature rows, and rows with nothing but
// a 序号 or 备注, are noted and not passed on.
func (p *recordParser) each(book *sheet.Book, b *band, fn func(r sheet.Row)) error {
	rs, err := book.Rows(b.sheet)
	if err != nil {
		return err
	}
	defer rs.Close()
	headerEnd := b.header.Rows[len(b.header.Rows)-1]
	counts := p.file.Counts()
	for rs.Next() {
		r := rs.Row()
		if r.Num <= headerEnd || len(r.Cells) == 0 {
			continue
		}
		if p.opt.Progress != nil && r.Num/10000 > p.read {
			p.read = r.Num / 10000
			p.opt.Progress(r.Num)
		}
		p.vals = [numRecordFields]cellRef{}
		data := false
		for _, c := range r.Cells {
			if c.Col >= len(p.hdr.ofCol) || p.hdr.ofCol[c.Col] < 0 || blankCell(c.Value) {
				continue
			}
			ci := p.hdr.ofCol[c.Col]
			f := p.hdr.Columns[ci].Field
			if !p.vals[f].ok() {
				p.vals[f] = cellRef{val: c.Value, kind: c.Kind, row: int32(r.Num), ci: ci}
			}
			if f != fSeq && f != fIgnore && f != fNote && f != fResult {
				data = true
			}
		}
		if !data && !rowHasText(r) {
			continue
		}
		if mayBeNotData(r) && notData(r) {
			p.results[r.Num] = "非数据行（合计或签名行），未导入"
			continue
		}
		if !data {
			p.warns = append(p.warns, monitor.Issue{Sheet: p.sheetName, Row: r.Num, Code: "row_ignored", Message: "该行没有可导入的内容，未导入"})
			p.flushWarnings()
			p.results[r.Num] = "该行没有可导入的内容，未导入"
			continue
		}
		if p.extra == nil {
			p.file.DataRows = append(p.file.DataRows, int32(r.Num))
			if counts != nil {
				counts.InFile++
			}
		} else {
			p.results[r.Num] = ""
		}
		fn(r)
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("读取工作表“%s”出错: %w", b.sheet, err)
	}
	return nil
}

func rowHasText(r sheet.Row) bool {
	for _, c := range r.Cells {
		if !blankCell(c.Value) {
			return true
		}
	}
	return false
}

// blankCell reports whether a cell holds only spaces of any kind, without
// the allocation of normalising it.
func blankCell(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) && r != '\u200b' && r != '\ufeff' {
			return false
		}
	}
	return true
}

// mayBeNotData is a cheap test that spares notData's normalisation of
// every cell: 合计/小计/总计 rows and signature lines all carry one of
// these characters.
func mayBeNotData(r sheet.Row) bool {
	for _, c := range r.Cells {
		if strings.Contains(c.Value, "计") || strings.Contains(c.Value, "填") || strings.Contains(c.Value, "审核") ||
			strings.Contains(c.Value, "负责") || strings.Contains(c.Value, "制表") || strings.Contains(c.Value, "电话") {
			return true
		}
	}
	return false
}

// done puts the report's issues in sheet order.
func (p *recordParser) done() {
	sortIssues(p.file.Report.Errors)
	sortIssues(p.file.Report.Warnings)
}

func (p *recordParser) colOf(ref cellRef) column {
	if ref.ci < 0 || !ref.ok() {
		return column{}
	}
	return p.hdr.Columns[ref.ci]
}

func (p *recordParser) issue(ref cellRef, code, msg string) monitor.Issue {
	c := p.colOf(ref)
	return monitor.Issue{Sheet: p.sheetName, Row: int(ref.row), Column: c.Header, Col: c.Col, Value: ref.val, Code: code, Message: msg}
}

// bad records an error on a cell: the row will not be imported.
func (p *recordParser) bad(ref cellRef, code, msg string) {
	p.errs = append(p.errs, p.issue(ref, code, msg))
}

// warn records a warning on a cell; the row is still imported.
func (p *recordParser) warn(ref cellRef, code, msg string) {
	if !ref.ok() {
		return
	}
	p.warns = append(p.warns, p.issue(ref, code, msg))
}

// missing records a required value that is not there, on its column when
// the header has one.
func (p *recordParser) missing(f field, row int, msg string) {
	c, _ := p.hdr.col(f)
	col := c.Header
	if col == "" {
		col = recordLabel[f]
	}
	p.errs = append(p.errs, monitor.Issue{Sheet: p.sheetName, Row: row, Column: col, Col: c.Col, Code: monitor.CodeMissingRequired, Message: msg})
}

// sheetWarning is a warning about the whole sheet, placed on its header.
func (p *recordParser) sheetWarning(code, msg string) {
	p.file.Report.Warnings = append(p.file.Report.Warnings, monitor.Issue{Sheet: p.sheetName, Row: p.hdr.Rows[0], Code: code, Message: msg})
}

func (p *recordParser) rowErrors() bool { return len(p.errs) > 0 }

// reject records the row's issues and marks it not imported.
func (p *recordParser) reject(row int) {
	rep := p.file.Report
	p.results[row] = p.errs[0].Message
	rep.Errors = append(rep.Errors, p.errs...)
	rep.Warnings = append(rep.Warnings, p.warns...)
	p.errs, p.warns = p.errs[:0], p.warns[:0]
	if c := p.file.Counts(); c != nil && p.extra == nil {
		c.Rejected++
	}
}

// flushWarnings records the warnings of a row that is imported.
func (p *recordParser) flushWarnings() {
	p.file.Report.Warnings = append(p.file.Report.Warnings, p.warns...)
	p.warns = p.warns[:0]
}

// takeWarnings hands over the row's warnings, for a record still pending.
func (p *recordParser) takeWarnings() []monitor.Issue {
	w := append([]monitor.Issue(nil), p.warns...)
	p.warns = p.warns[:0]
	return w
}

// idNumber validates an ID number cell.
func (p *recordParser) idNumber(ref cellRef) (string, bool) {
	id, _, _, prob := monitor.ParseIDNumber(ref.val, ref.kind == sheet.Number)
	if prob != nil {
		p.bad(ref, prob.Code, prob.Message)
		return id, false
	}
	return id, true
}

// amount reads a money cell in the unit its header states (元 or 万元), or
// else in the unit a 单位 line above the header states (defScale). With
// guess set, a figure under 100 in a column that states no unit at all is
// taken as 万元, with a warning: no loan is 5 yuan.
func (p *recordParser) amount(ref cellRef, defScale int64, guess bool) (monitor.Money, bool) {
	col := p.colOf(ref)
	unit := p.unit(ref)
	scale := col.Scale
	if scale <= 1 && unit == "" && defScale > 0 {
		scale = defScale
	}
	m, err := monitor.ParseMoney(ref.val, scale)
	if err != nil {
		p.bad(ref, monitor.CodeNumberFormat, fmt.Sprintf("“%s”不是金额：请填写数字（单位见表头，可带“元”“万元”或千分位逗号）", ref.val))
		return 0, false
	}
	if m < 0 {
		p.bad(ref, monitor.CodeNegativeAmount, fmt.Sprintf("“%s”为负数（%s 元）：金额不能为负", col.Header, m))
		return 0, false
	}
	if guess && unit == "" && defScale == 0 && m > 0 && m < monitor.Yuan(100) && !strings.Contains(ref.val, "元") {
		m2, _ := monitor.ParseMoney(ref.val, 10000)
		p.warn(ref, "amount_unit_assumed", fmt.Sprintf("表头“%s”没有写单位，%s 不像以元计的贷款金额，按 %s 万元（%s 元）记录；请在表头注明（元）或（万元）", col.Header, ref.val, monitor.CompactText(ref.val), m2))
		m = m2
	}
	return m, true
}

// date reads a date cell or text; label names it in the message.
func (p *recordParser) date(ref cellRef, label string) (monitor.Date, bool) {
	d, err := p.dates.parseDate(ref)
	if err != nil {
		p.bad(ref, monitor.CodeDateFormat, fmt.Sprintf("%s“%s”无法识别，可写作 2021-07-24、2021/7/24、2021.7.24、2021年7月24日 或日期格式单元格", label, ref.val))
		return monitor.Date{}, false
	}
	return d, true
}

// count reads a whole number between lo and hi ("12", "12个月").
func (p *recordParser) count(ref cellRef, lo, hi int) (int, bool) {
	t := strings.TrimSuffix(strings.TrimSuffix(monitor.CompactText(ref.val), "个月"), "月")
	f, err := strconv.ParseFloat(t, 64)
	n := int(f)
	if err != nil || float64(n) != f || n < lo || n > hi {
		p.bad(ref, monitor.CodeNumberFormat, fmt.Sprintf("“%s”应为 %d 到 %d 之间的整数", ref.val, lo, hi))
		return 0, false
	}
	return n, true
}

// codeText reads a code such as a contract number, refusing one Excel
// turned into scientific notation (its digits are gone).
func (p *recordParser) codeText(ref cellRef, label string) string {
	t := monitor.CompactText(ref.val)
	if ref.kind == sheet.Number {
		if strings.ContainsAny(t, "eE") {
			p.bad(ref, monitor.CodeNumberFormat, fmt.Sprintf("%s被 Excel 存成了科学计数法数字（%s），后面的数字已丢失：请把该列设为文本后重新录入", label, ref.val))
			return t
		}
		t = strings.TrimSuffix(t, ".0")
	}
	return t
}

// RecordKindOf names the kind of a workbook whose headers show a loan
// ledger (贷款金额 and 放款日期), a measures ledger (帮扶措施类别) or a cadre
// list (帮扶责任人), each with a way to find the household or borrower;
// "" when none fits.
func RecordKindOf(book *sheet.Book) (string, error) {
	tops, err := sheetTops(book)
	if err != nil {
		return "", err
	}
	kind, best := "", 0
	for _, t := range tops {
		if b := findHeader(t.name, t.rows, loanAliases); b != nil && hasField(b, fAmount) && hasField(b, fIssueDate) &&
			(hasField(b, fBorrowerID) || hasField(b, fHeadID)) && b.score > best {
			kind, best = monitor.KindLoans, b.score
		}
		for _, k := range []struct {
			kind    string
			aliases map[string]field
			need    field
		}{{monitor.KindMeasures, measureAliases, fMeasureCategory}, {monitor.KindCadres, cadreAliases, fCadreName}} {
			if b := findHeader(t.name, t.rows, k.aliases); b != nil && hasField(b, k.need) && (hasField(b, fCode) || hasField(b, fHeadID)) && b.score > best {
				kind, best = k.kind, b.score
			}
		}
	}
	return kind, nil
}
