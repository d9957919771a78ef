package monitor

import "time"

// Place levels, from the district down to the village group.
const (
	LevelCounty   = "county"   // 区县
	LevelTownship = "township" // 乡镇/街道
	LevelVillage  = "village"  // 行政村/社区
	LevelGroup    = "group"    // 村民小组
)

// Place is one node of 区县 → 乡镇/街道 → 村/社区 → 组. Path joins the names
// from the top with "/", e.g. "东城街道/皂角井社区/7组".
type Place struct {
	ID       int64  `db:"id" json:"id"`
	ParentID *int64 `db:"parent_id" json:"parent_id,omitempty"`
	Level    string `db:"level" json:"level"`
	Name     string `db:"name" json:"name"`
	Path     string `db:"path" json:"path"`
}

// Household types (户类型).
const (
	TypeLifted   = "脱贫户"
	TypeOrdinary = "一般农户"
)

// Monitoring categories (监测对象类别).
const (
	CatUnstable  = "脱贫不稳定户"
	CatEdge      = "边缘易致贫户"
	CatEmergency = "突发严重困难户"
)

// Categories lists the three monitoring categories in their official order.
var Categories = []string{CatUnstable, CatEdge, CatEmergency}

// Risks lists the official risk labels (致贫/返贫风险).
var Risks = []string{"因病", "因学", "因残", "因自然灾害", "因意外事故", "因产业项目失败", "因务工就业不稳", "缺劳动力", "其他"}

// MaxRisks is how many risks a household may carry (exports write 风险1…风险5).
const MaxRisks = 5

// Household is the unit of monitoring (户).
type Household struct {
	ID                int64     `db:"id" json:"-"`
	Code              string    `db:"code" json:"household_code"`
	PlaceID           int64     `db:"place_id" json:"-"`
	Township          string    `db:"township" json:"township"`
	Village           string    `db:"village" json:"village"`
	Group             string    `db:"grp" json:"group"`
	HeadName          string    `db:"head_name" json:"head_name"`
	HeadIDNumber      string    `db:"head_id_number" json:"head_id_number,omitempty"`
	Size              int       `db:"size" json:"size"`
	Type              string    `db:"household_type" json:"household_type"`
	Category          string    `db:"category" json:"category"`
	IdentifiedIn      YearMonth `db:"identified_ym" json:"identified_ym"`
	Risks             []string  `db:"-" json:"risks"`
	RiskEliminated    bool      `db:"risk_eliminated" json:"risk_eliminated"`
	EliminationMethod string    `db:"elimination_method" json:"elimination_method,omitempty"`
	EliminatedOn      Date      `db:"eliminated_on" json:"eliminated_on"`
	Phone             string    `db:"phone" json:"phone,omitempty"`
	Address           string    `db:"address" json:"address,omitempty"`
	HousingUnsafe     bool      `db:"housing_unsafe" json:"housing_unsafe"`
	WaterUnsafe       bool      `db:"water_unsafe" json:"water_unsafe"`
	EducationGap      bool      `db:"education_gap" json:"education_gap"`
	MedicalGap        bool      `db:"medical_gap" json:"medical_gap"`
	NoLaborSupport    bool      `db:"no_labor_support" json:"no_labor_support"`
	Note              string    `db:"note" json:"note,omitempty"`
	UpdatedAt         time.Time `db:"updated_at" json:"updated_at"`

	Members []Member `db:"-" json:"members,omitempty"`
	Incomes []Income `db:"-" json:"incomes,omitempty"`
}

// Monitored reports whether the household is a 监测对象.
func (h *Household) Monitored() bool { return h.Category != "" }

// Member is one person of a household.
type Member struct {
	ID             int64  `db:"id" json:"-"`
	HouseholdID    int64  `db:"household_id" json:"-"`
	IDNumber       string `db:"id_number" json:"id_number"`
	Name           string `db:"name" json:"name"`
	Relation       string `db:"relation" json:"relation"`
	Sex            string `db:"sex" json:"sex"`
	BirthDate      Date   `db:"birth_date" json:"birth_date"`
	Health         string `db:"health" json:"health,omitempty"`
	LaborSkill     string `db:"labor_skill" json:"labor_skill,omitempty"`
	SchoolStatus   string `db:"school_status" json:"school_status,omitempty"`
	WorkMonths     int    `db:"work_months" json:"work_months"`
	MedicalInsured bool   `db:"medical_insured" json:"medical_insured"`
	Missing        bool   `db:"missing" json:"missing,omitempty"`
}

// CanWork reports whether the member's 劳动技能 counts as labour.
func (m *Member) CanWork() bool { return LaborCapable(m.LaborSkill) }

// Income is one year's income record of a household (元, in fen).
type Income struct {
	HouseholdID  int64 `db:"household_id" json:"-"`
	Year         int   `db:"year" json:"year"`
	Wage         Money `db:"wage" json:"wage"`                         // 工资性收入
	Business     Money `db:"business" json:"business"`                 // 生产经营性收入
	Property     Money `db:"property" json:"property"`                 // 财产性收入
	Transfer     Money `db:"transfer" json:"transfer"`                 // 转移性收入
	BusinessCost Money `db:"business_cost" json:"business_cost"`       // 生产经营性支出
	Net          Money `db:"net" json:"net"`                           // 家庭纯收入
	PerCapita    Money `db:"per_capita" json:"per_capita"`             // 家庭年人均纯收入
	MedicalOOP   Money `db:"medical_oop" json:"medical_oop"`           // 合规自付支出
	InsurancePay Money `db:"insurance_payout" json:"insurance_payout"` // 理赔收入
}

// ComputedNet is 家庭纯收入 by its policy formula.
func (in *Income) ComputedNet() Money {
	return in.Wage + in.Business + in.Property + in.Transfer - in.BusinessCost
}

// PerCapitaOf divides net income by household size, rounded to the fen.
func PerCapitaOf(net Money, size int) Money {
	if size <= 0 {
		return 0
	}
	n := int64(net)
	q := n / int64(size)
	if r := n % int64(size); 2*abs64(r) >= int64(size) {
		if n < 0 {
			q--
		} else {
			q++
		}
	}
	return Money(q)
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// Change records one field of a household or member changed: when, by whom,
// through which import, old → new.
type Change struct {
	ID            int64     `db:"id" json:"id"`
	At            time.Time `db:"at" json:"at"`
	Actor         string    `db:"actor" json:"actor"`
	ImportID      *int64    `db:"import_id" json:"import_id,omitempty"`
	HouseholdCode string    `db:"household_code" json:"household_code"`
	Entity        string    `db:"entity" json:"entity"` // household, member, income
	EntityKey     string    `db:"entity_key" json:"entity_key"`
	Field         string    `db:"field" json:"field"`
	OldValue      string    `db:"old_value" json:"old"`
	NewValue      string    `db:"new_value" json:"new"`
	// EffectiveOn is the date from which the change holds: the date of the
	// procedure's decision, or of the data an import brought. Zero for
	// changes recorded before it was kept (their At holds).
	EffectiveOn Date `db:"effective_on" json:"effective_on"`
	// Note says why (the case, the import), apart from the field's name.
	Note string `db:"note" json:"note,omitempty"`
}
