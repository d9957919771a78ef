package monitor

import (
	"slices"
	"strconv"
	"strings"
)

// History field names that are events rather than fields.
const (
	FieldCreated         = "新建户"
	FieldMemberAdded     = "新增成员"
	FieldMemberMissing   = "成员缺失"
	FieldMemberReappears = "成员重新出现"
)

// EffectiveDate is the date from which c holds: EffectiveOn, or for history
// written before that was kept, the day it was recorded.
func (c *Change) EffectiveDate() Date {
	if !c.EffectiveOn.IsZero() {
		return c.EffectiveOn
	}
	return DateOf(c.At)
}

// householdSetters write a household field from its history text, by the
// name Fields gives it.
var householdSetters = map[string]func(h *Household, v string){
	"乡镇":           func(h *Household, v string) { h.Township = v },
	"村":            func(h *Household, v string) { h.Village = v },
	"组":            func(h *Household, v string) { h.Group = v },
	"户主姓名":         func(h *Household, v string) { h.HeadName = v },
	"户主身份证号":       func(h *Household, v string) { h.HeadIDNumber = v },
	"人口数":          func(h *Household, v string) { h.Size, _ = strconv.Atoi(v) },
	"户类型":          func(h *Household, v string) { h.Type = v },
	"监测对象类别":       func(h *Household, v string) { h.Category = v },
	"识别监测时间":       func(h *Household, v string) { h.IdentifiedIn, _ = parseYYYYMM(v) },
	"风险类型":         func(h *Household, v string) { h.Risks = splitList(v) },
	"风险是否消除":       func(h *Household, v string) { h.RiskEliminated = v == "是" },
	"风险消除方式":       func(h *Household, v string) { h.EliminationMethod = v },
	"风险消除时间":       func(h *Household, v string) { h.EliminatedOn, _ = ParseISODate(v) },
	"联系电话":         func(h *Household, v string) { h.Phone = v },
	"住址":           func(h *Household, v string) { h.Address = v },
	"住房安全问题":       func(h *Household, v string) { h.HousingUnsafe = v == "是" },
	"饮水安全问题":       func(h *Household, v string) { h.WaterUnsafe = v == "是" },
	"义务教育保障问题":     func(h *Household, v string) { h.EducationGap = v == "是" },
	"基本医疗保障问题":     func(h *Household, v string) { h.MedicalGap = v == "是" },
	"整户无劳动能力兜底保障户": func(h *Household, v string) { h.NoLaborSupport = v == "是" },
	"备注":           func(h *Household, v string) { h.Note = v },
}

// memberSetters write a member field from its history text.
var memberSetters = map[string]func(m *Member, v string){
	"姓名":       func(m *Member, v string) { m.Name = v },
	"与户主关系":    func(m *Member, v string) { m.Relation = v },
	"性别":       func(m *Member, v string) { m.Sex = v },
	"出生日期":     func(m *Member, v string) { m.BirthDate, _ = ParseISODate(v) },
	"健康状况":     func(m *Member, v string) { m.Health = v },
	"劳动技能":     func(m *Member, v string) { m.LaborSkill = v },
	"在校生状况":    func(m *Member, v string) { m.SchoolStatus = v },
	"务工时间(月)":  func(m *Member, v string) { m.WorkMonths, _ = strconv.Atoi(v) },
	"参加基本医疗保险": func(m *Member, v string) { m.MedicalInsured = v == "是" },
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, "、") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// SetField writes the household field named as in Fields from its text;
// false when no field has that name.
func (h *Household) SetField(name, value string) bool {
	set, ok := householdSetters[name]
	if ok {
		set(h, value)
	}
	return ok
}

// SetField writes the member field named as in Fields from its text.
func (m *Member) SetField(name, value string) bool {
	set, ok := memberSetters[name]
	if ok {
		set(m, value)
	}
	return ok
}

// AsOf returns the household as it stood at the end of d, and whether it
// existed by then. history is the household's change history (any order);
// changes that hold from after d are taken back, newest first. Then the
// decisions the household's own dates put after d are taken back too: a
// household identified after d was not monitored on d, and one whose risk
// was eliminated after d was still monitored. h.Members must hold the
// missing members too (Missing set): one missing only since after d was
// still there; the result holds the members present on d.
func (h *Household) AsOf(d Date, history []Change) (Household, bool) {
	out := *h
	out.Members = slices.Clone(h.Members)
	out.Risks = slices.Clone(h.Risks)
	later := make([]Change, 0, len(history))
	for _, c := range history {
		if d.Before(c.EffectiveDate()) {
			later = append(later, c)
		}
	}
	slices.SortFunc(later, func(a, b Change) int { return int(b.ID - a.ID) })
	for _, c := range later {
		switch c.Entity {
		case "household":
			if c.Field == FieldCreated {
				if c.EffectiveOn.IsZero() {
					continue // created before creation dates were kept: it stays
				}
				return out, false
			}
			out.SetField(c.Field, c.OldValue)
		case "member":
			i := slices.IndexFunc(out.Members, func(m Member) bool { return m.IDNumber == c.EntityKey })
			if i < 0 {
				continue
			}
			switch c.Field {
			case FieldMemberAdded:
				out.Members = slices.Delete(out.Members, i, i+1)
			case FieldMemberMissing:
				out.Members[i].Missing = false
			case FieldMemberReappears:
				out.Members[i].Missing = true
			default:
				out.Members[i].SetField(c.Field, c.OldValue)
			}
		}
	}
	out.Members = slices.DeleteFunc(out.Members, func(m Member) bool { return m.Missing })
	month := YearMonth{Year: d.Year, Month: d.Month}
	if !out.IdentifiedIn.IsZero() && ymBefore(month, out.IdentifiedIn) {
		out.Category, out.IdentifiedIn = "", YearMonth{}
		out.RiskEliminated, out.EliminationMethod, out.EliminatedOn = false, "", Date{}
	}
	if out.RiskEliminated && !out.EliminatedOn.IsZero() && d.Before(out.EliminatedOn) {
		out.RiskEliminated, out.EliminationMethod, out.EliminatedOn = false, "", Date{}
	}
	return out, true
}

func ymBefore(a, b YearMonth) bool {
	return a.Year < b.Year || (a.Year == b.Year && a.Month < b.Month)
}
