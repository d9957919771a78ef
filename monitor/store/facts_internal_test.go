package store

import (
	"reflect"
	"strings"
	"testing"

	"github.com/shouwang/shouwang/monitor"
)

// TestFactsCodec round-trips the values a facts row must keep exactly —
// long and empty strings, negative and large amounts, zero dates — and
// refuses damaged or foreign values instead of misreading them.
func TestFactsCodec(t *testing.T) {
	h := &monitor.Household{ID: 42, Code: "500119" + strings.Repeat("9", 40), Township: "东城街道", Village: "皂角井社区",
		Group: strings.Repeat("组", 100), HeadName: "向德明", Size: 3, Type: monitor.TypeLifted, Category: "脱贫不稳定户",
		IdentifiedIn: monitor.YearMonth{Year: 2022, Month: 3}, Risks: []string{"因病", "因学"}, RiskEliminated: true,
		EliminationMethod: "自然消除", EliminatedOn: monitor.Date{Year: 2023, Month: 12, Day: 31}, HousingUnsafe: true, NoLaborSupport: true,
		Members: []monitor.Member{
			{ID: 7, HouseholdID: 42, IDNumber: "500119195608312405", Name: "向霞", Relation: "配偶", Sex: "女", Health: "健康",
				LaborSkill: "普通劳动力", SchoolStatus: "", WorkMonths: 12, MedicalInsured: true,
				BirthDate: monitor.Date{Year: 1956, Month: 8, Day: 31}},
			{ID: 1 << 40, HouseholdID: 42, IDNumber: "", Name: "", Missing: true},
		},
		Incomes: []monitor.Income{{HouseholdID: 42, Year: 2022, Wage: -1, Business: 1 << 50, Net: -(1 << 40), PerCapita: 690000, InsurancePay: 1}},
	}
	data := string(encodeFacts(nil, h))
	got := &monitor.Household{ID: 42}
	if err := decodeFacts(data, got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, h) {
		t.Fatalf("round trip\n got %+v\nwant %+v", got, h)
	}
	empty := &monitor.Household{ID: 1}
	back := &monitor.Household{ID: 1}
	if err := decodeFacts(string(encodeFacts(nil, empty)), back); err != nil || !reflect.DeepEqual(back, empty) {
		t.Fatalf("an empty household: %v %+v", err, back)
	}
	for i := 0; i < len(data); i++ {
		if err := decodeFacts(data[:i], &monitor.Household{}); err == nil {
			t.Fatalf("a value cut at %d bytes of %d was read", i, len(data))
		}
	}
	if err := decodeFacts(data+"\x00", &monitor.Household{}); err == nil {
		t.Fatal("a value with a trailing byte was read")
	}
	other := string(rune(factsVersion+1)) + data[1:]
	if err := decodeFacts(other, &monitor.Household{}); err == nil {
		t.Fatal("a value of another version was read")
	}
}
