package importer_test

import (
	"testing"
	"time"

	"github.com/shouwang/shouwang/importer"
	"github.com/shouwang/shouwang/monitor"
)

// parseEdited lays out the fixture after edit and parses it.
func parseEdited(t *testing.T, l layout, edit func(hs []household)) (*importer.HouseholdFile, built) {
	t.Helper()
	hs := fixture()
	edit(hs)
	b := l.build(hs)
	return parseGrid(t, b.sheet), b
}

// TestIDNumberForms accepts ID numbers as they are typed and stores them
// normalised.
func TestIDNumberForms(t *testing.T) {
	fullWidth := func(s string) string {
		var out []rune
		for _, r := range s {
			switch {
			case r >= '0' && r <= '9':
				r = r - '0' + '０'
			case r == 'X':
				r = 'Ｘ'
			}
			out = append(out, r)
		}
		return string(out)
	}
	idX := ""
	for seq := 0; idX == "" || idX[17] != 'X'; seq++ {
		idX = mkID("19670804", seq)
	}
	tests := []struct {
		name  string
		typed string
		want  string
	}{
		{name: "OK_Plain", typed: idQianMin, want: idQianMin},
		{name: "OK_SpacesAround", typed: " " + idQianMin + " ", want: idQianMin},
		{name: "OK_SpacesInside", typed: idQianMin[:6] + " " + idQianMin[6:14] + " " + idQianMin[14:], want: idQianMin},
		{name: "OK_IdeographicSpace", typed: "\u3000" + idQianMin, want: idQianMin},
		{name: "OK_FullWidthDigits", typed: fullWidth(idQianMin), want: idQianMin},
		{name: "OK_LowerCaseX", typed: idX[:17] + "x", want: idX},
		{name: "OK_FullWidthX", typed: fullWidth(idX), want: idX},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := parseEdited(t, layout{}, func(hs []household) {
				hs[2].members[1].id = tt.typed
				hs[2].members[1].sex = ""
			})
			noIssues(t, f)
			h, ok := find(f, "5001190002000102")
			if !ok {
				t.Fatalf("household rejected: %v", codes(f))
			}
			if got, want := h.Members[1].IDNumber, tt.want; got != want {
				t.Fatalf("IDNumber = %q, want %q", got, want)
			}
		})
	}
}

// TestHouseholdCode keeps every digit of a 户编号 stored as a number.
func TestHouseholdCode(t *testing.T) {
	tests := []struct {
		name string
		code any
		want string
	}{
		{name: "OK_Text", code: "5001190002000102", want: "5001190002000102"},
		{name: "OK_Int", code: int64(5001190002000102), want: "5001190002000102"},
		// excelize, like Excel, writes a float with 15 significant digits.
		{name: "OK_Float15Digits", code: float64(500119000200010), want: "500119000200010"},
		{name: "OK_TextWithSpaces", code: " 5001190002000102 ", want: "5001190002000102"},
		{name: "OK_FullWidth", code: "５００１１９０００２０００１０２", want: "5001190002000102"},
	}
	for _, style := range []string{repeated, firstRow, merged} {
		for _, tt := range tests {
			t.Run(tt.name+"_"+style, func(t *testing.T) {
				f, _ := parseEdited(t, layout{style: style}, func(hs []household) { hs[2].code = tt.code })
				noIssues(t, f)
				if got, want := len(f.Households), 3; got != want {
					t.Fatalf("%d households %v, want %d", got, codes(f), want)
				}
				if got, want := f.Households[2].Household.Code, tt.want; got != want {
					t.Fatalf("Code = %q, want %q", got, want)
				}
				if got, want := len(f.Households[2].Household.Members), 3; got != want {
					t.Fatalf("%d members, want %d", got, want)
				}
			})
		}
	}
}

// TestIdentifiedMonth reads 识别监测时间 in every form staff write it.
func TestIdentifiedMonth(t *testing.T) {
	tests := []struct {
		name     string
		value    any
		date1904 bool
	}{
		{name: "OK_YYYYMMText", value: "202203"},
		{name: "OK_YYYYMMNumber", value: 202203},
		{name: "OK_DotText", value: "2022.03"},
		{name: "OK_DotNumber", value: 2022.03},
		{name: "OK_DotNoZero", value: "2022.3"},
		{name: "OK_YearMonthChinese", value: "2022年3月"},
		{name: "OK_YearMonthChineseFullWidth", value: "２０２２年３月"},
		{name: "OK_Slashes", value: "2022/3/15"},
		{name: "OK_ISO", value: "2022-03-15"},
		{name: "OK_ChineseDate", value: "2022年3月15日"},
		{name: "OK_DateCell", value: dateCell{2022, 3, 15, ""}},
		{name: "OK_DateCellChineseFormat", value: dateCell{2022, 3, 15, `yyyy"年"m"月"d"日"`}},
		{name: "OK_DateCellMonthFormat", value: dateCell{2022, 3, 1, `yyyy"年"m"月"`}},
		{name: "OK_TimeValue", value: time.Date(2022, 3, 15, 0, 0, 0, 0, time.UTC)},
		{name: "OK_DateCell1904", value: dateCell{2022, 3, 15, ""}, date1904: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := fixture()
			hs[2].identified = tt.value
			b := layout{}.build(hs)
			path := writeBook(t, bookSpec{sheets: []sheetSpec{b.sheet}, date1904: tt.date1904})
			if got, want := openBook(t, path).Date1904(), tt.date1904; got != want {
				t.Fatalf("Date1904() = %v, want %v", got, want)
			}
			f := parseFile(t, path)
			noIssues(t, f)
			h, ok := find(f, "5001190002000102")
			if !ok {
				t.Fatalf("household rejected:%s", issuesText(f.Report.Errors))
			}
			if got, want := h.IdentifiedIn, (monitor.YearMonth{Year: 2022, Month: 3}); got != want {
				t.Fatalf("IdentifiedIn = %s, want %s", got, want)
			}
		})
	}
}

