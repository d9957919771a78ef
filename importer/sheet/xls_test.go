package sheet

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Cell XFs shared by the flavours below; Excel writes 15 style XFs first,
// so cell formats start at 15.
const (
	xfGeneral = 15 + iota
	xfDate14
	xfDateCN // custom yyyy"年"m"月"d"日"
	xfDays   // custom 0.00"天": a number
	xfText
	xfDate57 // built-in East Asian date
)

func excelXFs() []int {
	return append(make([]int, 15), 0, 14, 164, 165, 49, 57)
}

var excelFormats = map[int]string{164: `yyyy"年"m"月"d"日"`, 165: `0.00"天"`}

// rosterSheet writes a small roster as Excel does: LABELSST text, RK and
// MULRK numbers, NUMBER for what RK cannot hold, dates in three formats,
// formulas with cached values, and a merged title.
func rosterSheet(b *biff) {
	b.rec(recDimensions, le32(0), le32(4), le16(0), le16(12), le16(0))
	b.rec(0x0208, le16(0), le16(0), le16(12), make([]byte, 10)) // ROW, skipped
	b.rec(recLabelSST, rc(0, 0, xfGeneral), le32(0))
	b.rec(recBlank, rc(0, 1, xfGeneral))
	b.rec(recMulBlank, le16(0), le16(2), le16(xfGeneral), le16(xfGeneral), le16(3))
	for c := 0; c < 6; c++ {
		b.rec(recLabelSST, rc(1, c, xfGeneral), le32(1+c))
	}
	// Row 3: a household.
	b.rec(recRK, rc(2, 0, xfGeneral), rkInt(1))
	b.rec(recLabelSST, rc(2, 1, xfGeneral), le32(7))
	b.rec(recNumber, rc(2, 2, xfGeneral), f64(500119197609282000))
	b.rec(recRK, rc(2, 3, xfDate14), rkInt(44607))
	b.rec(recMulRK, le16(2), le16(4), le16(xfGeneral), rkX100(1342550), le16(xfDays), rkFloat(2.5), le16(5))
	b.rec(recNumber, rc(2, 6, xfDateCN), f64(44562))
	b.rec(recFormula, rc(2, 7, xfGeneral), []byte{0, 0, 0, 0, 0, 0, 0xFF, 0xFF}, le16(0), le32(0), le16(3), []byte{0x1E, 1, 0})
	b.rec(0x04BC, make([]byte, 10)) // SHRFMLA between FORMULA and STRING
	b.rec(recString, xlStr("边缘易致贫户", 2, false))
	b.rec(recFormula, rc(2, 8, xfGeneral), f64(4), le16(0), le32(0), le16(3), []byte{0x1E, 4, 0})
	b.rec(recFormula, rc(2, 9, xfGeneral), []byte{1, 0, 1, 0, 0, 0, 0xFF, 0xFF}, le16(0), le32(0), le16(0))
	b.rec(recFormula, rc(2, 10, xfGeneral), []byte{2, 0, 0x2A, 0, 0, 0, 0xFF, 0xFF}, le16(0), le32(0), le16(0))
	b.rec(recFormula, rc(2, 11, xfGeneral), []byte{3, 0, 0, 0, 0, 0, 0xFF, 0xFF}, le16(0), le32(0), le16(0))
	// Row 4: booleans, an error, a number as text, a large code.
	b.rec(recBoolErr, rc(3, 0, xfGeneral), []byte{0, 0})
	b.rec(recBoolErr, rc(3, 1, xfGeneral), []byte{0x07, 1})
	b.rec(recLabelSST, rc(3, 2, xfText), le32(8))
	b.rec(recNumber, rc(3, 3, xfGeneral), f64(5001190006000117))
	b.rec(recRK, rc(3, 4, xfDate57), rkInt(45000))
	b.rec(recNumber, rc(3, 5, xfGeneral), f64(-0.125))
	b.rec(recMergedCells, le16(2), le16(0), le16(0), le16(0), le16(5), le16(4), le16(5), le16(7), le16(7))
	b.rec(0x023E, make([]byte, 18)) // WINDOW2, skipped
}

