package importer

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/shouwang/shouwang/importer/sheet"
	"github.com/shouwang/shouwang/monitor"
)

// Loan-ledger fields (小额信贷台账 and its repayment sheet), numbered after
// the roster's. The place and head columns reuse the roster's fields.
const (
	fAmount field = numFields + 1 + iota
	fCreditLine
	fTermMonths
	fIssueDate
	fMaturityDate
	fExtendedTo
	fRate
	fBank
	fPurpose
	fContract
	fProduct
	fMode
	fLoanStatus
	fBorrowerName
	fBorrowerID
	fRepaid        // 累计偿还本金: principal repaid so far
	fRepaidDate    // 还款时间 (ledger) or 还款日期 (repayment sheet)
	fStatedBalance // 贷款余额
	fDerived       // 逾期、贴息、欠息 figures Shouwang computes itself
	fRepayPrincipal
	fRepayInterest
	numLoanFields
)

var loanAliases = aliasTable(map[field][]string{
	fSeq:          {"序号", "编号"},
	fCounty:       {"区县", "县", "县(市、区)"},
	fTownship:     {"乡镇", "乡(镇)", "乡镇街道", "乡镇(街道)", "镇", "街道", "乡"},
	fVillage:      {"行政村", "村", "村(社区)", "社区", "村社区", "村名"},
	fGroup:        {"组别", "组", "村民小组", "社", "小组"},
	fCode:         {"户编号", "户码", "户号"},
	fHeadName:     {"户主姓名", "户主"},
	fHeadID:       {"户主身份证号", "户主身份证号码", "户主证件号码", "身份证号", "身份证号码", "证件号码", "公民身份号码"},
	fBorrowerName: {"贷款人姓名", "借款人姓名", "贷款人", "借款人", "贷款户姓名"},
	fBorrowerID: {"贷款人身份证", "贷款人身份证号", "贷款人身份证号码", "借款人身份证", "借款人身份证号", "借款人身份证号码",
		"贷款人证件号码", "借款人证件号码"},
	fRelation:     {"与户主关系", "与户主的关系", "贷款人与户主关系", "借款人与户主关系"},
	fCreditLine:   {"授信额度", "授信金额"},
	fAmount:       {"贷款金额", "放款金额", "借款金额", "发放金额", "贷款发放金额", "发放贷款金额"},
	fTermMonths:   {"贷款期限", "期限", "借款期限"},
	fIssueDate:    {"放款日期", "放款时间", "贷款发放日期", "发放日期", "发放时间", "贷款日期", "借款日期", "贷款时间", "起贷日期", "贷款发放时间"},
	fMaturityDate: {"到期日期", "到期时间", "到期日", "贷款到期日", "贷款到期日期", "贷款到期时间"},
	fExtendedTo:   {"展期到期日", "展期到期日期", "展期后到期日期", "展期后到期日", "展期日期"},
	fRate:         {"贷款利率", "利率", "年利率", "执行利率", "贷款年利率"},
	fBank:         {"贷款金融机构", "贷款银行", "放款银行", "金融机构", "经办银行", "贷款机构", "放款机构"},
	fPurpose:      {"贷款用途", "用途", "借款用途"},
	fContract:     {"合同编号", "借款合同编号", "贷款合同编号", "合同号", "借据号", "借据编号"},
	fProduct:      {"贷款产品", "贷款类型", "贷款品种", "贷款种类"},
	fMode:         {"还款方式", "还款付息方式"},
	fLoanStatus:   {"贷款状态", "状态", "还款状态"},
	fRepaid: {"累计偿还本金", "偿还贷款金额", "已还本金", "累计还款金额", "累计还本金额", "累计偿还金额", "已还款金额",
		"累计已还本金", "偿还本金金额"},
	fRepaidDate:    {"还款时间", "还款日期", "最近还款日期", "最近还款时间"},
	fStatedBalance: {"贷款余额", "余额", "未还本金", "剩余本金"},
	fDerived:       {"累计贴息金额", "贴息金额", "累计贴息", "逾期贷款金额", "逾期金额", "贷款逾期时间", "逾期时间", "逾期天数", "欠息金额", "欠息"},
	fNote:          {"备注"},
	fResult:        {"导入结果"},
	fIgnore:        {"联系电话", "户类型", "监测对象类别", "是否监测户", "家庭人口", "人口数", "性别", "年龄"},
})

