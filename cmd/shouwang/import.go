package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/shouwang/shouwang/importer"
	"github.com/shouwang/shouwang/importer/sheet"
	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/imports"
	"github.com/shouwang/shouwang/monitor/store"
)

func (a *App) runImport(ctx context.Context, args []string) int {
	fs, dsn := a.newFlags("import")
	kind := fs.String("kind", "", "文件类型：households（花名册）；loans（小额信贷台账）、measures（帮扶措施台账）、cadres（帮扶责任人名单）；部门名单 medical、civil、disability、education、disaster、employment、housing、water、accident；不填则按表头自动识别")
	dry := fs.Bool("dry-run", false, "只校验，不写入")
	skip := fs.Bool("skip-invalid", false, "有被拒绝的记录时，仍写入其余有效的记录")
	errorsOut := fs.String("errors-out", "", "把原表标注错误后另存为此 .xlsx 文件")
	asOfText := fs.String("as-of", "", "导入后重新评估所涉农户的日期（默认为最近一次评估的日期）")
	asJSON := fs.Bool("json", false, "每个文件输出一个 JSON 对象")
	wait := fs.Duration("wait", store.DefaultEvalWait, "导入后重新评估时，等待另一项正在进行的评估结束的最长时间（如 30s、5m）；超时则导入照常有效，所涉农户留待下次评估")
	files, err := parseMixed(fs, args)
	if err != nil {
		return a.exit(usageError{err.Error()})
	}
	if len(files) == 0 {
		return a.exit(usageError{"请给出要导入的文件，例如：shouwang import 花名册.xlsx"})
	}
	if *kind != "" && !knownKind(*kind) {
		return a.exit(usageError{fmt.Sprintf("--kind %q 无效，可用：%s", *kind, strings.Join(kindNames(), "、"))})
	}
	if *errorsOut != "" && len(files) > 1 {
		return a.exit(usageError{"--errors-out 只能用于单个文件"})
	}
	var asOf monitor.Date
	if *asOfText != "" {
		if asOf, err = a.asOf(*asOfText); err != nil {
			return a.exit(err)
		}
	}
	db, err := a.openDB(ctx, *dsn)
	if err != nil {
		return a.exit(err)
	}
	defer db.Close()
	status := exitOK
	for _, file := range files {
		opt := store.ImportOptions{DryRun: *dry, SkipInvalid: *skip, Actor: a.actor()}
		rep, err := a.importAny(ctx, db, *kind, file, opt, *errorsOut)
		if err == nil {
			// The import is committed whatever the follow-up evaluation
			// does: a failure is reported beside it, not as the
			// import's, and the exit status stays the import's.
			if ferr := imports.FollowUp(ctx, db, rep, asOf, *wait); ferr != nil && monitor.ErrorCode(ferr) == monitor.EINTERNAL {
				fmt.Fprintf(a.Stderr, "%s：导入后重新评估失败：%v\n", file, ferr)
			}
		}
		if err != nil {
			fmt.Fprintf(a.Stderr, "%s：%s\n", file, monitor.ErrorMessage(err))
			if monitor.ErrorCode(err) == monitor.EINTERNAL {
				fmt.Fprintln(a.Stderr, err)
			}
			if *asJSON {
				json.NewEncoder(a.Stdout).Encode(map[string]any{"file": file, "error": monitor.ErrorMessage(err), "code": monitor.ErrorCode(err)})
			}
			if monitor.ErrorCode(err) == monitor.EINVALID {
				status = max(status, exitValidation)
			} else {
				status = exitFailure
			}
			continue
		}
		if *asJSON {
			enc := json.NewEncoder(a.Stdout)
			enc.SetEscapeHTML(false)
			enc.Encode(rep)
		} else {
			a.printImport(rep, *errorsOut)
			if rep.ReevaluationError != "" {
				fmt.Fprintln(a.Stdout, rep.ReevaluationError+"。")
			}
		}
		if len(rep.Errors) > 0 && !rep.Committed && status != exitFailure {
			status = exitValidation
		}
	}
	return status
}

// knownKind reports whether --kind names a file kind.
func knownKind(k string) bool {
	_, dept := importer.DeptKinds[k]
	return k == monitor.KindHouseholds || dept || imports.RecordKinds[k] != ""
}

func kindNames() []string {
	names := []string{monitor.KindHouseholds}
	for k := range importer.DeptKinds {
		names = append(names, k)
	}
	for k := range imports.RecordKinds {
		names = append(names, k)
	}
	sort.Strings(names[1:])
	return names
}

