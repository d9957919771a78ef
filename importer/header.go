// Package importer turns the workbooks and CSV files staff already keep into
// monitor values and row-level issues. It finds the data by meaning — the
// sheet, the header band, the columns through an alias table — and never
// writes to the database.
package importer

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/shouwang/shouwang/monitor"
)

// field is a column's meaning. Roster fields are numbered below numFields,
// household fields first so a household's values fit a small array; other
// kinds of file number theirs from numFields up.
type field uint8

// Field keys of the household roster.
const (
	fNone field = iota
	fCounty
	fTownship
	fVillage
	fGroup
	fCode
	fHeadName
	fHeadID
	fSize
	fType
	fCategory
	fIdentified
	fRisks
	fRisk1 // 风险1…风险5 (致贫/返贫风险1…5): one column each, consecutive fields
	fRisk2
	fRisk3
	fRisk4
	fRisk5
	fEliminated
	fElimMethod
	fElimDate
	fWage
	fBusiness
	fProperty
	fTransfer
	fBusinessCost
	fNet
	fPerCapita
	fMedicalOOP
	fInsurance
	fHousing
	fWater
	fEducation
	fMedicalGap
	fNoLabor
	fPhone
	fAddress
	numHouseholdFields // fields above belong to the household

	fSeq
	fNote
	fName
	fDocType // 证件类型
	fIDNumber
	fRelation
	fSex
	fBirth
	fHealth
	fLabor
	fSchool
	fWorkMonths
	fInsured
	fIgnore    // known columns Shouwang does not keep (民族, 文化程度 …)
	fAfterElim // 风险消除后…: the after-elimination snapshot, kept apart from the current values
	fResult    // 导入结果, the column Shouwang's own error workbook adds
	numFields
)

// riskColumns names the five risk columns of each spelling: 风险1, 致贫/返贫风险1 …
func riskColumns(n int) []string {
	var out []string
	for _, stem := range []string{"风险", "致贫/返贫风险", "致贫返贫风险", "返贫/致贫风险", "返贫致贫风险", "致贫风险", "返贫风险", "风险类型", "主要风险"} {
		out = append(out, fmt.Sprintf("%s%d", stem, n))
	}
	return out
}

