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
		// Borrowers are looked up on the read connections while the rest
		// of the ledger is parsed.
		b := db.LookupBorrowers(ctx)
		defer b.Close()
		popt.PeopleSeen, opt.Borrowers = b.Add, b
		f, err := importer.ParseLoans(book, name, popt)
		if err != nil {
			return nil, asInvalid(err)
		}
		batch := make([]store.LoanImport, len(f.Loans))
		for i, r := range f.Loans {
			batch[i] = store.LoanImport{Loan: r.Loan, Row: r.Row, IDColumn: r.IDColumn, HeadIDNumber: r.HeadIDNumber, StatesRepayments: r.StatesRepayments}
		}
		rf = &f.RecordFile
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
