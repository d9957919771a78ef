package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/watch"
)

const caseUsage = `shouwang case open CODE --kind inclusion|elimination [--channel 基层干部排查] [--category 边缘易致贫户] [--risks 因病,因学]
                   [--method 帮扶消除|自然消除] [--emergency] [--date 2023-03-01] [--by 经办人] [--note …] [--override-reason …]
shouwang case step ID --step 入户核实 --date 2023-03-02 --by 经办人 [--note …] [--notice-start D --notice-end D] [--override-reason …]
shouwang case list [--status open|done|cancelled|all] [--overdue] [--village V] [--household CODE] [--as-of D] [--json]
shouwang case show ID [--json]
shouwang case cancel ID --reason …`

func (a *App) runCase(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError{caseUsage}
	}
	fs, dsn := a.newFlags("case " + args[0])
	var (
		kind     = fs.String("kind", "", "inclusion（识别纳入）或 elimination（风险消除）")
		channel  = fs.String("channel", "基层干部排查", "识别渠道："+strings.Join(monitor.CaseChannels, "、"))
		category = fs.String("category", "", "纳入时的监测对象类别")
		risks    = fs.String("risks", "", "风险类型，用逗号或顿号分隔")
		method   = fs.String("method", "", "风险消除方式：帮扶消除 或 自然消除")
		emerg    = fs.Bool("emergency", false, "先帮扶后认定：开启即纳入监测")
		date     = fs.String("date", "", "日期（默认今天）")
		by       = fs.String("by", "", "经办人")
		note     = fs.String("note", "", "备注")
		override = fs.String("override-reason", "", "不符合条件仍须办理时，有权限人员填写的理由")
		step     = fs.String("step", "", "步骤："+strings.Join(monitor.CaseSteps, "、"))
		nStart   = fs.String("notice-start", "", "公示开始日期")
		nEnd     = fs.String("notice-end", "", "公示结束日期")
		status   = fs.String("status", "", "open、done、cancelled 或 all")
		overdue  = fs.Bool("overdue", false, "只列出超过时限的案件")
		village  = fs.String("village", "", "村（社区）")
		code     = fs.String("household", "", "户编号")
		asOfText = fs.String("as-of", "", "判断超期的日期（默认今天）")
		reason   = fs.String("reason", "", "撤销原因")
		asJSON   = fs.Bool("json", false, "输出 JSON")
	)
	pos, err := parseMixed(fs, args[1:])
	if err != nil {
		return usageError{err.Error()}
	}
	db, err := a.openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	day := func(s string) (monitor.Date, error) {
		if s == "" {
			return monitor.Date{}, nil
		}
		return a.asOf(s)
	}
	id := func() (int64, error) {
		if len(pos) != 1 {
			return 0, usageError{"请给出案件编号"}
		}
		n, err := strconv.ParseInt(pos[0], 10, 64)
		if err != nil {
			return 0, usageError{fmt.Sprintf("案件编号 %q 应为数字", pos[0])}
		}
		return n, nil
	}
	switch args[0] {
	case "open":
		if len(pos) != 1 {
			return usageError{"case open 需要一个户编号"}
		}
		opened, err := day(*date)
		if err != nil {
			return err
		}
		rs, bad := monitor.ParseRisks(*risks)
		if len(bad) > 0 {
			return usageError{fmt.Sprintf("风险 %v 不在官方风险类型中：%s", bad, strings.Join(monitor.Risks, "、"))}
		}
		c := &monitor.Case{HouseholdCode: pos[0], Kind: *kind, Channel: *channel, Category: *category, Risks: rs, Method: *method,
			Emergency: *emerg, OpenedOn: opened, OpenedBy: orDefault(*by, a.actor()), Note: *note, OverrideReason: *override}
		if err := watch.OpenCase(ctx, db, store.Everywhere, c, a.today()); err != nil {
			return err
		}
		return a.printCase(c, *asJSON)
	case "step":
		n, err := id()
		if err != nil {
			return err
		}
		s := monitor.CaseStep{Step: *step, Person: *by, Note: *note, RecordedBy: a.actor()}
		if s.DoneOn, err = day(*date); err != nil {
			return err
		}
		if s.DoneOn.IsZero() {
			s.DoneOn = a.today()
		}
		if s.NoticeStart, err = day(*nStart); err != nil {
			return err
		}
		if s.NoticeEnd, err = day(*nEnd); err != nil {
			return err
		}
		c, err := watch.RecordStep(ctx, db, store.Everywhere, n, s, *override, a.today())
		if err != nil {
			return err
		}
		return a.printCase(c, *asJSON)
	case "show":
		n, err := id()
		if err != nil {
			return err
		}
		c, err := db.FindCase(ctx, store.Everywhere, n)
		if err != nil {
			return err
		}
		c.Overdue = c.OverdueOn(a.today())
		return a.printCase(c, *asJSON)
	case "cancel":
		n, err := id()
		if err != nil {
			return err
		}
		if *reason == "" {
			return usageError{"撤销案件须填写 --reason"}
		}
		if err := db.CancelCase(ctx, store.Everywhere, n, a.today(), *reason); err != nil {
			return err
		}
		fmt.Fprintf(a.Stdout, "案件 %d 已撤销\n", n)
		return nil
	case "list":
		asOf, err := a.asOf(*asOfText)
		if err != nil {
			return err
		}
		f := store.CaseFilter{Status: *status, Village: *village, HouseholdCode: *code}
		if *overdue {
			f.OverdueOn = asOf
		}
		cs, err := db.FindCases(ctx, store.Everywhere, f, asOf)
		if err != nil {
			return err
		}
		if *asJSON {
			if cs == nil {
				cs = []monitor.Case{}
			}
			return json.NewEncoder(a.Stdout).Encode(cs)
		}
		fmt.Fprintf(a.Stdout, "共 %d 件\n", len(cs))
		for _, c := range cs {
			late := ""
			if c.Overdue {
				late = "【已超期】"
			}
			fmt.Fprintf(a.Stdout, "#%d %s %s/%s 户主 %s %s 已完成 %d/%d 步，下一步：%s，时限 %s %s\n", c.ID, c.HouseholdCode, c.Township, c.Village,
				c.HeadName, c.Describe(), c.Step, len(monitor.CaseSteps), orDash(c.NextStep()), c.DueOn, late)
		}
		return nil
	}
	return usageError{caseUsage}
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func (a *App) printCase(c *monitor.Case, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(a.Stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(c)
	}
	w := a.Stdout
	status := map[string]string{monitor.CaseOpen: "办理中", monitor.CaseDone: "已办结", monitor.CaseCancelled: "已撤销"}[c.Status]
	fmt.Fprintf(w, "案件 #%d  户编号 %s  %s  %s  开始 %s  时限 %s", c.ID, c.HouseholdCode, c.Describe(), status, c.OpenedOn, c.DueOn)
	if c.Overdue {
		fmt.Fprint(w, "【已超期】")
	}
	fmt.Fprintln(w)
	for _, s := range c.Steps {
		extra := ""
		if s.Step == monitor.StepNotice {
			extra = fmt.Sprintf("（公示 %s 至 %s）", s.NoticeStart, s.NoticeEnd)
		}
		fmt.Fprintf(w, "  ✓ %s  %s  %s%s %s\n", s.Step, s.DoneOn, s.Person, extra, s.Note)
	}
	if next := c.NextStep(); next != "" && c.Status == monitor.CaseOpen {
		fmt.Fprintf(w, "  下一步：%s\n", next)
	}
	if c.OverrideReason != "" {
		fmt.Fprintf(w, "  特批理由：%s\n", c.OverrideReason)
	}
	return nil
}
