package monitor

import (
	"fmt"
	"slices"
	"time"
)

// Case kinds: the identification of a household as a 监测对象, or the
// elimination of its risk. Both follow the same procedure.
const (
	CaseInclusion   = "inclusion"
	CaseElimination = "elimination"
)

// Case statuses.
const (
	CaseOpen      = "open"
	CaseDone      = "done"
	CaseCancelled = "cancelled"
)

// Channels through which a household is found (识别渠道).
var CaseChannels = []string{"农户自主申报", "基层干部排查", "部门筛查预警", "风险预警"}

// The procedure's steps, in order. Recording the last one completes the
// case: the household is included (纳入监测) or its risk eliminated.
const StepNotice = "公示"

// The two reviews above the village: the township reviews (乡镇审核) and
// the county decides (县级审定).
const (
	StepTownshipReview = "乡镇审核"
	StepCountyApproval = "县级审定"
)

// CaseSteps lists the procedure (入户核实 → 信息比对 → 民主评议 → 公示 →
// 乡镇审核 → 县级审定).
var CaseSteps = []string{"入户核实", "信息比对", "民主评议", StepNotice, StepTownshipReview, StepCountyApproval}

// Roles of accounts, from the narrowest place to everything.
const (
	RoleVillage  = "village"  // 村级: one village
	RoleTownship = "township" // 乡镇: one township
	RoleCounty   = "county"   // 区县: everything
	RoleAdmin    = "admin"    // 管理员: everything, plus users, rules and parameters
)

// RoleNames gives each role its Chinese name.
var RoleNames = map[string]string{RoleVillage: "村级", RoleTownship: "乡镇", RoleCounty: "区县", RoleAdmin: "管理员"}

// stepRecorders says which roles may record a step, and how a person reads
// that; a step not listed here is the village's and may be recorded by
// every role. The township's review and the county's decision are the
// levels the procedure answers to, so a village account records neither.
var stepRecorders = map[string]struct {
	roles []string
	who   string
}{
	StepTownshipReview: {[]string{RoleTownship, RoleCounty, RoleAdmin}, "乡镇（街道）、区县或管理员账号"},
	StepCountyApproval: {[]string{RoleCounty, RoleAdmin}, "区县或管理员账号"},
}

// StepRecorders names, for people, the accounts that may record step.
func StepRecorders(step string) string {
	if r, ok := stepRecorders[step]; ok {
		return r.who
	}
	return "村级及以上账号"
}

// MayRecordStep says whether the account named account, of role, may
// record step on c: the village's steps any account, 乡镇审核 a township,
// county or admin account, 县级审定 a county or admin account; and one
// account never both reviews of a case, as the reviewer and the approver
// are different people. The refusal is EFORBIDDEN.
func MayRecordStep(c *Case, step, account, role string) error {
	if account == "" {
		return Errorf(EFORBIDDEN, "没有办理账号，不能记录“%s”", step)
	}
	if _, ok := RoleNames[role]; !ok {
		return Errorf(EFORBIDDEN, "账号 %s 的角色 %q 无效，不能记录案件步骤", account, role)
	}
	if r, ok := stepRecorders[step]; ok && !slices.Contains(r.roles, role) {
		return Errorf(EFORBIDDEN, "%s须由%s办理", step, r.who)
	}
	var other string
	switch step {
	case StepTownshipReview:
		other = StepCountyApproval
	case StepCountyApproval:
		other = StepTownshipReview
	default:
		return nil
	}
	for _, s := range c.Steps {
		if s.Step == other && s.RecordedBy == account {
			return Errorf(EFORBIDDEN, "同一账号不能既办理乡镇审核又办理县级审定（案件 %d 的%s由 %s 办理）", c.ID, other, account)
		}
	}
	return nil
}

// CheckOverride says whether an account of role may give the reason that
// lets a risk elimination through although its conditions fail: any
// account above the village.
func CheckOverride(role string) error {
	if RoleNames[role] == "" {
		return Errorf(EFORBIDDEN, "角色 %q 无效，不能特批风险消除", role)
	}
	if role == RoleVillage {
		return Errorf(EFORBIDDEN, "村级账号不能特批风险消除：不符合条件的，请由乡镇、区县或管理员账号填写理由后办理")
	}
	return nil
}

// Elimination methods (风险消除方式).
var EliminationMethods = []string{"帮扶消除", "自然消除"}

// Case is one household's identification or elimination procedure.
type Case struct {
	ID             int64      `db:"id" json:"id"`
	HouseholdID    int64      `db:"household_id" json:"-"`
	HouseholdCode  string     `db:"household_code" json:"household_code"`
	HeadName       string     `db:"head_name" json:"head_name"`
	Township       string     `db:"township" json:"township"`
	Village        string     `db:"village" json:"village"`
	Kind           string     `db:"kind" json:"kind"`
	Channel        string     `db:"channel" json:"channel"`
	FlagID         *int64     `db:"flag_id" json:"flag_id,omitempty"`
	Status         string     `db:"status" json:"status"`
	Step           int        `db:"step" json:"steps_done"`
	Emergency      bool       `db:"emergency" json:"emergency"`
	OpenedOn       Date       `db:"opened_on" json:"opened_on"`
	DueOn          Date       `db:"due_on" json:"due_on"`
	ClosedOn       Date       `db:"closed_on" json:"closed_on"`
	Category       string     `db:"category" json:"category,omitempty"`
	RisksText      string     `db:"risks" json:"-"`
	Risks          []string   `db:"-" json:"risks,omitempty"`
	Method         string     `db:"method" json:"method,omitempty"`
	OverrideReason string     `db:"override_reason" json:"override_reason,omitempty"`
	OpenedBy       string     `db:"opened_by" json:"opened_by"`
	Note           string     `db:"note" json:"note,omitempty"`
	Steps          []CaseStep `db:"-" json:"steps"`
	Overdue        bool       `db:"-" json:"overdue"`
}