// repaymentAliases name the columns of a separate repayment sheet.
var repaymentAliases = aliasTable(map[field][]string{
	fSeq:            {"序号"},
	fBorrowerName:   {"贷款人姓名", "借款人姓名", "贷款人", "借款人", "姓名"},
	fBorrowerID:     {"贷款人身份证号", "贷款人身份证", "贷款人身份证号码", "借款人身份证号", "借款人身份证号码", "身份证号", "身份证号码", "证件号码"},
	fContract:       {"合同编号", "借款合同编号", "贷款合同编号", "合同号", "借据号"},
	fIssueDate:      {"放款日期", "放款时间", "贷款发放日期", "发放日期"},
	fRepaidDate:     {"还款日期", "还款时间"},
	fRepayPrincipal: {"还款本金", "偿还本金", "归还本金", "本金"},
	fRepayInterest:  {"还款利息", "偿还利息", "归还利息", "利息"},
	fNote:           {"备注"},
	fResult:         {"导入结果"},
})

// recordLabel names the record fields the way users know their columns.
var recordLabel = map[field]string{
	fCode: "户编号", fHeadID: "户主身份证号", fHeadName: "户主姓名", fAmount: "贷款金额", fIssueDate: "放款日期",
	fMaturityDate: "到期日期", fTermMonths: "贷款期限", fBorrowerID: "贷款人身份证号", fBorrowerName: "贷款人姓名",
	fRepaidDate: "还款日期", fRepayPrincipal: "还款本金",
}

// LoanRecord is one loan read from a ledger. The household is left for the
// store to find from the borrower's ID number.
type LoanRecord struct {
	Loan         monitor.Loan
	Row          int
	IDColumn     string // the header of the column the borrower's ID came from
	HeadIDNumber string // the ledger's 户主身份证号, for a cross-check
	// StatesRepayments says the file states what was repaid (a 累计偿还本金
	// or 贷款余额 column, or the repayment sheet): the repayments earlier
	// imports recorded for the loan are replaced, never added to.
	StatesRepayments bool
}

// LoanFile is a parsed loan ledger.
type LoanFile struct {
	RecordFile
	Loans []LoanRecord // valid ones only
	// RepaymentSheet names the sheet of individual repayments, "" when the
	// workbook has none.
	RepaymentSheet string
	// Streamed says every loan of Loans was handed to Options.LoanChunks
	// as it was parsed.
	Streamed bool
}

// ParseLoans reads a loan ledger (小额信贷台账) as field staff keep it: the
// sheet and header are found by meaning, amounts in 元 or 万元 as the
// header (or a 单位：万元 line above it) says, dates as date cells or text,
// repayments from 累计偿还本金/还款时间 columns or from a separate sheet of
// repayments (贷款人身份证号, 还款日期, 还款本金, 还款利息). Every problem names
// its sheet, row, column and value; a loan with an error is not imported.
// Matching borrowers to households is the store's (borrower_not_found).
func ParseLoans(book *sheet.Book, file string, opt Options) (*LoanFile, error) {
	tops, err := sheetTops(book)
	if err != nil {
		return nil, err
	}
	var b, rb *band
	for _, t := range tops {
		if c := findHeader(t.name, t.rows, loanAliases); c != nil && hasField(c, fAmount) && (b == nil || c.score > b.score) {
			b = c
		}
	}
	if b == nil {
		return nil, monitor.Errorf(monitor.EINVALID, "%s：在各个工作表前 %d 行中没有找到贷款台账的表头：至少需要“贷款金额”“放款日期”“贷款人身份证号”（或“身份证号”）等列。请确认上传的是小额信贷台账", file, scanRows)
	}
	for _, t := range tops {
		if t.name == b.sheet {
			continue
		}
		if c := findHeader(t.name, t.rows, repaymentAliases); c != nil && hasField(c, fRepayPrincipal) && hasField(c, fBorrowerID) && !hasField(c, fAmount) {
			if rb == nil || c.score > rb.score {
				rb = c
			}
		}
	}
	_, hasBorrower := b.header.col(fBorrowerID)
	_, hasHead := b.header.col(fHeadID)
	if !hasBorrower && !hasHead {
		return nil, monitor.Errorf(monitor.EINVALID, "%s：工作表“%s”第 %s 行的表头缺少贷款人身份证号：需要“贷款人身份证号”列（可用：%s），或贷款人就是户主时的“身份证号”列", file, b.sheet, joinInts(b.header.Rows), aliasList(loanAliases, fBorrowerID))
	}
	if _, ok := b.header.col(fIssueDate); !ok {
		return nil, monitor.Errorf(monitor.EINVALID, "%s：工作表“%s”第 %s 行的表头缺少必需的列“放款日期”。可用的列名：%s", file, b.sheet, joinInts(b.header.Rows), aliasList(loanAliases, fIssueDate))
	}

	rf := newRecordFile(file, monitor.KindLoans, b)
	rf.Report.Loans = &monitor.RecordCounts{}
	out := &LoanFile{RecordFile: *rf}
	p := &loanParser{recordParser: newRecordParser(&out.RecordFile, b, book, opt), out: out, byBorrower: map[string][]int{}, byContract: map[string][]int{}}
	p.scale = titleScale(b)
	p.product = titleProduct(b)
	if _, ok := b.header.col(fProduct); !ok && p.product == "" {
		p.product = monitor.ProductMicro
		p.sheetWarning("product_assumed", fmt.Sprintf("台账没有“贷款品种”列，标题也未写明贷款种类，全部按“%s”导入", monitor.ProductMicro))
	} else if p.product == "" {
		p.product = monitor.ProductMicro
	}
	for _, c := range b.header.Columns {
		if c.Field == fDerived {
			p.sheetWarning("column_computed", fmt.Sprintf("列“%s”不导入：逾期天数、逾期金额和贴息由系统按放款日、到期日和还款记录计算", c.Header))
		}
	}
	if _, ok := b.header.col(fRepaid); !ok {
		if _, ok := b.header.col(fStatedBalance); ok && rb == nil {
			p.sheetWarning("repaid_from_balance", "台账没有“累计偿还本金”列，已还本金按“贷款金额 − 贷款余额”计算（还款日期未知）")
		}
	}
	p.streams = opt.LoanChunks != nil && rb == nil
	out.Streamed = p.streams
	if err := p.each(book, b, p.loanRow); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if rb != nil {
		out.RepaymentSheet = rb.sheet
		rp := &repaymentParser{recordParser: newExtraParser(&out.RecordFile, rb, book, opt), lp: p}
		rp.scale = titleScale(rb)
		if err := rp.each(book, rb, rp.repaymentRow); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		rp.finish()
	}
	p.finish()
	return out, nil
}

