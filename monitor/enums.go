package monitor

import (
	"strings"
)

// Enumerations as the field writes them, each folded to its official form.
// A lookup miss is an unknown_value error naming the accepted forms.

var categoryAliases = map[string]string{
	"脱贫不稳定户": CatUnstable, "脱贫不稳定": CatUnstable, "脱贫不稳定人口": CatUnstable, "不稳定户": CatUnstable,
	"边缘易致贫户": CatEdge, "边缘户": CatEdge, "边缘易致贫": CatEdge, "边缘易致贫人口": CatEdge, "易致贫户": CatEdge,
	"突发严重困难户": CatEmergency, "突发困难户": CatEmergency, "突发严重困难": CatEmergency, "严重困难户": CatEmergency,
}

// NormalizeCategory returns the official 监测对象类别 for a value, "" for a
// blank or 无/否 (not monitored), and ok=false when the value is unknown.
func NormalizeCategory(s string) (string, bool) {
	t := CompactText(s)
	switch t {
	case "", "无", "否", "/", "-", "—", "非监测对象":
		return "", true
	}
	c, ok := categoryAliases[t]
	return c, ok
}

// NormalizeHouseholdType folds 户类型.
func NormalizeHouseholdType(s string) (string, bool) {
	switch CompactText(s) {
	case "脱贫户", "脱贫", "建档立卡脱贫户", "已脱贫户":
		return TypeLifted, true
	case "一般农户", "一般户", "农户", "非贫困户":
		return TypeOrdinary, true
	}
	return "", false
}

var riskAliases = map[string]string{
	"因病": "因病", "因学": "因学", "因残": "因残", "因灾": "因自然灾害", "因自然灾害": "因自然灾害",
	"因意外事故": "因意外事故", "因意外": "因意外事故", "因产业项目失败": "因产业项目失败", "因产业失败": "因产业项目失败",
	"因务工就业不稳": "因务工就业不稳", "因就业不稳": "因务工就业不稳", "因务工不稳": "因务工就业不稳", "务工就业不稳": "因务工就业不稳",
	"缺劳动力": "缺劳动力", "缺劳力": "缺劳动力", "其他": "其他", "其它": "其他",
	"因洪涝": "因自然灾害", "因地质灾害": "因自然灾害", "因旱灾": "因自然灾害",
	// The national system's export also writes risks the official list
	// has no label for; the registry keeps a yes/no check for each (see
	// RiskChecks), and the risk itself is 其他.
	"因安全住房": "其他", "因住房安全": "其他", "住房安全": "其他", "因安全饮水": "其他", "因饮水安全": "其他", "饮水安全": "其他",
}

// riskChecks are the national risk labels that stand for one of the
// registry's own yes/no checks: 是否住房出现安全问题, 是否饮水出现安全问题.
var riskChecks = map[string]string{
	"因安全住房": "housing", "因住房安全": "housing", "住房安全": "housing",
	"因安全饮水": "water", "因饮水安全": "water", "饮水安全": "water",
}

func splitRisks(s string) []string {
	return strings.FieldsFunc(NormalizeText(s), func(r rune) bool {
		return strings.ContainsRune("、,，;；/| ", r)
	})
}

// ParseRisks splits a risk cell ("缺劳动力、因病") into official labels,
// dropping duplicates. Unknown labels are returned in bad. 因安全住房 and
// 因安全饮水, which the national system writes but the official list does
// not have, come back as 其他; RiskChecks says which check they stand for.
func ParseRisks(s string) (risks []string, bad []string) {
	seen := map[string]bool{}
	for _, p := range splitRisks(s) {
		r, ok := riskAliases[p]
		if !ok {
			bad = append(bad, p)
			continue
		}
		if !seen[r] {
			seen[r] = true
			risks = append(risks, r)
		}
	}
	return risks, bad
}

// RiskChecks reports whether a risk cell names unsafe housing (因安全住房)
// or unsafe water (因安全饮水): risks the registry records as 其他 with its
// housing or water check set.
func RiskChecks(s string) (housing, water bool) {
	for _, p := range splitRisks(s) {
		switch riskChecks[p] {
		case "housing":
			housing = true
		case "water":
			water = true
		}
	}
	return housing, water
}

// Ways a risk is eliminated (风险消除方式).
const (
	ElimAssisted = "帮扶消除"
	ElimNatural  = "自然消除"
)

// NormalizeEliminationMethod folds 风险消除方式: 帮扶消除 or 自然消除; blank
// stays blank, anything else is ok=false.
func NormalizeEliminationMethod(s string) (string, bool) {
	switch CompactText(s) {
	case "":
		return "", true
	case ElimAssisted, "帮扶", "帮扶后消除", "帮扶措施消除", "帮扶消除风险":
		return ElimAssisted, true
	case ElimNatural, "自然", "自然消除风险":
		return ElimNatural, true
	}
	return "", false
}

// ParseYesNo reads 是/否/√/×/有/无 and friends; ok=false when it is none.
// Blank is reported as ok with blank=true.
func ParseYesNo(s string) (yes, blank, ok bool) {
	switch strings.ToLower(CompactText(s)) {
	case "":
		return false, true, true
	case "是", "√", "有", "y", "yes", "true", "1", "已", "已消除", "存在", "参加", "已参加", "参保", "已参保":
		return true, false, true
	case "否", "×", "x", "无", "n", "no", "false", "0", "未", "未消除", "不存在", "未参加", "未参保":
		return false, false, true
	}
	return false, false, false
}

