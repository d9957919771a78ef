package importer_test

import (
	"strings"
	"testing"

	"github.com/shouwang/shouwang/importer"
	"github.com/shouwang/shouwang/monitor"
)

// docHeader heads a one-sheet roster with 证件类型 and the columns a
// non-ID member is known by; parseRows puts the unit line (with its date)
// in row 1, this header in row 2 and the member rows from row 3.
var docHeader = []any{"乡镇", "村", "户编号", "户主姓名", "户类型", "姓名", "证件类型", "证件号码", "与户主关系", "性别", "出生日期", "健康状况"}

func docRow(code, name, doc string, id any, rel, sex, birth, health string) []any {
	return []any{"东城街道", "皂角井社区", code, "陆华", "脱贫户", name, doc, id, rel, sex, birth, health}
}

func parseRows(t *testing.T, header []any, rows ...[]any) *importer.HouseholdFile {
	t.Helper()
	return parseGrid(t, sheetSpec{rows: append([][]any{unitRow, header}, rows...)})
}

// TestMemberDocuments reads 证件类型 and 证件号码 as the national system
// writes them: an ID card (18 digits, or a first-generation 15 converted),
// a 残疾人证 (the holder's ID and the disability's category and grade), a
// passport or other document kept as given under its type.
func TestMemberDocuments(t *testing.T) {
	id15 := idXiangXia[:6] + idXiangXia[8:17] // 向霞, born 1958
	tests := []struct {
		name   string
		doc    string
		id     any
		sex    string
		birth  string
		health string
		// wantKey is the member's key; wantCode an error's code (the
		// household refused) or wantWarn a warning's.
		wantKey, wantHealth, wantCode, wantWarn string
	}{
		{name: "OK_IDCard", doc: "居民身份证", id: idXiangXia, wantKey: idXiangXia},
		{name: "OK_IDCardNoType", id: idXiangXia, wantKey: idXiangXia},
		{name: "OK_Old15Text", doc: "居民身份证", id: id15, wantKey: idXiangXia, wantWarn: monitor.CodeIDUpgraded},
		{name: "OK_Old15NumberCell", id: int64(500119580831240), wantKey: idXiangXia, wantWarn: monitor.CodeIDUpgraded},
		{name: "ErrOld15ImpossibleDate", id: "500119581331240", wantCode: monitor.CodeIDFormat},
		{name: "ErrOld15NotDigits", id: "50011958083124A", wantCode: monitor.CodeIDFormat},
		{name: "OK_DisabilityCert", doc: "残疾人证", id: idXiangXia + "42", health: "残疾", wantKey: idXiangXia, wantHealth: "残疾（肢体残疾二级）"},
		{name: "OK_DisabilityCertReissued", doc: "残疾人证", id: idXiangXia + "21B1", wantKey: idXiangXia, wantHealth: "残疾（听力残疾一级）"},
		{name: "OK_DisabilityCertOtherIllness", doc: "残疾证", id: idXiangXia + "74", health: "长期慢性病", wantKey: idXiangXia, wantHealth: "长期慢性病、残疾（多重残疾四级）"},
		{name: "OK_DisabilityCertBareID", doc: "残疾人证", id: idXiangXia, health: "残疾", wantKey: idXiangXia, wantHealth: "残疾"},
		{name: "OK_DisabilityCertWithoutType", id: idXiangXia + "11", wantKey: idXiangXia, wantHealth: "残疾（视力残疾一级）"},
		{name: "ErrDisabilityCertCategory", doc: "残疾人证", id: idXiangXia + "92", wantCode: monitor.CodeIDFormat},
		{name: "ErrDisabilityCertInnerID", doc: "残疾人证", id: idXiangXia[:17] + "042", wantCode: monitor.CodeIDChecksum},
		{name: "ErrDisabilityCertLength", doc: "残疾人证", id: idXiangXia + "4", wantCode: monitor.CodeIDFormat},
		{name: "OK_Passport", doc: "护照", id: "e 1234 5678", sex: "女", birth: "19580831", wantKey: "护照:E12345678"},
		{name: "OK_OtherDocument", doc: "港澳居民来往内地通行证", id: "H12345678", sex: "女", birth: "1958-08-31", wantKey: "其他:H12345678"},
		{name: "OK_ResidencePermitIsAnID", doc: "港澳台居民居住证", id: idXiangXia, wantKey: idXiangXia},
		{name: "OK_ResidencePermitNumber", doc: "港澳台居民居住证", id: "HK1234567", sex: "女", birth: "19580831", wantKey: "港澳台居民居住证:HK1234567"},
		{name: "ErrPassportNumber", doc: "护照", id: "E1", wantCode: monitor.CodeIDFormat},
		{name: "ErrUnknownDocument", doc: "驾驶证", id: "500119195808312405", wantCode: monitor.CodeUnknownValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := parseRows(t, docHeader,
				docRow("1001", "陆华", "居民身份证", idLuHua, "户主", "男", "", "健康"),
				docRow("", "向霞", tt.doc, tt.id, "配偶", tt.sex, tt.birth, tt.health))
			if tt.wantCode != "" {
				is, ok := issueAt(f.Report.Errors, 4, tt.wantCode)
				if !ok || len(f.Households) != 0 {
					t.Fatalf("want a %s error on row 4 and the household refused; errors:%s", tt.wantCode, issuesText(f.Report.Errors))
				}
				if is.Column != "证件号码" && is.Column != "证件类型" {
					t.Fatalf("error in column %q", is.Column)
				}
				return
			}
			noIssues(t, f, tt.wantWarn)
			if len(f.Households) != 1 {
				t.Fatalf("household refused:%s", issuesText(f.Report.Errors))
			}
			m := f.Households[0].Household.Members[1]
			if got, want := m.IDNumber, tt.wantKey; got != want {
				t.Fatalf("key = %q, want %q", got, want)
			}
			if got, want := m.BirthDate, (monitor.Date{Year: 1958, Month: 8, Day: 31}); got != want {
				t.Fatalf("BirthDate = %v, want %v", got, want)
			}
			if got, want := m.Sex, "女"; got != want {
				t.Fatalf("Sex = %q, want %q", got, want)
			}
			wantHealth := tt.wantHealth
			if wantHealth == "" {
				wantHealth = tt.health
			}
			if got := m.Health; got != wantHealth {
				t.Fatalf("Health = %q, want %q", got, wantHealth)
			}
			if tt.wantWarn != "" {
				is, ok := issueAt(f.Report.Warnings, 4, tt.wantWarn)
				if !ok || !strings.Contains(is.Message, idXiangXia) || !strings.Contains(is.Message, id15) {
					t.Fatalf("want a %s warning naming both numbers; warnings:%s", tt.wantWarn, issuesText(f.Report.Warnings))
				}
			}
		})
	}
}

