// Package imports is the one flow of an upload, shared by the command line
// and the web app: open the file, find its kind, parse it, keep the
// uploader to their place, hand it to the store, annotate the user's own
// workbook with the errors, and re-evaluate the households that changed.
// It joins importer (no SQL) and store (no files).
package imports

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/shouwang/shouwang/importer"
	"github.com/shouwang/shouwang/importer/sheet"
	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
	"github.com/shouwang/shouwang/monitor/watch"
)

// Request is one file to import.
type Request struct {
	Path string // the file on disk
	// Name is the file name the user knows (an upload is stored under
	// another); default the base of Path.
	Name string
	// Kind is households, a record kind (RecordKinds), a department kind
	// (importer.DeptKinds), or "" to tell from the headers.
	Kind string
	// Options carry DryRun, SkipInvalid and Actor; the file's own fields
	// are filled in here.
	Options store.ImportOptions
	// Scope is the uploader's place: households outside it are rejected
	// (out_of_scope). Department lists span every village and need
	// store.Everywhere.
	Scope store.Scope
	// Today dates the parse (ages, the default income year and period).
	Today monitor.Date
	// ErrorsOut, when set, receives the user's workbook with every error
	// marked (rosters and record ledgers).
	ErrorsOut string
	Limits    sheet.Limits
	Progress  func(rows int)
}

func (r *Request) name() string {
	if r.Name != "" {
		return r.Name
	}
	return filepath.Base(r.Path)
}

// Run imports one file of the requested kind, or of the kind its headers
// show.
func Run(ctx context.Context, db *store.DB, req Request) (*monitor.ImportReport, error) {
	switch {
	case req.Kind == monitor.KindHouseholds:
		return Households(ctx, db, req)
	case RecordKinds[req.Kind] != "":
		return Records(ctx, db, req)
	case req.Kind != "":
		return Dept(ctx, db, req)
	}
	rep, err := Households(ctx, db, req)
	if monitor.ErrorCode(err) != monitor.EINVALID || rep != nil {
		return rep, err
	}
	// Not a roster: perhaps a loan ledger, measures ledger or cadre list.
	if k := recordKindOf(req.Path, req.Limits); k != "" {
		req.Kind = k
		return Records(ctx, db, req)
	}
	// Not a roster: perhaps a department list.
	drep, derr := Dept(ctx, db, req)
	if derr == nil || monitor.ErrorCode(derr) == monitor.EFORBIDDEN {
		return drep, derr
	}
	return nil, err
}

// bigImportBytes is the file size from which a roster import tunes the
// garbage collector for memory (about 20,000 households; see Households).
const bigImportBytes = 8 << 20

// importMemoryLimit is the soft memory limit while large imports run: the
// collector works harder near it instead of letting the heap grow to twice
// the parsed file (measured: 470 MB → 290 MB peak for 100,000 households).
const importMemoryLimit = 240 << 20

var (
	tightMu    sync.Mutex
	tightCount int
	tightPrev  int64
)

// tightMemory sets the soft memory limit for the duration of one large
// import and returns the function that lifts it. Concurrent imports share
// one setting, restored when the last of them ends.
func tightMemory() func() {
	tightMu.Lock()
	defer tightMu.Unlock()
	if tightCount == 0 {
		tightPrev = debug.SetMemoryLimit(-1)
		if tightPrev > importMemoryLimit {
			debug.SetMemoryLimit(importMemoryLimit)
		}
	}
	tightCount++
	return func() {
		tightMu.Lock()
		defer tightMu.Unlock()
		if tightCount--; tightCount == 0 {
			debug.SetMemoryLimit(tightPrev)
		}
	}
}

