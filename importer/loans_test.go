package importer_test

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/shouwang/shouwang/importer"
	"github.com/shouwang/shouwang/monitor"
)

// loanHeader is the sample ledger's header row, with a few more columns.
var loanHeader = []any{"序号", "乡镇", "行政村", "户主姓名", "户主身份证号", "贷款人姓名", "贷款人身份证号", "与户主关系",
	"贷款金额(元)", "贷款期限（月）", "放款日期", "到期日期", "贷款利率（%）", "贷款金融机构", "贷款用途", "累计偿还本金（元）",
	"贷款余额(元)", "还款方式", "备注"}

// Column letters of loanHeader.
const (
	colBorrowerID = 7  // G
	colAmount     = 9  // I
	colIssue      = 11 // K
	colMaturity   = 12 // L
	colRepaid     = 16 // P
	colBalance    = 17 // Q
	colMode       = 18 // R
)

var (
	idMaHong = mkID("19911220", 147)
	idQin    = mkID("19570311", 987)
	idTanMei = mkID("19520427", 434)
)

// loanRow is a valid ledger row for the borrower; edit changes cells by
// 1-based column.
func loanRow(seq int, name, id string, edit map[int]any) []any {
	r := []any{seq, "东城街道", "灌坝社区", name, id, name, id, "户主", 50000, 36, dateCell{2021, 7, 6, ""}, dateCell{2024, 7, 6, ""},
		3.45, "重庆农村商业银行南川支行", "种植优质稻", 20000, 30000, nil, nil}
	for c, v := range edit {
		r[c-1] = v
	}
	return r
}

// parseLoanSheets writes sheets (the first is the ledger) and parses them.
func parseLoanSheets(t *testing.T, sheets ...sheetSpec) *importer.LoanFile {
	t.Helper()
	f, err := importer.ParseLoans(openBook(t, writeBook(t, bookSpec{sheets: sheets})), "台账.xlsx", parseOptions)
	if err != nil {
		t.Fatalf("ParseLoans: %v", err)
	}
	return f
}

// parseLoanRows parses a ledger titled like the sample with these rows.
func parseLoanRows(t *testing.T, header []any, rows ...[]any) *importer.LoanFile {
	t.Helper()
	grid := append([][]any{{"东城街道脱贫人口小额信贷台账"}, header}, rows...)
	return parseLoanSheets(t, sheetSpec{name: "小额信贷", rows: grid})
}

func issueWith(is []monitor.Issue, code string) (monitor.Issue, bool) {
	for _, x := range is {
		if x.Code == code {
			return x, true
		}
	}
	return monitor.Issue{}, false
}

