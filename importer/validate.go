package importer

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/shouwang/shouwang/importer/sheet"
	"github.com/shouwang/shouwang/monitor"
)

// finish turns the drafts into households, checks IDs across the whole
// file, and sorts households into valid and rejected.
func (p *parser) finish() {
	rep := p.file.Report
	// Each ID's first row; rows of IDs seen again are kept apart, so the
	// common case costs one small map entry per person.
	type seenID struct {
		d   *draft
		row int
	}
	first := make(map[string]seenID, len(p.order)*4)
	dups := map[string][]seenID{}
	for _, d := range p.order {
		if d.values != nil {
			p.build(d)
		}
		p.settle(d)
		for j, m := range d.hh.Members {
			if m.IDNumber == "" {
				continue
			}
			s := seenID{d, d.rows[j]}
			if f, ok := first[m.IDNumber]; ok {
				if len(dups[m.IDNumber]) == 0 {
					dups[m.IDNumber] = []seenID{f}
				}
				dups[m.IDNumber] = append(dups[m.IDNumber], s)
				continue
			}
			first[m.IDNumber] = s
		}
	}
	first = nil
	for id, seen := range dups {
		for _, s := range seen {
			var others []string
			for _, o := range seen {
				switch {
				case o.row == s.row && o.d.sh == s.d.sh:
				case o.d.sh != s.d.sh:
					others = append(others, fmt.Sprintf("工作表“%s”第 %d 行（户编号 %s）", p.sheets[o.d.sh].band.sheet, o.row, o.d.code))
				default:
					others = append(others, fmt.Sprintf("第 %d 行（户编号 %s）", o.row, o.d.code))
				}
			}
			p.issueOn(&s.d.issues, s.d.sh, s.row, p.colOn(s.d, fIDNumber), id, monitor.CodeIDDuplicate,
				fmt.Sprintf("身份证号码 %s 在本文件中重复出现，另见%s。一人只能属于一户，相关户均不导入，请核实后只保留一处", monitor.MaskID(id), strings.Join(others, "、")), s.d.code)
		}
	}
	rep.Households.InFile = len(p.order)
	p.file.Households = make([]monitor.ImportHousehold, 0, len(p.order))
	p.perSheet = map[string]int{}
	for _, d := range p.order {
		sh := p.sheets[d.sh]
		p.perSheet[sh.band.sheet]++
		hasErr := false
		for _, is := range d.issues {
			if isWarning(is.Code) {
				rep.Warnings = append(rep.Warnings, is)
			} else {
				rep.Errors = append(rep.Errors, is)
				hasErr = true
			}
		}
		if hasErr {
			rep.Households.Rejected++
			rep.RejectedHouseholds = append(rep.RejectedHouseholds, d.code)
			reason := "整户未导入：" + firstError(d.issues)
			res := sh.out.RowResults
			res[d.firstRow] = reason
			for _, r := range d.rows {
				res[r] = reason
			}
			for _, r := range d.extraRows {
				res[r] = reason
			}
			continue
		}
		if d.sh != 0 {
			if p.file.sheetOf == nil {
				p.file.sheetOf = map[string]int{}
			}
			p.file.sheetOf[d.code] = int(d.sh)
		}
		p.file.Households = append(p.file.Households, monitor.ImportHousehold{Household: &d.hh, Row: d.firstRow, MemberRows: d.rows})
	}
	order := map[string]int{}
	for i, s := range rep.Sheets {
		order[s.Name] = i
	}
	sortSheetIssues(rep.Errors, order)
	sortSheetIssues(rep.Warnings, order)
}

func firstError(issues []monitor.Issue) string {
	for _, is := range issues {
		if !isWarning(is.Code) {
			return is.Message
		}
	}
	return ""
}

// isWarning says which codes are kept as warnings (the row is imported).
func isWarning(code string) bool {
	switch code {
	case monitor.CodeIncomeMismatch, monitor.CodeSizeMismatch, monitor.CodeSexMismatch, monitor.CodeBirthMismatch,
		"missing_identified", monitor.CodeMultipleHead, "no_head", "rows_not_contiguous", monitor.CodeIDUpgraded,
		codeMissingEliminatedOn:
		return true
	}
	return false
}