// rosterAliases maps a normalised header text to its field. Headers are
// normalised by headerKey before lookup. The national system's export
// (全国防返贫监测信息系统: 监测对象信息, 脱贫人口) names its columns as in the
// second half of each list; its columns Shouwang does not keep are fIgnore,
// so that its 170-odd columns raise no warning but for the 风险消除后 group.
var rosterAliases = aliasTable(map[field][]string{
	fSeq:          {"序号", "编号序号"},
	fCounty:       {"区县", "县", "区", "县区", "县(市、区)", "县市区", "县(市、区、旗)"},
	fTownship:     {"乡镇", "乡(镇)", "乡镇街道", "乡镇(街道)", "镇", "街道", "乡", "乡(镇、街道)", "镇(乡)"},
	fVillage:      {"村", "行政村", "村社区", "村(社区)", "社区", "村名", "行政村(社区)", "村(居委会)", "行政村(居委会)"},
	fGroup:        {"组", "村民小组", "组别", "社", "小组"},
	fCode:         {"户编号", "户码", "家庭编号", "户号", "户编码"},
	fHeadName:     {"户主姓名", "户主"},
	fHeadID:       {"户主身份证号", "户主身份证号码", "户主证件号码"},
	fSize:         {"人口数", "家庭人口数", "家庭人口", "户人口数", "人数", "家庭人数"},
	fType:         {"户类型", "农户类型", "户类别"},
	fCategory:     {"监测对象类别", "监测类型", "监测对象类型", "监测户类型", "监测类别"},
	fIdentified:   {"识别监测时间", "纳入监测时间", "识别时间", "纳入时间", "监测时间"},
	fRisks:        {"致贫返贫风险", "风险类型", "主要风险", "返贫致贫风险", "致贫风险", "风险", "致贫/返贫风险", "返贫/致贫风险"},
	fRisk1:        riskColumns(1),
	fRisk2:        riskColumns(2),
	fRisk3:        riskColumns(3),
	fRisk4:        riskColumns(4),
	fRisk5:        riskColumns(5),
	fEliminated:   {"风险是否消除", "是否风险消除", "风险消除", "风险是否已消除", "是否已消除风险", "是否消除风险"},
	fElimMethod:   {"风险消除方式", "消除方式"},
	fElimDate:     {"风险消除时间", "消除时间", "消除监测时间", "风险消除监测时间"},
	fWage:         {"工资性收入"},
	fBusiness:     {"生产经营性收入", "经营性收入"},
	fProperty:     {"财产性收入"},
	fTransfer:     {"转移性收入"},
	fBusinessCost: {"生产经营性支出", "经营性支出"},
	fNet:          {"家庭纯收入", "纯收入", "家庭年纯收入"},
	fPerCapita:    {"人均纯收入", "家庭年人均纯收入", "年人均纯收入", "人均收入", "家庭人均纯收入"},
	fMedicalOOP:   {"合规自付支出", "合规自付医疗支出", "自付支出"},
	fInsurance:    {"理赔收入"},
	fHousing:      {"是否住房出现安全问题", "住房安全问题", "住房是否安全有问题", "住房出现安全问题"},
	fWater:        {"是否饮水出现安全问题", "饮水安全问题", "饮水出现安全问题"},
	fEducation:    {"是否义务教育阶段适龄儿童少年失学辍学", "义务教育阶段适龄儿童少年失学辍学", "是否有失学辍学"},
	fMedicalGap: {"是否有家庭成员未参加基本医疗保险", "有家庭成员未参加基本医疗保险", "是否有家庭成员未参加城乡居民基本医疗保险",
		"是否有家庭成员未参加城乡居民(职工)基本医疗保险"},
	fNoLabor:    {"是否整户无劳动能力兜底保障户", "整户无劳动能力兜底保障户"},
	fPhone:      {"联系电话", "电话", "手机号码", "户主联系电话", "联系方式"},
	fAddress:    {"住址", "家庭住址", "地址"},
	fNote:       {"备注"},
	fName:       {"姓名", "成员姓名", "家庭成员姓名"},
	fDocType:    {"证件类型", "身份证件类型"},
	fIDNumber:   {"证件号码", "身份证号", "身份证号码", "公民身份号码", "身份证件号码", "证件号", "身份证"},
	fRelation:   {"与户主关系", "与户主的关系", "关系"},
	fSex:        {"性别"},
	fBirth:      {"出生日期", "出生年月"},
	fHealth:     {"健康状况", "健康情况"},
	fLabor:      {"劳动技能", "劳动能力"},
	fSchool:     {"在校生状况", "在校情况", "在校生情况", "就学状况"},
	fWorkMonths: {"务工时间", "务工时间(月)", "务工月数", "外出务工时间"},
	fInsured:    {"是否参加城乡居民基本医疗保险", "是否参加基本医疗保险", "参加城乡居民基本医疗保险", "是否参加大病保险", "是否参保"},
	fResult:     {"导入结果"},
	// The national export's after-elimination snapshot (风险消除后工资性收入 …):
	// named like the current values, kept apart from them.
	fAfterElim: {"风险消除后…"},
	fIgnore: {"民族", "文化程度", "政治面貌", "是否在校生", "年龄", "开户银行", "银行账号",
		// Kept elsewhere: grids are their own import.
		"网格", "网格员", "网格员电话",
		// The national export's columns the registry has no place for.
		"省", "市", "省(区、市)", "市(州)", "地市", "自然村", "人编号", "失学或辍学原因", "务工状况", "务工所在地", "务工企业名称",
		"是否参加城乡居民基本养老保险", "是否参加商业补充医疗保险", "是否享受人身意外保险补贴", "是否接受医疗救助",
		"享受低保政策情况", "享受特困供养政策情况", "是否易地扶贫搬迁", "是否军烈属", "是否残疾人", "残疾类别", "残疾等级",
		"因自然灾害子项", "识别标准", "脱贫年度", "是否已务工", "是否计划外出务工", "公益岗位类别", "公益岗位月数",
		"产业帮扶", "就业帮扶", "金融帮扶", "公益岗位帮扶", "健康帮扶", "义务教育保障", "教育帮扶", "其他教育帮扶", "住房安全保障",
		"饮水安全保障", "综合保障", "社会帮扶", "搬迁", "消费帮扶", "其他帮扶", "帮扶措施", "帮扶责任人", "帮扶责任人联系电话",
		"计划生育金", "低保金", "特困供养金", "养老保险金或离退休金", "生态补偿金", "其他转移性收入", "资产收益扶贫分红收入",
		"银行卡号", "数据状态", "户状态", "人状态", "户创建时间", "人口变更时间", "婚姻状况", "户口性质", "现居住地", "是否脱贫户",
		"是否监测对象", "帮扶计划", "帮扶成效", "是否纳入防返贫保险", "防返贫保险赔付金额", "核实时间", "核实人", "村级评议时间",
		"公示时间", "乡镇审核时间", "县级审定时间", "信息采集时间", "采集人", "数据来源", "风险消除联系人", "风险消除联系人电话",
		// Measures by kind (产业帮扶（种植业）…): measures are their own import.
		"产业帮扶…", "就业帮扶…", "金融帮扶…", "公益岗位…", "健康帮扶…", "教育帮扶…", "义务教育保障…", "住房安全保障…",
		"饮水安全保障…", "综合保障…", "社会帮扶…", "搬迁…", "消费帮扶…", "其他帮扶…"},
})

// aliasTable builds a lookup by normalised header. A name ending in "…" is
// a prefix: every header beginning with it (the national export's
// 风险消除后… and 产业帮扶（种植业）… columns). A name listed under two
// fields would make the lookup depend on map order: it panics at start-up.
func aliasTable(m map[field][]string) map[string]field {
	out := map[string]field{}
	for field, names := range m {
		for _, n := range names {
			k, _ := headerKey(strings.TrimSuffix(n, prefixMark))
			if strings.HasSuffix(n, prefixMark) {
				k = prefixMark + k
			}
			if g, dup := out[k]; dup && g != field {
				panic(fmt.Sprintf("importer: header %q names two fields (%d, %d)", n, g, field))
			}
			out[k] = field
		}
	}
	return out
}

