package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
)

// TestLoanPages: a village user records a loan of a member, finds it in
// the ledger with its figures, records a repayment, an extension and the
// settlement; the forms refuse what the loan rules refuse.
func TestLoanPages(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *env) {
		w := newWorkEnv(t, e)
		ctx := context.Background()
		c := w.village
		h := w.mine
		borrower := h.Members[0]
		newPath := "/households/" + h.Code + "/loans"
		if page := c.get(newPath + "/new"); page.StatusCode != http.StatusOK || !strings.Contains(page.body, borrower.Name) || strings.Contains(page.body, borrower.IDNumber) {
			t.Fatalf("new loan form: %d, offers the members without their ID numbers?", page.StatusCode)
		}
		loan := url.Values{"borrower": {strconv.FormatInt(borrower.ID, 10)}, "product": {monitor.ProductMicro}, "amount": {"30000"}, "term": {"12"},
			"issue": {"2022-01-10"}, "rate": {"3.45"}, "mode": {monitor.ModeInterestOnly}, "purpose": {"养殖"}, "bank": {"农商行"}}
		t.Run("Refused", func(t *testing.T) {
			for _, tc := range []struct{ key, value, want string }{
				{"borrower", "0", "请从本户成员中选择贷款人"},
				{"amount", "abc", "贷款金额“abc”不是有效金额"},
				{"purpose", "", "请填写贷款用途"},
				{"rate", "NaN", "贷款利率应为 0 到 36"}, // issue 11: NaN passed the range check
				{"rate", "+Inf", "贷款利率应为 0 到 36"},
				{"borrower", strconv.FormatInt(w.other.Members[0].ID, 10), "请从本户成员中选择贷款人"},
			} {
				f := url.Values{}
				for k, v := range loan {
					f[k] = v
				}
				f.Set(tc.key, tc.value)
				if res := c.submit(newPath, f); res.StatusCode != http.StatusBadRequest || !strings.Contains(res.body, tc.want) {
					t.Errorf("%s=%s: %d %s, want %q", tc.key, tc.value, res.StatusCode, pageMessage(res.body), tc.want)
				}
			}
		})
		loc := mustRedirect(t, "new loan", c.submit(newPath, loan))
		id := idAfter(t, loc, "/loans/")
		page := c.get(loc)
		// Issued 2022-01-10 for 12 months: due 2023-01-10, unpaid on 2023-01-15.
		if page.StatusCode != http.StatusOK || !strings.Contains(page.body, "贷款已登记") || !strings.Contains(page.body, `id="days-overdue">5<`) {
			t.Fatalf("loan page: %d %s", page.StatusCode, pageMessage(page.body))
		}
		ledger := c.get("/loans?overdue=true")
		if !strings.Contains(ledger.body, fmt.Sprintf(`href="/loans/%d"`, id)) || !strings.Contains(ledger.body, "30,000.00") || !strings.Contains(ledger.body, "PAR30") {
			t.Error("the overdue ledger does not list the loan with its amount and PAR")
		}
		if ledger := c.get("/loans?overdue=true&as_of=2022-12-31"); strings.Contains(ledger.body, fmt.Sprintf(`href="/loans/%d"`, id)) {
			t.Error("the loan is listed overdue before its maturity")
		}
		if ledger := c.get("/loans?year=2021"); strings.Contains(ledger.body, fmt.Sprintf(`href="/loans/%d"`, id)) {
			t.Error("the year filter lists a loan issued in 2022")
		}
		rep := func(date, principal string) *response {
			return c.submit(fmt.Sprintf("/loans/%d/repayments", id), url.Values{"date": {date}, "principal": {principal}, "interest": {"100"}})
		}
		if res := rep("2023-01-12", "40000"); res.StatusCode != http.StatusBadRequest || !strings.Contains(res.body, "超过贷款金额") {
			t.Errorf("repaying more than the loan: %d %s", res.StatusCode, pageMessage(res.body))
		}
		if res := rep("2023-02-01", "100"); res.StatusCode != http.StatusBadRequest || !strings.Contains(res.body, "晚于今天") {
			t.Errorf("a repayment in the future: %d", res.StatusCode)
		}
		mustRedirect(t, "repayment", rep("2023-01-12", "10000"))
		mustRedirect(t, "extension", c.submit(fmt.Sprintf("/loans/%d/extension", id), url.Values{"extended_to": {"2024-01-10"}}))
		if res := c.submit(fmt.Sprintf("/loans/%d/extension", id), url.Values{"extended_to": {"2023-06-01"}}); res.StatusCode != http.StatusBadRequest {
			t.Errorf("an extension before the maturity: %d", res.StatusCode)
		}
		rec, _ := e.db.FindLoanByID(ctx, store.Everywhere, id)
		if rec.ExtendedTo != day(2024, 1, 10) || rec.Status != monitor.LoanExtended || rec.Balance(day(2023, 1, 15)) != monitor.Yuan(20000) || rec.DaysOverdue(day(2023, 1, 15)) != 0 {
			t.Fatalf("after repayment and extension: %s %s balance %s overdue %d", rec.ExtendedTo, rec.Status, rec.Balance(day(2023, 1, 15)), rec.DaysOverdue(day(2023, 1, 15)))
		}
		mustRedirect(t, "settlement", c.submit(fmt.Sprintf("/loans/%d/settlement", id), url.Values{"date": {"2023-01-15"}}))
		rec, _ = e.db.FindLoanByID(ctx, store.Everywhere, id)
		if rec.Status != monitor.LoanSettled || rec.Balance(day(2023, 1, 15)) != 0 || len(rec.Repayments) != 2 {
			t.Fatalf("after settlement: %s balance %s, %d repayments", rec.Status, rec.Balance(day(2023, 1, 15)), len(rec.Repayments))
		}
		if page := c.get("/households/" + h.Code); !strings.Contains(page.body, fmt.Sprintf(`href="/loans/%d"`, id)) {
			t.Error("the household page does not list the loan")
		}
		for _, action := range []string{store.AuditLoanAdd, store.AuditLoanRepayment, store.AuditLoanExtend, store.AuditLoanSettle} {
			if es, _, _ := e.db.FindAudit(ctx, store.AuditFilter{Action: action, Object: fmt.Sprintf("loan:%d", id)}); len(es) != 1 {
				t.Errorf("audit %s: %d entries", action, len(es))
			}
		}
	})
}
