package synth

import (
	"archive/zip"
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/shouwang/shouwang/monitor"
)

// RosterColumns are the 30 column headers of the plain national-export
// layout that WriteRoster and WriteRosterCSV write: the header in row 1, then
// one row per member with the household columns repeated on every member
// row. 序号 and 风险2 of the national layout are left out to make room for
// 联系电话 and 是否参加城乡居民基本医疗保险; a household with two risks has
// both in 风险1, joined by "、".
var RosterColumns = []string{
	"乡镇", "村", "组", "户编号", "户主姓名", "联系电话", "家庭人口数", "户类型", "监测对象类别", "识别监测时间",
	"风险1", "风险是否消除", "工资性收入", "生产经营性收入", "财产性收入", "转移性收入", "生产经营性支出",
	"人均纯收入", "合规自付支出", "是否住房出现安全问题", "是否饮水出现安全问题",
	"姓名", "证件号码", "与户主关系", "性别", "健康状况", "劳动技能", "在校生状况", "务工时间(月)",
	"是否参加城乡居民基本医疗保险",
}

// RosterSheet is the name of the worksheet WriteRoster writes.
const RosterSheet = "花名册"

// The RosterColumns formatted as text (long digit strings that Excel would
// otherwise turn into numbers when a user retypes them), and column widths.
var (
	textColumns = []string{"户编号", "联系电话", "识别监测时间", "证件号码"}
	wideColumns = map[string]float64{"户编号": 19, "证件号码": 21, "联系电话": 13, "村": 12, "乡镇": 10}
)

// cellKind says how a roster value is written.
type cellKind int

const (
	kindBlank cellKind = iota
	kindText
	kindInt
	kindMoney
)

// cell is one roster value before it is written as xlsx or CSV.
type cell struct {
	kind  cellKind
	text  string
	num   int64
	money monitor.Money
}

func text(s string) cell {
	if s == "" {
		return cell{}
	}
	return cell{kind: kindText, text: s}
}

func yesNo(b bool) cell {
	if b {
		return cell{kind: kindText, text: "是"}
	}
	return cell{kind: kindText, text: "否"}
}

// householdCells fills the household part of a roster row (columns 0–20).
func householdCells(h *monitor.Household, row []cell) {
	var in monitor.Income
	if len(h.Incomes) > 0 {
		in = h.Incomes[0]
	}
	row[0], row[1], row[2] = text(h.Township), text(h.Village), text(h.Group)
	row[3], row[4], row[5] = text(h.Code), text(h.HeadName), text(h.Phone)
	row[6] = cell{kind: kindInt, num: int64(h.Size)}
	row[7], row[8], row[9] = text(h.Type), text(h.Category), text(h.IdentifiedIn.String())
	row[10], row[11] = text(strings.Join(h.Risks, "、")), cell{}
	if h.Monitored() {
		row[11] = yesNo(h.RiskEliminated)
	}
	for i, m := range []monitor.Money{in.Wage, in.Business, in.Property, in.Transfer, in.BusinessCost, in.PerCapita, in.MedicalOOP} {
		row[12+i] = cell{kind: kindMoney, money: m}
	}
	row[19], row[20] = yesNo(h.HousingUnsafe), yesNo(h.WaterUnsafe)
}

// memberCells fills the member part of a roster row (columns 21–29).
func memberCells(m *monitor.Member, row []cell) {
	row[21], row[22], row[23], row[24] = text(m.Name), text(m.IDNumber), text(m.Relation), text(m.Sex)
	row[25], row[26], row[27] = text(m.Health), text(m.LaborSkill), text(m.SchoolStatus)
	row[28] = cell{kind: kindInt, num: int64(m.WorkMonths)}
	row[29] = yesNo(m.MedicalInsured)
}

// eachRow calls fn with the cells of every member row, in order.
func eachRow(cfg Config, fn func(row []cell) error) (rows int, err error) {
	row := make([]cell, len(RosterColumns))
	err = Each(cfg, func(h *monitor.Household) error {
		householdCells(h, row)
		for i := range h.Members {
			memberCells(&h.Members[i], row)
			if err := fn(row); err != nil {
				return err
			}
			rows++
		}
		return nil
	})
	return rows, err
}