// Relations lists 与户主关系 as the national system's code list writes
// them; the registry stores these forms.
var Relations = []string{"户主", "配偶", "之子", "之女", "之儿媳", "之女婿", "之孙子", "之孙女", "之外孙子", "之外孙女",
	"之父", "之母", "之祖父", "之祖母", "之兄弟姐妹", "其他"}

var relationAliases = func() map[string]string {
	m := map[string]string{}
	for national, aliases := range map[string][]string{
		"户主":    {"本人", "本人(户主)", "户主本人"},
		"配偶":    {"妻", "夫", "妻子", "丈夫", "之妻", "之夫", "老伴"},
		"之子":    {"子", "儿子", "长子", "次子", "三子", "四子", "独生子", "养子", "继子", "之长子", "之次子"},
		"之女":    {"女", "女儿", "长女", "次女", "三女", "四女", "独生女", "养女", "继女", "之长女", "之次女"},
		"之儿媳":   {"儿媳", "媳妇", "儿媳妇"},
		"之女婿":   {"女婿"},
		"之孙子":   {"孙子", "之孙", "孙"},
		"之孙女":   {"孙女"},
		"之外孙子":  {"外孙子", "外孙", "之外孙"},
		"之外孙女":  {"外孙女"},
		"之父":    {"父亲", "父", "爸爸"},
		"之母":    {"母亲", "母", "妈妈"},
		"之祖父":   {"祖父", "爷爷", "外祖父", "之外祖父", "外公"},
		"之祖母":   {"祖母", "奶奶", "外祖母", "之外祖母", "外婆"},
		"之兄弟姐妹": {"兄", "弟", "姐", "妹", "兄弟", "姐妹", "哥哥", "弟弟", "姐姐", "妹妹", "兄弟姐妹", "之兄", "之弟", "之姐", "之妹"},
		"其他": {"其它", "其他亲属", "侄子", "侄女", "之侄子", "之侄女", "外甥", "外甥女", "孙媳妇", "之孙媳妇", "曾孙", "曾孙子",
			"曾孙女", "之曾孙子", "之曾孙女", "之曾孙子女", "曾孙子女", "非亲属"},
	} {
		m[national] = national
		for _, a := range aliases {
			m[a] = national
		}
	}
	return m
}()

// relationsBySex are the values that name a pair ("之祖父母"): the member's
// sex says which of the two it is.
var relationsBySex = map[string][2]string{ // [male, female]
	"子女": {"之子", "之女"}, "之子女": {"之子", "之女"},
	"孙子女": {"之孙子", "之孙女"}, "之孙子女": {"之孙子", "之孙女"}, "孙子孙女": {"之孙子", "之孙女"},
	"外孙子女": {"之外孙子", "之外孙女"}, "之外孙子女": {"之外孙子", "之外孙女"},
	"父母": {"之父", "之母"}, "之父母": {"之父", "之母"},
	"祖父母": {"之祖父", "之祖母"}, "之祖父母": {"之祖父", "之祖母"}, "外祖父母": {"之祖父", "之祖母"}, "之外祖父母": {"之祖父", "之祖母"},
}

// NormalizeRelation folds 与户主关系 to the national code list (Relations):
// the short forms rosters use (子, 女, 孙子, 父亲 …) are aliases. A value
// naming a pair (祖父母) needs the member's sex: see NormalizeRelationOf.
func NormalizeRelation(s string) (string, bool) {
	return NormalizeRelationOf(s, "")
}

// NormalizeRelationOf is NormalizeRelation that also resolves the values
// naming a pair (子女, 父母, 祖父母, 之孙子女 …) by the member's sex ("男" or
// "女"); with no sex such a value is ok=false.
func NormalizeRelationOf(s, sex string) (string, bool) {
	t := CompactText(s)
	if r, ok := relationAliases[t]; ok {
		return r, true
	}
	if pair, ok := relationsBySex[t]; ok {
		switch sex {
		case "男":
			return pair[0], true
		case "女":
			return pair[1], true
		}
	}
	return "", false
}

// Labour skills (劳动技能) as the national system names them.
const (
	LaborNormal  = "普通劳动力"
	LaborSkilled = "技能劳动力"
	LaborWeak    = "弱劳动力或半劳动力"
	LaborLost    = "丧失劳动力"
	LaborNone    = "无劳动力"
)

var laborAliases = map[string]string{
	"普通劳动力": LaborNormal, "劳动力": LaborNormal, "技能劳动力": LaborSkilled,
	"弱劳动力或半劳动力": LaborWeak, "弱劳动力": LaborWeak, "半劳动力": LaborWeak,
	"丧失劳动力": LaborLost, "无劳动力": LaborNone, "无劳动能力": LaborNone,
}

// NormalizeLaborSkill folds 劳动技能; blank stays blank.
func NormalizeLaborSkill(s string) (string, bool) {
	t := CompactText(s)
	if t == "" {
		return "", true
	}
	l, ok := laborAliases[t]
	return l, ok
}

// LaborCapable reports whether a 劳动技能 counts as able to work (weak or
// half labour counts: it can take a public-welfare job).
func LaborCapable(skill string) bool {
	return skill == LaborNormal || skill == LaborSkilled || skill == LaborWeak
}

// School statuses that mean a compulsory-age child is out of school.
var outOfSchool = map[string]bool{"失学辍学": true, "辍学": true, "失学": true, "失学或辍学": true}

// OutOfSchool reports whether a 在校生状况 means 失学辍学.
func OutOfSchool(status string) bool { return outOfSchool[CompactText(status)] }
