// Package importer turns the workbooks and CSV files staff already keep into
// monitor values and row-level issues. It finds the data by meaning — the
// sheet, the header band, the columns through an alias table — and never
// writes to the database.
package importer

import (
	"strings"

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

	fRiskN // 风险1…风险5, several columns
	fSeq
	fNote
	fName
	fIDNumber
	fRelation
	fSex
	fBirth
	fHealth
	fLabor
	fSchool
	fWorkMonths
	fInsured
	fIgnore // known columns Shouwang does not keep (民族, 文化程度 …)
	fResult // 导入结果, the column Shouwang's own error workbook adds
	numFields
)

// rosterAliases maps a normalised header text to its field. Headers are
// normalised by headerKey before lookup.
var rosterAliases = aliasTable(map[field][]string{
	fSeq:          {"序号", "编号序号"},
	fCounty:       {"区县", "县", "区", "县区", "县(市、区)", "县市区"},
	fTownship:     {"乡镇", "乡(镇)", "乡镇街道", "乡镇(街道)", "镇", "街道", "乡"},
	fVillage:      {"村", "行政村", "村社区", "村(社区)", "社区", "村名", "行政村(社区)"},
	fGroup:        {"组", "村民小组", "组别", "社", "小组"},
	fCode:         {"户编号", "户码", "家庭编号", "户号"},
	fHeadName:     {"户主姓名", "户主"},
	fHeadID:       {"户主身份证号", "户主身份证号码", "户主证件号码"},
	fSize:         {"人口数", "家庭人口数", "家庭人口", "户人口数", "人数"},
	fType:         {"户类型", "农户类型", "户类别"},
	fCategory:     {"监测对象类别", "监测类型", "监测对象类型", "监测户类型", "监测类别"},
	fIdentified:   {"识别监测时间", "纳入监测时间", "识别时间", "纳入时间", "监测时间"},
	fRisks:        {"致贫返贫风险", "风险类型", "主要风险", "返贫致贫风险", "致贫风险", "风险"},
	fRiskN:        {"风险1", "风险2", "风险3", "风险4", "风险5", "主要风险1", "主要风险2", "主要风险3"},
	fEliminated:   {"风险是否消除", "是否风险消除", "风险消除"},
	fElimMethod:   {"风险消除方式", "消除方式"},
	fElimDate:     {"风险消除时间", "消除时间"},
	fWage:         {"工资性收入"},
	fBusiness:     {"生产经营性收入", "经营性收入"},
	fProperty:     {"财产性收入"},
	fTransfer:     {"转移性收入"},
	fBusinessCost: {"生产经营性支出", "经营性支出"},
	fNet:          {"家庭纯收入", "纯收入", "家庭年纯收入"},
	fPerCapita:    {"人均纯收入", "家庭年人均纯收入", "年人均纯收入", "人均收入"},
	fMedicalOOP:   {"合规自付支出", "合规自付医疗支出", "自付支出"},
	fInsurance:    {"理赔收入"},
	fHousing:      {"是否住房出现安全问题", "住房安全问题", "住房是否安全有问题", "住房出现安全问题"},
	fWater:        {"是否饮水出现安全问题", "饮水安全问题", "饮水出现安全问题"},
	fEducation:    {"是否义务教育阶段适龄儿童少年失学辍学", "义务教育阶段适龄儿童少年失学辍学", "是否有失学辍学"},
	fMedicalGap:   {"是否有家庭成员未参加基本医疗保险", "有家庭成员未参加基本医疗保险"},
	fNoLabor:      {"是否整户无劳动能力兜底保障户", "整户无劳动能力兜底保障户"},
	fPhone:        {"联系电话", "电话", "手机号码", "户主联系电话", "联系方式"},
	fAddress:      {"住址", "家庭住址", "地址"},
	fNote:         {"备注"},
	fName:         {"姓名", "成员姓名", "家庭成员姓名"},
	fIDNumber:     {"证件号码", "身份证号", "身份证号码", "公民身份号码", "身份证件号码", "证件号"},
	fRelation:     {"与户主关系", "与户主的关系", "关系"},
	fSex:          {"性别"},
	fBirth:        {"出生日期", "出生年月"},
	fHealth:       {"健康状况", "健康情况"},
	fLabor:        {"劳动技能", "劳动能力"},
	fSchool:       {"在校生状况", "在校情况", "在校生情况", "就学状况"},
	fWorkMonths:   {"务工时间", "务工时间(月)", "务工月数", "外出务工时间"},
	fInsured:      {"是否参加城乡居民基本医疗保险", "是否参加基本医疗保险", "参加城乡居民基本医疗保险", "是否参加大病保险", "是否参保"},
	fResult:       {"导入结果"},
	fIgnore:       {"民族", "文化程度", "政治面貌", "是否在校生", "年龄", "开户银行", "银行账号"},
})

func aliasTable(m map[field][]string) map[string]field {
	out := map[string]field{}
	for field, names := range m {
		for _, n := range names {
			k, _ := headerKey(n)
			out[k] = field
		}
	}
	return out
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
		if k, _ := headerKey(v); aliases[k] != fNone {
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
		col := column{Col: c, Header: monitor.CompactText(shown), Field: aliases[key], Scale: 1}
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