// Households imports a household roster.
func Households(ctx context.Context, db *store.DB, req Request) (*monitor.ImportReport, error) {
	sum, err := fileSHA256(req.Path)
	if err != nil {
		return nil, monitor.Errorf(monitor.EINVALID, "无法读取文件：%v", err)
	}
	book, err := sheet.Open(req.Path, req.Limits)
	if err != nil {
		return nil, asInvalid(err)
	}
	defer book.Close()
	if st, err := os.Stat(req.Path); err == nil && st.Size() >= bigImportBytes {
		// A large roster is held parsed while it is written, and let go
		// chunk by chunk (opt.Release): a soft memory limit keeps the heap
		// near that live set instead of twice it.
		defer tightMemory()()
	}
	parsed, err := importer.ParseHouseholds(book, req.name(), importer.Options{DefaultYear: req.Today.Year - 1, AsOf: req.Today, Progress: req.Progress})
	if err != nil {
		return nil, asInvalid(err)
	}
	opt := req.Options
	opt.FileName, opt.SHA256, opt.Sheet, opt.IDColumn, opt.Year = req.name(), sum, parsed.Report.Sheet, parsed.IDColumn, parsed.Report.IncomeYear
	opt.Release = true // only rejected households are looked at afterwards
	rep := parsed.Report
	rep.DryRun = opt.DryRun
	batch, err := db.RejectOutOfScope(ctx, rep, parsed.Households, req.Scope, parsed.IDColumn)
	if err != nil {
		return nil, err
	}
	if err := db.ImportHouseholds(ctx, rep, batch, opt); err != nil {
		return nil, err
	}
	markRejected(parsed)
	if req.ErrorsOut != "" {
		if err := importer.WriteErrorWorkbook(req.Path, book, parsed, req.ErrorsOut); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// markRejected gives the rows of households rejected after parsing (by
// scope or by the registry) their reason in the error workbook's 导入结果
// column, as the parser does for its own.
func markRejected(f *importer.HouseholdFile) {
	first := map[string]string{}
	for _, is := range f.Report.Errors {
		if is.Household != "" && first[is.Household] == "" {
			first[is.Household] = is.Message
		}
	}
	rejected := map[string]bool{}
	for _, c := range f.Report.RejectedHouseholds {
		rejected[c] = true
	}
	for _, in := range f.Households {
		if in.Household == nil {
			continue // written, and let go by the store
		}
		code := in.Household.Code
		if !rejected[code] {
			continue
		}
		reason := "整户未导入：" + first[code]
		for _, r := range append([]int{in.Row}, in.MemberRows...) {
			if _, done := f.RowResults[r]; !done {
				f.RowResults[r] = reason
			}
		}
	}
}

// Dept imports a department list. The people on it are matched across the
// whole registry, so only the Everywhere scope may import one.
func Dept(ctx context.Context, db *store.DB, req Request) (*monitor.ImportReport, error) {
	sum, err := fileSHA256(req.Path)
	if err != nil {
		return nil, monitor.Errorf(monitor.EINVALID, "无法读取文件：%v", err)
	}
	book, err := sheet.Open(req.Path, req.Limits)
	if err != nil {
		return nil, asInvalid(err)
	}
	defer book.Close()
	t := req.Today
	parsed, err := importer.ParseDeptList(book, req.name(), req.Kind, fmt.Sprintf("%04d-%02d", t.Year, t.Month))
	if err != nil {
		return nil, asInvalid(err)
	}
	if !req.Scope.All {
		return nil, monitor.Errorf(monitor.EFORBIDDEN, "这是部门名单（%s），其中的人员要与全区农户比对，请由区县或管理员账号导入", importer.DeptKinds[parsed.Kind])
	}
	opt := req.Options
	rep := parsed.Report
	rep.DryRun = opt.DryRun
	in := store.DeptImport{Kind: parsed.Kind, FileName: req.name(), SHA256: sum, Actor: opt.Actor, DryRun: opt.DryRun || (len(rep.Errors) > 0 && !opt.SkipInvalid)}
	for _, r := range parsed.Rows {
		in.Records = append(in.Records, r.Record)
		in.Rows = append(in.Rows, r.Row)
	}
	if _, err := db.ImportDept(ctx, rep, in); err != nil {
		return nil, err
	}
	return rep, nil
}

// Reevaluate evaluates the households an import touched, as of asOf or —
// when zero — the date the registry was last evaluated as of; nothing runs
// when it never was (the first evaluation is the user's to start). It
// waits up to store.DefaultEvalWait for an evaluation already running.
// When it fails, the households are marked for the next evaluation (the
// change that touched them stands) and the error is returned.
func Reevaluate(ctx context.Context, db *store.DB, asOf monitor.Date, ids []int64) (*monitor.EvaluationCounts, error) {
	o := reevaluate(ctx, db, asOf, ids, store.DefaultEvalWait)
	return o.counts, o.err
}

// outcome is how a follow-up evaluation went: its counts (nil when none
// ran), or its error and that of marking the households afterwards.
type outcome struct {
	counts  *monitor.EvaluationCounts
	err     error
	markErr error
}

// reevaluate is Reevaluate waiting at most wait.
func reevaluate(ctx context.Context, db *store.DB, asOf monitor.Date, ids []int64, wait time.Duration) outcome {
	if len(ids) == 0 {
		return outcome{}
	}
	if asOf.IsZero() {
		d, ok, err := db.MonitoringDate(ctx)
		if err != nil {
			return outcome{err: err, markErr: markPending(ctx, db, ids)}
		}
		if !ok {
			return outcome{}
		}
		asOf = d
	}
	c, err := watch.EvaluateWaiting(ctx, db, asOf, store.EvalScope{HouseholdIDs: ids}, wait)
	if err != nil {
		return outcome{err: err, markErr: markPending(ctx, db, ids)}
	}
	return outcome{counts: c}
}

// markPending marks households for the next evaluation, also when ctx
// has ended (a client that went away, the evaluation it cut short).
func markPending(ctx context.Context, db *store.DB, ids []int64) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	return db.MarkEvalPending(ctx, ids)
}

// FollowUp re-evaluates the households a committed import touched (as
// Reevaluate does, waiting at most wait for an evaluation already running)
// and says in rep how it went. The import stands either way: when the
// evaluation fails, rep.ReevaluationError says why and that the
// households wait for the next evaluation. The error is returned for the
// caller's log.
func FollowUp(ctx context.Context, db *store.DB, rep *monitor.ImportReport, asOf monitor.Date, wait time.Duration) error {
	if rep == nil || !rep.Committed || len(rep.Touched) == 0 {
		return nil
	}
	o := reevaluate(ctx, db, asOf, rep.Touched, wait)
	err, markErr := o.err, o.markErr
	if err == nil {
		rep.Evaluation, rep.Reevaluated = o.counts, o.counts != nil
		return nil
	}
	rep.Evaluation, rep.Reevaluated = nil, false
	n := len(rep.Touched)
	if markErr != nil {
		rep.ReevaluationError = fmt.Sprintf("导入已写入，但随后的风险评估未完成：%s；所涉 %d 户也未能标记为待评估，请稍后运行一次全部农户的评估（shouwang evaluate）", reevaluationCause(err), n)
		return errors.Join(err, markErr)
	}
	rep.ReevaluationError = fmt.Sprintf("导入已写入，但随后的风险评估未完成：%s；所涉 %d 户已标记为待评估，下次评估时一并评估", reevaluationCause(err), n)
	return err
}

// reevaluationCause says in a few words why a follow-up evaluation failed.
func reevaluationCause(err error) string {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "评估被中断"
	case store.IsBusy(err):
		return "数据库正被另一项写入占用"
	case monitor.ErrorCode(err) != monitor.EINTERNAL:
		// "Try again later" is the next evaluation's to do here.
		return strings.TrimSuffix(strings.TrimRight(monitor.ErrorMessage(err), "。"), "，请稍后再试")
	}
	return "评估时出错（详见日志）"
}

// asInvalid marks a file-format problem as the user's to fix, keeping its
// own code (zip_bomb, not_a_workbook, …) for FormatCode.
func asInvalid(err error) error {
	var fe *sheet.FormatError
	if errors.As(err, &fe) {
		return invalidFile{me: &monitor.Error{Code: monitor.EINVALID, Message: fe.Message}, fe: fe}
	}
	return err
}

type invalidFile struct {
	me *monitor.Error
	fe *sheet.FormatError
}

func (e invalidFile) Error() string   { return e.me.Error() }
func (e invalidFile) Unwrap() []error { return []error{e.me, e.fe} }

// FormatCode returns the sheet.FormatError code in err's chain ("" if none):
// file_too_large, zip_bomb, not_a_workbook, …
func FormatCode(err error) string {
	var fe *sheet.FormatError
	if errors.As(err, &fe) {
		return fe.Code
	}
	return ""
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