// build validates the household's own values; its members were validated
// as their rows arrived.
func (p *parser) build(d *draft) {
	h := &d.hh
	h.Code = d.code
	v := d.values
	sh := p.sheets[d.sh]
	// The raw cells are needed only until the household is built.
	defer func() { d.values = nil }()
	missing := func(f field) {
		p.issueOn(&d.issues, d.sh, d.firstRow, p.colOn(d, f), "", monitor.CodeMissingRequired, fmt.Sprintf("“%s”为必填项，本户未填写", fieldLabel[f]), d.code)
	}
	if !validCode(d.code) {
		p.bad(d, v[fCode], "code_format", fmt.Sprintf("户编号“%s”无效：应为最多30位的数字或字母；若显示为科学计数法，说明被 Excel 存成了数字，请把该列设为文本后重新录入", v[fCode].val))
	}
	h.Township = monitor.CompactText(v[fTownship].val)
	h.Village = monitor.CompactText(v[fVillage].val)
	if h.Township == "" {
		h.Township = sh.township
	}
	if h.Village == "" {
		h.Village = sh.village
	}
	h.Group = normalizeGroup(v[fGroup])
	if h.Township == "" {
		missing(fTownship)
	}
	if h.Village == "" {
		missing(fVillage)
	}
	if name := monitor.CompactText(v[fHeadName].val); name != "" {
		h.HeadName = name
	}
	if ref := v[fType]; ref.ok() {
		if t, ok := monitor.NormalizeHouseholdType(ref.val); ok {
			h.Type = t
		} else {
			p.bad(d, ref, monitor.CodeUnknownValue, fmt.Sprintf("户类型“%s”无法识别，可填：脱贫户、一般农户", ref.val))
		}
	} else {
		missing(fType)
	}
	if ref := v[fCategory]; ref.ok() {
		if c, ok := monitor.NormalizeCategory(ref.val); ok {
			h.Category = c
		} else {
			p.bad(d, ref, monitor.CodeUnknownValue, fmt.Sprintf("监测对象类别“%s”无法识别，可填：脱贫不稳定户、边缘易致贫户、突发严重困难户（或简称 脱贫不稳定、边缘户、突发困难户），非监测对象留空", ref.val))
		}
	}
	if ref := v[fIdentified]; ref.ok() {
		if date, err := p.parseDate(ref); err != nil {
			p.bad(d, ref, monitor.CodeDateFormat, fmt.Sprintf("识别监测时间“%s”无法识别，可写作 202203、2022.03、2022年3月、2022/3/15、2022-03-15 或日期格式单元格", ref.val))
		} else {
			h.IdentifiedIn = monitor.YearMonth{Year: date.Year, Month: date.Month}
		}
	} else if h.Category != "" {
		p.issueOn(&d.issues, d.sh, d.firstRow, column{}, "", "missing_identified", "监测对象未填写识别监测时间", d.code)
	}
	housingRisk, waterRisk := p.risks(d)
	p.elimination(d)
	h.HousingUnsafe = p.yesNo(d, v[fHousing])
	h.WaterUnsafe = p.yesNo(d, v[fWater])
	if !h.RiskEliminated {
		// A risk of 因安全住房/因安全饮水 not yet eliminated is a housing or
		// water problem now, whatever the check column says.
		h.HousingUnsafe = h.HousingUnsafe || housingRisk
		h.WaterUnsafe = h.WaterUnsafe || waterRisk
	}
	h.EducationGap = p.yesNo(d, v[fEducation])
	h.MedicalGap = p.yesNo(d, v[fMedicalGap])
	h.NoLaborSupport = p.yesNo(d, v[fNoLabor])
	h.Phone = phoneText(v[fPhone])
	h.Address = monitor.NormalizeText(v[fAddress].val)
	// Cell values are slices of their row's text; what a household keeps
	// is copied out, so the rows themselves can go (a third of the memory
	// a large roster held parsed).
	h.HeadName, h.Phone, h.Address, h.Group = strings.Clone(h.HeadName), strings.Clone(h.Phone), strings.Clone(h.Address), strings.Clone(h.Group)

	if ref := v[fSize]; ref.ok() {
		n, err := strconv.Atoi(monitor.CompactText(ref.val))
		if err != nil || n <= 0 {
			p.bad(d, ref, monitor.CodeNumberFormat, fmt.Sprintf("人口数“%s”应为正整数", ref.val))
		} else {
			ref.val = strings.Clone(ref.val) // kept to the end: not its row's whole text
			d.sizeRef = ref
		}
		h.Size = n
	}
	if h.Size <= 0 {
		h.Size = len(h.Members) // provisional: settle counts the members again
	}
	p.income(d)
}

