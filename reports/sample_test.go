package reports_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strconv"
	"testing"

	"github.com/shouwang/shouwang/importer"
	"github.com/shouwang/shouwang/importer/sheet"
	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/reports"
)

// The sample roster, imported and aggregated, gives the summary the figures
// of answers.json.
func TestSummarySampleHouseholds(t *testing.T) {
	var answers struct {
		ByCategory map[string]int `json:"monitored_by_category"`
		ByVillage  map[string]int `json:"households_by_village"`
	}
	b, err := os.ReadFile("../testdata/answers.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &answers); err != nil {
		t.Fatal(err)
	}
	book, err := sheet.Open("../testdata/households.xlsx", sheet.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	hf, err := importer.ParseHouseholds(book, "households.xlsx", importer.Options{DefaultYear: 2022, AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	a := reports.NewAggregator(asOf, 2022)
	for _, ih := range hf.Households {
		a.AddHousehold(ih.Household)
	}
	s := a.Stats()
	for c, n := range answers.ByCategory {
		if got := s.Total.Categories[c]; got != n {
			t.Errorf("%s: %d households, want %d", c, got, n)
		}
	}
	byVillage := map[string]int{}
	for _, v := range s.Villages {
		byVillage[v.Village] += v.Households
	}
	for v, n := range answers.ByVillage {
		if byVillage[v] != n {
			t.Errorf("%s: %d households, want %d", v, byVillage[v], n)
		}
	}

	var buf bytes.Buffer
	if err := reports.Summary(&buf, meta(), s); err != nil {
		t.Fatal(err)
	}
	f := open(t, buf.Bytes())
	for r := 5; ; r++ {
		v := val(t, f, summarySheet, "B"+strconv.Itoa(r))
		if v == "" || v == "小计" {
			break
		}
		want(t, f, summarySheet, "C"+strconv.Itoa(r), strconv.Itoa(answers.ByVillage[v]))
	}
	total := findRow(t, f, summarySheet, "A", "合计")
	for i, c := range monitor.Categories {
		want(t, f, summarySheet, col(t, f, summarySheet, 4, c)+strconv.Itoa(total), strconv.Itoa(answers.ByCategory[monitor.Categories[i]]))
	}
}