// loanDraft is a loan row that passed its own checks; a bad repayment on
// the repayment sheet can still reject it.
type loanDraft struct {
	rec         LoanRecord
	errs, warns []monitor.Issue
	repaid      monitor.Money // the ledger's 累计偿还本金, -1 when not stated
	fromRows    []int         // repayment-sheet rows attached to it
}

type loanParser struct {
	*recordParser
	out        *LoanFile
	scale      int64  // the amount scale a 单位 line above the header states, 0 when none
	product    string // the product the title names
	drafts     []*loanDraft
	byBorrower map[string][]int // borrower ID → drafts
	byContract map[string][]int
	streams    bool         // accepted loans are handed to Options.LoanChunks
	pending    []LoanRecord // not yet handed on
}

func (p *loanParser) loanRow(r sheet.Row) {
	v := &p.vals
	d := &loanDraft{repaid: -1}
	l := &d.rec.Loan
	d.rec.Row = r.Num

	// Borrower: his own ID column, or the 身份证号 column when he is the head.
	l.BorrowerName = monitor.CompactText(v[fBorrowerName].val)
	headName := monitor.CompactText(v[fHeadName].val)
	idRef := v[fBorrowerID]
	if _, ok := p.hdr.col(fBorrowerID); !ok || !idRef.ok() {
		head := v[fHeadID]
		_, hasHeadName := p.hdr.col(fHeadName)
		switch {
		case head.ok() && (l.BorrowerName == "" || !hasHeadName || l.BorrowerName == headName):
			idRef = head
			if l.BorrowerName == "" {
				l.BorrowerName = headName
			}
		case head.ok():
			p.missing(fBorrowerID, r.Num, fmt.Sprintf("贷款人“%s”不是户主“%s”，但没有填写贷款人身份证号", l.BorrowerName, headName))
		default:
			p.missing(fBorrowerID, r.Num, "贷款人身份证号为空")
		}
	}
	if idRef.ok() {
		d.rec.IDColumn = p.colOf(idRef).Header
		if id, ok := p.idNumber(idRef); ok {
			l.BorrowerIDNumber = id
		}
	}
	if ref := v[fHeadID]; ref.ok() && ref != idRef {
		id, _, _, prob := monitor.ParseIDNumber(ref.val, ref.kind == sheet.Number)
		if prob != nil {
			p.warn(ref, prob.Code, "户主身份证号有误，仅用于核对，不影响导入："+prob.Message)
		} else {
			d.rec.HeadIDNumber = id
		}
	} else if ref.ok() {
		d.rec.HeadIDNumber = l.BorrowerIDNumber
	}
	if ref := v[fRelation]; ref.ok() {
		if rel, ok := monitor.NormalizeRelation(ref.val); ok {
			l.Relation = rel
		} else {
			p.bad(ref, monitor.CodeUnknownValue, fmt.Sprintf("与户主关系“%s”无法识别，可填：户主/本人、配偶、子、女、父亲、母亲、儿媳、女婿、孙子、孙女、兄弟姐妹、其他", ref.val))
		}
	}

	// Amounts.
	if ref := v[fAmount]; ref.ok() {
		if m, ok := p.amount(ref, p.scale, true); ok {
			if m == 0 {
				p.bad(ref, monitor.CodeNumberFormat, "贷款金额不能为 0")
			}
			l.Amount = m
		}
	} else {
		p.missing(fAmount, r.Num, "贷款金额为空")
	}
	if ref := v[fCreditLine]; ref.ok() {
		if m, ok := p.amount(ref, p.scale, false); ok {
			l.CreditLine = m
		}
	}

	// Dates and term.
	if ref := v[fIssueDate]; ref.ok() {
		l.IssueDate, _ = p.date(ref, "放款日期")
		if !l.IssueDate.IsZero() && !p.opt.AsOf.IsZero() && p.opt.AsOf.Before(l.IssueDate) {
			p.warn(ref, "future_date", fmt.Sprintf("放款日期 %s 晚于今天 %s，请核对", l.IssueDate, p.opt.AsOf))
		}
	} else {
		p.missing(fIssueDate, r.Num, "放款日期为空")
	}
	if ref := v[fMaturityDate]; ref.ok() {
		l.MaturityDate, _ = p.date(ref, "到期日期")
		if !l.MaturityDate.IsZero() && !l.IssueDate.IsZero() && !l.IssueDate.Before(l.MaturityDate) {
			p.bad(ref, "date_order", fmt.Sprintf("到期日期 %s 不晚于放款日期 %s", l.MaturityDate, l.IssueDate))
		}
	}
	if ref := v[fTermMonths]; ref.ok() {
		if n, ok := p.termMonths(ref); ok {
			l.TermMonths = n
		}
	}
	switch {
	case !v[fTermMonths].ok() && !v[fMaturityDate].ok():
		p.missing(fMaturityDate, r.Num, "到期日期和贷款期限都为空：至少填写一项")
	case l.TermMonths == 0 && !l.MaturityDate.IsZero() && !l.IssueDate.IsZero() && l.IssueDate.Before(l.MaturityDate):
		l.TermMonths = monthsSpanned(l.IssueDate, l.MaturityDate)
	case l.TermMonths > 0 && !l.MaturityDate.IsZero() && !l.IssueDate.IsZero():
		if due := addMonths(l.IssueDate, l.TermMonths); abs(due.DaysUntil(l.MaturityDate)) > 31 {
			p.warn(v[fMaturityDate], "term_mismatch", fmt.Sprintf("放款日期 %s 加期限 %d 个月应在 %s 左右到期，但到期日期填写为 %s；按到期日期计算逾期", l.IssueDate, l.TermMonths, due, l.MaturityDate))
		}
	}
	if ref := v[fExtendedTo]; ref.ok() {
		l.ExtendedTo, _ = p.date(ref, "展期到期日")
		if m := l.MaturityDate; !l.ExtendedTo.IsZero() && !m.IsZero() && !m.Before(l.ExtendedTo) {
			p.bad(ref, "date_order", fmt.Sprintf("展期到期日 %s 应晚于原到期日期 %s", l.ExtendedTo, m))
		}
	}
	if ref := v[fRate]; ref.ok() {
		if rate, ok := p.rate(ref); ok {
			l.RatePct = rate
		}
	}

	// Text and enumerations.
	l.Bank = monitor.CompactText(v[fBank].val)
	l.Purpose = monitor.NormalizeText(v[fPurpose].val)
	l.Note = monitor.NormalizeText(v[fNote].val)
	if ref := v[fContract]; ref.ok() {
		l.Contract = p.codeText(ref, "合同编号")
	}
	l.Product = p.product
	if ref := v[fProduct]; ref.ok() {
		l.Product = normalizeProduct(ref.val)
		if l.Product == monitor.ProductOther {
			p.warn(ref, "product_other", fmt.Sprintf("贷款品种“%s”不是脱贫人口小额信贷或创业担保贷款，按“%s”记录（不计贴息，不做小额信贷核查）", ref.val, monitor.ProductOther))
		}
	}
	l.Mode, l.InterestEveryMonths = monitor.ModeInterestOnly, 3
	if ref := v[fMode]; ref.ok() {
		mode, every, ok := normalizeMode(ref.val)
		if !ok {
			p.bad(ref, monitor.CodeUnknownValue, fmt.Sprintf("还款方式“%s”无法识别，可填：按季付息到期还本（或按月、按年付息到期还本）、利随本清、等额本息、等额本金", ref.val))
		} else {
			l.Mode, l.InterestEveryMonths = mode, every
			if every < 0 { // 利随本清: interest with the principal
				l.InterestEveryMonths = max(l.TermMonths, 1)
			}
		}
	}
	if ref := v[fLoanStatus]; ref.ok() {
		if s, ok := normalizeLoanStatus(ref.val); ok {
			l.Status = s
		} else {
			p.bad(ref, monitor.CodeUnknownValue, fmt.Sprintf("贷款状态“%s”无法识别，可填：正常、已结清、逾期、展期、续贷", ref.val))
		}
	}
	if l.Status == monitor.LoanExtended && l.ExtendedTo.IsZero() {
		p.warn(v[fLoanStatus], "extension_date_missing", "贷款状态为“展期”，但没有填写展期到期日：逾期仍按原到期日期计算")
	}

	p.ledgerRepayments(d)
	if p.rowErrors() {
		p.reject(r.Num)
		return
	}
	d.warns = p.takeWarnings()
	i := len(p.drafts)
	p.drafts = append(p.drafts, d)
	p.stream(d)
	if l.BorrowerIDNumber != "" {
		p.byBorrower[l.BorrowerIDNumber] = append(p.byBorrower[l.BorrowerIDNumber], i)
	}
	if l.Contract != "" {
		p.byContract[l.Contract] = append(p.byContract[l.Contract], i)
	}
}