// codeMissingEliminatedOn: a household marked eliminated without the
// month it was (a warning: the date is then unknown, not wrong).
const codeMissingEliminatedOn = "missing_eliminated_on"

// elimination reads 风险是否已消除, 风险消除方式 and 消除监测时间 (a month
// as YYYYMM, or a date): the household's eliminated_on is that day, or the
// first day of that month.
func (p *parser) elimination(d *draft) {
	h, v := &d.hh, d.values
	h.RiskEliminated = p.yesNo(d, v[fEliminated])
	if ref := v[fElimMethod]; ref.ok() {
		if m, ok := monitor.NormalizeEliminationMethod(ref.val); ok {
			h.EliminationMethod = m
		} else {
			p.bad(d, ref, monitor.CodeUnknownValue, fmt.Sprintf("风险消除方式“%s”无法识别，可填：%s、%s", ref.val, monitor.ElimAssisted, monitor.ElimNatural))
		}
	}
	if ref := v[fElimDate]; ref.ok() {
		if date, err := p.parseDate(ref); err != nil {
			p.bad(d, ref, monitor.CodeDateFormat, fmt.Sprintf("风险消除时间“%s”无法识别，可写作 202306、2023年6月、2023-06-30 或日期格式单元格", ref.val))
		} else {
			h.EliminatedOn = date
		}
	} else if h.RiskEliminated {
		p.issueOn(&d.issues, d.sh, d.firstRow, p.colOn(d, fElimDate), "", codeMissingEliminatedOn, "风险已消除，但未填写消除监测时间（风险消除时间）", d.code)
	}
}

// settle runs the checks that need all of a household's members, once the
// whole file is read.
func (p *parser) settle(d *draft) {
	h := &d.hh
	heads := 0
	for _, m := range h.Members {
		if m.Relation == "户主" {
			heads++
			h.HeadIDNumber = m.IDNumber
			if h.HeadName == "" {
				h.HeadName = m.Name
			}
		}
	}
	switch {
	case heads == 0 && len(h.Members) > 0:
		p.issueOn(&d.issues, d.sh, d.firstRow, column{}, "", "no_head", "本户成员中没有“户主”", d.code)
	case heads > 1:
		p.issueOn(&d.issues, d.sh, d.firstRow, column{}, "", monitor.CodeMultipleHead, fmt.Sprintf("本户有 %d 名成员的关系为“户主”", heads), d.code)
	}
	if h.HeadName == "" {
		p.issueOn(&d.issues, d.sh, d.firstRow, p.colOn(d, fHeadName), "", monitor.CodeMissingRequired, "户主姓名为空", d.code)
	}
	if len(h.Members) == 0 {
		p.issueOn(&d.issues, d.sh, d.firstRow, column{}, d.code, monitor.CodeMissingRequired, "本户没有任何成员行（姓名、证件号码）", d.code)
	}
	if d.otherDoc {
		p.samePerson(d)
	}
	if ref := d.sizeRef; ref.ok() {
		if n := h.Size; n != len(h.Members) {
			p.bad(d, ref, monitor.CodeSizeMismatch, fmt.Sprintf("人口数填写为 %d，但本户列出了 %d 名成员", n, len(h.Members)))
		}
	} else if h.Size != len(h.Members) && len(h.Members) > 0 {
		h.Size = len(h.Members)
		for i := range h.Incomes {
			h.Incomes[i].PerCapita = monitor.PerCapitaOf(h.Incomes[i].Net, h.Size)
		}
	}
}

// samePerson refuses a member listed twice in a household that has a
// member known by a document other than an ID card: such members are told
// apart by name and birth date, since their document says nothing of who
// they are in the ID system.
func (p *parser) samePerson(d *draft) {
	ms := d.hh.Members
	for j := range ms {
		for i := 0; i < j; i++ {
			if ms[i].Name != ms[j].Name || ms[i].BirthDate != ms[j].BirthDate || !(otherDocument(ms[i].IDNumber) || otherDocument(ms[j].IDNumber)) {
				continue
			}
			p.issueOn(&d.issues, d.sh, d.rows[j], p.colOn(d, fName), ms[j].Name, monitor.CodeIDDuplicate,
				fmt.Sprintf("本户第 %d 行已有同名、出生日期相同（%s）的成员：持其他证件的成员按姓名和出生日期识别，同一人只能列一次", d.rows[i], ms[j].BirthDate), d.code)
			break
		}
	}
}

