package main

import (
	"context"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/watch"
	"github.com/shouwang/shouwang/reports"
)

// reportKind is one report `shouwang report` writes.
type reportKind struct {
	name, title string
	aliases     []string
	flat        bool // may be written as CSV
	hasIDs      bool // shows ID numbers, masked unless asked
}

var reportKinds = []reportKind{
	{"roster", "监测对象花名册", []string{"花名册"}, true, true},
	{"flags", "风险预警清单", []string{"预警清单"}, true, false},
	{"notice", "公示名单", nil, false, false},
	{"measures", "帮扶措施台账", []string{"措施台账"}, true, true},
	{"loans", "小额信贷台账", []string{"信贷台账"}, true, true},
	{"summary", "统计汇总表", nil, false, false},
	{"yearly", "年度工作统计", []string{"年度统计"}, false, false},
}

// findReport finds a report by its English or Chinese name.
func findReport(name string) (reportKind, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	for _, k := range reportKinds {
		if name == k.name || name == k.title || slices.Contains(k.aliases, name) {
			return k, true
		}
	}
	return reportKind{}, false
}

func reportNames() string {
	var ns []string
	for _, k := range reportKinds {
		ns = append(ns, k.name+"（"+k.title+"）")
	}
	return strings.Join(ns, "、")
}

const reportUsage = "report NAME [--year Y] [--as-of DATE] [--township T] [--village V] [--all] [--unmask] [--template FILE.xlsx] -o FILE.xlsx|FILE.csv"

func (a *App) runReport(ctx context.Context, args []string) error {
	fs, dsn := a.newFlags("report")
	var f store.ReportFilter
	fs.StringVar(&f.Township, "township", "", "乡镇（街道）")
	fs.StringVar(&f.Village, "village", "", "村（社区）")
	fs.IntVar(&f.Year, "year", 0, "统计年度（默认 --as-of 所在年份）")
	fs.BoolVar(&f.All, "all", false, "花名册列出全部农户（默认只列监测对象）；预警清单含已关闭的预警")
	asOfText := fs.String("as-of", "", "数据截至日期，如 2022-12-31（默认今天）")
	unmask := fs.Bool("unmask", false, "身份证号显示完整号码（默认脱敏）")
	template := fs.String("template", "", "统计汇总表：填入这个模板（.xlsx）")
	out := fs.String("o", "", "输出文件：.xlsx，或 .csv（花名册、预警清单、措施台账、信贷台账）")
	pos, err := parseMixed(fs, args)
	if err != nil {
		return usageError{err.Error()}
	}
	if len(pos) != 1 {
		return usageError{reportUsage + "\n报表：" + reportNames()}
	}
	kind, ok := findReport(pos[0])
	if !ok {
		return usageError{fmt.Sprintf("未知报表 %q，可用：%s", pos[0], reportNames())}
	}
	if *out == "" {
		return usageError{"请用 -o 指定输出文件，如 -o " + kind.title + ".xlsx"}
	}
	format := reports.XLSX
	switch ext := strings.ToLower(filepath.Ext(*out)); {
	case ext == ".csv" && kind.flat:
		format = reports.CSV
	case ext == ".csv":
		return usageError{fmt.Sprintf("%s只能导出为 Excel 工作簿：请把 -o 的扩展名改为 .xlsx（CSV 只用于花名册、预警清单、措施台账和信贷台账）", kind.title)}
	case ext != ".xlsx":
		return usageError{fmt.Sprintf("-o %s：输出文件的扩展名应为 .xlsx 或 .csv", *out)}
	}
	if *template != "" && kind.name != "summary" {
		return usageError{"--template 只用于统计汇总表（summary）"}
	}
	if f.AsOf, err = a.asOf(*asOfText); err != nil {
		return err
	}
	if f.Year == 0 {
		f.Year = f.AsOf.Year
	} else if f.Year < 2000 || f.Year > 2100 {
		return usageError{fmt.Sprintf("--year %d 不是有效年份", f.Year)}
	}
	db, err := a.openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	place, err := db.ReportPlace(ctx, store.Everywhere, &f)
	if err != nil {
		return err
	}
	m := reports.Meta{Place: place, AsOf: f.AsOf, Year: f.Year, GeneratedBy: a.reportAuthor(), Unmask: *unmask, Format: format}

	tmp, err := os.CreateTemp(filepath.Dir(*out), ".shouwang-report-*")
	if err != nil {
		return monitor.Errorf(monitor.EINVALID, "无法写入 %s：%v", *out, err)
	}
	defer os.Remove(tmp.Name())
	got, err := a.writeReport(ctx, db, kind, f, m, *template, tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return monitor.Errorf(monitor.EINVALID, "无法写入 %s：%v", *out, err)
	}
	switch {
	case !kind.hasIDs:
	case *unmask:
		got += "，身份证号未脱敏（含完整号码，注意保密）"
	default:
		got += "，身份证号已脱敏"
	}
	fmt.Fprintf(a.Stdout, "已生成%s%s（截至 %s，%d 年度）：%s → %s\n", place, kind.title, f.AsOf, f.Year, got, *out)
	return nil
}

