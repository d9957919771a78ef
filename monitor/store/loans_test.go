package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/store/storetest"
)

const (
	idLuHua   = "500119195610231938"
	idXiangXa = "500119195608312405"
	idTianYu  = "500119195403231791"
	idNobody  = "500119196803150215"
)

// seedHouseholds registers 1001 (陆华 and his wife 向霞) and 1002 (田宇).
func seedHouseholds(t *testing.T, db *store.DB) {
	t.Helper()
	spouse := monitor.Member{IDNumber: idXiangXa, Name: "向霞", Relation: "配偶", Sex: "女", MedicalInsured: true}
	h2 := household("1002", "田宇", idTianYu)
	h2.Household.Village = "长亭社区"
	if rep := run(t, db, store.ImportOptions{}, household("1001", "陆华", idLuHua, spouse), h2); !rep.Committed {
		t.Fatalf("seed: %+v", rep.Errors)
	}
}

func day(y, m, d int) monitor.Date { return monitor.Date{Year: y, Month: m, Day: d} }

// ledgerLoan is a micro-loan of a ledger row: 50,000 yuan for 36 months.
func ledgerLoan(row int, id, name string, issue monitor.Date, repaid monitor.Money) store.LoanImport {
	l := monitor.Loan{BorrowerIDNumber: id, BorrowerName: name, Product: monitor.ProductMicro, Bank: "重庆农村商业银行",
		Amount: monitor.Yuan(50000), TermMonths: 36, IssueDate: issue, MaturityDate: day(issue.Year+3, issue.Month, issue.Day),
		RatePct: 3.45, Purpose: "种植花椒", Mode: monitor.ModeInterestOnly, InterestEveryMonths: 3, Repayments: []monitor.Repayment{}}
	if repaid > 0 {
		l.Repayments = []monitor.Repayment{{Principal: repaid}}
	}
	return store.LoanImport{Loan: l, Row: row, IDColumn: "贷款人身份证号", StatesRepayments: true}
}

func importLoans(t *testing.T, db *store.DB, opt store.ImportOptions, batch ...store.LoanImport) *monitor.ImportReport {
	t.Helper()
	rep := &monitor.ImportReport{Kind: monitor.KindLoans, Sheet: "台账", Loans: &monitor.RecordCounts{InFile: len(batch)}}
	if opt.Actor == "" {
		opt.Actor = "测试"
	}
	opt.Sheet = "台账"
	if err := db.ImportLoans(context.Background(), rep, batch, opt); err != nil {
		t.Fatal(err)
	}
	return rep
}

func findLoans(t *testing.T, db *store.DB, f store.LoanFilter) []store.LoanRecord {
	t.Helper()
	ls, err := db.FindLoans(context.Background(), store.Everywhere, f)
	if err != nil {
		t.Fatal(err)
	}
	return ls
}

func hasIssue(is []monitor.Issue, code string, row int) bool {
	for _, x := range is {
		if x.Code == code && (row == 0 || x.Row == row) {
			return true
		}
	}
	return false
}