// moneyValue is an amount as an xlsx number: an integer for whole yuan, a
// float otherwise (e.g. 4333.5 or 4333.33 yuan per person).
func moneyValue(m monitor.Money) any {
	if m%100 == 0 {
		return int64(m / 100)
	}
	return m.Float()
}

// moneyText formats an amount in yuan without trailing zeros.
func moneyText(m monitor.Money) string {
	if m%100 == 0 {
		return strconv.FormatInt(int64(m/100), 10)
	}
	return strings.TrimRight(m.String(), "0")
}

// WriteRoster writes the households of cfg to w as an .xlsx roster in the
// RosterColumns layout: sheet RosterSheet, the header in row 1, one row per
// member. 户编号, ID numbers, phone numbers and 识别监测时间 are text cells in
// text-formatted columns; amounts (yuan) and counts are numbers; 是/否 are
// text. It streams (excelize StreamWriter over Each), so memory stays flat for
// 100,000 households and more. It returns the number of member rows written.
func WriteRoster(w io.Writer, cfg Config) (rows int, err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	if err := f.SetSheetName("Sheet1", RosterSheet); err != nil {
		return 0, err
	}
	sw, err := f.NewStreamWriter(RosterSheet)
	if err != nil {
		return 0, err
	}
	textStyle, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return 0, err
	}
	headStyle, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
	})
	if err != nil {
		return 0, err
	}
	for i, name := range RosterColumns {
		if wd, ok := wideColumns[name]; ok {
			if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
				return 0, err
			}
		}
		if slices.Contains(textColumns, name) {
			if err := sw.SetColStyle(i+1, i+1, textStyle); err != nil {
				return 0, err
			}
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return 0, err
	}
	header := make([]any, len(RosterColumns))
	for i, name := range RosterColumns {
		header[i] = name
	}
	if err := sw.SetRow("A1", header, excelize.RowOpts{StyleID: headStyle, Height: 30}); err != nil {
		return 0, err
	}

	values := make([]any, len(RosterColumns))
	rowNum := 1
	rows, err = eachRow(cfg, func(row []cell) error {
		for i, c := range row {
			switch c.kind {
			case kindBlank:
				values[i] = nil
			case kindText:
				values[i] = c.text
			case kindInt:
				values[i] = c.num
			case kindMoney:
				values[i] = moneyValue(c.money)
			}
		}
		if rowNum++; rowNum > excelize.TotalRows {
			return fmt.Errorf("synth: the roster has more than %d member rows, the most an .xlsx sheet holds; generate fewer households or use WriteRosterCSV", excelize.TotalRows-1)
		}
		return sw.SetRow("A"+strconv.Itoa(rowNum), values)
	})
	if err != nil {
		return rows, err
	}
	if err := sw.Flush(); err != nil {
		return rows, err
	}
	// File.WriteTo would build the whole compressed package in a buffer
	// first (about 0.4 KB per household); a zip writer of our own sends it
	// straight to w instead, so memory stays flat.
	bw := bufio.NewWriterSize(w, 256<<10)
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter {
		return zip.NewWriter(bw)
	})
	buf, err := f.WriteToBuffer()
	if err != nil {
		return rows, fmt.Errorf("synth: write roster: %w", err)
	}
	if buf.Len() > 0 {
		return rows, fmt.Errorf("synth: write roster: excelize wrote past the zip writer")
	}
	return rows, bw.Flush()
}

// WriteRosterCSV writes the same roster as WriteRoster as CSV: UTF-8 with a
// byte-order mark (so that Excel and WPS read the Chinese), the header line,
// then one line per member. It returns the number of member rows written.
func WriteRosterCSV(w io.Writer, cfg Config) (rows int, err error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString("\uFEFF"); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(bw)
	if err := cw.Write(RosterColumns); err != nil {
		return 0, err
	}
	record := make([]string, len(RosterColumns))
	rows, err = eachRow(cfg, func(row []cell) error {
		for i, c := range row {
			switch c.kind {
			case kindBlank:
				record[i] = ""
			case kindText:
				record[i] = c.text
			case kindInt:
				record[i] = strconv.FormatInt(c.num, 10)
			case kindMoney:
				record[i] = moneyText(c.money)
			}
		}
		return cw.Write(record)
	})
	if err != nil {
		return rows, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return rows, err
	}
	return rows, bw.Flush()
}
