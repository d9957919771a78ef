package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/imports"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/watch"
	"github.com/shouwang/shouwang/rules"
)

// printRecordImport reports a loans, measures or cadres import in Chinese.
func (a *App) printRecordImport(rep *monitor.ImportReport, errorsOut string) {
	w := a.Stdout
	mode := ""
	if rep.DryRun {
		mode = "（试导入，只校验不写入）"
	}
	fmt.Fprintf(w, "文件：%s%s（%s）\n工作表：“%s”，表头在第 %s 行\n", rep.File, mode, imports.RecordKinds[rep.Kind], rep.Sheet, joinRows(rep.HeaderRows))
	unit, what := "条", "记录"
	var c *monitor.RecordCounts
	switch rep.Kind {
	case monitor.KindLoans:
		c, unit, what = rep.Loans, "笔", "贷款"
	case monitor.KindMeasures:
		c, what = rep.Measures, "帮扶措施"
	case monitor.KindCadres:
		c, what = rep.Cadres, "帮扶责任人"
	}
	if c == nil {
		c = &monitor.RecordCounts{}
	}
	fmt.Fprintf(w, "%s：文件中 %d %s —— 新增 %d，更新 %d，未变化 %d，拒绝 %d\n", what, c.InFile, unit, c.Created, c.Updated, c.Unchanged, c.Rejected)
	printIssues(w, "错误", rep.Errors, 50)
	printIssues(w, "警告", rep.Warnings, 20)
	switch {
	case rep.Committed:
		fmt.Fprintf(w, "结果：已写入（导入批次 %d）。\n", rep.ImportID)
	case rep.DryRun && len(rep.Errors) == 0:
		fmt.Fprintln(w, "结果：校验通过，未写入。去掉 --dry-run 即可正式导入。")
	case rep.DryRun:
		fmt.Fprintf(w, "结果：试导入发现 %d 条错误，未写入。\n", len(rep.Errors))
	default:
		fmt.Fprintf(w, "结果：未写入任何数据——有 %d 条错误（%d %s%s被拒绝）。请按上面的提示修改后重新导入，或加 --skip-invalid 只导入其余 %d %s。\n",
			len(rep.Errors), c.Rejected, unit, what, c.InFile-c.Rejected, unit)
	}
	if e := rep.Evaluation; e != nil {
		fmt.Fprintf(w, "已按 %s 重新评估所涉 %d 户：新增预警 %d，持续 %d，解除 %d\n", e.AsOf, e.Households, e.Opened, e.Kept, e.Closed)
	}
	if errorsOut != "" {
		fmt.Fprintf(w, "已生成标注错误的工作簿：%s（错误单元格标红并附批注，最后一列为“导入结果”）\n", errorsOut)
	}
}

// loanLine is one loan as `shouwang loans --json` prints it: amounts in
// yuan, dates as YYYY-MM-DD, figures as of --as-of.
type loanLine struct {
	HouseholdCode    string   `json:"household_code"`
	Township         string   `json:"township"`
	Village          string   `json:"village"`
	HeadName         string   `json:"head_name"`
	BorrowerName     string   `json:"borrower_name"`
	BorrowerIDNumber string   `json:"borrower_id_number"`
	Relation         string   `json:"relation"`
	Product          string   `json:"product"`
	Bank             string   `json:"bank"`
	Contract         string   `json:"contract"`
	AmountYuan       float64  `json:"amount_yuan"`
	TermMonths       int      `json:"term_months"`
	IssueDate        string   `json:"issue_date"`
	MaturityDate     string   `json:"maturity_date"` // the 展期 date when extended
	ExtendedTo       string   `json:"extended_to,omitempty"`
	RatePct          float64  `json:"rate_pct"`
	Mode             string   `json:"mode"`
	Status           string   `json:"status"` // as the ledger records it
	RepaidYuan       float64  `json:"repaid_yuan"`
	BalanceYuan      float64  `json:"balance_yuan"`
	DaysOverdue      int      `json:"days_overdue"`
	Bucket           string   `json:"bucket"`
	SubsidyYuan      float64  `json:"subsidy_yuan"` // 财政贴息 from 1 January of the as-of year to the as-of date
	Flags            []string `json:"flags"`
	flagNames        []string
	loan             *monitor.Loan
}

var productFlags = map[string]string{
	"micro": monitor.ProductMicro, "小额信贷": monitor.ProductMicro, monitor.ProductMicro: monitor.ProductMicro,
	"startup": monitor.ProductStartup, "创业担保": monitor.ProductStartup, monitor.ProductStartup: monitor.ProductStartup,
	"other": monitor.ProductOther, "其他": monitor.ProductOther, monitor.ProductOther: monitor.ProductOther,
}

