package importer_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/shouwang/shouwang/importer"
	"github.com/shouwang/shouwang/monitor"
)

const (
	codeH1 = "5001190001000100"
	codeH2 = "5001190001000101"
	codeH3 = "5001190002000102"
)

// issueAt returns the issue with the code at the row.
func issueAt(is []monitor.Issue, row int, code string) (monitor.Issue, bool) {
	for _, i := range is {
		if i.Row == row && i.Code == code {
			return i, true
		}
	}
	return monitor.Issue{}, false
}

// wantRejected checks that exactly the households rejected are missing from
// the valid ones, are listed as rejected, and have every row marked.
func wantRejected(t *testing.T, f *importer.HouseholdFile, b built, rejected ...int) {
	t.Helper()
	all := []string{codeH1, codeH2, codeH3}
	var valid, gone []string
	for i, c := range all {
		if slices.Contains(rejected, i) {
			gone = append(gone, c)
			for _, r := range b.rows[i] {
				if got := f.RowResults[r]; !strings.HasPrefix(got, "整户未导入") {
					t.Fatalf("RowResults[%d] = %q, want 整户未导入…", r, got)
				}
			}
			continue
		}
		valid = append(valid, c)
		for _, r := range b.rows[i] {
			if got, isData := f.RowResults[r], slices.Contains(f.DataRows, int32(r)); !isData || got != "" {
				t.Fatalf("row %d: result %q (data row %v), want accepted", r, got, isData)
			}
		}
	}
	if got, want := strings.Join(codes(f), ","), strings.Join(valid, ","); got != want {
		t.Fatalf("valid households = %s, want %s", got, want)
	}
	if got, want := strings.Join(f.Report.RejectedHouseholds, ","), strings.Join(gone, ","); got != want {
		t.Fatalf("RejectedHouseholds = %s, want %s", got, want)
	}
	if got, want := f.Report.Households.Rejected, len(rejected); got != want {
		t.Fatalf("Households.Rejected = %d, want %d", got, want)
	}
	if got, want := f.Report.Households.InFile, 3; got != want {
		t.Fatalf("Households.InFile = %d, want %d", got, want)
	}
}