// writeReport writes one report to w and says what it holds ("46 户 128 人").
func (a *App) writeReport(ctx context.Context, db *store.DB, kind reportKind, f store.ReportFilter, m reports.Meta, template string, w io.Writer) (string, error) {
	scope := store.Everywhere
	switch kind.name {
	case "roster":
		var hh, people int
		rows := counted(db.RosterRows(ctx, scope, f), func(r reports.RosterHousehold) { hh, people = hh+1, people+len(r.H.Members) })
		err := reports.Roster(w, m, rows)
		return fmt.Sprintf("%d 户 %d 人", hh, people), err
	case "flags":
		n := 0
		rows := counted(db.FlagRows(ctx, scope, f), func(monitor.Flag) { n++ })
		err := reports.Flags(w, m, rows)
		return fmt.Sprintf("%d 条预警", n), err
	case "notice":
		es, err := db.NoticeEntries(ctx, scope, f)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%d 户", len(es)), reports.Notice(w, m, monitor.Date{}, monitor.Date{}, es)
	case "measures":
		s, err := db.ReportStats(ctx, scope, f)
		if err != nil {
			return "", err
		}
		n := 0
		rows := counted(db.MeasureRows(ctx, scope, f), func(reports.MeasureRow) { n++ })
		err = reports.Measures(w, m, rows, s.Coverage())
		return fmt.Sprintf("%d 项措施", n), err
	case "loans":
		in, err := watch.InForce(ctx, db)
		if err != nil {
			return "", err
		}
		f.Subsidy = in.Config.Subsidy
		n, overdue := 0, 0
		rows := counted(db.LoanRows(ctx, scope, f), func(r reports.LoanRow) {
			n++
			if r.Loan.DaysOverdue(f.AsOf) > 0 {
				overdue++
			}
		})
		err = reports.Loans(w, m, rows)
		return fmt.Sprintf("%d 笔贷款（逾期 %d 笔）", n, overdue), err
	case "summary":
		s, err := db.ReportStats(ctx, scope, f)
		if err != nil {
			return "", err
		}
		got := fmt.Sprintf("%d 个村（社区）", len(s.Villages))
		if template == "" {
			return got, reports.Summary(w, m, s)
		}
		t, err := os.Open(template)
		if err != nil {
			return "", monitor.Errorf(monitor.EINVALID, "无法读取模板 %s：%v", template, err)
		}
		defer t.Close()
		warnings, err := reports.FillTemplate(w, t, m, s)
		for _, warn := range warnings {
			fmt.Fprintln(a.Stderr, "模板提示：", warn)
		}
		return got + "，已填入模板 " + filepath.Base(template), err
	case "yearly":
		y, err := db.YearFigures(ctx, scope, f)
		if err != nil {
			return "", err
		}
		items := 5 // 新识别, 风险消除, two kinds of loans, 公益性岗位; then each category helped
		for c, n := range y.MeasuresByCategory {
			if c != "" && n > 0 {
				items++
			}
		}
		return fmt.Sprintf("%d 项工作成效（如“%s”）", items, reports.YearlySentence("发放扶贫小额信贷", y.MicroLoanHouseholds, y.MicroLoanAmount)),
			reports.Yearly(w, m, y)
	}
	return "", monitor.Errorf(monitor.EINVALID, "未知报表 %q", kind.name)
}

// counted passes rows through, calling see on each.
func counted[T any](rows iter.Seq2[T, error], see func(T)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for r, err := range rows {
			if err == nil {
				see(r)
			}
			if !yield(r, err) {
				return
			}
		}
	}
}

// reportAuthor is the 制表人 of a workbook made on the command line.
func (a *App) reportAuthor() string {
	if u := a.Getenv("SHOUWANG_USER"); u != "" {
		return u
	}
	return a.Getenv("USER")
}