var rosterSST = []string{
	"南川区东城街道防止返贫监测对象花名册",
	"户编号", "姓名", "证件号码", "识别时间", "家庭纯收入", "帮扶天数",
	"张三", "500119197609282000",
}

const rosterWant = "1: A=Text:\"南川区东城街道防止返贫监测对象花名册\"\n" +
	"2: A=Text:\"户编号\" B=Text:\"姓名\" C=Text:\"证件号码\" D=Text:\"识别时间\" E=Text:\"家庭纯收入\" F=Text:\"帮扶天数\"\n" +
	"3: A=Number:\"1\" B=Text:\"张三\" C=Number:\"500119197609282000\" D=Date:\"44607\" E=Number:\"13425.5\" F=Number:\"2.5\" G=Date:\"44562\" H=Text:\"边缘易致贫户\" I=Number:\"4\" J=Bool:\"1\" K=Error:\"#N/A\"\n" +
	"4: A=Bool:\"0\" B=Error:\"#DIV/0!\" C=Text:\"500119197609282000\" D=Number:\"5001190006000117\" E=Date:\"45000\" F=Number:\"-0.125\"\n"

var rosterMerges = []Merge{{FirstRow: 1, FirstCol: 1, LastRow: 1, LastCol: 6}, {FirstRow: 5, FirstCol: 8, LastRow: 6, LastCol: 8}}