// ledgerRepayments reads 累计偿还本金 (with 还款时间) or else infers the
// repaid principal from 贷款余额, and cross-checks the stated balance.
func (p *loanParser) ledgerRepayments(d *loanDraft) {
	v := &p.vals
	l := &d.rec.Loan
	_, hasRepaid := p.hdr.col(fRepaid)
	_, hasBalance := p.hdr.col(fStatedBalance)
	var repaid, balance monitor.Money
	repaidOK, balanceOK := true, false
	if ref := v[fRepaid]; ref.ok() {
		repaid, repaidOK = p.amount(ref, p.scale, false)
	}
	if ref := v[fStatedBalance]; ref.ok() {
		balance, balanceOK = p.amount(ref, p.scale, false)
	}
	var paidOn monitor.Date
	if ref := v[fRepaidDate]; ref.ok() {
		paidOn, _ = p.date(ref, "还款时间")
		if !paidOn.IsZero() && !l.IssueDate.IsZero() && paidOn.Before(l.IssueDate) {
			p.bad(ref, "date_order", fmt.Sprintf("还款时间 %s 早于放款日期 %s", paidOn, l.IssueDate))
		}
	}
	switch {
	case hasRepaid:
		if !repaidOK {
			return
		}
		d.repaid = repaid
		d.rec.StatesRepayments = true
	case hasBalance && balanceOK && l.Amount > 0:
		// No 累计偿还本金 column: what is no longer owed was repaid.
		repaid = l.Amount - balance
		if repaid < 0 {
			p.bad(v[fStatedBalance], "balance_exceeds_amount", fmt.Sprintf("贷款余额 %s 元大于贷款金额 %s 元", balance, l.Amount))
			return
		}
		d.repaid = repaid
		d.rec.StatesRepayments = true
		balanceOK = false // nothing to cross-check: it is the source
	case hasBalance && !v[fStatedBalance].ok():
		d.repaid = 0
		d.rec.StatesRepayments = true
	default:
		return
	}
	if l.Amount > 0 && repaid > l.Amount {
		p.bad(v[fRepaid], "repaid_exceeds_amount", fmt.Sprintf("累计偿还本金 %s 元大于贷款金额 %s 元", repaid, l.Amount))
		return
	}
	if repaid > 0 {
		l.Repayments = []monitor.Repayment{{Date: paidOn, Principal: repaid}}
	} else if v[fRepaidDate].ok() {
		p.warn(v[fRepaidDate], "repaid_date_without_amount", "填写了还款时间，但累计偿还本金为 0 或空，未记录还款")
	}
	if balanceOK && l.Amount > 0 {
		if want := l.Amount - repaid; absMoney(balance-want) > 0 {
			p.warn(v[fStatedBalance], "balance_mismatch", fmt.Sprintf("贷款余额填写为 %s 元，按贷款金额 %s 元 − 累计偿还本金 %s 元应为 %s 元；系统按还款记录计算余额，请核对", balance, l.Amount, repaid, want))
		}
	}
}