func validCode(code string) bool {
	if code == "" || len(code) > 30 {
		return false
	}
	for _, r := range code {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '-') {
			return false
		}
	}
	return true
}

func normalizeGroup(ref cellRef) string {
	t := monitor.CompactText(ref.val)
	if _, err := strconv.Atoi(t); err == nil {
		return t + "组" // a bare 7 in the 组 column means 7组
	}
	return t
}

func phoneText(ref cellRef) string {
	t := monitor.CompactText(ref.val)
	if ref.kind == sheet.Number {
		if f, err := strconv.ParseFloat(t, 64); err == nil {
			t = strconv.FormatFloat(f, 'f', -1, 64)
		}
	}
	return t
}

func (p *parser) yesNo(d *draft, ref cellRef) bool {
	if !ref.ok() {
		return false
	}
	yes, _, ok := monitor.ParseYesNo(ref.val)
	if !ok {
		p.bad(d, ref, monitor.CodeUnknownValue, fmt.Sprintf("“%s”应填 是/否（也可写 √/×、有/无）", ref.val))
	}
	return yes
}

// risks merges the risk column and the five numbered ones (致贫/返贫风险1…5)
// into the household's risks, and says whether they name unsafe housing or
// water (因安全住房, 因安全饮水: risk 其他 and the check set).
func (p *parser) risks(d *draft) (housing, water bool) {
	h := &d.hh
	var seen [8]string
	n := 0
	var first cellRef
	for _, f := range []field{fRisks, fRisk1, fRisk2, fRisk3, fRisk4, fRisk5} {
		ref := d.values[f]
		if !ref.ok() {
			continue
		}
		if !first.ok() {
			first = ref
		}
		rs, unknown := monitor.ParseRisks(ref.val)
		for _, u := range unknown {
			p.bad(d, ref, monitor.CodeUnknownValue, fmt.Sprintf("风险“%s”不在官方风险类型中，可填：%s（多个用顿号分隔；因安全住房、因安全饮水记为“其他”并标记住房或饮水安全问题）", u, strings.Join(monitor.Risks, "、")))
		}
		if hs, wt := monitor.RiskChecks(ref.val); hs || wt {
			housing, water = housing || hs, water || wt
		}
	next:
		for _, r := range rs {
			for _, s := range seen[:min(n, len(seen))] {
				if s == r {
					continue next
				}
			}
			if n < len(seen) {
				seen[n] = r
			}
			n++
			h.Risks = append(h.Risks, r)
		}
	}
	if len(h.Risks) > monitor.MaxRisks {
		p.bad(d, first, monitor.CodeTooManyRisks, fmt.Sprintf("一户最多填写 %d 项风险，本户有 %d 项", monitor.MaxRisks, len(h.Risks)))
	}
	return housing, water
}

// Document types (证件类型) as the national system names them; the
// registry keys a member by the 18-digit ID number, and a member known by
// another document by "type:number" (护照:E12345678), which no ID number
// can equal.
const (
	docID         = "居民身份证"
	docDisability = "残疾人证"
	docPassport   = "护照"
	docResidence  = "港澳台居民居住证"
	docOther      = "其他"
)

var docTypes = map[string]string{
	"": docID, docID: docID, "身份证": docID, "二代身份证": docID, "第二代居民身份证": docID, "居民身份证号码": docID, "中华人民共和国居民身份证": docID,
	docDisability: docDisability, "残疾证": docDisability, "第二代残疾人证": docDisability, "中华人民共和国残疾人证": docDisability,
	docPassport: docPassport, "中国护照": docPassport, "外国护照": docPassport,
	docResidence: docResidence, "港澳居民居住证": docResidence, "台湾居民居住证": docResidence,
	docOther: docOther, "其它": docOther, "港澳居民来往内地通行证": docOther, "台湾居民来往大陆通行证": docOther,
	"外国人永久居留身份证": docOther, "户口簿": docOther, "出生医学证明": docOther,
}

