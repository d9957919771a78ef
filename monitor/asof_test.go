package monitor

import (
	"testing"
	"time"
)

func TestHouseholdAsOf(t *testing.T) {
	d := func(y, m, dd int) Date { return Date{Year: y, Month: m, Day: dd} }
	at := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	base := Household{Code: "1001", Category: CatEdge, IdentifiedIn: YearMonth{2021, 5}, Risks: []string{"因病"},
		Members: []Member{{IDNumber: "A", Name: "甲"}, {IDNumber: "B", Name: "乙", LaborSkill: "普通劳动力"}, {IDNumber: "C", Name: "丙", Missing: true}}}
	tests := []struct {
		name      string
		h         func() Household
		history   []Change
		on        Date
		exists    bool
		monitored bool
		members   int
		check     func(t *testing.T, h Household)
	}{
		{name: "NothingLater", h: func() Household { return base }, on: d(2022, 12, 31), exists: true, monitored: true, members: 2},
		{name: "IdentifiedAfterDate", h: func() Household {
			h := base
			h.IdentifiedIn = YearMonth{2026, 11}
			return h
		}, on: d(2022, 12, 31), exists: true, monitored: false, members: 2},
		{name: "EliminatedAfterDateStillMonitored", h: func() Household {
			h := base
			h.RiskEliminated, h.EliminationMethod, h.EliminatedOn = true, "帮扶消除", d(2023, 6, 1)
			return h
		}, on: d(2022, 12, 31), exists: true, monitored: true, members: 2, check: func(t *testing.T, h Household) {
			if h.RiskEliminated || h.EliminationMethod != "" {
				t.Fatalf("eliminated on %v: %+v", h.EliminatedOn, h)
			}
		}},
		{name: "CaseAfterDateTakenBack", h: func() Household {
			h := base
			h.Category, h.IdentifiedIn, h.Risks = CatUnstable, YearMonth{2021, 5}, []string{"因病", "因学"}
			return h
		}, history: []Change{
			{ID: 7, At: at, Entity: "household", Field: "监测对象类别", OldValue: CatEdge, NewValue: CatUnstable, EffectiveOn: d(2024, 3, 2)},
			{ID: 8, At: at, Entity: "household", Field: "风险类型", OldValue: "因病", NewValue: "因病、因学", EffectiveOn: d(2024, 3, 2)},
		}, on: d(2022, 12, 31), exists: true, monitored: true, members: 2, check: func(t *testing.T, h Household) {
			if h.Category != CatEdge || len(h.Risks) != 1 {
				t.Fatalf("category %q risks %v", h.Category, h.Risks)
			}
		}},
		{name: "ChangeBeforeDateKept", h: func() Household { return base }, history: []Change{
			{ID: 7, At: at, Entity: "household", Field: "监测对象类别", OldValue: "", NewValue: CatEdge, EffectiveOn: d(2021, 5, 10)},
		}, on: d(2022, 12, 31), exists: true, monitored: true, members: 2},
		{name: "CreatedAfterDate", h: func() Household { return base }, history: []Change{
			{ID: 1, At: at, Entity: "household", Field: FieldCreated, EffectiveOn: d(2025, 1, 1)},
		}, on: d(2022, 12, 31), exists: false},
		{name: "CreatedBeforeDatesWereKept", h: func() Household { return base }, history: []Change{
			{ID: 1, At: at, Entity: "household", Field: FieldCreated},
		}, on: d(2022, 12, 31), exists: true, monitored: true, members: 2},
		{name: "LegacyChangeDatedByRecording", h: func() Household { return base }, history: []Change{
			{ID: 2, At: at, Entity: "household", Field: "监测对象类别", OldValue: "", NewValue: CatEdge},
		}, on: d(2022, 12, 31), exists: true, monitored: false, members: 2},
		{name: "Members", h: func() Household { return base }, history: []Change{
			{ID: 3, At: at, Entity: "member", EntityKey: "B", Field: FieldMemberAdded, NewValue: "乙", EffectiveOn: d(2024, 1, 1)},
			{ID: 4, At: at, Entity: "member", EntityKey: "C", Field: FieldMemberMissing, OldValue: "丙", EffectiveOn: d(2024, 1, 1)},
			{ID: 5, At: at, Entity: "member", EntityKey: "A", Field: "姓名", OldValue: "甲一", NewValue: "甲", EffectiveOn: d(2024, 1, 1)},
		}, on: d(2022, 12, 31), exists: true, monitored: true, members: 2, check: func(t *testing.T, h Household) {
			if h.Members[0].Name != "甲一" || h.Members[1].IDNumber != "C" {
				t.Fatalf("members %+v", h.Members)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.h()
			got, ok := h.AsOf(tt.on, tt.history)
			if ok != tt.exists {
				t.Fatalf("exists = %v, want %v", ok, tt.exists)
			}
			if !ok {
				return
			}
			if got.Monitored() != tt.monitored {
				t.Fatalf("monitored = %v, want %v (%+v)", got.Monitored(), tt.monitored, got)
			}
			if len(got.Members) != tt.members {
				t.Fatalf("members %d, want %d", len(got.Members), tt.members)
			}
			if tt.check != nil {
				tt.check(t, got)
			}
			if h.Category != tt.h().Category || len(h.Members) != len(tt.h().Members) {
				t.Fatal("AsOf changed the household it was given")
			}
		})
	}
}

func TestKeepDecided(t *testing.T) {
	reg := &Household{Code: "1", Category: CatEdge, IdentifiedIn: YearMonth{2026, 11}, Risks: []string{"因病"}, Phone: "1"}
	file := &Household{Code: "1", Phone: "2"}
	cs := KeepDecided(reg, file)
	if len(cs) != 3 || file.Category != CatEdge || file.IdentifiedIn != reg.IdentifiedIn || len(file.Risks) != 1 || file.Phone != "2" {
		t.Fatalf("conflicts %+v, file %+v", cs, file)
	}
	same := &Household{Code: "1", Category: CatEdge, IdentifiedIn: YearMonth{2026, 11}, Risks: []string{"因病"}}
	if cs := KeepDecided(reg, same); len(cs) != 0 {
		t.Fatalf("agreeing file: %+v", cs)
	}
	for _, f := range (&Household{}).Fields() {
		if !(&Household{}).SetField(f.Name, f.Value) {
			t.Fatalf("no setter for household field %s", f.Name)
		}
	}
	for _, f := range (&Member{}).Fields() {
		if !(&Member{}).SetField(f.Name, f.Value) {
			t.Fatalf("no setter for member field %s", f.Name)
		}
	}
}
