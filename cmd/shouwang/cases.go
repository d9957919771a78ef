package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/watch"
)

const caseUsage = `shouwang case open CODE --kind inclusion|elimination [--channel 基层干部排查] [--category 边缘易致贫户] [--risks 因病,因学]
                   [--method 帮扶消除|自然消除] [--emergency] [--date 2023-03-01] [--by 经办人] [--note …] [--override-reason …] [--as 账号]
shouwang case step ID --step 入户核实 --date 2023-03-02 --by 经办人 [--note …] [--notice-start D --notice-end D] [--override-reason …] [--as 账号]
shouwang case list [--status open|done|cancelled|all] [--overdue] [--village V] [--household CODE] [--as-of D] [--json] [--as 账号]
shouwang case show ID [--json] [--as 账号]
shouwang case cancel ID --reason … [--as 账号]

--as 账号：以该账号办理（默认 admin），用其角色和数据范围；案件步骤记为该账号录入，--by 是经办人。
入户核实、信息比对、民主评议、公示：村级及以上账号；乡镇审核：乡镇（街道）、区县或管理员账号；
县级审定：区县或管理员账号；同一账号不能既办理乡镇审核又办理县级审定。无权办理时退出码为 3。`

func (a *App) runCase(ctx context.Context, args []string) error {
	if len(args) == 0 || !slices.Contains([]string{"open", "step", "list", "show", "cancel"}, args[0]) {
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
		as       = fs.String("as", "admin", "以哪个账号办理（用其角色和数据范围）")
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
	u, err := actingUser(ctx, db, *as)
	if err != nil {
		return err
	}
	scope := u.Scope()
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
		if *override != "" {
			if err := monitor.CheckOverride(u.Role); err != nil {
				return err
			}
		}
		c := &monitor.Case{HouseholdCode: pos[0], Kind: *kind, Channel: *channel, Category: *category, Risks: rs, Method: *method,
			Emergency: *emerg, OpenedOn: opened, OpenedBy: u.Username, Note: withPerson(*note, *by), OverrideReason: *override}
		if err := watch.OpenCase(ctx, db, scope, c, a.today()); err != nil {
			return err
		}
		return a.printCase(c, *asJSON)
	case "step":
		n, err := id()
		if err != nil {
			return err
		}
		s := monitor.CaseStep{Step: *step, Person: *by, Note: *note, RecordedBy: u.Username, RecordedRole: u.Role}
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
		c, err := watch.RecordStep(ctx, db, scope, n, s, *override, a.today())
		if err != nil {
			return err
		}
		return a.printCase(c, *asJSON)
	case "show":
		n, err := id()
		if err != nil {
			return err
		}
		c, err := db.FindCase(ctx, scope, n)
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
		if err := db.CancelCase(ctx, scope, n, a.today(), *reason); err != nil {
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
		cs, err := db.FindCases(ctx, scope, f, asOf)
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

// actingUser is the account a case command acts as (--as): it must exist
// and be enabled, as on the web.
func actingUser(ctx context.Context, db *store.DB, name string) (*store.User, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, usageError{"--as 须给出账号名，如 --as admin"}
	}
	u, err := db.FindUserByName(ctx, name)
	if monitor.ErrorCode(err) == monitor.ENOTFOUND {
		return nil, monitor.Errorf(monitor.ENOTFOUND, "账号 %s 不存在：--as 须为已有账号（shouwang user list 查看，shouwang user add 创建）", name)
	} else if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, monitor.Errorf(monitor.EFORBIDDEN, "账号 %s 已停用，不能以其办理案件", u.Username)
	}
	return u, nil
}

// withPerson keeps the named person of an opening (--by) in the case's
// note: the case's opener is the account.
func withPerson(note, person string) string {
	if person = strings.TrimSpace(person); person == "" {
		return note
	}
	return strings.TrimSpace("经办人：" + person + " " + note)
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
		by := s.RecordedBy
		if r := monitor.RoleNames[s.RecordedRole]; r != "" {
			by += "，" + r
		}
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("  ✓ %s  %s  经办人 %s%s（录入账号 %s） %s", s.Step, s.DoneOn, s.Person, extra, orDash(by), s.Note), " "))
	}
	if next := c.NextStep(); next != "" && c.Status == monitor.CaseOpen {
		fmt.Fprintf(w, "  下一步：%s（须由%s办理）\n", next, monitor.StepRecorders(next))
	}
	if c.OverrideReason != "" {
		fmt.Fprintf(w, "  特批理由：%s\n", c.OverrideReason)
	}
	return nil
}
