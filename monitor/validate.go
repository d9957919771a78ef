package monitor

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// MeasureStatusLabels names the measure statuses in Chinese.
var MeasureStatusLabels = map[string]string{MeasurePlanned: "计划", MeasureInPlace: "已落实", MeasureEnded: "已结束"}

// CheckNumber refuses NaN, ±Inf and values outside [lo, hi], naming the
// field: every number a person types (form, API, file) passes here.
func CheckNumber(label string, v, lo, hi float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < lo || v > hi {
		return Errorf(EINVALID, "%s应为 %s 到 %s 之间的数", label, trimFloat(lo), trimFloat(hi))
	}
	return nil
}

func trimFloat(f float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.4f", f), "0"), ".")
}

// CleanText removes the control characters a person cannot have meant (C0
// but tab and line breaks where multiline, DEL, C1, and the Excel escape
// _x0000_ of NUL), so text stores alike on SQLite and PostgreSQL (which
// refuses NUL) and prints safely on a terminal.
func CleanText(s string, multiline bool) string {
	if !strings.Contains(s, "_x") && strings.IndexFunc(s, func(r rune) bool { return isControl(r, multiline) }) < 0 {
		return s
	}
	s = strings.ReplaceAll(s, "_x0000_", "")
	return strings.Map(func(r rune) rune {
		if isControl(r, multiline) {
			return -1
		}
		return r
	}, s)
}

func isControl(r rune, multiline bool) bool {
	if r == '\t' || (multiline && (r == '\n' || r == '\r')) {
		return false
	}
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f)
}

// Validate checks a loan as every entry point takes it (form, API, the
// command line), filling the defaults of product, mode and interest period.
func (l *Loan) Validate() error {
	l.clean()
	var bad []string
	if _, _, _, p := ParseIDNumber(l.BorrowerIDNumber, false); p != nil {
		bad = append(bad, "贷款人身份证号："+p.Message)
	}
	if l.Amount <= 0 {
		bad = append(bad, "贷款金额必须大于 0")
	}
	if l.IssueDate.IsZero() {
		bad = append(bad, "放款日期必填")
	}
	if l.TermMonths < 0 || l.TermMonths > 600 {
		bad = append(bad, "贷款期限应为 1 到 600 个月")
	}
	if l.TermMonths == 0 && l.MaturityDate.IsZero() {
		bad = append(bad, "到期日期和贷款期限至少填一项")
	}
	if !l.MaturityDate.IsZero() && !l.IssueDate.IsZero() && !l.IssueDate.Before(l.MaturityDate) {
		bad = append(bad, "到期日期应晚于放款日期")
	}
	if !l.ExtendedTo.IsZero() && !l.MaturityDate.IsZero() && !l.MaturityDate.Before(l.ExtendedTo) {
		bad = append(bad, "展期到期日应晚于原到期日期")
	}
	if !(l.RatePct >= 0 && l.RatePct <= 36) { // also refuses NaN
		bad = append(bad, "贷款利率应为 0 到 36 之间的年利率百分数")
	}
	switch l.Product {
	case "":
		l.Product = ProductMicro
	case ProductMicro, ProductStartup, ProductOther:
	default:
		bad = append(bad, fmt.Sprintf("贷款品种应为 %s、%s 或 %s", ProductMicro, ProductStartup, ProductOther))
	}
	switch l.Mode {
	case "":
		l.Mode = ModeInterestOnly
	case ModeInterestOnly, ModeAnnuity, ModeEqualPrincipal:
	default:
		bad = append(bad, fmt.Sprintf("还款方式应为 %s、%s 或 %s", ModeInterestOnly, ModeAnnuity, ModeEqualPrincipal))
	}
	if l.Mode == ModeInterestOnly && l.InterestEveryMonths <= 0 {
		l.InterestEveryMonths = 3
	}
	switch l.Status {
	case "", LoanNormal, LoanSettled, LoanOverdue, LoanExtended, LoanRenewed:
	default:
		bad = append(bad, "贷款状态应为 正常、已结清、逾期、展期 或 续贷")
	}
	if len(bad) > 0 {
		return Errorf(EINVALID, "贷款信息有误：%s", strings.Join(bad, "；"))
	}
	return nil
}

// Validate checks a measure as every entry point takes it, filling the
// default status.
func (m *Measure) Validate() error {
	m.clean()
	var bad []string
	if !slices.Contains(MeasureCategories, m.Category) {
		bad = append(bad, fmt.Sprintf("帮扶措施类别“%s”无效，可选：%s", m.Category, strings.Join(MeasureCategories, "、")))
	}
	if m.Status == "" {
		m.Status = MeasureInPlace
	}
	if MeasureStatusLabels[m.Status] == "" {
		bad = append(bad, "状态应为 计划、已落实 或 已结束")
	}
	if m.Amount < 0 || m.Months < 0 {
		bad = append(bad, "金额和月数不能为负")
	}
	if !m.End.IsZero() && !m.Start.IsZero() && m.End.Before(m.Start) {
		bad = append(bad, "结束日期早于开始日期")
	}
	if m.MemberID != "" {
		if _, _, _, p := ParseIDNumber(m.MemberID, false); p != nil {
			bad = append(bad, "受益成员身份证号："+p.Message)
		}
	}
	if len(bad) > 0 {
		return Errorf(EINVALID, "帮扶措施有误：%s", strings.Join(bad, "；"))
	}
	return nil
}

// Clean removes control characters from the household's and its members'
// text (CleanText), so a file cannot store what one engine keeps and the
// other refuses, nor escape sequences that reach a terminal.
func (h *Household) Clean() {
	for _, p := range []*string{&h.Code, &h.Township, &h.Village, &h.Group, &h.HeadName, &h.HeadIDNumber, &h.Type,
		&h.Category, &h.EliminationMethod, &h.Phone, &h.Address} {
		*p = CleanText(*p, false)
	}
	h.Note = CleanText(h.Note, true)
	for i := range h.Risks {
		h.Risks[i] = CleanText(h.Risks[i], false)
	}
	for i := range h.Members {
		m := &h.Members[i]
		for _, p := range []*string{&m.IDNumber, &m.Name, &m.Relation, &m.Sex, &m.Health, &m.LaborSkill, &m.SchoolStatus} {
			*p = CleanText(*p, false)
		}
	}
}

func (l *Loan) clean() {
	for _, p := range []*string{&l.HouseholdCode, &l.BorrowerIDNumber, &l.BorrowerName, &l.Relation, &l.Product, &l.Bank,
		&l.Contract, &l.Purpose, &l.Mode, &l.Status} {
		*p = CleanText(*p, false)
	}
	l.Note = CleanText(l.Note, true)
}

func (m *Measure) clean() {
	for _, p := range []*string{&m.HouseholdCode, &m.Category, &m.SubType, &m.MemberID, &m.Status} {
		*p = CleanText(*p, false)
	}
	m.Note = CleanText(m.Note, true)
}
