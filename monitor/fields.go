package monitor

import (
	"strconv"
	"strings"
)

// Field is one named value of a record, as the change history shows it.
type Field struct {
	Name  string // Chinese label, as the user knows the column
	Value string
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// Fields lists the household's own fields for comparison and history.
func (h *Household) Fields() []Field {
	return []Field{
		{"乡镇", h.Township}, {"村", h.Village}, {"组", h.Group},
		{"户主姓名", h.HeadName}, {"户主身份证号", h.HeadIDNumber},
		{"人口数", strconv.Itoa(h.Size)}, {"户类型", h.Type}, {"监测对象类别", h.Category},
		{"识别监测时间", h.IdentifiedIn.String()}, {"风险类型", strings.Join(h.Risks, "、")},
		{"风险是否消除", yesNo(h.RiskEliminated)}, {"风险消除方式", h.EliminationMethod},
		{"风险消除时间", h.EliminatedOn.String()}, {"联系电话", h.Phone}, {"住址", h.Address},
		{"住房安全问题", yesNo(h.HousingUnsafe)}, {"饮水安全问题", yesNo(h.WaterUnsafe)},
		{"义务教育保障问题", yesNo(h.EducationGap)}, {"基本医疗保障问题", yesNo(h.MedicalGap)},
		{"整户无劳动能力兜底保障户", yesNo(h.NoLaborSupport)}, {"备注", h.Note},
	}
}

// Fields lists the member's fields for comparison and history.
func (m *Member) Fields() []Field {
	return []Field{
		{"姓名", m.Name}, {"与户主关系", m.Relation}, {"性别", m.Sex}, {"出生日期", m.BirthDate.String()},
		{"健康状况", m.Health}, {"劳动技能", m.LaborSkill}, {"在校生状况", m.SchoolStatus},
		{"务工时间(月)", strconv.Itoa(m.WorkMonths)}, {"参加基本医疗保险", yesNo(m.MedicalInsured)},
	}
}

// Fields lists the income record's amounts for comparison and history.
func (in *Income) Fields() []Field {
	return []Field{
		{"工资性收入", in.Wage.String()}, {"生产经营性收入", in.Business.String()},
		{"财产性收入", in.Property.String()}, {"转移性收入", in.Transfer.String()},
		{"生产经营性支出", in.BusinessCost.String()}, {"家庭纯收入", in.Net.String()},
		{"人均纯收入", in.PerCapita.String()}, {"合规自付支出", in.MedicalOOP.String()},
		{"理赔收入", in.InsurancePay.String()},
	}
}

// DiffFields returns the fields whose values differ, as old → new pairs.
func DiffFields(old, new []Field) (changed [][2]Field) {
	for i := range old {
		if old[i].Value != new[i].Value {
			changed = append(changed, [2]Field{old[i], new[i]})
		}
	}
	return changed
}