// TestAmounts reads amounts with 元, thousands separators and full-width
// digits, and scales （万元） columns.
func TestAmounts(t *testing.T) {
	tests := []struct {
		name   string
		header string
		value  any
		want   monitor.Money
	}{
		{name: "OK_Number", value: 1234, want: monitor.Yuan(1234)},
		{name: "OK_Decimal", value: 1234.5, want: 123450},
		{name: "OK_Text", value: "1234", want: monitor.Yuan(1234)},
		{name: "OK_Yuan", value: "1234元", want: monitor.Yuan(1234)},
		{name: "OK_ThousandsAndYuan", value: "1,234元", want: monitor.Yuan(1234)},
		{name: "OK_Thousands", value: "36,573.50", want: 3657350},
		{name: "OK_FullWidth", value: "１，２３４元", want: monitor.Yuan(1234)},
		{name: "OK_WanYuanHeader", header: "工资性收入（万元）", value: 3.6573, want: monitor.Yuan(36573)},
		{name: "OK_WanYuanHeaderText", header: "工资性收入(万元)", value: "0.29", want: monitor.Yuan(2900)},
		{name: "OK_WanYuanInCell", value: "1.5万元", want: monitor.Yuan(15000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := layout{}
			if tt.header != "" {
				l.rename = map[string]string{"工资性收入": tt.header}
			}
			f, _ := parseEdited(t, l, func(hs []household) {
				if tt.header != "" {
					for i := range hs {
						hs[i].wage = toWan(hs[i].wage)
					}
				}
				hs[1].wage = tt.value
				hs[1].perHead = nil // the stated figure is checked elsewhere
			})
			noIssues(t, f)
			h, ok := find(f, "5001190001000101")
			if !ok {
				t.Fatalf("household rejected:%s", issuesText(f.Report.Errors))
			}
			in := h.Incomes[0]
			if got, want := in.Wage, tt.want; got != want {
				t.Fatalf("Wage = %s, want %s", got, want)
			}
			if got, want := in.Net, tt.want+monitor.Yuan(600); got != want {
				t.Fatalf("Net = %s, want %s", got, want)
			}
			if got, want := in.PerCapita, in.Net; got != want {
				t.Fatalf("PerCapita = %s, want %s (one member)", got, want)
			}
		})
	}
}

// TestYesNo reads the check columns written as 是/否, √/× or 有/无.
func TestYesNo(t *testing.T) {
	tests := []struct {
		name  string
		value string
		want  bool
	}{
		{name: "OK_是", value: "是", want: true},
		{name: "OK_否", value: "否", want: false},
		{name: "OK_√", value: "√", want: true},
		{name: "OK_×", value: "×", want: false},
		{name: "OK_有", value: "有", want: true},
		{name: "OK_无", value: "无", want: false},
		{name: "OK_Blank", value: "", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := parseEdited(t, layout{}, func(hs []household) {
				hs[0].housing, hs[0].water = tt.value, tt.value
				hs[0].members[1].insured = tt.value
			})
			noIssues(t, f)
			h, ok := find(f, "5001190001000100")
			if !ok {
				t.Fatalf("household rejected:%s", issuesText(f.Report.Errors))
			}
			if got, want := h.HousingUnsafe, tt.want; got != want {
				t.Fatalf("HousingUnsafe = %v, want %v", got, want)
			}
			if got, want := h.WaterUnsafe, tt.want; got != want {
				t.Fatalf("WaterUnsafe = %v, want %v", got, want)
			}
			insured := tt.want || tt.value == "" // blank means insured
			if got, want := h.Members[1].MedicalInsured, insured; got != want {
				t.Fatalf("MedicalInsured = %v, want %v", got, want)
			}
		})
	}
}

// TestCategory folds the abbreviations of the three categories.
func TestCategory(t *testing.T) {
	tests := []struct {
		name  string
		value string
		want  string
	}{
		{name: "OK_边缘户", value: "边缘户", want: monitor.CatEdge},
		{name: "OK_脱贫不稳定", value: "脱贫不稳定", want: monitor.CatUnstable},
		{name: "OK_突发困难户", value: "突发困难户", want: monitor.CatEmergency},
		{name: "OK_边缘易致贫户", value: "边缘易致贫户", want: monitor.CatEdge},
		{name: "OK_SpacesInside", value: "突发严重 困难户", want: monitor.CatEmergency},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := parseEdited(t, layout{}, func(hs []household) { hs[2].category = tt.value })
			noIssues(t, f)
			h, ok := find(f, "5001190002000102")
			if !ok {
				t.Fatalf("household rejected:%s", issuesText(f.Report.Errors))
			}
			if got, want := h.Category, tt.want; got != want {
				t.Fatalf("Category = %q, want %q", got, want)
			}
		})
	}
}