// CaseStep is one recorded step: date, person (经办人), note, and the
// account that recorded it with its role at the time; the public notice
// also has its start and end.
type CaseStep struct {
	ID           int64     `db:"id" json:"id"`
	CaseID       int64     `db:"case_id" json:"-"`
	Step         string    `db:"step" json:"step"`
	DoneOn       Date      `db:"done_on" json:"date"`
	Person       string    `db:"person" json:"person"`
	Note         string    `db:"note" json:"note,omitempty"`
	NoticeStart  Date      `db:"notice_start" json:"notice_start"`
	NoticeEnd    Date      `db:"notice_end" json:"notice_end"`
	RecordedBy   string    `db:"recorded_by" json:"recorded_by"`     // the account
	RecordedRole string    `db:"recorded_role" json:"recorded_role"` // its role then (it may change later)
	RecordedAt   time.Time `db:"recorded_at" json:"recorded_at"`
}

// KindLabel names a case kind in Chinese.
func CaseKindLabel(kind string) string {
	if kind == CaseElimination {
		return "风险消除"
	}
	return "识别纳入"
}

// NextStep is the step to record next, or "" when every step is done.
func (c *Case) NextStep() string {
	if c.Step >= len(CaseSteps) {
		return ""
	}
	return CaseSteps[c.Step]
}

// OverdueOn reports whether an open case is past its deadline on d.
func (c *Case) OverdueOn(d Date) bool { return c.Status == CaseOpen && c.DueOn.Before(d) }

// CheckStep says whether s may be recorded next on c as of today: steps in
// order, dates not before the case or the previous step nor after today,
// and a public notice of at least noticeDays days that has ended.
func CheckStep(c *Case, s CaseStep, noticeDays int, today Date) error {
	if c.Status != CaseOpen {
		return Errorf(EINVALID, "案件 %d 已%s，不能再记录步骤", c.ID, map[string]string{CaseDone: "办结", CaseCancelled: "撤销"}[c.Status])
	}
	next := c.NextStep()
	if s.Step != next {
		return Errorf(EINVALID, "步骤顺序不对：下一步应为“%s”，不能记录“%s”（顺序：入户核实 → 信息比对 → 民主评议 → 公示 → 乡镇审核 → 县级审定）", next, s.Step)
	}
	if s.DoneOn.IsZero() {
		return Errorf(EINVALID, "请填写“%s”的日期", s.Step)
	}
	if s.Person == "" {
		return Errorf(EINVALID, "请填写“%s”的经办人", s.Step)
	}
	if s.DoneOn.Before(c.OpenedOn) {
		return Errorf(EINVALID, "“%s”的日期 %s 早于案件开始日期 %s", s.Step, s.DoneOn, c.OpenedOn)
	}
	if n := len(c.Steps); n > 0 && s.DoneOn.Before(c.Steps[n-1].DoneOn) {
		return Errorf(EINVALID, "“%s”的日期 %s 早于上一步“%s”的日期 %s", s.Step, s.DoneOn, c.Steps[n-1].Step, c.Steps[n-1].DoneOn)
	}
	if today.Before(s.DoneOn) {
		return Errorf(EINVALID, "“%s”的日期 %s 晚于今天，不能预先记录", s.Step, s.DoneOn)
	}
	if s.Step == StepNotice {
		if s.NoticeStart.IsZero() || s.NoticeEnd.IsZero() {
			return Errorf(EINVALID, "公示须填写开始和结束日期")
		}
		days := s.NoticeStart.DaysUntil(s.NoticeEnd) + 1
		if days < noticeDays {
			return Errorf(EINVALID, "公示期 %s 至 %s 只有 %d 天，不少于 %d 天才符合规定", s.NoticeStart, s.NoticeEnd, days, noticeDays)
		}
		if s.DoneOn.Before(s.NoticeEnd) {
			return Errorf(EINVALID, "公示到 %s 才结束，不能在 %s 记为完成", s.NoticeEnd, s.DoneOn)
		}
		if s.NoticeStart.Before(c.OpenedOn) {
			return Errorf(EINVALID, "公示开始日期 %s 早于案件开始日期 %s", s.NoticeStart, c.OpenedOn)
		}
	} else if !s.NoticeStart.IsZero() || !s.NoticeEnd.IsZero() {
		return Errorf(EINVALID, "只有“公示”步骤填写公示起止日期")
	}
	return nil
}

// Describe is a one-line summary of a case for lists.
func (c *Case) Describe() string {
	s := fmt.Sprintf("%s（%s）", CaseKindLabel(c.Kind), c.Channel)
	if c.Emergency {
		s += "【先帮扶后认定】"
	}
	return s
}