// TestOldIDMatchesNew: a 15-digit number and the same person's 18-digit
// one are one person, listed twice.
func TestOldIDMatchesNew(t *testing.T) {
	id15 := idXiangXia[:6] + idXiangXia[8:17]
	f := parseRows(t, docHeader,
		docRow("1001", "陆华", "", idLuHua, "户主", "", "", ""),
		docRow("", "向霞", "", idXiangXia, "配偶", "", "", ""),
		docRow("1002", "向霞", "", id15, "户主", "", "", ""))
	for _, row := range []int{4, 5} {
		if _, ok := issueAt(f.Report.Errors, row, monitor.CodeIDDuplicate); !ok {
			t.Fatalf("no id_duplicate on row %d:%s", row, issuesText(f.Report.Errors))
		}
	}
}

// TestOtherDocumentsByNameAndBirth: members known by a passport are told
// apart by name and birth date; the same person twice is refused.
func TestOtherDocumentsByNameAndBirth(t *testing.T) {
	f := parseRows(t, docHeader,
		docRow("1001", "陆华", "", idLuHua, "户主", "", "", ""),
		docRow("", "向霞", "", idXiangXia, "配偶", "", "", ""),
		docRow("", "向霞", "护照", "E12345678", "其他", "女", "1958-08-31", ""))
	is, ok := issueAt(f.Report.Errors, 5, monitor.CodeIDDuplicate)
	if !ok || len(f.Households) != 0 {
		t.Fatalf("want id_duplicate on row 5:%s", issuesText(f.Report.Errors))
	}
	if !strings.Contains(is.Message, "第 4 行") {
		t.Fatalf("message does not name the other row: %s", is.Message)
	}
	// Same name, another birth date: two people.
	f = parseRows(t, docHeader,
		docRow("1001", "陆华", "", idLuHua, "户主", "", "", ""),
		docRow("", "向霞", "", idXiangXia, "配偶", "", "", ""),
		docRow("", "向霞", "护照", "E12345678", "其他", "女", "1990-01-01", ""))
	noIssues(t, f)
}

