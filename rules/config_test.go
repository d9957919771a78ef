package rules

import (
	"encoding/json"
	"testing"

	"github.com/shouwang/shouwang/monitor"
)

func TestLineFor(t *testing.T) {
	c := Config{Lines: []Line{{Year: 2022, Yuan: 6900}, {Region: "50", Year: 2022, Yuan: 7000}, {Region: "500119", Year: 2023, Yuan: 7500}, {Year: 2024, Yuan: 7600}}}
	for _, tt := range []struct {
		name string
		code string
		year int
		want float64
	}{
		{"Everywhere", "4201000001", 2022, 6900},
		{"ProvinceBeatsEverywhere", "5001190001", 2022, 7000},
		{"CountyYear", "5001190001", 2023, 7500},
		{"OtherCountyFallsBackToProvince", "5002000001", 2023, 7000},
		{"LaterYearEverywhere", "5001190001", 2024, 7600},
		{"NothingBefore", "5001190001", 2019, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.LineFor(tt.code, tt.year); got != tt.want {
				t.Fatalf("LineFor(%s, %d) = %v, want %v", tt.code, tt.year, got, tt.want)
			}
		})
	}
}

func TestConfigRoundTrip(t *testing.T) {
	b, err := json.Marshal(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseConfig(b)
	if err != nil {
		t.Fatalf("default config refused: %v", err)
	}
	if got, want := c.LineFor("500119", 2022), 6900.0; got != want {
		t.Fatalf("2022 line = %v, want %v", got, want)
	}
	for _, tt := range []struct{ name, doc string }{
		{"ErrUnknownField", `{"paramz": {}}`},
		{"ErrDuplicateLine", `{"params": {"IncomeDropShare":0.3,"MedicalShareOfNet":0.5,"LoanCap":50000,"LoanMaxMonths":36}, "lines": [{"year":2022,"yuan":1},{"year":2022,"yuan":2}], "deadlines": {"identify_days":15,"notice_days":5}}`},
		{"ErrShare", `{"params": {"IncomeDropShare":0.3,"MedicalShareOfNet":0.5,"LoanCap":50000,"LoanMaxMonths":36}, "deadlines": {"identify_days":15,"notice_days":5}, "subsidy": [{"Year":2024,"Share":7}]}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParseConfig([]byte(tt.doc)); monitor.ErrorCode(err) != monitor.EINVALID {
				t.Fatalf("err = %v, want invalid", err)
			}
		})
	}
}
