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
}

// ParseRisks splits a risk cell ("缺劳动力、因病") into official labels,
// dropping duplicates. Unknown labels are returned in bad.
func ParseRisks(s string) (risks []string, bad []string) {
	t := NormalizeText(s)
	parts := strings.FieldsFunc(t, func(r rune) bool {
		return strings.ContainsRune("、,，;；/| ", r)
	})
	seen := map[string]bool{}
	for _, p := range parts {
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

var relationAliases = map[string]string{
	"户主": "户主", "本人": "户主", "本人(户主)": "户主",
	"配偶": "配偶", "妻": "配偶", "夫": "配偶", "妻子": "配偶", "丈夫": "配偶", "之妻": "配偶", "之夫": "配偶",
	"子": "子", "之子": "子", "儿子": "子", "长子": "子", "次子": "子", "三子": "子", "独生子": "子", "养子": "子", "继子": "子",
	"女": "女", "之女": "女", "女儿": "女", "长女": "女", "次女": "女", "三女": "女", "独生女": "女", "养女": "女", "继女": "女",
	"孙子": "孙子", "之孙": "孙子", "孙女": "孙女", "之孙女": "孙女", "外孙子": "外孙子", "外孙": "外孙子", "外孙女": "外孙女",
	"父亲": "父亲", "之父": "父亲", "父": "父亲", "母亲": "母亲", "之母": "母亲", "母": "母亲",
	"祖父母": "祖父母", "祖父": "祖父母", "祖母": "祖父母", "外祖父": "祖父母", "外祖母": "祖父母",
	"兄": "兄弟姐妹", "弟": "兄弟姐妹", "姐": "兄弟姐妹", "妹": "兄弟姐妹", "兄弟": "兄弟姐妹", "姐妹": "兄弟姐妹",
	"哥哥": "兄弟姐妹", "弟弟": "兄弟姐妹", "姐姐": "兄弟姐妹", "妹妹": "兄弟姐妹", "兄弟姐妹": "兄弟姐妹",
	"儿媳": "儿媳", "之儿媳": "儿媳", "媳妇": "儿媳", "女婿": "女婿", "之女婿": "女婿",
	"其他": "其他", "其它": "其他", "其他亲属": "其他", "侄子": "其他", "侄女": "其他",
}

// NormalizeRelation folds 与户主关系 to one form per relation.
func NormalizeRelation(s string) (string, bool) {
	r, ok := relationAliases[CompactText(s)]
	return r, ok
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
