package importer_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/shouwang/shouwang/importer"
	"github.com/shouwang/shouwang/monitor"
)

// writeGBKCSV writes records as a CSV file encoded in GBK, the way Chinese
// Excel and WPS save "CSV (逗号分隔)".
func writeGBKCSV(t *testing.T, name string, records [][]string) string {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(records); err != nil {
		t.Fatal(err)
	}
	data, err := simplifiedchinese.GBK.NewEncoder().Bytes(buf.Bytes())
	if err != nil {
		t.Fatalf("GBK encoding: %v", err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// csvColumns is a roster arranged another way: member columns first,
// household columns after, other aliases, a one-row header.
var csvColumns = []string{"序号", "姓名", "身份证号码", "与户主关系", "性别", "健康状况", "劳动技能", "在校生状况",
	"务工时间（月）", "是否参加城乡居民基本医疗保险", "户编号", "户主", "家庭人口数", "乡镇", "村", "组", "户类型",
	"监测对象类型", "纳入监测时间", "主要风险", "风险是否消除", "工资性收入", "生产经营性收入", "财产性收入", "转移性收入",
	"生产经营性支出", "人均纯收入", "合规自付支出", "是否住房出现安全问题", "是否饮水出现安全问题", "联系电话"}

// rosterRecords lays households out as CSV records under csvColumns, with
// household values on each household's first row only.
func rosterRecords(hs []monitor.ImportHousehold) [][]string {
	records := [][]string{{"东城街道监测对象花名册"}, {"统计截止时间：2022年12月31日"}, csvColumns}
	for i, ih := range hs {
		h := ih.Household
		for j, m := range h.Members {
			v := map[string]string{
				"姓名": m.Name, "身份证号码": m.IDNumber, "与户主关系": m.Relation, "性别": m.Sex, "健康状况": m.Health,
				"劳动技能": m.LaborSkill, "在校生状况": m.SchoolStatus, "务工时间（月）": strconv.Itoa(m.WorkMonths),
				"是否参加城乡居民基本医疗保险": yesNo(m.MedicalInsured),
			}
			if m.WorkMonths == 0 {
				v["务工时间（月）"] = ""
			}
			if j == 0 {
				v["序号"] = strconv.Itoa(i + 1)
				v["户编号"], v["户主"], v["家庭人口数"] = h.Code, h.HeadName, strconv.Itoa(h.Size)
				v["乡镇"], v["村"], v["组"], v["户类型"] = h.Township, h.Village, h.Group, h.Type
				v["监测对象类型"], v["纳入监测时间"], v["主要风险"] = h.Category, h.IdentifiedIn.String(), strings.Join(h.Risks, "、")
				v["风险是否消除"] = yesNo(h.RiskEliminated)
				if in := h.Incomes; len(in) > 0 {
					v["工资性收入"], v["生产经营性收入"], v["财产性收入"] = in[0].Wage.String(), in[0].Business.String(), in[0].Property.String()
					v["转移性收入"], v["生产经营性支出"], v["人均纯收入"] = in[0].Transfer.String(), in[0].BusinessCost.String(), in[0].PerCapita.String()
					v["合规自付支出"] = in[0].MedicalOOP.String()
				}
				v["是否住房出现安全问题"], v["是否饮水出现安全问题"], v["联系电话"] = yesNo(h.HousingUnsafe), yesNo(h.WaterUnsafe), h.Phone
			}
			rec := make([]string, len(csvColumns))
			for c, k := range csvColumns {
				rec[c] = v[k]
			}
			records = append(records, rec)
		}
	}
	return records
}

// registryView is what the registry keeps of a household, one line per
// fact, for comparing two imports.
func registryView(h *monitor.Household) []string {
	out := []string{
		"code " + h.Code,
		"place " + h.Township + "/" + h.Village + "/" + h.Group,
		"head " + h.HeadName + " " + h.HeadIDNumber,
		"size " + strconv.Itoa(h.Size),
		"type " + h.Type,
		"category " + h.Category,
		"identified " + h.IdentifiedIn.String(),
		"risks " + strings.Join(h.Risks, "、"),
		fmt.Sprintf("checks eliminated=%v housing=%v water=%v phone=%s", h.RiskEliminated, h.HousingUnsafe, h.WaterUnsafe, h.Phone),
	}
	for _, in := range h.Incomes {
		out = append(out, fmt.Sprintf("income %d wage=%s business=%s property=%s transfer=%s cost=%s net=%s per=%s oop=%s",
			in.Year, in.Wage, in.Business, in.Property, in.Transfer, in.BusinessCost, in.Net, in.PerCapita, in.MedicalOOP))
	}
	for _, m := range h.Members {
		out = append(out, fmt.Sprintf("member %s %s %s %s %s health=%s labor=%s school=%s months=%d insured=%v",
			m.IDNumber, m.Name, m.Relation, m.Sex, m.BirthDate, m.Health, m.LaborSkill, m.SchoolStatus, m.WorkMonths, m.MedicalInsured))
	}
	return out
}

// TestGBKCSVSameRegistry writes the valid households of the sample as a
// differently arranged GBK CSV and imports it to the same households.
func TestGBKCSVSameRegistry(t *testing.T) {
	sample := parseSample(t)
	if got, want := len(sample.Households), 94; got != want {
		t.Fatalf("sample gave %d valid households, want %d", got, want)
	}
	path := writeGBKCSV(t, "东城街道花名册.csv", rosterRecords(sample.Households))
	book := openBook(t, path)
	if got, want := book.Format(), "csv"; got != want {
		t.Fatalf("Format() = %q, want %q", got, want)
	}
	f := parseFile(t, path)
	t.Run("OK_Band", func(t *testing.T) {
		if got, want := f.Report.Sheet, "东城街道花名册"; got != want {
			t.Fatalf("Sheet = %q, want %q", got, want)
		}
		if got, want := f.Report.HeaderRows, []int{3}; len(got) != 1 || got[0] != want[0] {
			t.Fatalf("HeaderRows = %v, want %v", got, want)
		}
		if got, want := f.IDColumn, "身份证号码"; got != want {
			t.Fatalf("IDColumn = %q, want %q", got, want)
		}
	})
	t.Run("OK_NoIssues", func(t *testing.T) {
		// The sample has a sex that disagrees with the ID only in a rejected
		// household; the CSV carries the sex from the ID.
		noIssues(t, f)
	})
	t.Run("OK_SameHouseholds", func(t *testing.T) {
		if got, want := len(f.Households), len(sample.Households); got != want {
			t.Fatalf("%d households, want %d", got, want)
		}
		members := 0
		for i := range f.Households {
			got, want := registryView(f.Households[i].Household), registryView(sample.Households[i].Household)
			members += len(f.Households[i].Household.Members)
			if strings.Join(got, "\n") == strings.Join(want, "\n") {
				continue
			}
			for j := 0; j < max(len(got), len(want)); j++ {
				var g, w string
				if j < len(got) {
					g = got[j]
				}
				if j < len(want) {
					w = want[j]
				}
				if g != w {
					t.Fatalf("household %d (%s):\n got %s\nwant %s", i, want[0], g, w)
				}
			}
		}
		if got, want := members, 272; got != want {
			t.Fatalf("%d members, want %d", got, want)
		}
	})
}

// TestWriteErrorWorkbookCSV turns a CSV upload into a workbook with the bad
// cell marked and the result column.
func TestWriteErrorWorkbookCSV(t *testing.T) {
	records := [][]string{{"户编号", "户主", "乡镇", "村", "户类型", "姓名", "身份证号码", "与户主关系"}}
	records = append(records,
		[]string{codeH1, "陆华", "东城街道", "皂角井社区", "脱贫户", "陆华", idLuHua, "户主"},
		[]string{"", "", "", "", "", "向霞", idXiangXia[:17], "配偶"},
		[]string{codeH2, "梁光燕", "东城街道", "皂角井社区", "一般农户", "梁光燕", idLiang, "户主"},
	)
	path := writeGBKCSV(t, "roster.csv", records)
	book := openBook(t, path)
	f := parseFile(t, path)
	if got, want := strings.Join(codes(f), ","), codeH2; got != want {
		t.Fatalf("valid = %s, want %s:%s", got, want, issuesText(f.Report.Errors))
	}
	dst := filepath.Join(t.TempDir(), "roster_errors.xlsx")
	if err := importer.WriteErrorWorkbook(path, book, f, dst); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	comments, err := x.GetComments("roster")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(comments), 1; got != want {
		t.Fatalf("%d comments, want %d", got, want)
	}
	text := comments[0].Text
	for _, r := range comments[0].Paragraph {
		text += r.Text
	}
	if got, want := comments[0].Cell, "G3"; got != want {
		t.Fatalf("comment on %s, want %s", got, want)
	}
	if !strings.Contains(text, monitor.CodeIDFormat) {
		t.Fatalf("comment = %q, want %s", text, monitor.CodeIDFormat)
	}
	for cell, prefix := range map[string]string{"I1": importer.ResultHeader, "I2": "未导入", "I3": "未导入", "I4": "已通过校验", "F3": "向霞"} {
		if v, _ := x.GetCellValue("roster", cell); !strings.HasPrefix(v, prefix) {
			t.Fatalf("%s = %q, want %q…", cell, v, prefix)
		}
	}
}