func (a *App) runLoans(ctx context.Context, args []string) error {
	fs, dsn := a.newFlags("loans")
	var f store.LoanFilter
	fs.StringVar(&f.Township, "township", "", "乡镇（街道）")
	fs.StringVar(&f.Village, "village", "", "村（社区）")
	fs.StringVar(&f.HouseholdCode, "household", "", "户编号")
	fs.IntVar(&f.Year, "year", 0, "只列出该年放款的贷款，如 2022")
	product := fs.String("product", "", "贷款品种：micro（脱贫人口小额信贷）、startup（创业担保贷款）、other；默认全部")
	overdue := fs.Bool("overdue", false, "只列出逾期的贷款（逾期清单）")
	asOfText := fs.String("as-of", "", "计算余额、逾期和贴息的日期，如 2024-12-31（默认今天）")
	asJSON := fs.Bool("json", false, "输出 JSON 数组")
	if _, err := parseMixed(fs, args); err != nil {
		return usageError{err.Error()}
	}
	if *product != "" {
		p, ok := productFlags[*product]
		if !ok {
			return usageError{fmt.Sprintf("--product %q 无效，可用：micro、startup、other", *product)}
		}
		f.Product = p
	}
	if f.Year != 0 && (f.Year < 2000 || f.Year > 2100) {
		return usageError{fmt.Sprintf("--year %d 不是有效年份", f.Year)}
	}
	asOf, err := a.asOf(*asOfText)
	if err != nil {
		return err
	}
	db, err := a.openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	lines, err := loanLines(ctx, db, f, asOf)
	if err != nil {
		return err
	}
	if *overdue {
		kept := lines[:0]
		for _, l := range lines {
			if l.DaysOverdue > 0 {
				kept = append(kept, l)
			}
		}
		lines = kept
	}
	if *asJSON {
		enc := json.NewEncoder(a.Stdout)
		enc.SetEscapeHTML(false)
		if lines == nil {
			lines = []*loanLine{}
		}
		return enc.Encode(lines)
	}
	printLoans(a.Stdout, lines, asOf, f, *overdue)
	return nil
}

// loanLines lists the loans of f with their figures as of asOf and the loan
// rules (of the rule set in force) that fire for each.
func loanLines(ctx context.Context, db *store.DB, f store.LoanFilter, asOf monitor.Date) ([]*loanLine, error) {
	in, err := watch.InForce(ctx, db)
	if err != nil {
		return nil, err
	}
	loans, err := db.FindLoans(ctx, store.Everywhere, f)
	if err != nil {
		return nil, err
	}
	lines := make([]*loanLine, len(loans))
	byHousehold := map[int64][]*loanLine{}
	var ids []int64
	yearStart := monitor.Date{Year: asOf.Year, Month: 1, Day: 1}
	for i := range loans {
		r := &loans[i]
		l := &r.Loan
		cap := monitor.Money(0)
		if l.Product == monitor.ProductMicro {
			cap = monitor.Money(in.Config.Params.LoanCap * 100)
		}
		days := l.DaysOverdue(asOf)
		line := &loanLine{
			HouseholdCode: l.HouseholdCode, Township: r.Township, Village: r.Village, HeadName: r.HeadName,
			BorrowerName: l.BorrowerName, BorrowerIDNumber: l.BorrowerIDNumber, Relation: l.Relation,
			Product: l.Product, Bank: l.Bank, Contract: l.Contract, AmountYuan: l.Amount.Float(), TermMonths: l.TermMonths,
			IssueDate: l.IssueDate.String(), MaturityDate: l.Maturity().String(), ExtendedTo: l.ExtendedTo.String(),
			RatePct: l.RatePct, Mode: l.Mode, Status: l.Status, RepaidYuan: l.PrincipalPaid(asOf).Float(),
			BalanceYuan: l.Balance(asOf).Float(), DaysOverdue: days, Bucket: monitor.Bucket(days),
			SubsidyYuan: l.Subsidy(yearStart, asOf, in.Config.Subsidy, cap).Float(), Flags: []string{}, loan: l,
		}
		lines[i] = line
		if byHousehold[l.HouseholdID] == nil {
			ids = append(ids, l.HouseholdID)
		}
		byHousehold[l.HouseholdID] = append(byHousehold[l.HouseholdID], line)
	}
	if len(ids) == 0 {
		return lines, nil
	}
	ev := in.Set.NewEvaluator()
	var facts rules.Facts
	var hits []rules.Hit
	err = db.ForEachData(ctx, store.EvalScope{HouseholdIDs: ids}, func(d *store.HouseholdData) error {
		// ActiveMicroLoans counts all the household's loans, not only those
		// listed, so loan_multiple_active marks each of several.
		active := 0
		for i := range d.Loans {
			if d.Loans[i].Product == monitor.ProductMicro && d.Loans[i].Active(asOf) {
				active++
			}
		}
		h := d.Household
		for _, line := range byHousehold[h.ID] {
			lf := rules.LoanFactsOf(line.loan, asOf)
			rules.BuildFacts(&facts, h, asOf, rules.Inputs{
				Line: in.Config.LineFor(h.Code, rules.IncomeYear(h, asOf)), Params: in.Config.Params,
				Measures: d.Measures, Loans: []rules.LoanFacts{lf}, Dept: d.Dept,
			})
			if lf.MicroLoan && lf.Active {
				facts.ActiveMicroLoans = active
			}
			hits = ev.Evaluate(&facts, hits[:0])
			for _, x := range hits {
				if x.Kind == "loan" {
					line.Flags = append(line.Flags, x.Code)
					line.flagNames = append(line.flagNames, x.Name)
				}
			}
		}
		return nil
	})
	return lines, err
}