func TestImportLoans(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seedHouseholds(t, db)
		good := func() store.LoanImport { return ledgerLoan(3, idLuHua, "陆华", day(2021, 7, 6), monitor.Yuan(20000)) }
		stranger := ledgerLoan(4, idNobody, "陌生人", day(2022, 9, 9), 0)

		t.Run("DryRunWritesNothing", func(t *testing.T) {
			rep := importLoans(t, db, store.ImportOptions{DryRun: true}, good())
			if rep.Committed || rep.Loans.Created != 1 || len(findLoans(t, db, store.LoanFilter{})) != 0 {
				t.Fatalf("dry run: committed %v counts %+v", rep.Committed, rep.Loans)
			}
		})
		t.Run("ErrBorrowerNotFoundWritesNothing", func(t *testing.T) {
			rep := importLoans(t, db, store.ImportOptions{}, good(), stranger)
			if rep.Committed || len(findLoans(t, db, store.LoanFilter{})) != 0 {
				t.Fatalf("all-or-nothing: committed %v", rep.Committed)
			}
			if len(rep.Errors) != 1 {
				t.Fatalf("errors = %v", rep.Errors)
			}
			e := rep.Errors[0]
			if e.Code != store.CodeBorrowerNotFound || e.Row != 4 || e.Column != "贷款人身份证号" || e.Value != idNobody || !strings.Contains(e.Message, "第 4 行") {
				t.Fatalf("issue = %+v", e)
			}
			if got, want := *rep.Loans, (monitor.RecordCounts{InFile: 2, Created: 1, Rejected: 1}); got != want {
				t.Fatalf("counts = %+v, want %+v", got, want)
			}
		})
		t.Run("SkipInvalidWritesTheRest", func(t *testing.T) {
			rep := importLoans(t, db, store.ImportOptions{SkipInvalid: true, SHA256: "ledger-1"}, good(), stranger)
			if !rep.Committed || rep.Loans.Created != 1 || rep.Loans.Rejected != 1 || len(rep.Touched) != 1 {
				t.Fatalf("committed %v counts %+v touched %v", rep.Committed, rep.Loans, rep.Touched)
			}
			ls := findLoans(t, db, store.LoanFilter{})
			if len(ls) != 1 || ls[0].HouseholdCode != "1001" || ls[0].Village != "皂角井社区" || ls[0].HeadName != "陆华" {
				t.Fatalf("loans = %+v", ls)
			}
			if got := ls[0].Balance(day(2022, 1, 1)); got != monitor.Yuan(30000) {
				t.Fatalf("balance = %v, want 30000 (undated repayment counts from the start)", got)
			}
		})
		t.Run("ReimportUnchanged", func(t *testing.T) {
			rep := importLoans(t, db, store.ImportOptions{SkipInvalid: true, SHA256: "ledger-1"}, good(), stranger)
			if got, want := *rep.Loans, (monitor.RecordCounts{InFile: 2, Unchanged: 1, Rejected: 1}); got != want {
				t.Fatalf("counts = %+v, want %+v", got, want)
			}
			if !hasIssue(rep.Warnings, monitor.CodeSameFile, 0) || len(rep.Touched) != 0 {
				t.Fatalf("warnings %v touched %v", rep.Warnings, rep.Touched)
			}
		})
		t.Run("UpdateRecordsHistoryAndReplacesRepayments", func(t *testing.T) {
			in := good()
			in.Loan.Repayments = []monitor.Repayment{{Date: day(2023, 7, 6), Principal: monitor.Yuan(35000)}}
			in.Loan.ExtendedTo = day(2025, 1, 6)
			rep := importLoans(t, db, store.ImportOptions{}, in)
			if rep.Loans.Updated != 1 || !rep.Committed {
				t.Fatalf("counts %+v errors %v", rep.Loans, rep.Errors)
			}
			ls := findLoans(t, db, store.LoanFilter{})
			if len(ls) != 1 || len(ls[0].Repayments) != 1 || ls[0].Repayments[0].Principal != monitor.Yuan(35000) {
				t.Fatalf("repayments replaced, not added: %+v", ls[0].Repayments)
			}
			if got := ls[0].Maturity(); got != day(2025, 1, 6) {
				t.Fatalf("maturity = %v, want the extension", got)
			}
			cs, err := db.FindChanges(ctx, store.Everywhere, "1001")
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]monitor.Change{}
			for _, c := range cs {
				if c.Entity == "loan" {
					got[c.Field] = c
				}
			}
			for field, want := range map[string][2]string{"累计偿还本金": {"20000.00", "35000.00"}, "展期到期日": {"", "2025-01-06"}} {
				if c := got[field]; c.OldValue != want[0] || c.NewValue != want[1] {
					t.Errorf("history of %s = %q → %q, want %q → %q", field, c.OldValue, c.NewValue, want[0], want[1])
				}
			}
			if _, ok := got["新增贷款"]; !ok {
				t.Errorf("no creation row in the history: %+v", cs)
			}
		})
		t.Run("ContractAddedLaterUpdates", func(t *testing.T) {
			in := good()
			in.Loan.Repayments = []monitor.Repayment{{Date: day(2023, 7, 6), Principal: monitor.Yuan(35000)}}
			in.Loan.ExtendedTo = day(2025, 1, 6)
			in.Loan.Contract = "NS2021-0706"
			rep := importLoans(t, db, store.ImportOptions{}, in)
			if rep.Loans.Updated != 1 || len(findLoans(t, db, store.LoanFilter{})) != 1 {
				t.Fatalf("a ledger gaining contract numbers must update, not add: %+v", rep.Loans)
			}
			in.Loan.BorrowerName = "陆 华"
			rep = importLoans(t, db, store.ImportOptions{}, in)
			if rep.Loans.Updated != 1 || !hasIssue(rep.Warnings, "name_mismatch", 3) {
				t.Fatalf("by contract: %+v, warnings %v", rep.Loans, rep.Warnings)
			}
		})
		t.Run("ErrDuplicateRow", func(t *testing.T) {
			a := ledgerLoan(5, idTianYu, "田宇", day(2022, 3, 1), 0)
			b := a
			b.Row = 6
			rep := importLoans(t, db, store.ImportOptions{DryRun: true}, a, b)
			if !hasIssue(rep.Errors, store.CodeDuplicateRecord, 6) || rep.Loans.Rejected != 1 {
				t.Fatalf("errors %v", rep.Errors)
			}
		})
		t.Run("HouseholdMismatchWarns", func(t *testing.T) {
			in := ledgerLoan(7, idXiangXa, "向霞", day(2022, 5, 1), 0)
			in.HeadIDNumber = idTianYu
			rep := importLoans(t, db, store.ImportOptions{DryRun: true}, in)
			if !hasIssue(rep.Warnings, store.CodeHouseholdMismatch, 7) || len(rep.Errors) != 0 {
				t.Fatalf("warnings %v errors %v", rep.Warnings, rep.Errors)
			}
		})
		t.Run("ManualRepaymentKept", func(t *testing.T) {
			ls := findLoans(t, db, store.LoanFilter{})
			if err := db.AddRepayment(ctx, store.Everywhere, ls[0].ID, &monitor.Repayment{Date: day(2024, 1, 2), Principal: monitor.Yuan(5000)}, "测试"); err != nil {
				t.Fatal(err)
			}
			in := good()
			in.Loan.Contract = "NS2021-0706"
			in.Loan.ExtendedTo = day(2025, 1, 6)
			in.Loan.Repayments = []monitor.Repayment{{Date: day(2023, 7, 6), Principal: monitor.Yuan(36000)}}
			rep := importLoans(t, db, store.ImportOptions{}, in)
			if !hasIssue(rep.Warnings, "manual_repayments_kept", 3) {
				t.Fatalf("warnings %v", rep.Warnings)
			}
			ls = findLoans(t, db, store.LoanFilter{})
			if got := ls[0].PrincipalPaid(day(2024, 12, 31)); got != monitor.Yuan(41000) {
				t.Fatalf("paid = %v, want 36000 imported + 5000 typed in", got)
			}
		})
	})
}