func TestXLSFlavours(t *testing.T) {
	gbk := func(s string) []byte {
		b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	options := func(b *biff) { b.rec(recLabel, rc(0, 0, xfGeneral), xlStr("因病", 2, false)) }
	tests := []struct {
		name   string
		spec   xlsSpec
		sheets []string
		hidden []string
		want   map[string]string
		merges []Merge
	}{
		{
			name: "excel_sst_split_by_continue_rk_mulrk_dates_formulas_merges",
			spec: xlsSpec{codepage: 1200, formats: excelFormats, xfs: excelXFs(), sst: rosterSST, sstSplit: 40,
				sheets: []xlsSheetSpec{{name: "花名册", body: rosterSheet}, {name: "选项", hidden: 1, body: options}, {name: "图表", kind: 2}}},
			sheets: []string{"花名册", "选项"}, hidden: []string{"选项"},
			want:   map[string]string{"花名册": rosterWant, "选项": "1: A=Text:\"因病\"\n"},
			merges: rosterMerges,
		},
		{
			name: "wps_utf16_sst_and_a_very_hidden_sheet",
			spec: xlsSpec{codepage: 1200, formats: excelFormats, xfs: excelXFs(), sst: rosterSST, sstWide: true,
				sheets: []xlsSheetSpec{{name: "选项", hidden: 2, body: options}, {name: "花名册", body: rosterSheet}}},
			sheets: []string{"选项", "花名册"}, hidden: []string{"选项"},
			want:   map[string]string{"花名册": rosterWant},
			merges: rosterMerges,
		},
		{
			name: "gbk_label_in_a_codepage_936_file",
			spec: xlsSpec{codepage: 936, xfs: excelXFs(), sheets: []xlsSheetSpec{{name: "Sheet1", body: func(b *biff) {
				b.rec(recLabel, rc(0, 0, xfGeneral), rawStr(gbk("户主姓名")))
				b.rec(recLabel, rc(0, 1, xfGeneral), xlStr("café", 2, false))
				b.rec(recLabel, rc(0, 2, xfGeneral), xlStr("李四", 2, false))
			}}}},
			sheets: []string{"Sheet1"},
			want:   map[string]string{"Sheet1": "1: A=Text:\"户主姓名\" B=Text:\"café\" C=Text:\"李四\"\n"},
		},
		{
			name: "latin1_label_in_a_unicode_file_stays_latin1",
			spec: xlsSpec{codepage: 1200, sheets: []xlsSheetSpec{{name: "S", body: func(b *biff) {
				b.rec(recLabel, rc(0, 0, 0), xlStr("café", 2, false))
			}}}},
			sheets: []string{"S"},
			want:   map[string]string{"S": "1: A=Text:\"café\"\n"},
		},
		{
			name: "libreoffice_rows_blocks_and_an_embedded_chart",
			spec: xlsSpec{codepage: 1200, date1904: true, formats: excelFormats, xfs: excelXFs(), sst: []string{"a", "b"},
				sheets: []xlsSheetSpec{{name: "Sheet1", body: func(b *biff) {
					b.rec(0x020B, make([]byte, 16)) // INDEX
					b.rec(recLabelSST, rc(0, 0, xfGeneral), le32(0))
					b.rec(recRK, rc(0, 1, xfDate14), rkInt(1))
					b.rec(0x00D7, make([]byte, 6)) // DBCELL
					b.rec(recBOF, le16(biff8), le16(0x20), make([]byte, 12))
					b.rec(recLabelSST, rc(9, 9, 0), le32(1)) // inside the chart: not a cell
					b.rec(recEOF)
					b.rec(recLabelSST, rc(2, 0, xfGeneral), le32(1))
				}}}},
			sheets: []string{"Sheet1"},
			want:   map[string]string{"Sheet1": "1: A=Text:\"a\" B=Date:\"1\"\n3: A=Text:\"b\"\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := xlsFile(t, tt.spec)
			b := openBytes(t, data, "upload.xls")
			if got := b.Format(); got != "xls" {
				t.Fatalf("Format() = %s", got)
			}
			if got := b.Sheets(); !slices.Equal(got, tt.sheets) {
				t.Fatalf("Sheets() = %q, want %q", got, tt.sheets)
			}
			for _, s := range tt.sheets {
				if got, want := b.Hidden(s), slices.Contains(tt.hidden, s); got != want {
					t.Errorf("Hidden(%s) = %v", s, got)
				}
			}
			if got, want := b.Date1904(), tt.spec.date1904; got != want {
				t.Errorf("Date1904() = %v", got)
			}
			for sheet, want := range tt.want {
				rows, merges := readSheet(t, b, sheet)
				if got := fmtRows(rows); got != want {
					t.Errorf("%s:\n%s\nwant:\n%s\n%s", sheet, got, want, firstDiff(got, want))
				}
				if sheet == "花名册" && !slices.Equal(merges, tt.merges) {
					t.Errorf("merges = %v, want %v", merges, tt.merges)
				}
			}
		})
	}
}

// TestXLSSharedStringSplits covers the ways a string meets a CONTINUE
// record: characters split with the option byte switching between 8-bit
// and UTF-16, rich text runs and phonetic data split raw, a header at the
// start of a record.
func TestXLSSharedStringSplits(t *testing.T) {
	var sst biff
	// Record 1: "ab" of "ab中文" compressed; the rest continues in UTF-16.
	first := append(append(le32(3), le32(3)...), append(le16(4), 0)...)
	first = append(first, 'a', 'b')
	// Record 2: option byte 1, "中文" in UTF-16; then a rich string (2 runs)
	// whose runs spill into record 3.
	second := []byte{1}
	second = append(second, le16('中')...)
	second = append(second, le16('文')...)
	second = append(second, le16(3)...)
	second = append(second, 0x08)
	second = append(second, le16(2)...)
	second = append(second, 'x', 'y', 'z')
	second = append(second, 0, 0, 0, 0) // first run
	third := []byte{0, 0, 0, 0}         // second run, raw
	// Then a string with phonetic data (fExtSt), header first in record 3.
	third = append(third, le16(2)...)
	third = append(third, 0x05)
	third = append(third, le32(6)...)
	third = append(third, le16('张')...)
	third = append(third, le16('三')...)
	third = append(third, 1, 2, 3, 4, 5, 6)
	sst.rec(recSST, first)
	sst.rec(recContinue, second)
	sst.rec(recContinue, third)
	segs := [][]byte{first, second, third}
	tab, err := readXLSSST(segs, 1200, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := 0; i < tab.len(); i++ {
		got = append(got, tab.get(i))
	}
	if want := []string{"ab中文", "xyz", "张三"}; !slices.Equal(got, want) {
		t.Fatalf("strings = %q, want %q", got, want)
	}

	t.Run("long_strings_split_many_times", func(t *testing.T) {
		long := strings.Repeat("防止返贫监测", 3000) + strings.Repeat("abc", 5000)
		for _, wide := range []bool{false, true} {
			data := xlsFile(t, xlsSpec{sst: []string{"x", long, "y"}, sstWide: wide, sheets: []xlsSheetSpec{{name: "S", body: func(b *biff) {
				b.rec(recLabelSST, rc(0, 0, 0), le32(1))
				b.rec(recLabelSST, rc(0, 1, 0), le32(2))
			}}}})
			rows, _ := readSheet(t, openBytes(t, data, "l.xls"), "S")
			if len(rows) != 1 || rows[0].Cells[0].Value != long || rows[0].Cells[1].Value != "y" {
				t.Fatalf("wide %v: long string not read back", wide)
			}
		}
	})
}

func TestXLSRefusals(t *testing.T) {
	sheet := []xlsSheetSpec{{name: "S", body: func(b *biff) { b.rec(recRK, rc(0, 0, 0), rkInt(1)) }}}
	tests := []struct {
		name string
		data func(t *testing.T) []byte
		lim  Limits
		code string
		says string
	}{
		{"filepass_is_password_protected", func(t *testing.T) []byte {
			return xlsFile(t, xlsSpec{filepass: true, sheets: sheet})
		}, Limits{}, CodePasswordProtected, "文档加密"},
		{"biff5_is_legacy_xls", func(t *testing.T) []byte {
			return cfbFile(t, cfbStream{"Book", writeXLS(xlsSpec{version: 0x0500, sheets: sheet})})
		}, Limits{}, CodeLegacyXLS, "另存为 .xlsx"},
		{"biff5_version_in_workbook_stream_is_legacy_xls", func(t *testing.T) []byte {
			return xlsFile(t, xlsSpec{version: 0x0500, sheets: sheet})
		}, Limits{}, CodeLegacyXLS, "Excel 95"},
		{"encrypted_xlsx_container_is_password_protected", func(t *testing.T) []byte {
			return cfbFile(t, cfbStream{"EncryptionInfo", []byte{4, 0, 4, 0}}, cfbStream{"EncryptedPackage", make([]byte, 100)})
		}, Limits{}, CodePasswordProtected, "密码"},
		{"word_document_is_not_a_workbook", func(t *testing.T) []byte {
			return cfbFile(t, cfbStream{"WordDocument", make([]byte, 100)})
		}, Limits{}, CodeNotAWorkbook, "Word"},
		{"truncated_globals_are_bad_workbook", func(t *testing.T) []byte {
			s := writeXLS(xlsSpec{sst: []string{"a"}, sheets: sheet})
			return cfbFile(t, cfbStream{"Workbook", s[:40]})
		}, Limits{}, CodeBadWorkbook, "Workbook"},
		{"sst_over_count_is_too_complex", func(t *testing.T) []byte {
			return xlsFile(t, xlsSpec{sst: []string{"a", "b", "c"}, sheets: sheet})
		}, Limits{MaxSharedStrings: 2}, CodeTooComplex, "共享字符串（SST）超过 2 个上限"},
		{"sst_empty_strings_pay_overhead", func(t *testing.T) []byte {
			return xlsFile(t, xlsSpec{sst: make([]string, 10), sheets: sheet})
		}, Limits{MaxSharedStringBytes: 100}, CodeTooComplex, "每个字符串另计 16 字节"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data(t)
			_, err := OpenReader(bytes.NewReader(data), int64(len(data)), "a.xls", tt.lim)
			wantCode(t, err, tt.code)
			if !strings.Contains(err.Error(), tt.says) {
				t.Errorf("message %q lacks %q", err.Error(), tt.says)
			}
		})
	}
}

func TestXLSCaps(t *testing.T) {
	many := func(rows, cols int) func(b *biff) {
		return func(b *biff) {
			for r := 0; r < rows; r++ {
				for c := 0; c < cols; c++ {
					b.rec(recRK, rc(r, c, 0), rkInt(r*cols+c))
				}
			}
		}
	}
	tests := []struct {
		name        string
		body        func(b *biff)
		lim         Limits
		limit, says string
	}{
		{"rows", many(5, 1), Limits{MaxRows: 4}, "MaxRows", "工作表“S”超过 4 行上限"},
		{"cells_per_row", many(1, 5), Limits{MaxCellsPerRow: 4}, "MaxCellsPerRow", "第 1 行超过 4 个单元格上限"},
		{"blank_cells_per_row", func(b *biff) {
			b.rec(recMulBlank, le16(0), le16(0), le16(0), le16(0), le16(0), le16(0), le16(0), le16(0), le16(4))
		}, Limits{MaxCellsPerRow: 4}, "MaxCellsPerRow", "第 1 行"},
		{"repeated_cells_in_a_row", func(b *biff) {
			for i := 0; i < 10; i++ {
				b.rec(recRK, rc(0, 0, 0), rkInt(i))
			}
		}, Limits{MaxCellsPerRow: 4}, "MaxCellsPerRow", "第 1 行"},
		{"cells", many(3, 3), Limits{MaxCells: 8}, "MaxCells", "单元格总数超过 8 个上限"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := xlsFile(t, xlsSpec{sheets: []xlsSheetSpec{{name: "S", body: tt.body}}})
			_, err := readAll(data, "c.xls", "S", tt.lim)
			wantTooComplex(t, err, tt.limit, tt.says)
		})
	}
	t.Run("rows_back_to_back_cells_read", func(t *testing.T) {
		data := xlsFile(t, xlsSpec{sheets: []xlsSheetSpec{{name: "S", body: many(3, 3)}}})
		n, err := readAll(data, "c.xls", "S", Limits{MaxCells: 9, MaxRows: 3, MaxCellsPerRow: 3})
		if err != nil || n != 3 {
			t.Fatalf("rows %d, err %v", n, err)
		}
	})
}

// TestXLSDamaged reads broken sheets to an error or to the rows before the
// damage, never a panic or a silent loss.
func TestXLSDamaged(t *testing.T) {
	data := writeXLS(xlsSpec{sst: []string{"a"}, sheets: []xlsSheetSpec{{name: "S", body: func(b *biff) {
		b.rec(recLabelSST, rc(0, 0, 0), le32(0))
		b.rec(recLabelSST, rc(1, 0, 0), le32(5))
	}}}})
	t.Run("sst_index_out_of_range_is_bad_workbook", func(t *testing.T) {
		f := cfbFile(t, cfbStream{"Workbook", data})
		_, err := readAll(f, "d.xls", "S", Limits{})
		wantCode(t, err, CodeBadWorkbook)
	})
	t.Run("sheet_cut_short_is_bad_workbook", func(t *testing.T) {
		cut := data[:len(data)-10]
		f := cfbFile(t, cfbStream{"Workbook", append(cut, 0xFF, 0xFF, 0xFF)}) // padding follows: no EOF
		_, err := readAll(f, "d.xls", "S", Limits{})
		if err == nil {
			t.Fatal("no error")
		}
	})
}