// TestRelations accepts the national code list and the short forms rosters
// use, storing the national form; a value naming a pair (祖父母) is read by
// the member's sex.
func TestRelations(t *testing.T) {
	male, female := mkID("19300101", 11), mkID("19300101", 12)
	child := mkID("20100101", 13)
	tests := []struct{ typed, id, want string }{
		{"户主", male, "户主"}, {"本人", male, "户主"},
		{"配偶", female, "配偶"}, {"妻", female, "配偶"},
		{"之子", child, "之子"}, {"子", child, "之子"}, {"儿子", child, "之子"}, {"长子", child, "之子"},
		{"之女", female, "之女"}, {"女", female, "之女"}, {"次女", female, "之女"},
		{"之儿媳", female, "之儿媳"}, {"儿媳", female, "之儿媳"}, {"之女婿", male, "之女婿"}, {"女婿", male, "之女婿"},
		{"之孙子", child, "之孙子"}, {"孙子", child, "之孙子"}, {"之孙女", female, "之孙女"}, {"孙女", female, "之孙女"},
		{"之外孙子", child, "之外孙子"}, {"外孙", child, "之外孙子"}, {"之外孙女", female, "之外孙女"},
		{"之父", male, "之父"}, {"父亲", male, "之父"}, {"之母", female, "之母"}, {"母亲", female, "之母"},
		{"之祖父", male, "之祖父"}, {"爷爷", male, "之祖父"}, {"外祖父", male, "之祖父"}, {"之祖母", female, "之祖母"},
		{"之祖父母", male, "之祖父"}, {"祖父母", female, "之祖母"}, {"父母", female, "之母"}, {"子女", child, "之子"},
		{"之孙子女", female, "之孙女"}, {"之曾孙子女", child, "其他"},
		{"之兄弟姐妹", male, "之兄弟姐妹"}, {"哥哥", male, "之兄弟姐妹"}, {"其他", male, "其他"}, {"侄子", male, "其他"},
	}
	for _, tt := range tests {
		t.Run("OK_"+tt.typed, func(t *testing.T) {
			rows := [][]any{docRow("1001", "陆华", "", idLuHua, "户主", "", "", "")}
			if tt.want == "户主" {
				rows = [][]any{docRow("1001", "陆华", "", tt.id, tt.typed, "", "", "")}
			} else {
				rows = append(rows, docRow("", "某某", "", tt.id, tt.typed, "", "", ""))
			}
			f := parseRows(t, docHeader, rows...)
			noIssues(t, f)
			ms := f.Households[0].Household.Members
			if got := ms[len(ms)-1].Relation; got != tt.want {
				t.Fatalf("Relation = %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("ErrUnknownRelation", func(t *testing.T) {
		f := parseRows(t, docHeader,
			docRow("1001", "陆华", "", idLuHua, "户主", "", "", ""),
			docRow("", "向霞", "", idXiangXia, "之侄孙", "", "", ""))
		is, ok := issueAt(f.Report.Errors, 4, monitor.CodeUnknownValue)
		if !ok || !strings.Contains(is.Message, "之兄弟姐妹") || is.Column != "与户主关系" {
			t.Fatalf("want unknown_value naming the code list:%s", issuesText(f.Report.Errors))
		}
	})
}