// printLoans writes the ledger as a table with its totals.
func printLoans(w io.Writer, lines []*loanLine, asOf monitor.Date, f store.LoanFilter, overdue bool) {
	title := "小额信贷台账"
	if overdue {
		title = "逾期贷款清单"
	}
	var scope []string
	for _, s := range []string{f.Township, f.Village, f.HouseholdCode, f.Product} {
		if s != "" {
			scope = append(scope, s)
		}
	}
	if f.Year != 0 {
		scope = append(scope, fmt.Sprintf("%d年放款", f.Year))
	}
	if len(scope) > 0 {
		title += "（" + strings.Join(scope, "，") + "）"
	}
	fmt.Fprintf(w, "%s，截至 %s\n", title, asOf)
	if len(lines) == 0 {
		fmt.Fprintln(w, "没有符合条件的贷款。")
		return
	}
	cols := []struct {
		head  string
		width int
		right bool
	}{{"户编号", 18, false}, {"村（社区）", 12, false}, {"贷款人", 8, false}, {"身份证号", 18, false}, {"金额(元)", 10, true},
		{"放款日期", 10, false}, {"到期日期", 10, false}, {"余额(元)", 10, true}, {"逾期天数", 8, true}, {"预警", 0, false}}
	row := func(cells ...string) {
		var b strings.Builder
		for i, c := range cols {
			if i > 0 {
				b.WriteString("  ")
			}
			b.WriteString(pad(cells[i], c.width, c.right))
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	heads := make([]string, len(cols))
	for i, c := range cols {
		heads[i] = c.head
	}
	row(heads...)
	var amount, balance, overdueBal, subsidy float64
	var nOverdue int
	households := map[string]bool{}
	loans := make([]monitor.Loan, len(lines))
	for i, l := range lines {
		days := ""
		if l.DaysOverdue > 0 {
			days = fmt.Sprint(l.DaysOverdue)
			nOverdue++
			overdueBal += l.BalanceYuan
		}
		row(l.HouseholdCode, l.Village, l.BorrowerName, monitor.MaskID(l.BorrowerIDNumber), yuanText(l.AmountYuan),
			l.IssueDate, l.MaturityDate, yuanText(l.BalanceYuan), days, strings.Join(l.flagNames, "、"))
		amount += l.AmountYuan
		balance += l.BalanceYuan
		subsidy += l.SubsidyYuan
		households[l.HouseholdCode] = true
		loans[i] = *l.loan
	}
	_, _, par30 := monitor.PAR(loans, asOf, 30)
	_, _, par90 := monitor.PAR(loans, asOf, 90)
	fmt.Fprintf(w, "合计：%d 笔，%d 户，贷款金额 %s 元，余额 %s 元；逾期 %d 笔，逾期余额 %s 元；PAR30 %.2f%%，PAR90 %.2f%%；%d 年贴息（截至 %s）%s 元\n",
		len(lines), len(households), yuanText(amount), yuanText(balance), nOverdue, yuanText(overdueBal), par30*100, par90*100, asOf.Year, asOf, yuanText(subsidy))
}

// yuanText formats yuan with thousands separators: 2,300,000 or 1,234.50.
func yuanText(v float64) string {
	fen := int64(v*100 + 0.5)
	if v < 0 {
		fen = int64(v*100 - 0.5)
	}
	s := monitor.Money(fen).String()
	s = strings.TrimSuffix(s, ".00")
	intPart, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(intPart, "-")
	intPart = strings.TrimPrefix(intPart, "-")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// pad fills s to width display columns (a Chinese character takes two).
func pad(s string, width int, right bool) string {
	n := 0
	for _, r := range s {
		if r >= 0x1100 && (r <= 0x115f || (r >= 0x2e80 && r <= 0xa4cf) || (r >= 0xac00 && r <= 0xd7a3) || (r >= 0xf900 && r <= 0xfaff) || (r >= 0xff00 && r <= 0xff60)) {
			n += 2
		} else {
			n++
		}
	}
	if n >= width {
		return s
	}
	fill := strings.Repeat(" ", width-n)
	if right {
		return fill + s
	}
	return s + fill
}