// streamChunk is how many loans are handed to Options.LoanChunks at a
// time unless Options.LoanChunkSize says otherwise.
const streamChunk = 2000

// stream hands an accepted loan on to Options.LoanChunks when the ledger
// streams; stream(nil) hands on the rest.
func (p *loanParser) stream(d *loanDraft) {
	if !p.streams {
		return
	}
	if d != nil {
		p.pending = append(p.pending, d.rec)
	}
	size := p.opt.LoanChunkSize
	if size <= 0 {
		size = streamChunk
	}
	if len(p.pending) >= size || (d == nil && len(p.pending) > 0) {
		p.opt.LoanChunks(p.sheetName, p.pending, len(p.file.Report.Errors))
		p.pending = nil
	}
}

// finish decides each draft: repayment-sheet problems reject the loan they
// belong to; the rest are imported.
func (p *loanParser) finish() {
	p.stream(nil)
	rep := p.file.Report
	for _, d := range p.drafts {
		rep.Warnings = append(rep.Warnings, d.warns...)
		if len(d.errs) == 0 {
			p.out.Loans = append(p.out.Loans, d.rec)
			continue
		}
		rep.Errors = append(rep.Errors, d.errs...)
		rep.Loans.Rejected++
		p.file.RowResults[d.rec.Row] = d.errs[0].Message
		for _, r := range d.fromRows {
			p.out.extraResult(p.out.RepaymentSheet, r, fmt.Sprintf("所属贷款（工作表“%s”第 %d 行）未导入", p.sheetName, d.rec.Row))
		}
	}
	sortIssues(rep.Errors)
	sortIssues(rep.Warnings)
}

