package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/watch"
)

// dateFlag parses --as-of, defaulting to today.
func (a *App) asOf(s string) (monitor.Date, error) {
	if s == "" {
		return a.today(), nil
	}
	d, monthOnly, err := monitor.ParseDateText(s)
	if err != nil || monthOnly {
		return monitor.Date{}, usageError{fmt.Sprintf("--as-of %q 不是日期，请写作 2022-12-31", s)}
	}
	return d, nil
}

func (a *App) runEvaluate(ctx context.Context, args []string) error {
	fs, dsn := a.newFlags("evaluate")
	asOfText := fs.String("as-of", "", "评估日期（默认今天），如 2022-12-31")
	village := fs.String("village", "", "只评估这个村（社区）")
	township := fs.String("township", "", "只评估这个乡镇（街道）")
	asJSON := fs.Bool("json", false, "输出 JSON")
	wait := fs.Duration("wait", store.DefaultEvalWait, "另一项评估正在进行时，等待其结束的最长时间（如 30s、5m）")
	if _, err := parseMixed(fs, args); err != nil {
		return usageError{err.Error()}
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
	counts, err := watch.EvaluateWaiting(ctx, db, asOf, store.EvalScope{Township: *township, Village: *village}, *wait)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(a.Stdout).Encode(counts)
	}
	fmt.Fprintf(a.Stdout, "评估日期 %s，规则版本 %d：评估 %d 户；新增预警 %d，持续 %d，解除 %d\n",
		counts.AsOf, counts.ConfigVersion, counts.Households, counts.Opened, counts.Kept, counts.Closed)
	codes := make([]string, 0, len(counts.OpenByRule))
	for c := range counts.OpenByRule {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	fmt.Fprintln(a.Stdout, "当前未解除的预警（按规则）：")
	for _, c := range codes {
		fmt.Fprintf(a.Stdout, "  %-28s %d\n", c, counts.OpenByRule[c])
	}
	return nil
}

func (a *App) runFlags(ctx context.Context, args []string) error {
	fs, dsn := a.newFlags("flags")
	var f store.FlagFilter
	fs.StringVar(&f.Status, "status", "open", "open（未解除）、closed（已解除）或 all")
	fs.StringVar(&f.Township, "township", "", "乡镇（街道）")
	fs.StringVar(&f.Village, "village", "", "村（社区）")
	fs.StringVar(&f.HouseholdCode, "household", "", "户编号")
	fs.StringVar(&f.RuleCode, "rule", "", "规则代码")
	asJSON := fs.Bool("json", false, "输出 JSON 数组")
	if _, err := parseMixed(fs, args); err != nil {
		return usageError{err.Error()}
	}
	db, err := a.openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	flags, total, err := db.FindFlags(ctx, store.Everywhere, f)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(a.Stdout)
		enc.SetEscapeHTML(false)
		if flags == nil {
			flags = []monitor.Flag{}
		}
		return enc.Encode(flags)
	}
	fmt.Fprintf(a.Stdout, "共 %d 条预警\n", total)
	for _, x := range flags {
		status := "未解除"
		if x.Status == monitor.FlagClosed {
			status = "已解除 " + x.ClosedOn.String()
		}
		fmt.Fprintf(a.Stdout, "%s %s/%s 户主 %s  [%s] %s（%s）%s  首次 %s 最近 %s  %s\n", x.HouseholdCode, x.Township, x.Village, x.HeadName,
			x.RuleCode, x.RuleName, x.RiskType, strings.TrimSpace(x.Explanation), x.FirstSeen, x.LastSeen, status)
	}
	return nil
}
