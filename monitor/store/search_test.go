package store_test

import (
	"context"
	"testing"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/store/storetest"
)

// TestSearchHouseholds: a search finds a household by its code, by the
// beginning of its head's or a member's name, or by the last four or more
// digits of a member's ID number, on every engine alike.
func TestSearchHouseholds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		run(t, db, store.ImportOptions{},
			household("5001190101000001", "张伟", "500119195610231938", monitor.Member{IDNumber: "11010119900307451X", Name: "李娜", Relation: "配偶", Sex: "女"}),
			household("5001190101000002", "张伟华", "500119195608312405"),
			household("5001190101000003", "王芳", "500119195403231791"))
		for _, c := range []struct {
			name, q string
			want    []string
		}{
			{"Code", "5001190101000002", []string{"5001190101000002"}},
			{"FullName", "王芳", []string{"5001190101000003"}},
			{"NamePrefix", "张伟", []string{"5001190101000001", "5001190101000002"}},
			{"Surname", "张", []string{"5001190101000001", "5001190101000002"}},
			{"MemberName", "李娜", []string{"5001190101000001"}},
			{"NotTheMiddleOfAName", "伟", nil},
			{"IDTail4", "1791", []string{"5001190101000003"}},
			{"IDTail6", "231938", []string{"5001190101000001"}},
			{"IDTailX", "7451x", []string{"5001190101000001"}},
			{"IDWhole", "500119195608312405", []string{"5001190101000002"}},
			{"IDTooShort", "791", nil},
			{"IDNotTheEnd", "5001", nil},
			{"Wildcards", "%", nil},
			{"WildcardsIgnored", "张_", []string{"5001190101000001", "5001190101000002"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				hs, total, err := db.FindHouseholds(ctx, store.Everywhere, store.HouseholdFilter{Query: c.q})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, h := range hs {
					got = append(got, h.Code)
				}
				if total != len(c.want) || len(got) != len(c.want) {
					t.Fatalf("q=%q: total %d, %v; want %v", c.q, total, got, c.want)
				}
				for i := range got {
					if got[i] != c.want[i] {
						t.Fatalf("q=%q: %v, want %v", c.q, got, c.want)
					}
				}
			})
		}
		if hs, total, _ := db.FindHouseholds(ctx, gb, store.HouseholdFilter{Query: "张伟"}); total != 0 || len(hs) != 0 {
			t.Fatalf("another village's scope finds %d", total)
		}
	})
}

// TestPagedTotals: a list without a search is paged in place order and its
// total, taken from the dashboard's figures where they hold it, is the
// count of the filter.
func TestPagedTotals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		twoVillages(t, db)
		for _, c := range []struct {
			name  string
			scope store.Scope
			f     store.HouseholdFilter
			want  int
		}{
			{"All", store.Everywhere, store.HouseholdFilter{}, 2},
			{"Monitored", store.Everywhere, store.HouseholdFilter{Category: "any"}, 1},
			{"Category", store.Everywhere, store.HouseholdFilter{Category: monitor.CatEdge}, 1},
			{"OtherCategory", store.Everywhere, store.HouseholdFilter{Category: "不存在"}, 0},
			{"Village", store.Everywhere, store.HouseholdFilter{Township: "东城街道", Village: "灌坝社区"}, 1},
			{"VillageMonitored", store.Everywhere, store.HouseholdFilter{Village: "灌坝社区", Category: "any"}, 0},
			{"VillageCategory", store.Everywhere, store.HouseholdFilter{Village: "皂角井社区", Category: monitor.CatEdge}, 1},
			{"OutsideScope", zjj, store.HouseholdFilter{Village: "灌坝社区"}, 0},
			{"Scope", zjj, store.HouseholdFilter{}, 1},
			{"NoFlags", store.Everywhere, store.HouseholdFilter{Flag: "any"}, 0},
			{"PastTheEnd", store.Everywhere, store.HouseholdFilter{Offset: 10}, 2},
		} {
			t.Run(c.name, func(t *testing.T) {
				hs, total, err := db.FindHouseholds(ctx, c.scope, c.f)
				if err != nil {
					t.Fatal(err)
				}
				if total != c.want || (c.f.Offset == 0 && len(hs) != c.want) {
					t.Fatalf("%+v in %s: total %d, %d listed; want %d", c.f, c.scope, total, len(hs), c.want)
				}
			})
		}
		hs, _, _ := db.FindHouseholds(ctx, store.Everywhere, store.HouseholdFilter{Limit: 1, Offset: 1})
		if len(hs) != 1 || hs[0].Code != "1" { // 灌坝社区 sorts before 皂角井社区
			t.Fatalf("second page: %+v", hs)
		}
	})
}