// TestErrors rejects a household for each kind of error, names the cell,
// and keeps the other households.
func TestErrors(t *testing.T) {
	badCheck := idQianMin[:17] + string("0123456789"[(strings.IndexByte("0123456789", idQianMin[17])+1)%10])
	if idQianMin[17] == 'X' {
		badCheck = idQianMin[:17] + "0"
	}
	tests := []struct {
		name     string
		edit     func(hs []household)
		member   [2]int // household, member whose row carries the issue
		column   string
		code     string
		value    string
		rejected int
	}{
		{name: "ErrIDChecksum", edit: func(hs []household) { hs[2].members[1].id = badCheck },
			member: [2]int{2, 1}, column: "证件号码", code: monitor.CodeIDChecksum, value: badCheck, rejected: 2},
		{name: "ErrIDNumeric", edit: func(hs []household) { hs[0].members[1].id = int64(500119197609282000) },
			member: [2]int{0, 1}, column: "证件号码", code: monitor.CodeIDNumeric, value: "500119197609282000", rejected: 0},
		{name: "ErrIDNumericScientific", edit: func(hs []household) { hs[0].members[1].id = "5.00119E+17" },
			member: [2]int{0, 1}, column: "证件号码", code: monitor.CodeIDNumeric, value: "5.00119E+17", rejected: 0},
		{name: "ErrIDFormat", edit: func(hs []household) { hs[1].members[0].id = idLiang[:17] },
			member: [2]int{1, 0}, column: "证件号码", code: monitor.CodeIDFormat, value: idLiang[:17], rejected: 1},
		{name: "ErrNegativeAmount", edit: func(hs []household) { hs[1].transfer = -600 },
			member: [2]int{1, 0}, column: "转移性收入", code: monitor.CodeNegativeAmount, value: "-600", rejected: 1},
		{name: "ErrUnknownCategory", edit: func(hs []household) { hs[2].category = "困难户" },
			member: [2]int{2, 0}, column: "监测对象类别", code: monitor.CodeUnknownValue, value: "困难户", rejected: 2},
		{name: "ErrUnknownRelation", edit: func(hs []household) { hs[2].members[2].rel = "邻居" },
			member: [2]int{2, 2}, column: "与户主关系", code: monitor.CodeUnknownValue, value: "邻居", rejected: 2},
		{name: "ErrMissingName", edit: func(hs []household) { hs[0].members[1].name = "" },
			member: [2]int{0, 1}, column: "姓名", code: monitor.CodeMissingRequired, rejected: 0},
		{name: "ErrMissingID", edit: func(hs []household) { hs[2].members[2].id = nil },
			member: [2]int{2, 2}, column: "证件号码", code: monitor.CodeMissingRequired, rejected: 2},
		{name: "ErrDateFormat", edit: func(hs []household) { hs[2].identified = "去年三月" },
			member: [2]int{2, 0}, column: "识别监测时间", code: monitor.CodeDateFormat, value: "去年三月", rejected: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, b := parseEdited(t, layout{}, tt.edit)
			row := b.rows[tt.member[0]][tt.member[1]]
			is, ok := issueAt(f.Report.Errors, row, tt.code)
			if !ok {
				t.Fatalf("no %s error at row %d; errors:%s", tt.code, row, issuesText(f.Report.Errors))
			}
			if got, want := is.Row, row; got != want {
				t.Fatalf("Row = %d, want %d", got, want)
			}
			if got, want := is.Column, tt.column; got != want {
				t.Fatalf("Column = %q, want %q", got, want)
			}
			if got, want := is.Col, (layout{}).colOf(tt.column); got != want {
				t.Fatalf("Col = %d, want %d", got, want)
			}
			if got, want := is.Code, tt.code; got != want {
				t.Fatalf("Code = %q, want %q", got, want)
			}
			if got, want := strings.TrimSpace(is.Value), tt.value; got != want {
				t.Fatalf("Value = %q, want %q", got, want)
			}
			if got, want := is.Sheet, "花名册"; got != want {
				t.Fatalf("Sheet = %q, want %q", got, want)
			}
			if is.Message == "" {
				t.Fatal("empty Message")
			}
			if got, want := len(f.Report.Errors), 1; got != want {
				t.Fatalf("%d errors, want %d:%s", got, want, issuesText(f.Report.Errors))
			}
			wantRejected(t, f, b, tt.rejected)
		})
	}
}

// TestDuplicateID reports an ID found in two households on both rows, each
// naming the other, and rejects both households.
func TestDuplicateID(t *testing.T) {
	for _, style := range []string{repeated, firstRow, merged} {
		t.Run("ErrIDDuplicate_"+style, func(t *testing.T) {
			f, b := parseEdited(t, layout{style: style}, func(hs []household) {
				hs[2].members[1].id = " " + idXiangXia // the same person, typed with a space
			})
			r1, r2 := b.rows[0][1], b.rows[2][1]
			for _, p := range [][2]int{{r1, r2}, {r2, r1}} {
				is, ok := issueAt(f.Report.Errors, p[0], monitor.CodeIDDuplicate)
				if !ok {
					t.Fatalf("no id_duplicate at row %d; errors:%s", p[0], issuesText(f.Report.Errors))
				}
				if got, want := is.Column, "证件号码"; got != want {
					t.Fatalf("Column = %q, want %q", got, want)
				}
				if got, want := is.Value, idXiangXia; got != want {
					t.Fatalf("Value = %q, want %q", got, want)
				}
				if other := "第 " + strconv.Itoa(p[1]) + " 行"; !strings.Contains(is.Message, other) {
					t.Fatalf("message at row %d does not name %s: %s", p[0], other, is.Message)
				}
				if strings.Contains(is.Message, idXiangXia) {
					t.Fatalf("message shows the full ID number: %s", is.Message)
				}
			}
			if got, want := len(f.Report.Errors), 2; got != want {
				t.Fatalf("%d errors, want %d:%s", got, want, issuesText(f.Report.Errors))
			}
			wantRejected(t, f, b, 0, 2)
		})
	}
}