// repaymentParser reads the separate sheet of repayments and attaches each
// row to a loan of the ledger.
type repaymentParser struct {
	*recordParser
	lp       *loanParser
	scale    int64
	attached map[int]bool // drafts that got repayments from this sheet
}

func (p *repaymentParser) repaymentRow(r sheet.Row) {
	v := &p.vals
	if p.attached == nil {
		p.attached = map[int]bool{}
	}
	var id string
	if ref := v[fBorrowerID]; ref.ok() {
		id, _ = p.idNumber(ref)
	} else {
		p.missing(fBorrowerID, r.Num, "贷款人身份证号为空")
	}
	var rp monitor.Repayment
	if ref := v[fRepaidDate]; ref.ok() {
		rp.Date, _ = p.date(ref, "还款日期")
	} else {
		p.missing(fRepaidDate, r.Num, "还款日期为空")
	}
	principal, interest := v[fRepayPrincipal], v[fRepayInterest]
	if principal.ok() {
		rp.Principal, _ = p.amount(principal, p.scale, false)
	}
	if interest.ok() {
		rp.Interest, _ = p.amount(interest, p.scale, false)
	}
	if !principal.ok() && !interest.ok() {
		p.missing(fRepayPrincipal, r.Num, "还款本金和还款利息都为空")
	}
	var issue monitor.Date
	if ref := v[fIssueDate]; ref.ok() {
		issue, _ = p.date(ref, "放款日期")
	}
	contract := ""
	if ref := v[fContract]; ref.ok() {
		contract = p.codeText(ref, "合同编号")
	}

	// Which loan of the ledger?
	target := -1
	if id != "" || contract != "" {
		var cands []int
		if contract != "" {
			cands = p.lp.byContract[contract]
		} else {
			for _, i := range p.lp.byBorrower[id] {
				if issue.IsZero() || p.lp.drafts[i].rec.Loan.IssueDate == issue {
					cands = append(cands, i)
				}
			}
		}
		ref := v[fBorrowerID]
		if contract != "" {
			ref = v[fContract]
		}
		switch len(cands) {
		case 0:
			p.bad(ref, "loan_not_found", fmt.Sprintf("台账“%s”中没有与这条还款对应的贷款（%s）：请核对身份证号、合同编号或放款日期；若该笔贷款在台账中有错误，请先改正台账中的那一行", p.lp.sheetName, loanRef(id, contract, issue)))
		case 1:
			target = cands[0]
		default:
			rows := make([]int, len(cands))
			for k, i := range cands {
				rows[k] = p.lp.drafts[i].rec.Row
			}
			p.bad(ref, "ambiguous_loan", fmt.Sprintf("该贷款人在台账中有 %d 笔贷款（第 %s 行），无法确定这条还款属于哪一笔：请在还款表中填写“合同编号”或“放款日期”", len(cands), joinInts(rows)))
		}
	}
	if target >= 0 {
		d := p.lp.drafts[target]
		if !rp.Date.IsZero() && !d.rec.Loan.IssueDate.IsZero() && rp.Date.Before(d.rec.Loan.IssueDate) {
			p.bad(v[fRepaidDate], "date_order", fmt.Sprintf("还款日期 %s 早于该笔贷款的放款日期 %s（台账第 %d 行）", rp.Date, d.rec.Loan.IssueDate, d.rec.Row))
		}
	}
	if p.rowErrors() {
		msg := p.errs[0].Message
		p.reject(r.Num)
		if target >= 0 {
			d := p.lp.drafts[target]
			d.errs = append(d.errs, monitor.Issue{Sheet: p.lp.sheetName, Row: d.rec.Row, Code: "repayment_rejected",
				Message: fmt.Sprintf("该笔贷款在工作表“%s”第 %d 行的还款有错误，还款记录不完整，整笔贷款暂不导入：%s", p.sheetName, r.Num, msg)})
		}
		return
	}
	p.flushWarnings()
	d := p.lp.drafts[target]
	if !p.attached[target] {
		p.attached[target] = true
		d.rec.Loan.Repayments = nil // the sheet's repayments replace the ledger's cumulative figure
		d.rec.StatesRepayments = true
	}
	d.rec.Loan.Repayments = append(d.rec.Loan.Repayments, rp)
	d.fromRows = append(d.fromRows, r.Num)
	p.extra.attachedTo[r.Num] = d.rec.Row
}