// otherDocument reports whether a member key is a document other than an
// ID number (it carries its type before a colon).
func otherDocument(key string) bool { return strings.Contains(key, ":") }

// memberID reads the member's 证件类型 and 证件号码 into the member's key,
// birth date and sex. It reports whether the key is an ID number (so that
// sex and birth date can be checked against it).
func (p *parser) memberID(d *draft, vals *[numFields]cellRef, m *monitor.Member) (isID bool) {
	ref := vals[fIDNumber]
	doc := docID
	if t := vals[fDocType]; t.ok() {
		var ok bool
		if doc, ok = docTypes[monitor.CompactText(t.val)]; !ok {
			p.bad(d, t, monitor.CodeUnknownValue, fmt.Sprintf("证件类型“%s”无法识别，可填：%s、%s、%s、%s、%s", t.val, docID, docDisability, docPassport, docResidence, docOther))
			return false
		}
	}
	numeric := ref.kind == sheet.Number
	n := monitor.NormalizeIDText(ref.val)
	switch {
	case doc == docDisability || doc == docID && !vals[fDocType].ok() && (len(n) == 20 || len(n) == 22):
		// A 残疾人证 number, also where the sheet has no 证件类型 column.
		id, birth, sex, category, grade, prob := monitor.ParseDisabilityCert(ref.val, numeric)
		if prob != nil {
			p.bad(d, ref, prob.Code, prob.Message)
			return false
		}
		m.IDNumber, m.BirthDate, m.Sex = strings.Clone(id), birth, sex
		if category != "" {
			m.Health = disabilityHealth(monitor.CompactText(vals[fHealth].val), category+grade)
		}
		return true
	case doc == docID || len(n) == 18 && allDigits17(n) && monitor.IDCheckChar(n[:17]) == n[17]:
		// An ID card; or another document whose number is a valid ID
		// number (a 港澳台居民居住证 is one, or the ID was typed there).
		return p.idCard(d, ref, m)
	}
	if numeric && strings.ContainsAny(n, "Ee+") || len(n) < 5 || len(n) > 30 || !alnum(n) {
		p.bad(d, ref, monitor.CodeIDFormat, fmt.Sprintf("%s号码“%s”应为5到30位字母或数字", doc, ref.val))
		return false
	}
	d.otherDoc = true
	m.IDNumber = doc + ":" + n
	if b := vals[fBirth]; b.ok() {
		if date, err := p.parseDate(b); err == nil {
			m.BirthDate = date
		} else {
			p.bad(d, b, monitor.CodeDateFormat, fmt.Sprintf("出生日期“%s”无法识别，可写作 19560101、1956-01-01 或日期格式单元格", b.val))
		}
	}
	if s := vals[fSex]; s.ok() {
		switch monitor.CompactText(s.val) {
		case "男", "男性":
			m.Sex = "男"
		case "女", "女性":
			m.Sex = "女"
		default:
			p.bad(d, s, monitor.CodeUnknownValue, fmt.Sprintf("性别“%s”应填 男 或 女", s.val))
		}
	}
	return false
}

// idCard reads an 18-digit ID number, or a first-generation 15-digit one
// converted to 18 digits (with an id_upgraded warning naming both).
func (p *parser) idCard(d *draft, ref cellRef, m *monitor.Member) bool {
	raw := ref.val
	n := monitor.NormalizeIDText(raw)
	upgraded := ""
	if len(n) == 15 && allDigits17(n+"00") {
		// 15 digits survive a number cell whole (Excel keeps 15).
		id18, prob := monitor.UpgradeIDNumber(n)
		if prob != nil {
			p.bad(d, ref, prob.Code, prob.Message)
			return false
		}
		upgraded, raw = n, id18
	}
	id, birth, sex, prob := monitor.ParseIDNumber(raw, ref.kind == sheet.Number && upgraded == "")
	if prob != nil {
		p.bad(d, ref, prob.Code, prob.Message)
		return false
	}
	if upgraded != "" {
		p.bad(d, ref, monitor.CodeIDUpgraded, fmt.Sprintf("15位旧身份证号码 %s 已转换为18位 %s（年份前补“19”并计算校验位），按18位号码登记和比对；请在表中改为18位号码", upgraded, id))
	}
	m.IDNumber, m.BirthDate, m.Sex = strings.Clone(id), birth, sex
	return true
}