// importAny imports one file through the flow the web app uses too, with
// the whole registry in scope.
func (a *App) importAny(ctx context.Context, db *store.DB, kind, file string, opt store.ImportOptions, errorsOut string) (*monitor.ImportReport, error) {
	progress := a.progress(filepath.Base(file))
	rep, err := imports.Run(ctx, db, imports.Request{Path: file, Kind: kind, Options: opt, Scope: store.Everywhere,
		Today: a.today(), ErrorsOut: errorsOut, Limits: sheet.DefaultLimits(), Progress: progress})
	if progress != nil {
		fmt.Fprint(a.Stderr, "\r\033[K")
	}
	return rep, err
}

// progress returns a callback drawing a progress line when stderr is a
// terminal, or nil.
func (a *App) progress(name string) func(rows int) {
	f, ok := a.Stderr.(*os.File)
	if !ok {
		return nil
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return func(rows int) {
		fmt.Fprintf(a.Stderr, "\r正在读取 %s：已读到第 %d 行…", name, rows)
	}
}

func (a *App) printImport(rep *monitor.ImportReport, errorsOut string) {
	if imports.RecordKinds[rep.Kind] != "" {
		a.printRecordImport(rep, errorsOut)
		return
	}
	w := a.Stdout
	mode := ""
	if rep.DryRun {
		mode = "（试导入，只校验不写入）"
	}
	fmt.Fprintf(w, "文件：%s%s\n工作表：“%s”，表头在第 %s 行", rep.File, mode, rep.Sheet, joinRows(rep.HeaderRows))
	if rep.IncomeYear > 0 {
		fmt.Fprintf(w, "，收入年度 %d", rep.IncomeYear)
	}
	fmt.Fprintln(w)
	h, m := rep.Households, rep.Members
	if rep.Matched != nil {
		fmt.Fprintf(w, "部门名单（%s）：与农户成员匹配 %d 人，未匹配 %d 人（已列为待核实线索）\n", importer.DeptKinds[rep.Kind], *rep.Matched, len(rep.Unmatched))
		for _, u := range rep.Unmatched {
			fmt.Fprintf(w, "  第%d行 %s %s：不在任何农户中，请村里核实\n", u.Row, u.Name, monitor.MaskID(u.IDNumber))
		}
	} else if rep.Kind == monitor.KindHouseholds {
		fmt.Fprintf(w, "户：文件中 %d 户 —— 新增 %d，更新 %d，未变化 %d，拒绝 %d\n", h.InFile, h.Created, h.Updated, h.Unchanged, h.Rejected)
		fmt.Fprintf(w, "成员：新增 %d，更新 %d，未变化 %d，本次文件中缺失 %d\n", m.Created, m.Updated, m.Unchanged, m.Missing)
	}
	printIssues(w, "错误", rep.Errors, 50)
	printIssues(w, "警告", rep.Warnings, 20)
	switch {
	case rep.Committed:
		fmt.Fprintf(w, "结果：已写入（导入批次 %d）。\n", rep.ImportID)
	case rep.DryRun && len(rep.Errors) == 0:
		fmt.Fprintln(w, "结果：校验通过，未写入。去掉 --dry-run 即可正式导入。")
	case rep.DryRun:
		fmt.Fprintf(w, "结果：试导入发现 %d 户有错误，未写入。\n", h.Rejected)
	default:
		fmt.Fprintf(w, "结果：未写入任何数据——有 %d 户被拒绝。请按上面的提示修改后重新导入，或加 --skip-invalid 只导入其余 %d 户。\n", h.Rejected, h.InFile-h.Rejected)
	}
	if e := rep.Evaluation; e != nil {
		fmt.Fprintf(w, "已按 %s 重新评估所涉 %d 户：新增预警 %d，持续 %d，解除 %d\n", e.AsOf, e.Households, e.Opened, e.Kept, e.Closed)
	}
	if errorsOut != "" {
		fmt.Fprintf(w, "已生成标注错误的工作簿：%s（错误单元格标红并附批注，最后一列为“导入结果”）\n", errorsOut)
	}
}

func printIssues(w io.Writer, title string, is []monitor.Issue, limit int) {
	if len(is) == 0 {
		return
	}
	fmt.Fprintf(w, "%s %d 条：\n", title, len(is))
	for i, x := range is {
		if i == limit {
			fmt.Fprintf(w, "  …另有 %d 条，用 --json 或 --errors-out 查看全部\n", len(is)-limit)
			break
		}
		where := x.Sheet
		if x.Row > 0 {
			where += fmt.Sprintf(" 第%d行", x.Row)
		}
		if x.Column != "" {
			where += " [" + x.Column + "]"
		}
		val := ""
		if x.Value != "" {
			val = " “" + trimTo(x.Value, 30) + "”"
		}
		fmt.Fprintf(w, "  %s%s %s：%s\n", where, val, x.Code, x.Message)
	}
}

func joinRows(rows []int) string {
	parts := make([]string, len(rows))
	for i, r := range rows {
		parts[i] = fmt.Sprint(r)
	}
	return strings.Join(parts, "–")
}