// finish cross-checks each loan's repayments against the ledger's 累计偿还本金.
func (p *repaymentParser) finish() {
	for i := range p.attached {
		d := p.lp.drafts[i]
		var sum monitor.Money
		for _, r := range d.rec.Loan.Repayments {
			sum += r.Principal
		}
		if l := d.rec.Loan; l.Amount > 0 && sum > l.Amount {
			d.errs = append(d.errs, monitor.Issue{Sheet: p.lp.sheetName, Row: d.rec.Row, Code: "repaid_exceeds_amount",
				Message: fmt.Sprintf("工作表“%s”第 %s 行的还款本金合计 %s 元，大于贷款金额 %s 元", p.sheetName, joinInts(d.fromRows), sum, l.Amount)})
		}
		if d.repaid >= 0 && d.repaid != sum {
			d.warns = append(d.warns, monitor.Issue{Sheet: p.lp.sheetName, Row: d.rec.Row, Code: "repaid_mismatch",
				Message: fmt.Sprintf("台账的累计偿还本金为 %s 元，工作表“%s”第 %s 行的还款本金合计 %s 元；按还款明细记录", d.repaid, p.sheetName, joinInts(d.fromRows), sum)})
		}
	}
	sortIssues(p.file.Report.Errors)
}

func loanRef(id, contract string, issue monitor.Date) string {
	var parts []string
	if id != "" {
		parts = append(parts, "身份证号 "+monitor.MaskID(id))
	}
	if contract != "" {
		parts = append(parts, "合同编号 "+contract)
	}
	if !issue.IsZero() {
		parts = append(parts, "放款日期 "+issue.String())
	}
	return strings.Join(parts, "，")
}

// titleScale reads a 单位：万元 line above the header: amounts whose header
// names no unit are then in 万元.
func titleScale(b *band) int64 {
	for _, r := range b.rows {
		if r.Num >= b.header.Rows[0] {
			break
		}
		for _, c := range r.Cells {
			t := monitor.CompactText(c.Value)
			if i := strings.Index(t, "单位"); i >= 0 {
				rest := t[i:]
				if strings.HasPrefix(strings.TrimLeft(strings.TrimPrefix(rest, "单位"), ":："), "万元") {
					return 10000
				}
			}
		}
	}
	return 0
}

// titleProduct names the product a ledger's title or sheet name states.
func titleProduct(b *band) string {
	texts := []string{b.sheet}
	for _, r := range b.rows {
		if r.Num >= b.header.Rows[0] {
			break
		}
		for _, c := range r.Cells {
			texts = append(texts, c.Value)
		}
	}
	for _, t := range texts {
		t = monitor.CompactText(t)
		switch {
		case strings.Contains(t, "创业担保"):
			return monitor.ProductStartup
		case strings.Contains(t, "小额信贷"), strings.Contains(t, "扶贫贷款"), strings.Contains(t, "小额贷款"):
			return monitor.ProductMicro
		}
	}
	return ""
}

func normalizeProduct(s string) string {
	t := monitor.CompactText(s)
	switch {
	case strings.Contains(t, "创业担保"):
		return monitor.ProductStartup
	case strings.Contains(t, "小额信贷"), strings.Contains(t, "扶贫"), strings.Contains(t, "脱贫"), strings.Contains(t, "小额贷款"):
		return monitor.ProductMicro
	}
	return monitor.ProductOther
}