func TestParseLoansSample(t *testing.T) {
	f, err := importer.ParseLoans(openBook(t, "../testdata/loans.xlsx"), "loans.xlsx", parseOptions)
	if err != nil {
		t.Fatal(err)
	}
	rep := f.Report
	if got, want := rep.Sheet, "脱贫人口小额信贷"; got != want {
		t.Fatalf("sheet = %q, want %q", got, want)
	}
	if len(rep.HeaderRows) != 1 || rep.HeaderRows[0] != 2 {
		t.Fatalf("header rows = %v, want [2]", rep.HeaderRows)
	}
	if len(rep.Errors) != 0 || len(rep.Warnings) != 0 {
		t.Fatalf("the sample parses cleanly (the unknown borrower is the store's to find): errors %v warnings %v", rep.Errors, rep.Warnings)
	}
	if got, want := *rep.Loans, (monitor.RecordCounts{InFile: 82}); got != want {
		t.Fatalf("counts = %+v, want %+v", got, want)
	}
	if got, want := len(f.Loans), 82; got != want {
		t.Fatalf("loans = %d, want %d", got, want)
	}
	byRow := map[int]importer.LoanRecord{}
	for _, l := range f.Loans {
		byRow[l.Row] = l
	}
	tests := []struct {
		name   string
		row    int
		issue  string
		repaid monitor.Money
	}{
		{"DateCell", 3, "2021-03-05", monitor.Yuan(50000)},
		{"DotText", 4, "2021-03-21", monitor.Yuan(50000)},
		{"ChineseText", 5, "2021-07-06", monitor.Yuan(20000)},
		{"NothingRepaid", 83, "2023-03-05", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := byRow[tt.row]
			if !ok {
				t.Fatalf("row %d not parsed", tt.row)
			}
			l := r.Loan
			if got := l.IssueDate.String(); got != tt.issue {
				t.Errorf("issue date = %s, want %s", got, tt.issue)
			}
			if got := principal(l.Repayments); got != tt.repaid {
				t.Errorf("repaid = %v, want %v", got, tt.repaid)
			}
			if !r.StatesRepayments {
				t.Errorf("the ledger states repayments (累计偿还本金), StatesRepayments = false")
			}
			if l.Product != monitor.ProductMicro || l.Mode != monitor.ModeInterestOnly || l.InterestEveryMonths != 3 {
				t.Errorf("product %q mode %q every %d, want the micro-loan defaults", l.Product, l.Mode, l.InterestEveryMonths)
			}
			if l.TermMonths != 36 || l.RatePct != 3.45 {
				t.Errorf("term %d rate %v", l.TermMonths, l.RatePct)
			}
		})
	}
	t.Run("SpouseBorrows", func(t *testing.T) {
		r := byRow[14]
		if r.Loan.BorrowerName != "秦平德" || r.Loan.Relation != "配偶" || r.HeadIDNumber != "500119195204274342" || r.Loan.BorrowerIDNumber != "500119195703119873" {
			t.Fatalf("row 14 = %+v", r)
		}
	})
	t.Run("OverCapKept", func(t *testing.T) {
		if got, want := byRow[83].Loan.Amount, monitor.Yuan(80000); got != want {
			t.Fatalf("row 83 amount = %v, want %v (above the cap, kept for the rules to flag)", got, want)
		}
	})
}

func principal(rs []monitor.Repayment) monitor.Money {
	var s monitor.Money
	for _, r := range rs {
		s += r.Principal
	}
	return s
}

func TestParseLoansAmountUnits(t *testing.T) {
	withAmount := func(h string) []any {
		hd := append([]any(nil), loanHeader...)
		hd[colAmount-1] = h
		return hd
	}
	tests := []struct {
		name    string
		title   string
		header  string
		value   any
		want    monitor.Money
		warning string
	}{
		{"Yuan", "", "贷款金额(元)", 50000, monitor.Yuan(50000), ""},
		{"WanYuanHeader", "", "贷款金额（万元）", 5, monitor.Yuan(50000), ""},
		{"WanYuanFraction", "", "贷款金额(万元)", "2.5", monitor.Yuan(25000), ""},
		{"WanYuanInCell", "", "贷款金额(元)", "5万元", monitor.Yuan(50000), ""},
		{"TitleUnit", "单位：万元", "贷款金额", 3, monitor.Yuan(30000), ""},
		{"NoUnitSmallFigure", "", "贷款金额", 3, monitor.Yuan(30000), "amount_unit_assumed"},
		{"NoUnitYuan", "", "贷款金额", 30000, monitor.Yuan(30000), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			grid := [][]any{{"东城街道脱贫人口小额信贷台账"}}
			if tt.title != "" {
				grid = append(grid, []any{tt.title})
			}
			grid = append(grid, withAmount(tt.header), loanRow(1, "马红", idMaHong, map[int]any{colAmount: tt.value, colRepaid: 0, colBalance: nil}))
			f := parseLoanSheets(t, sheetSpec{name: "台账", rows: grid})
			if len(f.Loans) != 1 {
				t.Fatalf("loans = %d, errors %v", len(f.Loans), f.Report.Errors)
			}
			if got := f.Loans[0].Loan.Amount; got != tt.want {
				t.Errorf("amount = %v, want %v", got, tt.want)
			}
			_, warned := issueWith(f.Report.Warnings, "amount_unit_assumed")
			if warned != (tt.warning != "") {
				t.Errorf("amount_unit_assumed warning = %v, want %v: %v", warned, tt.warning != "", f.Report.Warnings)
			}
		})
	}
}