// TestMissingCode rejects the rows of a household whose first row has no
// 户编号, without touching the household above it.
func TestMissingCode(t *testing.T) {
	for _, style := range []string{repeated, firstRow, merged} {
		t.Run("ErrMissingCode_"+style, func(t *testing.T) {
			hs := fixture()
			noCode := household{code: nil, township: "东城街道", village: "皂角井社区", group: "7组", head: "周强", size: 2,
				typ: "一般农户", wage: 20000, business: 0, property: 0, transfer: 0, cost: 0, perHead: 10000, housing: "否", water: "否",
				members: []member{
					{name: "周强", id: mkID("19700101", 11), rel: "户主", sex: "男", labor: "普通劳动力", insured: "是"},
					{name: "李兰", id: mkID("19720202", 22), rel: "配偶", sex: "女", labor: "普通劳动力", insured: "是"},
				}}
			hs = []household{hs[0], noCode, hs[1], hs[2]}
			b := layout{style: style}.build(hs)
			f := parseGrid(t, b.sheet)
			first := b.rows[1][0]
			is, ok := issueAt(f.Report.Errors, first, monitor.CodeMissingRequired)
			if !ok {
				t.Fatalf("no missing_required at row %d; errors:%s", first, issuesText(f.Report.Errors))
			}
			if got, want := is.Column, "户编号"; got != want {
				t.Fatalf("Column = %q, want %q", got, want)
			}
			if got, want := is.Col, 5; got != want {
				t.Fatalf("Col = %d, want %d", got, want)
			}
			if got, want := strings.Join(codes(f), ","), strings.Join([]string{codeH1, codeH2, codeH3}, ","); got != want {
				t.Fatalf("valid households = %s, want %s", got, want)
			}
			// The household above keeps its own two members and nothing else.
			h1 := f.Households[0]
			if got, want := h1.MemberRows, b.rows[0]; !slices.Equal(got, want) {
				t.Fatalf("household %s MemberRows = %v, want %v (rows of the household without 户编号 were added to it)", codeH1, got, want)
			}
			for _, r := range b.rows[1] {
				if got := f.RowResults[r]; got == "" {
					t.Fatalf("RowResults[%d] = %q, want not imported", r, got)
				}
			}
			for _, w := range f.Report.Warnings {
				if w.Household == codeH1 {
					t.Fatalf("warning on %s:%s", codeH1, issuesText([]monitor.Issue{w}))
				}
			}
		})
	}
}

// TestMemberWithoutNameOrID rejects a household with a member row that has
// member values (relation, sex, labour) but neither name nor ID number,
// rather than dropping the member.
func TestMemberWithoutNameOrID(t *testing.T) {
	tests := []struct {
		name   string
		style  string
		member [2]int
	}{
		{name: "ErrMissingRequired_OnlyMember", style: repeated, member: [2]int{1, 0}},
		{name: "ErrMissingRequired_FirstRow", style: firstRow, member: [2]int{2, 0}},
		{name: "ErrMissingRequired_LaterRow", style: firstRow, member: [2]int{2, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, b := parseEdited(t, layout{style: tt.style}, func(hs []household) {
				m := &hs[tt.member[0]].members[tt.member[1]]
				m.name, m.id = "", nil
			})
			row := b.rows[tt.member[0]][tt.member[1]]
			if _, ok := issueAt(f.Report.Errors, row, monitor.CodeMissingRequired); !ok {
				t.Fatalf("no missing_required error at row %d; errors:%s\nwarnings:%s", row, issuesText(f.Report.Errors), issuesText(f.Report.Warnings))
			}
			wantRejected(t, f, b, tt.member[0])
		})
	}
}