func TestFindLoans(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seedHouseholds(t, db)
		startup := ledgerLoan(4, idTianYu, "田宇", day(2023, 2, 1), 0)
		startup.Loan.Product = monitor.ProductStartup
		importLoans(t, db, store.ImportOptions{},
			ledgerLoan(3, idLuHua, "陆华", day(2022, 12, 31), 0), startup, ledgerLoan(5, idXiangXa, "向霞", day(2023, 1, 1), 0))
		tests := []struct {
			name  string
			scope store.Scope
			f     store.LoanFilter
			want  []string // borrowers
		}{
			{"All", store.Everywhere, store.LoanFilter{}, []string{"陆华", "向霞", "田宇"}},
			{"Year", store.Everywhere, store.LoanFilter{Year: 2023}, []string{"向霞", "田宇"}},
			{"Household", store.Everywhere, store.LoanFilter{HouseholdCode: "1001"}, []string{"陆华", "向霞"}},
			{"Village", store.Everywhere, store.LoanFilter{Village: "长亭社区"}, []string{"田宇"}},
			{"Product", store.Everywhere, store.LoanFilter{Product: monitor.ProductMicro}, []string{"陆华", "向霞"}},
			{"Borrower", store.Everywhere, store.LoanFilter{BorrowerID: idXiangXa}, []string{"向霞"}},
			{"ScopedToVillage", store.Scope{Township: "东城街道", Village: "长亭社区"}, store.LoanFilter{}, []string{"田宇"}},
			{"ZeroScopeSeesNothing", store.Scope{}, store.LoanFilter{}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ls, err := db.FindLoans(context.Background(), tt.scope, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, l := range ls {
					got = append(got, l.BorrowerName)
				}
				// Text order is the engine's collation: compare as sets.
				slices.Sort(got)
				slices.Sort(tt.want)
				if strings.Join(got, ",") != strings.Join(tt.want, ",") {
					t.Fatalf("borrowers = %v, want %v", got, tt.want)
				}
			})
		}
	})
}

func TestLoanForms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seedHouseholds(t, db)
		newLoan := func() *monitor.Loan {
			return &monitor.Loan{BorrowerIDNumber: idTianYu, Amount: monitor.Yuan(30000), TermMonths: 24, IssueDate: day(2023, 3, 1), RatePct: 3.45, Bank: "邮储银行"}
		}
		var id int64
		t.Run("Create", func(t *testing.T) {
			l := newLoan()
			if err := db.CreateLoan(ctx, store.Everywhere, l, "张三"); err != nil {
				t.Fatal(err)
			}
			if l.ID == 0 || l.HouseholdCode != "1002" || l.BorrowerName != "田宇" || l.Product != monitor.ProductMicro || l.Mode != monitor.ModeInterestOnly {
				t.Fatalf("loan = %+v", l)
			}
			id = l.ID
		})
		errs := []struct {
			name  string
			scope store.Scope
			edit  func(l *monitor.Loan)
			code  string
		}{
			{"ErrDuplicate", store.Everywhere, func(*monitor.Loan) {}, monitor.ECONFLICT},
			{"ErrBorrowerUnknown", store.Everywhere, func(l *monitor.Loan) { l.BorrowerIDNumber = idNobody }, monitor.EINVALID},
			{"ErrAmountZero", store.Everywhere, func(l *monitor.Loan) { l.Amount = 0 }, monitor.EINVALID},
			{"ErrBadID", store.Everywhere, func(l *monitor.Loan) { l.BorrowerIDNumber = idTianYu[:17] + "0" }, monitor.EINVALID},
			{"ErrOutOfScope", store.Scope{Township: "东城街道", Village: "皂角井社区"}, func(l *monitor.Loan) { l.IssueDate = day(2023, 4, 1) }, monitor.EFORBIDDEN},
		}
		for _, tt := range errs {
			t.Run(tt.name, func(t *testing.T) {
				l := newLoan()
				tt.edit(l)
				if err := db.CreateLoan(ctx, tt.scope, l, "张三"); monitor.ErrorCode(err) != tt.code {
					t.Fatalf("err = %v, want %s", err, tt.code)
				}
			})
		}
		t.Run("Update", func(t *testing.T) {
			rec, err := db.FindLoanByID(ctx, store.Everywhere, id)
			if err != nil {
				t.Fatal(err)
			}
			l := rec.Loan
			l.RatePct = 3.1
			if err := db.UpdateLoan(ctx, store.Everywhere, &l, "李四"); err != nil {
				t.Fatal(err)
			}
			cs, _ := db.FindChanges(ctx, store.Everywhere, "1002")
			if len(cs) == 0 || cs[0].Field != "贷款利率(%)" || cs[0].OldValue != "3.45" || cs[0].NewValue != "3.1" || cs[0].Actor != "李四" {
				t.Fatalf("history = %+v", cs)
			}
		})
		t.Run("AddRepayment", func(t *testing.T) {
			if err := db.AddRepayment(ctx, store.Everywhere, id, &monitor.Repayment{Date: day(2024, 3, 1), Principal: monitor.Yuan(10000), Interest: monitor.Yuan(300)}, "李四"); err != nil {
				t.Fatal(err)
			}
			if err := db.AddRepayment(ctx, store.Everywhere, id, &monitor.Repayment{Date: day(2024, 4, 1), Principal: monitor.Yuan(25000)}, "李四"); monitor.ErrorCode(err) != monitor.EINVALID {
				t.Fatalf("overpaying: err = %v, want invalid", err)
			}
			if err := db.AddRepayment(ctx, store.Scope{Township: "东城街道", Village: "皂角井社区"}, id, &monitor.Repayment{Date: day(2024, 4, 1), Principal: 1}, "李四"); monitor.ErrorCode(err) != monitor.ENOTFOUND {
				t.Fatalf("out of scope: err = %v, want not found", err)
			}
			rec, _ := db.FindLoanByID(ctx, store.Everywhere, id)
			if got := rec.Balance(day(2024, 12, 31)); got != monitor.Yuan(20000) {
				t.Fatalf("balance = %v", got)
			}
		})
	})
}