func TestParseLoansDates(t *testing.T) {
	tests := []struct {
		name  string
		value any
		want  string
	}{
		{"Cell", dateCell{2021, 7, 24, ""}, "2021-07-24"},
		{"CellChineseFormat", dateCell{2021, 7, 24, `yyyy"年"m"月"d"日"`}, "2021-07-24"},
		{"Dots", "2021.7.24", "2021-07-24"},
		{"Chinese", "2021年3月27日", "2021-03-27"},
		{"Dashes", "2021-03-27", "2021-03-27"},
		{"Slashes", "2021/3/27", "2021-03-27"},
		{"Digits", "20210327", "2021-03-27"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := parseLoanRows(t, loanHeader, loanRow(1, "马红", idMaHong, map[int]any{colIssue: tt.value}))
			if len(f.Loans) != 1 {
				t.Fatalf("not parsed: %v", f.Report.Errors)
			}
			if got := f.Loans[0].Loan.IssueDate.String(); got != tt.want {
				t.Fatalf("issue date = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestParseLoansErrors(t *testing.T) {
	badCheck := idMaHong[:17] + string("0123456789X"[(strings.IndexByte("0123456789X", idMaHong[17])+1)%11])
	tests := []struct {
		name   string
		edit   map[int]any
		code   string
		column string
	}{
		{"ErrIDChecksum", map[int]any{colBorrowerID: badCheck}, monitor.CodeIDChecksum, "贷款人身份证号"},
		{"ErrIDNumeric", map[int]any{colBorrowerID: 500119199112201478.0}, monitor.CodeIDNumeric, "贷款人身份证号"},
		{"ErrIDFormat", map[int]any{colBorrowerID: idMaHong[:17]}, monitor.CodeIDFormat, "贷款人身份证号"},
		{"ErrAmountRequired", map[int]any{colAmount: nil}, monitor.CodeMissingRequired, "贷款金额(元)"},
		{"ErrIssueDateRequired", map[int]any{colIssue: nil}, monitor.CodeMissingRequired, "放款日期"},
		{"ErrDateFormat", map[int]any{colIssue: "2021.13.5"}, monitor.CodeDateFormat, "放款日期"},
		{"ErrNumberFormat", map[int]any{colAmount: "五万"}, monitor.CodeNumberFormat, "贷款金额(元)"},
		{"ErrNegativeAmount", map[int]any{colAmount: -50000}, monitor.CodeNegativeAmount, "贷款金额(元)"},
		{"ErrUnknownMode", map[int]any{colMode: "随借随还看心情"}, monitor.CodeUnknownValue, "还款方式"},
		{"ErrMaturityBeforeIssue", map[int]any{colMaturity: dateCell{2020, 1, 1, ""}}, "date_order", "到期日期"},
		{"ErrRepaidExceedsAmount", map[int]any{colRepaid: 60000, colBalance: nil}, "repaid_exceeds_amount", "累计偿还本金(元)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			good := loanRow(1, "秦平德", idQin, nil)
			f := parseLoanRows(t, loanHeader, good, loanRow(2, "马红", idMaHong, tt.edit))
			if got, want := len(f.Loans), 1; got != want {
				t.Fatalf("valid loans = %d, want %d (the good row only)", got, want)
			}
			if got := f.Report.Loans.Rejected; got != 1 {
				t.Fatalf("rejected = %d, want 1", got)
			}
			is, ok := issueWith(f.Report.Errors, tt.code)
			if !ok {
				t.Fatalf("no %s error: %v", tt.code, f.Report.Errors)
			}
			if is.Row != 4 || is.Sheet != "小额信贷" || is.Column != tt.column || is.Col == 0 || is.Message == "" {
				t.Fatalf("issue = %+v, want sheet 小额信贷 row 4 column %q with a message", is, tt.column)
			}
			if !strings.Contains(f.RowResults[4], is.Message) {
				t.Fatalf("row result = %q, want the message", f.RowResults[4])
			}
		})
	}
}

func TestParseLoansWarnings(t *testing.T) {
	f := parseLoanRows(t, loanHeader, loanRow(1, "马红", idMaHong, map[int]any{colBalance: 10000}))
	if len(f.Loans) != 1 {
		t.Fatalf("a warning must not reject the loan: %v", f.Report.Errors)
	}
	w, ok := issueWith(f.Report.Warnings, "balance_mismatch")
	if !ok || w.Row != 3 || w.Column != "贷款余额(元)" || !strings.Contains(w.Message, "30000.00") {
		t.Fatalf("balance_mismatch warning = %+v (warnings %v)", w, f.Report.Warnings)
	}
}

func TestParseLoansBorrowerColumns(t *testing.T) {
	t.Run("HeadBorrowsWithOneIDColumn", func(t *testing.T) {
		header := []any{"户主姓名", "身份证号", "贷款人姓名", "贷款金额（万元）", "放款日期", "贷款期限", "贷款余额"}
		f := parseLoanRows(t, header, []any{"马红", idMaHong, "马红", 5, "2021.7.6", "3年", 50000})
		if len(f.Loans) != 1 {
			t.Fatalf("errors %v", f.Report.Errors)
		}
		l := f.Loans[0].Loan
		if l.BorrowerIDNumber != idMaHong || l.TermMonths != 36 || l.Amount != monitor.Yuan(50000) || principal(l.Repayments) != 0 {
			t.Fatalf("loan = %+v", l)
		}
	})
	t.Run("ErrOtherBorrowerWithoutID", func(t *testing.T) {
		header := []any{"户主姓名", "身份证号", "贷款人姓名", "贷款金额", "放款日期", "到期日期"}
		f := parseLoanRows(t, header, []any{"谭美桂", idTanMei, "秦平德", 50000, "2021.5.28", "2024.5.28"})
		is, ok := issueWith(f.Report.Errors, monitor.CodeMissingRequired)
		if len(f.Loans) != 0 || !ok || !strings.Contains(is.Message, "秦平德") {
			t.Fatalf("loans %d, errors %v", len(f.Loans), f.Report.Errors)
		}
	})
	t.Run("BalanceOnlyMeansRepaid", func(t *testing.T) {
		header := []any{"贷款人姓名", "贷款人身份证号", "贷款金额(元)", "放款日期", "到期日期", "贷款余额(元)"}
		f := parseLoanRows(t, header, []any{"马红", idMaHong, 50000, "2021.7.6", "2024.7.6", 30000})
		if len(f.Loans) != 1 {
			t.Fatalf("errors %v", f.Report.Errors)
		}
		if got := principal(f.Loans[0].Loan.Repayments); got != monitor.Yuan(20000) {
			t.Fatalf("repaid = %v, want 20000 (amount − balance)", got)
		}
		if _, ok := issueWith(f.Report.Warnings, "repaid_from_balance"); !ok {
			t.Fatalf("no repaid_from_balance warning: %v", f.Report.Warnings)
		}
	})
	t.Run("ErrMissingIssueColumn", func(t *testing.T) {
		_, err := importer.ParseLoans(openBook(t, writeBook(t, bookSpec{sheets: []sheetSpec{{name: "台账", rows: [][]any{
			{"贷款人姓名", "贷款人身份证号", "贷款金额(元)", "到期日期"}, {"马红", idMaHong, 50000, "2024.7.6"}}}}})), "台账.xlsx", parseOptions)
		if monitor.ErrorCode(err) != monitor.EINVALID || !strings.Contains(monitor.ErrorMessage(err), "放款日期") {
			t.Fatalf("err = %v, want EINVALID naming 放款日期", err)
		}
	})
	t.Run("ErrNotALedger", func(t *testing.T) {
		_, err := importer.ParseLoans(openBook(t, "../testdata/households.xlsx"), "households.xlsx", parseOptions)
		if monitor.ErrorCode(err) != monitor.EINVALID || !strings.Contains(monitor.ErrorMessage(err), "贷款金额") {
			t.Fatalf("err = %v, want EINVALID naming 贷款金额", err)
		}
	})
}

// repaymentBook is a ledger of two loans (马红 twice, 秦平德 once) and a
// sheet of repayments.
func repaymentBook(t *testing.T, repayments ...[]any) *importer.LoanFile {
	t.Helper()
	ledger := [][]any{{"小额信贷台账"}, loanHeader,
		loanRow(1, "马红", idMaHong, map[int]any{colRepaid: 30000, colBalance: nil}),
		loanRow(2, "秦平德", idQin, map[int]any{colIssue: "2021.5.28", colMaturity: "2024.5.28", colRepaid: nil, colBalance: nil}),
		loanRow(3, "马红", idMaHong, map[int]any{colIssue: "2023.10.2", colMaturity: "2026.10.2", colAmount: 40000, colRepaid: nil, colBalance: nil}),
	}
	rows := append([][]any{{"贷款人姓名", "贷款人身份证号", "放款日期", "还款日期", "还款本金", "还款利息"}}, repayments...)
	return parseLoanSheets(t, sheetSpec{name: "台账", rows: ledger}, sheetSpec{name: "还款明细", rows: rows})
}

func TestParseLoansRepaymentSheet(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		f := repaymentBook(t,
			[]any{"马红", idMaHong, "2021.7.6", "2022.7.6", 10000, 1725},
			[]any{"马红", idMaHong, "2021-07-06", dateCell{2023, 7, 6, ""}, 10000, 1380},
			[]any{"秦平德", idQin, nil, "2023.5.28", 50000, 0})
		if len(f.Report.Errors) != 0 || len(f.Loans) != 3 || f.RepaymentSheet != "还款明细" {
			t.Fatalf("loans %d sheet %q errors %v", len(f.Loans), f.RepaymentSheet, f.Report.Errors)
		}
		ma := f.Loans[0].Loan
		if len(ma.Repayments) != 2 || ma.Repayments[1].Date.String() != "2023-07-06" || ma.Repayments[0].Interest != monitor.Yuan(1725) {
			t.Fatalf("马红's repayments = %+v", ma.Repayments)
		}
		w, ok := issueWith(f.Report.Warnings, "repaid_mismatch")
		if !ok || w.Row != 3 {
			t.Fatalf("the ledger says 30000 repaid, the sheet 20000: want a repaid_mismatch warning on row 3, got %v", f.Report.Warnings)
		}
		if got := principal(f.Loans[1].Loan.Repayments); got != monitor.Yuan(50000) || !f.Loans[1].StatesRepayments {
			t.Fatalf("秦平德 repaid %v", got)
		}
		if f.Loans[2].Loan.Repayments != nil && len(f.Loans[2].Loan.Repayments) != 0 {
			t.Fatalf("马红's second loan got repayments: %+v", f.Loans[2].Loan.Repayments)
		}
	})
	t.Run("ErrAmbiguousLoan", func(t *testing.T) {
		f := repaymentBook(t, []any{"马红", idMaHong, nil, "2022.7.6", 10000, 0})
		is, ok := issueWith(f.Report.Errors, "ambiguous_loan")
		if !ok || is.Sheet != "还款明细" || is.Row != 2 || is.Column != "贷款人身份证号" || is.Col != 2 {
			t.Fatalf("issue = %+v, errors %v", is, f.Report.Errors)
		}
		if len(f.Loans) != 3 {
			t.Fatalf("a repayment matching no loan rejects no loan: %d", len(f.Loans))
		}
	})
	t.Run("ErrLoanNotFound", func(t *testing.T) {
		f := repaymentBook(t, []any{"谭美桂", idTanMei, nil, "2022.7.6", 10000, 0})
		if is, ok := issueWith(f.Report.Errors, "loan_not_found"); !ok || is.Row != 2 || is.Sheet != "还款明细" {
			t.Fatalf("errors %v", f.Report.Errors)
		}
	})
	t.Run("ErrBadRepaymentRejectsItsLoan", func(t *testing.T) {
		f := repaymentBook(t,
			[]any{"秦平德", idQin, nil, "2023.5.28", 20000, 0},
			[]any{"秦平德", idQin, nil, "2023.15.28", 30000, 0})
		if is, ok := issueWith(f.Report.Errors, monitor.CodeDateFormat); !ok || is.Sheet != "还款明细" || is.Row != 3 {
			t.Fatalf("errors %v", f.Report.Errors)
		}
		is, ok := issueWith(f.Report.Errors, "repayment_rejected")
		if !ok || is.Sheet != "台账" || is.Row != 4 || len(f.Loans) != 2 || f.Report.Loans.Rejected != 1 {
			t.Fatalf("loans %d, rejected %d, errors %v", len(f.Loans), f.Report.Loans.Rejected, f.Report.Errors)
		}
	})
	t.Run("ErrorWorkbookMarksBothSheets", func(t *testing.T) {
		grid := [][]any{{"小额信贷台账"}, loanHeader,
			loanRow(1, "马红", idMaHong, nil),
			loanRow(2, "秦平德", idQin, map[int]any{colAmount: "五万"})}
		rows := [][]any{{"贷款人身份证号", "还款日期", "还款本金"}, {idMaHong, "2022.7.6", 10000}, {idTanMei, "2022.7.6", 10000}}
		src := writeBook(t, bookSpec{sheets: []sheetSpec{{name: "台账", rows: grid}, {name: "还款明细", rows: rows}}})
		book := openBook(t, src)
		f, err := importer.ParseLoans(book, "台账.xlsx", parseOptions)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(t.TempDir(), "errors.xlsx")
		if err := importer.WriteRecordErrorWorkbook(src, book, &f.RecordFile, dst); err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenFile(dst)
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		cell := func(sheet, ref string) string {
			v, _ := x.GetCellValue(sheet, ref)
			return v
		}
		lastLedger, _ := excelize.ColumnNumberToName(len(loanHeader) + 1)
		if got := cell("台账", lastLedger+"2"); got != importer.ResultHeader {
			t.Fatalf("ledger result header = %q", got)
		}
		if got := cell("台账", lastLedger+"3"); got != "已通过校验" {
			t.Errorf("row 3 result = %q", got)
		}
		if got := cell("台账", lastLedger+"4"); !strings.HasPrefix(got, "未导入：") || strings.Count(got, "未导入") != 1 {
			t.Errorf("row 4 result = %q", got)
		}
		if got := cell("还款明细", "D1"); got != importer.ResultHeader {
			t.Fatalf("repayment result header = %q", got)
		}
		if got := cell("还款明细", "D3"); !strings.Contains(got, "没有与这条还款对应的贷款") {
			t.Errorf("repayment row 3 result = %q", got)
		}
		cs, _ := x.GetComments("还款明细")
		if len(cs) != 1 || cs[0].Cell != "A3" {
			t.Errorf("repayment comments = %+v, want one on A3", cs)
		}
	})
}

func TestParseLoansGBKCSV(t *testing.T) {
	path := writeGBKCSV(t, "小额信贷台账.csv", [][]string{
		{"贷款人姓名", "贷款人身份证号", "贷款金额（万元）", "贷款期限", "放款日期", "到期日期", "累计偿还本金（万元）", "还款时间", "贷款产品"},
		{"马红", idMaHong, "5", "36", "2021/7/6", "2024/7/6", "2", "2023年5月1日", "创业担保贷款"},
	})
	f, err := importer.ParseLoans(openBook(t, path), "小额信贷台账.csv", parseOptions)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Loans) != 1 {
		t.Fatalf("errors %v", f.Report.Errors)
	}
	l := f.Loans[0].Loan
	if l.Amount != monitor.Yuan(50000) || l.Product != monitor.ProductStartup || len(l.Repayments) != 1 ||
		l.Repayments[0].Principal != monitor.Yuan(20000) || l.Repayments[0].Date != (monitor.Date{Year: 2023, Month: 5, Day: 1}) {
		t.Fatalf("loan = %+v", l)
	}
}

func TestParseLoansTwoRowHeaderAndTotals(t *testing.T) {
	grid := [][]any{
		{"东城街道脱贫人口小额信贷台账"},
		{"填报单位：东城街道", nil, nil, "单位：万元"},
		{"序号", "贷款人情况", nil, "贷款情况", nil, nil, nil, "还款情况", nil},
		{nil, "贷款人姓名", "贷款人身份证号", "贷款金额", "放款日期", "到期日期", "贷款利率", "累计偿还本金", "还款时间"},
		{1, "马红", idMaHong, 5, "2021.7.6", "2024.7.6", "3.45%", 2, "2023.1.5"},
		nil,
		{2, "秦平德", idQin, 4.5, "2021.5.28", "2024.5.28", 0.0345, nil, nil},
		{"合计", nil, nil, 9.5},
		{"填表人：张三", nil, nil, nil, "联系电话：13912345678"},
	}
	f := parseLoanSheets(t, sheetSpec{name: "台账", rows: grid, merges: []string{"B3:C3", "D3:G3", "H3:I3", "A3:A4"}})
	if len(f.Report.Errors) != 0 || len(f.Loans) != 2 || f.Report.Loans.InFile != 2 {
		t.Fatalf("loans %d counts %+v errors %v", len(f.Loans), f.Report.Loans, f.Report.Errors)
	}
	if got := f.Report.HeaderRows; len(got) != 2 || got[0] != 3 || got[1] != 4 {
		t.Fatalf("header rows = %v", got)
	}
	a, b := f.Loans[0].Loan, f.Loans[1].Loan
	if a.Amount != monitor.Yuan(50000) || principal(a.Repayments) != monitor.Yuan(20000) || a.RatePct != 3.45 || a.TermMonths != 36 {
		t.Errorf("row 5 = %+v", a)
	}
	if b.Amount != monitor.Yuan(45000) || b.RatePct != 3.45 || len(b.Repayments) != 0 {
		t.Errorf("row 7 = %+v", b)
	}
	for _, row := range []int{8, 9} {
		if got := f.RowResults[row]; !strings.HasPrefix(got, "非数据行") {
			t.Errorf("row %d result = %q", row, got)
		}
	}
}

// TestParseLoansChunks: a ledger without a repayment sheet hands every
// accepted loan to Options.LoanChunks as it is parsed, in file order, and
// the chunks are exactly LoanFile.Loans; one with a repayment sheet (whose
// rows may still reject a loan) is not handed on.
func TestParseLoansChunks(t *testing.T) {
	var got []importer.LoanRecord
	opt := parseOptions
	opt.LoanChunks = func(sheet string, loans []importer.LoanRecord, errors int) {
		if sheet != "脱贫人口小额信贷" && sheet != "台账" {
			t.Errorf("chunk of sheet %q", sheet)
		}
		got = append(got, loans...)
	}
	f, err := importer.ParseLoans(openBook(t, "../testdata/loans.xlsx"), "loans.xlsx", opt)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Streamed || len(f.Loans) == 0 || !reflect.DeepEqual(got, f.Loans) {
		t.Fatalf("streamed %v: %d loans handed on, %d parsed", f.Streamed, len(got), len(f.Loans))
	}
	got = nil
	ledger := [][]any{{"小额信贷台账"}, loanHeader, loanRow(1, "马红", idMaHong, map[int]any{colRepaid: nil, colBalance: nil})}
	repayments := [][]any{{"贷款人姓名", "贷款人身份证号", "放款日期", "还款日期", "还款本金", "还款利息"}, {"马红", idMaHong, nil, "2022.7.6", 10000, 0}}
	book := writeBook(t, bookSpec{sheets: []sheetSpec{{name: "台账", rows: ledger}, {name: "还款明细", rows: repayments}}})
	f, err = importer.ParseLoans(openBook(t, book), "台账.xlsx", opt)
	if err != nil {
		t.Fatal(err)
	}
	if f.Streamed || len(got) != 0 || f.RepaymentSheet == "" || len(f.Loans) == 0 {
		t.Fatalf("with a repayment sheet: streamed %v, %d handed on, sheet %q, %d loans", f.Streamed, len(got), f.RepaymentSheet, len(f.Loans))
	}
}
