package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/watch"
	"github.com/shouwang/shouwang/synth"
)

// demoConfig is the generated township of serve --demo: one 街道, six
// villages, about 600 households.
var demoConfig = synth.Config{Seed: 20240601, Households: 600, Townships: []string{"东城街道"}, VillagesPer: 6}

// loadDemo fills an empty registry with a generated township, written
// through the same import as a roster, and evaluates it as of today so the
// dashboard has flags. A registry that has households is left alone.
// Measures, cadres, loans and cases follow (loadDemoHelp), so every page
// has something to show.
func (a *App) loadDemo(ctx context.Context, db *store.DB, log *slog.Logger) error {
	n, _, err := db.CountRegistry(ctx)
	if err != nil || n > 0 {
		if n > 0 {
			log.Info("数据库中已有农户，不载入演示数据", "households", n)
		}
		return err
	}
	cfg := demoConfig
	cfg.Year = a.today().Year - 1
	hs := synth.Households(cfg)
	batch := make([]monitor.ImportHousehold, len(hs))
	row := 1
	for i, h := range hs {
		rows := make([]int, len(h.Members))
		for j := range rows {
			row++
			rows[j] = row
		}
		batch[i] = monitor.ImportHousehold{Household: h, Row: rows[0], MemberRows: rows}
	}
	rep := &monitor.ImportReport{File: "演示数据", Kind: monitor.KindHouseholds, Errors: []monitor.Issue{}, Warnings: []monitor.Issue{},
		Households: monitor.HouseholdCounts{InFile: len(hs)}, IncomeYear: cfg.Year}
	if err := db.ImportHouseholds(ctx, rep, batch, store.ImportOptions{FileName: "演示数据（synth）", Actor: "演示数据", Year: cfg.Year}); err != nil {
		return fmt.Errorf("载入演示数据：%w", err)
	}
	measures, loans, cases, err := a.loadDemoHelp(ctx, db)
	if err != nil {
		return fmt.Errorf("载入演示帮扶数据：%w", err)
	}
	ev, err := watch.Evaluate(ctx, db, a.today(), store.EvalScope{})
	if err != nil {
		return fmt.Errorf("评估演示数据：%w", err)
	}
	fmt.Fprintf(a.Stdout, "演示数据：已生成 %s %d 户、帮扶措施 %d 项、小额信贷 %d 笔、办理中的识别案件 %d 件，按 %s 评估，未解除的预警 %d 条。\n",
		cfg.Townships[0], rep.Households.Created, measures, loans, cases, ev.AsOf, ev.Opened+ev.Kept)
	return nil
}
