package store_test

import (
	"context"
	"testing"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/store/storetest"
)

func importMeasures(t *testing.T, db *store.DB, opt store.ImportOptions, batch ...store.MeasureImport) *monitor.ImportReport {
	t.Helper()
	rep := &monitor.ImportReport{Kind: monitor.KindMeasures, Measures: &monitor.RecordCounts{InFile: len(batch)}}
	opt.Actor, opt.Sheet = "测试", "措施"
	if err := db.ImportMeasures(context.Background(), rep, batch, opt); err != nil {
		t.Fatal(err)
	}
	return rep
}

func importCadres(t *testing.T, db *store.DB, opt store.ImportOptions, batch ...store.CadreImport) *monitor.ImportReport {
	t.Helper()
	rep := &monitor.ImportReport{Kind: monitor.KindCadres, Cadres: &monitor.RecordCounts{InFile: len(batch)}}
	opt.Actor, opt.Sheet = "测试", "名单"
	if err := db.ImportCadres(context.Background(), rep, batch, opt); err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestImportMeasures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seedHouseholds(t, db)
		industry := store.MeasureImport{Row: 3, KeyColumn: "户编号", Measure: monitor.Measure{HouseholdCode: "1001", Category: "产业帮扶", SubType: "种植补助",
			Start: day(2023, 3, 1), Amount: monitor.Yuan(2000), Status: monitor.MeasureInPlace}}
		training := store.MeasureImport{Row: 4, KeyColumn: "户主身份证号", HeadIDNumber: idTianYu, Measure: monitor.Measure{Category: "就业帮扶", SubType: "技能培训",
			MemberID: idXiangXa, Start: day(2023, 4, 1), Status: monitor.MeasurePlanned}}
		unknown := store.MeasureImport{Row: 5, KeyColumn: "户编号", Measure: monitor.Measure{HouseholdCode: "9999", Category: "产业帮扶", Status: monitor.MeasureInPlace}}

		t.Run("ErrHouseholdNotFoundWritesNothing", func(t *testing.T) {
			rep := importMeasures(t, db, store.ImportOptions{}, industry, training, unknown)
			if rep.Committed || !hasIssue(rep.Errors, store.CodeHouseholdNotFound, 5) || rep.Measures.Rejected != 1 {
				t.Fatalf("committed %v errors %v counts %+v", rep.Committed, rep.Errors, rep.Measures)
			}
			if ms, _ := db.FindMeasures(ctx, store.Everywhere, store.MeasureFilter{}); len(ms) != 0 {
				t.Fatalf("wrote %d measures", len(ms))
			}
		})
		t.Run("SkipInvalid", func(t *testing.T) {
			rep := importMeasures(t, db, store.ImportOptions{SkipInvalid: true}, industry, training, unknown)
			if !rep.Committed || rep.Measures.Created != 2 || len(rep.Touched) != 2 {
				t.Fatalf("counts %+v touched %v errors %v", rep.Measures, rep.Touched, rep.Errors)
			}
			if !hasIssue(rep.Warnings, "member_not_in_household", 4) {
				t.Fatalf("向霞 is of 1001, not 1002: warnings %v", rep.Warnings)
			}
			ms, err := db.FindMeasures(ctx, store.Everywhere, store.MeasureFilter{HouseholdCode: "1002"})
			if err != nil || len(ms) != 1 || ms[0].Category != "就业帮扶" || ms[0].HouseholdCode != "1002" {
				t.Fatalf("measures of 1002 = %+v (%v)", ms, err)
			}
		})
		t.Run("ReimportUnchanged", func(t *testing.T) {
			rep := importMeasures(t, db, store.ImportOptions{}, industry, training)
			if got, want := *rep.Measures, (monitor.RecordCounts{InFile: 2, Unchanged: 2}); got != want {
				t.Fatalf("counts = %+v, want %+v", got, want)
			}
		})
		t.Run("UpdateRecordsHistory", func(t *testing.T) {
			ended := industry
			ended.Measure.Status, ended.Measure.End = monitor.MeasureEnded, day(2023, 12, 31)
			rep := importMeasures(t, db, store.ImportOptions{}, ended)
			if rep.Measures.Updated != 1 {
				t.Fatalf("counts %+v", rep.Measures)
			}
			cs, _ := db.FindChanges(ctx, store.Everywhere, "1001")
			fields := map[string]monitor.Change{}
			for _, c := range cs {
				if c.Entity == "measure" {
					fields[c.Field] = c
				}
			}
			if c := fields["状态"]; c.OldValue != "已落实" || c.NewValue != "已结束" {
				t.Fatalf("status history = %+v (all %+v)", c, cs)
			}
			if c := fields["结束日期"]; c.NewValue != "2023-12-31" || c.EntityKey != "产业帮扶/种植补助 2023-03-01" {
				t.Fatalf("end history = %+v", c)
			}
		})
		t.Run("ErrDuplicateRow", func(t *testing.T) {
			again := industry
			again.Row = 9
			rep := importMeasures(t, db, store.ImportOptions{DryRun: true}, industry, again)
			if !hasIssue(rep.Errors, store.CodeDuplicateRecord, 9) {
				t.Fatalf("errors %v", rep.Errors)
			}
		})
	})
}

