package monitor

// Measure categories (帮扶措施), in the national order.
var MeasureCategories = []string{"产业帮扶", "就业帮扶", "金融帮扶", "公益岗位帮扶", "健康帮扶", "义务教育保障", "其他教育帮扶",
	"住房安全保障", "饮水安全保障", "综合保障", "社会帮扶", "搬迁", "生产生活条件改善", "基础设施建设", "消费帮扶"}

// DevelopmentCategories are the measures that build a household's own
// capacity; the others are safety net or conditions.
var DevelopmentCategories = map[string]bool{"产业帮扶": true, "就业帮扶": true, "金融帮扶": true, "公益岗位帮扶": true}

// SafetyNetCategories are the 兜底 measures.
var SafetyNetCategories = map[string]bool{"综合保障": true}

// Measure statuses.
const (
	MeasurePlanned = "planned"  // 计划
	MeasureInPlace = "in_place" // 已落实
	MeasureEnded   = "ended"    // 已结束
)

// Measure is one assistance measure (一户一策) of a household.
type Measure struct {
	ID            int64  `db:"id" json:"id"`
	HouseholdID   int64  `db:"household_id" json:"-"`
	HouseholdCode string `db:"household_code" json:"household_code"`
	Category      string `db:"category" json:"category"`
	SubType       string `db:"sub_type" json:"sub_type,omitempty"`
	MemberID      string `db:"member_id_number" json:"member_id_number,omitempty"`
	Start         Date   `db:"start_date" json:"start_date"`
	End           Date   `db:"end_date" json:"end_date"`
	Amount        Money  `db:"amount" json:"amount"`
	Months        int    `db:"months" json:"months,omitempty"`
	Status        string `db:"status" json:"status"`
	Note          string `db:"note" json:"note,omitempty"`
}

// ActiveOn reports whether the measure is in place on d.
func (m *Measure) ActiveOn(d Date) bool {
	if m.Status == MeasurePlanned {
		return false
	}
	if !m.Start.IsZero() && d.Before(m.Start) {
		return false
	}
	return m.End.IsZero() || !m.End.Before(d)
}

// Cadre is a household's 帮扶责任人 for a period.
type Cadre struct {
	ID            int64  `db:"id" json:"id"`
	HouseholdID   int64  `db:"household_id" json:"-"`
	HouseholdCode string `db:"household_code" json:"household_code"`
	Name          string `db:"name" json:"name"`
	Unit          string `db:"unit" json:"unit"`
	Phone         string `db:"phone" json:"phone"`
	From          Date   `db:"from_date" json:"from"`
	To            Date   `db:"to_date" json:"to"`
}

// DeptRecord is one row of a department's list (医保, 民政, 残联, 教育, 应急,
// 人社, 住建, 水利, 公安), matched to a member by ID number.
type DeptRecord struct {
	ID          int64  `db:"id" json:"id"`
	Kind        string `db:"kind" json:"kind"`
	IDNumber    string `db:"id_number" json:"id_number"`
	Name        string `db:"name" json:"name"`
	HouseholdID *int64 `db:"household_id" json:"-"`
	Period      string `db:"period" json:"period"` // the list's period, e.g. 2022Q4, 2022-10
	Date        Date   `db:"event_date" json:"date"`
	Amount      Money  `db:"amount" json:"amount"` // e.g. 个人自付金额
	Detail      string `db:"detail" json:"detail"`
}

// Department list kinds.
const (
	DeptMedical    = "medical"    // 医保：大额医疗费用
	DeptCivil      = "civil"      // 民政：低保、特困、临时救助
	DeptDisability = "disability" // 残联
	DeptEducation  = "education"  // 教育：辍学、高额学费
	DeptDisaster   = "disaster"   // 应急：受灾
	DeptEmployment = "employment" // 人社：失业
	DeptHousing    = "housing"    // 住建：危房
	DeptWater      = "water"      // 水利：饮水
	DeptAccident   = "accident"   // 公安：意外事故
)
