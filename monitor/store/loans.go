package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/shouwang/shouwang/monitor"
)

// Repayment sources: a ledger import replaces the repayments imports
// recorded and keeps the ones typed in by hand.
const (
	repaymentImported = "import"
	repaymentManual   = "manual"
)

// LoanImport is one loan of a ledger with where it came from. The store
// finds the household from the borrower's ID number.
type LoanImport struct {
	Loan         monitor.Loan
	Row          int
	IDColumn     string // the header of the column the borrower's ID came from
	HeadIDNumber string // the ledger's 户主身份证号, for a cross-check
	// StatesRepayments says the file states what was repaid: the loan's
	// imported repayments are replaced by Loan.Repayments, never added to.
	StatesRepayments bool
}

// LoanRecord is a loan with its household's place and head, as lists and
// reports show it.
type LoanRecord struct {
	monitor.Loan
	Township string `db:"township" json:"township"`
	Village  string `db:"village" json:"village"`
	Group    string `db:"grp" json:"group"`
	HeadName string `db:"head_name" json:"head_name"`
}

// LoanFilter narrows FindLoans; the zero filter is every loan.
type LoanFilter struct {
	Township      string
	Village       string
	HouseholdCode string
	Year          int    // issued in this calendar year
	Product       string // monitor.ProductMicro, …
	BorrowerID    string
}

// LoanKey is a loan's natural key, how a re-imported ledger row finds the
// loan it already created: the contract number when there is one, else the
// borrower, the issue date and the amount.
func LoanKey(l *monitor.Loan) string {
	if l.Contract != "" {
		return "合同:" + l.Contract
	}
	return l.BorrowerIDNumber + "/" + l.IssueDate.String() + "/" + l.Amount.String()
}

// borrowerKey is the key without the contract number: a ledger that gains
// contract numbers still finds the loans it created before.
func borrowerKey(l *monitor.Loan) string {
	return l.BorrowerIDNumber + "/" + l.IssueDate.String() + "/" + l.Amount.String()
}

// loanLabel names a loan in the change history.
func loanLabel(l *monitor.Loan) string {
	if l.Contract != "" {
		return "合同 " + l.Contract
	}
	return fmt.Sprintf("%s %s 放款 %s 元", l.BorrowerName, l.IssueDate, l.Amount)
}

// loanFields lists a loan's fields for comparison and history.
func loanFields(l *monitor.Loan) []monitor.Field {
	return []monitor.Field{
		{Name: "户编号", Value: l.HouseholdCode}, {Name: "贷款人姓名", Value: l.BorrowerName},
		{Name: "贷款人身份证号", Value: l.BorrowerIDNumber}, {Name: "与户主关系", Value: l.Relation},
		{Name: "贷款品种", Value: l.Product}, {Name: "贷款金融机构", Value: l.Bank}, {Name: "合同编号", Value: l.Contract},
		{Name: "贷款金额", Value: l.Amount.String()}, {Name: "授信额度", Value: l.CreditLine.String()},
		{Name: "贷款期限(月)", Value: strconv.Itoa(l.TermMonths)}, {Name: "放款日期", Value: l.IssueDate.String()},
		{Name: "到期日期", Value: l.MaturityDate.String()}, {Name: "展期到期日", Value: l.ExtendedTo.String()},
		{Name: "贷款利率(%)", Value: strconv.FormatFloat(l.RatePct, 'f', -1, 64)}, {Name: "贷款用途", Value: l.Purpose},
		{Name: "还款方式", Value: l.Mode}, {Name: "付息间隔(月)", Value: strconv.Itoa(l.InterestEveryMonths)},
		{Name: "贷款状态", Value: l.Status}, {Name: "备注", Value: l.Note},
	}
}

// sameLoanFields is loanFields(a) == loanFields(b) without formatting
// them: a re-imported ledger is mostly unchanged.
func sameLoanFields(x, y *monitor.Loan) bool {
	return x.HouseholdCode == y.HouseholdCode && x.BorrowerName == y.BorrowerName && x.BorrowerIDNumber == y.BorrowerIDNumber &&
		x.Relation == y.Relation && x.Product == y.Product && x.Bank == y.Bank && x.Contract == y.Contract && x.Amount == y.Amount &&
		x.CreditLine == y.CreditLine && x.TermMonths == y.TermMonths && x.IssueDate == y.IssueDate && x.MaturityDate == y.MaturityDate &&
		x.ExtendedTo == y.ExtendedTo && x.RatePct == y.RatePct && x.Purpose == y.Purpose && x.Mode == y.Mode &&
		x.InterestEveryMonths == y.InterestEveryMonths && x.Status == y.Status && x.Note == y.Note
}

// storedLoan is a loan as the database holds it, with the source of each
// repayment.
type storedLoan struct {
	monitor.Loan
	Key  string `db:"natural_key"`
	reps []storedRepayment
}

type storedRepayment struct {
	monitor.Repayment
	Source string `db:"source"`
}

// loanPlan is what an import does to one loan.
type loanPlan struct {
	in      *LoanImport
	key     string
	old     *storedLoan // nil when new
	fields  bool        // the loan row changes
	reps    bool        // its imported repayments are replaced
	changes []monitor.Change
}