// prefixMark ends an alias that is a prefix; in the table it leads the key.
const prefixMark = "…"

// lookup finds a normalised header's field: its own name, else the longest
// prefix alias it begins with.
func lookup(aliases map[string]field, key string) field {
	if f := aliases[key]; f != fNone {
		return f
	}
	for l := len(key); l > 0; {
		if f := aliases[prefixMark+key[:l]]; f != fNone {
			return f
		}
		_, size := utf8.DecodeLastRuneInString(key[:l])
		l -= size
	}
	return fNone
}

var headerCleaner = strings.NewReplacer("“", "", "”", "", "\"", "", "'", "", "‘", "", "’", "", "*", "", "※", "", "：", "", ":", "",
	"【", "(", "】", ")", "[", "(", "]", ")")

// headerKey normalises a header cell: full-width to half-width, spaces and
// line breaks and quotes removed, and a unit in brackets split off
// ("家庭收入情况（元）" → "家庭收入情况", "元").
func headerKey(s string) (key, unit string) {
	t := monitor.CompactText(s)
	t = headerCleaner.Replace(t)
	for {
		open := strings.LastIndex(t, "(")
		if open < 0 {
			break
		}
		close := strings.Index(t[open:], ")")
		if close < 0 {
			t = t[:open] + t[open+1:]
			continue
		}
		inner := t[open+1 : open+close]
		switch inner {
		case "元", "万元", "月", "%", "户", "人", "个", "年", "岁", "亩", "元/人", "元/年":
			if unit == "" {
				unit = inner
			}
			t = t[:open] + t[open+close+1:]
		default:
			t = t[:open] + inner + t[open+close+1:]
		}
	}
	return t, unit
}

// column is one recognised column of the header band.
type column struct {
	Col    int    // 1-based
	Header string // as shown to the user: "家庭收入情况(元)/工资性收入"
	Field  field
	Scale  int64 // 10000 for 万元 columns, 1 otherwise
}

// header is the located header band.
type header struct {
	Rows    []int // one or two row numbers
	Columns []column
	Unknown []column        // non-empty header cells no alias matched
	byField map[field][]int // indexes into Columns
	// ofCol maps a sheet column number to an index into Columns, or -1.
	ofCol []int16
}

func (h *header) col(f field) (column, bool) {
	cs := h.byField[f]
	if len(cs) == 0 {
		return column{}, false
	}
	return h.Columns[cs[0]], true
}

// matchCount counts the cells of a row that name a known column.
func matchCount(cells map[int]string, aliases map[string]field) int {
	n := 0
	for _, v := range cells {
		if k, _ := headerKey(v); lookup(aliases, k) != fNone {
			n++
		}
	}
	return n
}

// buildHeader names every column of the band. With two rows, a lower cell is
// named under the group header above it: the upper cell in the same column,
// or the nearest one to its left across columns whose upper cells are empty
// (a group merged across them). An upper cell with nothing below is a
// single header merged down.
func buildHeader(rows []int, upper, lower map[int]string, aliases map[string]field) *header {
	h := &header{Rows: rows, byField: map[field][]int{}}
	maxCol := 0
	for c := range upper {
		maxCol = max(maxCol, c)
	}
	for c := range lower {
		maxCol = max(maxCol, c)
	}
	group, groupUnit := "", ""
	for c := 1; c <= maxCol; c++ {
		up, low := upper[c], lower[c]
		if lower == nil {
			low, up = up, ""
		}
		var text, unit, shown string
		switch {
		case low != "" && up != "":
			group = up
			_, groupUnit = headerKey(up)
			text, shown = low, up+"/"+low
		case low != "":
			text = low
			if group != "" {
				shown = group + "/" + low
			} else {
				shown = low
			}
		case up != "":
			group, groupUnit = "", ""
			text, shown = up, up
		default:
			group, groupUnit = "", ""
			continue
		}
		key, u := headerKey(text)
		unit = u
		if unit == "" && low != "" {
			unit = groupUnit
		}
		col := column{Col: c, Header: monitor.CompactText(shown), Field: lookup(aliases, key), Scale: 1}
		if low != "" && group != "" {
			if gk, _ := headerKey(group); lookup(aliases, gk) == fAfterElim {
				// 家庭纯收入 under a 风险消除后情况 group: never the current
				// value of the same name.
				col.Field = fAfterElim
			}
		}
		if unit == "万元" {
			col.Scale = 10000
		}
		if col.Field == fNone {
			// A group header can itself be the field, e.g. "联系电话" under "家庭基本情况".
			h.Unknown = append(h.Unknown, col)
			continue
		}
		h.byField[col.Field] = append(h.byField[col.Field], len(h.Columns))
		h.Columns = append(h.Columns, col)
	}
	h.ofCol = make([]int16, maxCol+1)
	for i := range h.ofCol {
		h.ofCol[i] = -1
	}
	for i, c := range h.Columns {
		h.ofCol[c.Col] = int16(i)
	}
	return h
}