func TestMeasureForms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seedHouseholds(t, db)
		m := &monitor.Measure{HouseholdCode: "1001", Category: "公益岗位帮扶", SubType: "保洁员", MemberID: idXiangXa, Start: day(2024, 1, 1), Months: 6, Amount: monitor.Yuan(6000)}
		t.Run("Create", func(t *testing.T) {
			if err := db.CreateMeasure(ctx, store.Everywhere, m, "张三"); err != nil {
				t.Fatal(err)
			}
			if m.ID == 0 || m.Status != monitor.MeasureInPlace {
				t.Fatalf("measure = %+v", m)
			}
		})
		errs := []struct {
			name  string
			scope store.Scope
			m     monitor.Measure
			code  string
		}{
			{"ErrConflict", store.Everywhere, *m, monitor.ECONFLICT},
			{"ErrUnknownCategory", store.Everywhere, monitor.Measure{HouseholdCode: "1001", Category: "扶志"}, monitor.EINVALID},
			{"ErrMemberOfAnotherHousehold", store.Everywhere, monitor.Measure{HouseholdCode: "1002", Category: "健康帮扶", MemberID: idXiangXa}, monitor.EINVALID},
			{"ErrUnknownHousehold", store.Everywhere, monitor.Measure{HouseholdCode: "9999", Category: "健康帮扶"}, monitor.ENOTFOUND},
			{"ErrOutOfScope", store.Scope{Township: "东城街道", Village: "长亭社区"}, monitor.Measure{HouseholdCode: "1001", Category: "健康帮扶"}, monitor.ENOTFOUND},
		}
		for _, tt := range errs {
			t.Run(tt.name, func(t *testing.T) {
				x := tt.m
				x.ID = 0
				if err := db.CreateMeasure(ctx, tt.scope, &x, "张三"); monitor.ErrorCode(err) != tt.code {
					t.Fatalf("err = %v, want %s", err, tt.code)
				}
			})
		}
		t.Run("Update", func(t *testing.T) {
			u := *m
			u.Months = 12
			if err := db.UpdateMeasure(ctx, store.Everywhere, &u, "李四"); err != nil {
				t.Fatal(err)
			}
			ms, _ := db.FindMeasures(ctx, store.Everywhere, store.MeasureFilter{HouseholdCode: "1001"})
			if len(ms) != 1 || ms[0].Months != 12 {
				t.Fatalf("measures = %+v", ms)
			}
		})
		t.Run("Delete", func(t *testing.T) {
			if err := db.DeleteMeasure(ctx, store.Scope{Township: "东城街道", Village: "长亭社区"}, m.ID, "李四"); monitor.ErrorCode(err) != monitor.ENOTFOUND {
				t.Fatalf("out of scope: %v", err)
			}
			if err := db.DeleteMeasure(ctx, store.Everywhere, m.ID, "李四"); err != nil {
				t.Fatal(err)
			}
			ms, _ := db.FindMeasures(ctx, store.Everywhere, store.MeasureFilter{})
			cs, _ := db.FindChanges(ctx, store.Everywhere, "1001")
			if len(ms) != 0 || cs[0].Field != "删除帮扶措施" {
				t.Fatalf("measures %v, last change %+v", ms, cs[0])
			}
		})
	})
}

func TestCadres(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seedHouseholds(t, db)
		zhang := store.CadreImport{Row: 3, KeyColumn: "户编号", Cadre: monitor.Cadre{HouseholdCode: "1001", Name: "张明", Unit: "区农业农村委", Phone: "13912345678", From: day(2022, 3, 1)}}
		wang := store.CadreImport{Row: 4, KeyColumn: "户主身份证号", HeadIDNumber: idTianYu, Cadre: monitor.Cadre{Name: "王强", Unit: "区财政局", From: day(2022, 3, 1)}}

		t.Run("Import", func(t *testing.T) {
			rep := importCadres(t, db, store.ImportOptions{}, zhang, wang)
			if !rep.Committed || rep.Cadres.Created != 2 {
				t.Fatalf("counts %+v errors %v", rep.Cadres, rep.Errors)
			}
			rep = importCadres(t, db, store.ImportOptions{}, zhang, wang)
			if got, want := *rep.Cadres, (monitor.RecordCounts{InFile: 2, Unchanged: 2}); got != want {
				t.Fatalf("re-import = %+v, want %+v", got, want)
			}
		})
		t.Run("NewCadreTakesOver", func(t *testing.T) {
			li := store.CadreImport{Row: 5, KeyColumn: "户编号", Cadre: monitor.Cadre{HouseholdCode: "1001", Name: "李华", Unit: "区农业农村委", From: day(2023, 7, 1)}}
			rep := importCadres(t, db, store.ImportOptions{}, li)
			if rep.Cadres.Created != 1 || !hasIssue(rep.Warnings, "cadre_replaced", 5) {
				t.Fatalf("counts %+v warnings %v", rep.Cadres, rep.Warnings)
			}
			cl, err := db.FindCadres(ctx, store.Everywhere, "1001", day(2024, 1, 1))
			if err != nil {
				t.Fatal(err)
			}
			if len(cl.Current) != 1 || cl.Current[0].Name != "李华" || len(cl.History) != 1 || cl.History[0].To != day(2023, 6, 30) {
				t.Fatalf("cadres = %+v", cl)
			}
			cl, _ = db.FindCadres(ctx, store.Everywhere, "1001", day(2023, 6, 30))
			if len(cl.Current) != 2 {
				t.Fatalf("on 2023-06-30 张明 is still current: %+v", cl)
			}
		})
		t.Run("UpdatePhone", func(t *testing.T) {
			w := wang
			w.Cadre.Phone = "13800001111"
			rep := importCadres(t, db, store.ImportOptions{}, w)
			if rep.Cadres.Updated != 1 {
				t.Fatalf("counts %+v", rep.Cadres)
			}
			cs, _ := db.FindChanges(ctx, store.Everywhere, "1002")
			if len(cs) == 0 || cs[0].Entity != "cadre" || cs[0].Field != "联系电话" || cs[0].NewValue != "13800001111" {
				t.Fatalf("history %+v", cs)
			}
		})
		t.Run("SetCadre", func(t *testing.T) {
			c := &monitor.Cadre{Name: "赵敏", Unit: "区民政局", Phone: "13700000000", From: day(2024, 3, 1)}
			if err := db.SetCadre(ctx, store.Everywhere, "1002", c, "张三"); err != nil {
				t.Fatal(err)
			}
			cl, _ := db.FindCadres(ctx, store.Everywhere, "1002", day(2024, 6, 1))
			if len(cl.Current) != 1 || cl.Current[0].Name != "赵敏" || len(cl.History) != 1 || cl.History[0].To != day(2024, 2, 29) {
				t.Fatalf("cadres = %+v", cl)
			}
			for _, tt := range []struct {
				name  string
				scope store.Scope
				code  string
				c     monitor.Cadre
			}{
				{"ErrNameRequired", store.Everywhere, "1002", monitor.Cadre{From: day(2024, 3, 1)}},
				{"ErrFromRequired", store.Everywhere, "1002", monitor.Cadre{Name: "钱"}},
			} {
				t.Run(tt.name, func(t *testing.T) {
					if err := db.SetCadre(ctx, tt.scope, tt.code, &tt.c, "张三"); monitor.ErrorCode(err) != monitor.EINVALID {
						t.Fatalf("err = %v", err)
					}
				})
			}
			if err := db.SetCadre(ctx, store.Scope{Township: "东城街道", Village: "皂角井社区"}, "1002", &monitor.Cadre{Name: "钱", From: day(2024, 5, 1)}, "张三"); monitor.ErrorCode(err) != monitor.ENOTFOUND {
				t.Fatalf("out of scope: %v", err)
			}
		})
		t.Run("ErrHouseholdNotFound", func(t *testing.T) {
			bad := store.CadreImport{Row: 7, KeyColumn: "户主身份证号", HeadIDNumber: idNobody, Cadre: monitor.Cadre{Name: "孙", From: day(2022, 1, 1)}}
			rep := importCadres(t, db, store.ImportOptions{}, bad)
			if rep.Committed || !hasIssue(rep.Errors, store.CodeHouseholdNotFound, 7) {
				t.Fatalf("errors %v", rep.Errors)
			}
		})
	})
}