// ImportLoans checks a parsed ledger against the registry and writes it in
// one transaction: each borrower must be a member of a household
// (borrower_not_found otherwise), each loan is created, updated (with its
// change history) or found unchanged by its natural key, and the imported
// repayments of a loan whose file states them are replaced. Nothing is
// written on a dry run, or when there are errors (the parser's or these)
// without SkipInvalid. It is a LoanWriter given the whole ledger at once.
func (db *DB) ImportLoans(ctx context.Context, rep *monitor.ImportReport, batch []LoanImport, opt ImportOptions) error {
	if rep.Loans == nil {
		rep.Loans = &monitor.RecordCounts{InFile: len(batch)}
	}
	w, err := db.BeginLoans(ctx, rep, opt)
	if err != nil {
		return err
	}
	defer w.Close()
	if err := w.Add(batch, 0); err != nil {
		return err
	}
	return w.Finish(nil)
}

// LoanWriter writes a loan ledger in one transaction a chunk at a time, so
// that a large ledger is written while the rest of it is still parsed:
// the store's work (looking borrowers up, comparing, inserting) and the
// parser's use both cores. Each loan is decided once: the first row of a
// loan wins over later ones, as when the ledger is given whole. Whatever
// is rejected — here or by the parser — decides at Finish whether the
// transaction commits; nothing is written until then.
type LoanWriter struct {
	db       *DB
	ctx      context.Context
	tx       *sqlx.Tx
	restore  func()
	rep      *monitor.ImportReport // the store's issues and counts
	opt      ImportOptions
	now      time.Time
	importID int64
	firstRow map[string]int // a loan's key → the row that imports it
	used     map[int64]bool // stored loans matched by a row already
	touched  map[int64]bool
	touched2 []int64 // the households of touched, in order (Apply's; rep is Prepare's)
	outside  bool    // Prepare reads on the read connections
	done     bool
}

