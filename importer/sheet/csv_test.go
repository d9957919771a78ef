package sheet

import (
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

func TestCSV(t *testing.T) {
	const roster = "姓名,证件号码,人口数\r\n张三,500119197609282000,4\r\n"
	const want = "1: A=Text:\"姓名\" B=Text:\"证件号码\" C=Text:\"人口数\"\n" +
		"2: A=Text:\"张三\" B=Text:\"500119197609282000\" C=Text:\"4\"\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(roster)
	if err != nil {
		t.Fatal(err)
	}
	utf16le, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String("姓名\t证件号码\t人口数\n张三\t500119197609282000\t4\n")
	if err != nil {
		t.Fatal(err)
	}
	utf16be, err := unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder().String(roster)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, file, data, sheet, want string
	}{
		{"utf8_with_bom_reads", "花名册.csv", "\xEF\xBB\xBF" + roster, "花名册", want},
		{"utf8_without_bom_reads", "roster.CSV", roster, "roster", want},
		{"gbk_bytes_decode", "导出.csv", gbk, "导出", want},
		{"utf16le_with_bom_decodes", "u.txt", utf16le, "u", want},
		{"utf16be_with_bom_decodes", "u.csv", utf16be, "u", want},
		{"tab_separated_reads", "tab.tsv", "姓名\t证件号码\t人口数\n张三\t500119197609282000\t4", "tab", want},
		{"semicolon_separated_reads", "s.csv", "\n姓名;证件号码;人口数\n张三;500119197609282000;4\n", "s",
			"2: A=Text:\"姓名\" B=Text:\"证件号码\" C=Text:\"人口数\"\n3: A=Text:\"张三\" B=Text:\"500119197609282000\" C=Text:\"4\"\n"},
		{"comma_wins_over_tabs_inside_quotes", "q.csv", "\"a\tb\tc\",d\n", "q", "1: A=Text:\"a\\tb\\tc\" B=Text:\"d\"\n"},
		{
			"blank_lines_and_multiline_fields_keep_excel_row_numbers", "n.csv",
			"a,b\n\n\"多\r\n行\",c\n,,\nd\n", "n",
			"1: A=Text:\"a\" B=Text:\"b\"\n3: A=Text:\"多\\n行\" B=Text:\"c\"\n5: A=Text:\"d\"\n",
		},
		{
			"values_are_kept_untrimmed_and_empty_fields_skipped", "v.csv",
			" x ,,\"y\"\"z\",bare\"quote\n", "v",
			"1: A=Text:\" x \" C=Text:\"y\\\"z\" D=Text:\"bare\\\"quote\"\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := openBytes(t, []byte(tt.data), tt.file)
			if b.Format() != "csv" {
				t.Fatalf("Format() = %s", b.Format())
			}
			if s := b.Sheets(); len(s) != 1 || s[0] != tt.sheet {
				t.Fatalf("Sheets() = %q, want [%s]", s, tt.sheet)
			}
			rows, merges := readSheet(t, b, tt.sheet)
			if got := fmtRows(rows); got != tt.want {
				t.Errorf("rows:\n%s\nwant:\n%s", got, tt.want)
			}
			if len(merges) != 0 {
				t.Errorf("merges = %v", merges)
			}
		})
	}
	t.Run("wrong_sheet_name_is_an_error", func(t *testing.T) {
		b := openBytes(t, []byte(roster), "a.csv")
		if _, err := b.Rows("b"); err == nil {
			t.Fatal("no error")
		}
	})
}
