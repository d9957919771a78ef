package imports

import (
	"context"

	"github.com/shouwang/shouwang/importer"
	"github.com/shouwang/shouwang/importer/sheet"
	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
)

// RecordKinds names the one-row-per-record file kinds.
var RecordKinds = map[string]string{
	monitor.KindLoans:    "小额信贷台账",
	monitor.KindMeasures: "帮扶措施台账",
	monitor.KindCadres:   "帮扶责任人名单",
}

// recordKindOf names the record kind a file's headers show, "" when none.
func recordKindOf(path string, lim sheet.Limits) string {
	book, err := sheet.Open(path, lim)
	if err != nil {
		return ""
	}
	defer book.Close()
	k, _ := importer.RecordKindOf(book)
	return k
}

// Records imports a loan ledger, measures ledger or cadre list: the
// importer parses it, the store checks it against the registry (and the
// uploader's place) and writes it in one transaction, and the error
// workbook marks the issues of both.
func Records(ctx context.Context, db *store.DB, req Request) (*monitor.ImportReport, error) {
	sum, err := fileSHA256(req.Path)
	if err != nil {
		return nil, monitor.Errorf(monitor.EINVALID, "无法读取文件：%v", err)
	}
	book, err := sheet.Open(req.Path, req.Limits)
	if err != nil {
		return nil, asInvalid(err)
	}
	defer book.Close()
	name := req.name()
	popt := importer.Options{AsOf: req.Today, DefaultYear: req.Today.Year - 1, Progress: req.Progress}
	opt := req.Options
	if !req.Scope.All {
		scope := req.Scope
		opt.Scope = &scope
	}
	var rf *importer.RecordFile
	var write func(rep *monitor.ImportReport) error
	switch req.Kind {
	case monitor.KindLoans:
		// A ledger is written while it is parsed (see loanStream); one
		// with a separate repayment sheet, whose rows may yet reject a
		// loan, only once parsed.
		ls := startLoanStream(ctx, db, opt, name, sum)
		popt.LoanChunks = ls.add
		if db.Dialect == store.Postgres {
			// PostgreSQL answers one look-up of 10,000 keys much sooner
			// than five of 2,000.
			popt.LoanChunkSize = 10000
		}
		f, err := importer.ParseLoans(book, name, popt)
		if serr := ls.wait(); err == nil && serr != nil {
			err = serr
		}
		if err != nil {
			ls.close()
			return nil, asInvalid(err)
		}
		rf = &f.RecordFile
		if f.Streamed {
			write = func(rep *monitor.ImportReport) error { return ls.finish(rep) }
			break
		}
		batch := make([]store.LoanImport, len(f.Loans))
		for i, r := range f.Loans {
			batch[i] = loanImport(r)
		}
		write = func(rep *monitor.ImportReport) error { return db.ImportLoans(ctx, rep, batch, opt) }
	case monitor.KindMeasures:
		f, err := importer.ParseMeasures(book, name, popt)
		if err != nil {
			return nil, asInvalid(err)
		}
		batch := make([]store.MeasureImport, len(f.Measures))
		for i, r := range f.Measures {
			batch[i] = store.MeasureImport{Measure: r.Measure, Row: r.Row, HeadIDNumber: r.HeadIDNumber, KeyColumn: r.KeyColumn}
		}
		rf = &f.RecordFile
		write = func(rep *monitor.ImportReport) error { return db.ImportMeasures(ctx, rep, batch, opt) }
	case monitor.KindCadres:
		f, err := importer.ParseCadres(book, name, popt)
		if err != nil {
			return nil, asInvalid(err)
		}
		batch := make([]store.CadreImport, len(f.Cadres))
		for i, r := range f.Cadres {
			batch[i] = store.CadreImport{Cadre: r.Cadre, Row: r.Row, HeadIDNumber: r.HeadIDNumber, KeyColumn: r.KeyColumn}
		}
		rf = &f.RecordFile
		write = func(rep *monitor.ImportReport) error { return db.ImportCadres(ctx, rep, batch, opt) }
	default:
		return nil, monitor.Errorf(monitor.EINVALID, "未知的文件类型 %q", req.Kind)
	}
	rep := rf.Report
	rep.DryRun = opt.DryRun
	opt.FileName, opt.SHA256, opt.Sheet = name, sum, rep.Sheet
	nErr, nWarn := len(rep.Errors), len(rep.Warnings)
	if err := write(rep); err != nil {
		return nil, err
	}
	rf.AddStoreIssues(nErr, nWarn)
	if req.ErrorsOut != "" {
		if err := importer.WriteRecordErrorWorkbook(req.Path, book, rf, req.ErrorsOut); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

func loanImport(r importer.LoanRecord) store.LoanImport {
	return store.LoanImport{Loan: r.Loan, Row: r.Row, IDColumn: r.IDColumn, HeadIDNumber: r.HeadIDNumber, StatesRepayments: r.StatesRepayments}
}

// loanStream writes the chunks of a ledger the parser hands on
// (importer.Options.LoanChunks) while the parser goes on: one goroutine
// checks each chunk against the registry (LoanWriter.Prepare, on the read
// connections), another writes the chunk before it (Apply), so the
// parser, the checks and the writes share the cores. The store's issues
// and counts gather in their own report, joined to the parser's at the end.
type loanStream struct {
	ctx      context.Context
	db       *store.DB
	opt      store.ImportOptions
	chunks   chan loanChunk
	prepared chan *store.LoanChunk
	done     chan struct{}
	rep      *monitor.ImportReport
	w        *store.LoanWriter
	closed   bool  // chunks is closed
	perr     error // Prepare's
	aerr     error // Apply's
}

type loanChunk struct {
	sheet  string
	loans  []importer.LoanRecord
	errors int
}

func startLoanStream(ctx context.Context, db *store.DB, opt store.ImportOptions, name, sum string) *loanStream {
	opt.FileName, opt.SHA256 = name, sum
	ls := &loanStream{ctx: ctx, db: db, opt: opt, chunks: make(chan loanChunk, 1), prepared: make(chan *store.LoanChunk, 1),
		done: make(chan struct{}), rep: &monitor.ImportReport{Kind: monitor.KindLoans, Loans: &monitor.RecordCounts{}}}
	chunks, prepared := ls.chunks, ls.prepared
	go func() { // checks
		defer close(prepared)
		for c := range chunks {
			if ls.perr != nil {
				continue
			}
			if ls.w == nil {
				ls.opt.Sheet = c.sheet
				if ls.w, ls.perr = db.BeginLoans(ctx, ls.rep, ls.opt); ls.perr != nil {
					continue
				}
				ls.w.ReadOutside()
			}
			batch := make([]store.LoanImport, len(c.loans))
			for i, r := range c.loans {
				batch[i] = loanImport(r)
			}
			var p *store.LoanChunk
			if p, ls.perr = ls.w.Prepare(batch, c.errors); ls.perr == nil {
				prepared <- p
			}
		}
	}()
	go func() { // writes
		defer close(ls.done)
		for p := range prepared {
			if ls.aerr == nil {
				ls.aerr = ls.w.Apply(p)
			}
		}
	}()
	return ls
}

func (ls *loanStream) add(sheet string, loans []importer.LoanRecord, errors int) {
	ls.chunks <- loanChunk{sheet, loans, errors}
}

// wait lets the checks and writes finish the chunks handed on.
func (ls *loanStream) wait() error {
	if !ls.closed {
		close(ls.chunks)
		ls.closed = true
	}
	<-ls.done
	if ls.perr != nil {
		return ls.perr
	}
	return ls.aerr
}

// close rolls back whatever was written.
func (ls *loanStream) close() {
	ls.wait()
	if ls.w != nil {
		ls.w.Close()
	}
}

// finish commits the streamed ledger, or not, given the parser's report,
// and joins the store's issues and counts to it.
func (ls *loanStream) finish(rep *monitor.ImportReport) error {
	defer ls.close()
	if ls.w == nil { // no loan was accepted: the import is still recorded
		ls.opt.Sheet = rep.Sheet
		w, err := ls.db.BeginLoans(ls.ctx, ls.rep, ls.opt)
		if err != nil {
			return err
		}
		ls.w = w
	}
	if err := ls.w.Finish(rep); err != nil {
		return err
	}
	s := ls.rep
	rep.Errors = append(rep.Errors, s.Errors...)
	rep.Warnings = append(rep.Warnings, s.Warnings...)
	rep.Loans.Created += s.Loans.Created
	rep.Loans.Updated += s.Loans.Updated
	rep.Loans.Unchanged += s.Loans.Unchanged
	rep.Loans.Rejected += s.Loans.Rejected
	rep.Touched, rep.ImportID, rep.Committed = s.Touched, s.ImportID, s.Committed
	return nil
}