// BeginLoans starts a LoanWriter reporting into rep (which needs Loans).
func (db *DB) BeginLoans(ctx context.Context, rep *monitor.ImportReport, opt ImportOptions) (*LoanWriter, error) {
	if rep.Loans == nil {
		rep.Loans = &monitor.RecordCounts{}
	}
	tx, err := db.x.BeginTxx(ctx, nil)
	if err != nil {
		return nil, mapError(err)
	}
	w := &LoanWriter{db: db, ctx: ctx, tx: tx, restore: db.bulkCache(ctx, tx), rep: rep, opt: opt, now: db.Now(),
		firstRow: map[string]int{}, used: map[int64]bool{}, touched: map[int64]bool{}}
	if err := db.warnSameFile(ctx, tx, rep, opt); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

// writes reports whether the import may still commit, given the number of
// errors found outside the store.
func (w *LoanWriter) writes(otherErrors int) bool {
	return !w.opt.DryRun && (otherErrors+len(w.rep.Errors) == 0 || w.opt.SkipInvalid)
}

// Add checks and, while the import may still commit, writes the next loans
// of the ledger, in file order; otherErrors is the number of errors the
// parser has found so far. It is Prepare then Apply.
func (w *LoanWriter) Add(batch []LoanImport, otherErrors int) error {
	c, err := w.Prepare(batch, otherErrors)
	if err != nil {
		return err
	}
	return w.Apply(c)
}

// LoanChunk is a prepared chunk of a ledger, ready to write.
type LoanChunk struct {
	plans []*loanPlan
	write bool
}

// ReadOutside makes Prepare read the registry on the read connections
// instead of in the writer's transaction, so that it can run beside Apply
// (on another goroutine, one chunk ahead). What it reads there stays true
// for the import: a person's household never changes once registered, and
// the loans of the ledger itself are matched by the writer's own state.
func (w *LoanWriter) ReadOutside() { w.outside = true }

// Prepare checks the next loans of the ledger against the registry and
// plans them, writing nothing. Calls must come in file order, one at a
// time; they may run beside Apply.
func (w *LoanWriter) Prepare(batch []LoanImport, otherErrors int) (*LoanChunk, error) {
	db, ctx := w.db, w.ctx
	var q querier = w.tx
	if w.outside {
		q = db.rx
	}
	var ids []string
	for i := range batch {
		ids = append(ids, batch[i].Loan.BorrowerIDNumber)
		if h := batch[i].HeadIDNumber; h != "" {
			ids = append(ids, h)
		}
	}
	people, err := db.findPeople(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	valid := db.resolveBorrowers(w.rep, batch, people, w.opt)
	existing, err := db.loadStoredLoans(ctx, q, valid)
	if err != nil {
		return nil, err
	}
	plans := w.plan(valid, existing)
	return &LoanChunk{plans: plans, write: w.writes(otherErrors)}, nil
}

// Apply writes a prepared chunk, unless the import could no longer commit
// when it was prepared.
func (w *LoanWriter) Apply(c *LoanChunk) error {
	if !c.write {
		return nil
	}
	db, ctx, tx := w.db, w.ctx, w.tx
	if w.importID == 0 {
		var err error
		// Not w.rep, which Prepare may be adding to: Finish writes the
		// figures.
		if w.importID, err = db.insertImportRow(ctx, tx, monitor.KindLoans, w.opt, recordSummary(w.opt.Sheet, &monitor.RecordCounts{}, 0, 0), w.now); err != nil {
			return err
		}
	}
	if err := db.applyLoanPlans(ctx, tx, c.plans, w.importID, w.now); err != nil {
		return err
	}
	for _, p := range c.plans {
		if h := p.in.Loan.HouseholdID; (p.old == nil || p.fields || p.reps) && !w.touched[h] {
			w.touched[h] = true
			w.touched2 = append(w.touched2, h)
		}
	}
	return nil
}

// Finish commits what was written, unless the import may not (a dry run,
// or errors — the store's or those of parsed, the parser's report when it
// is not the writer's own — without SkipInvalid): then nothing is written.
func (w *LoanWriter) Finish(parsed *monitor.ImportReport) error {
	defer w.Close()
	counts, errs, warns := *w.rep.Loans, len(w.rep.Errors), len(w.rep.Warnings)
	other := 0
	if parsed != nil && parsed != w.rep {
		other = len(parsed.Errors)
		errs, warns = errs+other, warns+len(parsed.Warnings)
		if p := parsed.Loans; p != nil {
			counts.InFile = p.InFile
			counts.Created, counts.Updated = counts.Created+p.Created, counts.Updated+p.Updated
			counts.Unchanged, counts.Rejected = counts.Unchanged+p.Unchanged, counts.Rejected+p.Rejected
		}
	}
	if !w.writes(other) {
		return nil
	}
	summary := recordSummary(w.opt.Sheet, &counts, errs, warns)
	var err error
	if w.importID == 0 { // no chunk was written
		w.importID, err = w.db.insertImportRow(w.ctx, w.tx, monitor.KindLoans, w.opt, summary, w.now)
	} else {
		_, err = w.tx.ExecContext(w.ctx, w.db.rebind(`UPDATE imports SET summary = ? WHERE id = ?`), summary, w.importID)
	}
	if err != nil {
		return mapError(err)
	}
	if err := w.tx.Commit(); err != nil {
		return mapError(err)
	}
	w.rep.ImportID, w.rep.Committed = w.importID, true
	w.rep.Touched = append(w.rep.Touched, w.touched2...)
	return nil
}

// Close rolls back what Finish did not commit; it may be called again.
func (w *LoanWriter) Close() {
	if w.done {
		return
	}
	w.done = true
	w.tx.Rollback()
	w.restore()
}

// resolveBorrowers finds each borrower's household; a borrower in no
// household rejects the loan. It also warns where the ledger's names and
// head disagree with the registry.
func (db *DB) resolveBorrowers(rep *monitor.ImportReport, batch []LoanImport, people map[string]person, opt ImportOptions) []*LoanImport {
	valid := make([]*LoanImport, 0, len(batch))
	for i := range batch {
		in := &batch[i]
		l := &in.Loan
		col := in.IDColumn
		if col == "" {
			col = opt.IDColumn
		}
		issue := func(code, msg string) monitor.Issue {
			return monitor.Issue{Sheet: opt.Sheet, Row: in.Row, Column: col, Value: l.BorrowerIDNumber, Code: code, Message: msg}
		}
		p, ok := people[l.BorrowerIDNumber]
		if !ok {
			rep.Errors = append(rep.Errors, issue(CodeBorrowerNotFound,
				fmt.Sprintf("第 %d 行：贷款人 %s（身份证号 %s）不在任何一户中，该笔贷款未导入。请先在花名册中登记此人所在的户，或核对身份证号", in.Row, orUnknown(l.BorrowerName), monitor.MaskID(l.BorrowerIDNumber))))
			rep.Loans.Rejected++
			continue
		}
		if msg, out := opt.outOfScope(in.Row, p.Township, p.Village); out {
			rep.Errors = append(rep.Errors, issue(monitor.CodeOutOfScope, msg))
			rep.Loans.Rejected++
			continue
		}
		l.HouseholdID, l.HouseholdCode = p.HouseholdID, p.Code
		switch {
		case l.BorrowerName == "":
			l.BorrowerName = p.Name
		case l.BorrowerName != p.Name:
			rep.Warnings = append(rep.Warnings, issue("name_mismatch",
				fmt.Sprintf("贷款人姓名填写为“%s”，但身份证号 %s 登记的姓名是“%s”（户编号 %s）；贷款按身份证号记入该户", l.BorrowerName, monitor.MaskID(l.BorrowerIDNumber), p.Name, p.Code)))
		}
		if l.Relation == "" {
			l.Relation = p.Relation
		}
		if p.Missing {
			rep.Warnings = append(rep.Warnings, issue("borrower_missing",
				fmt.Sprintf("贷款人 %s 在最近一次导入的花名册中缺失（户编号 %s），贷款仍记入该户，请核实其是否已迁出或死亡", p.Name, p.Code)))
		}
		if h := in.HeadIDNumber; h != "" && h != l.BorrowerIDNumber {
			hp, ok := people[h]
			switch {
			case !ok:
				rep.Warnings = append(rep.Warnings, issue(CodeHouseholdMismatch,
					fmt.Sprintf("户主身份证号 %s 未在系统中登记；贷款记入贷款人所在的户：户编号 %s（户主 %s）", monitor.MaskID(h), p.Code, p.HeadName)))
			case hp.HouseholdID != p.HouseholdID:
				rep.Warnings = append(rep.Warnings, issue(CodeHouseholdMismatch,
					fmt.Sprintf("表中户主身份证号 %s 属于户编号 %s（户主 %s），而贷款人属于户编号 %s（户主 %s）；贷款记入贷款人所在的户 %s，请核对", monitor.MaskID(h), hp.Code, hp.HeadName, p.Code, p.HeadName, p.Code)))
			}
		}
		valid = append(valid, in)
	}
	return valid
}

// Issue codes of the record imports that only the store can decide.
const (
	CodeBorrowerNotFound  = "borrower_not_found"
	CodeHouseholdNotFound = "household_not_found"
	CodeHouseholdMismatch = "household_mismatch"
	CodeDuplicateRecord   = "duplicate_record"
)

func orUnknown(s string) string {
	if s == "" {
		return "（姓名未填）"
	}
	return s
}

// plan matches each loan with the one it updates and works out what
// changes; a second row with the key of an earlier one (in this batch or
// an earlier one) is refused.
func (w *LoanWriter) plan(valid []*LoanImport, existing []*storedLoan) []*loanPlan {
	rep, opt, now, used, firstRow := w.rep, w.opt, w.now, w.used, w.firstRow
	byKey := make(map[string]*storedLoan, len(existing))
	byBorrower := make(map[string][]*storedLoan, len(existing))
	for _, s := range existing {
		byKey[s.Key] = s
		bk := borrowerKey(&s.Loan)
		byBorrower[bk] = append(byBorrower[bk], s)
	}
	plans := make([]*loanPlan, 0, len(valid))
	for _, in := range valid {
		l := &in.Loan
		key := LoanKey(l)
		if r, dup := firstRow[key]; dup {
			rep.Errors = append(rep.Errors, monitor.Issue{Sheet: opt.Sheet, Row: in.Row, Column: in.IDColumn, Value: l.BorrowerIDNumber, Code: CodeDuplicateRecord,
				Message: fmt.Sprintf("与第 %d 行是同一笔贷款（%s），本行未导入：同一笔贷款只能填一行", r, duplicateWhat(l))})
			rep.Loans.Rejected++
			continue
		}
		firstRow[key] = in.Row
		var old *storedLoan
		if s := byKey[key]; s != nil && !used[s.ID] {
			old = s
		} else {
			for _, s := range byBorrower[borrowerKey(l)] {
				if !used[s.ID] && (s.Contract == "" || l.Contract == "" || s.Contract == l.Contract) {
					old = s
					break
				}
			}
		}
		if old != nil {
			used[old.ID] = true
		}
		p := planLoan(in, key, old, opt, now)
		switch {
		case old == nil:
			rep.Loans.Created++
		case p.fields || p.reps:
			rep.Loans.Updated++
		default:
			rep.Loans.Unchanged++
		}
		if old != nil {
			if n, sum := manualRepayments(old); n > 0 && in.StatesRepayments {
				rep.Warnings = append(rep.Warnings, monitor.Issue{Sheet: opt.Sheet, Row: in.Row, Code: "manual_repayments_kept",
					Message: fmt.Sprintf("该笔贷款另有 %d 条在系统中手工录入的还款（本金合计 %s 元），导入只替换以前导入的还款，手工录入的保留；若台账已包含这些还款，请在系统中删除，以免重复", n, sum)})
			}
		}
		plans = append(plans, p)
	}
	// A new loan beside an old one of the same borrower and day: perhaps
	// a corrected amount, which makes a second loan rather than an update.
	for _, p := range plans {
		if p.old != nil || p.in.Loan.Contract != "" {
			continue
		}
		l := &p.in.Loan
		for _, s := range existing {
			if !used[s.ID] && s.BorrowerIDNumber == l.BorrowerIDNumber && s.IssueDate == l.IssueDate && s.Amount != l.Amount {
				rep.Warnings = append(rep.Warnings, monitor.Issue{Sheet: opt.Sheet, Row: p.in.Row, Column: p.in.IDColumn, Value: l.BorrowerIDNumber, Code: "possible_duplicate",
					Message: fmt.Sprintf("系统中已有该贷款人同日放款的另一笔贷款（金额 %s 元），本行金额 %s 元，将作为另一笔新贷款导入；若是更正金额，请在系统中删除原贷款或填写合同编号", s.Amount, l.Amount)})
				break
			}
		}
	}
	return plans
}

func duplicateWhat(l *monitor.Loan) string {
	if l.Contract != "" {
		return "合同编号相同"
	}
	return "贷款人、放款日期和贷款金额都相同"
}

func manualRepayments(s *storedLoan) (n int, sum monitor.Money) {
	for _, r := range s.reps {
		if r.Source == repaymentManual {
			n++
			sum += r.Principal
		}
	}
	return n, sum
}

// planLoan compares a parsed loan with its stored version.
func planLoan(in *LoanImport, key string, old *storedLoan, opt ImportOptions, now time.Time) *loanPlan {
	l := &in.Loan
	p := &loanPlan{in: in, key: key, old: old}
	change := func(field, o, n string) {
		p.changes = append(p.changes, monitor.Change{At: now, Actor: opt.Actor, HouseholdCode: l.HouseholdCode,
			Entity: "loan", EntityKey: key, Field: field, OldValue: o, NewValue: n})
	}
	if old == nil {
		change("新增贷款", "", fmt.Sprintf("%s %s %s 元，%s 放款，期限 %d 个月（%s）", l.Product, l.BorrowerName, l.Amount, l.IssueDate, l.TermMonths, orUnknown(l.Bank)))
		p.reps = len(l.Repayments) > 0
		return p
	}
	l.ID = old.ID
	l.RenewedFrom = old.RenewedFrom
	if !sameLoanFields(&old.Loan, l) {
		for _, d := range monitor.DiffFields(loanFields(&old.Loan), loanFields(l)) {
			p.fields = true
			change(d[0].Name, d[0].Value, d[1].Value)
		}
	}
	if old.Key != key {
		p.fields = true
	}
	if !in.StatesRepayments {
		return p
	}
	var before []monitor.Repayment
	for _, r := range old.reps {
		if r.Source == repaymentImported {
			before = append(before, r.Repayment)
		}
	}
	if !sameRepayments(before, l.Repayments) {
		p.reps = true
		ob, nb := principalSum(before), principalSum(l.Repayments)
		if ob != nb {
			change("累计偿还本金", ob.String(), nb.String())
		}
		change("还款记录", repaymentText(before), repaymentText(l.Repayments))
	}
	return p
}

func principalSum(rs []monitor.Repayment) monitor.Money {
	var s monitor.Money
	for _, r := range rs {
		s += r.Principal
	}
	return s
}

func sortedRepayments(rs []monitor.Repayment) []monitor.Repayment {
	out := make([]monitor.Repayment, len(rs))
	for i, r := range rs {
		out[i] = monitor.Repayment{Date: r.Date, Principal: r.Principal, Interest: r.Interest}
	}
	slices.SortFunc(out, func(a, b monitor.Repayment) int {
		if c := a.Date.Compare(b.Date); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Principal, b.Principal); c != 0 {
			return c
		}
		return cmp.Compare(a.Interest, b.Interest)
	})
	return out
}

func sameRepayments(a, b []monitor.Repayment) bool {
	return slices.Equal(sortedRepayments(a), sortedRepayments(b))
}

// repaymentText shows repayments in the history: "2023-05-01 本金 10000.00 元；…".
func repaymentText(rs []monitor.Repayment) string {
	if len(rs) == 0 {
		return "无"
	}
	parts := make([]string, 0, len(rs))
	for _, r := range sortedRepayments(rs) {
		d := r.Date.String()
		if d == "" {
			d = "日期未填"
		}
		s := d + " 本金 " + r.Principal.String() + " 元"
		if r.Interest != 0 {
			s += " 利息 " + r.Interest.String() + " 元"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "；")
}

var loanInsertColumns = []string{"household_id", "borrower_id_number", "borrower_name", "relation", "product", "bank", "contract",
	"amount", "credit_line", "term_months", "issue_date", "maturity_date", "extended_to", "rate_pct", "purpose", "mode",
	"interest_every_months", "status", "renewed_from", "note", "natural_key", "import_id", "updated_at"}

func loanValues(l *monitor.Loan, key string, importID *int64, now time.Time) []any {
	return []any{l.HouseholdID, l.BorrowerIDNumber, l.BorrowerName, l.Relation, l.Product, l.Bank, l.Contract,
		l.Amount, l.CreditLine, l.TermMonths, l.IssueDate, l.MaturityDate, l.ExtendedTo, l.RatePct, l.Purpose, l.Mode,
		l.InterestEveryMonths, l.Status, l.RenewedFrom, l.Note, key, importID, now}
}

const loanUpdate = `UPDATE loans SET household_id = ?, borrower_id_number = ?, borrower_name = ?, relation = ?, product = ?,
	bank = ?, contract = ?, amount = ?, credit_line = ?, term_months = ?, issue_date = ?, maturity_date = ?, extended_to = ?,
	rate_pct = ?, purpose = ?, mode = ?, interest_every_months = ?, status = ?, renewed_from = ?, note = ?, natural_key = ?,
	import_id = ?, updated_at = ? WHERE id = ?`

func (db *DB) applyLoanPlans(ctx context.Context, tx *sqlx.Tx, plans []*loanPlan, importID int64, now time.Time) error {
	var newRows [][]any
	var replaced []int64
	for _, p := range plans {
		l := &p.in.Loan
		switch {
		case p.old == nil:
			newRows = append(newRows, loanValues(l, p.key, &importID, now))
		case p.fields:
			if _, err := tx.ExecContext(ctx, db.rebind(loanUpdate), append(loanValues(l, p.key, &importID, now), l.ID)...); err != nil {
				return mapError(err)
			}
		}
		if p.old != nil && p.reps {
			replaced = append(replaced, l.ID)
		}
	}
	ids, err := db.insertReturningIDs(ctx, tx, "loans", loanInsertColumns, newRows, "natural_key")
	if err != nil {
		return err
	}
	if err := db.execIn(ctx, tx, `DELETE FROM repayments WHERE source = ? AND loan_id IN (?)`, repaymentImported, replaced); err != nil {
		return err
	}
	var repRows [][]any
	var changes []monitor.Change
	for _, p := range plans {
		l := &p.in.Loan
		if p.old == nil {
			l.ID = ids[p.key]
		}
		if p.reps {
			for _, r := range l.Repayments {
				repRows = append(repRows, []any{l.ID, r.Date, r.Principal, r.Interest, repaymentImported})
			}
		}
		changes = append(changes, p.changes...)
	}
	if err := db.insertRows(ctx, tx, "repayments", []string{"loan_id", "paid_on", "principal", "interest", "source"}, repRows, ""); err != nil {
		return err
	}
	return db.insertChanges(ctx, tx, &importID, changes)
}

// lookupChunk is how many keys a look-up sends PostgreSQL per IN list
// (queryIn): it spends about 15 ms on each statement with a long IN list
// whatever its length, so 10,000 keys a statement read 100,000 loans'
// borrowers two to four times faster than chunkSize. It stays well under
// the parameter limit (maxParams). SQLite takes short lists instead.
const lookupChunk = 10000

// person is a member with the household he belongs to.
type person struct {
	IDNumber    string `db:"id_number"`
	Name        string `db:"name"`
	Relation    string `db:"relation"`
	Missing     bool   `db:"missing"`
	HouseholdID int64  `db:"household_id"`
	Code        string `db:"code"`
	HeadName    string `db:"head_name"`
	HeadID      string `db:"head_id_number"`
	Township    string `db:"township"`
	Village     string `db:"village"`
}

// findPeople looks up members by ID number, with their households: the
// members first, then each household once (a ledger names two or three
// people of a household), both scanned by hand — through sqlx's
// reflection the look-up of 100,000 borrowers cost more than inserting
// their loans.
func (db *DB) findPeople(ctx context.Context, q querier, ids []string) (map[string]person, error) {
	ids = uniqueStrings(ids)
	slices.Sort(ids) // neighbouring keys share index pages
	out := make(map[string]person, len(ids))
	households := map[int64]*person{}
	var hids []int64
	err := queryIn(ctx, db, q, `SELECT id_number, name, relation, missing, household_id FROM members WHERE id_number IN (?)`, ids, func(rows *sql.Rows) error {
		var p person
		if err := rows.Scan(&p.IDNumber, &p.Name, &p.Relation, &p.Missing, &p.HouseholdID); err != nil {
			return mapError(err)
		}
		out[p.IDNumber] = p
		if households[p.HouseholdID] == nil {
			households[p.HouseholdID] = &person{}
			hids = append(hids, p.HouseholdID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = queryIn(ctx, db, q, `SELECT id, code, head_name, head_id_number, township, village FROM households WHERE id IN (?)`, hids, func(rows *sql.Rows) error {
		var id int64
		var h person
		if err := rows.Scan(&id, &h.Code, &h.HeadName, &h.HeadID, &h.Township, &h.Village); err != nil {
			return mapError(err)
		}
		*households[id] = h
		return nil
	})
	if err != nil {
		return nil, err
	}
	for k, p := range out {
		h := households[p.HouseholdID]
		p.Code, p.HeadName, p.HeadID, p.Township, p.Village = h.Code, h.HeadName, h.HeadID, h.Township, h.Village
		out[k] = p
	}
	return out, nil
}

func uniqueStrings(xs []string) []string {
	seen := make(map[string]bool, len(xs))
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		if x != "" && !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// loadStoredLoans loads the stored loans an import may update: those of its
// borrowers, and those with its contract numbers.
func (db *DB) loadStoredLoans(ctx context.Context, q querier, batch []*LoanImport) ([]*storedLoan, error) {
	var borrowers, keys []string
	for _, in := range batch {
		borrowers = append(borrowers, in.Loan.BorrowerIDNumber)
		if in.Loan.Contract != "" {
			keys = append(keys, LoanKey(&in.Loan))
		}
	}
	byID := map[int64]*storedLoan{}
	var out []*storedLoan
	load := func(where string, vals []string) error {
		return selectIn(ctx, db, q, `SELECT `+loanColumns+`, l.natural_key FROM loans l JOIN households h ON h.id = l.household_id WHERE `+where,
			uniqueStrings(vals), func(s *storedLoan) {
				if byID[s.ID] == nil {
					byID[s.ID] = s
					out = append(out, s)
				}
			})
	}
	if err := load(`l.borrower_id_number IN (?)`, borrowers); err != nil {
		return nil, err
	}
	if err := load(`l.natural_key IN (?)`, keys); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b *storedLoan) int { return cmp.Compare(a.ID, b.ID) })
	ids := make([]int64, len(out))
	for i, s := range out {
		ids[i] = s.ID
	}
	err := queryIn(ctx, db, q, `SELECT id, loan_id, paid_on, principal, interest, source FROM repayments WHERE loan_id IN (?) ORDER BY loan_id, id`, ids, func(rows *sql.Rows) error {
		var r storedRepayment
		if err := rows.Scan(&r.ID, &r.LoanID, &r.Date, &r.Principal, &r.Interest, &r.Source); err != nil {
			return mapError(err)
		}
		s := byID[r.LoanID]
		s.reps = append(s.reps, r)
		if r.Source == repaymentImported || r.Source == repaymentManual {
			s.Repayments = append(s.Repayments, r.Repayment)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// insertRecordImport records a committed import of loans, measures or
// cadres with its figures.
func (db *DB) insertRecordImport(ctx context.Context, tx *sqlx.Tx, rep *monitor.ImportReport, opt ImportOptions, counts *monitor.RecordCounts, now time.Time) (int64, error) {
	return db.insertImportRow(ctx, tx, rep.Kind, opt, recordSummary(rep.Sheet, counts, len(rep.Errors), len(rep.Warnings)), now)
}

func (db *DB) insertImportRow(ctx context.Context, tx *sqlx.Tx, kind string, opt ImportOptions, summary string, now time.Time) (int64, error) {
	var id int64
	err := tx.GetContext(ctx, &id, db.rebind(`INSERT INTO imports (kind, file_name, sha256, actor, started_at, dry_run, committed, summary)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`), kind, opt.FileName, opt.SHA256, opt.Actor, now, false, true, summary)
	return id, mapError(err)
}

// recordSummary is the summary a record import keeps with its row.
func recordSummary(sheet string, counts *monitor.RecordCounts, errors, warnings int) string {
	summary, _ := json.Marshal(struct {
		Sheet    string                `json:"sheet"`
		Counts   *monitor.RecordCounts `json:"counts"`
		Errors   int                   `json:"errors"`
		Warnings int                   `json:"warnings"`
	}{sheet, counts, errors, warnings})
	return string(summary)
}

// changeColumns are the columns insertChanges writes.
var changeColumns = []string{"at", "actor", "import_id", "household_code", "entity", "entity_key", "field", "old_value", "new_value", "effective_on", "note"}

// insertChanges writes change-history rows: the one way history is written.
func (db *DB) insertChanges(ctx context.Context, tx *sqlx.Tx, importID *int64, cs []monitor.Change) error {
	rows := make([][]any, len(cs))
	for i, c := range cs {
		rows[i] = []any{c.At, c.Actor, importID, c.HouseholdCode, c.Entity, c.EntityKey, c.Field, c.OldValue, c.NewValue, c.EffectiveOn, c.Note}
	}
	return db.insertRows(ctx, tx, "changes", changeColumns, rows, "")
}

// FindLoans lists the loans of scope's households with their repayments
// and their household's place, ordered by place, household and issue date.
func (db *DB) FindLoans(ctx context.Context, scope Scope, f LoanFilter) ([]LoanRecord, error) {
	sw, sargs := scope.where("h.")
	where, args := []string{sw}, sargs
	for _, c := range []struct{ col, val string }{
		{"h.township", f.Township}, {"h.village", f.Village}, {"h.code", f.HouseholdCode}, {"l.product", f.Product}, {"l.borrower_id_number", f.BorrowerID},
	} {
		if c.val != "" {
			where, args = append(where, c.col+" = ?"), append(args, c.val)
		}
	}
	if f.Year != 0 {
		where = append(where, "l.issue_date >= ? AND l.issue_date < ?")
		args = append(args, monitor.Date{Year: f.Year, Month: 1, Day: 1}, monitor.Date{Year: f.Year + 1, Month: 1, Day: 1})
	}
	var out []LoanRecord
	q := `SELECT ` + loanColumns + `, h.township, h.village, h.grp, h.head_name FROM loans l JOIN households h ON h.id = l.household_id
		WHERE ` + strings.Join(where, " AND ") + ` ORDER BY h.township, h.village, h.code, l.issue_date, l.id`
	if err := db.x.SelectContext(ctx, &out, db.rebind(q), args...); err != nil {
		return nil, mapError(err)
	}
	loans := make([]*monitor.Loan, len(out))
	for i := range out {
		loans[i] = &out[i].Loan
	}
	if err := db.loadRepayments(ctx, db.x, loans); err != nil {
		return nil, err
	}
	return out, nil
}

// FindLoanByID returns one loan of scope with its repayments.
func (db *DB) FindLoanByID(ctx context.Context, scope Scope, id int64) (*LoanRecord, error) {
	var out []LoanRecord
	q := `SELECT ` + loanColumns + `, h.township, h.village, h.grp, h.head_name FROM loans l JOIN households h ON h.id = l.household_id WHERE l.id = ?`
	if err := db.x.SelectContext(ctx, &out, db.rebind(q), id); err != nil {
		return nil, mapError(err)
	}
	if len(out) == 0 || !scope.Contains(out[0].Township, out[0].Village) {
		return nil, monitor.Errorf(monitor.ENOTFOUND, "贷款 %d 不存在", id)
	}
	if err := db.loadRepayments(ctx, db.x, []*monitor.Loan{&out[0].Loan}); err != nil {
		return nil, err
	}
	return &out[0], nil
}

// loadRepayments fills the Repayments of loans, in date order (undated
// first, as the loan arithmetic reads them).
func (db *DB) loadRepayments(ctx context.Context, q querier, loans []*monitor.Loan) error {
	idx := make(map[int64]*monitor.Loan, len(loans))
	ids := make([]int64, len(loans))
	for i, l := range loans {
		idx[l.ID] = l
		ids[i] = l.ID
	}
	for start := 0; start < len(ids); start += lookupChunk {
		query, args, _ := sqlx.In(`SELECT id, loan_id, paid_on, principal, interest FROM repayments WHERE loan_id IN (?) ORDER BY loan_id, paid_on, id`, ids[start:min(start+lookupChunk, len(ids))])
		var reps []monitor.Repayment
		if err := q.SelectContext(ctx, &reps, db.rebind(query), args...); err != nil {
			return mapError(err)
		}
		for _, r := range reps {
			l := idx[r.LoanID]
			l.Repayments = append(l.Repayments, r)
		}
	}
	return nil
}

// CreateLoan records a loan typed into a form; the household is the
// borrower's, which must be in scope. Its repayments, if any, are recorded
// as typed in by hand.
func (db *DB) CreateLoan(ctx context.Context, scope Scope, l *monitor.Loan, actor string) error {
	if err := l.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := db.loanHousehold(ctx, tx, scope, l); err != nil {
			return err
		}
		now := db.Now()
		key := LoanKey(l)
		var n int
		if err := tx.GetContext(ctx, &n, db.rebind(`SELECT COUNT(*) FROM loans WHERE natural_key = ?`), key); err != nil {
			return mapError(err)
		}
		if n > 0 {
			return monitor.Errorf(monitor.ECONFLICT, "已有同一笔贷款（%s）", duplicateWhat(l))
		}
		if err := tx.GetContext(ctx, &l.ID, db.rebind(`INSERT INTO loans (`+strings.Join(loanInsertColumns, ", ")+`) VALUES (`+placeholders(len(loanInsertColumns))+`) RETURNING id`),
			loanValues(l, key, nil, now)...); err != nil {
			return mapError(err)
		}
		for i := range l.Repayments {
			r := &l.Repayments[i]
			r.LoanID = l.ID
			if err := tx.GetContext(ctx, &r.ID, db.rebind(`INSERT INTO repayments (loan_id, paid_on, principal, interest, source) VALUES (?, ?, ?, ?, ?) RETURNING id`),
				l.ID, r.Date, r.Principal, r.Interest, repaymentManual); err != nil {
				return mapError(err)
			}
		}
		return db.insertChanges(ctx, tx, nil, []monitor.Change{{At: now, Actor: actor, HouseholdCode: l.HouseholdCode, Entity: "loan", EntityKey: key,
			Field: "新增贷款", NewValue: fmt.Sprintf("%s %s %s 元，%s 放款（手工录入）", l.Product, l.BorrowerName, l.Amount, l.IssueDate)}})
	})
}

// UpdateLoan saves the edited fields of a loan of scope (not its
// repayments), recording each changed field in the history.
func (db *DB) UpdateLoan(ctx context.Context, scope Scope, l *monitor.Loan, actor string) error {
	if err := l.Validate(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		old, err := db.scopedLoan(ctx, tx, scope, l.ID)
		if err != nil {
			return err
		}
		if err := db.loanHousehold(ctx, tx, scope, l); err != nil {
			return err
		}
		now := db.Now()
		key := LoanKey(l)
		var cs []monitor.Change
		for _, d := range monitor.DiffFields(loanFields(&old.Loan), loanFields(l)) {
			cs = append(cs, monitor.Change{At: now, Actor: actor, HouseholdCode: l.HouseholdCode, Entity: "loan", EntityKey: key, Field: d[0].Name, OldValue: d[0].Value, NewValue: d[1].Value})
		}
		if len(cs) == 0 && key == old.Key {
			return nil
		}
		if _, err := tx.ExecContext(ctx, db.rebind(loanUpdate), append(loanValues(l, key, nil, now), l.ID)...); err != nil {
			if monitor.ErrorCode(mapError(err)) == monitor.ECONFLICT {
				return monitor.Errorf(monitor.ECONFLICT, "已有同一笔贷款（%s）", duplicateWhat(l))
			}
			return mapError(err)
		}
		return db.insertChanges(ctx, tx, nil, cs)
	})
}

// scopedLoan loads a stored loan of scope.
func (db *DB) scopedLoan(ctx context.Context, q querier, scope Scope, id int64) (*storedLoan, error) {
	var ls []struct {
		storedLoan
		Township string `db:"township"`
		Village  string `db:"village"`
	}
	if err := q.SelectContext(ctx, &ls, db.rebind(`SELECT `+loanColumns+`, l.natural_key, h.township, h.village FROM loans l JOIN households h ON h.id = l.household_id WHERE l.id = ?`), id); err != nil {
		return nil, mapError(err)
	}
	if len(ls) == 0 || !scope.Contains(ls[0].Township, ls[0].Village) {
		return nil, monitor.Errorf(monitor.ENOTFOUND, "贷款 %d 不存在", id)
	}
	return &ls[0].storedLoan, nil
}

// loanHousehold sets the loan's household from its borrower; it must be
// in scope.
func (db *DB) loanHousehold(ctx context.Context, q querier, scope Scope, l *monitor.Loan) error {
	ps, err := db.findPeople(ctx, q, []string{l.BorrowerIDNumber})
	if err != nil {
		return err
	}
	p, ok := ps[l.BorrowerIDNumber]
	if ok && !scope.Contains(p.Township, p.Village) {
		return monitor.Errorf(monitor.EFORBIDDEN, "贷款人所在的户不在您的管辖范围（%s）内", scope)
	}
	if !ok {
		return monitor.Errorf(monitor.EINVALID, "贷款人身份证号 %s 不在任何一户中：请先在花名册中登记此人", monitor.MaskID(l.BorrowerIDNumber))
	}
	l.HouseholdID, l.HouseholdCode = p.HouseholdID, p.Code
	if l.BorrowerName == "" {
		l.BorrowerName = p.Name
	}
	if l.Relation == "" {
		l.Relation = p.Relation
	}
	return nil
}

// AddRepayment records a repayment typed in by hand on a loan of scope; a
// ledger import keeps it (and warns) rather than replacing it.
func (db *DB) AddRepayment(ctx context.Context, scope Scope, loanID int64, r *monitor.Repayment, actor string) error {
	if r.Principal < 0 || r.Interest < 0 || (r.Principal == 0 && r.Interest == 0) {
		return monitor.Errorf(monitor.EINVALID, "还款本金和利息不能为负，且不能都为 0")
	}
	if r.Date.IsZero() {
		return monitor.Errorf(monitor.EINVALID, "还款日期必填")
	}
	return db.inTx(ctx, func(tx *sqlx.Tx) error {
		s, err := db.scopedLoan(ctx, tx, scope, loanID)
		if err != nil {
			return err
		}
		l := &s.Loan
		if err := db.loadRepayments(ctx, tx, []*monitor.Loan{l}); err != nil {
			return err
		}
		if r.Date.Before(l.IssueDate) {
			return monitor.Errorf(monitor.EINVALID, "还款日期 %s 早于放款日期 %s", r.Date, l.IssueDate)
		}
		if paid := principalSum(l.Repayments); paid+r.Principal > l.Amount {
			return monitor.Errorf(monitor.EINVALID, "已还本金 %s 元加本次 %s 元超过贷款金额 %s 元", paid, r.Principal, l.Amount)
		}
		r.LoanID = loanID
		if err := tx.GetContext(ctx, &r.ID, db.rebind(`INSERT INTO repayments (loan_id, paid_on, principal, interest, source) VALUES (?, ?, ?, ?, ?) RETURNING id`),
			loanID, r.Date, r.Principal, r.Interest, repaymentManual); err != nil {
			return mapError(err)
		}
		return db.insertChanges(ctx, tx, nil, []monitor.Change{{At: db.Now(), Actor: actor, HouseholdCode: l.HouseholdCode, Entity: "loan", EntityKey: s.Key,
			Field: "还款", NewValue: repaymentText([]monitor.Repayment{*r})}})
	})
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }
