package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
)

func (a *App) runHouseholds(ctx context.Context, args []string) error {
	fs, dsn := a.newFlags("households")
	var f store.HouseholdFilter
	fs.StringVar(&f.Township, "township", "", "乡镇/街道")
	fs.StringVar(&f.Village, "village", "", "村/社区")
	fs.StringVar(&f.Category, "category", "", "监测对象类别；any 表示全部监测对象")
	fs.StringVar(&f.Query, "q", "", "姓名、户编号或身份证号后几位")
	fs.IntVar(&f.Limit, "limit", 100, "最多显示多少户")
	asJSON := fs.Bool("json", false, "输出 JSON")
	if _, err := parseMixed(fs, args); err != nil {
		return usageError{err.Error()}
	}
	db, err := a.openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	hs, total, err := db.FindHouseholds(ctx, store.Everywhere, f)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(a.Stdout).Encode(map[string]any{"total": total, "items": hs})
	}
	fmt.Fprintf(a.Stdout, "共 %d 户（显示 %d 户）\n", total, len(hs))
	for _, h := range hs {
		cat := h.Category
		if cat == "" {
			cat = "—"
		}
		fmt.Fprintf(a.Stdout, "%-20s %s/%s/%s  户主 %s  %d人  %s  %s\n", h.Code, h.Township, h.Village, h.Group, h.HeadName, h.Size, h.Type, cat)
	}
	return nil
}

func (a *App) runHousehold(ctx context.Context, args []string) error {
	fs, dsn := a.newFlags("household")
	asJSON := fs.Bool("json", false, "输出 JSON")
	pos, err := parseMixed(fs, args)
	if err != nil {
		return usageError{err.Error()}
	}
	if len(pos) != 1 {
		return usageError{"household 需要一个户编号"}
	}
	db, err := a.openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	h, err := db.FindHouseholdByCode(ctx, store.Everywhere, pos[0])
	if err != nil {
		return err
	}
	changes, err := db.FindChanges(ctx, store.Everywhere, h.Code)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(a.Stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(struct {
			*monitor.Household
			Changes []monitor.Change `json:"changes"`
		}{h, changes})
	}
	w := a.Stdout
	fmt.Fprintf(w, "户编号 %s  %s/%s/%s  户主 %s  %d人  %s  监测对象类别：%s  识别监测时间：%s\n", h.Code, h.Township, h.Village, h.Group,
		h.HeadName, h.Size, h.Type, orDash(h.Category), orDash(h.IdentifiedIn.String()))
	fmt.Fprintf(w, "风险：%s  风险已消除：%v  住房安全问题：%v  饮水安全问题：%v  电话：%s\n", orDash(strings.Join(h.Risks, "、")), h.RiskEliminated, h.HousingUnsafe, h.WaterUnsafe, h.Phone)
	fmt.Fprintln(w, "成员：")
	for _, m := range h.Members {
		miss := ""
		if m.Missing {
			miss = "  【最近一次导入中缺失】"
		}
		fmt.Fprintf(w, "  %s  %s  %s  %s  %s  %s  %s%s\n", m.Name, monitor.MaskID(m.IDNumber), m.Relation, m.Sex, orDash(m.Health), orDash(m.LaborSkill), orDash(m.SchoolStatus), miss)
	}
	fmt.Fprintln(w, "收入：")
	for _, in := range h.Incomes {
		fmt.Fprintf(w, "  %d年 家庭纯收入 %s 元，人均 %s 元，合规自付支出 %s 元\n", in.Year, in.Net, in.PerCapita, in.MedicalOOP)
	}
	fmt.Fprintf(w, "变更记录（%d 条，最新在前）：\n", len(changes))
	for _, c := range changes {
		note := ""
		if c.Note != "" {
			note = "（" + c.Note + "）"
		}
		fmt.Fprintf(w, "  %s  %s  %s %s%s：%s → %s\n", c.At.Local().Format("2006-01-02 15:04"), c.Actor, c.EntityKey, c.Field, note, orDash(c.OldValue), orDash(c.NewValue))
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
