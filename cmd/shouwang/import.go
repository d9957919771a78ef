package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/shouwang/shouwang/importer"
	"github.com/shouwang/shouwang/importer/sheet"
	"github.com/shouwang/shouwang/monitor"
	"github.com/shouwang/shouwang/monitor/store"
)

func (a *App) runImport(ctx context.Context, args []string) int {
	fs, dsn := a.newFlags("import")
	kind := fs.String("kind", "households", "文件类型：households（花名册）")
	dry := fs.Bool("dry-run", false, "只校验，不写入")
	skip := fs.Bool("skip-invalid", false, "有被拒绝的户时，仍写入其余有效的户")
	errorsOut := fs.String("errors-out", "", "把原表标注错误后另存为此 .xlsx 文件")
	asJSON := fs.Bool("json", false, "每个文件输出一个 JSON 对象")
	files, err := parseMixed(fs, args)
	if err != nil {
		return a.exit(usageError{err.Error()})
	}
	if len(files) == 0 {
		return a.exit(usageError{"请给出要导入的文件，例如：shouwang import 花名册.xlsx"})
	}
	if *kind != monitor.KindHouseholds {
		return a.exit(usageError{fmt.Sprintf("--kind %q 暂不支持，可用：households", *kind)})
	}
	if *errorsOut != "" && len(files) > 1 {
		return a.exit(usageError{"--errors-out 只能用于单个文件"})
	}
	db, err := a.openDB(ctx, *dsn)
	if err != nil {
		return a.exit(err)
	}
	defer db.Close()
	status := exitOK
	for _, file := range files {
		rep, err := a.importFile(ctx, db, file, store.ImportOptions{DryRun: *dry, SkipInvalid: *skip, Actor: a.actor()}, *errorsOut)
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
		}
		if len(rep.Errors) > 0 && !rep.Committed && status != exitFailure {
			status = exitValidation
		}
	}
	return status
}

// importFile parses one file and hands it to the store.
func (a *App) importFile(ctx context.Context, db *store.DB, file string, opt store.ImportOptions, errorsOut string) (*monitor.ImportReport, error) {
	sum, err := fileSHA256(file)
	if err != nil {
		return nil, monitor.Errorf(monitor.EINVALID, "无法读取文件：%v", err)
	}
	book, err := sheet.Open(file, sheet.DefaultLimits())
	if err != nil {
		return nil, asInvalid(err)
	}
	defer book.Close()
	progress := a.progress(filepath.Base(file))
	parsed, err := importer.ParseHouseholds(book, filepath.Base(file), importer.Options{DefaultYear: a.today().Year - 1, AsOf: a.today(), Progress: progress})
	if progress != nil {
		fmt.Fprint(a.Stderr, "\r\033[K")
	}
	if err != nil {
		return nil, asInvalid(err)
	}
	opt.FileName, opt.SHA256, opt.Sheet, opt.IDColumn, opt.Year = filepath.Base(file), sum, parsed.Report.Sheet, parsed.IDColumn, parsed.Report.IncomeYear
	rep := parsed.Report
	rep.DryRun = opt.DryRun
	if err := db.ImportHouseholds(ctx, rep, parsed.Households, opt); err != nil {
		return nil, err
	}
	if errorsOut != "" {
		if err := importer.WriteErrorWorkbook(file, book, parsed, errorsOut); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// asInvalid marks a file-format problem as the user's to fix.
func asInvalid(err error) error {
	var fe *sheet.FormatError
	if errors.As(err, &fe) {
		return monitor.Errorf(monitor.EINVALID, "%s", fe.Message)
	}
	return err
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
	w := a.Stdout
	mode := ""
	if rep.DryRun {
		mode = "（试导入，只校验不写入）"
	}
	fmt.Fprintf(w, "文件：%s%s\n工作表：“%s”，表头在第 %s 行，收入年度 %d\n", rep.File, mode, rep.Sheet, joinRows(rep.HeaderRows), rep.IncomeYear)
	h, m := rep.Households, rep.Members
	fmt.Fprintf(w, "户：文件中 %d 户 —— 新增 %d，更新 %d，未变化 %d，拒绝 %d\n", h.InFile, h.Created, h.Updated, h.Unchanged, h.Rejected)
	fmt.Fprintf(w, "成员：新增 %d，更新 %d，未变化 %d，本次文件中缺失 %d\n", m.Created, m.Updated, m.Unchanged, m.Missing)
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