// normalizeMode folds 还款方式 to a monitor mode and the months between
// interest payments; every is -1 for 利随本清 (interest with the principal).
func normalizeMode(s string) (mode string, every int, ok bool) {
	t := strings.NewReplacer("、", "", "，", "", ",", "", ";", "", "；", "", "/", "", "-", "").Replace(monitor.CompactText(s))
	switch {
	case strings.Contains(t, "等额本息"):
		return monitor.ModeAnnuity, 0, true
	case strings.Contains(t, "等额本金"):
		return monitor.ModeEqualPrincipal, 0, true
	case strings.Contains(t, "利随本清"), strings.Contains(t, "一次性还本付息"), strings.Contains(t, "一次还本付息"), strings.Contains(t, "到期一次"):
		return monitor.ModeInterestOnly, -1, true
	case strings.Contains(t, "到期还本"), strings.Contains(t, "先息后本"), strings.Contains(t, "付息到期"), strings.Contains(t, "按期付息"):
		every := 3
		switch {
		case strings.Contains(t, "按月"):
			every = 1
		case strings.Contains(t, "半年"):
			every = 6
		case strings.Contains(t, "按年"):
			every = 12
		}
		return monitor.ModeInterestOnly, every, true
	}
	return "", 0, false
}

func normalizeLoanStatus(s string) (string, bool) {
	switch monitor.CompactText(s) {
	case "正常", "正常还款", "未到期", "在贷":
		return monitor.LoanNormal, true
	case "已结清", "结清", "已还清", "还清", "已还款":
		return monitor.LoanSettled, true
	case "逾期", "已逾期", "逾期未还":
		return monitor.LoanOverdue, true
	case "展期", "已展期":
		return monitor.LoanExtended, true
	case "续贷", "已续贷":
		return monitor.LoanRenewed, true
	}
	return "", false
}

// monthsSpanned is the term from a to b in months, rounded up (a ledger
// that writes 2021-03-15 → 2024-03-14 means 36 months).
func monthsSpanned(a, b monitor.Date) int {
	n := (b.Year-a.Year)*12 + b.Month - a.Month
	if addMonths(a, n).Compare(b) > 0 {
		n--
	}
	if addMonths(a, n).Before(b) {
		n++
	}
	return max(n, 1)
}

// addMonths adds n months keeping the day, clamped to the month's end, as
// loan contracts count terms.
func addMonths(d monitor.Date, n int) monitor.Date {
	m := d.Year*12 + d.Month - 1 + n
	y, mo := m/12, m%12+1
	last := 31
	for ; last > 28; last-- {
		if _, ok := monitor.NewDate(y, mo, last); ok {
			break
		}
	}
	return monitor.Date{Year: y, Month: mo, Day: min(d.Day, last)}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// rate reads 贷款利率 as a percent: 3.45, "3.45%", or 0.0345 from a cell
// formatted as a percentage.
func (p *recordParser) rate(ref cellRef) (float64, bool) {
	t := strings.TrimSuffix(strings.TrimSuffix(monitor.CompactText(ref.val), "%"), "％")
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f < 0 || math.IsNaN(f) {
		p.bad(ref, monitor.CodeNumberFormat, fmt.Sprintf("贷款利率“%s”应为年利率百分数，如 3.45 或 3.45%%", ref.val))
		return 0, false
	}
	if f > 0 && f < 0.3 && !strings.Contains(ref.val, "%") {
		f *= 100 // a percentage cell stores 3.45% as 0.0345
	}
	if f > 36 {
		p.bad(ref, monitor.CodeNumberFormat, fmt.Sprintf("贷款利率 %s%% 不合常理：请填写年利率百分数，如 3.45", strconv.FormatFloat(f, 'f', -1, 64)))
		return 0, false
	}
	return math.Round(f*1e6) / 1e6, true
}

// termMonths reads 贷款期限: 36, "36个月", "3年", or years when the header
// says (年).
func (p *recordParser) termMonths(ref cellRef) (int, bool) {
	t := monitor.CompactText(ref.val)
	mult := 1.0
	if p.unit(ref) == "年" {
		mult = 12
	}
	switch {
	case strings.HasSuffix(t, "个月"):
		t, mult = strings.TrimSuffix(t, "个月"), 1
	case strings.HasSuffix(t, "月"):
		t, mult = strings.TrimSuffix(t, "月"), 1
	case strings.HasSuffix(t, "年"):
		t, mult = strings.TrimSuffix(t, "年"), 12
	}
	f, err := strconv.ParseFloat(t, 64)
	n := int(math.Round(f * mult))
	if err != nil || n <= 0 || n > 600 || math.Abs(f*mult-float64(n)) > 0.01 {
		p.bad(ref, monitor.CodeNumberFormat, fmt.Sprintf("贷款期限“%s”应为月数（如 36 或 36个月），也可写 3年", ref.val))
		return 0, false
	}
	return n, true
}

// unitOf is the unit a column's header states in brackets: 元, 万元, 月, 年…
func unitOf(c column) string {
	h := c.Header
	if i := strings.LastIndex(h, "/"); i >= 0 {
		h = h[i+1:]
	}
	_, u := headerKey(h)
	return u
}
