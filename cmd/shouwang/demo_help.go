package main

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/watch"
)

// demoCadres are the township cadres the demo assigns to households.
var demoCadres = []monitor.Cadre{
	{Name: "李佳", Unit: "东城街道办事处", Phone: "02371412345"},
	{Name: "张明", Unit: "东城街道办事处", Phone: "02371412346"},
	{Name: "王芳", Unit: "区农业农村委", Phone: "02371412347"},
	{Name: "陈刚", Unit: "区乡村振兴局", Phone: "02371412348"},
	{Name: "刘洋", Unit: "区人力社保局", Phone: "02371412349"},
}

// demoRecorder is the account the demo's case steps are recorded as. No
// one logs in as it: it stands in for the village cadres, so it has the
// village's role and records only the village's steps (入户核实 to 民主评议);
// the reviews are left to the township and county accounts people create.
const demoRecorder = "演示数据"

// loadDemoHelp gives the demo township a year of help: a cadre and
// measures for most monitored households (development measures where
// somebody can work, the safety net where nobody can), micro-loans for a
// share of 脱贫户 — some repaid, some overdue — and identification cases
// at different steps, one past its deadline.
func (a *App) loadDemoHelp(ctx context.Context, db *store.DB) (measures, loans, cases int, err error) {
	today := a.today()
	rng := rand.New(rand.NewPCG(20240601, 7))
	var hs []*monitor.Household
	for offset := 0; ; offset += 1000 {
		page, total, err := db.FindHouseholds(ctx, store.Everywhere, store.HouseholdFilter{Limit: 1000, Offset: offset})
		if err != nil {
			return 0, 0, 0, err
		}
		hs = append(hs, page...)
		if len(hs) >= total || len(page) == 0 {
			break
		}
	}
	for _, brief := range hs {
		h, err := db.FindHouseholdByCode(ctx, store.Everywhere, brief.Code)
		if err != nil {
			return 0, 0, 0, err
		}
		if h.Monitored() && !h.IdentifiedIn.IsZero() {
			start := h.IdentifiedIn.FirstDay().AddDays(10 + rng.IntN(20))
			c := demoCadres[rng.IntN(len(demoCadres))]
			c.From = h.IdentifiedIn.FirstDay()
			if err := db.SetCadre(ctx, store.Everywhere, h.Code, &c, "演示数据"); err != nil {
				return 0, 0, 0, err
			}
			if rng.IntN(100) < 85 && !today.Before(start) {
				for _, m := range demoMeasures(h, start, rng) {
					if err := db.CreateMeasure(ctx, store.Everywhere, &m, "演示数据"); err != nil {
						return 0, 0, 0, fmt.Errorf("演示措施：%w", err)
					}
					measures++
				}
			}
		}
		if (h.Type == monitor.TypeLifted || h.Monitored()) && rng.IntN(100) < 25 {
			if l, ok := demoLoan(h, today, rng); ok {
				if err := db.CreateLoan(ctx, store.Everywhere, &l, "演示数据"); err != nil {
					return 0, 0, 0, fmt.Errorf("演示贷款：%w", err)
				}
				loans++
			}
		}
	}
	// Identification cases for households flagged but not monitored.
	for _, brief := range hs {
		if cases >= 6 || brief.Monitored() {
			continue
		}
		h, _ := db.FindHouseholdByCode(ctx, store.Everywhere, brief.Code)
		if h == nil || len(h.Incomes) == 0 || h.Incomes[len(h.Incomes)-1].PerCapita >= monitor.Yuan(9000) {
			continue
		}
		opened := today.AddDays(-3 - 4*cases)
		c := &monitor.Case{HouseholdCode: h.Code, Kind: monitor.CaseInclusion, Channel: "基层干部排查", Category: monitor.CatEdge,
			Risks: []string{"因务工就业不稳"}, OpenedOn: opened, OpenedBy: "演示数据"}
		if err := watch.OpenCase(ctx, db, store.Everywhere, c, today); err != nil {
			continue
		}
		for i, step := range monitor.CaseSteps[:min(cases, 3)] {
			s := monitor.CaseStep{Step: step, DoneOn: opened.AddDays(i + 1), Person: demoCadres[i%len(demoCadres)].Name,
				RecordedBy: demoRecorder, RecordedRole: monitor.RoleVillage}
			if today.Before(s.DoneOn) {
				break
			}
			if _, err := watch.RecordStep(ctx, db, store.Everywhere, c.ID, s, "", today); err != nil {
				return 0, 0, 0, fmt.Errorf("演示案件：%w", err)
			}
		}
		cases++
	}
	return measures, loans, cases, nil
}

func demoMeasures(h *monitor.Household, start monitor.Date, rng *rand.Rand) []monitor.Measure {
	workers := 0
	for _, m := range h.Members {
		if m.CanWork() {
			workers++
		}
	}
	base := monitor.Measure{HouseholdCode: h.Code, Start: start, Status: monitor.MeasureInPlace}
	if workers == 0 {
		m := base
		m.Category, m.SubType, m.Amount = "综合保障", "低保", monitor.Yuan(int64(4000+rng.IntN(3000)))
		return []monitor.Measure{m}
	}
	kinds := []struct{ cat, sub string }{{"产业帮扶", "种养殖补助"}, {"就业帮扶", "技能培训"}, {"就业帮扶", "外出务工补贴"}, {"公益岗位帮扶", "护林员"}, {"健康帮扶", "医保参保资助"}}
	var out []monitor.Measure
	for _, i := range rng.Perm(len(kinds))[:1+rng.IntN(2)] {
		k := kinds[i]
		m := base
		m.Category, m.SubType = k.cat, k.sub
		switch k.cat {
		case "公益岗位帮扶":
			m.Months, m.Amount = 6+rng.IntN(7), monitor.Yuan(int64(500*(6+rng.IntN(7))))
		case "产业帮扶":
			m.Amount = monitor.Yuan(int64(1000 + 500*rng.IntN(8)))
		default:
			m.Amount = monitor.Yuan(int64(200 * (1 + rng.IntN(10))))
		}
		out = append(out, m)
	}
	return out
}

// demoLoan is a micro-loan to the head issued in the last four years:
// older ones partly repaid, a few of them overdue.
func demoLoan(h *monitor.Household, today monitor.Date, rng *rand.Rand) (monitor.Loan, bool) {
	if h.HeadIDNumber == "" {
		return monitor.Loan{}, false
	}
	issued := today.AddDays(-30 - rng.IntN(1400))
	l := monitor.Loan{HouseholdCode: h.Code, BorrowerIDNumber: h.HeadIDNumber, BorrowerName: h.HeadName, Relation: "户主",
		Product: monitor.ProductMicro, Bank: []string{"重庆农村商业银行南川支行", "中国邮政储蓄银行南川区支行"}[rng.IntN(2)],
		Amount: monitor.Yuan(int64(10000 * (1 + rng.IntN(5)))), TermMonths: 36, IssueDate: issued, RatePct: 3.45,
		Purpose: []string{"种植花椒", "养殖生猪", "种植优质稻", "青菜头种植加工"}[rng.IntN(4)], Mode: monitor.ModeInterestOnly}
	if l.Maturity().Before(today) {
		paid := l.Amount
		if rng.IntN(100) < 25 {
			paid = l.Amount / 2 // a partial repayment: overdue since maturity
		}
		l.Repayments = []monitor.Repayment{{Date: l.Maturity(), Principal: paid}}
	}
	return l, true
}