// TestWarnings keeps households whose stated figures disagree, with a
// warning on the cell.
func TestWarnings(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(hs []household)
		member [2]int
		column string
		code   string
		check  func(t *testing.T, h *monitor.Household)
	}{
		{name: "WarnIncomeMismatch", edit: func(hs []household) { hs[0].perHead = 25000 },
			member: [2]int{0, 0}, column: "人均纯收入", code: monitor.CodeIncomeMismatch,
			check: func(t *testing.T, h *monitor.Household) {
				if got, want := h.Incomes[0].PerCapita, monitor.Yuan(20000); got != want {
					t.Fatalf("PerCapita = %s, want %s (computed)", got, want)
				}
			}},
		{name: "WarnSizeMismatch", edit: func(hs []household) { hs[0].size, hs[0].perHead = 3, nil },
			member: [2]int{0, 0}, column: "人口数", code: monitor.CodeSizeMismatch,
			check: func(t *testing.T, h *monitor.Household) {
				if got, want := len(h.Members), 2; got != want {
					t.Fatalf("%d members, want %d", got, want)
				}
			}},
		{name: "WarnSexMismatch", edit: func(hs []household) { hs[0].members[1].sex = "男" },
			member: [2]int{0, 1}, column: "性别", code: monitor.CodeSexMismatch,
			check: func(t *testing.T, h *monitor.Household) {
				if got, want := h.Members[1].Sex, "女"; got != want {
					t.Fatalf("Sex = %q, want %q (from the ID)", got, want)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, b := parseEdited(t, layout{}, tt.edit)
			noIssues(t, f, tt.code)
			row := b.rows[tt.member[0]][tt.member[1]]
			is, ok := issueAt(f.Report.Warnings, row, tt.code)
			if !ok {
				t.Fatalf("no %s warning at row %d; warnings:%s", tt.code, row, issuesText(f.Report.Warnings))
			}
			if got, want := is.Column, tt.column; got != want {
				t.Fatalf("Column = %q, want %q", got, want)
			}
			if got, want := is.Household, codeH1; got != want {
				t.Fatalf("Household = %q, want %q", got, want)
			}
			wantRejected(t, f, b)
			h, _ := find(f, codeH1)
			tt.check(t, h)
		})
	}
}

// TestRowsNotContiguous: a household whose rows come back after another
// household's keeps every member, with a warning.
func TestRowsNotContiguous(t *testing.T) {
	grid := [][]any{
		{"乡镇", "村", "户编号", "户主姓名", "户类型", "姓名", "证件号码", "与户主关系"},
		{"东城街道", "皂角井社区", "1001", "陆华", "脱贫户", "陆华", "500119195610231938", "户主"},
		{"东城街道", "皂角井社区", "1002", "田宇", "一般农户", "田宇", "500119195403231791", "户主"},
		{"", "", "", "", "", "", "", ""},
		{"东城街道", "皂角井社区", "1001", "陆华", "脱贫户", "向霞", "500119195608312405", "配偶"},
		{"", "", "", "", "", "夏荣", "500119192910232138", "父亲"},
	}
	f := parseGrid(t, sheetSpec{rows: grid})
	if len(f.Report.Errors) != 0 || len(f.Households) != 2 {
		t.Fatalf("errors %v, households %d", f.Report.Errors, len(f.Households))
	}
	if got := len(f.Households[0].Household.Members); got != 3 {
		t.Fatalf("household 1001 has %d members, want 3", got)
	}
	found := false
	for _, w := range f.Report.Warnings {
		found = found || (w.Code == "rows_not_contiguous" && w.Row == 5)
	}
	if !found {
		t.Fatalf("no rows_not_contiguous warning on row 5: %+v", f.Report.Warnings)
	}
}