// disabilityHealth notes a 残疾人证's category and grade in 健康状况:
// "残疾（肢体残疾二级）", after what the sheet says of other conditions.
func disabilityHealth(stated, what string) string {
	note := "残疾（" + what + "）"
	switch {
	case stated == "" || stated == "残疾":
		return note
	case strings.Contains(stated, "残疾"):
		return stated
	}
	return stated + "、" + note
}

func allDigits17(s string) bool {
	if len(s) < 17 {
		return false
	}
	for i := 0; i < 17; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// hdrCol is the column of field f on the sheet being read.
func (p *parser) hdrCol(f field) column {
	c, _ := p.hdr.col(f)
	return c
}

// member validates one member row as it arrives.
func (p *parser) member(d *draft, vals *[numFields]cellRef, row int) {
	m := monitor.Member{MedicalInsured: true}
	m.Name = strings.Clone(monitor.CompactText(vals[fName].val)) // not a slice of the row's text: see build
	if m.Name == "" {
		p.issue(&d.issues, row, p.hdrCol(fName), "", monitor.CodeMissingRequired, "成员姓名为空", d.code)
	}
	m.Health = p.intern(monitor.CompactText(vals[fHealth].val))
	if ref := vals[fIDNumber]; !ref.ok() {
		p.issue(&d.issues, row, p.hdrCol(fIDNumber), "", monitor.CodeMissingRequired, "成员身份证号码为空", d.code)
	} else if p.memberID(d, vals, &m) {
		p.crossCheck(d, vals, &m)
	}
	if ref := vals[fRelation]; ref.ok() {
		if r, ok := monitor.NormalizeRelationOf(ref.val, m.Sex); ok {
			m.Relation = r
		} else {
			p.bad(d, ref, monitor.CodeUnknownValue, fmt.Sprintf("与户主关系“%s”无法识别，可填：%s（也可写 本人、子、女、儿子、孙子、父亲、母亲、祖父母 等）", ref.val, strings.Join(monitor.Relations, "、")))
		}
	}
	if ref := vals[fLabor]; ref.ok() {
		if l, ok := monitor.NormalizeLaborSkill(ref.val); ok {
			m.LaborSkill = l
		} else {
			p.bad(d, ref, monitor.CodeUnknownValue, fmt.Sprintf("劳动技能“%s”无法识别，可填：普通劳动力、技能劳动力、弱劳动力或半劳动力、丧失劳动力、无劳动力", ref.val))
		}
	}
	m.SchoolStatus = p.intern(monitor.CompactText(vals[fSchool].val))
	if ref := vals[fWorkMonths]; ref.ok() {
		n, err := strconv.ParseFloat(monitor.CompactText(ref.val), 64)
		if err == nil {
			err = monitor.CheckNumber("务工时间", n, 0, 12) // also NaN and ±Inf
		}
		if err != nil {
			n = 0
			p.bad(d, ref, monitor.CodeNumberFormat, fmt.Sprintf("务工时间“%s”应为 0 到 12 之间的月数", ref.val))
		}
		m.WorkMonths = int(n + 0.5)
	}
	if ref := vals[fInsured]; ref.ok() {
		yes, _, ok := monitor.ParseYesNo(ref.val)
		if !ok {
			p.bad(d, ref, monitor.CodeUnknownValue, fmt.Sprintf("“%s”应填 是/否", ref.val))
		}
		m.MedicalInsured = yes
	}
	d.hh.Members = append(d.hh.Members, m)
	d.rows = append(d.rows, row)
}

// crossCheck compares stated sex and birth date with the ID number; the ID
// wins and the difference is a warning.
func (p *parser) crossCheck(d *draft, vals *[numFields]cellRef, m *monitor.Member) {
	if ref := vals[fSex]; ref.ok() {
		s := monitor.CompactText(ref.val)
		if s != m.Sex && !(s == "男性" && m.Sex == "男") && !(s == "女性" && m.Sex == "女") {
			p.bad(d, ref, monitor.CodeSexMismatch, fmt.Sprintf("性别填写为“%s”，但身份证号码第17位表示“%s”；已按身份证号码记录", s, m.Sex))
		}
	}
	if ref := vals[fBirth]; ref.ok() {
		if b, err := p.parseDate(ref); err == nil && b != m.BirthDate && !(b.Year == m.BirthDate.Year && b.Month == m.BirthDate.Month && b.Day == 1) {
			p.bad(d, ref, monitor.CodeBirthMismatch, fmt.Sprintf("出生日期填写为 %s，但身份证号码表示 %s；已按身份证号码记录", b, m.BirthDate))
		}
	}
}

// income reads the year's income components, computes 家庭纯收入 and the
// per-capita figure by the policy formula, and warns where stated figures
// disagree.
func (p *parser) income(d *draft) {
	h := &d.hh
	v := d.values
	in := monitor.Income{Year: p.year}
	any := false
	amount := func(f field, dst *monitor.Money) bool {
		ref := v[f]
		if !ref.ok() {
			return false
		}
		any = true
		m, err := monitor.ParseMoney(ref.val, p.colOf(ref).Scale)
		if err != nil {
			p.bad(d, ref, monitor.CodeNumberFormat, fmt.Sprintf("“%s”不是金额：请填写数字（单位见表头，可带“元”或千分位逗号）", ref.val))
			return false
		}
		if m < 0 {
			p.bad(d, ref, monitor.CodeNegativeAmount, fmt.Sprintf("“%s”为负数（%s 元）：收入和支出金额不能为负，亏损请计入生产经营性支出", p.colOf(ref).Header, m))
			return false
		}
		*dst = m
		return true
	}
	parts := 0
	for _, f := range []struct {
		field field
		dst   *monitor.Money
	}{{fWage, &in.Wage}, {fBusiness, &in.Business}, {fProperty, &in.Property}, {fTransfer, &in.Transfer}, {fBusinessCost, &in.BusinessCost}} {
		if amount(f.field, f.dst) {
			parts++
		}
	}
	var statedNet, statedPer monitor.Money
	hasNet := amount(fNet, &statedNet)
	hasPer := amount(fPerCapita, &statedPer)
	amount(fMedicalOOP, &in.MedicalOOP)
	amount(fInsurance, &in.InsurancePay)
	if !any {
		return
	}
	switch {
	case parts > 0:
		in.Net = in.ComputedNet()
	case hasNet:
		in.Net = statedNet
	case hasPer:
		in.Net = statedPer * monitor.Money(h.Size)
	}
	in.PerCapita = monitor.PerCapitaOf(in.Net, h.Size)
	if parts > 0 && hasNet && absMoney(statedNet-in.Net) > 100 {
		p.bad(d, v[fNet], monitor.CodeIncomeMismatch,
			fmt.Sprintf("家庭纯收入填写为 %s 元，按各项收入减生产经营性支出计算为 %s 元；已按计算值记录", statedNet, in.Net))
	}
	if hasPer && absMoney(statedPer-in.PerCapita) > 100 {
		p.bad(d, v[fPerCapita], monitor.CodeIncomeMismatch,
			fmt.Sprintf("人均纯收入填写为 %s 元，按家庭纯收入 %s 元 ÷ %d 人计算为 %s 元；已按计算值记录", statedPer, in.Net, h.Size, in.PerCapita))
	}
	h.Incomes = []monitor.Income{in}
}

func absMoney(m monitor.Money) monitor.Money {
	if m < 0 {
		return -m
	}
	return m
}

// parseDate reads a date from a date cell (an Excel serial, in the
// workbook's date system) or text.
func (p *parser) parseDate(ref cellRef) (monitor.Date, error) {
	t := monitor.CompactText(ref.val)
	if ref.kind == sheet.Date || (ref.kind == sheet.Number && !strings.ContainsAny(t, "eE") && len(t) == 5) {
		f, err := strconv.ParseFloat(t, 64)
		if err == nil {
			if y, m, d, ok := sheet.DateFromSerial(f, p.date1904); ok {
				if date, ok := monitor.NewDate(y, m, d); ok {
					return date, nil
				}
			}
		}
	}
	if ref.kind == sheet.Number && strings.Contains(t, ".") {
		y, mo, _ := strings.Cut(t, ".")
		if len(y) == 4 {
			if mo == "1" {
				// 2022.10 typed into a number cell is stored as 2022.1:
				// January or October cannot be told apart.
				return monitor.Date{}, fmt.Errorf("ambiguous month %q", t)
			}
			d, _, err := monitor.ParseDateText(y + "年" + mo + "月")
			return d, err
		}
	}
	d, _, err := monitor.ParseDateText(t)
	return d, err
}
